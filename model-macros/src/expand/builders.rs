//! The typed builders `<Model>Condition` and `<Model>Intervention`: one method per site that
//! takes exactly that site's value type, so a misspelled site or a wrong type does not compile.

use super::{Names, plain_type, shift_method};
use crate::ir::{ModelIr, Site};
use proc_macro2::TokenStream;
use quote::quote;

pub fn expand(model: &ModelIr, names: &Names, sites: &[&Site]) -> TokenStream {
    let vis = &model.vis;
    let (m, cond, int) = (&names.model, &names.condition, &names.intervention);
    // Sites whose methods would clash with the builders' own were reported by `check`;
    // leaving their methods out keeps rustc from adding "duplicate definitions" errors.
    let names: Vec<String> = sites.iter().map(|s| s.name.to_string()).collect();
    let clashes = |s: &&&Site| {
        let n = s.name.to_string();
        ["build", "condition", "intervene"].contains(&n.as_str())
            || n.strip_suffix("_shift")
                .is_some_and(|b| names.iter().any(|m| m == b))
    };
    let sites: Vec<&Site> = sites.iter().filter(|s| !clashes(s)).copied().collect();
    let condition_methods = sites.iter().map(|s| condition_method(vis, s));
    let intervention_methods = sites.iter().map(|s| intervention_methods(vis, s));
    let model_name = m.to_string();
    quote! {
        #[doc = concat!("Conditions of [`", #model_name, "`]: one method per random site.")]
        #[derive(Clone, Debug)]
        #vis struct #cond<'m>(#vis ::doppl::__private::Scenario<'m, #m>);

        #[doc = concat!("Interventions on [`", #model_name, "`]: one method per site (hard value) and `<site>_shift` (shift).")]
        #[derive(Clone, Debug)]
        #vis struct #int<'m>(#vis ::doppl::__private::Scenario<'m, #m>);

        #[allow(non_snake_case)]
        impl<'m> #cond<'m> {
            #(#condition_methods)*
            /// Goes on with interventions on the same scenario.
            #vis fn intervene(self) -> #int<'m> { #int(self.0) }
            /// The finished scenario.
            #vis fn build(self) -> ::doppl::__private::Scenario<'m, #m> { self.0 }
        }

        #[allow(non_snake_case)]
        impl<'m> #int<'m> {
            #(#intervention_methods)*
            /// Goes on with conditions on the same scenario.
            #vis fn condition(self) -> #cond<'m> { #cond(self.0) }
            /// The finished scenario.
            #vis fn build(self) -> ::doppl::__private::Scenario<'m, #m> { self.0 }
        }

        impl<'m> ::core::ops::Deref for #cond<'m> {
            type Target = ::doppl::__private::Scenario<'m, #m>;
            fn deref(&self) -> &Self::Target { &self.0 }
        }
        impl<'m> ::core::ops::Deref for #int<'m> {
            type Target = ::doppl::__private::Scenario<'m, #m>;
            fn deref(&self) -> &Self::Target { &self.0 }
        }
        impl<'m> ::core::convert::From<#cond<'m>> for ::doppl::__private::Scenario<'m, #m> {
            fn from(b: #cond<'m>) -> Self { b.0 }
        }
        impl<'m> ::core::convert::From<#int<'m>> for ::doppl::__private::Scenario<'m, #m> {
            fn from(b: #int<'m>) -> Self { b.0 }
        }

        impl #m {
            /// Starts conditioning this model (nothing intervened).
            #vis fn condition(&self) -> #cond<'_> { #cond(::doppl::__private::Scenario::new(self)) }
            /// Starts intervening on this model (nothing conditioned).
            #vis fn intervene(&self) -> #int<'_> { #int(::doppl::__private::Scenario::new(self)) }
            /// The plain model as a scenario: nothing conditioned, nothing intervened.
            #vis fn scenario(&self) -> ::doppl::__private::Scenario<'_, #m> { ::doppl::__private::Scenario::new(self) }
        }
    }
}

fn condition_method(vis: &syn::Visibility, s: &Site) -> TokenStream {
    let (n, t) = (&s.name, plain_type(s));
    let label = syn::ext::IdentExt::unraw(n).to_string();
    if s.is_sample() {
        let doc = format!(
            "Conditions site `{n}` on observed `value`: its log-density at `value` is added."
        );
        let (param, value) = value_param(s, &t);
        quote! {
            #[doc = #doc]
            #vis fn #n(mut self, value: #param) -> Self {
                if self.0.conditions.#n.is_some() {
                    self.0.repeated(#label, "conditioned");
                }
                self.0.conditions.#n = ::core::option::Option::Some(#value);
                self
            }
        }
    } else {
        // A deterministic site has no density to condition on: the method exists only to
        // turn the call into a clear compile error instead of "no method named ..".
        quote! {
            #[doc(hidden)]
            #vis fn #n<V>(self, _value: V) -> Self
            where
                V: ::doppl::__private::ConditionOnDeterministicSite,
            {
                self
            }
        }
    }
}

fn intervention_methods(vis: &syn::Visibility, s: &Site) -> TokenStream {
    let (n, t, shift) = (&s.name, plain_type(s), shift_method(s));
    let label = syn::ext::IdentExt::unraw(n).to_string();
    let doc = format!("`do({n} = value)`: downstream of `{n}` sees `value`.");
    let shift_doc = format!(
        "`do({n} = f({n}))`: downstream sees the site's natural value mapped elementwise by `shift`."
    );
    let (param, value) = value_param(s, &t);
    quote! {
        #[doc = #doc]
        #vis fn #n(mut self, value: #param) -> Self {
            if self.0.interventions.#n.is_some() {
                self.0.repeated(#label, "intervened on");
            }
            self.0.interventions.#n = ::core::option::Option::Some(::doppl::__private::Intervention::Value(#value));
            self
        }
        #[doc = #shift_doc]
        #vis fn #shift(mut self, shift: ::doppl::__private::Shift) -> Self {
            if self.0.interventions.#n.is_some() {
                self.0.repeated(#label, "intervened on");
            }
            self.0.interventions.#n = ::core::option::Option::Some(::doppl::__private::Intervention::Shift(shift));
            self
        }
    }
}

/// The parameter type of a builder method and the stored value: a plated site takes anything
/// that converts into its `DVector` (a `DVector`, or a trace's `Vector`), a scalar site
/// exactly its type.
fn value_param(s: &Site, t: &TokenStream) -> (TokenStream, TokenStream) {
    match s.plate {
        Some(_) => (
            quote!(impl ::doppl::__private::IntoSiteValue<#t>),
            quote!(::doppl::__private::IntoSiteValue::into_site_value(value)),
        ),
        None => (quote!(#t), quote!(value)),
    }
}
