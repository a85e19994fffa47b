//! Identification from the model's own graph: back door with a minimal adjustment set, a
//! latent confounder (not identified, path named), the front door, and M-bias (the collider
//! flagged), each written as a `#[model]` and queried through its scenario.

use doppl::prelude::*;
use doppl::runtime::SiteKind;
use doppl::runtime::graph::{Graph, Identification, Path};

/// Lalonde-like: observed confounders x1, x2 of treatment and outcome, and w, a cause of the
/// outcome only (not needed for adjustment).
#[model]
fn observed_confounders(n: usize) {
    let units = plate!(n);
    let b = sample!(Normal::new(0.0, 1.0));
    let x1 = sample!(Normal::new(0.0, 1.0), units);
    let x2 = sample!(Normal::new(0.0, 1.0), units);
    let w = sample!(Normal::new(0.0, 1.0), units);
    let treat = sample!(Bernoulli::logits(&x1 * b + &x2 * b), units);
    let mu = deterministic!(&treat * b + &x1 + &x2 + &w, units);
    let y = sample!(Normal::new(mu, 1.0), units);
}

/// CEVAE-like: a latent per-unit confounder z of engagement and purchases (through the
/// deterministic mean `spend`).
#[model]
fn latent_confounder(n: usize) {
    let units = plate!(n);
    let z = sample!(Normal::new(0.0, 1.0), units);
    let engagement = sample!(Bernoulli::logits(z.clone()), units);
    let spend = deterministic!(&engagement + &z, units);
    let purchases = sample!(Normal::new(spend, 1.0), units);
}

/// Front door: u confounds t and y, t acts on y only through the observed mediator m.
#[model]
fn front_door(n: usize) {
    let units = plate!(n);
    let u = sample!(Normal::new(0.0, 1.0), units);
    let t = sample!(Normal::new(u.clone(), 1.0), units);
    let m = sample!(Normal::new(t.clone(), 1.0), units);
    let y = sample!(Normal::new(&m + &u, 1.0), units);
}

/// M-bias: m is a collider of two latent causes, one of t and one of y.
#[model]
fn m_bias(n: usize) {
    let units = plate!(n);
    let u1 = sample!(Normal::new(0.0, 1.0), units);
    let u2 = sample!(Normal::new(0.0, 1.0), units);
    let m = sample!(Normal::new(&u1 + &u2, 1.0), units);
    let t = sample!(Normal::new(u1, 1.0), units);
    let y = sample!(Normal::new(&t + &u2, 1.0), units);
}

/// The adjustment set and the flagged colliders of a back-door identification.
fn backdoor(id: &Identification) -> (&[&'static str], &[(&'static str, Path)]) {
    match id {
        Identification::Backdoor {
            adjustment,
            do_not_adjust,
            ..
        } => (adjustment, do_not_adjust),
        other => panic!("expected back-door identification, got {other}"),
    }
}

fn data(n: usize) -> DVector<f64> {
    DVector::from_element(n, 0.0)
}

#[test]
fn observed_confounders_are_a_minimal_backdoor_set() {
    let model = ObservedConfounders::new(3);
    let scenario = model
        .condition()
        .x1(data(3))
        .x2(data(3))
        .w(data(3))
        .treat(data(3))
        .y(data(3));
    let id = scenario.identify(ObservedConfounders::SITE.treat, ObservedConfounders::SITE.y);
    let (adjustment, do_not_adjust) = backdoor(&id);
    assert_eq!(adjustment, &["x1", "x2"]);
    assert!(do_not_adjust.is_empty());
    let dot = scenario.dot_identified(ObservedConfounders::SITE.treat, ObservedConfounders::SITE.y);
    for site in ["x1", "x2"] {
        assert!(dot.contains(&format!("\"{site}\" [label=\"{site}\\n~ Normal\", shape=ellipse, style=filled, color=darkorange, xlabel=\"adjust\"];")), "{dot}");
    }
    assert_eq!(
        id.to_string(),
        "effect of `treat` on `y`: identified by back-door adjustment for {x1, x2}"
    );
    // Without x2 observed, the path treat ← x2 → y stays open.
    let partial = model.condition().x1(data(3)).treat(data(3)).y(data(3));
    let id = partial.identify(ObservedConfounders::SITE.treat, ObservedConfounders::SITE.y);
    let Identification::NotIdentified { open_path, .. } = &id else {
        panic!("expected no identification, got {id}");
    };
    assert_eq!(open_path.to_string(), "treat ← x2 → y");
}

#[test]
fn a_latent_confounder_is_not_identified_and_its_path_is_named() {
    let model = LatentConfounder::new(3);
    let scenario = model.condition().engagement(data(3)).purchases(data(3));
    let id = scenario.identify(
        LatentConfounder::SITE.engagement,
        LatentConfounder::SITE.purchases,
    );
    assert_eq!(id.criterion(), "not identified");
    let Identification::NotIdentified {
        open_path,
        unobserved,
        ..
    } = &id
    else {
        unreachable!()
    };
    assert_eq!(open_path.to_string(), "engagement ← z → purchases");
    assert_eq!(unobserved, &["z"]);
    assert!(id.to_string().contains("parametric form"), "{id}");
    // The drawing marks the open path, through the deterministic `spend`, in red.
    let dot = scenario.dot_identified(
        LatentConfounder::SITE.engagement,
        LatentConfounder::SITE.purchases,
    );
    let red = |from: &str, to: &str| format!("\"{from}\" -> \"{to}\" [color=red, penwidth=2];");
    for (from, to) in [("z", "engagement"), ("z", "spend"), ("spend", "purchases")] {
        assert!(
            dot.contains(&red(from, to)),
            "{from} -> {to} not red in\n{dot}"
        );
    }
    assert!(dot.contains("\"engagement\" -> \"spend\";"), "{dot}");
    assert!(dot.contains("penwidth=3"), "{dot}");
}

#[test]
fn a_mediator_shielded_from_the_confounder_identifies_by_the_front_door() {
    let model = FrontDoor::new(3);
    let scenario = model.condition().t(data(3)).m(data(3)).y(data(3));
    let id = scenario.identify(FrontDoor::SITE.t, FrontDoor::SITE.y);
    let Identification::FrontDoor {
        mediators,
        open_path,
        ..
    } = &id
    else {
        panic!("expected front-door identification, got {id}");
    };
    assert_eq!(mediators, &["m"]);
    assert_eq!(open_path.to_string(), "t ← u → y");
    // With u observed, adjustment suffices.
    let all = model
        .condition()
        .u(data(3))
        .t(data(3))
        .m(data(3))
        .y(data(3));
    let id = all.identify(FrontDoor::SITE.t, FrontDoor::SITE.y);
    assert!(matches!(&id, Identification::Backdoor { adjustment, .. } if adjustment == &["u"]));
}

#[test]
fn m_bias_needs_no_adjustment_and_flags_the_collider() {
    let model = MBias::new(3);
    let scenario = model.condition().m(data(3)).t(data(3)).y(data(3));
    let id = scenario.identify(MBias::SITE.t, MBias::SITE.y);
    let (adjustment, do_not_adjust) = backdoor(&id);
    assert!(adjustment.is_empty());
    assert_eq!(do_not_adjust.len(), 1);
    assert_eq!(do_not_adjust[0].0, "m");
    assert_eq!(do_not_adjust[0].1.to_string(), "t ← u1 → m ← u2 → y");
    assert!(id.to_string().contains("do not adjust for `m`"), "{id}");
}

#[test]
fn parameters_and_deterministic_sites_are_not_confounders() {
    // `b` is read by treat and y but is a parameter (unplated); `mu` is contracted.
    let graph = Graph::new(ObservedConfounders::SITES);
    assert_eq!(
        graph.parents("mu").unwrap(),
        vec!["b", "x1", "x2", "w", "treat"]
    );
    assert_eq!(graph.descendants("treat").unwrap(), vec!["mu", "y"]);
    assert_eq!(
        graph.ancestors("y").unwrap(),
        vec!["b", "x1", "x2", "w", "treat", "mu"]
    );
}

#[test]
fn unknown_sites_are_typed_errors_naming_the_model_sites() {
    // Scenario::identify takes typed site handles; the name-based graph API reports.
    let e = Graph::new(MBias::SITES).parents("treatment").unwrap_err();
    assert_eq!(e.site, "treatment");
    assert!(e.to_string().contains("its sites: u1, u2, m, t, y"), "{e}");
}

/// Data arguments are observed nodes: a covariate read by the treatment and the outcome is
/// the adjustment set.
#[model]
fn data_confounded(x: &DVector<f64>) {
    let units = plate!(x.len());
    let beta = sample!(Normal::new(0.0, 1.0));
    let treat = sample!(Bernoulli::logits(beta * x), units);
    let gamma = sample!(Normal::new(0.0, 1.0));
    let y = sample!(Normal::new(beta * x + &treat * gamma, 1.0), units);
}

#[test]
fn data_arguments_are_observed_nodes_that_can_be_adjusted_for() {
    let x = DVector::from_element(3, 0.5);
    let model = DataConfounded::new(&x);
    let scenario = model.condition().treat(data(3)).y(data(3));
    let id = scenario.identify(DataConfounded::SITE.treat, DataConfounded::SITE.y);
    assert_eq!(
        id.to_string(),
        "effect of `treat` on `y`: identified by back-door adjustment for {x}"
    );
    let graph = Graph::new(DataConfounded::SITES);
    assert_eq!(graph.children("x").unwrap(), vec!["treat", "y"]);
    assert_eq!(graph.sites().last().unwrap().kind, SiteKind::Data);
    let dot = scenario.dot();
    assert!(
        dot.contains("\"x\" [label=\"x\", shape=parallelogram, style=filled];"),
        "{dot}"
    );
    assert!(dot.contains("\"x\" -> \"treat\";"), "{dot}");
}
