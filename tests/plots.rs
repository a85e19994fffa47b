//! `doppl::plot` (issue 13): every plot writes a PNG and an SVG of the requested size from a
//! real fit, names its parameters and axes in the SVG text, and turns bad input (NaN draws,
//! an empty chain, an unknown name, a bad extension, an unwritable path) into a typed
//! error instead of a panic.

use doppl::inference::svi::SviFit;
use doppl::plot::{
    self, EcdfPanel, Parameter, PlotError, PowerPoint, PredictiveArm, density_plot, elbo_plot,
    energy_plot, forest_plot, power_curve_plot, ppc_plot, rank_plot, sbc_ecdf_plot, trace_plot,
};
use doppl::prelude::*;
use std::path::{Path, PathBuf};

#[model]
fn small(treat: &DVector<f64>) {
    let units = plate!(treat.len());
    let beta = sample!(Normal::new(0.0, 1.0), plate!(2));
    let sigma = sample!(HalfNormal::new(1.0));
    let y = sample!(Normal::new(beta[0] + treat * beta[1], sigma), units);
}

const SIZE: (u32, u32) = (640, 480);

fn data() -> (DVector<f64>, DVector<f64>) {
    let treat = DVector::from_fn(12, |i, _| (i % 2) as f64);
    let y = DVector::from_fn(12, |i, _| {
        0.2 + 0.8 * (i % 2) as f64 + 0.1 * (i as f64).sin()
    });
    (treat, y)
}

fn posterior<'m>(model: &'m Small, y: &DVector<f64>) -> Posterior<'m, Small> {
    let options = NutsOptions {
        num_warmup: 150,
        num_draws: 80,
        num_chains: 2,
        seed: 3,
        ..Default::default()
    };
    nuts(model.condition().y(y.clone()), &options).unwrap()
}

/// A fresh directory for one test's files, removed when the test ends.
struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("doppl-plots-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// Width and height from a PNG's IHDR chunk (bytes 16..24, big-endian).
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[1..4], b"PNG", "{} is not a PNG", path.display());
    let be = |b: &[u8]| u32::from_be_bytes(b.try_into().unwrap());
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Width and height from the attributes of an SVG's root element, and the text.
fn svg(path: &Path) -> ((u32, u32), String) {
    let text = std::fs::read_to_string(path).unwrap();
    let root = &text[text.find("<svg").expect("an <svg> element")..];
    let root = &root[..root.find('>').unwrap()];
    let attribute = |name: &str| -> u32 {
        let start = root.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        root[start..].split('"').next().unwrap().parse().unwrap()
    };
    ((attribute("width"), attribute("height")), text)
}

/// Draws `plot` to `name.png` and `name.svg` in `dir`, checks both files' sizes and that
/// the SVG holds every string of `expected`.
fn check(dir: &Path, name: &str, expected: &[&str], plot: impl Fn(&Path) -> Result<(), PlotError>) {
    let png = dir.join(format!("{name}.png"));
    plot(&png).unwrap_or_else(|e| panic!("{name}.png: {e}"));
    assert!(
        std::fs::metadata(&png).unwrap().len() > 1000,
        "{name}.png is empty"
    );
    assert_eq!(png_size(&png), SIZE, "{name}.png");
    let file = dir.join(format!("{name}.svg"));
    plot(&file).unwrap_or_else(|e| panic!("{name}.svg: {e}"));
    let (size, text) = svg(&file);
    assert_eq!(size, SIZE, "{name}.svg");
    for word in expected {
        assert!(text.contains(word), "{name}.svg lacks `{word}`");
    }
}

#[test]
fn draw_plots_of_a_nuts_fit_have_the_size_asked_and_name_parameters_and_axes() {
    let (treat, y) = data();
    let model = Small::new(&treat);
    let fit = posterior(&model, &y);
    let parameters = plot::parameters(&fit);
    let names: Vec<&str> = parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["beta[1]", "beta[2]", "sigma"]);
    assert_eq!(parameters[2].chains, fit.site(|d| &d.sigma));
    let dir = dir("draws");
    check(
        &dir,
        "trace",
        &["beta[1]", "beta[2]", "sigma", "draw", "chain 1"],
        |p| trace_plot(&parameters, &[], p, SIZE),
    );
    check(
        &dir,
        "rank",
        &["beta[2], chain 0", "sigma, chain 1", "rank", "count"],
        |p| rank_plot(&parameters, &["beta[2]", "sigma"], p, SIZE),
    );
    check(
        &dir,
        "density",
        &["sigma: mean", "density", "89% HDI ["],
        |p| density_plot(&parameters, &["sigma"], p, SIZE),
    );
}

#[test]
fn energy_plot_shows_each_chains_e_bfmi_as_the_sampler_report_does() {
    let (treat, y) = data();
    let model = Small::new(&treat);
    let fit = posterior(&model, &y);
    let energies = plot::energies(&fit);
    assert_eq!(energies.len(), 2);
    for (chain, output) in energies.iter().zip(fit.output.successful()) {
        assert_eq!(chain.len(), 80);
        assert!((plot::e_bfmi(chain) - output.e_bfmi).abs() < 1e-12);
    }
    let dir = dir("energy");
    check(
        &dir,
        "energy",
        &[
            "marginal energy",
            "energy transition",
            "energy minus its mean",
        ],
        |p| energy_plot(&energies, p, SIZE),
    );
    // The legend's E-BFMI of each chain, to the 3 digits it shows.
    let (_, text) = svg(&dir.join("energy.svg"));
    for (c, chain) in energies.iter().enumerate() {
        let label = format!("chain {c}: E-BFMI ");
        let start = text.find(&label).expect("an E-BFMI legend entry") + label.len();
        let shown: f64 = text[start..]
            .split('<')
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let value = plot::e_bfmi(chain);
        assert!((shown - value).abs() <= 0.005 * value, "{shown} vs {value}");
    }
}

#[test]
fn predictive_check_and_forest_plot_of_a_fit() {
    let (treat, y) = data();
    let model = Small::new(&treat);
    let fit = posterior(&model, &y);
    let scenario = model.condition().build();
    let replicated = predict(&fit, &scenario, Small::SITE.y, 9).unwrap().values;
    let arm = |label: &str, value: f64| {
        let units: Vec<usize> = (0..treat.len()).filter(|&i| treat[i] == value).collect();
        PredictiveArm {
            label: label.to_string(),
            observed: units.iter().map(|&i| y[i]).collect(),
            replicated: replicated
                .row_iter()
                .map(|row| units.iter().map(|&i| row[i]).collect())
                .collect(),
        }
    };
    let arms = [arm("treated", 1.0), arm("control", 0.0)];
    let dir = dir("effects");
    check(
        &dir,
        "ppc",
        &[
            "treated",
            "control",
            "observed",
            "replicated (40 draws)",
            "outcome y",
        ],
        |p| ppc_plot(&arms, "outcome y", p, SIZE),
    );
    let slope: Vec<f64> = fit
        .all_draws()
        .map(|d| d.beta.as_ref().unwrap()[1])
        .collect();
    let half = slope.len() / 2;
    let rows = [
        ("ATE", Estimate::of(&slope)),
        ("CATE first half", Estimate::of(&slope[..half])),
        ("CATE second half", Estimate::of(&slope[half..])),
    ];
    check(
        &dir,
        "forest",
        &["ATE", "CATE first half", "CATE second half", "effect on y"],
        |p| forest_plot(&rows, "effect on y", p, SIZE),
    );
    // One row is a plot too.
    check(&dir, "forest_one", &["ATE"], |p| {
        forest_plot(&rows[..1], "y", p, SIZE)
    });
}

#[test]
fn elbo_trace_of_an_svi_fit_draws_skipped_steps_as_gaps() {
    let (treat, y) = data();
    let model = Small::new(&treat);
    let options = SviOptions {
        steps: 300,
        draws: 50,
        ..Default::default()
    };
    let fit: SviFit<'_, Small> =
        svi(model.condition().y(y.clone()), AutoGuide::Normal, &options).unwrap();
    assert_eq!(fit.elbo.len(), 300);
    // A variational fit's draws plot like a NUTS fit's (one chain).
    assert_eq!(plot::parameters(&fit)[2].chains.len(), 1);
    let mut elbo = fit.elbo.clone();
    elbo[100] = f64::NAN;
    elbo[101] = f64::NAN;
    let dir = dir("svi");
    check(&dir, "elbo", &["ELBO", "step"], |p| {
        elbo_plot(&elbo, p, SIZE)
    });
    let nothing = elbo_plot(&[f64::NAN; 5], dir.join("none.png"), SIZE);
    assert!(
        matches!(nothing, Err(PlotError::NoDraws { .. })),
        "{nothing:?}"
    );
}

fn draws() -> Vec<Parameter> {
    let chain = |shift: f64| (0..50).map(|d| shift + (d as f64 * 0.7).sin()).collect();
    vec![
        Parameter::new("mu", vec![chain(0.0), chain(0.1)]),
        Parameter::new("sigma", vec![chain(1.0), chain(1.1)]),
    ]
}

#[test]
fn nan_draws_name_parameter_chain_and_draw() {
    let mut parameters = draws();
    parameters[1].chains[1][7] = f64::NAN;
    let dir = dir("nan");
    for (name, result) in [
        (
            "trace",
            trace_plot(&parameters, &[], dir.join("t.png"), SIZE),
        ),
        (
            "rank",
            rank_plot(&parameters, &["sigma"], dir.join("r.svg"), SIZE),
        ),
        (
            "density",
            density_plot(&parameters, &["mu", "sigma"], dir.join("d.png"), SIZE),
        ),
    ] {
        match result {
            Err(PlotError::NonFinite {
                parameter,
                chain,
                draw,
                value,
            }) => {
                assert_eq!(
                    (parameter.as_str(), chain, draw),
                    ("sigma", Some(1), 7),
                    "{name}"
                );
                assert!(value.is_nan());
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    // Plotting only the clean parameter works, and nothing was written for the failures.
    assert!(trace_plot(&parameters, &["mu"], dir.join("mu.png"), SIZE).is_ok());
    assert!(!dir.join("t.png").exists());
    let message = trace_plot(&parameters, &[], dir.join("t.png"), SIZE)
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "`sigma` has the non-finite value NaN in chain 1 at position 7"
    );
}

#[test]
fn empty_chains_and_unknown_names_are_typed_errors() {
    let dir = dir("empty");
    let mut parameters = draws();
    parameters[0].chains[1].clear();
    let empty = rank_plot(&parameters, &["mu"], dir.join("r.png"), SIZE);
    assert_eq!(
        empty,
        Err(PlotError::EmptyChain {
            parameter: "mu".into(),
            chain: 1
        })
    );
    let no_chains = [Parameter::new("tau", vec![])];
    let none = density_plot(&no_chains, &[], dir.join("d.png"), SIZE);
    assert!(matches!(none, Err(PlotError::NoDraws { .. })), "{none:?}");
    let unknown = trace_plot(&draws(), &["mu", "sigm"], dir.join("t.png"), SIZE);
    assert_eq!(
        unknown,
        Err(PlotError::UnknownParameter {
            name: "sigm".into(),
            known: vec!["mu".into(), "sigma".into()]
        })
    );
    assert!(
        unknown
            .unwrap_err()
            .to_string()
            .contains("the draws have mu, sigma")
    );
    let energy = energy_plot(&[vec![1.0, 2.0], vec![]], dir.join("e.png"), SIZE);
    assert_eq!(
        energy,
        Err(PlotError::EmptyChain {
            parameter: "energy".into(),
            chain: 1
        })
    );
    let forest = forest_plot(&[], "x", dir.join("f.png"), SIZE);
    assert!(
        matches!(forest, Err(PlotError::NoDraws { .. })),
        "{forest:?}"
    );
}

#[test]
fn bad_values_outside_draws_name_their_series() {
    let dir = dir("values");
    let mut estimate = Estimate::of(&[1.0, 2.0, 3.0]);
    estimate.hi = f64::INFINITY;
    let forest = forest_plot(&[("ATE", estimate)], "x", dir.join("f.png"), SIZE);
    assert!(
        matches!(&forest, Err(PlotError::NonFinite { parameter, chain: None, draw: 2, .. }) if parameter == "ATE"),
        "{forest:?}"
    );
    let arm = PredictiveArm {
        label: "treated".into(),
        observed: vec![1.0, f64::NAN],
        replicated: vec![vec![1.0, 2.0]],
    };
    let ppc = ppc_plot(&[arm], "y", dir.join("p.png"), SIZE);
    assert!(
        matches!(&ppc, Err(PlotError::NonFinite { parameter, draw: 1, .. }) if parameter == "treated: observed"),
        "{ppc:?}"
    );
    let energy = energy_plot(&[vec![1.0, f64::INFINITY]], dir.join("e.png"), SIZE);
    assert!(
        matches!(
            energy,
            Err(PlotError::NonFinite {
                chain: Some(0),
                draw: 1,
                ..
            })
        ),
        "{energy:?}"
    );
}

#[test]
fn bad_extensions_sizes_and_paths_are_typed_errors() {
    let dir = dir("paths");
    let parameters = draws();
    let jpeg = trace_plot(&parameters, &[], dir.join("t.jpeg"), SIZE);
    assert_eq!(
        jpeg,
        Err(PlotError::UnsupportedExtension {
            path: dir.join("t.jpeg")
        })
    );
    let tiny = trace_plot(&parameters, &[], dir.join("t.png"), (20, 400));
    assert_eq!(
        tiny,
        Err(PlotError::Size {
            width: 20,
            height: 400
        })
    );
    // A side too large to allocate is refused before any allocation.
    let huge = trace_plot(&parameters, &[], dir.join("t.png"), (400, u32::MAX));
    assert!(matches!(huge, Err(PlotError::Size { .. })), "{huge:?}");
    let missing = dir.join("no such directory").join("t.png");
    match trace_plot(&parameters, &[], &missing, SIZE) {
        Err(PlotError::Backend { path, message }) => {
            assert_eq!(path, missing);
            assert!(!message.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let missing_svg = dir.join("no such directory").join("t.svg");
    assert!(matches!(
        trace_plot(&parameters, &[], &missing_svg, SIZE),
        Err(PlotError::Backend { .. })
    ));
}

/// A power curve: four sample sizes with binomial MCSEs of 200 simulations each.
fn power_points() -> Vec<PowerPoint> {
    [
        (500.0, 0.12),
        (1000.0, 0.31),
        (2000.0, 0.62),
        (5000.0, 0.97),
    ]
    .iter()
    .map(|&(size, power)| PowerPoint {
        size,
        power,
        mcse: (power * (1.0 - power) / 200.0f64).sqrt(),
    })
    .collect()
}

/// ECDF panels at z = i/10: one inside a band of ±0.15 (narrowing to the ends), one that
/// leaves it (ranks too low: the ECDF rises early).
fn ecdf_panels() -> Vec<EcdfPanel> {
    let points: Vec<f64> = (1..10).map(|i| f64::from(i) / 10.0).collect();
    let half: Vec<f64> = points
        .iter()
        .map(|z| 0.3 * (z * (1.0 - z)).sqrt())
        .collect();
    let panel = |name: &str, shift: f64| EcdfPanel {
        name: name.to_string(),
        points: points.clone(),
        difference: points.iter().map(|z| shift * z * (1.0 - z)).collect(),
        lower: half.iter().map(|h| -h).collect(),
        upper: half.clone(),
    };
    vec![panel("beta_treat", 0.2), panel("sigma_low_ranks", 1.2)]
}

#[test]
fn power_curve_and_sbc_ecdf_plots_have_the_size_asked_and_their_labels() {
    let dir = dir("studies");
    check(
        &dir,
        "power",
        &["Power (bars: ±2 MCSE)", "visitors per arm", "power", "5000"],
        |p| power_curve_plot(&power_points(), "visitors per arm", p, SIZE),
    );
    let panels = ecdf_panels();
    assert!(!panels[0].leaves_band());
    // 1.2·z(1 − z) exceeds 0.3·√(z(1 − z)) once z(1 − z) > 1/16, e.g. at z = 1/2.
    assert!(panels[1].leaves_band());
    check(
        &dir,
        "ecdf",
        &[
            "beta_treat",
            "sigma_low_ranks",
            "fractional rank",
            "ECDF − uniform",
        ],
        |p| sbc_ecdf_plot(&panels, p, SIZE),
    );
    // The zero line's tick reads 0, not a rounding residue like -2.8e-17.
    let (_, text) = svg(&dir.join("ecdf.svg"));
    assert!(!text.contains("e-1"), "a tick label in scientific notation");
}

#[test]
fn bad_study_plot_input_is_a_typed_error() {
    let dir = dir("study-errors");
    let mut points = power_points();
    points[2].power = f64::NAN;
    let nan = power_curve_plot(&points, "n", dir.join("p.png"), SIZE);
    assert!(
        matches!(&nan, Err(PlotError::NonFinite { parameter, draw: 2, .. }) if parameter == "power"),
        "{nan:?}"
    );
    assert!(matches!(
        power_curve_plot(&[], "n", dir.join("p.png"), SIZE),
        Err(PlotError::NoDraws { .. })
    ));
    let mut panels = ecdf_panels();
    panels[1].upper.pop();
    let short = sbc_ecdf_plot(&panels, dir.join("e.svg"), SIZE);
    assert!(
        matches!(&short, Err(PlotError::LengthMismatch { series, found: 8, expected: 9 }) if series == "sigma_low_ranks upper"),
        "{short:?}"
    );
    let mut panels = ecdf_panels();
    panels[0].difference[4] = f64::INFINITY;
    assert!(matches!(
        sbc_ecdf_plot(&panels, dir.join("e.svg"), SIZE),
        Err(PlotError::NonFinite { draw: 4, .. })
    ));
    assert!(matches!(
        sbc_ecdf_plot(&[], dir.join("e.svg"), SIZE),
        Err(PlotError::NoDraws { .. })
    ));
    assert!(!dir.join("e.svg").exists(), "nothing written on bad input");
}
