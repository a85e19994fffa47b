//! Checks across statements: unique site names, declared plates, no re-binding of sites.

use crate::errors::Errors;
use crate::ir::{ModelIr, PlateRef, Statement};
use std::collections::HashMap;

/// Records every cross-statement mistake of a `#[model]` in `errors`.
pub fn check_model(model: &ModelIr, errors: &mut Errors) {
    check_model_name(model, errors);
    check_builder_clashes(model, errors);
    check_statements(model, false, errors);
}

/// Records every cross-statement mistake of a `#[guide]` in `errors`: the model checks, and
/// only `param!`, `sample!` and `plate!` among the site macros.
pub fn check_guide(guide: &ModelIr, errors: &mut Errors) {
    check_model_name(guide, errors);
    check_statements(guide, true, errors);
    for statement in &guide.statements {
        let (span, what) = match statement {
            Statement::Site(site) if !site.is_sample() => (site.name.span(), "deterministic!"),
            Statement::Factor { name, .. } => (name.span(), "factor!"),
            _ => continue,
        };
        errors.push(syn::Error::new(
            span,
            format!("a #[guide] has no `{what}`: it draws the model's latent sites with `sample!` from `param!`s; compute values with plain `let`s"),
        ));
    }
}

fn check_statements(model: &ModelIr, in_guide: bool, errors: &mut Errors) {
    let mut seen: HashMap<String, proc_macro2::Span> = HashMap::new();
    let mut plates: Vec<String> = Vec::new();
    let mut subsampled: Vec<String> = Vec::new();
    let arg_names: Vec<String> = model.args.iter().map(|a| a.name.to_string()).collect();
    for statement in &model.statements {
        match statement {
            Statement::Plate {
                name, subsample, ..
            } => {
                if seen.contains_key(&name.to_string()) {
                    errors.push(shadowing_error(name, "plate"));
                }
                plates.push(name.to_string());
                if subsample.is_some() {
                    subsampled.push(name.to_string());
                }
            }
            Statement::Subsample { name, plate, .. } => {
                if seen.contains_key(&name.to_string()) {
                    errors.push(shadowing_error(name, "`subsample!`"));
                }
                if !subsampled.contains(&plate.to_string()) {
                    let how = match plates.contains(&plate.to_string()) {
                        true => format!(
                            "plate `{plate}` is not subsampled: declare it with `plate!(n, subsample = batch)`"
                        ),
                        false => format!(
                            "unknown plate `{plate}`: declare it first with `let {plate} = plate!(n, subsample = batch);`"
                        ),
                    };
                    errors.push(syn::Error::new(plate.span(), how));
                }
            }
            Statement::Site(site) => {
                let name = site.name.to_string();
                if plates.contains(&name) {
                    errors.push(syn::Error::new(
                        site.name.span(),
                        format!("site `{name}` has the name of a plate; rename one of them"),
                    ));
                }
                if let Some(first) = seen.get(&name) {
                    let mut e = syn::Error::new(
                        site.name.span(),
                        format!(
                            "duplicate site name `{name}`: site names must be unique in a model"
                        ),
                    );
                    e.combine(syn::Error::new(
                        *first,
                        format!("`{name}` is first defined here"),
                    ));
                    errors.push(e);
                } else {
                    seen.insert(name.clone(), site.name.span());
                }
                if arg_names.contains(&name) {
                    errors.push(syn::Error::new(
                        site.name.span(),
                        format!(
                            "site `{name}` has the name of a model argument; rename one of them"
                        ),
                    ));
                }
                if let Some(PlateRef::Named(plate)) = &site.plate
                    && !plates.contains(&plate.to_string())
                {
                    errors.push(syn::Error::new(
                            plate.span(),
                            format!("unknown plate `{plate}`: declare it first with `let {plate} = plate!(size);`"),
                        ));
                }
            }
            Statement::Plain(syn::Stmt::Local(local)) => {
                for bound in pattern_names(&local.pat) {
                    if seen.contains_key(&bound.to_string()) {
                        errors.push(shadowing_error(&bound, "`let`"));
                    }
                }
            }
            Statement::Factor { name, .. } => {
                if let Some(first) = seen.get(&name.to_string()) {
                    let mut e = syn::Error::new(
                        name.span(),
                        format!("duplicate name `{name}`: a factor is named like a site"),
                    );
                    e.combine(syn::Error::new(
                        *first,
                        format!("`{name}` is first defined here"),
                    ));
                    errors.push(e);
                } else {
                    seen.insert(name.to_string(), name.span());
                }
            }
            Statement::Param(p) if !in_guide => errors.push(syn::Error::new(
                p.name.span(),
                "`param!` declares a variational parameter: it belongs in a #[guide] function; \
                 a model's unknowns are `sample!` sites",
            )),
            Statement::Param(p) => {
                if let Some(first) = seen.insert(p.name.to_string(), p.name.span()) {
                    let mut e = syn::Error::new(
                        p.name.span(),
                        format!("duplicate name `{}` in the guide", p.name),
                    );
                    e.combine(syn::Error::new(first, "first defined here"));
                    errors.push(e);
                }
                if let Some(PlateRef::Named(plate)) = &p.plate
                    && !plates.contains(&plate.to_string())
                {
                    errors.push(syn::Error::new(
                        plate.span(),
                        format!("unknown plate `{plate}`: declare it first with `let {plate} = plate!(size);`"),
                    ));
                }
            }
            Statement::Plain(_) => {}
        }
    }
}

/// The trace and the draws record a site under its binding, so re-binding the name would
/// record the later value instead of the site's.
fn shadowing_error(name: &proc_macro2::Ident, what: &str) -> syn::Error {
    syn::Error::new(
        name.span(),
        format!(
            "this {what} re-binds the site `{name}`: the trace would record this value instead \
             of the site's; use another name"
        ),
    )
}

/// The names a pattern binds.
fn pattern_names(pat: &syn::Pat) -> Vec<proc_macro2::Ident> {
    struct Names(Vec<proc_macro2::Ident>);
    impl<'ast> syn::visit::Visit<'ast> for Names {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.push(p.ident.clone());
        }
    }
    let mut names = Names(Vec::new());
    syn::visit::Visit::visit_pat(&mut names, pat);
    names.0
}

/// The builders have methods `build`, `condition`, `intervene` and `<site>_shift` beside the
/// per-site methods: a site with one of those names would clash.
fn check_builder_clashes(model: &ModelIr, errors: &mut Errors) {
    const RESERVED: [&str; 3] = ["build", "condition", "intervene"];
    let names: Vec<String> = model.sites().map(|s| s.name.to_string()).collect();
    for site in model.sites() {
        let name = site.name.to_string();
        if RESERVED.contains(&name.as_str()) {
            errors.push(syn::Error::new(
                site.name.span(),
                format!(
                    "`{name}` is a method of the generated builders; give the site another name"
                ),
            ));
        }
        if let Some(base) = name
            .strip_suffix("_shift")
            .filter(|b| names.iter().any(|n| n == b))
        {
            errors.push(syn::Error::new(
                site.name.span(),
                format!("`{name}` clashes with the shift-intervention method of site `{base}`; rename one of them"),
            ));
        }
    }
}

/// The generated type names come from the function's name in UpperCamelCase.
fn check_model_name(model: &ModelIr, errors: &mut Errors) {
    let raw = syn::ext::IdentExt::unraw(&model.fn_name).to_string();
    let valid =
        raw.chars().any(|c| c.is_alphabetic()) && !raw.starts_with(|c: char| c.is_ascii_digit());
    if !valid
        || raw
            .trim_matches('_')
            .starts_with(|c: char| c.is_ascii_digit())
    {
        errors.push(syn::Error::new(
            model.fn_name.span(),
            "the model's name must contain a letter before any digit: the generated types are named after it",
        ));
    }
}
