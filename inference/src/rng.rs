//! Per-chain random number streams derived from the master seed and the chain index only.

use rand::SeedableRng;
use rand::rngs::StdRng;

/// One step of SplitMix64 (Steele, Lea & Flood 2014): a bijective, well-mixing hash.
fn split_mix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of chain `chain` for master seed `seed`.
///
/// Depends on nothing else (not on thread count or scheduling), so chain `k` is the same
/// whether it runs alone or among others.
pub fn chain_rng(seed: u64, chain: usize) -> StdRng {
    let mut state =
        split_mix64(&mut seed.clone()) ^ (chain as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
    let mut key = [0u8; 32];
    for word in key.chunks_exact_mut(8) {
        word.copy_from_slice(&split_mix64(&mut state).to_le_bytes());
    }
    StdRng::from_seed(key)
}
