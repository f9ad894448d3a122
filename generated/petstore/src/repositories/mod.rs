// specgen:id src/repositories/mod.rs (keep this line: regen finds the file by it if you move it)
//! Data access: one SQL repository per resource, each implementing the trait that
//! `crate::generated::resources` declares for it.

pub mod pets;

pub use pets::SqlPetRepository;
