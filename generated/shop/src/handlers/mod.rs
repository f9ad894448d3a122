// specgen:id src/handlers/mod.rs (keep this line: regen finds the file by it if you move it)
//! Your implementation of the API. One file per tag; each implements that tag's trait
//! from `crate::generated::api` on [`Handlers`].

use crate::generated::runtime::store::Database;

/// The type that serves the API. Put shared state (clients, configuration) in it
/// next to the database.
#[derive(Debug, Clone)]
pub struct Handlers {
    pub db: Database,
}

impl Handlers {
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

// specgen: handler modules (`gen regen` adds new tags below this line)
mod carts;
mod orders;
mod products;
