//! The service: generated API surface, your handlers, and how they are put together.

pub mod generated;

pub mod handlers;

pub mod repositories;

pub mod services;

pub mod startup;
