//! Constraint transforms: round trips, log-Jacobians against numerical derivatives, and
//! dual-number derivatives against central differences.

use doppl_runtime::scalar::Dual;
use doppl_runtime::transform::{
    Identity, Interval, LowerBound, Positive, StickBreaking, UnitInterval,
};
use nalgebra::DMatrix;

const POINTS: [f64; 5] = [-3.0, -0.5, 0.0, 1.2, 4.0];

fn central_difference(f: impl Fn(f64) -> f64, u: f64) -> f64 {
    let h = 1e-5 * (1.0 + u.abs());
    (f(u + h) - f(u - h)) / (2.0 * h)
}

fn assert_close(what: &str, a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol * (1.0 + b.abs()), "{what}: {a} vs {b}");
}

/// A one-dimensional transform: forward at f64, forward at a dual, inverse.
struct ScalarTransform {
    name: &'static str,
    forward: fn(f64) -> (f64, f64),
    forward_dual: fn(Dual<1>) -> (Dual<1>, Dual<1>),
    inverse: fn(f64) -> f64,
}

#[test]
fn scalar_transforms_round_trip_and_have_correct_jacobians() {
    let table = [
        ScalarTransform {
            name: "identity",
            forward: Identity::forward,
            forward_dual: Identity::forward,
            inverse: Identity::inverse,
        },
        ScalarTransform {
            name: "positive",
            forward: Positive::forward,
            forward_dual: Positive::forward,
            inverse: Positive::inverse,
        },
        ScalarTransform {
            name: "lower bound 2",
            forward: |u| LowerBound { lower: 2.0 }.forward(u),
            forward_dual: |u| {
                LowerBound {
                    lower: Dual::constant(2.0),
                }
                .forward(u)
            },
            inverse: |x| LowerBound { lower: 2.0 }.inverse(x),
        },
        ScalarTransform {
            name: "unit interval",
            forward: UnitInterval::forward,
            forward_dual: UnitInterval::forward,
            inverse: UnitInterval::inverse,
        },
        ScalarTransform {
            name: "interval (-1, 3)",
            forward: |u| {
                Interval {
                    lower: -1.0,
                    upper: 3.0,
                }
                .forward(u)
            },
            forward_dual: |u| {
                let (lower, upper) = (Dual::constant(-1.0), Dual::constant(3.0));
                Interval { lower, upper }.forward(u)
            },
            inverse: |x| {
                Interval {
                    lower: -1.0,
                    upper: 3.0,
                }
                .inverse(x)
            },
        },
    ];
    for t in &table {
        for &u in &POINTS {
            let (x, log_jac) = (t.forward)(u);
            let what = format!("{} at {u}", t.name);
            assert_close(&format!("{what}: round trip"), (t.inverse)(x), u, 1e-9);
            let dx_du = central_difference(|v| (t.forward)(v).0, u);
            assert_close(&format!("{what}: ln|J|"), log_jac, dx_du.abs().ln(), 1e-6);
            let (xd, log_jac_d) = (t.forward_dual)(Dual::variable(u, 0));
            assert_eq!((xd.re, log_jac_d.re), (x, log_jac), "{what}: dual value");
            assert_close(&format!("{what}: dual dx/du"), xd.eps[0], dx_du, 1e-6);
            let dlj = central_difference(|v| (t.forward)(v).1, u);
            assert_close(
                &format!("{what}: dual d ln|J|/du"),
                log_jac_d.eps[0],
                dlj,
                1e-6,
            );
        }
    }
}

#[test]
fn interval_bounds_carry_derivatives() {
    let (u, lower, upper) = (0.7, -1.0, 3.0);
    let forward = |lo: f64, hi: f64| {
        Interval {
            lower: lo,
            upper: hi,
        }
        .forward(u)
    };
    let t = Interval {
        lower: Dual::<2>::variable(lower, 0),
        upper: Dual::<2>::variable(upper, 1),
    };
    let (x, log_jac) = t.forward(Dual::constant(u));
    let fd_lower = central_difference(|lo| forward(lo, upper).0, lower);
    let fd_upper = central_difference(|hi| forward(lower, hi).0, upper);
    assert_close("dx/dlower", x.eps[0], fd_lower, 1e-7);
    assert_close("dx/dupper", x.eps[1], fd_upper, 1e-7);
    let fd_jac = central_difference(|hi| forward(lower, hi).1, upper);
    assert_close("d ln|J| / dupper", log_jac.eps[1], fd_jac, 1e-7);
}

/// ln |det| of the numerical Jacobian of u ↦ the first K − 1 simplex coordinates.
fn numerical_log_det(u: &[f64]) -> f64 {
    let m = u.len();
    let mut jac = DMatrix::zeros(m, m);
    for j in 0..m {
        let h = 1e-6;
        let (mut plus, mut minus) = (u.to_vec(), u.to_vec());
        plus[j] += h;
        minus[j] -= h;
        let (xp, _) = StickBreaking::forward(&plus);
        let (xm, _) = StickBreaking::forward(&minus);
        for i in 0..m {
            jac[(i, j)] = (xp[i] - xm[i]) / (2.0 * h);
        }
    }
    jac.determinant().abs().ln()
}

#[test]
fn stick_breaking_round_trips_and_matches_numerical_jacobian() {
    let cases: [&[f64]; 3] = [&[0.0, 0.0, 0.0], &[1.5, -2.0, 0.3], &[-4.0, 3.0, -1.0]];
    for u in cases {
        let (x, log_jac) = StickBreaking::forward(u);
        assert!(x.iter().all(|&p| p > 0.0), "positive entries {x}");
        assert_close("simplex sum", x.sum(), 1.0, 1e-14);
        let mut back = vec![0.0; u.len()];
        StickBreaking::inverse(x.as_slice(), &mut back);
        for (a, b) in back.iter().zip(u) {
            assert_close("simplex round trip", *a, *b, 1e-10);
        }
        assert_close("simplex ln|J|", log_jac, numerical_log_det(u), 1e-6);

        let seeded: Vec<Dual<3>> = (0..3).map(|k| Dual::variable(u[k], k)).collect();
        let (xd, log_jac_d) = StickBreaking::forward(&seeded);
        for k in 0..3 {
            let shifted = |v: f64| {
                let mut w = u.to_vec();
                w[k] = v;
                StickBreaking::forward(&w)
            };
            for i in 0..4 {
                let fd = central_difference(|v| shifted(v).0[i], u[k]);
                assert_close("simplex dx/du", xd[i].eps[k], fd, 1e-6);
            }
            let fd = central_difference(|v| shifted(v).1, u[k]);
            assert_close("simplex d ln|J|/du", log_jac_d.eps[k], fd, 1e-6);
        }
    }
}

#[test]
fn unit_interval_log_jacobian_stays_finite_in_the_tails() {
    // ln(x(1 − x)) would be −∞ here because x rounds to 1; the log-sigmoid form is ≈ −u.
    let (x, log_jac) = UnitInterval::forward(40.0f64);
    assert_eq!(x, 1.0);
    assert_close("tail ln|J|", log_jac, -40.0, 1e-12);
}
