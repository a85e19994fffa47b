//! [`Workspace`]: the buffers of a model's values, reused from one evaluation to the next.
//!
//! A model body computes with [`super::Vector`]s that operators create (`x * beta + a`), and
//! operators cannot take a buffer argument. So the sampler-facing density (a
//! [`crate::gradient::Gradient`], one per chain) owns a `Workspace` and *lends* it to the
//! current thread for the duration of one evaluation ([`Workspace::lend`]): while it is
//! lent, every vector a model value needs takes its buffer from the workspace and gives it
//! back when dropped. From the second evaluation on, an evaluation allocates nothing.
//!
//! The loan is scoped: it ends when `lend` returns (or unwinds), the previous loan of the
//! thread, if any, is restored, and outside a loan vectors allocate as usual. No state
//! outlives the call, and nothing is shared between threads.

use crate::loan;
use std::any::{Any, TypeId};
use std::cell::RefCell;

/// Reusable buffers, one shelf per element type.
///
/// ```
/// use doppl_runtime::value::{Vector, Workspace};
/// let mut workspace = Workspace::default();
/// let sum = |w: &mut Workspace| w.lend(|| (2.0 * Vector::from(vec![1.0, 2.0]) + 1.0).sum());
/// assert_eq!(sum(&mut workspace), 8.0);
/// assert!(workspace.buffers() >= 1); // the result's buffer came back
/// assert_eq!(sum(&mut workspace), 8.0);
/// ```
#[derive(Default)]
pub struct Workspace {
    shelves: Vec<Shelf>,
}

/// The free buffers of one element type: a `Vec<Vec<T>>` behind `Any`.
struct Shelf {
    element: TypeId,
    buffers: Box<dyn Any>,
    free: usize,
}

// SAFETY: every buffer on a shelf is empty (`put` clears it before shelving it), so a
// workspace holds no value of any element type, only memory; moving it to another thread
// moves no `T`. The boxed `Vec<Vec<T>>` is only touched through `&mut Workspace`.
unsafe impl Send for Workspace {}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("shelves", &self.shelves.len())
            .finish()
    }
}

/// A copy starts empty: buffers are not shared, and a clone (one per chain) fills its own.
impl Clone for Workspace {
    fn clone(&self) -> Self {
        Workspace::default()
    }
}

thread_local! {
    static LENT: RefCell<Option<Workspace>> = const { RefCell::new(None) };
}

impl Workspace {
    /// Runs `f` with this workspace lent to the values created on this thread, and takes
    /// it back (with the buffers that came back) when `f` returns or unwinds.
    pub fn lend<R>(&mut self, f: impl FnOnce() -> R) -> R {
        loan::lend(&LENT, self, f)
    }

    /// How many free buffers the workspace holds.
    pub fn buffers(&self) -> usize {
        self.shelves.iter().map(|s| s.free).sum()
    }

    /// The free buffers of element type `T`, and their count to keep up to date.
    fn shelf<T: 'static>(&mut self) -> Option<(&mut Vec<Vec<T>>, &mut usize)> {
        let element = TypeId::of::<T>();
        let shelf = self.shelves.iter_mut().find(|s| s.element == element)?;
        Some((shelf.buffers.downcast_mut()?, &mut shelf.free))
    }

    /// The free buffer that fits `len` most snugly, else the largest, grown to `len`.
    fn take<T: 'static>(&mut self, len: usize) -> Option<Vec<T>> {
        let (shelf, free) = self.shelf::<T>()?;
        let fits = |b: &Vec<T>| b.capacity() >= len;
        let best = (0..shelf.len())
            .filter(|&i| fits(&shelf[i]))
            .min_by_key(|&i| shelf[i].capacity())
            .or_else(|| (0..shelf.len()).max_by_key(|&i| shelf[i].capacity()))?;
        let mut buffer = shelf.swap_remove(best);
        *free -= 1;
        buffer.reserve(len);
        Some(buffer)
    }

    fn put<T: 'static>(&mut self, mut buffer: Vec<T>) {
        buffer.clear();
        match self.shelf::<T>() {
            // A body that builds vectors from fresh memory (`Vector::from(dvector)`) returns
            // more buffers than it takes: past the cap they are freed, not hoarded.
            Some((shelf, _)) if shelf.len() >= MAX_FREE_PER_TYPE => {}
            Some((shelf, free)) => {
                shelf.push(buffer);
                *free += 1;
            }
            None => self.shelves.push(Shelf {
                element: TypeId::of::<T>(),
                buffers: Box::new(vec![buffer]),
                free: 1,
            }),
        }
    }
}

/// The most free buffers a workspace keeps per element type: far more than the vectors one
/// evaluation holds at once, and a bound on what an unbalanced body can pile up.
pub const MAX_FREE_PER_TYPE: usize = 256;

/// An empty buffer with room for `len` elements: from the lent workspace when there is one.
pub(crate) fn buffer<T: 'static>(len: usize) -> Vec<T> {
    loan::with_lent(&LENT, |w| w.take::<T>(len)).unwrap_or_else(|| Vec::with_capacity(len))
}

/// `items` collected into a buffer from the lent workspace (`len` of them expected).
pub(crate) fn collect<T: 'static>(len: usize, items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut out = buffer(len);
    out.extend(items);
    out
}

/// Returns `buffer` to the lent workspace, if one is lent (else it is freed as usual).
pub(crate) fn recycle<T: 'static>(buffer: Vec<T>) {
    if buffer.capacity() == 0 {
        return;
    }
    let mut buffer = Some(buffer);
    loan::with_lent(&LENT, |w| {
        w.put(buffer.take()?);
        Some(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors built from fresh memory and dropped inside a loan come back to the shelf; the
    /// shelf stops growing at its cap however many evaluations run.
    #[test]
    fn fresh_buffers_returned_at_every_evaluation_stay_bounded() {
        let mut workspace = Workspace::default();
        for _ in 0..3 * MAX_FREE_PER_TYPE {
            workspace.lend(|| drop(crate::value::Vector::from(vec![1.0f64; 8])));
        }
        assert_eq!(workspace.buffers(), MAX_FREE_PER_TYPE);
    }

    #[test]
    fn buffers_come_back_and_are_reused_by_fit() {
        let mut workspace = Workspace::default();
        let (small, large) = workspace.lend(|| {
            let small: Vec<f64> = collect(3, [1.0, 2.0, 3.0]);
            let large: Vec<f64> = buffer(100);
            let ptrs = (small.as_ptr(), large.as_ptr());
            recycle(small);
            recycle(large);
            ptrs
        });
        assert_eq!(workspace.buffers(), 2);
        workspace.lend(|| {
            let big: Vec<f64> = buffer(50);
            let little: Vec<f64> = buffer(2);
            assert_eq!((big.as_ptr(), little.as_ptr()), (large, small));
            assert!(big.is_empty() && big.capacity() >= 100);
        });
        // Not recycled this time: both were dropped, the workspace is empty.
        assert_eq!(workspace.buffers(), 0);
    }

    #[test]
    fn nothing_is_pooled_outside_a_loan_and_loans_nest() {
        recycle(vec![1.0f64]);
        let mut outer = Workspace::default();
        let mut inner = Workspace::default();
        outer.lend(|| {
            inner.lend(|| recycle(vec![1.0f64; 4]));
            recycle(vec![2.0f64; 4]);
            recycle(vec![3.0f64; 4]);
        });
        assert_eq!((outer.buffers(), inner.buffers()), (2, 1));
    }

    #[test]
    fn a_panic_inside_the_loan_still_returns_the_workspace() {
        let mut workspace = Workspace::default();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            workspace.lend(|| {
                recycle(vec![1.0f64; 8]);
                panic!("model code panicked");
            })
        }));
        assert!(result.is_err());
        assert_eq!(workspace.buffers(), 1);
        assert!(LENT.with(|lent| lent.borrow().is_none()));
    }
}
