//! Progress bars are drawn only on a terminal: a fit with `progress: true` whose standard
//! error is a pipe writes nothing there (the test runs itself as a child process with its
//! stderr piped).

use doppl::prelude::*;

#[model]
fn mean(n: usize) {
    let mu = sample!(Normal::new(0.0, 1.0));
    let y = sample!(Normal::new(mu, 1.0), plate!(n));
}

/// The child: a NUTS fit and an SVI fit with progress asked for.
#[test]
#[ignore = "run by progress_is_silent_without_a_terminal as a child process"]
fn progress_child() {
    let model = Mean::new(3);
    let y = DVector::from_vec(vec![0.1, 0.4, -0.2]);
    let options = NutsOptions {
        num_warmup: 100,
        num_draws: 100,
        progress: true,
        ..Default::default()
    };
    nuts(model.condition().y(y.clone()), &options).unwrap();
    let svi_options = SviOptions {
        steps: 300,
        progress: true,
        ..SviOptions::default()
    };
    svi(model.condition().y(y), AutoGuide::Normal, &svi_options).unwrap();
}

#[test]
fn progress_is_silent_without_a_terminal() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "progress_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("1 passed"),
        "{output:?}"
    );
    assert!(
        output.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
