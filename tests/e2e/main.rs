//! End-to-end tests: a real host on a free loopback port with a temporary
//! SQLite store (or a fresh PostgreSQL schema), driven with real signed HTTP
//! requests.

mod bad_input;
mod flows;
mod fulfilment;
mod hotswap;
mod limits;
mod outbox;
mod polling;
mod postgres;
mod sandbox;
mod streams;
mod template;
