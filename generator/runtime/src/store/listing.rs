//! A list's answer: one [`Page`] of items, the window a [`ListQuery`] asks for within the
//! spec's limits, and the response body the spec wraps the page in ([`Listing`]).

use super::{ListQuery, Record, StoreError, typed};
use crate::problem::Problem;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Items matching the filters, on every page.
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

impl Page<Record> {
    /// The page with each item as `T`. (Reads return models directly; this serves
    /// repositories that read pages of records, as they were scaffolded before.)
    pub fn typed<T: DeserializeOwned>(self) -> Result<Page<T>, StoreError> {
        Ok(Page {
            items: self
                .items
                .into_iter()
                .map(typed)
                .collect::<Result<_, _>>()?,
            total: self.total,
            limit: self.limit,
            offset: self.offset,
        })
    }
}

/// How a list operation pages and wraps its items.
#[derive(Debug)]
pub struct Listing {
    pub default_limit: u32,
    pub max_limit: u32,
    pub zero_based_page: bool,
    pub shape: ListShape,
}

#[derive(Debug)]
pub enum ListShape {
    Array,
    Envelope {
        items: &'static str,
        total: Option<&'static str>,
        limit: Option<&'static str>,
        offset: Option<&'static str>,
        page: Option<&'static str>,
        next_cursor: Option<&'static str>,
        /// Other required fields, as JSON literals.
        extra: &'static [(&'static str, &'static str)],
    },
}

impl Listing {
    /// The response body for a page, as the spec shapes it.
    pub fn body<T: Serialize, B: DeserializeOwned>(&self, page: &Page<T>) -> Result<B, Problem> {
        let items = serde_json::to_value(&page.items).map_err(Problem::internal)?;
        let body = match &self.shape {
            ListShape::Array => items,
            ListShape::Envelope {
                items: field,
                total,
                limit,
                offset,
                page: page_field,
                next_cursor,
                extra,
            } => {
                let mut body = Map::new();
                body.insert((*field).to_owned(), items);
                if let Some(total) = total {
                    body.insert((*total).to_owned(), page.total.into());
                }
                if let Some(limit) = limit {
                    body.insert((*limit).to_owned(), page.limit.into());
                }
                if let Some(offset) = offset {
                    body.insert((*offset).to_owned(), page.offset.into());
                }
                if let Some(page_field) = page_field {
                    let number = page.offset / page.limit.max(1) + u64::from(!self.zero_based_page);
                    body.insert((*page_field).to_owned(), number.into());
                }
                let next = page.offset + page.items.len() as u64;
                if let Some(cursor) = next_cursor
                    && next < page.total
                {
                    body.insert((*cursor).to_owned(), next.to_string().into());
                }
                for (name, literal) in *extra {
                    let value = serde_json::from_str(literal).map_err(Problem::internal)?;
                    body.insert((*name).to_owned(), value);
                }
                Value::Object(body)
            }
        };
        serde_json::from_value(body).map_err(Problem::internal)
    }

    pub(super) fn window(&self, query: &ListQuery) -> (i64, i64) {
        let limit = query
            .limit
            .unwrap_or(i64::from(self.default_limit))
            .clamp(1, i64::from(self.max_limit));
        let offset = if let Some(offset) = query.offset {
            offset
        } else if let Some(cursor) = &query.cursor {
            cursor.parse().unwrap_or(0)
        } else if let Some(page) = query.page {
            let first = i64::from(!self.zero_based_page);
            (page - first).saturating_mul(limit)
        } else {
            0
        };
        (limit, offset.max(0))
    }
}
