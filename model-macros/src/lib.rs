//! The `#[model]` attribute macro of doppl.
//!
//! The pipeline is parse → IR → check → expand (modules `parse`, `ir`, `check`, `expand`).
//! Errors are `syn::Error`s on the user's tokens, accumulated and reported together; the
//! items are still emitted (with a body that is never run) so that one mistake does not bury
//! the user's code in secondary errors. The macro never panics.

mod args;
mod check;
mod errors;
mod expand;
mod ir;
mod parse;

use proc_macro::TokenStream;

/// Turns a function whose `let` statements hold `sample!`, `deterministic!` and `plate!` into
/// a typed model: a struct holding the arguments, a trace type with one field per site,
/// typed `condition()` / `intervene()` builders, and an implementation of
/// `doppl::runtime::Model` whose body is generic over the scalar and the effect handler.
///
/// See the `doppl` crate documentation for the model language.
#[proc_macro_attribute]
pub fn model(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand_model(attr.into(), item.into()).into()
}

/// The whole macro on `proc_macro2` tokens (testable outside a compiler invocation).
fn expand_model(
    attr: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let mut errors = errors::Errors::default();
    if !attr.is_empty() {
        errors.push(syn::Error::new_spanned(
            &attr,
            "#[model] takes no arguments",
        ));
    }
    let function: syn::ItemFn = match syn::parse2(item) {
        Ok(f) => f,
        Err(e) => return e.to_compile_error(),
    };
    let model = parse::parse_model(&function, &mut errors);
    check::check_model(&model, &mut errors);
    let mut out = expand::expand(&model, errors.is_empty());
    out.extend(errors.into_compile_errors());
    out
}

#[cfg(test)]
mod snapshot_tests;
