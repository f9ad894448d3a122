// specgen:id src/services/mod.rs (keep this line: regen finds the file by it if you move it)
//! Business rules, one service per resource: handlers call services, services call
//! repositories. This is the place for checks and side effects that the spec cannot
//! express.

pub mod users;

pub use users::UserService;

pub mod posts;

pub use posts::PostService;

pub mod comments;

pub use comments::CommentService;
