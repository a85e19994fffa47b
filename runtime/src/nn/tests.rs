//! The network blocks against hand-computed values, finite differences and their errors.

use super::*;
use crate::Plate;
use crate::scalar::{Dual, Scalar};
use crate::value::{ShapeError, Vector, Workspace};
use nalgebra::DVector;
use rand::{RngExt, SeedableRng};

/// 2 → 3 → 1, tanh then identity; per unit `[w₀, w₁, b]`, then the output `[v₀, v₁, v₂, c]`.
const WEIGHTS: [f64; 13] = [
    0.5, -1.0, 0.1, //
    0.2, 0.3, -0.2, //
    -0.4, 0.6, 0.0, //
    1.0, -2.0, 0.5, 0.3,
];

fn tanh_net() -> Mlp {
    Mlp::new(&[2, 3, 1], Activation::Tanh, Activation::Identity).unwrap()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

#[test]
fn a_two_three_one_tanh_network_gives_the_hand_computed_values() {
    // Computed with 30-digit arithmetic from the same f64 inputs, rounded to f64.
    let x0 = [1.0, -0.5, 0.25];
    let x1 = [2.0, 0.0, -1.5];
    let expected = [-1.3274323970644086, 0.8324278513923159, 1.9317643373038922];
    let hidden_0 = [-0.8853516482022625, 0.5370495669980353, 0.6640367702678489];
    let net = tanh_net();
    let plate = Plate::new("units", 3);
    let x1v = Vector::on_plate(DVector::from_row_slice(&x1), plate);
    let y = net.output(&WEIGHTS, &[Feature::data(&x0), (&x1v).into()]);
    assert_eq!(y.plate(), Some("units"));
    for i in 0..3 {
        assert!(close(y[i], expected[i], 1e-14), "unit {i}: {}", y[i]);
        let row = net.forward_row(&WEIGHTS, &[x0[i], x1[i]]).unwrap();
        assert!(close(row[0], expected[i], 1e-14), "row {i}: {}", row[0]);
    }
    // The hidden layer alone, from the first 9 weights.
    let first = net.layers()[0];
    let h = first.forward(&WEIGHTS[..9], &[Feature::data(&x0), Feature::data(&x1)]);
    let h = h.unwrap();
    assert_eq!(h.len(), 3);
    for (j, &v) in hidden_0.iter().enumerate() {
        assert!(close(h[j][0], v, 1e-15), "hidden {j}");
        assert_eq!(h[j].plate(), None);
    }
}

/// Σᵢ Σⱼ outⱼ(xᵢ, zᵢ) of `net` with dual weights (lanes 0..G) and a per-unit `z` sharing lane
/// G: the weights' derivatives summed, and each unit's derivative in `z` read off its
/// element, as the derivative engine reads a local latent.
fn dual_gradient(net: &Mlp, w: &[f64], x: &[f64], z: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let g = w.len();
    let wd: Vec<Dual<24>> = w
        .iter()
        .enumerate()
        .map(|(k, &v)| Dual::variable(v, k))
        .collect();
    let zd = DVector::from_iterator(z.len(), z.iter().map(|&v| Dual::variable(v, g)));
    let zv = Vector::on_plate(zd, Plate::new("units", z.len()));
    let out = net.forward(&wd, &[Feature::data(x), (&zv).into()]).unwrap();
    let mut grad_w = vec![0.0; g];
    let mut grad_z = vec![0.0; z.len()];
    for unit in out.iter() {
        for (i, d) in unit.iter().enumerate() {
            grad_w.iter_mut().zip(&d.eps).for_each(|(a, e)| *a += e);
            grad_z[i] += d.eps[g];
        }
    }
    (grad_w, grad_z)
}

fn value(net: &Mlp, w: &[f64], x: &[f64], z: &[f64]) -> f64 {
    let out = net
        .forward(w, &[Feature::data(x), Feature::data(z)])
        .unwrap();
    out.iter().map(|u| u.sum()).sum()
}

/// Central differences of `f` along coordinate `k` of `p`.
fn central(f: impl Fn(&[f64]) -> f64, p: &[f64], k: usize) -> f64 {
    let h = 1e-5 * (1.0 + p[k].abs());
    let (mut plus, mut minus) = (p.to_vec(), p.to_vec());
    plus[k] += h;
    minus[k] -= h;
    (f(&plus) - f(&minus)) / (2.0 * h)
}

#[test]
fn dual_gradients_match_central_differences_for_every_hidden_activation() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let x: Vec<f64> = (0..5).map(|_| rng.random_range(-1.5..1.5)).collect();
    let z: Vec<f64> = (0..5).map(|_| rng.random_range(-1.5..1.5)).collect();
    for hidden in [
        Activation::Tanh,
        Activation::Softplus,
        Activation::Sigmoid,
        Activation::Relu,
    ] {
        let net = Mlp::new(&[2, 3, 2], hidden, Activation::Softplus).unwrap();
        let w: Vec<f64> = (0..net.weights_len())
            .map(|_| rng.random_range(-1.0..1.0))
            .collect();
        let (grad_w, grad_z) = dual_gradient(&net, &w, &x, &z);
        for (k, &g) in grad_w.iter().enumerate() {
            let fd = central(|p| value(&net, p, &x, &z), &w, k);
            assert!(close(g, fd, 1e-7), "{hidden:?} weight {k}: {g} vs {fd}");
        }
        for (i, &g) in grad_z.iter().enumerate() {
            let fd = central(|p| value(&net, &w, &x, p), &z, i);
            assert!(close(g, fd, 1e-7), "{hidden:?} z[{i}]: {g} vs {fd}");
        }
    }
}

#[test]
fn the_row_form_and_the_vector_form_agree_with_dual_weights() {
    let net = Mlp::new(&[3, 4, 2], Activation::Sigmoid, Activation::Tanh).unwrap();
    let w: Vec<Dual<2>> = net
        .init_weights(5)
        .iter()
        .enumerate()
        .map(|(k, &v)| Dual {
            re: v + 0.1,
            eps: [k as f64, 1.0],
        })
        .collect();
    let columns = [[0.3, -0.2], [1.0, 0.5], [-0.7, 2.0]];
    let features: Vec<Feature<'_, Dual<2>>> = columns.iter().map(|c| Feature::data(c)).collect();
    let out = net.forward(&w, &features).unwrap();
    for i in 0..2 {
        let row = net
            .forward_row(&w, &[columns[0][i], columns[1][i], columns[2][i]])
            .unwrap();
        for (j, r) in row.iter().enumerate() {
            assert!(close(out[j][i].re, r.re, 1e-15));
            assert!(
                out[j][i]
                    .eps
                    .iter()
                    .zip(&r.eps)
                    .all(|(a, b)| close(*a, *b, 1e-14))
            );
        }
    }
}

/// (expected or least, found) of a counting error.
fn counts(e: ShapeError) -> Option<(usize, usize)> {
    match e {
        ShapeError::Count {
            expected, found, ..
        } => Some((expected, found)),
        ShapeError::TooFew { least, found, .. } => Some((least, found)),
        _ => None,
    }
}

#[test]
fn wrong_numbers_of_weights_and_features_are_typed_errors() {
    let net = tanh_net();
    let x = [1.0, 2.0];
    let two = [Feature::<f64>::data(&x), Feature::data(&x)];
    assert_eq!(
        net.forward(&WEIGHTS[..12], &two).unwrap_err(),
        ShapeError::Count {
            what: "weights (the sum over layers of outputs · (inputs + 1): see `weights_len`)",
            expected: 13,
            found: 12
        }
    );
    let err = net.forward(&WEIGHTS, &two[..1]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "expected 2 features (one per input of the layer), found 1"
    );
    let short = [1.0];
    let err = net.forward(&WEIGHTS, &[Feature::data(&x), Feature::data(&short)]);
    let err = err.unwrap_err();
    assert!(
        matches!(
            err,
            ShapeError::Mismatch {
                op: "dense layer",
                ..
            }
        ),
        "{err}"
    );
    let err = net.forward_row(&WEIGHTS, &[1.0, 2.0, 3.0]).unwrap_err();
    assert_eq!(counts(err), Some((2, 3)), "{err}");
    let err = net.layers()[0].forward_row(&WEIGHTS, &x).unwrap_err();
    assert_eq!(counts(err), Some((9, 13)), "{err}");
    // A layer without inputs has no output length.
    let none = Dense::new(0, 1, Activation::Identity);
    let err = none.forward::<f64>(&[0.5], &[]).unwrap_err();
    assert!(matches!(err, ShapeError::TooFew { .. }), "{err}");
    assert_eq!(counts(err), Some((1, 0)));
}

#[test]
fn the_forms_for_model_bodies_carry_the_error_in_their_vectors() {
    let net = tanh_net();
    let x = [1.0, 2.0];
    let two = [Feature::<f64>::data(&x), Feature::data(&x)];
    let y = net.output(&WEIGHTS[1..], &two);
    assert_eq!(y.shape_error().and_then(counts), Some((13, 12)));
    let wide = Mlp::new(&[2, 2], Activation::Tanh, Activation::Tanh).unwrap();
    let y = wide.output(&[0.0; 6], &two);
    assert_eq!(y.shape_error().and_then(counts), Some((1, 2)));
    let heads = wide.apply(&[0.0; 5], &two);
    assert_eq!(heads.len(), 2);
    for head in heads.iter() {
        assert_eq!(head.shape_error().and_then(counts), Some((6, 5)));
    }
    let heads = wide.apply(&[1.0, 0.0, 0.0, 0.0, 1.0, 0.0], &two);
    assert_eq!((heads[0][1], heads[1][0]), (2f64.tanh(), 1f64.tanh()));
}

#[test]
fn features_on_different_plates_are_refused() {
    let net = tanh_net();
    let a = Vector::on_plate(DVector::from_element(2, 1.0), Plate::new("units", 2));
    let b = Vector::on_plate(DVector::from_element(2, 1.0), Plate::new("groups", 2));
    let err = net
        .forward(&WEIGHTS, &[(&a).into(), (&b).into()])
        .unwrap_err();
    let ShapeError::Mismatch { left, right, .. } = err else {
        panic!("expected a mismatch, got {err}");
    };
    assert_eq!((left.plate, right.plate), (Some("units"), Some("groups")));
}

#[test]
fn networks_refuse_empty_layers_and_mismatched_stacks() {
    let tanh = Activation::Tanh;
    assert!(matches!(
        Mlp::new(&[], tanh, tanh),
        Err(ShapeError::TooFew {
            least: 2,
            found: 0,
            ..
        })
    ));
    assert!(matches!(
        Mlp::new(&[2, 0, 1], tanh, tanh),
        Err(ShapeError::TooFew {
            least: 1,
            found: 0,
            ..
        })
    ));
    assert!(matches!(
        Mlp::from_layers(Vec::new()),
        Err(ShapeError::TooFew { .. })
    ));
    let stack = vec![Dense::new(2, 3, tanh), Dense::new(2, 1, tanh)];
    assert_eq!(
        Mlp::from_layers(stack),
        Err(ShapeError::Count {
            what: "inputs of a layer (the previous layer's outputs)",
            expected: 3,
            found: 2
        })
    );
}

#[test]
fn glorot_weights_are_deterministic_and_within_the_limit() {
    let net = Mlp::new(&[4, 6, 3, 1], Activation::Relu, Activation::Identity).unwrap();
    let w = net.init_weights(11);
    assert_eq!(w.len(), net.weights_len());
    assert_eq!(w, net.init_weights(11));
    assert_ne!(w, net.init_weights(12));
    let mut offset = 0;
    for layer in net.layers() {
        let limit = (6.0 / (layer.inputs + layer.outputs) as f64).sqrt();
        let rows = w.as_slice()[offset..offset + layer.weights_len()].chunks(layer.inputs + 1);
        let mut largest: f64 = 0.0;
        for row in rows {
            assert_eq!(row[layer.inputs], 0.0, "bias");
            for &v in &row[..layer.inputs] {
                assert!(v.abs() < limit && v != 0.0, "{v} outside ±{limit}");
                largest = largest.max(v.abs());
            }
        }
        // Uniform on ±limit: the largest of ≥ 6 draws is rarely below a third of it.
        assert!(largest > limit / 3.0, "{largest} vs {limit}");
        offset += layer.weights_len();
    }
}

#[test]
fn data_features_give_the_same_duals_as_constant_vectors() {
    let net = tanh_net();
    let w: Vec<Dual<4>> = WEIGHTS.iter().map(|&v| Dual::variable(v, 1)).collect();
    let x = [0.5, -1.25];
    let as_duals = Vector::from(x.map(Dual::<4>::constant).to_vec());
    let from_data = net.output(&w, &[Feature::data(&x), Feature::data(&x)]);
    let from_values = net.output(&w, &[(&as_duals).into(), (&as_duals).into()]);
    for (a, b) in from_data.iter().zip(from_values.iter()) {
        assert!(close(a.re, b.re, 1e-15) && close(a.eps[1], b.eps[1], 1e-14));
    }
    let observed = Vector::on_plate(DVector::from_row_slice(&x), Plate::new("units", 2));
    let y = net.output(&w, &[Feature::observed(&observed), Feature::data(&x)]);
    assert_eq!(y.plate(), Some("units"));
    assert!(close(y[1].re, from_data[1].re, 1e-15));
}

#[test]
fn a_network_in_a_lent_workspace_reuses_its_buffers() {
    let net = Mlp::new(&[2, 8, 8, 1], Activation::Tanh, Activation::Identity).unwrap();
    let w: Vec<Dual<4>> = net
        .init_weights(3)
        .iter()
        .map(|&v| Dual::constant(v))
        .collect();
    let x: Vec<f64> = (0..50).map(|i| i as f64 / 25.0 - 1.0).collect();
    let mut workspace = Workspace::default();
    let run = |workspace: &mut Workspace| {
        workspace.lend(|| {
            net.output(&w, &[Feature::data(&x), Feature::data(&x)])
                .sum()
                .re
        })
    };
    let first = run(&mut workspace);
    let buffers = workspace.buffers();
    // The buffers of the evaluation came back (unit vectors and lists of each layer).
    assert!(buffers >= 3, "{buffers}");
    assert_eq!(run(&mut workspace), first);
    assert_eq!(workspace.buffers(), buffers);
}

/// Weights seeded as the engines seed them: some constant, some in one lane each (lanes
/// 0..3, two weights sharing lane 2 with different derivatives), some with dense tangents.
fn mixed_seeds(w: &[f64], rng: &mut rand::rngs::StdRng) -> Vec<Dual<6>> {
    w.iter()
        .enumerate()
        .map(|(k, &v)| match k % 4 {
            0 => Dual::constant(v),
            1 => Dual::variable(v, k % 3),
            2 => {
                let mut d = Dual::constant(v);
                d.eps[2] = rng.random_range(-2.0..2.0);
                d
            }
            _ => Dual {
                re: v,
                eps: std::array::from_fn(|_| rng.random_range(-1.0..1.0)),
            },
        })
        .collect()
}

#[test]
fn element_wise_backward_tangents_equal_forward_mode_through_every_activation() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    // More than two blocks of elements, the last one partial.
    let n = 70;
    let x: Vec<f64> = (0..n).map(|_| rng.random_range(-2.0..2.0)).collect();
    // A moving input: lane 5 per element (a local latent), lane 4 shared (a global).
    let z: Vec<Dual<6>> = (0..n)
        .map(|_| {
            let mut d = Dual::variable(rng.random_range(-2.0..2.0), 5);
            d.eps[4] = rng.random_range(-1.0..1.0);
            d
        })
        .collect();
    let zv = Vector::on_plate(DVector::from_vec(z.clone()), Plate::new("units", n));
    for (hidden, output) in [
        (Activation::Tanh, Activation::Identity),
        (Activation::Softplus, Activation::Sigmoid),
        (Activation::Sigmoid, Activation::Softplus),
        (Activation::Relu, Activation::Tanh),
    ] {
        let net = Mlp::new(&[2, 4, 3, 2], hidden, output).unwrap();
        let plain: Vec<f64> = net.init_weights(11).iter().map(|v| v + 0.05).collect();
        let w = mixed_seeds(&plain, &mut rng);
        let out = net.forward(&w, &[Feature::data(&x), (&zv).into()]).unwrap();
        assert_eq!(out[1].plate(), Some("units"));
        for i in 0..n {
            // Forward mode, one dual operation at a time, as the reference.
            let xi = Dual::<6>::constant(x[i]);
            let row = net.forward_row(&w, &[xi, z[i]]).unwrap();
            for (j, r) in row.iter().enumerate() {
                let d = out[j][i];
                assert_eq!(d.re, r.re, "{hidden:?} unit {i} output {j}");
                for lane in 0..6 {
                    let (a, b) = (d.eps[lane], r.eps[lane]);
                    assert!(
                        close(a, b, 1e-13),
                        "{hidden:?} unit {i} output {j} lane {lane}"
                    );
                }
            }
        }
    }
}

#[test]
fn constant_weights_and_data_give_constant_outputs() {
    let net = tanh_net();
    let w: Vec<Dual<3>> = WEIGHTS.iter().map(|&v| Dual::constant(v)).collect();
    let (x0, x1) = ([1.0, -0.5, 0.25], [2.0, 0.0, -1.5]);
    let y = net.output(&w, &[Feature::data(&x0), Feature::data(&x1)]);
    let plain = net.output(&WEIGHTS, &[Feature::data(&x0), Feature::data(&x1)]);
    for i in 0..3 {
        assert_eq!(y[i].re, plain[i]);
        assert!(!y[i].has_tangent(), "unit {i}");
    }
}
