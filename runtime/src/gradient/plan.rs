//! [`LanePlan`]: which unconstrained coordinates get their own tangent lane and which share
//! one lane per plate.

use super::local::LocalLane;
use crate::handler::Layout;

/// The local latent sites of one plate and their lanes.
#[derive(Clone, Debug, PartialEq)]
pub struct PlateLanes {
    /// The plate's name.
    pub plate: &'static str,
    /// One lane per local latent site on the plate.
    pub lanes: Vec<LocalLane>,
    /// The sites, in the order of `lanes`.
    pub sites: Vec<&'static str>,
}

/// How the coordinates of a layout are seeded.
///
/// A latent site on a plate with one unconstrained real per element is *local*: its
/// elements share one lane (lanes `0..local_lanes()`), and per-element derivatives are read
/// off before plate sums ([`super::local`]). Every other coordinate is *global* and gets a
/// lane of its own after the local ones, in chunks when there are many.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LanePlan {
    globals: Vec<usize>,
    plates: Vec<PlateLanes>,
    local_lanes: usize,
}

impl LanePlan {
    /// The plan for `layout`, with the sites in `global` kept global even if they qualify as
    /// local (a coefficient vector on its own plate that a product mixes).
    pub fn new(layout: &Layout, global: &[&str]) -> Self {
        let mut plan = LanePlan::default();
        for block in &layout.blocks {
            match block.plate {
                Some(plate)
                    if block.len == plate.size
                        && block.len > 0
                        && !global.contains(&block.site) =>
                {
                    let lane = LocalLane {
                        lane: plan.local_lanes,
                        offset: block.offset,
                        len: block.len,
                    };
                    plan.local_lanes += 1;
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
                _ => plan.globals.extend(block.offset..block.offset + block.len),
            }
        }
        plan
    }

    /// The coordinates that get a lane each.
    pub fn globals(&self) -> &[usize] {
        &self.globals
    }
    /// The number of lanes shared by local latents (one per local site).
    pub fn local_lanes(&self) -> usize {
        self.local_lanes
    }
    /// The plates with local latents.
    pub fn plates(&self) -> &[PlateLanes] {
        &self.plates
    }
    /// The lanes read off in the plate sums of plate `name` (empty if it has no locals).
    pub fn lanes_of(&self, name: &str) -> &[LocalLane] {
        self.plates
            .iter()
            .find(|p| p.plate == name)
            .map_or(&[], |p| p.lanes.as_slice())
    }
    /// The local site whose lane is `lane`.
    pub fn site_of_lane(&self, lane: usize) -> Option<&'static str> {
        self.plates.iter().find_map(|p| {
            p.lanes
                .iter()
                .zip(&p.sites)
                .find(|(l, _)| l.lane == lane)
                .map(|(_, s)| *s)
        })
    }
}
