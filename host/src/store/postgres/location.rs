//! Where a PostgreSQL store lives: `[store] url`.
//!
//! `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?PARAMS]` (or
//! `postgresql://`). Two parameters are OrderHub's own and are removed before
//! the URL reaches the driver:
//!
//! - `schema=NAME` — the schema holding OrderHub's tables (default `public`),
//!   created by the migrations when missing. Several stores (one per test run,
//!   one per environment) can share a database this way.
//! - `pool_size=N` — connections this host keeps open (default 8, 1 to 64).
//!
//! Every other parameter is the driver's (`connect_timeout`, `options`,
//! `application_name`, `sslmode`, …). TLS is not built in: `sslmode=require`
//! is refused; reach a remote server through a TLS-terminating sidecar.

use std::time::Duration;

use ::postgres::config::{Host, SslMode};

/// The default of `pool_size`.
pub const DEFAULT_POOL_SIZE: usize = 8;

/// A parsed, validated `postgres://` store URL.
#[derive(Clone)]
pub struct PgLocation {
    /// The URL as given, without OrderHub's own parameters (it may hold a password).
    url: String,
    config: ::postgres::Config,
    schema: String,
    pool_size: usize,
}

impl PartialEq for PgLocation {
    fn eq(&self, other: &Self) -> bool {
        self.url == other.url && self.schema == other.schema && self.pool_size == other.pool_size
    }
}

impl Eq for PgLocation {}

impl std::fmt::Debug for PgLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The Display form never holds the password.
        write!(f, "PgLocation({self})")
    }
}

/// The URL without its password, for messages and logs.
impl std::fmt::Display for PgLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let user = self.config.get_user().unwrap_or("");
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(name)) => name.clone(),
            #[cfg(unix)]
            Some(Host::Unix(path)) => path.display().to_string(),
            None => String::new(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        let database = self.config.get_dbname().unwrap_or(user);
        write!(
            f,
            "postgres://{user}@{host}:{port}/{database}?schema={}",
            self.schema
        )
    }
}

impl PgLocation {
    /// Parses and checks a store URL; the error says what is wrong.
    pub fn parse(url: &str) -> Result<PgLocation, String> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err("a PostgreSQL store URL starts with postgres://".into());
        }
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut schema = "public".to_string();
        let mut pool_size = DEFAULT_POOL_SIZE;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_encoding::percent_decode_str(value)
                .decode_utf8()
                .map_err(|_| format!("parameter {key}: not UTF-8"))?;
            match key {
                "schema" => schema = check_schema(&value)?,
                "pool_size" => {
                    pool_size = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=64).contains(n))
                        .ok_or_else(|| {
                            format!("pool_size {value:?} must be a number from 1 to 64")
                        })?;
                }
                _ => kept.push(pair),
            }
        }
        let url = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut config: ::postgres::Config = url.parse().map_err(|e: ::postgres::Error| {
            let cause = std::error::Error::source(&e)
                .map(|c| format!(": {c}"))
                .unwrap_or_default();
            format!("not a PostgreSQL connection URL: {e}{cause}")
        })?;
        if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
            return Err("the URL names no host (postgres://USER@HOST:PORT/DATABASE)".into());
        }
        if config.get_ssl_mode() == SslMode::Require {
            return Err(
                "sslmode=require needs TLS, which OrderHub does not include; \
                 connect through a TLS-terminating sidecar, or use sslmode=disable"
                    .into(),
            );
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("orderhub");
        }
        Ok(PgLocation {
            url,
            config,
            schema,
            pool_size,
        })
    }

    /// The driver's connection settings.
    pub fn config(&self) -> &::postgres::Config {
        &self.config
    }

    /// The schema holding the store's tables.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// How many connections a host keeps.
    pub fn pool_size(&self) -> usize {
        self.pool_size
    }
}

/// Schema names are plain identifiers, so they are safe to quote into SQL.
fn check_schema(name: &str) -> Result<String, String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if first_ok && name.len() <= 63 && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(name.to_string())
    } else {
        Err(format!(
            "schema {name:?} must be 1 to 63 letters, digits or '_', not starting with a digit"
        ))
    }
}

/// `name` quoted as an SQL identifier (it passed [`check_schema`]).
pub(super) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_parameters_are_taken_out_and_the_password_is_never_shown() {
        let l = PgLocation::parse(
            "postgres://orderhub:s3cret@db.internal:5433/shop?schema=orderhub_a&connect_timeout=3&pool_size=4",
        )
        .unwrap();
        assert_eq!(l.schema(), "orderhub_a");
        assert_eq!(l.pool_size(), 4);
        assert_eq!(
            l.config().get_connect_timeout(),
            Some(&Duration::from_secs(3))
        );
        assert_eq!(l.config().get_dbname(), Some("shop"));
        assert_eq!(
            l.to_string(),
            "postgres://orderhub@db.internal:5433/shop?schema=orderhub_a"
        );
        assert!(!format!("{l:?}").contains("s3cret"));
        let defaults = PgLocation::parse("postgresql://postgres@127.0.0.1/test").unwrap();
        assert_eq!(defaults.schema(), "public");
        assert_eq!(defaults.pool_size(), DEFAULT_POOL_SIZE);
        assert_eq!(
            defaults.config().get_connect_timeout(),
            Some(&Duration::from_secs(10))
        );
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        let err = |url: &str| PgLocation::parse(url).unwrap_err();
        assert_eq!(
            err("postgres://u@h/db?schema=1x"),
            "schema \"1x\" must be 1 to 63 letters, digits or '_', not starting with a digit"
        );
        assert_eq!(
            err("postgres://u@h/db?schema=a%22b"),
            "schema \"a\\\"b\" must be 1 to 63 letters, digits or '_', not starting with a digit"
        );
        assert_eq!(
            err("postgres://u@h/db?pool_size=0"),
            "pool_size \"0\" must be a number from 1 to 64"
        );
        assert!(err("postgres://u@h/db?sslmode=require").contains("TLS"));
        assert_eq!(
            err("postgres://u@h/db?bogus=1"),
            "not a PostgreSQL connection URL: invalid connection string: unknown option `bogus`"
        );
    }
}
