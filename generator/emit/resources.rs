//! The data layer of each resource: its table layout and listing rules and the repository
//! trait (generated), the SQL repository and the service (scaffold), and the first
//! migration for each dialect.

use heck::ToPascalCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs;
use super::migrations::{ExistingMigration, MigrationLists};
use super::samples::{Direction, Sampler};
use crate::ir::{
    Api, ColumnKind, FillKind, ItemOwner, KeyKind, ListShape, NamedKind, Resource, Ty,
};

/// `PETS`: the static describing a resource's table.
pub fn table_static(resource: &Resource) -> proc_macro2::Ident {
    format_ident!("{}", resource.table_static)
}

/// `PETS_LISTING`: how its list operation pages and wraps items.
pub fn listing_static(resource: &Resource) -> proc_macro2::Ident {
    format_ident!("{}", resource.listing_static)
}

/// `Pet`, the stem of the resource's repository and service names.
pub fn stem(resource: &Resource) -> String {
    resource.singular.to_pascal_case()
}

pub fn repository_trait(resource: &Resource) -> proc_macro2::Ident {
    format_ident!("{}Repository", stem(resource))
}

pub fn sql_repository(resource: &Resource) -> proc_macro2::Ident {
    format_ident!("Sql{}Repository", stem(resource))
}

pub fn service(resource: &Resource) -> proc_macro2::Ident {
    format_ident!("{}Service", stem(resource))
}

/// The resource's module under `src/repositories/` and `src/services/`.
pub fn module(resource: &Resource) -> proc_macro2::Ident {
    format_ident!("{}", resource.table)
}

pub fn item_type(api: &Api, resource: &Resource) -> TokenStream {
    let name = format_ident!("{}", api.ty(resource.item).name);
    quote!(models::#name)
}

fn column_kind(kind: ColumnKind) -> TokenStream {
    match kind {
        ColumnKind::Text => quote!(ColumnKind::Text),
        ColumnKind::Integer => quote!(ColumnKind::Integer),
        ColumnKind::Real => quote!(ColumnKind::Real),
        ColumnKind::Boolean => quote!(ColumnKind::Boolean),
        ColumnKind::Timestamp => quote!(ColumnKind::Timestamp),
        ColumnKind::Date => quote!(ColumnKind::Date),
        ColumnKind::Uuid => quote!(ColumnKind::Uuid),
        ColumnKind::Json => quote!(ColumnKind::Json),
    }
}

fn field_ty<'a>(api: &'a Api, resource: &Resource, field: &str) -> Option<&'a Ty> {
    match &api.ty(resource.item).kind {
        NamedKind::Struct(s) => s
            .fields
            .iter()
            .find(|f| f.wire_name == field)
            .map(|f| &f.ty),
        _ => None,
    }
}

/// `generated/src/resources.rs`, listing every migration the project has.
pub fn resources_module(api: &Api, migrations: &MigrationLists) -> TokenStream {
    let sampler = Sampler::new(api, Direction::Response);
    let items = api.resources.iter().map(|resource| {
        let table = table_static(resource);
        let listing = listing_static(resource);
        let name = &resource.table;
        let key_field = &resource.key.field;
        let key_column = &resource.key.column;
        let key_kind = match resource.key.kind {
            KeyKind::Integer => quote!(KeyKind::Integer),
            KeyKind::Uuid => quote!(KeyKind::Uuid),
            KeyKind::Text => quote!(KeyKind::Text),
        };
        let parents = resource.parents.iter().map(|p| {
            let column = &p.column;
            let kind = column_kind(p.kind);
            let field = match &p.field {
                Some(field) => quote!(Some(#field)),
                None => quote!(None),
            };
            quote!(Parent { column: #column, kind: #kind, field: #field })
        });
        let sequence = resource.needs_sequence();
        let read_only = resource.read_only.iter();
        let owner = match &resource.owner {
            ItemOwner::Shared => quote!(None),
            ItemOwner::Creator => quote!(Some(OwnerColumn { column: OWNER_COLUMN, field: None })),
            ItemOwner::Field { field, column } => {
                quote!(Some(OwnerColumn { column: #column, field: Some(#field) }))
            }
        };
        let parent = match resource.parent.map(|i| table_static(api.resource(i))) {
            Some(parent) => quote!(Some(&#parent)),
            None => quote!(None),
        };
        let columns = resource.columns.iter().map(|c| {
            let field = &c.field;
            let column = &c.name;
            let kind = column_kind(c.kind);
            let required = c.required;
            let unique = c.unique;
            let references = match c.references.map(|r| &api.resource(r).table) {
                Some(table) => quote!(Some(#table)),
                None => quote!(None),
            };
            quote!(Column { field: #field, name: #column, kind: #kind, required: #required, unique: #unique, references: #references })
        });
        let fills = resource.fills.iter().map(|fill| {
            let field = &fill.field;
            let value = match &fill.kind {
                FillKind::Now => quote!(FillValue::Now),
                FillKind::Touched => quote!(FillValue::Touched),
                FillKind::Today => quote!(FillValue::Today),
                FillKind::Uuid => quote!(FillValue::Uuid),
                FillKind::Value(value) => {
                    let literal = value.to_string();
                    quote!(FillValue::Json(#literal))
                }
                FillKind::Keep | FillKind::Undecided => quote!(FillValue::Keep),
            };
            quote!(Fill { field: #field, value: #value })
        });
        let table_doc = docs::doc(&format!(
            "How the `{name}` table stores the items of `{}`.",
            resource.collection_path
        ));
        let listing_item = resource.ops.list.as_ref().map(|list| {
            let default_limit = list.default_limit;
            let max_limit = list.max_limit;
            let zero_based = list.zero_based_page;
            let shape = match &list.shape {
                ListShape::Array => quote!(ListShape::Array),
                ListShape::Envelope { items, total, limit, offset, page, next_cursor, extra } => {
                    let opt = |v: &Option<String>| match v {
                        Some(v) => quote!(Some(#v)),
                        None => quote!(None),
                    };
                    let (total, limit, offset, page, next) =
                        (opt(total), opt(limit), opt(offset), opt(page), opt(next_cursor));
                    let extra = extra.iter().map(|(field, ty)| {
                        let literal = sampler.value(ty).to_string();
                        quote!((#field, #literal))
                    });
                    quote!(ListShape::Envelope {
                        items: #items,
                        total: #total,
                        limit: #limit,
                        offset: #offset,
                        page: #page,
                        next_cursor: #next,
                        extra: &[#(#extra),*],
                    })
                }
            };
            let doc = docs::doc(&format!("How the list of `{name}` pages and wraps its items."));
            quote! {
                #doc
                pub static #listing: Listing = Listing {
                    default_limit: #default_limit,
                    max_limit: #max_limit,
                    zero_based_page: #zero_based,
                    shape: #shape,
                };
            }
        });
        let trait_name = repository_trait(resource);
        let item = item_type(api, resource);
        let field_enum = field_enum(api, resource);
        let insert_ty = insert_type(api, resource, quote!(serde::Serialize));
        let replace_ty = write_type(api, resource.ops.replace, quote!(serde::Serialize));
        let patch_ty = write_type(api, resource.ops.patch, quote!(serde::Serialize));
        let new_row = new_row(api, resource);
        let trait_doc = docs::doc(&format!(
            "Data access for `{name}`. `crate::repositories::{name}` implements it with SQL; \
             implement it yourself to store items elsewhere."
        ));
        quote! {
            #table_doc
            pub static #table: Table = Table {
                name: #name,
                owner: #owner,
                key: KeyColumn { field: #key_field, column: #key_column, kind: #key_kind },
                parents: &[#(#parents),*],
                parent: #parent,
                read_only: &[#(#read_only),*],
                columns: &[#(#columns),*],
                fills: &[#(#fills),*],
                sequence: #sequence,
                statements: Statements::new(),
            };

            #listing_item

            #field_enum

            #new_row

            #trait_doc
            pub trait #trait_name: Send + Sync {
                /// One page of the items in `scope`.
                fn list(&self, scope: &Scope, query: &ListQuery) -> impl Future<Output = Result<Page<#item>, StoreError>> + Send;
                /// The item with this key, if there is one.
                fn find(&self, scope: &Scope, key: &Key) -> impl Future<Output = Result<Option<#item>, StoreError>> + Send;
                /// Stores a new item; returns its key and the item as stored. Fields only the
                /// server sets (`readOnly`) are not taken from a client's body.
                fn insert(&self, scope: &Scope, new: &#insert_ty) -> impl Future<Output = Result<(Key, #item), StoreError>> + Send;
                /// Replaces an item's writable fields; `None` when there is none.
                fn replace(&self, scope: &Scope, key: &Key, body: &#replace_ty) -> impl Future<Output = Result<Option<#item>, StoreError>> + Send;
                /// Merges a JSON merge patch (RFC 7396) into an item; `None` when there is none.
                fn patch(&self, scope: &Scope, key: &Key, patch: &#patch_ty) -> impl Future<Output = Result<Option<#item>, StoreError>> + Send;
                /// Deletes an item; `false` when there was none.
                fn delete(&self, scope: &Scope, key: &Key) -> impl Future<Output = Result<bool, StoreError>> + Send;
                /// Changes an item in place from server code, fields only the server sets included; `None` when there is none.
                fn update<F>(&self, scope: &Scope, key: &Key, change: F) -> impl Future<Output = Result<Option<#item>, StoreError>> + Send
                where
                    F: FnOnce(&mut #item) + Send;
            }
        }
    });
    let migration = |dialect: &str, migrations: &[ExistingMigration]| {
        let entries = migrations.iter().map(|m| {
            let version = m.version;
            let description = &m.description;
            let file = if m.description.is_empty() {
                format!("{:04}.sql", m.version)
            } else {
                format!("{:04}_{}.sql", m.version, m.description)
            };
            let path = format!("../../migrations/{dialect}/{file}");
            quote!((#version, #description, include_str!(#path)))
        });
        quote!(&[#(#entries),*])
    };
    let sqlite = migration("sqlite", &migrations.shared);
    let postgres = migration("postgres", &migrations.shared);
    let mysql = migration("mysql", &migrations.mysql);
    quote! {
        //! The resources the spec manages with CRUD operations: how each is stored, and the
        //! repository trait its handlers use.
        #![allow(unused_imports)]

        use super::models;
        use super::runtime::store::{
            Column, ColumnKind, Field, Fill, FillValue, Key, KeyColumn, KeyKind, ListQuery, ListShape, Parent,
            Listing, Migrations, OWNER_COLUMN, OwnerColumn, Page, Record, Scope, Statements, StoreError, Table, client_record, decide,
        };

        /// The SQL migrations in `migrations/`, applied at start-up.
        pub static MIGRATIONS: Migrations = Migrations {
            sqlite: #sqlite,
            postgres: #postgres,
            mysql: #mysql,
        };

        #(#items)*
    }
}

/// `src/repositories/mod.rs`.
pub fn repositories_mod(api: &Api) -> TokenStream {
    let modules = api.resources.iter().map(|r| {
        let module = module(r);
        let sql = sql_repository(r);
        quote! {
            pub mod #module;
            pub use #module::#sql;
        }
    });
    quote! {
        //! Data access: one SQL repository per resource, each implementing the trait that
        //! `crate::generated::resources` declares for it.

        #(#modules)*
    }
}

/// `src/repositories/<resource>.rs`.
pub fn repository_file(api: &Api, resource: &Resource) -> TokenStream {
    let table = table_static(resource);
    let listing = listing_static(resource);
    let trait_name = repository_trait(resource);
    let sql = sql_repository(resource);
    let item = item_type(api, resource);
    let insert_ty = insert_type(api, resource, quote!(Serialize));
    let replace_ty = write_type(api, resource.ops.replace, quote!(Serialize));
    let patch_ty = write_type(api, resource.ops.patch, quote!(Serialize));
    let insert_fn = if has_new_row(api, resource) {
        quote! {
            async fn insert(&self, scope: &Scope, new: &#insert_ty) -> Result<(Key, #item), StoreError> {
                // The row holds only what the client may write and what the service decided.
                self.db.insert_as_server(&#table, scope, new.to_record()?).await
            }
        }
    } else {
        quote! {
            async fn insert(&self, scope: &Scope, new: &#insert_ty) -> Result<(Key, #item), StoreError> {
                self.db.insert(&#table, scope, to_record(new)?).await
            }
        }
    };
    let new_row_import = has_new_row(api, resource).then(|| {
        let row = new_row_name(resource);
        quote!(#row,)
    });
    let serialize_import = [
        resource.ops.create,
        resource.ops.replace,
        resource.ops.patch,
    ]
    .iter()
    .any(|op| body_named(api, *op).is_none())
    .then(|| {
        quote!(
            use serde::Serialize;
        )
    });
    let doc = docs::doc(&format!("Stores `{}` in its SQL table.", resource.table));
    let list_body = if resource.ops.list.is_some() {
        quote!(self.db.list(&#table, &#listing, scope, query).await)
    } else {
        quote! {
            let listing = Listing { default_limit: 20, max_limit: 100, zero_based_page: false, shape: ListShape::Array };
            self.db.list(&#table, &listing, scope, query).await
        }
    };
    let listing_import = if resource.ops.list.is_some() {
        quote!(#listing,)
    } else {
        quote!()
    };
    let store_imports = if resource.ops.list.is_some() {
        quote!(Database, Key, ListQuery, Page, Scope, StoreError, to_record)
    } else {
        quote!(
            Database, Key, ListQuery, ListShape, Listing, Page, Scope, StoreError, to_record
        )
    };
    quote! {
        //! SQL storage for the resource; the statements are shared by every table and bind
        //! every value as a parameter.

        use crate::generated::models;
        use crate::generated::resources::{#listing_import #new_row_import #table, #trait_name};
        use crate::generated::runtime::store::{#store_imports};
        #serialize_import

        #doc
        #[derive(Debug, Clone)]
        pub struct #sql {
            db: Database,
        }

        impl #sql {
            pub fn new(db: Database) -> Self {
                Self { db }
            }

            /// The database, for a transaction over several writes (`database().begin()`).
            pub fn database(&self) -> &Database {
                &self.db
            }
        }

        impl #trait_name for #sql {
            async fn list(&self, scope: &Scope, query: &ListQuery) -> Result<Page<#item>, StoreError> {
                #list_body
            }

            async fn find(&self, scope: &Scope, key: &Key) -> Result<Option<#item>, StoreError> {
                self.db.fetch(&#table, scope, key).await
            }

            #insert_fn

            async fn replace(&self, scope: &Scope, key: &Key, body: &#replace_ty) -> Result<Option<#item>, StoreError> {
                self.db.replace(&#table, scope, key, to_record(body)?).await
            }

            async fn patch(&self, scope: &Scope, key: &Key, patch: &#patch_ty) -> Result<Option<#item>, StoreError> {
                self.db.patch(&#table, scope, key, &to_record(patch)?).await
            }

            async fn delete(&self, scope: &Scope, key: &Key) -> Result<bool, StoreError> {
                self.db.delete(&#table, scope, key).await
            }

            async fn update<F>(&self, scope: &Scope, key: &Key, change: F) -> Result<Option<#item>, StoreError>
            where
                F: FnOnce(&mut #item) + Send,
            {
                self.db.update(&#table, scope, key, change).await
            }
        }
    }
}

/// `src/services/mod.rs`.
pub fn services_mod(api: &Api) -> TokenStream {
    let modules = api.resources.iter().map(|r| {
        let module = module(r);
        let service = service(r);
        quote! {
            pub mod #module;
            pub use #module::#service;
        }
    });
    quote! {
        //! Business rules, one service per resource: handlers call services, services call
        //! repositories. This is the place for checks and side effects that the spec cannot
        //! express.

        #(#modules)*
    }
}

/// `src/services/<resource>.rs`.
pub fn service_file(api: &Api, resource: &Resource) -> TokenStream {
    let trait_name = repository_trait(resource);
    let sql = sql_repository(resource);
    let service = service(resource);
    let item = item_type(api, resource);
    let create = service_create(api, resource);
    let new_row_name = new_row_name(resource);
    let replace_body = body_type(api, resource.ops.replace);
    let patch_body = body_type(api, resource.ops.patch);
    let serialize_import = if [
        resource.ops.create,
        resource.ops.replace,
        resource.ops.patch,
    ]
    .iter()
    .any(|op| body_named(api, *op).is_none())
    {
        quote!(
            use serde::Serialize;
        )
    } else {
        quote!()
    };
    let undecided = resource.fills.iter().any(|f| f.kind == FillKind::Undecided);
    let store_imports = match (undecided, has_new_row(api, resource)) {
        (true, true) => quote!(
            use crate::generated::resources::#new_row_name;
            use crate::generated::runtime::store::{Key, ListQuery, Page, Scope, placeholder_as};
        ),
        (true, false) => quote!(
            use crate::generated::runtime::store::{
                Key, ListQuery, Page, Scope, placeholder, record_of,
            };
        ),
        _ => quote!(
            use crate::generated::runtime::store::{Key, ListQuery, Page, Scope};
        ),
    };
    let doc = docs::doc(&format!(
        "The rules for `{}`: what may be stored, and how. Generic over the repository so \
         tests can swap the database for something else.",
        resource.table
    ));
    quote! {
        use crate::generated::models;
        use crate::generated::resources::#trait_name;
        #store_imports
        use crate::generated::Problem;
        use crate::repositories::#sql;
        #serialize_import

        #doc
        #[derive(Debug, Clone)]
        pub struct #service<R = #sql> {
            repository: R,
        }

        impl<R: #trait_name> #service<R> {
            pub fn new(repository: R) -> Self {
                Self { repository }
            }

            pub async fn list(&self, scope: &Scope, query: &ListQuery) -> Result<Page<#item>, Problem> {
                Ok(self.repository.list(scope, query).await?)
            }

            #create

            pub async fn get(&self, scope: &Scope, key: &Key) -> Result<#item, Problem> {
                self.repository.find(scope, key).await?.ok_or_else(Problem::not_found)
            }

            /// Replaces every writable field; fields the body leaves out are cleared.
            pub async fn replace(&self, scope: &Scope, key: &Key, body: &#replace_body) -> Result<#item, Problem> {
                self.repository
                    .replace(scope, key, body)
                    .await?
                    .ok_or_else(Problem::not_found)
            }

            /// Applies a JSON merge patch: present members replace, `null` clears.
            pub async fn patch(&self, scope: &Scope, key: &Key, body: &#patch_body) -> Result<#item, Problem> {
                self.repository
                    .patch(scope, key, body)
                    .await?
                    .ok_or_else(Problem::not_found)
            }

            pub async fn delete(&self, scope: &Scope, key: &Key) -> Result<(), Problem> {
                if self.repository.delete(scope, key).await? {
                    Ok(())
                } else {
                    Err(Problem::not_found())
                }
            }

            /// Changes an item from server code, in plain Rust: set any field, those a
            /// client may not (`readOnly`) included, and every field is stored. For actions
            /// such as completing a task or marking an order paid.
            pub async fn update(&self, scope: &Scope, key: &Key, change: impl FnOnce(&mut #item) + Send) -> Result<#item, Problem> {
                self.repository.update(scope, key, change).await?.ok_or_else(Problem::not_found)
            }
        }
    }
}

/// The service's `create`. A required field the server cannot know (the create body may
/// leave it out, the spec gives no default) gets a placeholder here, in the user's code and
/// marked by `placeholder(...)`, which logs it: the store itself never invents a value.
fn service_create(api: &Api, resource: &Resource) -> TokenStream {
    let item = item_type(api, resource);
    let body = body_type(api, resource.ops.create);
    let sampler = Sampler::new(api, Direction::Response);
    let undecided: Vec<(&str, String)> = resource
        .fills
        .iter()
        .filter(|fill| fill.kind == FillKind::Undecided)
        .map(|fill| {
            let literal = field_ty(api, resource, &fill.field)
                .map(|ty| sampler.value(ty))
                .unwrap_or_default()
                .to_string();
            (fill.field.as_str(), literal)
        })
        .collect();
    if undecided.is_empty() {
        return quote! {
            /// Stores a new item from a request body; the server fills its own fields.
            pub async fn create(&self, scope: &Scope, body: &#body) -> Result<(Key, #item), Problem> {
                Ok(self.repository.insert(scope, body).await?)
            }
        };
    }
    let names = undecided
        .iter()
        .map(|(field, _)| format!("`{field}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let doc = docs::doc(&format!(
        "Stores a new item from a request body; the server fills its own fields.\n\n\
         Decide: a stored item requires {names}, which a create request may leave out and \
         the spec gives no default. specgen cannot know the value, so it wrote the spec's \
         example as a `placeholder` (logged when used): replace it with what your server \
         should store. Where a client may send the field and does, its value is stored instead."
    ));
    if has_new_row(api, resource) {
        let row = new_row_name(resource);
        let fields = undecided.iter().map(|(field, literal)| {
            let ident = field_ident(api, resource, field);
            quote!(#ident: placeholder_as(#field, #literal)?,)
        });
        return quote! {
            #doc
            pub async fn create(&self, scope: &Scope, body: &#body) -> Result<(Key, #item), Problem> {
                let new = #row {
                    #(#fields)*
                    body,
                };
                Ok(self.repository.insert(scope, &new).await?)
            }
        };
    }
    // No model to extend: the body as a record, completed.
    let fills = undecided.iter().map(|(field, literal)| {
        quote! {
            record.entry(#field).or_insert_with(|| placeholder(#field, #literal));
        }
    });
    quote! {
        #doc
        pub async fn create(&self, scope: &Scope, body: &#body) -> Result<(Key, #item), Problem> {
            let mut record = record_of(body)?;
            #(#fills)*
            Ok(self.repository.insert(scope, &record).await?)
        }
    }
}

/// Whether new items of the resource are stored as a generated `New<Item>Row`: the create
/// body is a model, and a stored item requires fields it may leave out.
fn has_new_row(api: &Api, resource: &Resource) -> bool {
    body_named(api, resource.ops.create).is_some()
        && resource.fills.iter().any(|f| f.kind == FillKind::Undecided)
}

/// `NewTaskRow`.
fn new_row_name(resource: &Resource) -> proc_macro2::Ident {
    format_ident!("New{}Row", stem(resource))
}

/// The Rust name of an item field (`r#type` for `type`), as the model declares it.
fn field_ident(api: &Api, resource: &Resource, field: &str) -> proc_macro2::Ident {
    let name = match &api.ty(resource.item).kind {
        NamedKind::Struct(s) => s
            .fields
            .iter()
            .find(|f| f.wire_name == field)
            .map(|f| f.rust_name.clone()),
        _ => None,
    }
    .unwrap_or_else(|| crate::ir::snake_ident(field));
    format_ident!("{}", name)
}

/// `generated/src/resources.rs`'s `NewTaskRow`: what a new item is stored from when a
/// stored item requires fields its create body may leave out. The service decides those
/// (`create`); a client's value for a field it may write wins, and the fields only the
/// server sets are never taken from the body.
fn new_row(api: &Api, resource: &Resource) -> Option<TokenStream> {
    if !has_new_row(api, resource) {
        return None;
    }
    let row = new_row_name(resource);
    let table = table_static(resource);
    let body = body_type(api, resource.ops.create);
    let undecided: Vec<_> = resource
        .fills
        .iter()
        .filter(|fill| fill.kind == FillKind::Undecided)
        .map(|fill| (fill.field.as_str(), field_ident(api, resource, &fill.field)))
        .collect();
    let fields = undecided.iter().map(|(wire, ident)| {
        let ty = field_ty(api, resource, wire)
            .map(|ty| super::types::rust_type(api, ty, super::types::Scope::Outside))
            .unwrap_or_else(|| quote!(serde_json::Value));
        let doc = docs::doc(&format!(
            "`{wire}`: required in a stored item, decided by the server when the body has none."
        ));
        quote! {
            #doc
            pub #ident: #ty,
        }
    });
    let decisions = undecided
        .iter()
        .map(|(wire, ident)| quote!(decide(&mut record, #wire, &self.#ident)?;));
    let doc = docs::doc(&format!(
        "A new item of `{}` as the service hands it to the repository: the client's body, and \
         the fields a stored item requires that the body may leave out, which the service \
         decides.",
        resource.table
    ));
    Some(quote! {
        #doc
        #[derive(Debug)]
        pub struct #row<'a> {
            #(#fields)*
            /// The client's body.
            pub body: &'a #body,
        }

        impl #row<'_> {
            /// The record stored: the body without the fields only the server sets, then
            /// the service's value for each field the body leaves without one.
            pub fn to_record(&self) -> Result<Record, StoreError> {
                let mut record = client_record(&#table, self.body)?;
                #(#decisions)*
                Ok(record)
            }
        }
    })
}

/// The type a repository's `insert` takes: the `New<Item>Row` when there is one, else
/// the create body's model, else any serializable value (`bound` names `Serialize` as the
/// file imports it).
fn insert_type(api: &Api, resource: &Resource, bound: TokenStream) -> TokenStream {
    if has_new_row(api, resource) {
        let row = new_row_name(resource);
        return quote!(#row<'_>);
    }
    write_type(api, resource.ops.create, bound)
}

/// The type a repository takes a write's body as: the operation's model, or any
/// serializable value when there is none.
fn write_type(api: &Api, op: Option<crate::ir::OperationId>, bound: TokenStream) -> TokenStream {
    match body_named(api, op) {
        Some(name) => {
            let name = format_ident!("{}", name);
            quote!(models::#name)
        }
        None => quote!((impl #bound + Sync)),
    }
}

/// The model an operation's JSON body is read as (`NewPost`), when it has one.
fn body_named(api: &Api, op: Option<crate::ir::OperationId>) -> Option<&str> {
    let content = api.operation(op?).body.as_ref()?.contents.first()?;
    match content.ty.kind {
        crate::ir::TyKind::Named(id) if !content.ty.nullable => Some(api.ty(id).name.as_str()),
        _ => None,
    }
}

/// The type a service method takes its body as: the operation's model, so the service
/// reads like the API (`&models::NewPost`); any serializable value when the resource has
/// no such operation.
fn body_type(api: &Api, op: Option<crate::ir::OperationId>) -> TokenStream {
    match body_named(api, op) {
        Some(name) => {
            let name = format_ident!("{}", name);
            quote!(models::#name)
        }
        None => quote!((impl Serialize + Sync)),
    }
}

/// `PostField`: the item's stored fields, for custom reads (`Select`) whose conditions
/// the compiler checks against the table.
fn field_enum(api: &Api, resource: &Resource) -> TokenStream {
    let name = format_ident!("{}", resource.field_enum);
    let item = &api.ty(resource.item).name;
    let key = (
        &resource.key.variant,
        &resource.key.column,
        resource.key.column_kind(),
    );
    let fields: Vec<(&String, &String, ColumnKind)> = std::iter::once(key)
        .chain(
            resource
                .columns
                .iter()
                .map(|c| (&c.variant, &c.name, c.kind)),
        )
        .collect();
    let variants = fields.iter().map(|(variant, column, _)| {
        let variant = format_ident!("{}", variant);
        let doc = docs::doc(&format!("The `{column}` column."));
        quote!(#doc #variant)
    });
    let columns = fields.iter().map(|(variant, column, _)| {
        let variant = format_ident!("{}", variant);
        quote!(#name::#variant => #column)
    });
    let kinds = fields.iter().map(|(variant, _, kind)| {
        let variant = format_ident!("{}", variant);
        let kind = column_kind(*kind);
        quote!(#name::#variant => #kind)
    });
    let doc = docs::doc(&format!(
        "The stored fields of a `{item}`, for custom reads: \
         `Select::new().filter({name}::...)` with `Database::select`."
    ));
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum #name {
            #(#variants),*
        }

        impl Field for #name {
            fn column(self) -> &'static str {
                match self {
                    #(#columns),*
                }
            }

            fn kind(self) -> ColumnKind {
                match self {
                    #(#kinds),*
                }
            }
        }
    }
}
