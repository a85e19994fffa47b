use doppl::prelude::*;

#[model]
fn varying(x: &DVector<f64>, group: &[usize], groups: usize) {
    let units = plate!(x.len());
    let alpha = sample!(Normal::new(0.0, 1.0), plate!(groups));
    let sigma = sample!(HalfNormal::new(1.0));
    let rho = sample!(Beta::new(2.0, 2.0));
    let y = sample!(Normal::new(alpha.gather(group) * rho + x, sigma), units);
}

/// Data arguments, a declared plate, an inline plate and every constraint.
#[guide(for = Varying, observed(y))]
fn varying_guide(x: &DVector<f64>, groups: usize) {
    let by_group = plate!(groups);
    let alpha_loc = param!(DVector::from_element(groups, x.mean()), by_group);
    let alpha_scale = param!(0.1, constraint = greater_than(0.0), plate!(groups));
    let alpha = sample!(Normal::new(alpha_loc, alpha_scale), by_group);
    let sigma_scale = param!(0.5, constraint = interval(0.0, 10.0));
    let sigma = sample!(HalfNormal::new(sigma_scale));
    let rho_loc = param!(0.5, constraint = unit_interval);
    let rho_scale = param!(0.2, constraint = positive);
    let rho = sample!(LogNormal::new(rho_loc - 1.0, rho_scale));
    let unused = param!(0.0, constraint = real);
}

fn main() {
    let x = DVector::from_vec(vec![1.0, 2.0, 3.0]);
    let guide = VaryingGuide::new(&x, 2);
    let _ = Varying::new(&x, &[0, 1, 1], 2);
    let _: &dyn Fn() = &|| drop(guide.clone());
}
