//! Catching panics of model code without the default hook's output.
//!
//! A panic in a model body at a proposed point is a rejection ([`ModelError::Panicked`]),
//! a chain that panics is that chain's error, and a replicate of a batch study that panics
//! is a failed row; each keeps the message, so the default hook's print-out (message and
//! backtrace on stderr, once per rejected point) is noise. While a [`QuietPanics`] guard lives, a hook is installed that
//! stays silent for panics caught by [`catch_quietly`] on the thread that caught them and
//! hands every other panic to the hook that was there before; the last guard dropped puts
//! that hook back. Panics on other threads (the user's own) are printed as before.

use crate::ModelError;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, PanicHookInfo, catch_unwind};
use std::sync::{Arc, Mutex};

type Hook = Arc<dyn Fn(&PanicHookInfo<'_>) + Send + Sync>;

/// The guards alive and the hook to put back after the last one.
static SCOPE: Mutex<(usize, Option<Hook>)> = Mutex::new((0, None));

thread_local! {
    /// Whether this thread is inside `catch_quietly`.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Silences panics caught by [`catch_quietly`] while it lives (see the module docs).
#[derive(Debug)]
pub struct QuietPanics(());

impl QuietPanics {
    /// Installs the quiet hook if no other guard has.
    // A guard with an effect (a hook installed until it drops), not a default value.
    #[allow(clippy::new_without_default)]
    #[must_use = "the hook is removed when the guard drops"]
    pub fn new() -> Self {
        let mut scope = SCOPE.lock().unwrap_or_else(|p| p.into_inner());
        if scope.0 == 0 {
            let previous: Hook = Arc::from(std::panic::take_hook());
            let fallback = previous.clone();
            std::panic::set_hook(Box::new(move |info| {
                if !CATCHING.with(Cell::get) {
                    fallback(info);
                }
            }));
            scope.1 = Some(previous);
        }
        scope.0 += 1;
        QuietPanics(())
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        let mut scope = SCOPE.lock().unwrap_or_else(|p| p.into_inner());
        scope.0 -= 1;
        if scope.0 == 0
            && let Some(previous) = scope.1.take()
        {
            std::panic::set_hook(Box::new(move |info| previous(info)));
        }
    }
}

/// Runs `f`, returning a panic's message instead of unwinding; silent under a
/// [`QuietPanics`] guard.
pub fn catch_quietly<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    let was = CATCHING.with(|c| c.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic payload".to_string())
    })
}

/// [`catch_quietly`] for a model computation: a panic is [`ModelError::Panicked`].
pub fn model_quietly<R>(f: impl FnOnce() -> Result<R, ModelError>) -> Result<R, ModelError> {
    catch_quietly(f).unwrap_or_else(|message| Err(ModelError::Panicked { message }))
}
