//! Your implementation of the API. One file per tag; each implements that tag's trait
//! from `crate::generated::api` on [`Handlers`].

/// The type that serves the API. Put shared state (database pools, clients,
/// configuration) in it.
#[derive(Debug, Clone, Default)]
pub struct Handlers {}

impl Handlers {
    pub fn new() -> Self {
        Self::default()
    }
}

// specgen: handler modules (`gen regen` adds new tags below this line)
mod carts;
mod orders;
mod products;
