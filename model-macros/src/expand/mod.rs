//! Emits the generated items, one artifact per file: the model struct ([`model_struct`]),
//! the trace ([`trace`]), the value and intervention records ([`records`]), the site
//! marker types ([`sites`]), the typed builders ([`builders`]) and the `Model` impl
//! ([`model_impl`]).

mod builders;
mod latents;
pub(crate) mod model_impl;
pub(crate) mod model_struct;
mod records;
mod sites;
mod trace;

use crate::ir::{ModelIr, PlateRef, Site, SiteKind};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// All generated items. When `valid` is false the model had errors: the items are still
/// emitted (so user code using them type-checks) but the body is not.
pub fn expand(model: &ModelIr, valid: bool) -> TokenStream {
    let names = Names::new(model);
    let sites = unique_sites(model);
    let mut out = TokenStream::new();
    out.extend(model_struct::expand(model, &names, "model"));
    out.extend(trace::expand(model, &names, &sites));
    out.extend(records::expand(model, &names, &sites));
    out.extend(sites::expand(model, &names, &sites));
    out.extend(builders::expand(model, &names, &sites));
    out.extend(latents::expand(model, &names, &sites));
    out.extend(model_impl::expand(model, &names, &sites, valid));
    out
}

/// The names of the generated items.
pub struct Names {
    pub model: Ident,
    pub trace: Ident,
    pub values: Ident,
    pub interventions: Ident,
    pub condition: Ident,
    pub intervention: Ident,
    pub site: Ident,
    pub sites: Ident,
    pub latents: Ident,
}

impl Names {
    pub(crate) fn new(model: &ModelIr) -> Self {
        let base = upper_camel(&syn::ext::IdentExt::unraw(&model.fn_name).to_string());
        let span = model.fn_name.span();
        // `parse_str` rather than `Ident::new`, which panics on a name such as `_1`; a name
        // that is not an identifier after camel-casing was reported by `check`.
        let name = |suffix: &str| {
            syn::parse_str::<Ident>(&format!("{base}{suffix}"))
                .map(|mut i| {
                    i.set_span(span);
                    i
                })
                .unwrap_or_else(|_| Ident::new(&format!("Model{suffix}"), span))
        };
        Names {
            model: name(""),
            trace: name("Trace"),
            values: name("Values"),
            interventions: name("Interventions"),
            condition: name("Condition"),
            intervention: name("Intervention"),
            site: name("Site"),
            sites: name("Sites"),
            latents: name("Latents"),
        }
    }
}

pub(crate) fn upper_camel(snake: &str) -> String {
    snake
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// Sites with duplicates (already reported) left out.
fn unique_sites(model: &ModelIr) -> Vec<&Site> {
    let mut seen = std::collections::HashSet::new();
    model
        .sites()
        .filter(|s| seen.insert(s.name.to_string()))
        .collect()
}

/// The site's value with `f64` numbers: what `condition`, `intervene` and records use.
pub fn plain_type(site: &Site) -> TokenStream {
    let one = match &site.kind {
        SiteKind::Sample { family, .. } => {
            quote!(<#family<::core::primitive::f64> as ::doppl::__private::Distribution<::core::primitive::f64>>::Plain)
        }
        SiteKind::Deterministic { .. } => quote!(::core::primitive::f64),
    };
    plated(site, one)
}

/// The site's value inside the body, with scalar type `S`: a `Vector` on a plate.
pub fn value_type(site: &Site) -> TokenStream {
    let one = match &site.kind {
        SiteKind::Sample { family, .. } => {
            quote!(<#family<S> as ::doppl::__private::Distribution<S>>::Value)
        }
        SiteKind::Deterministic { .. } => quote!(S),
    };
    match site.plate {
        Some(_) => quote!(::doppl::__private::Vector<#one>),
        None => one,
    }
}

fn plated(site: &Site, one: TokenStream) -> TokenStream {
    match site.plate {
        Some(_) => quote!(::doppl::__private::DVector<#one>),
        None => one,
    }
}

/// The marker type of the `index`-th site.
/// The plate's value expression and its name for the graph, if the site is on a plate.
pub fn plate_of(site: &Site) -> Option<(TokenStream, String)> {
    match &site.plate {
        None => None,
        Some(PlateRef::Named(p)) => Some((quote!(#p), p.to_string())),
        Some(PlateRef::Inline(size)) => {
            // Named by what the user wrote, so that a message about it quotes their code.
            let written = compact(&quote!(#size).to_string());
            let site_name = syn::ext::IdentExt::unraw(&site.name);
            let name = format!("plate!({written}) of {site_name}");
            Some((quote!(::doppl::__private::Plate::new(#name, #size)), name))
        }
    }
}

/// Token text without the spaces `to_string` puts around `.` and inside brackets
/// (`x . ncols ()` → `x.ncols()`).
fn compact(tokens: &str) -> String {
    let pairs = [
        (" . ", "."),
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
        (" ,", ","),
        (" [", "["),
    ];
    let mut out = tokens.to_string();
    for (from, to) in pairs {
        out = out.replace(from, to);
    }
    out
}

pub fn marker(names: &Names, index: usize) -> TokenStream {
    let site = &names.site;
    quote!(#site<#index>)
}

/// `name_shift` for the shift-intervention builder method.
pub fn shift_method(site: &Site) -> Ident {
    format_ident!("{}_shift", site.name)
}
