//! `generated/src/models.rs`: one Rust type per schema (and per hoisted inline schema).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use super::types::{Scope, nullable_type, rust_type};
use super::validation::{Checked, Patterns, nullable_checks, option_checks};
use crate::ir::{
    Additional, Api, EnumType, Field, NamedKind, NamedType, StringFormat, StructType, TyKind,
    UnionType,
};

pub fn models(api: &Api) -> TokenStream {
    let checked = Checked::new(api);
    let mut patterns = Patterns::new(api);
    let items: Vec<TokenStream> = api
        .types
        .iter()
        .enumerate()
        .map(|(index, ty)| {
            let item = named_type(api, ty);
            let validate = validate_impl(api, &checked, &mut patterns, index, ty);
            quote!(#item #validate)
        })
        .collect();
    let statics = patterns.statics();
    quote! {
        //! Types for the schemas of the spec. Wire names are kept with `serde` renames.
        #![allow(clippy::large_enum_variant, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]

        #[allow(unused_imports)]
        use serde::{Deserialize, Serialize};

        #[allow(unused_imports)]
        use super::runtime::validate::{self, Validate};

        #statics

        #(#items)*
    }
}

fn named_type(api: &Api, ty: &NamedType) -> TokenStream {
    let mut doc = ty.doc.clone().unwrap_or_default();
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    match &ty.spec_name {
        Some(spec_name) => doc.push_str(&format!("Schema `{spec_name}`.")),
        None => doc.push_str(&format!("Inline schema at `{}`.", ty.pointer)),
    }
    let docs = doc_attrs(Some(&doc));
    let name = format_ident!("{}", ty.name);
    match &ty.kind {
        NamedKind::Struct(s) => struct_type(api, &name, docs, s),
        NamedKind::Enum(e) if e.variants.is_empty() => quote! {
            #docs
            pub type #name = serde_json::Value;
        },
        NamedKind::Enum(e) => enum_type(&name, docs, e),
        NamedKind::Union(u) => union_type(api, &name, docs, u),
        NamedKind::Alias(target) => {
            let target = nullable_type(api, target, Scope::Models);
            quote! {
                #docs
                pub type #name = #target;
            }
        }
    }
}

fn struct_type(api: &Api, name: &syn::Ident, docs: TokenStream, s: &StructType) -> TokenStream {
    let fields = s.fields.iter().map(|field| struct_field(api, field));
    let deny = (s.additional == Additional::Deny).then(|| quote!(#[serde(deny_unknown_fields)]));
    let additional = match &s.additional {
        Additional::Map(value) => {
            let value = nullable_type(api, value, Scope::Models);
            Some(quote! {
                /// Properties beyond the declared ones.
                #[serde(flatten)]
                pub additional_properties: std::collections::BTreeMap<String, #value>,
            })
        }
        _ => None,
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #deny
        pub struct #name {
            #(#fields)*
            #additional
        }
    }
}

fn struct_field(api: &Api, field: &Field) -> TokenStream {
    let mut doc = field.doc.clone().unwrap_or_default();
    if field.read_only {
        doc.push_str(if doc.is_empty() {
            "Set by the server (read-only)."
        } else {
            "\n\nSet by the server (read-only)."
        });
    }
    if field.write_only {
        doc.push_str(if doc.is_empty() {
            "Only sent by clients (write-only)."
        } else {
            "\n\nOnly sent by clients (write-only)."
        });
    }
    let docs = doc_attrs(Some(&doc));
    let name = format_ident!("{}", field.rust_name);
    let mut inner = rust_type(api, &field.ty, Scope::Models);
    if field.boxed {
        inner = quote!(Box<#inner>);
    }
    let mut serde_args = Vec::new();
    if field.rust_name != field.wire_name {
        let wire = &field.wire_name;
        serde_args.push(quote!(rename = #wire));
    }
    // Absent and `null` both read as `None`; `None` is left out on write unless the field is
    // required (then it is written as `null`, which the schema allows).
    if field.write_only {
        // Read from requests, never written: no response (nor the store) sees it.
        serde_args.push(quote!(default));
        serde_args.push(quote!(skip_serializing));
    } else if !field.required || field.read_only {
        serde_args.push(quote!(default));
        serde_args.push(quote!(skip_serializing_if = "Option::is_none"));
    }
    let may_be_absent = !field.required || field.read_only || field.write_only;
    let date_module = match field.ty.kind {
        TyKind::String(StringFormat::DateTime) => Some("super::runtime::date_time"),
        TyKind::String(StringFormat::Date) => Some("super::runtime::date_time::date"),
        _ => None,
    };
    if field.tri_state {
        serde_args.push(quote!(with = "super::runtime::double_option"));
        inner = quote!(Option<#inner>);
    } else if let Some(module) = date_module {
        // chrono's own serde support costs 1-4k instructions per value; the runtime's
        // reads and writes the same text directly (see `runtime::date_time`).
        if field.ty.nullable && !may_be_absent {
            // As for any `Option` field without a `with`: absent reads as `None`.
            serde_args.push(quote!(default));
        }
        serde_args.extend(date_serde(module, field.ty.nullable, may_be_absent));
    } else if may_be_absent && !field.ty.nullable && !matches!(field.ty.kind, TyKind::Any) {
        // An `Option` that is not nullable: the field may be left out, but `null` is not a
        // valid value.
        serde_args.push(quote!(
            deserialize_with = "super::runtime::double_option::present"
        ));
    }
    let serde_attr = (!serde_args.is_empty()).then(|| quote!(#[serde(#(#serde_args),*)]));
    let ty = if field.is_optional() || field.read_only || field.write_only {
        quote!(Option<#inner>)
    } else {
        inner
    };
    quote! {
        #docs
        #serde_attr
        pub #name: #ty,
    }
}

/// The serde attributes of a `format: date-time` or `format: date` field, whose runtime
/// functions are in `module`, by the field's shape: `null` allowed (`Option`, `null` is
/// `None`), or else left out allowed (`Option`, `null` refused), or a plain value.
fn date_serde(module: &str, nullable: bool, may_be_absent: bool) -> Vec<TokenStream> {
    if nullable {
        let with = format!("{module}::option");
        vec![quote!(with = #with)]
    } else if may_be_absent {
        let serialize = format!("{module}::option::serialize");
        let deserialize = format!("{module}::present");
        vec![
            quote!(serialize_with = #serialize),
            quote!(deserialize_with = #deserialize),
        ]
    } else {
        vec![quote!(with = #module)]
    }
}

/// An integer enum: variants named after their values, written and read as numbers.
fn integer_enum_type(name: &syn::Ident, docs: TokenStream, e: &EnumType) -> TokenStream {
    let idents: Vec<syn::Ident> = e
        .variants
        .iter()
        .map(|v| format_ident!("{}", v.rust_name))
        .collect();
    let values: Vec<proc_macro2::Literal> = e
        .variants
        .iter()
        .map(|v| proc_macro2::Literal::i64_unsuffixed(v.value.parse().unwrap_or_default()))
        .collect();
    let count = proc_macro2::Literal::usize_unsuffixed(e.variants.len());
    let expected = format!(
        "one of {}",
        e.variants
            .iter()
            .map(|v| v.value.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#idents,)*
        }

        impl #name {
            /// Every value, in the order the spec lists them.
            pub const ALL: [Self; #count] = [#(Self::#idents),*];

            /// The value as written on the wire.
            pub fn value(&self) -> i64 {
                match self {
                    #(Self::#idents => #values,)*
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.value())
            }
        }

        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = i64::deserialize(deserializer)?;
                Self::ALL
                    .into_iter()
                    .find(|known| known.value() == value)
                    .ok_or_else(|| serde::de::Error::custom(format_args!("`{value}` is not {}", #expected)))
            }
        }
    }
}

fn enum_type(name: &syn::Ident, docs: TokenStream, e: &EnumType) -> TokenStream {
    if e.integer {
        return integer_enum_type(name, docs, e);
    }
    let variants = e.variants.iter().map(|v| {
        let ident = format_ident!("{}", v.rust_name);
        let value = &v.value;
        quote!(#[serde(rename = #value)] #ident,)
    });
    let arms = e.variants.iter().map(|v| {
        let ident = format_ident!("{}", v.rust_name);
        let value = &v.value;
        quote!(Self::#ident => #value,)
    });
    let all = e.variants.iter().map(|v| format_ident!("{}", v.rust_name));
    let count = proc_macro2::Literal::usize_unsuffixed(e.variants.len());
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            /// Every value, in the order the spec lists them.
            pub const ALL: [Self; #count] = [#(Self::#all),*];

            /// The value as written on the wire.
            pub fn as_str(&self) -> &'static str {
                match self {
                    #(#arms)*
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

fn union_type(api: &Api, name: &syn::Ident, docs: TokenStream, u: &UnionType) -> TokenStream {
    let variants = u.variants.iter().map(|v| {
        let ident = format_ident!("{}", v.rust_name);
        let ty = nullable_type(api, &v.ty, Scope::Models);
        let boxed = matches!(v.ty.kind, crate::ir::TyKind::Named(_));
        if boxed {
            quote!(#ident(Box<#ty>),)
        } else {
            quote!(#ident(#ty),)
        }
    });
    match &u.discriminator {
        None => quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[serde(untagged)]
            pub enum #name {
                #(#variants)*
            }
        },
        Some(discriminator) => {
            let property = &discriminator.property;
            let arms = u.variants.iter().filter(|v| !v.tags.is_empty()).map(|v| {
                let ident = format_ident!("{}", v.rust_name);
                let tags = &v.tags;
                quote! {
                    #(Some(#tags))|* => serde_json::from_value(value).map(|v| Self::#ident(Box::new(v))).map_err(D::Error::custom),
                }
            });
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, Serialize)]
                #[serde(untagged)]
                pub enum #name {
                    #(#variants)*
                }

                impl<'de> Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                        use serde::de::Error as _;
                        let value = serde_json::Value::deserialize(deserializer)?;
                        let tag = value.get(#property).and_then(serde_json::Value::as_str).map(str::to_owned);
                        match tag.as_deref() {
                            #(#arms)*
                            Some(other) => Err(D::Error::custom(format_args!("unknown `{}` value `{}`", #property, other))),
                            None => Err(D::Error::missing_field(#property)),
                        }
                    }
                }
            }
        }
    }
}

/// `impl Validate` for a struct or union that has constraints serde does not enforce.
fn validate_impl(
    api: &Api,
    checked: &Checked,
    patterns: &mut Patterns,
    index: usize,
    ty: &NamedType,
) -> TokenStream {
    let self_ty = crate::ir::Ty::new(crate::ir::TyKind::Named(crate::ir::TypeId(index)));
    if !checked.needs(api, &self_ty) {
        return TokenStream::new();
    }
    let name = format_ident!("{}", ty.name);
    let body = match &ty.kind {
        NamedKind::Struct(s) => {
            let checks = s.fields.iter().map(|field| {
                let ident = format_ident!("{}", field.rust_name);
                let wire = &field.wire_name;
                let at = quote!(&at.field(#wire));
                let optional = field.is_optional() || field.read_only || field.write_only;
                let inner_ty = crate::ir::Ty {
                    nullable: false,
                    ..field.ty.clone()
                };
                // The field's own `Option`s: two for a PATCH field, one for an optional one.
                let outer = if field.tri_state {
                    2
                } else {
                    usize::from(optional)
                };
                let inner = option_checks(
                    api,
                    checked,
                    patterns,
                    &inner_ty,
                    quote!(value),
                    at,
                    outer,
                    0,
                );
                let presence = super::validation::must_be_sent(field).then(|| {
                    quote! {
                        if self.#ident.is_none() {
                            out.report(&at.field(#wire), "is required");
                        }
                    }
                });
                if inner.is_empty() {
                    quote!(#presence)
                } else {
                    quote!(#presence { let value = &self.#ident; #inner })
                }
            });
            quote!(#(#checks)*)
        }
        NamedKind::Union(u) => {
            let arms = u.variants.iter().map(|variant| {
                let ident = format_ident!("{}", variant.rust_name);
                let inner = nullable_checks(
                    api,
                    checked,
                    patterns,
                    &variant.ty,
                    quote!(value),
                    quote!(at),
                    0,
                );
                if inner.is_empty() {
                    quote!(Self::#ident(_) => {})
                } else {
                    quote!(Self::#ident(value) => { #inner })
                }
            });
            quote!(match self { #(#arms)* })
        }
        _ => return TokenStream::new(),
    };
    quote! {
        impl Validate for #name {
            fn validate(&self, at: &validate::Pointer<'_>, out: &mut validate::Violations) {
                #body
            }
        }
    }
}
