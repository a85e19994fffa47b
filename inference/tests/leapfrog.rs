//! The integrator and a golden NUTS transition.

mod support;

use doppl_inference::nuts::{
    BufferPool, Hamiltonian, Metric, PhasePoint, TransitionSettings, transition_from,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use support::Gaussian;

fn gaussian_3d() -> Gaussian {
    Gaussian {
        mean: vec![0.5, -1.0, 2.0],
        precision: vec![2.0, 0.3, 0.0, 0.3, 1.0, -0.2, 0.0, -0.2, 0.5],
    }
}

fn start_point(density: &mut Gaussian, metric: &Metric) -> PhasePoint {
    let mut point = PhasePoint::new(density, vec![0.3, -0.5, 1.2]).unwrap();
    point.momentum = vec![0.8, 0.1, -0.4];
    metric.velocity(&point.momentum, &mut point.velocity);
    point
}

#[test]
fn leapfrog_is_reversible() {
    let mut density = gaussian_3d();
    let metric = Metric::Diagonal(vec![1.0, 0.5, 2.0]);
    let start = start_point(&mut density, &metric);
    let mut pool = BufferPool::new();
    let mut hamiltonian = Hamiltonian::new(&mut density, &metric, &mut pool);
    let mut point = start.clone();
    for _ in 0..25 {
        hamiltonian.leapfrog(&mut point, 0.1).unwrap();
    }
    for p in &mut point.momentum {
        *p = -*p;
    }
    hamiltonian.refresh_velocity(&mut point);
    for _ in 0..25 {
        hamiltonian.leapfrog(&mut point, 0.1).unwrap();
    }
    for (q, q0) in point.position.iter().zip(&start.position) {
        assert!((q - q0).abs() < 1e-10, "{q} vs {q0}");
    }
    for (p, p0) in point.momentum.iter().zip(&start.momentum) {
        assert!((p + p0).abs() < 1e-10, "{p} vs {}", -p0);
    }
}

/// Energy error after integrating to time 1 with step `step`.
fn energy_error(metric: &Metric, step: f64) -> f64 {
    let mut density = gaussian_3d();
    let mut point = start_point(&mut density, metric);
    let initial = point.energy();
    let mut pool = BufferPool::new();
    let mut hamiltonian = Hamiltonian::new(&mut density, metric, &mut pool);
    for _ in 0..(1.0 / step).round() as usize {
        hamiltonian.leapfrog(&mut point, step).unwrap();
    }
    (point.energy() - initial).abs()
}

#[test]
fn energy_error_shrinks_quadratically() {
    for metric in [
        Metric::Diagonal(vec![1.0, 0.5, 2.0]),
        Metric::dense(nalgebra::DMatrix::from_row_slice(
            3,
            3,
            &[1.0, 0.2, 0.0, 0.2, 0.5, 0.1, 0.0, 0.1, 2.0],
        ))
        .unwrap(),
    ] {
        let coarse = energy_error(&metric, 0.1);
        let fine = energy_error(&metric, 0.05);
        let ratio = coarse / fine;
        assert!(
            (3.5..4.5).contains(&ratio),
            "ratio {ratio} ({coarse} / {fine})"
        );
    }
}

#[test]
fn golden_transition_on_3d_gaussian() {
    let mut density = gaussian_3d();
    let metric = Metric::Diagonal(vec![1.0, 0.5, 2.0]);
    let start = start_point(&mut density, &metric);
    let mut pool = BufferPool::new();
    let mut hamiltonian = Hamiltonian::new(&mut density, &metric, &mut pool);
    let settings = TransitionSettings {
        step_size: 0.4,
        max_depth: 10,
        max_energy_error: 1000.0,
    };
    let mut rng = StdRng::seed_from_u64(7);
    let (point, stats) = transition_from(&mut hamiltonian, start, &settings, &mut rng).unwrap();
    // Recorded once from this implementation; guards against accidental changes.
    assert_eq!(
        point.position,
        [0.964928673792, -0.8706235494400001, 1.4032740925440002]
    );
    assert_eq!(stats.tree_depth, 3);
    assert_eq!(stats.n_leapfrog, 7);
    assert!(!stats.divergent());
    assert_eq!(stats.energy, 0.8671286541027171);
    assert_eq!(stats.accept_stat, 0.9850216217954539);
    assert_eq!(stats.logp, -0.3470339592974402);
}
