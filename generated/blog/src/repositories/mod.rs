// specgen:id src/repositories/mod.rs (keep this line: regen finds the file by it if you move it)
//! Data access: one SQL repository per resource, each implementing the trait that
//! `crate::generated::resources` declares for it.

pub mod users;

pub use users::SqlUserRepository;

pub mod posts;

pub use posts::SqlPostRepository;

pub mod comments;

pub use comments::SqlCommentRepository;
