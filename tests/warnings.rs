//! Every summary ends with the fit's warnings: none on a well-behaved posterior; divergences
//! on the centered eight-schools funnel; tree-depth saturation and R-hat / ESS on a nearly
//! degenerate Gaussian sampled with a shallow tree; skipped steps of an SVI fit.

use doppl::inference::nuts::Divergence;
use doppl::inference::warnings::{EssKind, Warning};
use doppl::prelude::*;

/// y ~ N(mu, 1), mu ~ N(0, 1).
#[model]
fn normal_mean(n: usize) {
    let mu = sample!(Normal::new(0.0, 1.0));
    let y = sample!(Normal::new(mu, 1.0), plate!(n));
}

/// Eight schools, centered: the funnel between tau and theta.
#[model]
fn eight_schools(sigma: &DVector<f64>) {
    let schools = plate!(sigma.len());
    let mu = sample!(Normal::new(0.0, 5.0));
    let tau = sample!(HalfCauchy::new(5.0));
    let theta = sample!(Normal::new(mu, tau), schools);
    let y = sample!(Normal::new(&theta, sigma), schools);
}

/// (a, b) with correlation 0.99999: long trajectories needed.
#[model]
fn ridge() {
    let a = sample!(Normal::new(0.0, 1.0));
    let b = sample!(Normal::new(a, 0.0045));
}

fn options(seed: u64) -> NutsOptions {
    NutsOptions {
        seed,
        num_warmup: 500,
        num_draws: 500,
        ..NutsOptions::default()
    }
}

#[test]
fn a_well_behaved_posterior_has_no_warnings() {
    let model = NormalMean::new(10);
    let y = DVector::from_fn(10, |i, _| i as f64 * 0.1);
    let posterior = nuts(model.condition().y(y), &options(1)).unwrap();
    let summary = posterior.summary();
    assert!(summary.warnings.is_empty(), "{summary}");
    assert!(!summary.to_string().contains("warning"));
}

#[test]
fn the_centered_funnel_warns_about_its_divergences() {
    let sigma = DVector::from_vec(vec![15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0]);
    let y = DVector::from_vec(vec![28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0]);
    let model = EightSchools::new(&sigma);
    let posterior = nuts(model.condition().y(y), &options(2)).unwrap();
    let summary = posterior.summary();
    let divergent = summary.warnings.iter().find_map(|w| match w {
        Warning::Divergences { count, of } => Some((*count, *of)),
        _ => None,
    });
    let (count, of) = divergent.unwrap_or_else(|| panic!("no divergence warning:\n{summary}"));
    assert_eq!((count, of), (posterior.num_divergent(), 2_000));
    assert!(
        summary.to_string().contains("transitions diverged"),
        "{summary}"
    );
}

#[test]
fn a_shallow_tree_on_a_ridge_warns_about_depth_and_mixing() {
    // A diagonal metric: the low-rank default would straighten the ridge out.
    let opts = NutsOptions {
        max_depth: 3,
        metric: MetricAdaptation::Fisher(Default::default()),
        ..options(3)
    };
    let model = Ridge::new();
    let posterior = nuts(model.scenario(), &opts).unwrap();
    let w = &posterior.summary().warnings;
    assert!(
        w.iter()
            .any(|w| matches!(w, Warning::MaxDepth { depth: 3, .. })),
        "{w:?}"
    );
    let mixing = |w: &Warning| {
        matches!(w, Warning::HighRhat { .. })
            || matches!(
                w,
                Warning::LowEss {
                    kind: EssKind::Bulk,
                    ..
                }
            )
    };
    assert!(w.iter().any(mixing), "{w:?}");
}

/// `s` can go negative: steps skipped by SVI are a warning of its summary.
#[model]
fn negative_scales(n: usize) {
    let s = sample!(Normal::new(1.0, 1.0));
    let y = sample!(Normal::new(0.0, s), plate!(n));
}

#[test]
fn skipped_svi_steps_are_a_warning() {
    let model = NegativeScales::new(5);
    let y = DVector::from_fn(5, |i, _| i as f64 * 0.3 - 0.5);
    let options = SviOptions {
        steps: 300,
        init_scale: 2.0,
        ..SviOptions::default()
    };
    let fit = svi(model.condition().y(y), AutoGuide::Normal, &options).unwrap();
    let summary = fit.summary();
    let expected = Warning::SkippedSteps {
        count: fit.skipped,
        of: 300,
    };
    assert!(
        fit.skipped > 0 && summary.warnings.contains(&expected),
        "{summary}"
    );
}

/// The case: `s ~ Normal(1, 1)` used as a scale. The divergences are blamed on site
/// `y` and its parameter range, not on curvature.
#[test]
fn divergences_from_an_invalid_scale_name_the_site() {
    let model = NegativeScales::new(5);
    let y = DVector::from_fn(5, |i, _| i as f64 * 0.3 - 0.5);
    let posterior = nuts(model.condition().y(y), &options(4)).unwrap();
    let causes = posterior.output.divergence_causes();
    let at_y = causes
        .iter()
        .find(|(c, _)| *c == Divergence::Density { site: Some("y") })
        .map(|(_, n)| *n);
    assert!(at_y.is_some_and(|n| n > 0), "{causes:?}");
    let report = posterior.sampler_report();
    assert!(report.contains("site `y` raised an error"), "{report}");
    // And the first such error's own words: the parameter, the family and the value.
    assert!(
        report.contains("The first: site `y`: a parameter is invalid"),
        "{report}"
    );
    assert!(report.contains("`scale` of Normal is -"), "{report}");
}
