//! The online-game model: a per-unit latent confounder z (player disposition), guild
//! membership as its proxy, engagement chosen by a small network of (z, guild), won items
//! reachable only through engagement (the front door), purchases driven by z and won items
//! (Student-t with 4 degrees of freedom: purchases are heavily right-skewed, skewness 4 in
//! the online-game file, and a normal outcome let the extreme players pull the won-items
//! coefficient up: 242 instead of 199 on that file);
//! and the amortized guide q(z | guild, engagement, purchases) with an encoder network.

use doppl::prelude::*;

/// `batch`: the units an SVI step sees (`n` for all of them).
#[model]
pub fn online_game(n: usize, batch: usize, engagement_net: &Mlp) {
    let units = plate!(n, subsample = batch);
    let z = sample!(Normal::new(0.0, 1.0), units);
    let a_g = sample!(Normal::new(0.0, 2.0));
    let b_g = sample!(Normal::new(0.0, 2.0));
    let guild = sample!(Bernoulli::logits(a_g + b_g * &z), units);
    let w_t = sample!(Normal::new(0.0, 1.0), plate!(engagement_net.weights_len()));
    let engagement_logit = deterministic!(
        engagement_net.output(w_t.as_slice(), &[(&z).into(), Feature::observed(&guild)]),
        units
    );
    let engagement = sample!(Bernoulli::logits(&engagement_logit), units);
    let a_w = sample!(Normal::new(0.0, 3.0));
    let b_w = sample!(Normal::new(0.0, 3.0));
    let won = sample!(Bernoulli::logits(a_w + b_w * &engagement), units);
    let a_y = sample!(Normal::new(0.0, 1.0));
    let b_yz = sample!(Normal::new(0.0, 1.0));
    let b_yw = sample!(Normal::new(0.0, 1.0));
    let sigma_y = sample!(HalfNormal::new(1.0));
    let purchases = sample!(
        StudentT::new(4.0, a_y + b_yz * &z + b_yw * &won, sigma_y),
        units
    );
    // E[purchases | z, engagement], won items averaged out: what do(engagement) changes.
    let expected_purchases = deterministic!(
        a_y + b_yz * &z + b_yw * (a_w + b_w * &engagement).sigmoid(),
        units
    );
}

/// Mean-field normal for the global sites; for z an encoder network of (guild,
/// engagement, won items, purchases) gives each unit's location and scale, on the same
/// batches of units as the model. (Won items are
/// an input too: purchases carry them, so z's posterior depends on them; an encoder blind
/// to them would let z absorb their effect and shrink it.)
#[guide(for = OnlineGame, observed(guild, engagement, won, purchases))]
pub fn online_game_guide(
    guild: &DVector<f64>,
    engagement: &DVector<f64>,
    won: &DVector<f64>,
    purchases: &DVector<f64>,
    encoder: &Mlp,
    engagement_net: &Mlp,
    batch: usize,
) {
    let units = plate!(guild.len(), subsample = batch);
    let guild = subsample!(guild, units);
    let engagement = subsample!(engagement, units);
    let won = subsample!(won, units);
    let purchases = subsample!(purchases, units);
    let encoder_w = param!(encoder.init_weights(1), plate!(encoder.weights_len()));
    let heads = encoder.apply(
        encoder_w.as_slice(),
        &[
            guild.into(),
            engagement.into(),
            won.into(),
            purchases.into(),
        ],
    );
    let z = sample!(Normal::new(&heads[0], heads[1].softplus() + 1e-3), units);
    let weights = plate!(engagement_net.weights_len());
    let w_t_loc = param!(engagement_net.init_weights(2), weights);
    let w_t_scale = param!(0.05, constraint = positive, weights);
    let w_t = sample!(Normal::new(w_t_loc, w_t_scale), weights);
    let a_g_loc = param!(0.0);
    let a_g_scale = param!(0.1, constraint = positive);
    let a_g = sample!(Normal::new(a_g_loc, a_g_scale));
    let b_g_loc = param!(0.0);
    let b_g_scale = param!(0.1, constraint = positive);
    let b_g = sample!(Normal::new(b_g_loc, b_g_scale));
    let a_w_loc = param!(0.0);
    let a_w_scale = param!(0.1, constraint = positive);
    let a_w = sample!(Normal::new(a_w_loc, a_w_scale));
    let b_w_loc = param!(0.0);
    let b_w_scale = param!(0.1, constraint = positive);
    let b_w = sample!(Normal::new(b_w_loc, b_w_scale));
    let a_y_loc = param!(0.0);
    let a_y_scale = param!(0.1, constraint = positive);
    let a_y = sample!(Normal::new(a_y_loc, a_y_scale));
    let b_yz_loc = param!(0.5);
    let b_yz_scale = param!(0.1, constraint = positive);
    let b_yz = sample!(Normal::new(b_yz_loc, b_yz_scale));
    let b_yw_loc = param!(0.0);
    let b_yw_scale = param!(0.1, constraint = positive);
    let b_yw = sample!(Normal::new(b_yw_loc, b_yw_scale));
    let sigma_loc = param!(-1.0);
    let sigma_scale = param!(0.1, constraint = positive);
    let sigma_y = sample!(LogNormal::new(sigma_loc, sigma_scale));
}
