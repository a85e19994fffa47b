//! Lending a value to the current thread for the duration of one call.
//!
//! Model values are built by operators, which cannot take a context argument; the
//! derivative engine's per-evaluation state (value buffers, projected products) reaches them
//! through a thread-local *slot* that holds the state only while the engine's call runs. The
//! loan ends when the call returns or unwinds, and the slot's previous content (a loan
//! further up the stack) is restored.

use std::cell::RefCell;
use std::thread::LocalKey;

/// A thread-local slot for a lent value.
pub(crate) type Slot<T> = LocalKey<RefCell<Option<T>>>;

/// Runs `f` with `owner`'s value in `slot`, and puts the value back into `owner` afterwards.
pub(crate) fn lend<T: Default + 'static, R>(
    slot: &'static Slot<T>,
    owner: &mut T,
    f: impl FnOnce() -> R,
) -> R {
    let lent = std::mem::take(owner);
    let previous = slot.with(|s| s.replace(Some(lent)));
    let _restore = Restore {
        slot,
        owner,
        previous,
    };
    f()
}

/// `f` of the lent value, if one is lent and not in use further up the stack.
pub(crate) fn with_lent<T: 'static, R>(
    slot: &'static Slot<T>,
    f: impl FnOnce(&mut T) -> Option<R>,
) -> Option<R> {
    slot.try_with(|s| {
        let mut s = s.try_borrow_mut().ok()?;
        f(s.as_mut()?)
    })
    .ok()
    .flatten()
}

/// Puts the lent value back into its owner and restores the slot's previous content.
struct Restore<'a, T: 'static> {
    slot: &'static Slot<T>,
    owner: &'a mut T,
    previous: Option<T>,
}

impl<T: 'static> Drop for Restore<'_, T> {
    fn drop(&mut self) {
        let previous = self.previous.take();
        if let Ok(Some(lent)) = self.slot.try_with(|s| s.replace(previous)) {
            *self.owner = lent;
        }
    }
}
