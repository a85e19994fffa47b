//! The causal graph of a query and d-separation on it.
//!
//! A query about `treatment → outcome` works on the model's random sites. Deterministic sites
//! have no noise of their own, so they are contracted (their parents become the parents of
//! their children), except the treatment and the outcome themselves. When the treatment lives
//! on a plate, unplated sites are the model's parameters, the fixed mechanisms of the
//! per-unit causal model, and are left out.

use super::{Graph, reachable};
use std::fmt;

/// The direction of one edge along a [`Path`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrow {
    /// `a → b`.
    Forward,
    /// `a ← b`.
    Backward,
}

/// A path between two sites, with the direction of each edge (`engagement ← z → purchases`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// The sites along the path.
    pub sites: Vec<&'static str>,
    /// `arrows[k]` is the edge between `sites[k]` and `sites[k + 1]` (missing when a search
    /// gave up before finding the path, printed `…`).
    pub arrows: Vec<Arrow>,
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.sites[0])?;
        for (k, site) in self.sites[1..].iter().enumerate() {
            let a = match self.arrows.get(k) {
                Some(Arrow::Forward) => "→",
                Some(Arrow::Backward) => "←",
                None => "…",
            };
            write!(f, " {a} {site}")?;
        }
        Ok(())
    }
}

/// The random sites of a query, edges through deterministic sites contracted.
pub(crate) struct CausalGraph {
    pub names: Vec<&'static str>,
    pub parents: Vec<Vec<usize>>,
    pub children: Vec<Vec<usize>>,
    pub observed: Vec<bool>,
}

/// The most simple paths a search for an open path looks at (the graphs are small; this only
/// bounds a pathological dense model).
const MAX_PATHS: usize = 200_000;

impl CausalGraph {
    /// The query graph of `graph` for `treatment` (a site index), `observed` per site.
    /// Returns the graph and the position of each kept site (`None` when left out).
    pub fn new(
        graph: &Graph,
        observed: &[bool],
        keep_always: &[usize],
        treatment: usize,
    ) -> (Self, Vec<Option<usize>>) {
        let plated = graph.sites[treatment].plate.is_some();
        let n = graph.sites.len();
        let kept: Vec<bool> = (0..n)
            .map(|i| {
                let parameter = plated && graph.sites[i].plate.is_none();
                keep_always.contains(&i) || (!graph.is_deterministic(i) && !parameter)
            })
            .collect();
        let mut position = vec![None; n];
        let mut names = Vec::new();
        for i in (0..n).filter(|&i| kept[i]) {
            position[i] = Some(names.len());
            names.push(graph.sites[i].name);
        }
        let mut parents = vec![Vec::new(); names.len()];
        for i in (0..n).filter(|&i| kept[i]) {
            let mut found = Vec::new();
            let mut stack = graph.parents[i].clone();
            let mut seen = vec![false; n];
            while let Some(p) = stack.pop() {
                if std::mem::replace(&mut seen[p], true) {
                    continue;
                }
                if kept[p] {
                    found.extend(position[p]);
                } else if graph.is_deterministic(p) {
                    stack.extend(&graph.parents[p]);
                }
            }
            found.sort_unstable();
            found.dedup();
            parents[position[i].unwrap_or_default()] = found;
        }
        let mut children = vec![Vec::new(); names.len()];
        for (c, ps) in parents.iter().enumerate() {
            ps.iter().for_each(|&p| children[p].push(c));
        }
        let observed = (0..n).filter(|&i| kept[i]).map(|i| observed[i]).collect();
        let g = CausalGraph {
            names,
            parents,
            children,
            observed,
        };
        (g, position)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }
    /// Descendants of `x` (not `x` itself).
    pub fn descendants(&self, x: usize) -> Vec<bool> {
        reachable(&self.children, &[x])
    }
    /// Ancestors of `x` (not `x` itself).
    pub fn ancestors(&self, x: usize) -> Vec<bool> {
        reachable(&self.parents, &[x])
    }

    /// Whether `x` and `y` are d-separated given `z`, in the graph whose edges out of the
    /// sites marked in `cut` are removed (moralized ancestral graph; Lauritzen et al. 1990).
    pub fn d_separated(&self, x: usize, y: usize, z: &[bool], cut: &[bool]) -> bool {
        let parents = |v: usize| self.parents[v].iter().copied().filter(move |&p| !cut[p]);
        let mut relevant = vec![false; self.len()];
        let mut stack: Vec<usize> = (0..self.len()).filter(|&v| z[v]).collect();
        stack.extend([x, y]);
        while let Some(v) = stack.pop() {
            if !std::mem::replace(&mut relevant[v], true) {
                stack.extend(parents(v));
            }
        }
        let mut moral = vec![Vec::new(); self.len()];
        for v in (0..self.len()).filter(|&v| relevant[v]) {
            let ps: Vec<usize> = parents(v).collect();
            for (k, &p) in ps.iter().enumerate() {
                moral[p].push(v);
                moral[v].push(p);
                for &q in &ps[k + 1..] {
                    moral[p].push(q);
                    moral[q].push(p);
                }
            }
        }
        let mut seen = vec![false; self.len()];
        let mut stack = vec![x];
        while let Some(v) = stack.pop() {
            if v == y {
                return false;
            }
            if !std::mem::replace(&mut seen[v], true) && !z[v] {
                stack.extend(&moral[v]);
            }
        }
        true
    }

    /// The shortest path from `x` to `y` that is open given `z`, starting with an edge into
    /// `x` when `backdoor`.
    pub fn open_path(&self, x: usize, y: usize, z: &[bool], backdoor: bool) -> Option<Path> {
        let in_z_below: Vec<bool> = (0..self.len())
            .map(|v| z[v] || self.descendants(v).iter().zip(z).any(|(d, zz)| *d && *zz))
            .collect();
        let mut frontier: Vec<Vec<(usize, Arrow)>> =
            self.steps(x, backdoor).map(|s| vec![s]).collect();
        let mut looked = 0;
        while !frontier.is_empty() && looked < MAX_PATHS {
            let mut next = Vec::new();
            for path in frontier {
                looked += 1;
                let &(last, arrow_in) = path.last().unwrap_or(&(x, Arrow::Forward));
                if last == y {
                    return Some(self.path(x, &path));
                }
                for (v, arrow_out) in self.steps(last, false) {
                    let visited = v == x || path.iter().any(|&(u, _)| u == v);
                    let collider = arrow_in == Arrow::Forward && arrow_out == Arrow::Backward;
                    let open = if collider { in_z_below[last] } else { !z[last] };
                    if !visited && open {
                        let mut longer = path.clone();
                        longer.push((v, arrow_out));
                        next.push(longer);
                    }
                }
            }
            frontier = next;
        }
        None
    }

    /// The edges out of `v` as (neighbour, direction); only edges into `v` when `into_only`.
    fn steps(&self, v: usize, into_only: bool) -> impl Iterator<Item = (usize, Arrow)> + '_ {
        let back = self.parents[v].iter().map(|&p| (p, Arrow::Backward));
        let forward = self.children[v].iter().map(|&c| (c, Arrow::Forward));
        back.chain(forward.filter(move |_| !into_only))
    }

    fn path(&self, x: usize, steps: &[(usize, Arrow)]) -> Path {
        let mut sites = vec![self.names[x]];
        sites.extend(steps.iter().map(|&(v, _)| self.names[v]));
        let arrows = steps.iter().map(|&(_, a)| a).collect();
        Path { sites, arrows }
    }

    /// Whether some directed path leads from `x` to `y` avoiding the sites marked in `avoid`.
    pub fn directed_path(&self, x: usize, y: usize, avoid: &[bool]) -> bool {
        let mut seen = vec![false; self.len()];
        let mut stack = vec![x];
        while let Some(v) = stack.pop() {
            if v == y {
                return true;
            }
            if !std::mem::replace(&mut seen[v], true) && (v == x || !avoid[v]) {
                stack.extend(&self.children[v]);
            }
        }
        false
    }
}
