//! Checks across statements: unique site names, declared plates, no shadowing of sites.

use crate::errors::Errors;
use crate::ir::{ModelIr, PlateRef, Statement};
use std::collections::HashMap;

/// Records every cross-statement mistake in `errors`.
pub fn check_model(model: &ModelIr, errors: &mut Errors) {
    let mut seen: HashMap<String, proc_macro2::Span> = HashMap::new();
    let mut plates: Vec<String> = Vec::new();
    let arg_names: Vec<String> = model.args.iter().map(|a| a.name.to_string()).collect();
    for statement in &model.statements {
        match statement {
            Statement::Plate { name, .. } => plates.push(name.to_string()),
            Statement::Site(site) => {
                let name = site.name.to_string();
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
                if let Some(PlateRef::Named(plate)) = &site.plate {
                    if !plates.contains(&plate.to_string()) {
                        errors.push(syn::Error::new(
                            plate.span(),
                            format!("unknown plate `{plate}`: declare it first with `let {plate} = plate!(size);`"),
                        ));
                    }
                }
            }
            Statement::Plain(_) => {}
        }
    }
}
