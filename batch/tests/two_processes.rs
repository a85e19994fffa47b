//! Two processes on localhost give the one-process CSV byte for byte. The test starts both
//! processes itself by re-executing this test binary with `--exact two_process_child
//! --ignored`, the child's arguments in environment variables (libtest would refuse them as
//! flags), on loopback ports found free just before, and kills them if they overrun.

mod common;

use common::{Fit, Sim, keys, study};
use doppl_batch::{BatchError, Layout, Study, csv_bytes, write_csv};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The child's role: "process dir".
const CHILD_ENV: &str = "DOPPL_BATCH_TWO_PROCESS_CHILD";
/// How long a child may run before its own watchdog exits it with 124.
const CHILD_WATCHDOG: Duration = Duration::from_secs(100);
/// How long the parent waits for both children.
const DEADLINE: Duration = Duration::from_secs(120);

fn sizes() -> [u64; 2] {
    [20, 50]
}

/// Kills and reaps the children on every way out of the test, a failed assert included.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Two loopback ports that were free a moment ago: bound to port 0, read, dropped.
fn free_ports() -> [u16; 2] {
    let a = TcpListener::bind("127.0.0.1:0").unwrap();
    let b = TcpListener::bind("127.0.0.1:0").unwrap();
    [
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    ]
}

fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir =
        std::env::temp_dir().join(format!("doppl-batch-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn spawn_child(process: usize, dir: &Path, abort: bool) -> Child {
    let log = |name: String| std::fs::File::create(dir.join(name)).unwrap();
    let abort = if abort { " abort" } else { "" };
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "two_process_child", "--ignored", "--nocapture"])
        .env(CHILD_ENV, format!("{process} {}{abort}", dir.display()))
        .stdin(Stdio::null())
        .stdout(log(format!("stdout-{process}.txt")))
        .stderr(log(format!("stderr-{process}.txt")))
        .spawn()
        .unwrap()
}

/// Waits for every child until the deadline; `None` if one overran.
fn wait_all(children: &mut Children, deadline: Instant) -> Option<Vec<ExitStatus>> {
    let mut statuses: Vec<Option<ExitStatus>> = vec![None; children.0.len()];
    while Instant::now() < deadline {
        for (child, status) in children.0.iter_mut().zip(&mut statuses) {
            if status.is_none() {
                *status = child.try_wait().unwrap();
            }
        }
        if statuses.iter().all(Option::is_some) {
            return statuses.into_iter().collect();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// One attempt: both children's statuses, or `None` on a timeout. With `abort`, process 1
/// aborts at its first replicate.
fn attempt(dir: &Path, abort: bool) -> Option<Vec<ExitStatus>> {
    let [p0, p1] = free_ports();
    std::fs::write(
        dir.join("hosts.txt"),
        format!("127.0.0.1:{p0}\n127.0.0.1:{p1}\n"),
    )
    .unwrap();
    let mut children = Children(
        (0..2)
            .map(|p| spawn_child(p, dir, abort && p == 1))
            .collect(),
    );
    wait_all(&mut children, Instant::now() + DEADLINE)
}

fn logs(dir: &Path) -> String {
    (0..2)
        .flat_map(|p| ["stdout", "stderr"].map(|s| format!("{s}-{p}.txt")))
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
            format!("--- {name}\n{text}")
        })
        .collect()
}

#[test]
fn two_processes_give_the_one_process_csv() {
    let one = study(keys(&sizes(), 20))
        .run(&Layout::Threads(1))
        .unwrap()
        .unwrap();
    let expected = csv_bytes(&one).unwrap();
    let dir = temp_dir("two-processes");
    // A port taken between the probe and the child's bind is a start error: try again.
    let mut statuses = None;
    for _ in 0..3 {
        statuses = attempt(&dir, false);
        let taken = logs(&dir).contains("failed to initialize networking");
        if !taken {
            break;
        }
    }
    let statuses = statuses.unwrap_or_else(|| panic!("timed out\n{}", logs(&dir)));
    assert!(
        statuses.iter().all(ExitStatus::success),
        "{statuses:?}\n{}",
        logs(&dir)
    );
    let csv = std::fs::read(dir.join("rows.csv")).unwrap();
    assert!(csv == expected, "the CSVs differ\n{}", logs(&dir));
    assert!(
        dir.join("done-1").exists(),
        "process 1 must finish without rows"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// One of the two processes; does nothing unless started by the test above.
#[test]
#[ignore = "started by two_processes_give_the_one_process_csv"]
fn two_process_child() {
    let Ok(role) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (process, rest) = role.split_once(' ').unwrap();
    let (dir, abort) = match rest.strip_suffix(" abort") {
        Some(dir) => (dir, true),
        None => (rest, false),
    };
    let (process, dir): (usize, PathBuf) = (process.parse().unwrap(), dir.into());
    std::thread::spawn(|| {
        std::thread::sleep(CHILD_WATCHDOG);
        eprintln!("watchdog: the study did not finish in {CHILD_WATCHDOG:?}");
        std::process::exit(124);
    });
    let layout = Layout::Cluster {
        processes: 2,
        process,
        threads: 1,
        hostfile: Some(dir.join("hosts.txt")),
    };
    if abort {
        let aborting = Study::new(
            keys(&sizes(), 20),
            2024,
            |_: &Sim, _| -> Result<Fit, String> { std::process::abort() },
        );
        let _ = aborting.progress(false).run(&layout);
        return;
    }
    let rows = match study(keys(&sizes(), 20)).run(&layout) {
        Ok(rows) => rows,
        Err(e) => {
            std::fs::write(dir.join(format!("error-{process}")), e.to_string()).unwrap();
            return;
        }
    };
    match (process, rows) {
        (0, Some(rows)) => write_csv(&dir.join("rows.csv"), &rows).unwrap(),
        (_, None) => std::fs::write(dir.join(format!("done-{process}")), "").unwrap(),
        (p, Some(_)) => panic!("process {p} got rows"),
    }
}

/// Timely is fail-stop: when process 1 dies (aborts, as a killed machine would), process 0
/// must end too, with an error or a failed exit, not wait for it forever.
#[test]
fn an_aborting_peer_stops_the_study_without_a_hang() {
    let dir = temp_dir("aborting-peer");
    let mut statuses = None;
    for _ in 0..3 {
        statuses = attempt(&dir, true);
        if !logs(&dir).contains("failed to initialize networking") {
            break;
        }
    }
    let statuses = statuses.unwrap_or_else(|| panic!("process 0 hung\n{}", logs(&dir)));
    assert!(!statuses[1].success(), "process 1 was meant to abort");
    let reported = dir.join("error-0").exists() || !statuses[0].success();
    assert!(
        reported,
        "process 0 ended as if the study completed\n{}",
        logs(&dir)
    );
    assert!(!dir.join("rows.csv").exists(), "process 0 wrote rows");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_taken_port_is_a_start_error() {
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let dir = temp_dir("taken-port");
    let hosts = dir.join("hosts.txt");
    std::fs::write(&hosts, format!("127.0.0.1:{port}\n127.0.0.1:1\n")).unwrap();
    let layout = Layout::Cluster {
        processes: 2,
        process: 0,
        threads: 1,
        hostfile: Some(hosts),
    };
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || send.send(study(keys(&[20], 2)).run(&layout).map(|_| ())));
    let result = receive
        .recv_timeout(Duration::from_secs(30))
        .expect("no answer in 30 s");
    assert!(matches!(result, Err(BatchError::Start(_))), "{result:?}");
    drop(held);
    std::fs::remove_dir_all(&dir).unwrap();
}
