//! `uplift-service`: fits the uplift model on synthetic data (seeded) and serves effect
//! queries until Ctrl-C or SIGTERM, then finishes the requests in flight.
//!
//! ```text
//! cargo run --release -p uplift-service -- [--addr 127.0.0.1:3000] [--units 500] [--seed 7]
//! ```

use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;
use std::task::Poll;
use uplift_model::{FitOptions, fit, simulate};

/// The command line.
struct Args {
    addr: String,
    units: usize,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        addr: "127.0.0.1:3000".into(),
        units: 500,
        seed: 7,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |e: std::num::ParseIntError| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--addr" => args.addr = value,
            "--units" => args.units = value.parse().map_err(bad)?,
            "--seed" => args.seed = value.parse().map_err(bad)?,
            _ => {
                return Err(format!(
                    "unknown option {flag}; expected --addr, --units, --seed"
                ));
            }
        }
    }
    Ok(args)
}

/// The error and each of its causes, one per line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        out += &format!("\n  caused by: {cause}");
        source = cause.source();
    }
    out
}

fn run(args: Args) -> Result<(), String> {
    let (data, truth) = simulate(args.units, args.seed);
    let options = FitOptions {
        seed: args.seed,
        ..FitOptions::default()
    };
    let fitted = fit(&data, &options).map_err(|e| chain(&e))?;
    eprintln!(
        "fitted {} units (true effect {} + {}·x1); max R-hat {:.3}",
        args.units,
        truth.tau0,
        truth.tau1,
        fitted.max_rhat()
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        eprintln!("listening on http://{local} (POST /effect, GET /health); Ctrl-C stops");
        let shutdown = async {
            // Whichever signal comes first (polled by hand: tokio's `select!` would need its
            // `macros` feature for this one line).
            let (mut int, mut term) = (Box::pin(interrupted()), Box::pin(terminated()));
            std::future::poll_fn(|cx| match int.as_mut().poll(cx).is_ready() {
                true => Poll::Ready(()),
                false => term.as_mut().poll(cx),
            })
            .await;
            eprintln!("shutting down");
        };
        uplift_service::serve(listener, Arc::new(fitted), shutdown)
            .await
            .map_err(|e| format!("server error: {e}"))
    })
}

/// Ctrl-C; if its handler cannot be installed, never (the process can still be killed).
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// SIGTERM, what service managers and containers send to stop a process.
#[cfg(unix)]
async fn terminated() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            term.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

/// No SIGTERM off Unix: Ctrl-C only.
#[cfg(not(unix))]
async fn terminated() {
    std::future::pending::<()>().await;
}

fn main() -> ExitCode {
    match parse_args().and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
