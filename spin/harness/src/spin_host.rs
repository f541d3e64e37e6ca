//! The Spin host interfaces the component imports: `spin:sqlite` on a real
//! SQLite file (rusqlite, as Spin's own default database is), and
//! `spin:variables` from a fixed map (Spin's variables providers resolve to
//! the same strings).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rusqlite::types::{Value as SqlValue, ValueRef};
use wasmtime::component::{Accessor, HasData, Resource, ResourceTable};

wasmtime::component::bindgen!({
    path: "wit",
    world: "spin-host",
    imports: { default: trappable },
    with: { "spin:sqlite/sqlite.connection": Connection },
});

use spin::sqlite::sqlite::{self, Error as SqliteError, QueryResult, RowResult, Value};
use spin::variables::variables;

/// An open `spin:sqlite` connection.
pub struct Connection(rusqlite::Connection);

/// What the Spin interfaces need from the store's data.
pub struct SpinState {
    pub table: ResourceTable,
    /// The file behind the `default` database.
    pub database: PathBuf,
    pub variables: Arc<BTreeMap<String, String>>,
}

/// `HasData` marker for the generated `add_to_linker` functions.
pub struct Spin;

impl HasData for Spin {
    type Data<'a> = &'a mut SpinState;
}

fn io(e: impl std::fmt::Display) -> SqliteError {
    SqliteError::Io(e.to_string())
}

fn execute(
    conn: &rusqlite::Connection,
    statement: &str,
    parameters: Vec<Value>,
) -> Result<QueryResult, SqliteError> {
    let mut stmt = conn.prepare(statement).map_err(io)?;
    let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
    let params: Vec<SqlValue> = parameters
        .into_iter()
        .map(|v| match v {
            Value::Integer(n) => SqlValue::Integer(n),
            Value::Real(f) => SqlValue::Real(f),
            Value::Text(t) => SqlValue::Text(t),
            Value::Blob(b) => SqlValue::Blob(b),
            Value::Null => SqlValue::Null,
        })
        .collect();
    let mut rows = stmt.query(rusqlite::params_from_iter(params)).map_err(io)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(io)? {
        let mut values = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            values.push(match row.get_ref(i).map_err(io)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::Integer(n),
                ValueRef::Real(f) => Value::Real(f),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            });
        }
        out.push(RowResult { values });
    }
    Ok(QueryResult { columns, rows: out })
}

impl sqlite::Host for &mut SpinState {}

impl sqlite::HostConnection for &mut SpinState {
    fn open(
        &mut self,
        database: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, SqliteError>> {
        if database != "default" {
            return Ok(Err(SqliteError::NoSuchDatabase));
        }
        let conn = match rusqlite::Connection::open(&self.database) {
            Ok(conn) => conn,
            Err(e) => return Ok(Err(io(e))),
        };
        if let Err(e) = conn.busy_timeout(std::time::Duration::from_secs(10)) {
            return Ok(Err(io(e)));
        }
        Ok(Ok(self.table.push(Connection(conn))?))
    }

    fn execute(
        &mut self,
        conn: Resource<Connection>,
        statement: String,
        parameters: Vec<Value>,
    ) -> wasmtime::Result<Result<QueryResult, SqliteError>> {
        let conn = self.table.get(&conn)?;
        Ok(execute(&conn.0, &statement, parameters))
    }

    fn last_insert_rowid(&mut self, conn: Resource<Connection>) -> wasmtime::Result<i64> {
        Ok(self.table.get(&conn)?.0.last_insert_rowid())
    }

    fn changes(&mut self, conn: Resource<Connection>) -> wasmtime::Result<u64> {
        Ok(self.table.get(&conn)?.0.changes())
    }

    fn drop(&mut self, conn: Resource<Connection>) -> wasmtime::Result<()> {
        self.table.delete(conn)?;
        Ok(())
    }
}

impl variables::Host for &mut SpinState {}

impl<U> variables::HostWithStore<U> for Spin {
    async fn get(
        store: &Accessor<U, Self>,
        name: String,
    ) -> wasmtime::Result<Result<String, variables::Error>> {
        Ok(
            store.with(|mut view| match view.get().variables.get(&name) {
                Some(value) => Ok(value.clone()),
                None => Err(variables::Error::Undefined(format!(
                    "no variable {name:?} is defined for the component"
                ))),
            }),
        )
    }
}

/// The asynchronous forms of the SQLite functions: Spin has them, the
/// component calls the synchronous ones (the import check proves it), so
/// here they trap.
impl<U> sqlite::HostConnectionWithStore<U> for Spin {
    async fn open_async(
        _store: &Accessor<U, Self>,
        _database: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, SqliteError>> {
        wasmtime::bail!("connection.open-async is not served by this harness")
    }

    async fn execute_async(
        _store: &Accessor<U, Self>,
        _conn: Resource<Connection>,
        _statement: String,
        _parameters: Vec<Value>,
    ) -> wasmtime::Result<
        Result<
            (
                Vec<String>,
                wasmtime::component::StreamReader<RowResult>,
                wasmtime::component::FutureReader<Result<(), SqliteError>>,
            ),
            SqliteError,
        >,
    > {
        wasmtime::bail!("connection.execute-async is not served by this harness")
    }

    async fn last_insert_rowid_async(
        _store: &Accessor<U, Self>,
        _conn: Resource<Connection>,
    ) -> wasmtime::Result<i64> {
        wasmtime::bail!("connection.last-insert-rowid-async is not served by this harness")
    }

    async fn changes_async(
        _store: &Accessor<U, Self>,
        _conn: Resource<Connection>,
    ) -> wasmtime::Result<u64> {
        wasmtime::bail!("connection.changes-async is not served by this harness")
    }
}
