//! The adapter as a component dependency: what Spin does with
//! `[component.X.dependencies]`, done at run time.
//!
//! Spin composes the dependency into the component when the application
//! starts, so the component's `orderhub:adapter/connector@0.2.0` import is
//! served by the adapter's export of the same name. Here the adapter is
//! instantiated on its own with only what Spin gives a dependency — its
//! WASI 0.2 imports, without files, environment or network — and every
//! function of the import forwards to the adapter's export of the same name,
//! values unchanged. Nothing else is offered: an adapter that imported
//! `orderhub:adapter/log` would fail to instantiate here as it would in
//! Spin, where a dependency's imports are served by the platform alone.

use std::path::Path;

use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Func, Instance, Linker, ResourceTable, Val};
use wasmtime::error::Context as _;
use wasmtime::{Engine, Store};
use wasmtime::{Result, bail, format_err};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// The imported interface the dependency serves.
pub const CONNECTOR: &str = "orderhub:adapter/connector@0.2.0";

struct AdapterState {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for AdapterState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// A loaded adapter component, ready to be instantiated per request.
pub struct Dependency {
    engine: Engine,
    component: Component,
    linker: Linker<AdapterState>,
    /// The functions of the connector interface, by name.
    functions: Vec<String>,
}

/// One instance of the adapter, serving one request.
pub struct AdapterInstance {
    store: Store<AdapterState>,
    instance: Instance,
    connector: wasmtime::component::ComponentExportIndex,
}

impl Dependency {
    /// Loads the adapter at `path` and checks it exports the connector.
    pub fn load(path: &Path) -> Result<Self> {
        let engine = Engine::default();
        let component = Component::from_file(&engine, path)
            .with_context(|| format!("loading the adapter {}", path.display()))?;
        let component_type = component.component_type();
        let connector = component_type
            .get_export(&engine, CONNECTOR)
            .ok_or_else(|| format_err!("{} does not export {CONNECTOR}", path.display()))?;
        let ComponentItem::ComponentInstance(connector) = connector.ty else {
            bail!("{CONNECTOR} of {} is not an instance", path.display());
        };
        let functions = connector
            .exports(&engine)
            .filter(|(_, e)| matches!(e.ty, ComponentItem::ComponentFunc(_)))
            .map(|(name, _)| name.to_string())
            .collect();
        let mut linker: Linker<AdapterState> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        Ok(Dependency {
            engine,
            component,
            linker,
            functions,
        })
    }

    /// The names of the connector's functions.
    pub fn functions(&self) -> &[String] {
        &self.functions
    }

    /// A fresh instance, as Spin makes one per request.
    pub fn instantiate(&self) -> Result<AdapterInstance> {
        let state = AdapterState {
            // Nothing from the host: no preopened files, no environment, no
            // network, no output.
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
        };
        let mut store = Store::new(&self.engine, state);
        let instance = self.linker.instantiate(&mut store, &self.component)?;
        let connector = instance
            .get_export_index(&mut store, None, CONNECTOR)
            .ok_or_else(|| format_err!("the adapter instance lacks {CONNECTOR}"))?;
        Ok(AdapterInstance {
            store,
            instance,
            connector,
        })
    }
}

impl AdapterInstance {
    /// Calls the connector function `name` with `params`.
    pub fn call(&mut self, name: &str, params: &[Val], results: &mut [Val]) -> Result<()> {
        let func: Func = self
            .instance
            .get_export_index(&mut self.store, Some(&self.connector), name)
            .and_then(|index| self.instance.get_func(&mut self.store, index))
            .ok_or_else(|| format_err!("the adapter does not export {CONNECTOR}#{name}"))?;
        func.call(&mut self.store, params, results)
    }
}
