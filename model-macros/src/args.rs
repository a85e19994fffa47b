//! The model's arguments: what the struct stores and how the body sees each one.

use crate::errors::Errors;
use crate::ir::{Arg, ArgView};
use quote::quote;
use syn::{FnArg, Pat, Type};

/// One argument, or `None` after reporting why it cannot be one.
pub fn parse_arg(arg: &FnArg, errors: &mut Errors) -> Option<Arg> {
    let typed = match arg {
        FnArg::Receiver(r) => {
            errors.push(syn::Error::new_spanned(
                r,
                "a #[model] function takes no `self`: its arguments become the model's fields",
            ));
            return None;
        }
        FnArg::Typed(t) => t,
    };
    let name = match &*typed.pat {
        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.clone(),
        other => {
            errors.push(syn::Error::new_spanned(
                other,
                "model arguments must be plain names (`x: &DMatrix<f64>`)",
            ));
            return None;
        }
    };
    match &*typed.ty {
        Type::Reference(r) if r.mutability.is_some() => {
            errors.push(syn::Error::new_spanned(
                r,
                "model arguments cannot be `&mut`: a model only reads its data",
            ));
            None
        }
        Type::Reference(r) if r.lifetime.is_some() => {
            errors.push(syn::Error::new_spanned(
                &r.lifetime,
                "model arguments take no lifetime: the model stores its own copy",
            ));
            None
        }
        Type::Reference(r) if is_usize_slice(&r.elem) => Some(Arg {
            name,
            stored: syn::parse_quote!(::std::vec::Vec<::core::primitive::usize>),
            by_ref: true,
            view: ArgView::IndexSlice,
        }),
        Type::Reference(r) if matches!(&*r.elem, Type::Slice(_)) => {
            let hint = "the model stores its data, and numbers need a type whose operators \
                        combine with parameters: use `&DVector<f64>` (or `&[usize]` for an \
                        index vector)";
            let elem = &r.elem;
            let message = format!("a model argument cannot be `&{}`: {hint}", quote!(#elem));
            errors.push(syn::Error::new_spanned(r, message.replace(" ]", "]")));
            None
        }
        Type::Reference(r) => Some(Arg {
            name,
            view: data_view(&r.elem),
            stored: (*r.elem).clone(),
            by_ref: true,
        }),
        other => Some(Arg {
            name,
            view: data_view(other),
            stored: other.clone(),
            by_ref: false,
        }),
    }
}

/// `[usize]`.
fn is_usize_slice(ty: &Type) -> bool {
    matches!(ty, Type::Slice(s) if matches!(&*s.elem, Type::Path(p) if p.path.is_ident("usize")))
}

/// Arguments of the data types the model language has operators for (`DVector<f64>`,
/// `DMatrix<f64>`, `Vec<usize>`, recognised by the last path segment) are seen as `Data`
/// views; everything else as written.
fn data_view(ty: &Type) -> ArgView {
    let Type::Path(p) = ty else {
        return ArgView::Plain;
    };
    let Some(last) = p.path.segments.last() else {
        return ArgView::Plain;
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return ArgView::Plain;
    };
    let only_arg = match (args.args.len(), args.args.first()) {
        (1, Some(syn::GenericArgument::Type(Type::Path(t)))) => t.path.get_ident(),
        _ => None,
    };
    match (
        last.ident.to_string().as_str(),
        only_arg.map(|i| i.to_string()),
    ) {
        ("DVector" | "DMatrix", Some(t)) if t == "f64" => ArgView::Data,
        ("Vec", Some(t)) if t == "usize" => ArgView::Data,
        _ => ArgView::Plain,
    }
}
