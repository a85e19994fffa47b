//! The site marker type `<Model>Site<I>` and its `Site` impl for every site index.

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
            }
        }
    });
    let model_name = model_ty.to_string();
    quote! {
        #[doc = concat!("The sites of [`", #model_name, "`] as types, by position (generic inference code uses them).")]
        #[derive(Clone, Copy, Debug, Default)]
        #vis struct #site_ty<const I: ::core::primitive::usize>;
        #(#impls)*
    }
}
