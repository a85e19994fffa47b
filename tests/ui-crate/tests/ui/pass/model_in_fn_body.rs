//! A model defined inside a function body.
use doppl::prelude::*;

fn main() {
    #[model]
    fn coin(n: usize) {
        let flips = plate!(n);
        let p = sample!(Beta::new(2.0, 2.0));
        let heads = sample!(Bernoulli::new(p), flips);
    }

    let model = Coin::new(4);
    let posterior = model
        .condition()
        .heads(DVector::from_vec(vec![1.0, 0.0, 1.0, 1.0]));
    assert_eq!(posterior.layout().unwrap().dim(), 1);
    let mut rng = StdRng::seed_from_u64(3);
    let trace: CoinTrace<f64> = posterior.sample_prior(&mut rng).unwrap();
    assert_eq!(trace.heads.len(), 4);
}
