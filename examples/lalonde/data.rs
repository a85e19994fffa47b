//! The Lalonde data: read from the CSV, or simulated from a known confounded structural model.

use doppl::prelude::*;
use rand::RngExt;
use rand_distr::{Distribution as _, StandardNormal};

/// The effects a synthetic study was simulated with, in the sample drawn.
#[derive(Clone, Copy, Debug)]
pub struct Truth {
    pub ate: f64,
    pub cate_nodegree_1: f64,
    pub cate_nodegree_0: f64,
    /// Mean effect over the treated units (more of them lack a degree).
    pub att: f64,
    /// Mean effect over the untreated units.
    pub atu: f64,
}

/// Units with covariates, treatment and outcome (earnings in $1000s).
pub struct Study {
    /// Covariates; educ, age and re75 standardized.
    pub x: DMatrix<f64>,
    /// 1 if the unit has no high-school degree.
    pub nodegree: DVector<f64>,
    /// 1 if treated (job training).
    pub treat: DVector<f64>,
    /// 1978 earnings in $1000s.
    pub re78: DVector<f64>,
    /// The true effects, when the data were simulated: (ATE, CATE nodegree=1, CATE nodegree=0).
    pub truth: Option<Truth>,
}

fn standardize(v: &mut [f64]) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    v.iter_mut().for_each(|x| *x = (*x - mean) / sd);
}

/// Builds the design from raw columns (educ, age, re75 in dollars, black, hispan, married,
/// nodegree).
fn design(mut columns: [Vec<f64>; 7]) -> DMatrix<f64> {
    columns[2].iter_mut().for_each(|x| *x /= 1000.0);
    for c in &mut columns[..3] {
        standardize(c);
    }
    let n = columns[0].len();
    DMatrix::from_fn(n, 7, |i, j| columns[j][i])
}

/// Reads the Lalonde CSV (`ID,treat,age,educ,black,hispan,married,nodegree,re74,re75,re78`).
pub fn read_csv(path: &str) -> Result<Study, String> {
    let table = doppl::data::Table::from_path(path).map_err(|e| e.to_string())?;
    let column = |name: &str| {
        table
            .column(name)
            .map(|c| c.as_slice().to_vec())
            .map_err(|e| e.to_string())
    };
    let x = design([
        column("educ")?,
        column("age")?,
        column("re75")?,
        column("black")?,
        column("hispan")?,
        column("married")?,
        column("nodegree")?,
    ]);
    Ok(Study {
        x,
        nodegree: DVector::from_vec(column("nodegree")?),
        treat: DVector::from_vec(column("treat")?),
        re78: DVector::from_vec(column("re78")?).map(|v| v / 1000.0),
        truth: None,
    })
}

/// 614 synthetic units from a structural model in which the less advantaged (lower earnings
/// in 1975, no degree, black) are more likely to be treated, so the naive difference in
/// means understates the effect. True effect: 1.5 (+1.0 without a degree) thousand dollars.
pub fn simulate(n: usize, seed: u64) -> Study {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut raw: [Vec<f64>; 7] = Default::default();
    let mut treat = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    let (effect, effect_nodegree) = (1.5, 1.0);
    for _ in 0..n {
        let age = rng.random_range(17.0..55.0f64).floor();
        let educ = rng.random_range(3..17) as f64;
        let black = f64::from(rng.random_bool(0.4));
        let hispan = if black > 0.0 {
            0.0
        } else {
            f64::from(rng.random_bool(0.12))
        };
        let married = f64::from(rng.random_bool(0.35));
        let nodegree = f64::from(educ < 12.0);
        let z: f64 = StandardNormal.sample(&mut rng);
        let re75 = (6000.0 + 400.0 * (educ - 10.0) + 150.0 * (age - 30.0) + 3000.0 * z).max(0.0);
        let logit =
            -0.2 + 1.6 * black + 0.8 * nodegree - 0.35 * re75 / 1000.0 - 0.03 * (age - 30.0);
        let t = f64::from(rng.random_bool(1.0 / (1.0 + (-logit).exp())));
        let noise: f64 = StandardNormal.sample(&mut rng);
        let outcome = 2.0 + 0.5 * (educ - 10.0) + 0.05 * (age - 30.0) + 0.8 * re75 / 1000.0
            - 1.0 * black
            + 0.8 * married
            + t * (effect + effect_nodegree * nodegree)
            + 4.0 * noise;
        for (c, v) in raw
            .iter_mut()
            .zip([educ, age, re75, black, hispan, married, nodegree])
        {
            c.push(v);
        }
        treat.push(t);
        y.push(outcome);
    }
    let nodegree = DVector::from_vec(raw[6].clone());
    let share = nodegree.mean();
    let arm_share = |arm: f64| {
        let arm = treat.iter().zip(&nodegree).filter(|(t, _)| **t == arm);
        let (count, with) = arm.fold((0.0, 0.0), |(c, w), (_, d)| (c + 1.0, w + d));
        with / count
    };
    let (att, atu) = (
        effect + effect_nodegree * arm_share(1.0),
        effect + effect_nodegree * arm_share(0.0),
    );
    Study {
        x: design(raw),
        nodegree,
        treat: DVector::from_vec(treat),
        re78: DVector::from_vec(y),
        truth: Some(Truth {
            ate: effect + effect_nodegree * share,
            cate_nodegree_1: effect + effect_nodegree,
            cate_nodegree_0: effect,
            att,
            atu,
        }),
    }
}
