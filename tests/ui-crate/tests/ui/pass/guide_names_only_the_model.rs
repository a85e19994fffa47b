//! A guide in another module that imports only the model: the record of the model's latent
//! sites (`MeanLatents`) is reached through the model, so it need not be in scope.

mod model {
    use doppl::prelude::*;

    #[model]
    pub fn mean(n: usize) {
        let mu = sample!(Normal::new(0.0, 1.0));
        let y = sample!(Normal::new(mu, 1.0), plate!(n));
    }
}

mod guide {
    use super::model::Mean;
    use doppl::prelude::*;

    #[guide(for = Mean, observed(y))]
    pub fn mean_guide() {
        let loc = param!(0.0);
        let mu = sample!(Normal::new(loc, 0.5));
    }
}

fn main() {
    let _ = model::Mean::new(10);
    let _ = guide::MeanGuide::new();
}
