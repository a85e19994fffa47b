//! The model's site graph: DOT output ([`dot`]), structure queries ([`Graph`]) and
//! identification of causal effects from the graph alone ([`identify`]).
//!
//! `#[model]` records, for every site, the sites its expression reads ([`SiteInfo::parents`]);
//! that is the model's causal graph, known at compile time and independent of the data.

mod dot;
mod identify;
mod paths;

pub use dot::{dot, dot_identified};
pub(crate) use identify::identify_at;
pub use identify::{Identification, identify};
pub use paths::{Arrow, Path};

use crate::model::{SiteInfo, SiteKind};

/// A site name that is not in the model, with the names that are.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the model has no site `{site}` (its sites: {})", known.join(", "))]
pub struct UnknownSite {
    /// The name asked for.
    pub site: String,
    /// The model's sites.
    pub known: Vec<&'static str>,
}

/// The directed graph of a model's sites: an edge `p → s` when site `s` reads site `p`.
///
/// ```
/// use doppl_runtime::graph::Graph;
/// use doppl_runtime::model::{SiteInfo, SiteKind};
/// let site = |name, parents| SiteInfo { name, kind: SiteKind::Sample, family: "Normal", plate: None, parents };
/// let graph = Graph::new(&[site("a", &[]), site("b", &["a"]), site("c", &["b"])]);
/// assert_eq!(graph.parents("c").unwrap(), vec!["b"]);
/// assert_eq!(graph.ancestors("c").unwrap(), vec!["a", "b"]);
/// assert_eq!(graph.descendants("a").unwrap(), vec!["b", "c"]);
/// assert!(graph.children("d").is_err());
/// ```
#[derive(Clone, Debug)]
pub struct Graph {
    /// The sites, then the data nodes.
    sites: Vec<SiteInfo>,
    /// How many of `sites` are the model's sites.
    site_count: usize,
    parents: Vec<Vec<usize>>,
    children: Vec<Vec<usize>>,
}

impl Graph {
    /// The graph of `sites` (a model's [`crate::model::Model::SITES`]); every parent that
    /// is not a site (a data argument) becomes a [`SiteKind::Data`] node after the sites,
    /// on the plate of the first site that reads it.
    pub fn new(sites: &[SiteInfo]) -> Self {
        let mut nodes = sites.to_vec();
        for s in sites {
            for &p in s.parents {
                if !nodes.iter().any(|n| n.name == p) {
                    nodes.push(SiteInfo {
                        name: p,
                        kind: SiteKind::Data,
                        family: "",
                        plate: s.plate,
                        parents: &[],
                    });
                }
            }
        }
        let index = |name: &str| nodes.iter().position(|s| s.name == name);
        let parents: Vec<Vec<usize>> = nodes
            .iter()
            .map(|s| s.parents.iter().filter_map(|p| index(p)).collect())
            .collect();
        let mut children = vec![Vec::new(); nodes.len()];
        for (s, ps) in parents.iter().enumerate() {
            for &p in ps {
                children[p].push(s);
            }
        }
        Graph {
            site_count: sites.len(),
            sites: nodes,
            parents,
            children,
        }
    }
    /// `mask` (one entry per site, as a model's masks) extended to every node, the data
    /// nodes set to `data`.
    pub fn pad(&self, mask: &[bool], data: bool) -> Vec<bool> {
        let mut out = mask.to_vec();
        out.resize(self.site_count, false);
        out.resize(self.sites.len(), data);
        out
    }
    /// The nodes: the sites in model order, then the data arguments they read.
    pub fn sites(&self) -> &[SiteInfo] {
        &self.sites
    }
    /// The position of site `name`.
    pub fn index(&self, name: &str) -> Result<usize, UnknownSite> {
        self.sites
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| UnknownSite {
                site: name.to_string(),
                known: self.sites.iter().map(|s| s.name).collect(),
            })
    }
    /// The sites `name` reads.
    pub fn parents(&self, name: &str) -> Result<Vec<&'static str>, UnknownSite> {
        Ok(self.names(&self.parents[self.index(name)?]))
    }
    /// The sites that read `name`.
    pub fn children(&self, name: &str) -> Result<Vec<&'static str>, UnknownSite> {
        Ok(self.names(&self.children[self.index(name)?]))
    }
    /// Every site `name` depends on, directly or not, in model order.
    pub fn ancestors(&self, name: &str) -> Result<Vec<&'static str>, UnknownSite> {
        let reach = reachable(&self.parents, &[self.index(name)?]);
        Ok(self.marked(&reach))
    }
    /// Every site that depends on `name`, directly or not, in model order.
    pub fn descendants(&self, name: &str) -> Result<Vec<&'static str>, UnknownSite> {
        let reach = reachable(&self.children, &[self.index(name)?]);
        Ok(self.marked(&reach))
    }
    /// Which sites depend, directly or not, on any site where `marks` is true (indexed like
    /// [`Graph::sites`]; a marked site is included only if it depends on another).
    pub fn downstream(&self, marks: &[bool]) -> Vec<bool> {
        let start: Vec<usize> = (0..marks.len().min(self.sites.len()))
            .filter(|&i| marks[i])
            .collect();
        reachable(&self.children, &start)
    }
    fn names(&self, indices: &[usize]) -> Vec<&'static str> {
        let mut marks = vec![false; self.sites.len()];
        indices.iter().for_each(|&i| marks[i] = true);
        self.marked(&marks)
    }
    fn marked(&self, marks: &[bool]) -> Vec<&'static str> {
        let sites = self.sites.iter().zip(marks);
        sites.filter(|(_, m)| **m).map(|(s, _)| s.name).collect()
    }
    /// Whether site `i` is deterministic.
    fn is_deterministic(&self, i: usize) -> bool {
        self.sites[i].kind == SiteKind::Deterministic
    }
}

/// The nodes reachable from `start` along `edges` (`start` itself only if on a cycle).
pub(crate) fn reachable(edges: &[Vec<usize>], start: &[usize]) -> Vec<bool> {
    let mut seen = vec![false; edges.len()];
    let mut stack: Vec<usize> = start.iter().flat_map(|&s| edges[s].clone()).collect();
    while let Some(n) = stack.pop() {
        if !seen[n] {
            seen[n] = true;
            stack.extend(&edges[n]);
        }
    }
    seen
}
