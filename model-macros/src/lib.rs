//! Procedural macros of doppl.
