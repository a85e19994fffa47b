//! The records of optional per-site values (conditions, draws) and interventions.

use super::{Names, plain_type};
use crate::ir::{ModelIr, Site};
use proc_macro2::TokenStream;
use quote::quote;

pub fn expand(model: &ModelIr, names: &Names, sites: &[&Site]) -> TokenStream {
    let vis = &model.vis;
    let (values, interventions) = (&names.values, &names.interventions);
    let value_fields = sites.iter().map(|s| {
        let (n, t) = (&s.name, plain_type(s));
        quote!(pub #n: ::core::option::Option<#t>)
    });
    let intervention_fields = sites.iter().map(|s| {
        let (n, t) = (&s.name, plain_type(s));
        quote!(pub #n: ::core::option::Option<::doppl::__private::Intervention<#t>>)
    });
    let model_name = names.model.to_string();
    quote! {
        #[doc = concat!("An optional `f64` value per site of [`", #model_name, "`] (conditions, draws).")]
        #[derive(Clone, Debug, Default)]
        #[allow(non_snake_case)]
        #vis struct #values {
            #(#[allow(missing_docs)] #value_fields,)*
        }

        #[doc = concat!("An optional intervention per site of [`", #model_name, "`].")]
        #[derive(Clone, Debug, Default)]
        #[allow(non_snake_case)]
        #vis struct #interventions {
            #(#[allow(missing_docs)] #intervention_fields,)*
        }
    }
}
