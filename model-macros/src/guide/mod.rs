//! `#[guide(for = Model, observed(a, b))]`: a variational family written as a function.
//!
//! The pipeline is the model's (parse → IR → check → expand): the body is parsed by
//! [`crate::parse`] into the same IR, where `param!` statements become
//! [`crate::ir::Statement::Param`]. The expansion builds the model's latent-site record from
//! the guide's draws, so coverage is the compiler's to check ([`expand`]).

mod attr;
mod expand;

use crate::errors::Errors;

/// The whole `#[guide]` macro on `proc_macro2` tokens.
pub fn expand_guide(
    attr: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let mut errors = Errors::default();
    let target = attr::parse_target(attr, &mut errors);
    let function: syn::ItemFn = match syn::parse2(item) {
        Ok(f) => f,
        Err(e) => return e.to_compile_error(),
    };
    let guide = crate::parse::parse_model(&function, &mut errors);
    crate::check::check_guide(&guide, &mut errors);
    let mut out = expand::expand(&guide, target.as_ref(), errors.is_empty());
    out.extend(errors.into_compile_errors());
    out
}
