//! The model graph as DOT (Graphviz), from the static site information.

use super::{Arrow, Graph, Identification};
use crate::model::{SiteInfo, SiteKind};
use std::fmt::Write;

/// What an identification adds to the drawing: the treatment and the outcome (bold), the
/// adjustment set or the front-door mediators (labelled), the open path (red edges).
#[derive(Clone, Debug, Default)]
struct Marks {
    treatment: Option<&'static str>,
    outcome: Option<&'static str>,
    labelled: Vec<(&'static str, &'static str)>,
    /// Edges of the open path; an edge contracted through deterministic sites (`z → μ → y`
    /// drawn for the path's `z → y`) comes with the deterministic sites between.
    red_edges: Vec<(&'static str, &'static str, Vec<&'static str>)>,
}

impl Marks {
    fn of(id: &Identification, graph: &Graph) -> Self {
        let (t, y, labelled, path) = match id {
            Identification::Backdoor {
                treatment,
                outcome,
                adjustment,
                ..
            } => (treatment, outcome, (adjustment, "adjust"), None),
            Identification::FrontDoor {
                treatment,
                outcome,
                mediators,
                open_path,
            } => (
                treatment,
                outcome,
                (mediators, "front door"),
                Some(open_path),
            ),
            Identification::NotIdentified {
                treatment,
                outcome,
                open_path,
                ..
            } => (treatment, outcome, (&Vec::new(), ""), Some(open_path)),
        };
        let red_edges = path.map_or(Vec::new(), |p| {
            let steps = p.sites.windows(2).zip(&p.arrows);
            steps
                .map(|(w, a)| match a {
                    Arrow::Forward => (w[0], w[1]),
                    Arrow::Backward => (w[1], w[0]),
                })
                .map(|(from, to)| (from, to, between(graph, from, to)))
                .collect()
        });
        Marks {
            treatment: Some(t),
            outcome: Some(y),
            labelled: labelled.0.iter().map(|s| (*s, labelled.1)).collect(),
            red_edges,
        }
    }
    fn node_attributes(&self, site: &str) -> String {
        let mut out = String::new();
        if self.treatment == Some(site) || self.outcome == Some(site) {
            out.push_str(", penwidth=3");
        }
        if let Some((_, label)) = self.labelled.iter().find(|(s, _)| *s == site) {
            let _ = write!(out, ", color=darkorange, xlabel=\"{label}\"");
        }
        out
    }
    fn edge_attributes(&self, from: &str, to: &str) -> &'static str {
        let on_path = self.red_edges.iter().any(|(a, b, via)| {
            (from == *a || via.contains(&from)) && (to == *b || via.contains(&to))
        });
        match on_path {
            true => " [color=red, penwidth=2]",
            false => "",
        }
    }
}

/// The deterministic sites on chains `from → d → … → to` of deterministic sites only.
fn between(graph: &Graph, from: &str, to: &str) -> Vec<&'static str> {
    let (Ok(a), Ok(b)) = (graph.index(from), graph.index(to)) else {
        return Vec::new();
    };
    let deterministic = |i: usize| graph.is_deterministic(i);
    let only_deterministic = |edges: &[Vec<usize>]| -> Vec<Vec<usize>> {
        let keep = |v: &usize| deterministic(*v);
        edges
            .iter()
            .map(|e| e.iter().copied().filter(keep).collect())
            .collect()
    };
    let below_a = super::reachable(&only_deterministic(&graph.children), &[a]);
    let above_b = super::reachable(&only_deterministic(&graph.parents), &[b]);
    let sites = graph.sites.iter().enumerate();
    sites
        .filter(|(i, _)| below_a[*i] && above_b[*i])
        .map(|(_, s)| s.name)
        .collect()
}

/// DOT text for a model: one node per site (deterministic sites as ellipses with dashed
/// borders, observed ones shaded, intervened ones as boxes labelled `do(·)` with their
/// incoming edges removed), plates as clusters.
///
/// ```
/// use doppl_runtime::model::{SiteInfo, SiteKind};
/// let sites = [
///     SiteInfo { name: "a", kind: SiteKind::Sample, family: "Normal", plate: None, parents: &[] },
///     SiteInfo { name: "y", kind: SiteKind::Sample, family: "Normal", plate: None, parents: &["a"] },
/// ];
/// let dot = doppl_runtime::graph::dot("m", &sites, &[false, true], &[true, false]);
/// assert!(dot.contains("\"a\" -> \"y\""));
/// assert!(dot.contains("do(a)"));
/// ```
pub fn dot(name: &str, sites: &[SiteInfo], observed: &[bool], intervened: &[bool]) -> String {
    drawn(name, sites, observed, intervened, &Marks::default())
}

/// [`dot`] with an identification drawn on it: treatment and outcome bold, the adjustment
/// set or the front-door mediators orange and labelled, the open back-door path red.
///
/// ```
/// use doppl_runtime::graph::{Graph, dot_identified, identify};
/// use doppl_runtime::model::{SiteInfo, SiteKind};
/// let site = |name, parents| SiteInfo { name, kind: SiteKind::Sample, family: "Normal", plate: Some("units"), parents };
/// let sites = [site("x", &[]), site("t", &["x"]), site("y", &["t", "x"])];
/// let id = identify(&Graph::new(&sites), &[false, true, true], "t", "y").unwrap();
/// let dot = dot_identified("m", &sites, &[false, true, true], &[false; 3], &id);
/// assert!(dot.contains("\"x\" -> \"t\" [color=red, penwidth=2];"));
/// assert!(dot.contains("\"x\" -> \"y\" [color=red, penwidth=2];"));
/// assert!(dot.contains("\"t\" -> \"y\";"));
/// ```
pub fn dot_identified(
    name: &str,
    sites: &[SiteInfo],
    observed: &[bool],
    intervened: &[bool],
    identification: &Identification,
) -> String {
    let marks = Marks::of(identification, &Graph::new(sites));
    drawn(name, sites, observed, intervened, &marks)
}

fn drawn(
    name: &str,
    sites: &[SiteInfo],
    observed: &[bool],
    intervened: &[bool],
    marks: &Marks,
) -> String {
    // The nodes are the sites and the data arguments they read (observed, never intervened).
    let graph = Graph::new(sites);
    let nodes = graph.sites();
    let (observed, intervened) = (graph.pad(observed, true), graph.pad(intervened, false));
    let mut out = format!("digraph {name} {{\n  rankdir=TB;\n");
    let mut plates: Vec<&str> = Vec::new();
    for plate in nodes.iter().filter_map(|s| s.plate) {
        if !plates.contains(&plate) {
            plates.push(plate);
        }
    }
    for (k, plate) in plates.iter().enumerate() {
        // An inline plate is named by its size expression, which may hold quotes.
        let label = plate.replace('"', "\\\"");
        let _ = writeln!(out, "  subgraph cluster_{k} {{\n    label=\"{label}\";");
        for (i, s) in nodes
            .iter()
            .enumerate()
            .filter(|(_, s)| s.plate == Some(plate))
        {
            let _ = writeln!(out, "    {}", node(s, observed[i], intervened[i], marks));
        }
        out.push_str("  }\n");
    }
    for (i, s) in nodes.iter().enumerate().filter(|(_, s)| s.plate.is_none()) {
        let _ = writeln!(out, "  {}", node(s, observed[i], intervened[i], marks));
    }
    for (i, s) in nodes.iter().enumerate() {
        if intervened[i] {
            continue;
        }
        for p in s.parents {
            let style = marks.edge_attributes(p, s.name);
            let _ = writeln!(out, "  \"{p}\" -> \"{}\"{style};", s.name);
        }
    }
    out.push_str("}\n");
    out
}

fn node(s: &SiteInfo, observed: bool, intervened: bool, marks: &Marks) -> String {
    let label = if intervened {
        format!("do({})", s.name)
    } else if s.kind == SiteKind::Sample {
        format!("{}\\n~ {}", s.name, s.family)
    } else {
        s.name.to_string()
    };
    let shape = match (intervened, s.kind) {
        (true, _) => "box",
        (false, SiteKind::Data) => "parallelogram",
        (false, _) => "ellipse",
    };
    let style = match (s.kind, observed) {
        (_, true) | (SiteKind::Data, _) => "filled",
        (SiteKind::Deterministic, false) => "dashed",
        (SiteKind::Sample, false) => "solid",
    };
    let extra = marks.node_attributes(s.name);
    format!(
        "\"{}\" [label=\"{label}\", shape={shape}, style={style}{extra}];",
        s.name
    )
}
