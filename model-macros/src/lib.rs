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
mod guide;
mod ir;
mod param;
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

/// Turns a function of `param!`, `sample!` and `plate!` statements into a custom guide for
/// `Model`: a struct holding the arguments and an implementation of
/// `doppl::runtime::guide::Guide`. Each `sample!` draws the model's site of the same name by
/// reparameterization; `observed(..)` lists the model's sites that the data give. The
/// compiler checks that the guide covers every `sample!` site of the model, names no site the
/// model lacks and draws each with the model's value type.
///
/// See the `doppl` crate documentation ("Custom guides").
#[proc_macro_attribute]
pub fn guide(attr: TokenStream, item: TokenStream) -> TokenStream {
    guide::expand_guide(attr.into(), item.into()).into()
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
