//! The latent-site record a `#[guide]` must build: one [`Covered`] entry per `sample!` site,
//! typed with the site's value, so that the compiler checks a guide's coverage.
//!
//! [`Covered`]: https://docs.rs/doppl-runtime (doppl::runtime::guide::Covered)

use super::{Names, value_type};
use crate::ir::{ModelIr, Site};
use proc_macro2::TokenStream;
use quote::quote;

pub fn expand(model: &ModelIr, names: &Names, sites: &[&Site]) -> TokenStream {
    let vis = &model.vis;
    let name = &names.latents;
    let fields = sites.iter().filter(|s| s.is_sample()).map(|s| {
        let (n, t) = (&s.name, value_type(s));
        let doc = format!("Site `{n}`: drawn by the guide, or observed.");
        quote!(#[doc = #doc] pub #n: ::doppl::__private::Covered<#t>)
    });
    let model_name = names.model.to_string();
    let model = &names.model;
    quote! {
        impl ::doppl::__private::LatentRecord for #model {
            type Latents<S: ::doppl::__private::Scalar> = #name<S>;
        }

        #[doc = concat!("The `sample!` sites of [`", #model_name, "`] a `#[guide]` for it must cover (drawn or observed): built by the guide's generated code so that the compiler checks its coverage.")]
        #[allow(non_snake_case)]
        #vis struct #name<S: ::doppl::__private::Scalar> {
            #(#fields,)*
            #[doc(hidden)]
            pub __scalar: ::core::marker::PhantomData<S>,
        }
    }
}
