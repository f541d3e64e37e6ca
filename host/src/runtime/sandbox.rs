//! The wasmtime sandbox every adapter call runs in.
//!
//! One [`Sandbox`] per process owns the engine (pooling allocator, fuel,
//! epoch interruption), the linker (WASI with an empty context plus the
//! contract's `log` import) and the thread that advances the epoch. Each call
//! gets a fresh `Store` with its own memory cap, fuel budget and wall-clock
//! deadline, so no state survives from one call to the next and one adapter's
//! misbehaviour ends with its own call.

use std::sync::Arc;
use std::time::Duration;

use orderhub_core::model::DeclaredLimits;

use wasmtime::component::{HasSelf, Linker, ResourceTable};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, ResourceLimiter,
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::bindings::{Adapter, orderhub::adapter::log, orderhub::adapter::types};

/// How often the epoch advances. Wall-clock limits are rounded up to it.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Per-call limits of one adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time one call may take.
    pub wall_clock: Duration,
    /// Linear memory one instance may grow to, in bytes.
    pub memory_bytes: usize,
    /// Fuel (roughly, wasm instructions) one call may burn.
    pub fuel: u64,
    /// The largest body (request or platform reply) handed to the adapter.
    pub max_input_bytes: usize,
    /// The largest result the adapter may return, measured as its JSON form.
    pub max_output_bytes: usize,
}

impl Limits {
    /// These limits tightened by what an adapter declares. A declared value
    /// above the host's is not granted (the host's stays); each such value is
    /// named in the returned list, so the operator can raise it in the
    /// configuration if the adapter really needs it.
    pub fn tightened_by(self, declared: &DeclaredLimits) -> (Limits, Vec<String>) {
        let mut refused = Vec::new();
        let mut pick = |name: &str, host: u64, asked: Option<u64>| match asked {
            Some(asked) if asked <= host => asked,
            Some(asked) => {
                refused.push(format!("{name} {asked} (host limit {host})"));
                host
            }
            None => host,
        };
        let wall_ms = pick(
            "wall_clock_ms",
            u64::try_from(self.wall_clock.as_millis()).unwrap_or(u64::MAX),
            declared.wall_clock_ms.map(u64::from),
        );
        let fuel = pick("fuel", self.fuel, declared.fuel);
        let as_u64 = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        let as_usize = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        let memory = pick(
            "memory_bytes",
            as_u64(self.memory_bytes),
            declared.memory_bytes,
        );
        let input = pick(
            "max_input_bytes",
            as_u64(self.max_input_bytes),
            declared.input_bytes,
        );
        let output = pick(
            "max_output_bytes",
            as_u64(self.max_output_bytes),
            declared.output_bytes,
        );
        let limits = Limits {
            wall_clock: Duration::from_millis(wall_ms),
            memory_bytes: as_usize(memory),
            fuel,
            max_input_bytes: as_usize(input),
            max_output_bytes: as_usize(output),
        };
        (limits, refused)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            wall_clock: Duration::from_secs(2),
            memory_bytes: 64 << 20,
            fuel: 2_000_000_000,
            max_input_bytes: 16 << 20,
            max_output_bytes: 16 << 20,
        }
    }
}

/// Engine-wide settings.
#[derive(Debug, Clone, Copy)]
pub struct SandboxConfig {
    /// How many adapter instances may exist at once (the pool size).
    pub max_concurrent_instances: u32,
    /// The largest memory cap any adapter may be given.
    pub max_memory_bytes: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            max_concurrent_instances: 64,
            max_memory_bytes: 256 << 20,
        }
    }
}

/// State of one call's store.
pub struct CallState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limiter: MemoryLimiter,
    adapter_id: Arc<str>,
}

impl CallState {
    pub(crate) fn new(adapter_id: Arc<str>, memory_cap: usize) -> Self {
        // An empty context: no preopened directories, no environment, no
        // arguments, no network, stdio closed. The clocks stay (Rust's std
        // reads them) but adapters are given `now` explicitly and must not
        // depend on them.
        let wasi = WasiCtx::builder().build();
        CallState {
            wasi,
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(memory_cap),
            adapter_id,
        }
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// The `types` interface has no functions; its host trait is empty.
impl types::Host for CallState {}

/// The longest log line an adapter may write; longer ones are cut so a
/// misbehaving adapter cannot flood the host's logs.
const MAX_LOG_LINE: usize = 2048;

impl log::Host for CallState {
    fn log(&mut self, level: log::Level, message: String) {
        let mut message = message;
        if message.len() > MAX_LOG_LINE {
            let mut end = MAX_LOG_LINE;
            while !message.is_char_boundary(end) {
                end -= 1;
            }
            message.truncate(end);
            message.push('…');
        }
        let adapter = &*self.adapter_id;
        match level {
            log::Level::Debug => tracing::debug!(adapter, "{message}"),
            log::Level::Info => tracing::info!(adapter, "{message}"),
            log::Level::Warn => tracing::warn!(adapter, "{message}"),
            log::Level::Error => tracing::error!(adapter, "{message}"),
        }
    }
}

/// Caps linear memory growth and records the peak, so the runner can report
/// it and a trap after a refused growth can be reported as a memory limit.
#[derive(Debug)]
pub(crate) struct MemoryLimiter {
    cap: usize,
    pub(crate) peak: usize,
    pub(crate) refused: bool,
}

impl MemoryLimiter {
    fn new(cap: usize) -> Self {
        MemoryLimiter {
            cap,
            peak: 0,
            refused: false,
        }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.cap {
            self.refused = true;
            return Ok(false);
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// The engine, linker and epoch ticker shared by every adapter.
#[derive(Clone)]
pub struct Sandbox {
    pub(crate) engine: Engine,
    pub(crate) linker: Arc<Linker<CallState>>,
}

impl Sandbox {
    /// Builds the engine and starts the epoch ticker.
    pub fn new(config: SandboxConfig) -> wasmtime::Result<Self> {
        let mut pool = PoolingAllocationConfig::default();
        let n = config.max_concurrent_instances.max(1);
        // A Rust wasip2 component holds a few core instances, memories and
        // tables; the pool reserves room for that many per component.
        pool.total_component_instances(n)
            .total_core_instances(n * 8)
            .total_memories(n * 2)
            .total_tables(n * 8)
            .max_memories_per_component(2)
            .max_memory_size(config.max_memory_bytes)
            .max_component_instance_size(1 << 20)
            .max_core_instance_size(1 << 20);

        let mut wasm = Config::new();
        wasm.allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
            .consume_fuel(true)
            .epoch_interruption(true)
            .max_wasm_stack(1 << 20)
            .wasm_component_model(true);
        let engine = Engine::new(&wasm)?;

        let mut linker = Linker::<CallState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        Adapter::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;

        let weak = engine.weak();
        std::thread::Builder::new()
            .name("orderhub-epoch".into())
            .spawn(move || {
                while let Some(engine) = weak.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(EPOCH_TICK);
                }
            })
            .map_err(wasmtime::Error::from)?;

        Ok(Sandbox {
            engine,
            linker: Arc::new(linker),
        })
    }

    /// The engine, for compiling components.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_limits_tighten_but_never_widen() {
        let host = Limits::default();
        let declared = DeclaredLimits {
            wall_clock_ms: Some(250),
            fuel: Some(9_000_000_000),
            memory_bytes: Some(16 << 20),
            input_bytes: None,
            output_bytes: Some(1 << 20),
        };
        let (limits, not_granted) = host.tightened_by(&declared);
        assert_eq!(
            limits,
            Limits {
                wall_clock: Duration::from_millis(250),
                memory_bytes: 16 << 20,
                fuel: host.fuel,
                max_input_bytes: host.max_input_bytes,
                max_output_bytes: 1 << 20,
            }
        );
        assert_eq!(not_granted, ["fuel 9000000000 (host limit 2000000000)"]);
        assert_eq!(
            host.tightened_by(&DeclaredLimits::default()),
            (host, vec![])
        );
    }
}
