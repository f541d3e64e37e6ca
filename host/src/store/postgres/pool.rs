//! A small pool of connections, each owned by its own thread.
//!
//! The `postgres` client is synchronous and drives its socket with a private
//! runtime, so it must never run on a thread that is itself running async code
//! (the server and the tests call the store from async tasks as well as from
//! tokio's blocking pool). Every connection therefore lives on a dedicated
//! thread: a caller hands a job to whichever thread is free and waits for the
//! answer on a channel. A connection found closed is reopened by the next job;
//! a job that panics costs its connection, not the thread.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

use ::postgres::types::ToSql;
use ::postgres::{Client, GenericClient, NoTls, Row, Statement};

use super::location::{PgLocation, quote_ident};
use crate::store::StoreError;

/// Prepared statements of one connection, by SQL text.
pub(super) type Statements = HashMap<String, Statement>;

/// One connection (opened on first use) and its prepared statements.
pub(super) struct Conn {
    location: Arc<PgLocation>,
    client: Option<Client>,
    statements: Statements,
}

impl Conn {
    fn new(location: Arc<PgLocation>) -> Self {
        Conn {
            location,
            client: None,
            statements: Statements::new(),
        }
    }

    /// The open connection, opened first if needed, with its statement cache.
    pub(super) fn session(&mut self) -> Result<(&mut Client, &mut Statements), StoreError> {
        if self.client.as_ref().is_some_and(Client::is_closed) {
            self.reset();
        }
        if self.client.is_none() {
            let open_error = |e: ::postgres::Error| StoreError::Open {
                path: self.location.to_string(),
                message: crate::store::postgres_message(&e),
            };
            let mut client = self.location.config().connect(NoTls).map_err(open_error)?;
            client
                .batch_execute(&format!(
                    // Notices ("already exists, skipping") are not worth a log line.
                    "SET search_path TO {}; SET client_min_messages TO warning",
                    quote_ident(self.location.schema())
                ))
                .map_err(open_error)?;
            self.client = Some(client);
        }
        match &mut self.client {
            Some(client) => Ok((client, &mut self.statements)),
            None => Err(StoreError::PoolGone),
        }
    }

    /// Forgets the connection; the next [`Conn::session`] opens a new one.
    pub(super) fn reset(&mut self) {
        self.statements.clear();
        self.client = None;
    }
}

type Job = Box<dyn FnOnce(&mut Conn) + Send>;

/// The connection threads and the queue of jobs they take from.
pub(super) struct Pool {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl Pool {
    /// Starts `location.pool_size()` connection threads (connections open lazily).
    pub(super) fn start(location: Arc<PgLocation>) -> Result<Pool, StoreError> {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let pool = Pool {
            jobs: Mutex::new(Some(sender)),
            workers: Mutex::new(Vec::new()),
        };
        for i in 0..location.pool_size() {
            let receiver = receiver.clone();
            let conn = Conn::new(location.clone());
            let handle = std::thread::Builder::new()
                .name(format!("orderhub-pg-{i}"))
                .spawn(move || work(&receiver, conn))
                .map_err(|e| StoreError::Open {
                    path: location.to_string(),
                    message: format!("cannot start a connection thread: {e}"),
                })?;
            pool.workers
                .lock()
                .map_err(|_| StoreError::PoolGone)?
                .push(handle);
        }
        Ok(pool)
    }

    /// Queues `job`; its result arrives on the returned channel.
    pub(super) fn submit<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Conn) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<mpsc::Receiver<Result<T, StoreError>>, StoreError> {
        let (reply, answer) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |conn| {
            let _ = reply.send(job(conn));
        });
        self.jobs
            .lock()
            .map_err(|_| StoreError::PoolGone)?
            .as_ref()
            .ok_or(StoreError::PoolGone)?
            .send(job)
            .map_err(|_| StoreError::PoolGone)?;
        Ok(answer)
    }

    /// Runs `job` on a connection thread and waits for its result.
    pub(super) fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Conn) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.submit(job)?.recv().map_err(|_| StoreError::PoolGone)?
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Closing the queue ends each thread after its current job.
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        if let Ok(mut workers) = self.workers.lock() {
            for handle in workers.drain(..) {
                let _ = handle.join();
            }
        }
    }
}

fn work(jobs: &Mutex<mpsc::Receiver<Job>>, mut conn: Conn) {
    loop {
        let job = match jobs.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut conn))).is_err() {
            conn.reset();
        }
    }
}

/// A connection or transaction with the statement cache of its connection.
pub(super) struct Session<'a, C: GenericClient> {
    pub(super) client: &'a mut C,
    statements: &'a mut Statements,
}

/// Query parameters.
pub(super) type Params<'p> = [&'p (dyn ToSql + Sync)];

impl<'a, C: GenericClient> Session<'a, C> {
    pub(super) fn new(client: &'a mut C, statements: &'a mut Statements) -> Self {
        Session { client, statements }
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    pub(super) fn query(&mut self, sql: &str, params: &Params<'_>) -> Result<Vec<Row>, StoreError> {
        let statement = self.statement(sql)?;
        Ok(self.client.query(&statement, params)?)
    }

    pub(super) fn query_opt(
        &mut self,
        sql: &str,
        params: &Params<'_>,
    ) -> Result<Option<Row>, StoreError> {
        let statement = self.statement(sql)?;
        Ok(self.client.query_opt(&statement, params)?)
    }

    pub(super) fn query_one(&mut self, sql: &str, params: &Params<'_>) -> Result<Row, StoreError> {
        let statement = self.statement(sql)?;
        Ok(self.client.query_one(&statement, params)?)
    }

    pub(super) fn execute(&mut self, sql: &str, params: &Params<'_>) -> Result<u64, StoreError> {
        let statement = self.statement(sql)?;
        Ok(self.client.execute(&statement, params)?)
    }
}
