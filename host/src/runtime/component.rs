//! One loaded adapter: its compiled component, pre-instantiated against the
//! sandbox's linker, its metadata and limits, and the typed calls into it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use orderhub_core::model as m;
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, types::ComponentItem};
use wasmtime::{Store, Trap};

use super::bindings::{self, Adapter, AdapterPre, CONNECTOR_EXPORT, CONTRACT_VERSION, to_millis};
use super::sandbox::{CallState, EPOCH_TICK, Limits, Sandbox};

/// Why a component could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not a valid WebAssembly component: {1}")]
    Compile(String, String),
    #[error("{what} does not implement the contract orderhub:adapter@{CONTRACT_VERSION}: {detail}")]
    Contract { what: String, detail: String },
    #[error("{what}: metadata() failed: {detail}")]
    Metadata { what: String, detail: String },
}

/// Why one call did not return a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The adapter refused the input with a typed error.
    #[error("{0}")]
    Adapter(m::AdapterError),
    /// The adapter trapped (panicked, hit `unreachable`, …).
    #[error("adapter {adapter} trapped: {message}")]
    Trap { adapter: String, message: String },
    /// The call ran past its wall-clock limit.
    #[error("adapter {adapter} exceeded its wall-clock limit of {limit_ms} ms")]
    Timeout { adapter: String, limit_ms: u128 },
    /// The adapter tried to grow its memory past the cap.
    #[error("adapter {adapter} exceeded its memory limit of {limit_bytes} bytes")]
    MemoryLimit { adapter: String, limit_bytes: usize },
    /// The call burned its whole fuel budget.
    #[error("adapter {adapter} exhausted its fuel budget of {fuel}")]
    FuelExhausted { adapter: String, fuel: u64 },
    /// The adapter could not be instantiated (pool exhausted, link error).
    #[error("adapter {adapter} could not be instantiated: {message}")]
    Instantiate { adapter: String, message: String },
    /// The body handed to the adapter is larger than its `max_input_bytes`.
    #[error(
        "adapter {adapter}: the input is {bytes} bytes, over its max_input_bytes limit of {limit}"
    )]
    InputTooLarge {
        adapter: String,
        bytes: usize,
        limit: usize,
    },
    /// The adapter returned more than its `max_output_bytes`.
    #[error(
        "adapter {adapter}: the output is {bytes} bytes, over its max_output_bytes limit of {limit}"
    )]
    OutputTooLarge {
        adapter: String,
        bytes: usize,
        limit: usize,
    },
}

impl CallError {
    /// A short machine-readable kind, as the runner prints it.
    pub fn kind(&self) -> &'static str {
        match self {
            CallError::Adapter(e) => e.kind.as_str(),
            CallError::Trap { .. } => "trap",
            CallError::Timeout { .. } => "timeout",
            CallError::MemoryLimit { .. } => "memory-limit",
            CallError::FuelExhausted { .. } => "fuel-exhausted",
            CallError::Instantiate { .. } => "instantiate",
            CallError::InputTooLarge { .. } => "input-too-large",
            CallError::OutputTooLarge { .. } => "output-too-large",
        }
    }

    /// The adapter's typed error, if that is what this is.
    pub fn adapter_error(&self) -> Option<&m::AdapterError> {
        match self {
            CallError::Adapter(e) => Some(e),
            _ => None,
        }
    }
}

/// What one call cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallStats {
    pub fuel_used: u64,
    pub peak_memory_bytes: usize,
    pub elapsed_us: u128,
}

/// A compiled, validated adapter ready to be called.
pub struct LoadedAdapter {
    sandbox: Sandbox,
    pre: AdapterPre<CallState>,
    id: Arc<str>,
    sha256: String,
    metadata: m::Metadata,
    limits: Limits,
    /// Declared limits above the host's, which were not granted.
    limits_not_granted: Vec<String>,
    source: String,
}

impl std::fmt::Debug for LoadedAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedAdapter")
            .field("id", &self.id)
            .field("sha256", &self.sha256)
            .finish()
    }
}

/// The hex SHA-256 of a component's bytes: its identity in the cache and in listings.
pub fn component_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl LoadedAdapter {
    /// Loads a component file; compiled code is cached under `cache_dir` when given.
    pub fn load_file(
        sandbox: &Sandbox,
        path: &Path,
        cache_dir: Option<&Path>,
        limits: Limits,
    ) -> Result<Self, LoadError> {
        let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::load_bytes(
            sandbox,
            &bytes,
            &path.display().to_string(),
            cache_dir,
            limits,
        )
    }

    /// Loads a component from bytes; `what` names it in errors.
    pub fn load_bytes(
        sandbox: &Sandbox,
        bytes: &[u8],
        what: &str,
        cache_dir: Option<&Path>,
        limits: Limits,
    ) -> Result<Self, LoadError> {
        let sha256 = component_sha256(bytes);
        let component = match cache_dir {
            Some(dir) => super::cache::compile_cached(sandbox.engine(), bytes, &sha256, dir),
            None => Component::new(sandbox.engine(), bytes).map_err(|e| format!("{e:#}")),
        }
        .map_err(|e| LoadError::Compile(what.to_string(), e))?;

        check_contract(sandbox, &component).map_err(|detail| LoadError::Contract {
            what: what.to_string(),
            detail,
        })?;
        let instance_pre =
            sandbox
                .linker
                .instantiate_pre(&component)
                .map_err(|e| LoadError::Contract {
                    what: what.to_string(),
                    detail: format!("{e:#}"),
                })?;
        let pre = AdapterPre::new(instance_pre).map_err(|e| LoadError::Contract {
            what: what.to_string(),
            detail: format!("{e:#}"),
        })?;

        let mut adapter = LoadedAdapter {
            sandbox: sandbox.clone(),
            pre,
            id: Arc::from(what),
            sha256,
            metadata: placeholder_metadata(),
            limits,
            limits_not_granted: Vec::new(),
            source: what.to_string(),
        };
        let (metadata, _) = adapter
            .call(|a, s| a.orderhub_adapter_connector().call_metadata(s).map(Ok))
            .map_err(|e| LoadError::Metadata {
                what: what.to_string(),
                detail: e.to_string(),
            })?;
        let metadata: m::Metadata = metadata.into();
        if metadata.id.is_empty()
            || !metadata
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(LoadError::Metadata {
                what: what.to_string(),
                detail: format!(
                    "adapter id {:?} must be lower-case letters, digits and '-'",
                    metadata.id
                ),
            });
        }
        adapter.id = Arc::from(metadata.id.as_str());
        let (limits, not_granted) = limits.tightened_by(&metadata.limits);
        if !not_granted.is_empty() {
            tracing::warn!(
                adapter = metadata.id,
                asked = not_granted.join(", "),
                "the adapter declares limits above the host's; the host's apply \
                 (raise them under [adapters.limits.<id>] if it needs them)"
            );
        }
        adapter.limits = limits;
        adapter.limits_not_granted = not_granted;
        adapter.metadata = metadata;
        Ok(adapter)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    pub fn metadata(&self) -> &m::Metadata {
        &self.metadata
    }

    /// The limits calls run under: the host's, tightened by the adapter's declared ones.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Declared limits the host did not grant, e.g. `fuel 9000000000 (host limit 2000000000)`.
    pub fn limits_not_granted(&self) -> &[String] {
        &self.limits_not_granted
    }

    /// Where the component was loaded from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Runs one function in a fresh instance under this adapter's limits.
    fn call<R>(
        &self,
        f: impl FnOnce(
            &Adapter,
            &mut Store<CallState>,
        )
            -> wasmtime::Result<Result<R, bindings::orderhub::adapter::types::AdapterError>>,
    ) -> Result<(R, CallStats), CallError> {
        let started = Instant::now();
        let adapter = self.id.to_string();
        let mut store = Store::new(
            &self.sandbox.engine,
            CallState::new(self.id.clone(), self.limits.memory_bytes),
        );
        store.limiter(|s| &mut s.limiter);
        let fuel = self.limits.fuel;
        store.set_fuel(fuel).map_err(|e| CallError::Instantiate {
            adapter: adapter.clone(),
            message: e.to_string(),
        })?;
        let ticks = self
            .limits
            .wall_clock
            .as_nanos()
            .div_ceil(EPOCH_TICK.as_nanos())
            .max(1) as u64;
        store.set_epoch_deadline(ticks);

        let outcome = self
            .pre
            .instantiate(&mut store)
            .map_err(|e| classify(e, &store, self, true))
            .and_then(|instance| {
                f(&instance, &mut store).map_err(|e| classify(e, &store, self, false))
            });
        let stats = CallStats {
            fuel_used: fuel.saturating_sub(store.get_fuel().unwrap_or(0)),
            peak_memory_bytes: store.data().limiter.peak,
            elapsed_us: started.elapsed().as_micros(),
        };
        match outcome? {
            Ok(value) => Ok((value, stats)),
            Err(e) => Err(CallError::Adapter(e.into())),
        }
    }

    /// Refuses an input over the adapter's `max_input_bytes`.
    fn check_input(&self, bytes: usize) -> Result<(), CallError> {
        let limit = self.limits.max_input_bytes;
        if bytes <= limit {
            return Ok(());
        }
        tracing::warn!(
            adapter = &*self.id,
            bytes,
            limit,
            "adapter input over max_input_bytes"
        );
        Err(CallError::InputTooLarge {
            adapter: self.id.to_string(),
            bytes,
            limit,
        })
    }

    /// Refuses an output over the adapter's `max_output_bytes`.
    fn check_output<T>(
        &self,
        (value, stats): (T, CallStats),
        bytes: usize,
    ) -> Result<(T, CallStats), CallError> {
        let limit = self.limits.max_output_bytes;
        if bytes <= limit {
            return Ok((value, stats));
        }
        tracing::warn!(
            adapter = &*self.id,
            bytes,
            limit,
            "adapter output over max_output_bytes"
        );
        Err(CallError::OutputTooLarge {
            adapter: self.id.to_string(),
            bytes,
            limit,
        })
    }

    pub fn verify(
        &self,
        request: &m::RawRequest,
        account: &m::AccountData,
        now: DateTime<Utc>,
    ) -> Result<CallStats, CallError> {
        self.check_input(request.body.len())?;
        let (req, acc) = (request.into(), account.into());
        self.call(|a, s| {
            a.orderhub_adapter_connector()
                .call_verify(s, &req, &acc, to_millis(now))
        })
        .map(|(_, st)| st)
    }

    pub fn normalize(
        &self,
        request: &m::RawRequest,
        account: &m::AccountData,
    ) -> Result<(Vec<m::Event>, CallStats), CallError> {
        self.check_input(request.body.len())?;
        let (req, acc) = (request.into(), account.into());
        let out: (Vec<m::Event>, CallStats) = self
            .call(|a, s| a.orderhub_adapter_connector().call_normalize(s, &req, &acc))
            .map(|(events, st)| (events.into_iter().map(Into::into).collect(), st))?;
        let bytes = json_size(&out.0);
        self.check_output(out, bytes)
    }

    pub fn status_map(
        &self,
        status: &m::PlatformStatus,
    ) -> Result<(m::StatusMapping, CallStats), CallError> {
        let st = status.into();
        self.call(|a, s| a.orderhub_adapter_connector().call_status_map(s, &st))
            .map(|(m, st)| (m.into(), st))
    }

    pub fn acknowledge(
        &self,
        request: &m::RawRequest,
    ) -> Result<(m::HttpReply, CallStats), CallError> {
        self.check_input(request.body.len())?;
        let req = request.into();
        let out: (m::HttpReply, CallStats) = self
            .call(|a, s| {
                a.orderhub_adapter_connector()
                    .call_acknowledge(s, &req)
                    .map(Ok)
            })
            .map(|(r, st)| (r.into(), st))?;
        let bytes = reply_size(&out.0);
        self.check_output(out, bytes)
    }

    pub fn sign(
        &self,
        request: &m::OutboundRequest,
        account: &m::AccountData,
        now: DateTime<Utc>,
    ) -> Result<(m::OutboundRequest, CallStats), CallError> {
        let (req, acc) = (request.into(), account.into());
        let out: (m::OutboundRequest, CallStats) = self
            .call(|a, s| {
                a.orderhub_adapter_connector()
                    .call_sign(s, &req, &acc, to_millis(now))
            })
            .map(|(r, st)| (r.into(), st))?;
        let bytes = request_size(&out.0);
        self.check_output(out, bytes)
    }

    pub fn poll_request(
        &self,
        cursor: Option<&str>,
        account: &m::AccountData,
        now: DateTime<Utc>,
    ) -> Result<(m::OutboundRequest, CallStats), CallError> {
        let acc = account.into();
        let out: (m::OutboundRequest, CallStats) = self
            .call(|a, s| {
                a.orderhub_adapter_connector()
                    .call_poll_request(s, cursor, &acc, to_millis(now))
            })
            .map(|(r, st)| (r.into(), st))?;
        let bytes = request_size(&out.0);
        self.check_output(out, bytes)
    }

    pub fn poll_response(
        &self,
        cursor: Option<&str>,
        response: &m::HttpReply,
        account: &m::AccountData,
        now: DateTime<Utc>,
    ) -> Result<(m::PollPage, CallStats), CallError> {
        self.check_input(response.body.len())?;
        let (resp, acc) = (response.into(), account.into());
        let out: (m::PollPage, CallStats) = self
            .call(|a, s| {
                a.orderhub_adapter_connector().call_poll_response(
                    s,
                    cursor,
                    &resp,
                    &acc,
                    to_millis(now),
                )
            })
            .map(|(p, st)| (p.into(), st))?;
        let bytes = json_size(&out.0);
        self.check_output(out, bytes)
    }

    pub fn outbound_action(
        &self,
        action: &m::Action,
        account: &m::AccountData,
        now: DateTime<Utc>,
    ) -> Result<(m::OutboundRequest, CallStats), CallError> {
        let (act, acc) = (action.into(), account.into());
        let out: (m::OutboundRequest, CallStats) = self
            .call(|a, s| {
                a.orderhub_adapter_connector()
                    .call_outbound_action(s, &act, &acc, to_millis(now))
            })
            .map(|(r, st)| (r.into(), st))?;
        let bytes = request_size(&out.0);
        self.check_output(out, bytes)
    }

    pub fn action_result(
        &self,
        action: &m::Action,
        response: &m::HttpReply,
    ) -> Result<(m::ActionOutcome, CallStats), CallError> {
        self.check_input(response.body.len())?;
        let (act, resp) = (action.into(), response.into());
        self.call(|a, s| {
            a.orderhub_adapter_connector()
                .call_action_result(s, &act, &resp)
                .map(Ok)
        })
        .map(|(o, st)| (o.into(), st))
    }

    pub fn cursor_at(
        &self,
        since: DateTime<Utc>,
        account: &m::AccountData,
        now: DateTime<Utc>,
    ) -> Result<(String, CallStats), CallError> {
        let acc = account.into();
        let out = self.call(|a, s| {
            a.orderhub_adapter_connector()
                .call_cursor_at(s, to_millis(since), &acc, to_millis(now))
        })?;
        let bytes = out.0.len();
        self.check_output(out, bytes)
    }

    pub fn stream_open(
        &self,
        account: &m::AccountData,
        now: DateTime<Utc>,
    ) -> Result<(m::StreamSession, CallStats), CallError> {
        let acc = account.into();
        let out: (m::StreamSession, CallStats) = self
            .call(|a, s| {
                a.orderhub_adapter_connector()
                    .call_stream_open(s, &acc, to_millis(now))
            })
            .map(|(r, st)| (r.into(), st))?;
        let bytes = request_size(&out.0.connect) + frames_size(&out.0.hello);
        self.check_output(out, bytes)
    }

    pub fn stream_receive(
        &self,
        frame: &m::StreamFrame,
        account: &m::AccountData,
        now: DateTime<Utc>,
    ) -> Result<(m::StreamReply, CallStats), CallError> {
        self.check_input(frame.bytes().len())?;
        let (fr, acc) = (frame.into(), account.into());
        let out: (m::StreamReply, CallStats) = self
            .call(|a, s| {
                a.orderhub_adapter_connector()
                    .call_stream_receive(s, &fr, &acc, to_millis(now))
            })
            .map(|(r, st)| (r.into(), st))?;
        let reply = &out.0;
        let events = reply.events.as_ref().map(json_size).unwrap_or(0);
        let bytes = events + frames_size(&reply.send) + frames_size(&reply.ack);
        self.check_output(out, bytes)
    }

    pub fn stream_tick(
        &self,
        account: &m::AccountData,
        now: DateTime<Utc>,
    ) -> Result<(Vec<m::StreamFrame>, CallStats), CallError> {
        let acc = account.into();
        let out: (Vec<m::StreamFrame>, CallStats) = self
            .call(|a, s| {
                a.orderhub_adapter_connector()
                    .call_stream_tick(s, &acc, to_millis(now))
            })
            .map(|(f, st)| (f.into_iter().map(Into::into).collect(), st))?;
        let bytes = frames_size(&out.0);
        self.check_output(out, bytes)
    }
}

fn frames_size(frames: &[m::StreamFrame]) -> usize {
    frames.iter().map(|f| f.bytes().len()).sum()
}

/// The size of a value's JSON form, counted without building it.
fn json_size<T: serde::Serialize>(value: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Serializing plain data into a counter cannot fail; a failure counts as 0.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

fn pairs_size(pairs: &[(String, String)]) -> usize {
    pairs.iter().map(|(n, v)| n.len() + v.len()).sum()
}

/// The bytes of an outbound request: method, URL, query, headers and body.
fn request_size(r: &m::OutboundRequest) -> usize {
    r.method.len() + r.url.len() + pairs_size(&r.query) + pairs_size(&r.headers) + r.body.len()
}

fn reply_size(r: &m::HttpReply) -> usize {
    pairs_size(&r.headers) + r.body.len()
}

/// Turns a wasmtime error into the limit it hit, or a trap.
fn classify(
    error: wasmtime::Error,
    store: &Store<CallState>,
    adapter: &LoadedAdapter,
    instantiating: bool,
) -> CallError {
    let id = adapter.id.to_string();
    match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => CallError::Timeout {
            adapter: id,
            limit_ms: adapter.limits.wall_clock.as_millis(),
        },
        Some(Trap::OutOfFuel) => CallError::FuelExhausted {
            adapter: id,
            fuel: adapter.limits.fuel,
        },
        _ if store.data().limiter.refused => CallError::MemoryLimit {
            adapter: id,
            limit_bytes: adapter.limits.memory_bytes,
        },
        _ if instantiating => CallError::Instantiate {
            adapter: id,
            message: format!("{error:#}"),
        },
        // The root cause ("wasm trap: unreachable executed") says what
        // happened; the wasm backtrace above it names only function indices.
        _ => CallError::Trap {
            adapter: id,
            message: error.root_cause().to_string(),
        },
    }
}

/// Checks that the component exports the connector of this contract version,
/// naming the version it has when it is another one.
fn check_contract(sandbox: &Sandbox, component: &Component) -> Result<(), String> {
    let ty = component.component_type();
    let exports: Vec<String> = ty
        .exports(sandbox.engine())
        .filter(|(_, item)| matches!(item.ty, ComponentItem::ComponentInstance(_)))
        .map(|(name, _)| name.to_string())
        .collect();
    if exports.iter().any(|e| e == CONNECTOR_EXPORT) {
        return Ok(());
    }
    match exports
        .iter()
        .find(|e| e.starts_with("orderhub:adapter/connector"))
    {
        Some(other) => Err(format!(
            "it exports {other}, this host speaks {CONNECTOR_EXPORT} (version skew)"
        )),
        None => Err(format!(
            "missing export {CONNECTOR_EXPORT} (it exports: {})",
            if exports.is_empty() {
                "nothing".to_string()
            } else {
                exports.join(", ")
            }
        )),
    }
}

fn placeholder_metadata() -> m::Metadata {
    m::Metadata {
        id: String::new(),
        kind: m::AdapterKind::Channel,
        version: String::new(),
        description: String::new(),
        credentials: vec![],
        outbound_hosts: vec![],
        topics: vec![],
        statuses: vec![],
        limits: m::DeclaredLimits::default(),
    }
}
