//! The model graph as DOT (Graphviz), from the static site information.

use crate::model::{SiteInfo, SiteKind};
use std::fmt::Write;

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
    let mut out = format!("digraph {name} {{\n  rankdir=TB;\n");
    let mut plates: Vec<&str> = Vec::new();
    for plate in sites.iter().filter_map(|s| s.plate) {
        if !plates.contains(&plate) {
            plates.push(plate);
        }
    }
    for (k, plate) in plates.iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{k} {{\n    label=\"{plate}\";");
        for (i, s) in sites
            .iter()
            .enumerate()
            .filter(|(_, s)| s.plate == Some(plate))
        {
            let _ = writeln!(out, "    {}", node(s, observed[i], intervened[i]));
        }
        out.push_str("  }\n");
    }
    for (i, s) in sites.iter().enumerate().filter(|(_, s)| s.plate.is_none()) {
        let _ = writeln!(out, "  {}", node(s, observed[i], intervened[i]));
    }
    for (i, s) in sites.iter().enumerate() {
        if intervened[i] {
            continue;
        }
        for p in s.parents {
            let _ = writeln!(out, "  \"{p}\" -> \"{}\";", s.name);
        }
    }
    out.push_str("}\n");
    out
}

fn node(s: &SiteInfo, observed: bool, intervened: bool) -> String {
    let label = if intervened {
        format!("do({})", s.name)
    } else if s.kind == SiteKind::Sample {
        format!("{}\\n~ {}", s.name, s.family)
    } else {
        s.name.to_string()
    };
    let shape = if intervened { "box" } else { "ellipse" };
    let style = match (s.kind, observed) {
        (_, true) => "filled",
        (SiteKind::Deterministic, false) => "dashed",
        (SiteKind::Sample, false) => "solid",
    };
    format!(
        "\"{}\" [label=\"{label}\", shape={shape}, style={style}];",
        s.name
    )
}
