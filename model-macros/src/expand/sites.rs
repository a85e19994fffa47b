//! The site marker type `<Model>Site<I>` and its `Site` impl for every site index, and the
//! record `<Model>Sites` of the markers by name (`Model::SITE.treat`), through which
//! inference code names a site with its type checked.

use super::{Names, marker, plain_type};
use crate::ir::{ModelIr, Site};
use proc_macro2::TokenStream;
use quote::quote;

pub fn expand(model: &ModelIr, names: &Names, sites: &[&Site]) -> TokenStream {
    let vis = &model.vis;
    let (site_ty, model_ty) = (&names.site, &names.model);
    let (values, interventions) = (&names.values, &names.interventions);
    let impls = sites.iter().enumerate().map(|(i, s)| {
        let (n, t, m) = (&s.name, plain_type(s), marker(names, i));
        let name = syn::ext::IdentExt::unraw(n).to_string();
        let read_later = s.read_later;
        let lowered = super::model_impl::lower(s);
        let trace_ty = &names.trace;
        quote! {
            impl ::doppl::__private::Site for #m {
                type Model = #model_ty;
                type Value = #t;
                const INDEX: ::core::primitive::usize = #i;
                const NAME: &'static ::core::primitive::str = #name;
                const READ_LATER: ::core::primitive::bool = #read_later;
                fn get(v: &#values) -> ::core::option::Option<&#t> {
                    v.#n.as_ref()
                }
                fn set(v: &mut #values, value: #t) {
                    v.#n = ::core::option::Option::Some(value);
                }
                fn intervention(v: &#interventions) -> ::core::option::Option<&::doppl::__private::Intervention<#t>> {
                    v.#n.as_ref()
                }
                fn set_intervention(v: &mut #interventions, i: ::doppl::__private::Intervention<#t>) {
                    v.#n = ::core::option::Option::Some(i);
                }
                fn of_trace(trace: &#trace_ty<::core::primitive::f64>) -> #t {
                    #lowered
                }
            }
        }
    });
    let model_name = model_ty.to_string();
    let record = site_record(model, names, sites);
    quote! {
        #[doc = concat!("The sites of [`", #model_name, "`] as types, by position (generic inference code uses them).")]
        #[derive(Clone, Copy, Debug, Default)]
        #vis struct #site_ty<const I: ::core::primitive::usize>;
        #(#impls)*
        #record
    }
}

/// `<Model>Sites`, one public field per site holding its marker, and the constant
/// `<Model>::SITE`: a misspelt site is a missing field, a compile error at the user's token.
fn site_record(model: &ModelIr, names: &Names, sites: &[&Site]) -> TokenStream {
    let vis = &model.vis;
    let (record, model_ty) = (&names.sites, &names.model);
    let model_name = model_ty.to_string();
    let fields = sites.iter().enumerate().map(|(i, s)| {
        let (n, m) = (&s.name, marker(names, i));
        let doc = format!("Site `{}`.", syn::ext::IdentExt::unraw(n));
        quote!(#[doc = #doc] pub #n: #m)
    });
    let values = sites.iter().enumerate().map(|(i, s)| {
        let (n, site_ty) = (&s.name, &names.site);
        quote!(#n: #site_ty::<#i>)
    });
    quote! {
        #[doc = concat!("The sites of [`", #model_name, "`] by name: `", #model_name, "::SITE.<site>`.")]
        #[derive(Clone, Copy, Debug)]
        #[allow(non_snake_case)]
        #vis struct #record {
            #(#fields,)*
        }
        impl #model_ty {
            /// Every site as a typed handle, for inference routines that take a site
            /// (mediators, counterfactual outcomes).
            #vis const SITE: #record = #record { #(#values,)* };
        }
    }
}
