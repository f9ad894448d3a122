//! The Rust type of an IR type position.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{Api, FloatFormat, IntFormat, StringFormat, Ty, TyKind};

/// Where the type is written: inside the `models` module or outside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Models,
    Outside,
}

/// The Rust type for `ty`, without the `Option` that nullability or optionality adds.
pub fn rust_type(api: &Api, ty: &Ty, scope: Scope) -> TokenStream {
    match &ty.kind {
        TyKind::Bool => quote!(bool),
        TyKind::Integer(IntFormat::I32) => quote!(i32),
        TyKind::Integer(IntFormat::I64) => quote!(i64),
        TyKind::Integer(IntFormat::U32) => quote!(u32),
        TyKind::Integer(IntFormat::U64) => quote!(u64),
        TyKind::Number(FloatFormat::F32) => quote!(f32),
        TyKind::Number(FloatFormat::F64) => quote!(f64),
        TyKind::String(StringFormat::Date) => quote!(chrono::NaiveDate),
        TyKind::String(StringFormat::DateTime) => quote!(chrono::DateTime<chrono::Utc>),
        TyKind::String(StringFormat::Uuid) => quote!(uuid::Uuid),
        TyKind::String(_) => quote!(String),
        TyKind::Array(item) => {
            let item = nullable_type(api, item, scope);
            quote!(Vec<#item>)
        }
        TyKind::Map(value) => {
            let value = nullable_type(api, value, scope);
            quote!(std::collections::BTreeMap<String, #value>)
        }
        TyKind::Named(id) => {
            let name = format_ident!("{}", api.ty(*id).name);
            match scope {
                Scope::Models => quote!(#name),
                Scope::Outside => quote!(models::#name),
            }
        }
        TyKind::Any => quote!(serde_json::Value),
    }
}

/// The Rust type, wrapped in `Option` when `null` is a valid value.
pub fn nullable_type(api: &Api, ty: &Ty, scope: Scope) -> TokenStream {
    let inner = rust_type(api, ty, scope);
    if ty.nullable && !matches!(ty.kind, TyKind::Any) {
        quote!(Option<#inner>)
    } else {
        inner
    }
}
