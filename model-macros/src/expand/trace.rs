//! The trace: one field per site, deterministic sites included, generic over the scalar.

use super::{Names, value_type};
use crate::ir::{ModelIr, Site};
use proc_macro2::TokenStream;
use quote::quote;

pub fn expand(model: &ModelIr, names: &Names, sites: &[&Site]) -> TokenStream {
    let vis = &model.vis;
    let name = &names.trace;
    let fields = sites.iter().map(|s| {
        let (n, t) = (&s.name, value_type(s));
        let doc = format!("The value of site `{n}`.");
        quote!(#[doc = #doc] pub #n: #t)
    });
    let model_name = names.model.to_string();
    // Without sites nothing would use `S`; the marker keeps the type well-formed.
    let phantom = sites
        .is_empty()
        .then(|| quote!(#[doc(hidden)] pub __scalar: ::core::marker::PhantomData<S>,));
    quote! {
        #[doc = concat!("One run of [`", #model_name, "`]: the value of every site.")]
        #[derive(Clone, Debug)]
        #[allow(non_snake_case)]
        #vis struct #name<S: ::doppl::__private::Scalar> {
            #(#fields,)*
            #phantom
        }
    }
}
