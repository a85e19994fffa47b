use doppl::prelude::*;

#[model]
fn subsampled(x: &DMatrix<f64>, group: &[usize], w: &DVector<f64>, batch: usize) {
    let units = plate!(x.nrows(), subsample = batch);
    let x = subsample!(x, units);
    let group = subsample!(group, units);
    let w = subsample!(w, units);
    let groups = plate!(3);
    let alpha = sample!(Normal::new(0.0, 1.0), groups);
    let beta = sample!(Normal::new(0.0, 1.0), plate!(x.ncols()));
    let y = sample!(Normal::new(alpha.gather(group) + x * &beta + w, 1.0), units);
}

fn main() {}
