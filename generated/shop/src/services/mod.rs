// specgen:id src/services/mod.rs (keep this line: regen finds the file by it if you move it)
//! Business rules, one service per resource: handlers call services, services call
//! repositories. This is the place for checks and side effects that the spec cannot
//! express.

pub mod products;

pub use products::ProductService;

pub mod carts;

pub use carts::CartService;

pub mod items;

pub use items::ItemService;

pub mod orders;

pub use orders::OrderService;
