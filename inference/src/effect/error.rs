//! [`EffectError`]: what can go wrong when computing or summarizing effects.

use super::Group;
use doppl_runtime::ModelError;

/// What can go wrong when computing or summarizing effects.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EffectError {
    /// Running a scenario failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The two scenarios' outcomes have different lengths.
    #[error(
        "the outcome has {treated} values under the treated scenario but {control} under the \
         control one (posterior draw {draw}); the outcome must be the same units in both"
    )]
    OutcomeLength {
        /// Length under the treated scenario.
        treated: usize,
        /// Length under the control scenario.
        control: usize,
        /// The draw (over all chains).
        draw: usize,
    },
    /// A per-draw value whose length changes from draw to draw.
    #[error(
        "the value has {found} entries in posterior draw {draw} but {expected} in the first; \
         it must cover the same units in every draw"
    )]
    RaggedDraws {
        /// The draw (over all chains).
        draw: usize,
        /// Its length.
        found: usize,
        /// The first draw's length.
        expected: usize,
    },
    /// A subgroup mask of the wrong length.
    #[error("the mask has {found} entries but the effects cover {units} units")]
    MaskLength {
        /// Units in the effects.
        units: usize,
        /// Entries in the mask.
        found: usize,
    },
    /// A subgroup mask that selects nobody.
    #[error("the mask selects no unit: a conditional effect needs at least one")]
    EmptyMask,
    /// A treatment assignment whose shape does not match the effects.
    #[error(
        "the treatment assignment is {found_draws} × {found_units} (draws × units) but the \
         effects are {draws} × {units}; pass one value per unit, or one row per draw"
    )]
    AssignmentShape {
        /// Draws in the effects.
        draws: usize,
        /// Units in the effects.
        units: usize,
        /// Rows of the assignment (1 for one value per unit).
        found_draws: usize,
        /// Columns of the assignment.
        found_units: usize,
    },
    /// A treatment value that is not a probability of treatment.
    #[error(
        "the treatment of unit {unit} in draw {draw} is {value}: the effect on the treated \
         weighs units by their treatment, which must lie in [0, 1]"
    )]
    InvalidAssignment {
        /// The draw.
        draw: usize,
        /// The unit.
        unit: usize,
        /// The value found.
        value: f64,
    },
    /// A draw in which no unit is in the arm averaged over.
    #[error("no unit is {arm} in draw {draw}: the effect on the {arm} is undefined there")]
    EmptyArm {
        /// `"treated"` or `"untreated"`.
        arm: &'static str,
        /// The draw.
        draw: usize,
    },
    /// The two sides of an effect query are about different units.
    #[error(
        "the treated side is {treated} but the control side is {control}; both sides must \
         describe the same units (build both scenarios on the same model value)"
    )]
    GroupMismatch {
        /// The treated side's group.
        treated: Group,
        /// The control side's group.
        control: Group,
    },
    /// The two sides cover different numbers of units.
    #[error(
        "the treated side has {treated} units but the control side has {control}; both \
         sides must cover the same units"
    )]
    UnitCount {
        /// Units on the treated side.
        treated: usize,
        /// Units on the control side.
        control: usize,
    },
    /// A precomputed side predicted another site than the query's outcome.
    #[error(
        "the {side} side was predicted for site `{found}` but the query's outcome is \
         `{expected}`; predict the same site on both sides"
    )]
    SiteMismatch {
        /// "treated" or "control".
        side: &'static str,
        /// The query's outcome.
        expected: &'static str,
        /// The site of the precomputed side.
        found: &'static str,
    },
    /// A precomputed side whose draws are not the posterior's.
    #[error(
        "the {side} side has {found} draws but the posterior has {expected}; predict it from \
         the same posterior"
    )]
    DrawCount {
        /// "treated" or "control".
        side: &'static str,
        /// Draws in the posterior.
        expected: usize,
        /// Rows of the precomputed side.
        found: usize,
    },
    /// The sides' random streams do not match the pairing asked for.
    #[error(
        "the treated side was simulated with seed {treated} and the control side with seed \
         {control}, but the query asks for {pairing} arms; {hint}"
    )]
    Pairing {
        /// The treated side's seed.
        treated: u64,
        /// The control side's seed.
        control: u64,
        /// "paired" or "independent".
        pairing: &'static str,
        /// How to fix it.
        hint: &'static str,
    },
    /// A query without one of its sides.
    #[error("the effect query has no {side} side; give it with `.{side}(…)`")]
    MissingSide {
        /// "treated" or "control".
        side: &'static str,
    },
    /// An interval probability outside (0, 1).
    #[error("the interval level is {level}; it must lie strictly between 0 and 1 (e.g. 0.89)")]
    IntervalLevel {
        /// The level given.
        level: f64,
    },
    /// A grouping column of the wrong length.
    #[error("the grouping column has {found} entries but the effects cover {units} units")]
    GroupingLength {
        /// Units in the effects.
        units: usize,
        /// Entries in the column.
        found: usize,
    },
    /// A unit index past the end.
    #[error("unit {index} is out of range: the effects cover {units} units")]
    UnitOutOfRange {
        /// The index asked for.
        index: usize,
        /// Units in the effects.
        units: usize,
    },
}
