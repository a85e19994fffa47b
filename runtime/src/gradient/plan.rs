//! [`LanePlan`]: which unconstrained coordinates get their own tangent lane and which share
//! one lane per plate.

use super::local::{GatheredLane, LocalLane, PlateReads};
use crate::handler::Layout;

/// The fewest coefficients for which a product `X · β` is projected rather than `β` given a
/// lane per coefficient. The projection trades lanes for a per-row read-off and `Xᵀ g`;
/// measured (BENCHMARKS.md): Lalonde's 7 coefficients 14% slower projected (16.9 vs 14.8 µs),
/// the logistic regression's 50 about 1.5× faster.
pub const MIN_PROJECTED_LEN: usize = 16;

/// The local latent sites of one plate and their lanes.
#[derive(Clone, Debug, PartialEq)]
pub struct PlateLanes {
    /// The plate's name.
    pub plate: &'static str,
    /// One lane (three for a gathered site) per local latent site on the plate.
    pub lanes: Vec<LocalLane>,
    /// The sites, in the order of `lanes`.
    pub sites: Vec<&'static str>,
}

/// How the coordinates of a layout are seeded.
///
/// A latent site on a plate with one unconstrained real per element is *local*: its
/// elements share one lane (lanes `0..local_lanes()`), and per-element derivatives are read
/// off before plate sums ([`super::local`]); a *gathered* local site, read by other plates
/// through an index, takes two more lanes for the element index. Every other coordinate is
/// *global* and gets a lane of its own after the local ones, in chunks when there are many.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LanePlan {
    globals: Vec<usize>,
    plates: Vec<PlateLanes>,
    gathered: Vec<GatheredLane>,
    local_lanes: usize,
}

impl LanePlan {
    /// The plan for `layout`, with the sites in `global` kept global even if they qualify as
    /// local (a coefficient vector on its own plate that a product mixes), and the sites in
    /// `gathered` seeded with index lanes.
    pub fn new(layout: &Layout, global: &[&str], gathered: &[&str]) -> Self {
        let mut plan = LanePlan::default();
        for block in &layout.blocks {
            let plate = match block.plate {
                Some(p)
                    if block.len == p.size && block.len > 0 && !global.contains(&block.site) =>
                {
                    p
                }
                _ => {
                    plan.globals.extend(block.offset..block.offset + block.len);
                    continue;
                }
            };
            let first = plan.local_lanes;
            let is_gathered = gathered.contains(&block.site);
            let lane = LocalLane {
                lane: first,
                offset: block.offset,
                len: block.len,
                index_lanes: is_gathered.then_some((first + 1, first + 2)),
            };
            plan.local_lanes += if is_gathered { 3 } else { 1 };
            if is_gathered {
                plan.gathered.push(GatheredLane {
                    home: plate.name,
                    site: block.site,
                    lane,
                });
            }
            match plan.plates.iter_mut().find(|p| p.plate == plate.name) {
                Some(p) => {
                    p.lanes.push(lane);
                    p.sites.push(block.site);
                }
                None => plan.plates.push(PlateLanes {
                    plate: plate.name,
                    lanes: vec![lane],
                    sites: vec![block.site],
                }),
            }
        }
        plan
    }

    /// The coordinates that get a lane each.
    pub fn globals(&self) -> &[usize] {
        &self.globals
    }
    /// The number of lanes shared by local latents.
    pub fn local_lanes(&self) -> usize {
        self.local_lanes
    }
    /// The plates with local latents.
    pub fn plates(&self) -> &[PlateLanes] {
        &self.plates
    }
    /// What the plate sums of plate `name` read: its own local sites and the gathered sites
    /// of other plates.
    pub fn reads_of<'a>(&'a self, name: &'a str) -> PlateReads<'a> {
        let home = self
            .plates
            .iter()
            .find(|p| p.plate == name)
            .map_or(&[][..], |p| p.lanes.as_slice());
        PlateReads {
            plate: name,
            home,
            gathered: &self.gathered,
        }
    }
    /// The local lanes of sites that a data-matrix product may project: coefficient vectors
    /// of at least [`MIN_PROJECTED_LEN`] elements, not gathered (a product could not tell
    /// their index lanes apart).
    pub fn projectable(&self) -> Vec<LocalLane> {
        let lanes = self.plates.iter().flat_map(|p| p.lanes.iter().copied());
        let fits = |l: &LocalLane| l.index_lanes.is_none() && l.len >= MIN_PROJECTED_LEN;
        lanes.filter(fits).collect()
    }
    /// Whether a local site is read by other plates through an index.
    pub fn has_gathered(&self) -> bool {
        !self.gathered.is_empty()
    }
    /// The lanes of the local site whose coordinates start at `offset`, if one does.
    pub fn local_lane_at(&self, offset: usize) -> Option<LocalLane> {
        let lanes = self.plates.iter().flat_map(|p| p.lanes.iter());
        lanes.copied().find(|l| l.offset == offset)
    }
    /// The local site seeded in `lane` (its value lane or an index lane).
    pub fn site_of_lane(&self, lane: usize) -> Option<&'static str> {
        self.plates.iter().find_map(|p| {
            p.lanes
                .iter()
                .zip(&p.sites)
                .find(|(l, _)| l.all_lanes().any(|k| k == lane))
                .map(|(_, s)| *s)
        })
    }
}
