//! The intermediate representation of a model: what `parse` finds and `expand` emits.

use proc_macro2::{Ident, TokenStream, TokenTree};
use quote::ToTokens;
use syn::{Expr, Path, Type, Visibility};

/// A parsed `#[model]` function.
pub struct ModelIr {
    /// Visibility of the function, given to every generated item.
    pub vis: Visibility,
    /// The function's name (`earnings`).
    pub fn_name: Ident,
    /// Doc attributes of the function, moved onto the struct.
    pub docs: Vec<syn::Attribute>,
    /// The arguments, which become the struct's fields.
    pub args: Vec<Arg>,
    /// The body in order.
    pub statements: Vec<Statement>,
}

/// One argument of the model function.
pub struct Arg {
    /// The argument's name.
    pub name: Ident,
    /// The owned type stored in the struct (`T` for an argument `&T`, `Vec<usize>` for
    /// `&[usize]`).
    pub stored: Type,
    /// Whether the argument was written `&T` (then `new` takes `&T`).
    pub by_ref: bool,
    /// How the body sees the argument.
    pub view: ArgView,
}

/// How the body sees an argument.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ArgView {
    /// As written: `&self.name` for a reference, a clone otherwise.
    Plain,
    /// A `Data` view (data vectors, matrices and index vectors), whose operators combine
    /// data with parameters.
    Data,
    /// `&[usize]`: stored as `Vec<usize>`, seen as a `Data` view.
    IndexSlice,
}

/// One top-level statement of the body.
pub enum Statement {
    /// `let name = plate!(size);`
    Plate {
        /// The binding.
        name: Ident,
        /// The size expression.
        size: Expr,
        /// `plate!(size, subsample = batch)`: the batch size of an SVI step.
        subsample: Option<Expr>,
    },
    /// `let name = subsample!(data, plate);`: data on a subsampled plate, restricted to the
    /// batch in an SVI step.
    Subsample {
        /// The binding.
        name: Ident,
        /// The data (a data argument's view).
        data: Expr,
        /// The plate.
        plate: Ident,
    },
    /// A `sample!` or `deterministic!` site.
    Site(Site),
    /// `factor!(name, log_density);`: a custom term added to the log-density.
    Factor {
        /// The term's name, for errors.
        name: Ident,
        /// The log-density term: a scalar, or a vector summed over its plate.
        value: Expr,
    },
    /// `let name = param!(init, constraint = c, plate);`: a guide's variational parameter.
    Param(Param),
    /// Anything else, kept as written.
    Plain(syn::Stmt),
}

/// A guide's variational parameter.
pub struct Param {
    /// The binding, which names the parameter.
    pub name: Ident,
    /// The initial value (a number, or one per element).
    pub init: Expr,
    /// The constraint, as the runtime's `ParamConstraint` expression.
    pub constraint: TokenStream,
    /// The plate, for one value per element.
    pub plate: Option<PlateRef>,
}

/// A random or deterministic site.
pub struct Site {
    /// The binding, which is the site's name.
    pub name: Ident,
    /// What kind of site.
    pub kind: SiteKind,
    /// The plate, if the site is on one.
    pub plate: Option<PlateRef>,
    /// Sites the expression reads, directly or through plain `let`s.
    pub parents: Vec<String>,
    /// Whether a later statement mentions the site's binding ([`ModelIr::mark_reads`]).
    pub read_later: bool,
}

/// The two kinds of sites.
pub enum SiteKind {
    /// `sample!(Family::ctor(..))`.
    Sample {
        /// The distribution expression.
        dist: Expr,
        /// `Family` (the constructor's path without its last segment).
        family: Path,
    },
    /// `deterministic!(expr)`.
    Deterministic {
        /// The value expression.
        value: Expr,
    },
}

impl ModelIr {
    /// The sites in program order.
    pub fn sites(&self) -> impl Iterator<Item = &Site> {
        self.statements.iter().filter_map(|s| match s {
            Statement::Site(site) => Some(site),
            _ => None,
        })
    }
    /// Marks each site whose binding a later statement mentions. Conservative: any token
    /// equal to the name counts (a field or a shadowing binding of the same name too), so a
    /// site marked unread is certainly not read, and a handler keeping no trace need not
    /// materialize its value.
    pub fn mark_reads(&mut self) {
        for k in 0..self.statements.len() {
            let Statement::Site(site) = &self.statements[k] else {
                continue;
            };
            let name = site.name.clone();
            let later = self.statements[k + 1..].iter();
            let read = later
                .map(Statement::to_token_stream)
                .any(|t| mentions(t, &name));
            if let Statement::Site(site) = &mut self.statements[k] {
                site.read_later = read;
            }
        }
    }
}

impl Statement {
    fn to_token_stream(&self) -> TokenStream {
        match self {
            Statement::Plate {
                size, subsample, ..
            } => {
                let mut tokens = size.to_token_stream();
                subsample.to_tokens(&mut tokens);
                tokens
            }
            Statement::Subsample { data, plate, .. } => {
                let mut tokens = data.to_token_stream();
                plate.to_tokens(&mut tokens);
                tokens
            }
            Statement::Site(site) => {
                let mut tokens = match &site.kind {
                    SiteKind::Sample { dist, .. } => dist.to_token_stream(),
                    SiteKind::Deterministic { value } => value.to_token_stream(),
                };
                if let Some(PlateRef::Inline(size)) = &site.plate {
                    size.to_tokens(&mut tokens);
                }
                tokens
            }
            Statement::Factor { value, .. } => value.to_token_stream(),
            Statement::Param(p) => p.init.to_token_stream(),
            Statement::Plain(stmt) => stmt.to_token_stream(),
        }
    }
}

/// Whether `tokens` (macro arguments and groups included) contain the identifier `name`.
fn mentions(tokens: TokenStream, name: &Ident) -> bool {
    tokens.into_iter().any(|t| match t {
        TokenTree::Ident(id) => id == *name,
        TokenTree::Group(g) => mentions(g.stream(), name),
        _ => false,
    })
}

impl Site {
    /// Whether it is a `sample!` site.
    pub fn is_sample(&self) -> bool {
        matches!(self.kind, SiteKind::Sample { .. })
    }
}

/// The plate of a site: a declared one, or one written in place.
pub enum PlateRef {
    /// `sample!(.., units)` with `let units = plate!(n);` earlier.
    Named(Ident),
    /// `sample!(.., plate!(n))`: a plate of its own, named after the site.
    Inline(Expr),
}
