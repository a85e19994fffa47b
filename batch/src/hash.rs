//! Stable hashing and seeds: what a replicate's seed and its worker are computed from.
//!
//! A replicate's seed must depend on the study seed and its key only, never on the worker
//! that runs it, the clock or the process: then 1 worker, 2 threads and 2 processes give the
//! same numbers. Std's `RandomState` is seeded per process, and `DefaultHasher`'s algorithm
//! may change between Rust releases, so keys are hashed with FNV-1a here, with integers fed
//! as little-endian bytes so that the value does not depend on the platform either.

use std::hash::{Hash, Hasher};

/// FNV-1a 64-bit offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The 64-bit FNV-1a hash as a [`Hasher`]: the same bytes give the same value in every
/// process, on every machine and in every run, which std's hashers do not promise.
///
/// ```
/// use std::hash::Hasher;
/// use doppl_batch::Fnv1a;
/// let mut h = Fnv1a::default();
/// h.write(b"a");
/// // The published FNV-1a test vector for "a".
/// assert_eq!(h.finish(), 0xaf63dc4c8601ec8c);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(FNV_OFFSET)
    }
}

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }

    fn write_u16(&mut self, i: u16) {
        self.write(&i.to_le_bytes());
    }

    fn write_u32(&mut self, i: u32) {
        self.write(&i.to_le_bytes());
    }

    fn write_u64(&mut self, i: u64) {
        self.write(&i.to_le_bytes());
    }

    fn write_u128(&mut self, i: u128) {
        self.write(&i.to_le_bytes());
    }

    fn write_usize(&mut self, i: usize) {
        // As 64 bits, so that 32- and 64-bit machines agree.
        self.write_u64(i as u64);
    }

    fn write_i16(&mut self, i: i16) {
        self.write_u16(i as u16);
    }

    fn write_i32(&mut self, i: i32) {
        self.write_u32(i as u32);
    }

    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64);
    }

    fn write_i128(&mut self, i: i128) {
        self.write_u128(i as u128);
    }

    fn write_isize(&mut self, i: isize) {
        self.write_u64(i as u64);
    }
}

/// The key's [`Fnv1a`] hash through its `Hash` impl.
pub fn stable_hash<K: Hash + ?Sized>(key: &K) -> u64 {
    let mut hasher = Fnv1a::default();
    key.hash(&mut hasher);
    hasher.finish()
}

/// SplitMix64's output function (Steele, Lea & Flood 2014): a bijection on `u64` whose
/// outputs for nearby inputs look independent, so that seeds of keys (1, 1) and (1, 2) start
/// unrelated random streams.
///
/// ```
/// // The first output of SplitMix64 seeded with 0 (the reference implementation's).
/// assert_eq!(doppl_batch::splitmix64(0), 0xe220a8397b1dcdaf);
/// ```
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The seed of the replicate `key` in a study seeded with `study_seed`: a function of these
/// two alone, whichever worker runs it.
pub fn replicate_seed<K: Hash + ?Sized>(study_seed: u64, key: &K) -> u64 {
    splitmix64(splitmix64(study_seed) ^ stable_hash(key))
}

/// The worker (0..`peers`) that runs `key`: every worker computes this for every key and
/// keeps its own, so the keys are split disjointly and completely without a coordinator.
/// Mixed before the modulo so that keys differing in their last bytes spread evenly.
pub fn owner<K: Hash + ?Sized>(key: &K, peers: usize) -> usize {
    (splitmix64(stable_hash(key)) % peers.max(1) as u64) as usize
}
