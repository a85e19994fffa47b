//! The family-intervention mediation model: a randomized family intervention (`fam_int`)
//! acts on adolescent substance-use disorder (`sub_disorder`, binary) directly and through
//! two mediators, deviant peer affiliation (`dev_peer`) and substance-use experimentation
//! (`sub_exp`); gender and baseline family conflict are covariates (data).

use doppl::prelude::*;

#[model]
pub fn family(gender: &DVector<f64>, conflict: &DVector<f64>) {
    let units = plate!(gender.len());
    let p_int = sample!(Beta::new(1.0, 1.0));
    let fam_int = sample!(Bernoulli::new(p_int), units);
    // Deviant peer affiliation.
    let peer_0 = sample!(Normal::new(0.0, 2.0));
    let peer_int = sample!(Normal::new(0.0, 1.0));
    let peer_conflict = sample!(Normal::new(0.0, 1.0));
    let peer_gender = sample!(Normal::new(0.0, 1.0));
    let peer_sd = sample!(HalfNormal::new(2.0));
    let dev_peer = sample!(
        Normal::new(
            peer_0 + &fam_int * peer_int + peer_conflict * conflict + peer_gender * gender,
            peer_sd
        ),
        units
    );
    // Substance-use experimentation.
    let exp_0 = sample!(Normal::new(0.0, 2.0));
    let exp_int = sample!(Normal::new(0.0, 1.0));
    let exp_conflict = sample!(Normal::new(0.0, 1.0));
    let exp_gender = sample!(Normal::new(0.0, 1.0));
    let exp_sd = sample!(HalfNormal::new(2.0));
    let sub_exp = sample!(
        Normal::new(
            exp_0 + &fam_int * exp_int + exp_conflict * conflict + exp_gender * gender,
            exp_sd
        ),
        units
    );
    // The outcome, on the logit scale; `risk` is its probability, the scale of the effects.
    let out_0 = sample!(Normal::new(0.0, 2.0));
    let out_int = sample!(Normal::new(0.0, 1.0));
    let out_peer = sample!(Normal::new(0.0, 1.0));
    let out_exp = sample!(Normal::new(0.0, 1.0));
    let out_conflict = sample!(Normal::new(0.0, 1.0));
    let out_gender = sample!(Normal::new(0.0, 1.0));
    let logit = deterministic!(
        out_0
            + &fam_int * out_int
            + &dev_peer * out_peer
            + &sub_exp * out_exp
            + out_conflict * conflict
            + out_gender * gender,
        units
    );
    let risk = deterministic!(logit.sigmoid(), units);
    let sub_disorder = sample!(Bernoulli::logits(logit), units);
}
