//! Constraint transforms: bijections from the reals onto a support, with ln |det J|.
