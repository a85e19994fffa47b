//! End to end over loopback: the service started on a free port inside the test answers
//! `POST /effect` with exactly the library's numbers for the same covariates, refuses bad
//! input with a 4xx naming the field, and shuts down gracefully. Every wait is bounded.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uplift_model::{Covariates, FitOptions, fit, simulate};
use uplift_service::wire::effect_json;

/// How long any single request may take before the test fails instead of hanging.
const TIMEOUT: Duration = Duration::from_secs(20);

/// A status code and a body.
struct Reply {
    status: u16,
    body: String,
}

/// One HTTP/1.1 request on its own connection (`Connection: close`), read to the end: a
/// raw socket keeps the test free of an HTTP client dependency.
fn request(addr: SocketAddr, method: &str, path: &str, body: &str) -> Reply {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connects");
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(TIMEOUT)).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("a whole response");
    let (head, body) = raw.split_once("\r\n\r\n").expect("headers end");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .expect("a Content-Length (bodies are sent whole)");
    assert_eq!(body.len(), length, "the body as long as announced");
    Reply {
        status,
        body: body.to_string(),
    }
}

fn json(reply: &Reply) -> serde_json::Value {
    serde_json::from_str(&reply.body).expect("the body is JSON")
}

#[test]
fn the_service_answers_with_the_library_numbers_and_names_bad_fields() {
    let (data, _) = simulate(200, 5);
    let options = FitOptions {
        num_warmup: 300,
        num_draws: 200,
        num_chains: 2,
        seed: 9,
        ..FitOptions::default()
    };
    let fitted = Arc::new(fit(&data, &options).expect("the fit runs"));

    // The server on its own thread and runtime, on a port the system picks.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = Arc::clone(&fitted);
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            uplift_service::serve(listener, served, async {
                let _ = stopped.await;
            })
            .await
        })
    });

    let health = request(addr, "GET", "/health", "");
    assert_eq!(health.status, 200, "{}", health.body);
    assert_eq!(json(&health)["covariates"], 3);

    // The numbers: the library's, to the last bit (the same f64s print the same text).
    let units: Vec<Covariates> = vec![
        [0.0, 0.0, 0.0].into(),
        [1.0, -0.5, 2.0].into(),
        [-2.0, 1.0, 0.25].into(),
    ];
    let body = r#"{"units": [[0.0, 0.0, 0.0], [1.0, -0.5, 2.0], [-2.0, 1.0, 0.25]]}"#;
    let reply = request(addr, "POST", "/effect", body);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let library = fitted.effect(&units).expect("the library answers");
    assert_eq!(reply.body, effect_json(&library).to_string());
    let answer = json(&reply);
    assert_eq!(answer["units"].as_array().map(Vec::len), Some(3));
    assert_eq!(answer["draws"], 400);
    let mean = answer["units"][1]["mean"].as_f64().unwrap();
    assert!((mean - library.units[1].mean).abs() <= 1e-12 * mean.abs());
    // Asked again, the same bytes: the answer depends on nothing but the fit and the units.
    assert_eq!(request(addr, "POST", "/effect", body).body, reply.body);

    // Bad input: a 4xx whose JSON names the field.
    for (body, status, field) in [
        (
            r#"{"units": [[0.0, 0.0, 0.0], [1.0, 2.0]]}"#,
            422,
            "units[1]",
        ),
        (r#"{"units": [[0.0, "a", 0.0]]}"#, 422, "units[0][1]"),
        (r#"{"units": []}"#, 422, "units"),
        (r#"{"unit": [[0.0, 0.0, 0.0]]}"#, 422, "unit"),
        (r#"{"units": 3}"#, 422, "units"),
        (r#"{"units": [[0.0, 0.0"#, 400, "body"),
    ] {
        let reply = request(addr, "POST", "/effect", body);
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(json(&reply)["field"], field, "{body}: {}", reply.body);
    }
    assert_eq!(request(addr, "GET", "/nowhere", "").status, 404);

    // Graceful shutdown: the server returns Ok within the bound.
    stop.send(()).expect("the server is still running");
    let deadline = Instant::now() + TIMEOUT;
    while !server.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(server.is_finished(), "the server stops when told");
    server.join().unwrap().expect("the server exits cleanly");
    assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
}
