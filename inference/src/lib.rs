//! NUTS, predictive sampling, effects and diagnostics for doppl models.
