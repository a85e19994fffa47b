//! The attribute of `#[guide(for = Model, observed(site, ..))]`.

use crate::errors::Errors;
use proc_macro2::Ident;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Path, Token};

const USAGE: &str = "write `#[guide(for = Model)]`, or `#[guide(for = Model, observed(y, ..))]` \
                     naming the model's sites that the data give";

/// The model a guide is for, and the sites it leaves to the data.
pub struct Target {
    /// The model's type.
    pub model: Path,
    /// The observed sites, as written.
    pub observed: Vec<Ident>,
}

impl Parse for Target {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        input.parse::<Token![for]>()?;
        input.parse::<Token![=]>()?;
        let model: Path = input.parse()?;
        let mut observed = Vec::new();
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let keyword: Ident = input.parse()?;
            if keyword != "observed" {
                return Err(syn::Error::new(keyword.span(), USAGE));
            }
            let content;
            syn::parenthesized!(content in input);
            let names = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
            observed.extend(names);
            input.parse::<Option<Token![,]>>()?;
        }
        if !input.is_empty() {
            return Err(input.error(USAGE));
        }
        Ok(Target { model, observed })
    }
}

/// The target, or `None` after reporting why the attribute cannot be read.
pub fn parse_target(attr: proc_macro2::TokenStream, errors: &mut Errors) -> Option<Target> {
    if attr.is_empty() {
        errors.push(syn::Error::new(proc_macro2::Span::call_site(), USAGE));
        return None;
    }
    match syn::parse2::<Target>(attr) {
        Ok(target) => Some(target),
        Err(e) => {
            errors.push(syn::Error::new(e.span(), format!("{e}: {USAGE}")));
            None
        }
    }
}
