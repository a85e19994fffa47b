//! A chain's spare coordinate buffers, reused so that tree building does not allocate.
//!
//! Every leaf of a NUTS tree copies the frontier point and its momentum, and every merge sums
//! momenta: with fresh `Vec`s that is about fifteen allocations per gradient. Buffers taken
//! from the pool and given back when a subtree or point is dropped make the steady state
//! allocation-free: the pool only grows while trees get deeper than any before.

use super::hamiltonian::PhasePoint;

/// Spare `Vec<f64>` buffers, all of one chain's dimension.
///
/// Ownership is explicit: [`BufferPool::copy_of`] and [`BufferPool::sum`] hand out a buffer,
/// [`BufferPool::give`] takes it back. A buffer that is simply dropped is freed, which is
/// correct but costs an allocation the next time one is needed.
#[derive(Debug, Default)]
pub struct BufferPool {
    free: Vec<Vec<f64>>,
}

impl BufferPool {
    /// An empty pool; buffers are allocated on first demand.
    pub fn new() -> Self {
        Self::default()
    }

    /// A buffer holding a copy of `source`.
    pub fn copy_of(&mut self, source: &[f64]) -> Vec<f64> {
        let mut buffer = self.take();
        buffer.extend_from_slice(source);
        buffer
    }

    /// A buffer holding `a + b` elementwise.
    pub fn sum(&mut self, a: &[f64], b: &[f64]) -> Vec<f64> {
        let mut buffer = self.take();
        buffer.extend(a.iter().zip(b).map(|(x, y)| x + y));
        buffer
    }

    /// Returns a buffer for reuse.
    pub fn give(&mut self, buffer: Vec<f64>) {
        self.free.push(buffer);
    }

    /// A copy of `point` made of pooled buffers.
    pub fn copy_point(&mut self, point: &PhasePoint) -> PhasePoint {
        PhasePoint {
            position: self.copy_of(&point.position),
            momentum: self.copy_of(&point.momentum),
            velocity: self.copy_of(&point.velocity),
            grad: self.copy_of(&point.grad),
            logp: point.logp,
        }
    }

    /// Returns the buffers of a point that is no longer needed.
    pub fn give_point(&mut self, point: PhasePoint) {
        self.give(point.position);
        self.give(point.momentum);
        self.give(point.velocity);
        self.give(point.grad);
    }

    /// Number of buffers waiting for reuse.
    pub fn len(&self) -> usize {
        self.free.len()
    }

    /// Whether no buffer is waiting for reuse.
    pub fn is_empty(&self) -> bool {
        self.free.is_empty()
    }

    /// An empty buffer, with capacity if one was given back.
    fn take(&mut self) -> Vec<f64> {
        let mut buffer = self.free.pop().unwrap_or_default();
        buffer.clear();
        buffer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_reused_not_reallocated() {
        let mut pool = BufferPool::new();
        let first = pool.sum(&[1.0, 2.0], &[0.5, 0.25]);
        assert_eq!(first, [1.5, 2.25]);
        let address = first.as_ptr();
        pool.give(first);
        let copy = pool.copy_of(&[3.0, 4.0]);
        assert_eq!(
            (copy.as_slice(), copy.as_ptr()),
            ([3.0, 4.0].as_slice(), address)
        );
        assert!(pool.is_empty());
    }

    #[test]
    fn a_point_copy_is_equal_and_gives_back_four_buffers() {
        let point = PhasePoint {
            position: vec![1.0, 2.0],
            momentum: vec![-1.0, 0.5],
            velocity: vec![-2.0, 1.0],
            grad: vec![0.1, 0.2],
            logp: -3.0,
        };
        let mut pool = BufferPool::new();
        let copy = pool.copy_point(&point);
        assert_eq!(copy, point);
        pool.give_point(copy);
        assert_eq!(pool.len(), 4);
    }
}
