//! One table-driven test over every distribution family: log-densities against statrs or
//! closed forms, support boundaries, gradients against finite differences, plate sums,
//! sample moments on a seeded RNG, and constructor validation.

mod dist_table;

use dist_table::{continuous::continuous_rows, discrete::discrete_rows, multivariate};

#[test]
fn every_family_matches_its_reference() {
    let mut checked = Vec::new();
    for row in continuous_rows() {
        row.check();
        checked.push(row.name);
    }
    for row in discrete_rows() {
        row.check();
        checked.push(row.name());
    }
    checked.extend(multivariate::check_all());
    // Guards against a row silently dropping out of the table.
    assert_eq!(checked.len(), 22, "families checked: {checked:?}");
}
