//! Identification of a causal effect from the model's graph: back-door adjustment (Pearl
//! 1993), the front-door criterion (Pearl 1995), or the open path that defeats both.

use super::paths::{CausalGraph, Path};
use super::{Graph, UnknownSite};
use std::fmt;

/// How the effect of `do(treatment)` on the outcome is identified by the graph alone.
///
/// In a Bayesian model every unobserved site is modelled, so the posterior answers even when
/// the graph does not identify the effect; then the answer rests on the parametric form of
/// the model for the unobserved sites, and this report says so.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Identification {
    /// Identified by adjusting for `adjustment` (observed sites, none a descendant of the
    /// treatment, blocking every back-door path; minimal: no site can be dropped). Empty
    /// when no back-door path is open.
    Backdoor {
        /// The treatment site.
        treatment: &'static str,
        /// The outcome site.
        outcome: &'static str,
        /// A minimal adjustment set.
        adjustment: Vec<&'static str>,
        /// Observed sites that must *not* be adjusted for: each opens a back-door path
        /// (a collider, as in M-bias), shown with the path it opens.
        do_not_adjust: Vec<(&'static str, Path)>,
    },
    /// Not identified by adjustment, but by the front-door criterion through `mediators`.
    FrontDoor {
        /// The treatment site.
        treatment: &'static str,
        /// The outcome site.
        outcome: &'static str,
        /// Observed sites intercepting every directed path from treatment to outcome.
        mediators: Vec<&'static str>,
        /// A back-door path no observed set blocks.
        open_path: Path,
    },
    /// Neither: a back-door path stays open whatever observed sites are adjusted for.
    NotIdentified {
        /// The treatment site.
        treatment: &'static str,
        /// The outcome site.
        outcome: &'static str,
        /// The shortest such path.
        open_path: Path,
        /// The unobserved sites on it.
        unobserved: Vec<&'static str>,
    },
}

impl Identification {
    /// A short name of the criterion: `"backdoor"`, `"frontdoor"` or `"not identified"`.
    pub fn criterion(&self) -> &'static str {
        match self {
            Identification::Backdoor { .. } => "backdoor",
            Identification::FrontDoor { .. } => "frontdoor",
            Identification::NotIdentified { .. } => "not identified",
        }
    }
    /// Whether the graph alone identifies the effect.
    pub fn is_identified(&self) -> bool {
        !matches!(self, Identification::NotIdentified { .. })
    }
}

fn set(names: &[&str]) -> String {
    match names {
        [] => "∅".to_string(),
        _ => format!("{{{}}}", names.join(", ")),
    }
}

impl fmt::Display for Identification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identification::Backdoor {
                treatment,
                outcome,
                adjustment,
                do_not_adjust,
            } => {
                let how = match adjustment.is_empty() {
                    true => "back-door adjustment for ∅ (no back-door path is open)".to_string(),
                    false => format!("back-door adjustment for {}", set(adjustment)),
                };
                write!(
                    f,
                    "effect of `{treatment}` on `{outcome}`: identified by {how}"
                )?;
                for (site, path) in do_not_adjust {
                    write!(f, "\n  do not adjust for `{site}`: it opens {path}")?;
                }
                Ok(())
            }
            Identification::FrontDoor {
                treatment,
                outcome,
                mediators,
                open_path,
            } => write!(
                f,
                "effect of `{treatment}` on `{outcome}`: identified by the front-door criterion \
                 through {} (no adjustment closes {open_path})",
                set(mediators)
            ),
            Identification::NotIdentified {
                treatment,
                outcome,
                open_path,
                unobserved,
            } => write!(
                f,
                "effect of `{treatment}` on `{outcome}`: not identified by adjustment or front \
                 door: {open_path} stays open ({} unobserved); the posterior answers only \
                 through the model's parametric form for {}",
                set(unobserved),
                set(unobserved)
            ),
        }
    }
}

/// Identifies the effect of `do(treatment)` on `outcome` in the graph of `graph`, the sites
/// marked in `observed` being observed (conditioned).
///
/// ```
/// use doppl_runtime::graph::{Graph, identify};
/// use doppl_runtime::model::{SiteInfo, SiteKind};
/// let site = |name, parents| SiteInfo { name, kind: SiteKind::Sample, family: "Normal", plate: Some("units"), parents };
/// // x confounds t and y: adjust for x.
/// let graph = Graph::new(&[site("x", &[]), site("t", &["x"]), site("y", &["t", "x"])]);
/// let id = identify(&graph, &[true, true, true], "t", "y").unwrap();
/// assert_eq!(id.to_string(), "effect of `t` on `y`: identified by back-door adjustment for {x}");
/// // x unobserved: the path t ← x → y stays open.
/// let id = identify(&graph, &[false, true, true], "t", "y").unwrap();
/// assert!(!id.is_identified());
/// assert!(id.to_string().contains("t ← x → y"));
/// ```
pub fn identify(
    graph: &Graph,
    observed: &[bool],
    treatment: &str,
    outcome: &str,
) -> Result<Identification, UnknownSite> {
    let (t_site, y_site) = (graph.index(treatment)?, graph.index(outcome)?);
    Ok(identify_at(graph, observed, t_site, y_site))
}

/// [`identify`] for the nodes at positions `t_site` and `y_site` of `graph`; `observed`
/// has one entry per site (data nodes are observed).
pub(crate) fn identify_at(
    graph: &Graph,
    observed: &[bool],
    t_site: usize,
    y_site: usize,
) -> Identification {
    let observed = graph.pad(observed, true);
    let (g, position) = CausalGraph::new(graph, &observed, &[t_site, y_site], t_site);
    let (t, y) = (
        position[t_site].unwrap_or_default(),
        position[y_site].unwrap_or_default(),
    );
    let (treatment, outcome) = (g.names[t], g.names[y]);
    let mut only_t = vec![false; g.len()];
    only_t[t] = true;
    let canonical = canonical_adjustment(&g, t, y);
    if g.d_separated(t, y, &canonical, &only_t) {
        let adjustment = minimal(&g, canonical, |z| g.d_separated(t, y, z, &only_t));
        let do_not_adjust = colliders(&g, t, y, &adjustment, &only_t);
        return Identification::Backdoor {
            treatment,
            outcome,
            adjustment: names(&g, &adjustment),
            do_not_adjust,
        };
    }
    let open_path = g
        .open_path(t, y, &canonical, true)
        .unwrap_or_else(|| unreachable_path(&g, t, y));
    if let Some(mediators) = front_door(&g, t, y) {
        return Identification::FrontDoor {
            treatment,
            outcome,
            mediators: names(&g, &mediators),
            open_path,
        };
    }
    let unobserved = open_path
        .sites
        .iter()
        .filter(|s| {
            g.names
                .iter()
                .position(|n| n == *s)
                .is_some_and(|i| !g.observed[i])
        })
        .copied()
        .collect();
    Identification::NotIdentified {
        treatment,
        outcome,
        open_path,
        unobserved,
    }
}

/// Observed ancestors of treatment or outcome that are not descendants of the treatment: a
/// valid adjustment set whenever one exists (van der Zander, Liśkiewicz & Textor 2014).
fn canonical_adjustment(g: &CausalGraph, t: usize, y: usize) -> Vec<bool> {
    let (at, ay, dt) = (g.ancestors(t), g.ancestors(y), g.descendants(t));
    (0..g.len())
        .map(|v| v != t && v != y && g.observed[v] && (at[v] || ay[v]) && !dt[v])
        .collect()
}

/// `set` with sites dropped, last first, while `valid` holds: a minimal set.
fn minimal(g: &CausalGraph, mut set: Vec<bool>, valid: impl Fn(&[bool]) -> bool) -> Vec<bool> {
    for v in (0..g.len()).rev() {
        if set[v] {
            set[v] = false;
            if !valid(&set) {
                set[v] = true;
            }
        }
    }
    set
}

/// Observed non-descendants of the treatment outside `adjustment` whose addition opens a
/// back-door path, with that path.
fn colliders(
    g: &CausalGraph,
    t: usize,
    y: usize,
    adjustment: &[bool],
    cut: &[bool],
) -> Vec<(&'static str, Path)> {
    let dt = g.descendants(t);
    let candidates = (0..g.len()).filter(|&v| v != t && v != y && g.observed[v]);
    candidates
        .filter(|&v| !adjustment[v] && !dt[v])
        .filter_map(|v| {
            let mut z = adjustment.to_vec();
            z[v] = true;
            if g.d_separated(t, y, &z, cut) {
                return None;
            }
            g.open_path(t, y, &z, true).map(|p| (g.names[v], p))
        })
        .collect()
}

/// Observed mediators satisfying the front-door criterion: they intercept every directed
/// path from `t` to `y`, no back-door path from `t` to them is open, and `t` blocks every
/// back-door path from them to `y`. The smallest such set found from all candidates.
fn front_door(g: &CausalGraph, t: usize, y: usize) -> Option<Vec<bool>> {
    let (dt, ay) = (g.descendants(t), g.ancestors(y));
    let candidates: Vec<bool> = (0..g.len())
        .map(|v| v != t && v != y && g.observed[v] && dt[v] && ay[v])
        .collect();
    let valid = |m: &[bool]| {
        let (mut only_t, nothing) = (vec![false; g.len()], vec![false; g.len()]);
        only_t[t] = true;
        let intercepts = !g.directed_path(t, y, m);
        let from_t = (0..g.len())
            .filter(|&v| m[v])
            .all(|v| g.d_separated(t, v, &nothing, &only_t));
        let to_y = (0..g.len())
            .filter(|&v| m[v])
            .all(|v| g.d_separated(v, y, &only_t, m));
        intercepts && from_t && to_y
    };
    (candidates.iter().any(|c| *c) && valid(&candidates)).then(|| minimal(g, candidates, valid))
}

fn names(g: &CausalGraph, set: &[bool]) -> Vec<&'static str> {
    (0..g.len())
        .filter(|&v| set[v])
        .map(|v| g.names[v])
        .collect()
}

/// The report's path when the search gave up on a pathological graph: `t … y`.
fn unreachable_path(g: &CausalGraph, t: usize, y: usize) -> Path {
    Path {
        sites: vec![g.names[t], g.names[y]],
        arrows: Vec::new(),
    }
}
