// specgen:id src/repositories/mod.rs (keep this line: regen finds the file by it if you move it)
//! Data access: one SQL repository per resource, each implementing the trait that
//! `crate::generated::resources` declares for it.

pub mod products;

pub use products::SqlProductRepository;

pub mod carts;

pub use carts::SqlCartRepository;

pub mod items;

pub use items::SqlItemRepository;

pub mod orders;

pub use orders::SqlOrderRepository;
