// specgen:id src/lib.rs (keep this line: regen finds the file by it if you move it)
//! The service: generated API surface, your handlers, and how they are put together.

pub mod generated;
pub mod handlers;
pub mod repositories;
pub mod services;
pub mod startup;
