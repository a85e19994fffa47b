//! The SBC statistics against simulated ranks: the simultaneous ECDF band holds uniform ranks
//! as often as its computed coverage says (within the binomial error of the simulation), a
//! biased rank set leaves it, and the χ² p-value is statrs' χ² tail of the hand-computed
//! statistic.

use doppl_batch::{
    EcdfBand, Outcome, Row, SbcError, SbcOptions, calibrate, chi_square, sbc_summary,
};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Simulated rank sets per coverage check.
const SETS: usize = 400;

/// The share of `SETS` sets of `n` uniform ranks on 0..=`max_rank` whose ECDF stays inside
/// a band of `intervals` intervals, and that band.
fn simulated_coverage(n: usize, max_rank: usize, intervals: usize, seed: u64) -> (f64, EcdfBand) {
    let band = EcdfBand::new(n, intervals, 0.05).unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let inside = (0..SETS)
        .filter(|_| {
            let ranks: Vec<usize> = (0..n).map(|_| rng.random_range(0..=max_rank)).collect();
            !calibrate("u", &ranks, max_rank, intervals, &band)
                .unwrap()
                .leaves_band()
        })
        .count();
    (inside as f64 / SETS as f64, band)
}

/// Uniform ranks stay inside in a share of sets within 3 binomial sd of the exact coverage
/// (≥ 0.95), for points at every rank value (K = L + 1) and at every fourth (K < L + 1). A
/// pointwise 95% band would hold only about 40-70% of the sets at these K; the adjusted one
/// must not fall to that.
#[test]
fn uniform_ranks_stay_inside_at_the_stated_rate() {
    for (n, max_rank, intervals, seed) in [(100, 99, 100, 1), (200, 99, 25, 2), (50, 19, 20, 3)] {
        let (share, band) = simulated_coverage(n, max_rank, intervals, seed);
        assert!(
            band.coverage >= 0.95 && band.coverage < 0.97,
            "{}",
            band.coverage
        );
        let sd = (band.coverage * (1.0 - band.coverage) / SETS as f64).sqrt();
        assert!(
            (share - band.coverage).abs() < 3.0 * sd,
            "N = {n}, K = {intervals}: {share} of {SETS} inside, coverage {} ± {sd}",
            band.coverage
        );
        assert!(band.gamma < 0.05 / 2.0, "γ = {}", band.gamma);
    }
}

/// Ranks from a posterior shifted up against the truth (ranks skewed low: r = ⌊100·u^1.6⌋)
/// leave the band and fail the χ² test, at a size where uniform ranks pass both.
#[test]
fn biased_ranks_leave_the_band() {
    let mut rng = StdRng::seed_from_u64(7);
    let n = 200;
    let skewed: Vec<usize> = (0..n)
        .map(|_| (100.0 * rng.random::<f64>().powf(1.6)) as usize)
        .collect();
    let uniform: Vec<usize> = (0..n).map(|_| rng.random_range(0..100)).collect();
    let band = EcdfBand::new(n, 100, 0.05).unwrap();
    let biased = calibrate("skewed", &skewed, 99, 20, &band).unwrap();
    assert!(biased.leaves_band(), "{:?}", biased.ecdf_difference);
    assert!(biased.chi_square.p_value < 1e-4, "{:?}", biased.chi_square);
    // The ECDF of low-skewed ranks runs above the uniform CDF.
    let worst = biased.outside[0];
    assert!(biased.ecdf_difference[worst] > 0.0);
    let fine = calibrate("uniform", &uniform, 99, 20, &band).unwrap();
    assert!(
        !fine.leaves_band() && fine.chi_square.p_value > 0.01,
        "{fine:?}"
    );
}

/// A hand-computed histogram: 100 ranks in 4 bins [30, 18, 25, 27], 25 expected each:
/// χ² = (25 + 49 + 0 + 4)/25 = 3.12 on 3 df.
#[test]
fn chi_square_p_value_is_the_chi_square_tail() {
    let test = chi_square(&[30, 18, 25, 27]).unwrap();
    assert!((test.statistic - 3.12).abs() < 1e-12);
    assert_eq!(test.df, 3);
    let reference = 1.0 - ChiSquared::new(3.0).unwrap().cdf(3.12);
    assert!((test.p_value - reference).abs() < 1e-12);
    // The closed form for 3 df: P(χ²₃ > x) = 2(1 − Φ(√x)) + √(2x/π) e^{−x/2}.
    let x: f64 = 3.12;
    let normal = statrs::distribution::Normal::new(0.0, 1.0).unwrap();
    let closed = 2.0 * (1.0 - normal.cdf(x.sqrt()))
        + (2.0 * x / std::f64::consts::PI).sqrt() * (-x / 2.0).exp();
    assert!(
        (test.p_value - closed).abs() < 1e-9,
        "{} vs {closed}",
        test.p_value
    );
}

#[test]
fn bad_ranks_are_typed_errors() {
    let band = EcdfBand::new(3, 10, 0.05).unwrap();
    assert!(matches!(
        calibrate("mu", &[0, 4, 12], 9, 5, &band),
        Err(SbcError::RankOutOfRange {
            rank: 12,
            max_rank: 9,
            ..
        })
    ));
    assert!(matches!(
        calibrate("mu", &[0, 4, 2], 9, 3, &band),
        Err(SbcError::Uneven {
            what: "bins",
            parts: 3,
            values: 10
        })
    ));
    assert!(matches!(
        calibrate("mu", &[0, 4], 9, 5, &band),
        Err(SbcError::RankCount {
            found: 2,
            expected: 3
        })
    ));
    assert!(matches!(chi_square(&[]), Err(SbcError::NoRanks)));
    let failed: Vec<Row<u64, Vec<usize>>> = vec![Row {
        key: 0,
        seed: 1,
        outcome: Outcome::Failed("init".into()),
    }];
    assert!(matches!(
        sbc_summary(
            &failed,
            &["mu"],
            |r| r.as_slice(),
            9,
            &SbcOptions::default()
        ),
        Err(SbcError::NoRanks)
    ));
    let odd = SbcOptions {
        intervals: Some(7),
        ..SbcOptions::default()
    };
    let rows: Vec<Row<u64, Vec<usize>>> = (0..10)
        .map(|k| Row {
            key: k,
            seed: 0,
            outcome: Outcome::Ok(vec![k as usize]),
        })
        .collect();
    assert!(matches!(
        sbc_summary(&rows, &["mu"], |r| r.as_slice(), 9, &odd),
        Err(SbcError::Uneven { parts: 7, .. })
    ));
}
