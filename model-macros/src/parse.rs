//! Parses a `#[model]` function into the [`ModelIr`], recording every mistake and going on.

use crate::errors::Errors;
use crate::ir::{Arg, ArgView, ModelIr, PlateRef, Site, SiteKind, Statement};
use proc_macro2::Ident;
use std::collections::{BTreeSet, HashMap};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, ItemFn, Pat, Token};

/// The macros that declare sites and plates.
pub const SITE_MACROS: [&str; 6] = [
    "sample",
    "deterministic",
    "plate",
    "factor",
    "param",
    "subsample",
];

/// Parses the function; mistakes go to `errors` and the offending piece is left out.
pub fn parse_model(function: &ItemFn, errors: &mut Errors) -> ModelIr {
    check_signature(function, errors);
    let args: Vec<Arg> = function
        .sig
        .inputs
        .iter()
        .filter_map(|a| crate::args::parse_arg(a, errors))
        .collect();
    let mut deps = Dependencies::default();
    // A site that reads a data argument has it as a parent: the graph shows data as
    // observed exogenous nodes (an adjustment set can name a covariate matrix).
    for arg in args.iter().filter(|a: &&Arg| a.view != ArgView::Plain) {
        let name = syn::ext::IdentExt::unraw(&arg.name).to_string();
        deps.of.insert(name.clone(), BTreeSet::from([name]));
    }
    let statements = function
        .block
        .stmts
        .iter()
        .filter_map(|s| parse_statement(s, &mut deps, errors))
        .collect();
    let mut ir = ModelIr {
        vis: function.vis.clone(),
        fn_name: function.sig.ident.clone(),
        docs: function
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect(),
        args,
        statements,
    };
    ir.mark_reads();
    ir
}

fn check_signature(f: &ItemFn, errors: &mut Errors) {
    let sig = &f.sig;
    let mut reject = |cond: bool, tokens: &dyn quote::ToTokens, msg: &str| {
        if cond {
            errors.push(syn::Error::new_spanned(tokens, msg));
        }
    };
    reject(
        sig.asyncness.is_some(),
        &sig.asyncness,
        "a #[model] function cannot be async",
    );
    reject(
        sig.constness.is_some(),
        &sig.constness,
        "a #[model] function cannot be const",
    );
    reject(
        sig.unsafety.is_some(),
        &sig.unsafety,
        "a #[model] function cannot be unsafe",
    );
    reject(
        !sig.generics.params.is_empty() || sig.generics.where_clause.is_some(),
        &sig.generics,
        "a #[model] function cannot be generic: the generated body is generic over the scalar `S` already",
    );
    reject(
        !matches!(sig.output, syn::ReturnType::Default),
        &sig.output,
        "a #[model] function returns nothing: its sites are read from the trace",
    );
    reject(
        sig.variadic.is_some(),
        &sig.variadic,
        "a #[model] function cannot be variadic",
    );
}

/// What each local binding depends on, in terms of sites.
#[derive(Default)]
struct Dependencies {
    of: HashMap<String, BTreeSet<String>>,
}

impl Dependencies {
    fn of_expr(&self, expr: &Expr) -> BTreeSet<String> {
        struct Reads<'a>(&'a Dependencies, BTreeSet<String>);
        impl<'ast> Visit<'ast> for Reads<'_> {
            fn visit_path(&mut self, p: &'ast syn::Path) {
                if let Some(id) = p.get_ident()
                    && let Some(d) = self.0.of.get(&id.to_string())
                {
                    self.1.extend(d.iter().cloned());
                }
                syn::visit::visit_path(self, p);
            }
        }
        let mut reads = Reads(self, BTreeSet::new());
        reads.visit_expr(expr);
        reads.1
    }
    fn bind_pattern(&mut self, pat: &Pat, deps: &BTreeSet<String>) {
        struct Names<'a>(&'a mut Vec<String>);
        impl<'ast> Visit<'ast> for Names<'_> {
            fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
                self.0.push(p.ident.to_string());
            }
        }
        let mut names = Vec::new();
        Names(&mut names).visit_pat(pat);
        for n in names {
            self.of.insert(n, deps.clone());
        }
    }
}

fn parse_statement(
    stmt: &syn::Stmt,
    deps: &mut Dependencies,
    errors: &mut Errors,
) -> Option<Statement> {
    if let syn::Stmt::Macro(m) = stmt
        && site_macro_name(&m.mac.path).as_deref() == Some("factor")
    {
        return parse_factor(&m.mac, errors);
    }
    let syn::Stmt::Local(local) = stmt else {
        report_nested_site_macros(stmt, errors);
        return Some(Statement::Plain(stmt.clone()));
    };
    let Some(mac) = local.init.as_ref().and_then(|i| site_macro(&i.expr)) else {
        report_nested_site_macros(stmt, errors);
        if let Some(init) = &local.init {
            let d = deps.of_expr(&init.expr);
            deps.bind_pattern(&local.pat, &d);
        }
        return Some(Statement::Plain(stmt.clone()));
    };
    let kind = site_macro_name(&mac.path).unwrap_or_default();
    if kind == "factor" {
        errors.push(syn::Error::new_spanned(
            &local.pat,
            format!("`factor!` is a statement, not a value: {}", usage("factor")),
        ));
        return None;
    }
    let name = binding_name(&local.pat, &kind, errors)?;
    if let Some(init) = &local.init
        && let Some((else_token, _)) = &init.diverge
    {
        errors.push(syn::Error::new_spanned(
            else_token,
            format!("`{kind}!` cannot be used with `let ... else`"),
        ));
    }
    let args = parse_macro_args(mac, &kind, errors);
    let statement = match (kind.as_str(), args) {
        // A malformed plate is still declared, so its uses do not add "unknown plate" errors
        // (the body is not emitted when there are errors, so the size is never used).
        ("plate", args) => args
            .and_then(|a| parse_plate(name.clone(), a, mac, false, errors))
            .unwrap_or(Statement::Plate {
                name,
                size: syn::parse_quote!(0),
                subsample: None,
            }),
        (_, None) => return None,
        ("subsample", Some(args)) => parse_subsample(name, args, mac, deps, errors)?,
        ("param", Some(args)) => {
            Statement::Param(crate::param::parse_param(name, args, mac, errors)?)
        }
        (_, Some(args)) => Statement::Site(parse_site(name, &kind, args, mac, deps, errors)?),
    };
    Some(statement)
}

fn site_macro(expr: &Expr) -> Option<&syn::Macro> {
    match expr {
        Expr::Macro(m) if is_site_macro(&m.mac) => Some(&m.mac),
        _ => None,
    }
}

/// `sample!`, or `doppl::sample!` / `::doppl::sample!` (likewise the other site macros).
fn is_site_macro(mac: &syn::Macro) -> bool {
    site_macro_name(&mac.path).is_some()
}

/// The site macro a path names, if it names one.
pub fn site_macro_name(path: &syn::Path) -> Option<String> {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let name = segments.last()?;
    let prefix_ok = match segments.len() {
        1 => path.leading_colon.is_none(),
        2 => segments[0] == "doppl",
        _ => false,
    };
    (prefix_ok && SITE_MACROS.contains(&name.as_str())).then(|| name.clone())
}

fn binding_name(pat: &Pat, kind: &str, errors: &mut Errors) -> Option<Ident> {
    match pat {
        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p.ident.clone()),
        Pat::Type(t) => {
            errors.push(syn::Error::new_spanned(
                &t.ty,
                format!("remove this type annotation: the type of a `{kind}!` binding comes from its distribution or plate"),
            ));
            None
        }
        other => {
            errors.push(syn::Error::new_spanned(
                other,
                format!("`{kind}!` must be bound to a plain name, which becomes the site's name"),
            ));
            None
        }
    }
}

pub(crate) fn parse_macro_args(
    mac: &syn::Macro,
    kind: &str,
    errors: &mut Errors,
) -> Option<Vec<Expr>> {
    match mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
        Ok(args) => Some(args.into_iter().collect()),
        Err(e) => {
            errors.push(syn::Error::new(
                e.span(),
                format!("malformed `{kind}!`: {e}; {}", usage(kind)),
            ));
            None
        }
    }
}

fn usage(kind: &str) -> &'static str {
    match kind {
        "sample" => {
            "write `sample!(Family::new(params..))` or `sample!(Family::new(params..), plate)`"
        }
        "deterministic" => {
            "write `deterministic!(expression)` or `deterministic!(expression, plate)`"
        }
        "factor" => "write `factor!(name, log_density);` with a name for the term",
        "param" => crate::param::USAGE,
        "subsample" => {
            "write `let x = subsample!(x, plate);` with a data argument and a plate declared \
             with `plate!(n, subsample = batch)`"
        }
        _ => "write `let name = plate!(size);`",
    }
}

/// `factor!(name, log_density);`
fn parse_factor(mac: &syn::Macro, errors: &mut Errors) -> Option<Statement> {
    let args = parse_macro_args(mac, "factor", errors)?;
    let mut args = args.into_iter();
    match (args.next(), args.next(), args.next()) {
        (Some(Expr::Path(p)), Some(value), None) if p.path.get_ident().is_some() => {
            report_nested_in_expr(&value, errors);
            let name = p.path.get_ident().cloned()?;
            Some(Statement::Factor { name, value })
        }
        _ => {
            errors.push(syn::Error::new_spanned(
                mac,
                format!("malformed `factor!`: {}", usage("factor")),
            ));
            None
        }
    }
}

pub(crate) fn parse_plate(
    name: Ident,
    args: Vec<Expr>,
    mac: &syn::Macro,
    inline: bool,
    errors: &mut Errors,
) -> Option<Statement> {
    let mut args = args.into_iter();
    match (args.next(), args.next(), args.next()) {
        (Some(size), None, None) => Some(Statement::Plate {
            name,
            size,
            subsample: None,
        }),
        (Some(size), Some(Expr::Assign(a)), None) if is_ident(&a.left, "subsample") => {
            if inline {
                errors.push(syn::Error::new_spanned(
                    mac,
                    "a subsampled plate must be declared with `let units = plate!(n, subsample \
                     = batch);`, so that `subsample!(x, units)` can restrict the data on it",
                ));
                return None;
            }
            Some(Statement::Plate {
                name,
                size,
                subsample: Some(*a.right),
            })
        }
        _ => {
            let hint = if inline {
                "write `plate!(size)`"
            } else {
                usage("plate")
            };
            errors.push(syn::Error::new_spanned(
                mac,
                format!("malformed `plate!`: {hint}"),
            ));
            None
        }
    }
}

/// Whether `expr` is the bare identifier `name`.
fn is_ident(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Path(p) if p.path.is_ident(name))
}

/// `let x = subsample!(data, plate);`
fn parse_subsample(
    name: Ident,
    args: Vec<Expr>,
    mac: &syn::Macro,
    deps: &mut Dependencies,
    errors: &mut Errors,
) -> Option<Statement> {
    let mut args = args.into_iter();
    match (args.next(), args.next(), args.next()) {
        (Some(data), Some(Expr::Path(p)), None) if p.path.get_ident().is_some() => {
            report_nested_in_expr(&data, errors);
            let d = deps.of_expr(&data);
            deps.of.insert(name.to_string(), d);
            let plate = p.path.get_ident().cloned()?;
            Some(Statement::Subsample { name, data, plate })
        }
        _ => {
            errors.push(syn::Error::new_spanned(
                mac,
                format!("malformed `subsample!`: {}", usage("subsample")),
            ));
            None
        }
    }
}

fn parse_site(
    name: Ident,
    kind: &str,
    args: Vec<Expr>,
    mac: &syn::Macro,
    deps: &mut Dependencies,
    errors: &mut Errors,
) -> Option<Site> {
    let mut args = args.into_iter();
    let (Some(first), plate_expr, None) = (args.next(), args.next(), args.next()) else {
        errors.push(syn::Error::new_spanned(
            mac,
            format!("malformed `{kind}!`: {}", usage(kind)),
        ));
        return None;
    };
    let plate = match plate_expr {
        None => None,
        Some(expr) => Some(plate_ref(&name, expr, errors)?),
    };
    report_nested_in_expr(&first, errors);
    let parents: Vec<String> = deps.of_expr(&first).into_iter().collect();
    deps.of.insert(
        name.to_string(),
        BTreeSet::from([syn::ext::IdentExt::unraw(&name).to_string()]),
    );
    let kind = if kind == "sample" {
        let family = family_path(&first, errors)?;
        SiteKind::Sample {
            dist: first,
            family,
        }
    } else {
        SiteKind::Deterministic { value: first }
    };
    Some(Site {
        name,
        kind,
        plate,
        parents,
        read_later: true,
    })
}

/// A site's or parameter's plate argument: a declared plate's name or `plate!(size)`;
/// `None` after reporting anything else.
pub(crate) fn plate_ref(name: &Ident, expr: Expr, errors: &mut Errors) -> Option<PlateRef> {
    match expr {
        Expr::Path(p) if p.path.get_ident().is_some() => {
            p.path.get_ident().cloned().map(PlateRef::Named)
        }
        Expr::Macro(m) if site_macro_name(&m.mac.path).as_deref() == Some("plate") => {
            let args = parse_macro_args(&m.mac, "plate", errors)?;
            match parse_plate(name.clone(), args, &m.mac, true, errors)? {
                Statement::Plate { size, .. } => Some(PlateRef::Inline(size)),
                _ => None,
            }
        }
        other => {
            errors.push(syn::Error::new_spanned(
                other,
                "expected a plate: the name of one declared with `let name = plate!(size);`, \
                 or `plate!(size)`",
            ));
            None
        }
    }
}

/// `Family` from `Family::ctor(..)`: the site's value type is named through it.
fn family_path(dist: &Expr, errors: &mut Errors) -> Option<syn::Path> {
    // A distribution passed through a `macro_rules!` `$e:expr` arrives in an invisible group.
    let mut inner = dist;
    while let Expr::Group(g) = inner {
        inner = &g.expr;
    }
    if let Expr::Call(call) = inner
        && let Expr::Path(p) = &*call.func
    {
        let segments = &p.path.segments;
        let last_family = segments.len().checked_sub(2).map(|i| &segments[i]);
        if p.qself.is_none() && last_family.is_some_and(|s| s.arguments.is_none()) {
            let mut family = p.path.clone();
            family.segments.pop();
            family.segments.pop_punct();
            return Some(family);
        }
    }
    errors.push(syn::Error::new(
        dist.span(),
        "the distribution must be a constructor call `Family::constructor(..)` such as \
         `Normal::new(0.0, 1.0)`, so that the site's value type can be named",
    ));
    None
}

/// Site macros anywhere but as a top-level `let` initializer are mistakes.
fn report_nested_site_macros(stmt: &syn::Stmt, errors: &mut Errors) {
    let mut finder = NestedSiteMacros(Vec::new());
    finder.visit_stmt(stmt);
    report(finder.0, errors);
}

fn report_nested_in_expr(expr: &Expr, errors: &mut Errors) {
    let mut finder = NestedSiteMacros(Vec::new());
    finder.visit_expr(expr);
    report(finder.0, errors);
}

fn report(found: Vec<syn::Macro>, errors: &mut Errors) {
    for mac in found {
        let kind = site_macro_name(&mac.path).unwrap_or_default();
        errors.push(syn::Error::new_spanned(
            &mac.path,
            format!(
                "`{kind}!` must be the whole initializer of a `let` at the top level of the \
                 #[model] or #[guide] function (`let name = {kind}!(..);`): the binding names \
                 the site"
            ),
        ));
    }
}

struct NestedSiteMacros(Vec<syn::Macro>);

impl<'ast> Visit<'ast> for NestedSiteMacros {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if is_site_macro(mac) {
            self.0.push(mac.clone());
        }
    }
}
