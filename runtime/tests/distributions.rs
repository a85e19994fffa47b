//! One table-driven test over every distribution family: log-densities against statrs or
//! closed forms, support boundaries, gradients against finite differences, plate sums,
//! sample moments on a seeded RNG, and constructor validation.

mod dist_table;

use dist_table::{continuous::continuous_rows, counts, discrete::discrete_rows, multivariate};

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
    assert_eq!(checked.len(), 23, "families checked: {checked:?}");
}

#[test]
fn binomial_per_element_counts_match_statrs() {
    counts::binomial_per_element_counts_match_statrs();
}

#[test]
fn binomial_per_element_counts_plate_and_gradients() {
    counts::binomial_per_element_counts_plate_and_gradients();
}

#[test]
fn binomial_per_element_counts_reject_bad_input() {
    counts::binomial_per_element_counts_reject_bad_input();
}

#[test]
fn binomial_per_element_counts_sample_moments() {
    counts::binomial_per_element_counts_sample_moments();
}

#[test]
fn poisson_log_rate_at_extreme_log_rates() {
    counts::poisson_log_rate_at_extreme_log_rates();
}

#[test]
fn poisson_log_rate_plates_and_draws() {
    counts::poisson_log_rate_plates_and_draws();
}

#[test]
fn plate_sums_read_each_element() {
    counts::plate_sums_read_each_element();
}
