//! The online-game analysis: data (synthetic with a known effect, or the real file), the
//! SVI fit of the model with its amortized guide, and the effect of engagement on purchases
//! next to the naive difference and the front-door estimate.

use crate::model::{OnlineGame, OnlineGameGuide};
use doppl::inference::svi::{GuideFit, Optimizer};
use doppl::prelude::*;
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

pub type Error = Box<dyn std::error::Error>;

/// The command line.
pub struct Args {
    pub n: usize,
    pub steps: usize,
    /// Units per SVI step (`None`: all of them).
    pub batch: Option<usize>,
    pub seed: u64,
    pub data: Option<String>,
    pub json: Option<String>,
    /// A directory for the ELBO trace plot (`elbo.png`).
    pub plots: Option<String>,
}

/// One unit per row: guild, engagement, won items (0/1) and purchases.
pub struct Game {
    pub guild: DVector<f64>,
    pub engagement: DVector<f64>,
    pub won: DVector<f64>,
    pub purchases: DVector<f64>,
}

/// The synthetic game's effect of engagement on purchases: won items add 300 and
/// engagement raises their probability from 0 to 0.6.
pub const SYNTHETIC_EFFECT: f64 = 300.0 * 0.6;

/// Game-like data with a latent disposition z that raises both engagement and purchases:
/// guild ~ Bernoulli(σ(0.8z)), engagement ~ Bernoulli(σ(1.5 + 1.5z + 0.5 guild)),
/// won ~ Bernoulli(0.6 · engagement), purchases = 1900 + 600z + 300 won + N(0, 250²).
pub fn simulate(n: usize, seed: u64) -> Game {
    let mut rng = StdRng::seed_from_u64(seed);
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    let mut game = Game {
        guild: DVector::zeros(n),
        engagement: DVector::zeros(n),
        won: DVector::zeros(n),
        purchases: DVector::zeros(n),
    };
    for i in 0..n {
        let z: f64 = StandardNormal.sample(&mut rng);
        let guild = f64::from(rng.random::<f64>() < sigmoid(0.8 * z));
        let engaged = f64::from(rng.random::<f64>() < sigmoid(1.5 + 1.5 * z + 0.5 * guild));
        let won = f64::from(rng.random::<f64>() < 0.6 * engaged);
        let noise: f64 = StandardNormal.sample(&mut rng);
        game.guild[i] = guild;
        game.engagement[i] = engaged;
        game.won[i] = won;
        game.purchases[i] = 1900.0 + 600.0 * z + 300.0 * won + 250.0 * noise;
    }
    game
}

/// The online-game file's columns.
pub fn read(path: &str) -> Result<Game, Error> {
    let table = doppl::data::Table::from_path(path)?;
    Ok(Game {
        guild: table.column("Guild Membership")?,
        engagement: table.column("Side-quest Engagement")?,
        won: table.column("Won Items")?,
        purchases: table.column("In-game Purchases")?,
    })
}

/// An estimate in purchase units.
#[derive(Clone, Copy, Debug)]
pub struct Interval {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

/// The headline numbers.
pub struct Report {
    pub ate: Interval,
    /// The synthetic data's effect (`NaN` for the real file, which has no ground truth).
    pub truth: f64,
    pub naive: f64,
    pub front_door: f64,
    pub final_elbo: f64,
    pub steps_per_s: f64,
    /// The ELBO estimate at every step.
    pub elbo: Vec<f64>,
    pub text: String,
    pub json: serde_json::Value,
}

/// Fits the model and reports the effect.
pub fn analyze(args: &Args) -> Result<Report, Error> {
    let (game, truth) = match &args.data {
        Some(path) => (read(path)?, f64::NAN),
        None => (simulate(args.n, args.seed), SYNTHETIC_EFFECT),
    };
    let n = game.purchases.len();
    let (mean, sd) = mean_sd(&game.purchases);
    let standardized = game.purchases.map(|y| (y - mean) / sd);
    let engagement_net = Mlp::new(&[2, 5, 1], Activation::Tanh, Activation::Identity)?;
    let encoder = Mlp::new(&[4, 5, 2], Activation::Tanh, Activation::Identity)?;
    let batch = args.batch.unwrap_or(n);
    let model = OnlineGame::new(n, batch, &engagement_net);
    let guide = OnlineGameGuide::new(
        &game.guild,
        &game.engagement,
        &game.won,
        &standardized,
        &encoder,
        &engagement_net,
        batch,
    );
    let scenario = model
        .condition()
        .guild(game.guild.clone())
        .engagement(game.engagement.clone())
        .won(game.won.clone())
        .purchases(standardized);
    let options = SviOptions {
        steps: args.steps,
        optimizer: Optimizer::adam(0.01),
        seed: args.seed,
        draws: 200,
        ..SviOptions::default()
    };
    let fit = svi_guide(scenario, &guide, &options)?;
    let ate = effect(&model, &fit, &game.guild, args.seed)?;
    let ate = Interval {
        mean: ate.mean * sd,
        lo: ate.lo * sd,
        hi: ate.hi * sd,
    };
    let finite: Vec<f64> = fit.elbo.iter().copied().filter(|e| e.is_finite()).collect();
    let mut report = Report {
        ate,
        truth,
        naive: naive(&game),
        front_door: front_door(&game),
        final_elbo: *finite.last().unwrap_or(&f64::NAN),
        steps_per_s: args.steps as f64 / fit.step_seconds,
        elbo: fit.elbo.clone(),
        text: String::new(),
        json: serde_json::Value::Null,
    };
    report.text = report.describe(&fit);
    report.json = report.to_json();
    Ok(report)
}

/// E[purchases | do(engagement = 1)] − E[.. | do(engagement = 0)] averaged over the units,
/// per draw of the guide (standardized units): each draw's z is drawn once and reused
/// under both interventions.
fn effect(
    model: &OnlineGame,
    fit: &GuideFit<'_, '_, OnlineGame, OnlineGameGuide>,
    guild: &DVector<f64>,
    seed: u64,
) -> Result<Estimate, Error> {
    let n = guild.len();
    let under = |engaged: f64| {
        let scenario = model
            .condition()
            .guild(guild.clone())
            .intervene()
            .engagement(DVector::from_element(n, engaged))
            .build();
        posterior_predictive_map(fit, &scenario, seed, |t| t.expected_purchases.mean())
    };
    let (treated, control) = (under(1.0)?.concat(), under(0.0)?.concat());
    let difference: Vec<f64> = treated.iter().zip(&control).map(|(a, b)| a - b).collect();
    Ok(Estimate::of(&difference))
}

fn mean_sd(y: &DVector<f64>) -> (f64, f64) {
    let mean = y.mean();
    let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (y.len() as f64 - 1.0);
    (mean, var.sqrt())
}

/// The difference in mean purchases between engaged and other players.
pub fn naive(game: &Game) -> f64 {
    let mean_where = |value: f64| {
        let picked: Vec<f64> = (game.engagement.iter().zip(&game.purchases))
            .filter(|(t, _)| **t == value)
            .map(|(_, y)| *y)
            .collect();
        picked.iter().sum::<f64>() / picked.len().max(1) as f64
    };
    mean_where(1.0) - mean_where(0.0)
}

/// The linear front-door estimate (DoWhy's): the effect of engagement on won items
/// (least squares of won on engagement) times the effect of won items on purchases
/// adjusting for engagement (least squares of purchases on won and engagement).
pub fn front_door(game: &Game) -> f64 {
    let ones = DVector::from_element(game.won.len(), 1.0);
    let on_engagement = least_squares(&[&ones, &game.engagement], &game.won);
    let on_won = least_squares(&[&ones, &game.won, &game.engagement], &game.purchases);
    on_engagement[1] * on_won[1]
}

fn least_squares(columns: &[&DVector<f64>], y: &DVector<f64>) -> DVector<f64> {
    let x = DMatrix::from_fn(y.len(), columns.len(), |i, j| columns[j][i]);
    let xtx = x.transpose() * &x;
    let xty = x.transpose() * y;
    xtx.lu()
        .solve(&xty)
        .unwrap_or_else(|| DVector::from_element(columns.len(), f64::NAN))
}

impl Report {
    fn describe(&self, fit: &GuideFit<'_, '_, OnlineGame, OnlineGameGuide>) -> String {
        let i = &self.ate;
        let truth = match self.truth.is_finite() {
            true => format!(" (truth {:.1})", self.truth),
            false => String::new(),
        };
        format!(
            "SVI (custom guide with an encoder, Adam 0.01): {} steps, {} skipped, {:.0} steps/s\n\
             final ELBO {:.1}\n\n\
             effect of engagement on purchases: {:.1} [{:.1}, {:.1}]{truth}\n\
             naive difference in means:        {:.1}\n\
             front-door (linear):              {:.1}",
            fit.elbo.len(),
            fit.skipped,
            self.steps_per_s,
            self.final_elbo,
            i.mean,
            i.lo,
            i.hi,
            self.naive,
            self.front_door
        )
    }

    fn to_json(&self) -> serde_json::Value {
        let i = &self.ate;
        let truth = self.truth.is_finite().then_some(self.truth);
        serde_json::json!({
            "ate": {"mean": i.mean, "lo": i.lo, "hi": i.hi},
            "truth": truth,
            "naive": self.naive,
            "front_door": self.front_door,
            "final_elbo": self.final_elbo,
            "steps_per_s": self.steps_per_s,
        })
    }
}
