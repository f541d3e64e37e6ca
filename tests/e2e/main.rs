//! End-to-end tests: a real host on a free loopback port with a temporary
//! SQLite store, driven with real signed HTTP requests.

mod bad_input;
mod flows;
mod sandbox;
