// specgen:id src/lib.rs (keep this line: regen finds the file by it if you move it)
//! The service: generated API surface, your handlers, and how they are put together.

/// The code generated from the spec: the `generated/` crate (rewritten by `gen regen`),
/// under the name your code uses for it. Being its own crate, it is not recompiled when
/// you edit a handler.
pub use petstore_generated as generated;
mod authorize;
pub mod handlers;
pub mod repositories;
pub mod services;
pub mod startup;
