//! Expansion snapshots: what `#[model]` generates for a few representative models,
//! pretty-printed and compared with the files in `tests/snapshots/`.
//!
//! After an intended change to the generated code, regenerate them with
//! `UPDATE_SNAPSHOTS=1 cargo test -p doppl-macros snapshot` and read the diff.

use proc_macro2::TokenStream;
use quote::quote;
use std::path::PathBuf;

/// Expands `#[model] item` and pretty-prints the result.
fn expand_pretty(item: TokenStream) -> String {
    let tokens = crate::expand_model(TokenStream::new(), item);
    let file: syn::File = syn::parse2(tokens.clone())
        .unwrap_or_else(|e| panic!("the expansion is not a valid file: {e}\n{tokens}"));
    prettyplease::unparse(&file)
}

/// Compares the expansion of `item` with `tests/snapshots/<name>.rs`, or writes it when
/// `UPDATE_SNAPSHOTS=1`.
fn assert_snapshot(name: &str, item: TokenStream) {
    let actual = expand_pretty(item);
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "snapshots",
        &format!("{name}.rs"),
    ]
    .iter()
    .collect();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read snapshot {}: {e}; run with UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let first_difference = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "the expansion of `{name}` differs from {} from line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             run with UPDATE_SNAPSHOTS=1 to accept it, then read the diff.\n\nactual expansion:\n{actual}",
            path.display(),
            first_difference + 1,
            expected
                .lines()
                .nth(first_difference)
                .unwrap_or("<end of file>"),
            actual
                .lines()
                .nth(first_difference)
                .unwrap_or("<end of file>"),
        );
    }
}

/// The smallest model: one scalar site, no arguments.
#[test]
fn snapshot_tiny() {
    assert_snapshot(
        "tiny",
        quote! {
            fn coin() {
                let p = sample!(Beta::new(1.0, 1.0));
            }
        },
    );
}

/// The Lalonde earnings model of DESIGN.md §3 in the model language: a declared and an
/// inline plate, a discrete plated site, a vector of coefficients, a plain `let`, a plated
/// deterministic site, a by-value argument and a `pub` visibility with docs.
#[test]
fn snapshot_earnings() {
    assert_snapshot(
        "earnings",
        quote! {
            /// Earnings after a job-training programme (Lalonde).
            pub fn earnings(x: &DMatrix<f64>, nodegree: &DVector<f64>, scale: f64) {
                let units = plate!(x.nrows());
                let p_treat = sample!(Beta::new(1.0, 1.0));
                let treat = sample!(Bernoulli::new(p_treat), units);
                let intercept = sample!(Normal::new(0.0, 5.0));
                let beta_treat = sample!(Normal::new(0.0, 2.0));
                let beta_interact = sample!(Normal::new(0.0, 2.0));
                let beta_cov = sample!(Normal::new(0.0, 1.0), plate!(x.ncols()));
                let sigma = sample!(HalfNormal::new(scale));
                let mu_earnings = deterministic!(
                    intercept + x * &beta_cov + &treat * (beta_treat + beta_interact * nodegree),
                    units
                );
                factor!(soft_zero_sum, beta_cov.sum() * beta_cov.sum() * -0.5);
                let y = sample!(Normal::new(mu_earnings, sigma), units);
            }
        },
    );
}

/// A model with mistakes (an unknown plate, a duplicate site, a nested `sample!`): the
/// errors are emitted as `compile_error!`s after stub items whose body is `unreachable!()`.
#[test]
fn snapshot_with_errors() {
    assert_snapshot(
        "with_errors",
        quote! {
            fn broken(x: &DVector<f64>) {
                let units = plate!(x.len());
                let a = sample!(Normal::new(0.0, 1.0), unit);
                let b = sample!(HalfNormal::new(1.0));
                let b = sample!(Normal::new(0.0, 1.0));
                let c = 1.0 + sample!(Normal::new(0.0, 1.0));
            }
        },
    );
}
