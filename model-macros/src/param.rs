//! `let name = param!(init, constraint = c, plate);`: a guide's variational parameter.

use crate::errors::Errors;
use crate::ir::{Param, PlateRef};
use proc_macro2::{Ident, TokenStream};
use quote::quote;
use syn::Expr;

/// How to write one, for error messages.
pub const USAGE: &str = "write `param!(init)`, `param!(init, constraint = positive)` or \
                         `param!(init, constraint = positive, plate)`; constraints: real, \
                         positive, unit_interval, interval(lo, hi), greater_than(lo)";

/// Parses the arguments of a `param!`; mistakes go to `errors`.
pub fn parse_param(
    name: Ident,
    args: Vec<Expr>,
    mac: &syn::Macro,
    errors: &mut Errors,
) -> Option<Param> {
    let mut args = args.into_iter();
    let Some(init) = args.next() else {
        errors.push(syn::Error::new_spanned(
            mac,
            format!("`param!` needs an initial value: {USAGE}"),
        ));
        return None;
    };
    let (mut constraint, mut plate): (Option<TokenStream>, Option<PlateRef>) = (None, None);
    let mut ok = true;
    for arg in args {
        match arg {
            Expr::Assign(a) if is_ident(&a.left, "constraint") && constraint.is_none() => {
                constraint = parse_constraint(&a.right, errors);
                ok &= constraint.is_some();
            }
            other if plate.is_none() && !matches!(other, Expr::Assign(_)) => {
                plate = crate::parse::plate_ref(&name, other, errors);
                ok &= plate.is_some();
            }
            other => {
                errors.push(syn::Error::new_spanned(
                    other,
                    format!("unexpected argument: {USAGE}"),
                ));
                ok = false;
            }
        }
    }
    let real = quote!(::doppl::__private::ParamConstraint::Real);
    ok.then(|| Param {
        name,
        init,
        constraint: constraint.unwrap_or(real),
        plate,
    })
}

fn is_ident(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Path(p) if p.path.is_ident(name))
}

fn call_args(call: &syn::ExprCall, n: usize) -> Option<Vec<&Expr>> {
    let args: Vec<&Expr> = call.args.iter().collect();
    (args.len() == n).then_some(args)
}

/// The runtime's `ParamConstraint` for a constraint written in a `param!`.
fn parse_constraint(expr: &Expr, errors: &mut Errors) -> Option<TokenStream> {
    let path = quote!(::doppl::__private::ParamConstraint);
    let found = match expr {
        Expr::Path(p) if p.path.is_ident("real") => Some(quote!(#path::Real)),
        Expr::Path(p) if p.path.is_ident("positive") => Some(quote!(#path::Positive)),
        Expr::Path(p) if p.path.is_ident("unit_interval") => Some(quote!(#path::UnitInterval)),
        Expr::Call(call) if is_ident(&call.func, "interval") => call_args(call, 2).map(|a| {
            let (lo, hi) = (a[0], a[1]);
            quote!(#path::Interval(#lo, #hi))
        }),
        Expr::Call(call) if is_ident(&call.func, "greater_than") => call_args(call, 1).map(|a| {
            let lo = a[0];
            quote!(#path::GreaterThan(#lo))
        }),
        _ => None,
    };
    if found.is_none() {
        errors.push(syn::Error::new_spanned(
            expr,
            "unknown constraint: use real, positive, unit_interval, interval(lo, hi) or \
             greater_than(lo)",
        ));
    }
    found
}
