//! The backends the suite runs on, each with data of its own.

use std::path::PathBuf;
use std::sync::Arc;

use orderhub_host::store::{OrderStore, PgLocation, PgStore, SqliteStore};
use orderhub_tests::TestSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

enum Place {
    Sqlite {
        path: PathBuf,
        _dir: tempfile::TempDir,
    },
    Postgres(TestSchema),
}

/// An open store and where its data lives; the data goes when this is dropped.
pub struct Backend {
    pub kind: Kind,
    // Declared first, so it is closed before its data is removed.
    store: Arc<dyn OrderStore>,
    place: Place,
}

impl Backend {
    pub fn sqlite() -> Backend {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("orderhub.db");
        let place = Place::Sqlite { path, _dir: dir };
        Backend {
            kind: Kind::Sqlite,
            store: open(&place),
            place,
        }
    }

    pub fn postgres() -> Backend {
        let place = Place::Postgres(TestSchema::fresh());
        Backend {
            kind: Kind::Postgres,
            store: open(&place),
            place,
        }
    }

    /// A new, empty backend of the same kind.
    pub fn fresh(&self) -> Backend {
        match self.kind {
            Kind::Sqlite => Backend::sqlite(),
            Kind::Postgres => Backend::postgres(),
        }
    }

    pub fn store(&self) -> &dyn OrderStore {
        self.store.as_ref()
    }

    /// Ends the store's server connections, as a database restart would;
    /// returns how many it had (SQLite has none).
    pub fn drop_connections(&self) -> u64 {
        match &self.place {
            Place::Sqlite { .. } => 0,
            Place::Postgres(schema) => schema.disconnect_all().expect("connections ended"),
        }
    }

    /// Another store opened on the same data (another host, or a restart).
    pub fn open_again(&self) -> Arc<dyn OrderStore> {
        open(&self.place)
    }
}

fn open(place: &Place) -> Arc<dyn OrderStore> {
    match place {
        Place::Sqlite { path, .. } => {
            Arc::new(SqliteStore::open(path).expect("SQLite store opens"))
        }
        Place::Postgres(schema) => {
            let location = PgLocation::parse(&schema.url).expect("test URL parses");
            Arc::new(
                PgStore::open(&location)
                    .unwrap_or_else(|e| panic!("PostgreSQL store {location} opens: {e}")),
            )
        }
    }
}
