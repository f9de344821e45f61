//! `#[carrack_e2e::test]`, the attribute of every test in `e2e/tests/`.
//!
//! `#[ink_e2e::test]` (ink_e2e 5.1.1) builds every contract of the workspace with
//! `cargo contract build` (debug) once per test *binary*, through a temporary copy of each
//! contract's manifest that cargo cannot fingerprint, so every run rebuilds all of them.
//! This attribute runs the same test body on the same ink_e2e client and node, but with
//! the release bundles `scripts/test.sh` has already built (the code users deploy; see
//! `carrack_e2e::bundles`), so no test run compiles a contract.
//!
//! ```ignore
//! #[carrack_e2e::test]
//! async fn a_test(mut client: NodeClient) -> E2EResult<()> { /* ... */ Ok(()) }
//! ```
//! expands to a synchronous `#[test]` that spawns a `substrate-contracts-node`, connects a
//! `carrack_e2e::NodeClient` with the bundles, binds it to the function's one argument and
//! runs the body on a single-threaded tokio runtime (as ink_e2e does). Unlike
//! `#[ink_e2e::test]`, the body is also expanded under clippy, so the suite is linted.

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, FnArg, ItemFn};

/// Turns `async fn name(<pattern>: <type>) -> R { body }` into a `#[test] fn name() -> R`
/// that runs `body` with `<pattern>` bound to a fresh client (see the crate docs).
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "#[carrack_e2e::test] takes no arguments",
        )
        .to_compile_error()
        .into();
    }
    let function = parse_macro_input!(item as ItemFn);
    match expand(function) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

fn expand(function: ItemFn) -> syn::Result<proc_macro2::TokenStream> {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = function;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            sig.fn_token,
            "a #[carrack_e2e::test] function must be async",
        ));
    }
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &sig.generics,
            "a #[carrack_e2e::test] function takes no generics: its argument is a NodeClient",
        ));
    }
    let mut inputs = sig.inputs.iter();
    let (Some(FnArg::Typed(client)), None) = (inputs.next(), inputs.next()) else {
        return Err(syn::Error::new_spanned(
            &sig.inputs,
            "a #[carrack_e2e::test] function takes exactly one argument, the client",
        ));
    };
    let pattern = &client.pat;
    let client_type = &client.ty;
    let name = &sig.ident;
    let output = &sig.output;
    // The body's value is bound with the function's return type, so `?` inside the body
    // converts its errors into that type.
    let output_type = match output {
        syn::ReturnType::Default => quote! { () },
        syn::ReturnType::Type(_, ty) => quote! { #ty },
    };
    Ok(quote! {
        #(#attrs)*
        #[test]
        #vis fn #name() #output {
            ::carrack_e2e::runner::run(stringify!(#name), |#pattern: #client_type| async move {
                let output: #output_type = #block;
                output
            })
        }
    })
}
