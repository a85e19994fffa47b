//! Accumulates `syn::Error`s so that every mistake in a model is reported in one build.

use proc_macro2::TokenStream;

/// The errors found so far.
#[derive(Default)]
pub struct Errors {
    list: Vec<syn::Error>,
}

impl Errors {
    /// Records an error.
    pub fn push(&mut self, e: syn::Error) {
        self.list.push(e);
    }
    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
    /// All errors as `compile_error!` invocations, each spanned on the user's token.
    pub fn into_compile_errors(self) -> TokenStream {
        self.list
            .into_iter()
            .map(|e| e.to_compile_error())
            .collect()
    }
}
