//! The guide's struct and its `Guide` impl, whose body ends by building the model's
//! latent-site record (`<Model>Latents<S>`) from the guide's draws and `observed(..)` list:
//! a missed site is rustc's "missing field" on the `for = Model` token, an unknown one "no
//! field" on the guide's site, a draw of the wrong value type "mismatched types" on it.

use super::attr::Target;
use crate::expand::Names;
use crate::expand::model_impl::{argument_bindings, plate_statement, subsample_statement};
use crate::ir::{ModelIr, Param, PlateRef, Site, SiteKind, Statement};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

pub fn expand(guide: &ModelIr, target: Option<&Target>, valid: bool) -> TokenStream {
    let names = Names::new(guide);
    let mut out = crate::expand::model_struct::expand(guide, &names, "guide");
    let Some(target) = target else {
        return out;
    };
    let name = &names.model;
    let model = &target.model;
    let guide_name = guide.fn_name.to_string();
    let observed = target.observed.iter().map(|o| o.to_string());
    let body = match valid {
        true => body(guide, target),
        false => quote!(::core::unreachable!()),
    };
    out.extend(quote! {
        impl ::doppl::__private::Guide for #name {
            type Model = #model;
            const NAME: &'static ::core::primitive::str = #guide_name;
            const OBSERVED: &'static [&'static ::core::primitive::str] = &[#(#observed),*];

            #[allow(unused_variables, non_snake_case, clippy::let_and_return)]
            fn run<S: ::doppl::__private::Scalar>(
                &self,
                __doppl_guide: &mut ::doppl::__private::GuideHandler<'_, S>,
            ) -> ::core::result::Result<(), ::doppl::__private::ModelError> {
                #body
            }
        }
    });
    out
}

fn body(guide: &ModelIr, target: &Target) -> TokenStream {
    let args = argument_bindings(guide, false);
    let handler = format_ident!("__doppl_guide");
    let statements = guide.statements.iter().map(|st| match st {
        Statement::Plain(stmt) => quote!(#stmt),
        Statement::Plate {
            name,
            size,
            subsample,
        } => plate_statement(name, size, subsample.as_ref(), &handler),
        Statement::Subsample { name, data, plate } => {
            subsample_statement(name, data, plate, &handler)
        }
        Statement::Param(p) => param_statement(p),
        Statement::Site(s) => site_statement(s),
        Statement::Factor { .. } => quote!(),
    });
    let record = latents_record(guide, target);
    let model = &target.model;
    quote! {
        #(#args)*
        #(#statements)*
        // Through the model's `LatentRecord`: only the model's name needs to be in scope.
        type __DopplLatents<__DopplS> =
            <#model as ::doppl::__private::LatentRecord>::Latents<__DopplS>;
        let _: __DopplLatents<S> = #record;
        ::core::result::Result::Ok(())
    }
}

fn shape(plate: &Option<PlateRef>, name: &Ident) -> TokenStream {
    match plate {
        None => quote!(::doppl::__private::Unplated),
        Some(PlateRef::Named(p)) => quote!(#p),
        Some(PlateRef::Inline(size)) => {
            let label = format!("plate!(..) of {}", syn::ext::IdentExt::unraw(name));
            quote!(::doppl::__private::Plate::new(#label, #size))
        }
    }
}

fn param_statement(p: &Param) -> TokenStream {
    let (n, init, constraint) = (&p.name, &p.init, &p.constraint);
    let label = syn::ext::IdentExt::unraw(n).to_string();
    let shape = shape(&p.plate, n);
    quote_spanned! {init.span()=>
        let #n = __doppl_guide.param(#label, #init, #constraint, #shape)?;
    }
}

fn covered_name(site: &Ident) -> Ident {
    format_ident!("__doppl_covered_{}", syn::ext::IdentExt::unraw(site))
}

fn site_statement(s: &Site) -> TokenStream {
    let SiteKind::Sample { dist, .. } = &s.kind else {
        return quote!();
    };
    let n = &s.name;
    let label = syn::ext::IdentExt::unraw(n).to_string();
    let shape = shape(&s.plate, n);
    let covered = covered_name(n);
    quote_spanned! {dist.span()=>
        let #n = __doppl_guide.sample(#label, #dist, #shape)?;
        let #covered = ::doppl::__private::Covered::drawn(&#n);
    }
}

/// `ModelLatents { drawn: __doppl_covered_drawn, observed: Covered::observed(), .. }`
/// through the `__DopplLatents` alias, with each entry spanned on the guide's token that
/// covers it and the alias on the `for = Model` path (without `::<S>`), so that a missing
/// field is reported on `Model`.
fn latents_record(guide: &ModelIr, target: &Target) -> TokenStream {
    let alias = quote_spanned!(target.model.span()=> __DopplLatents);
    let drawn = guide.sites().filter(|s| s.is_sample()).map(|s| {
        let (n, covered) = (&s.name, covered_name(&s.name));
        quote_spanned!(n.span()=> #n: #covered)
    });
    let observed = target
        .observed
        .iter()
        .map(|o| quote_spanned!(o.span()=> #o: ::doppl::__private::Covered::observed()));
    quote! {
        #alias {
            #(#drawn,)*
            #(#observed,)*
            __scalar: ::core::marker::PhantomData,
        }
    }
}
