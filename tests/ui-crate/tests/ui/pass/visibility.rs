//! A private model and a `pub` one, each used from outside its module.
mod models {
    use doppl::prelude::*;

    /// A public model: every generated item is `pub`.
    #[model]
    pub fn public_rate(exposure: f64) {
        let rate = sample!(Gamma::new(2.0, 1.0));
        let count = sample!(Poisson::new(rate * exposure));
    }

    #[model]
    fn private_rate(exposure: f64) {
        let rate = sample!(Gamma::new(2.0, 1.0));
        let count = sample!(Poisson::new(rate * exposure));
    }

    /// The private model is usable in its own module.
    pub fn private_dim() -> usize {
        let model = PrivateRate::new(1.5);
        model.condition().count(3).layout().unwrap().dim()
    }
}

use doppl::prelude::*;
use models::{PublicRate, PublicRateCondition, PublicRateIntervention, PublicRateTrace};

fn main() {
    let model = PublicRate::new(2.0);
    let c: PublicRateCondition<'_> = model.condition().count(4);
    let i: PublicRateIntervention<'_> = c.intervene().rate(0.5);
    assert_eq!(i.layout().unwrap().dim(), 0);
    let mut rng = StdRng::seed_from_u64(5);
    let trace: PublicRateTrace<f64> = model.scenario().sample_prior(&mut rng).unwrap();
    let _: u64 = trace.count;
    assert_eq!(models::private_dim(), 1);
}
