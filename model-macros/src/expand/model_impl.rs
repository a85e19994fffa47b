//! The `Model` impl: static site facts, the body generic over scalar and handler, and the
//! conversions between traces and value records.

use super::{Names, marker, plate_of};
use crate::ir::{ArgView, ModelIr, Site, SiteKind, Statement};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

pub fn expand(model: &ModelIr, names: &Names, sites: &[&Site], valid: bool) -> TokenStream {
    let (m, trace, values, interventions) = (
        &names.model,
        &names.trace,
        &names.values,
        &names.interventions,
    );
    let model_name = model.fn_name.to_string();
    let infos = sites.iter().map(|s| site_info(s, model));
    let body = if valid {
        body(model, names, sites)
    } else {
        quote!(::core::unreachable!())
    };
    let names_list: Vec<_> = sites.iter().map(|s| &s.name).collect();
    let name_strings: Vec<String> = sites
        .iter()
        .map(|s| syn::ext::IdentExt::unraw(&s.name).to_string())
        .collect();
    let lowered = sites.iter().map(|s| lower(s));
    let data_matrix = data_matrix(model);
    quote! {
        impl ::doppl::__private::Model for #m {
            type Values = #values;
            type Interventions = #interventions;
            type Trace<S: ::doppl::__private::Scalar> = #trace<S>;
            const NAME: &'static ::core::primitive::str = #model_name;
            const SITES: &'static [::doppl::__private::SiteInfo] = &[#(#infos),*];

            #[allow(unused_variables, non_snake_case, clippy::let_and_return)]
            fn run<S, __DopplH>(&self, __doppl_handler: &mut __DopplH) -> ::core::result::Result<#trace<S>, ::doppl::__private::ModelError>
            where
                S: ::doppl::__private::Scalar,
                __DopplH: ::doppl::__private::Handler<Self, S>,
            {
                #body
            }

            fn values_of(trace: &#trace<::core::primitive::f64>) -> #values {
                #values { #(#names_list: ::core::option::Option::Some(#lowered),)* }
            }

            fn components(v: &#values) -> ::std::vec::Vec<(&'static ::core::primitive::str, ::std::vec::Vec<::core::primitive::f64>)> {
                let mut out = ::std::vec::Vec::new();
                #(
                    if let ::core::option::Option::Some(x) = &v.#names_list {
                        let mut flat = ::std::vec::Vec::new();
                        ::doppl::__private::Flatten::flatten_into(x, &mut flat);
                        out.push((#name_strings, flat));
                    }
                )*
                out
            }

            fn clear_sites(v: &mut #values, mask: &[::core::primitive::bool]) {
                let mut i: ::core::primitive::usize = 0;
                #(
                    if mask[i] {
                        v.#names_list = ::core::option::Option::None;
                    }
                    i += 1;
                )*
                let _ = i;
            }

            fn values_mask(v: &#values) -> ::std::vec::Vec<::core::primitive::bool> {
                ::std::vec![#(v.#names_list.is_some()),*]
            }

            fn interventions_mask(v: &#interventions) -> ::std::vec::Vec<::core::primitive::bool> {
                ::std::vec![#(v.#names_list.is_some()),*]
            }

            #data_matrix
        }
    }
}

/// `Model::data_matrix`: the data arguments by position, those that are matrices.
fn data_matrix(model: &ModelIr) -> TokenStream {
    let arms = model
        .args
        .iter()
        .enumerate()
        .filter(|(_, a)| a.view == ArgView::Data)
        .map(|(index, a)| {
            let n = &a.name;
            quote!(#index => ::doppl::__private::AsDataMatrix::as_data_matrix(&self.#n),)
        });
    quote! {
        fn data_matrix(&self, index: ::core::primitive::usize) -> ::core::option::Option<&::doppl::__private::DMatrix<::core::primitive::f64>> {
            match index {
                #(#arms)*
                _ => ::core::option::Option::None,
            }
        }
    }
}

fn site_info(s: &Site, _model: &ModelIr) -> TokenStream {
    let name = syn::ext::IdentExt::unraw(&s.name).to_string();
    let (kind, family) = match &s.kind {
        SiteKind::Sample { family, .. } => (
            quote!(::doppl::__private::SiteKind::Sample),
            family
                .segments
                .last()
                .map(|seg| seg.ident.to_string())
                .unwrap_or_default(),
        ),
        SiteKind::Deterministic { .. } => (
            quote!(::doppl::__private::SiteKind::Deterministic),
            String::new(),
        ),
    };
    let plate = match plate_of(s) {
        Some((_, p)) => quote!(::core::option::Option::Some(#p)),
        None => quote!(::core::option::Option::None),
    };
    let parents = &s.parents;
    quote! {
        ::doppl::__private::SiteInfo { name: #name, kind: #kind, family: #family, plate: #plate, parents: &[#(#parents),*] }
    }
}

/// `trace.site` lowered to its `f64` record type.
/// The `f64` value of site `s` read from a `trace` in scope, as the site's plain type.
pub(super) fn lower(s: &Site) -> TokenStream {
    let n = &s.name;
    match (&s.kind, &s.plate) {
        (SiteKind::Sample { family, .. }, None) => quote!(
            <::doppl::__private::Unplated as ::doppl::__private::Shape<::core::primitive::f64, #family<::core::primitive::f64>>>::lower(&trace.#n)
        ),
        (SiteKind::Sample { family, .. }, Some(_)) => quote!(
            <::doppl::__private::Plate as ::doppl::__private::Shape<::core::primitive::f64, #family<::core::primitive::f64>>>::lower(&trace.#n)
        ),
        (SiteKind::Deterministic { .. }, _) => quote!(
            ::doppl::__private::DetValue::<::core::primitive::f64>::lower(&trace.#n)
        ),
    }
}

fn body(model: &ModelIr, names: &Names, sites: &[&Site]) -> TokenStream {
    let args = argument_bindings(model, true);
    let index_of = |name: &syn::Ident| sites.iter().position(|s| s.name == *name).unwrap_or(0);
    let handler = quote::format_ident!("__doppl_handler");
    let statements = model.statements.iter().map(|st| match st {
        Statement::Plain(stmt) => quote!(#stmt),
        Statement::Plate {
            name,
            size,
            subsample,
        } => plate_statement(name, size, subsample.as_ref(), &handler),
        Statement::Subsample { name, data, plate } => {
            subsample_statement(name, data, plate, &handler)
        }
        Statement::Site(s) => {
            let statement = site_statement(s, marker(names, index_of(&s.name)));
            let (n, kept) = (&s.name, kept_name(&s.name));
            // A value read later is copied for the trace only when the run keeps values, so
            // the body may move it (`Normal::new(mu, sigma)`); otherwise the trace takes it.
            let keep = s
                .read_later
                .then(|| quote!(let #kept = ::doppl::__private::keep(__doppl_keep, &#n);));
            quote!(#statement #keep)
        }
        Statement::Param(_) => quote!(),
        Statement::Factor { name, value } => {
            let label = syn::ext::IdentExt::unraw(name).to_string();
            quote_spanned!(value.span()=> __doppl_handler.factor(#label, #value)?;)
        }
    });
    let trace = &names.trace;
    let fields = sites.iter().map(|s| {
        let (n, kept) = (&s.name, kept_name(&s.name));
        match s.read_later {
            true => quote!(#n: ::doppl::__private::kept(#kept)),
            false => quote!(#n),
        }
    });
    let phantom = sites
        .is_empty()
        .then(|| quote!(__scalar: ::core::marker::PhantomData,));
    quote! {
        let __doppl_keep = <__DopplH as ::doppl::__private::Handler<Self, S>>::keeps_values(__doppl_handler);
        #(#args)*
        #(#statements)*
        ::core::result::Result::Ok(#trace { #(#fields,)* #phantom })
    }
}

/// The body's view of each argument: `Data` views of data (numbered, when `numbered`, so
/// that the derivative engine finds data matrices), references or clones of the rest.
pub(crate) fn argument_bindings(model: &ModelIr, numbered: bool) -> Vec<TokenStream> {
    let args = model.args.iter().enumerate().map(|(index, a)| {
        let n = &a.name;
        match (a.view, a.by_ref) {
            (ArgView::Data, _) if numbered => {
                quote!(let #n = ::doppl::__private::Data::argument(&self.#n, #index);)
            }
            (ArgView::Data | ArgView::IndexSlice, _) => {
                quote!(let #n = ::doppl::__private::Data::new(&self.#n);)
            }
            (ArgView::Plain, true) => quote!(let #n = &self.#n;),
            (ArgView::Plain, false) => quote!(let #n = ::core::clone::Clone::clone(&self.#n);),
        }
    });
    args.collect()
}

/// `let name = plate!(size);` in a generated body.
pub(crate) fn plate_statement(
    name: &syn::Ident,
    size: &syn::Expr,
    subsample: Option<&syn::Expr>,
    handler: &syn::Ident,
) -> TokenStream {
    let label = syn::ext::IdentExt::unraw(name).to_string();
    let plate = quote_spanned!(size.span()=> ::doppl::__private::Plate::new(#label, #size));
    match subsample {
        None => quote!(let #name = #plate;),
        Some(batch) => quote_spanned!(batch.span()=>
            let #name = #handler.subsample(#plate, #batch)?;
        ),
    }
}

/// `let x = subsample!(x, units);`: the data restricted to the step's batch, kept in a
/// binding of its own so that the view can borrow it.
pub(crate) fn subsample_statement(
    name: &syn::Ident,
    data: &syn::Expr,
    plate: &syn::Ident,
    handler: &syn::Ident,
) -> TokenStream {
    let label = syn::ext::IdentExt::unraw(name).to_string();
    let kept = quote::format_ident!("__doppl_subsampled_{}", label);
    quote_spanned!(data.span()=>
        let #kept = ::doppl::__private::Subsampled::new(
            #label,
            #data,
            #plate,
            #handler.batch(#plate.name),
        )?;
        let #name = #kept.view();
    )
}

/// The binding of the trace's copy of site `name`.
fn kept_name(name: &syn::Ident) -> syn::Ident {
    let plain = syn::ext::IdentExt::unraw(name);
    quote::format_ident!("__doppl_kept_{}", plain)
}

/// One site statement: one call on the handler.
fn site_statement(s: &Site, marker: TokenStream) -> TokenStream {
    let n = &s.name;
    let plate = plate_of(s).map(|(p, _)| p);
    let shape = match &plate {
        Some(p) => p.clone(),
        None => quote!(::doppl::__private::Unplated),
    };
    match &s.kind {
        SiteKind::Sample { dist, .. } => quote_spanned! {dist.span()=>
            let #n = __doppl_handler.sample::<#marker, _, _>(
                ::doppl::__private::site_distribution::<#marker, _>(#dist)?,
                #shape,
            )?;
        },
        SiteKind::Deterministic { value } => {
            let call = match &plate {
                // Through `Into`: a lazily computed vector (`beta * x`, a `Scaled`) is
                // written out here.
                Some(p) => quote_spanned! {value.span()=>
                    __doppl_handler.deterministic::<#marker, ::doppl::__private::Vector<S>>(
                        ::core::convert::Into::<::doppl::__private::Vector<S>>::into(#value),
                        ::core::option::Option::Some(#p),
                    )?
                },
                None => quote_spanned! {value.span()=>
                    __doppl_handler.deterministic::<#marker, S>(
                        #value,
                        ::core::option::Option::None,
                    )?
                },
            };
            match s.read_later {
                true => quote!(let #n = #call;),
                // Read by nothing after it, the value only goes into the trace: a run that
                // keeps no values (the log density and its gradient) does not compute it.
                false => quote! {
                    let #n = if __doppl_keep {
                        #call
                    } else {
                        ::doppl::__private::kept(::core::option::Option::None)
                    };
                },
            }
        }
    }
}
