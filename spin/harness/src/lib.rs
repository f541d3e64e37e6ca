//! A wasmtime host that runs OrderHub's Spin component the way Spin 4.1
//! does, so the test suite can drive the real component with signed
//! requests where Spin itself cannot be installed.
//!
//! It gives the component exactly what its imports ask for and Spin
//! provides — WASI 0.2 and 0.3 (no preopened files, no environment), WASI 0.3
//! HTTP with every outbound request denied (`allowed_outbound_hosts = []`),
//! `spin:sqlite` on a SQLite file, `spin:variables` — and satisfies its
//! `orderhub:adapter/connector` import with a real adapter component
//! ([`dependency`]), as a `[component.X.dependencies]` entry does. Each
//! request gets fresh instances, as in Spin.
//!
//! [`platform`] lists the interfaces Spin 4.1 provides, so a test can check
//! that the component asks for nothing else.

pub mod dependency;
pub mod platform;
pub mod spin_host;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::error::Context as _;
use wasmtime::{Config, Engine, Store};
use wasmtime::{Result, format_err};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p3::bindings::Service;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use dependency::{AdapterInstance, CONNECTOR, Dependency};
use spin_host::{Spin, SpinHost, SpinState};

/// An HTTP answer of the component.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Outbound HTTP as Spin does it with `allowed_outbound_hosts = []`: denied.
struct DenyOutbound;

impl WasiHttpHooks for DenyOutbound {
    fn send_request(
        &mut self,
        _request: http::Request<wasmtime_wasi_http::WasiBody>,
        _options: Option<wasmtime_wasi_http::RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<wasmtime_wasi_http::WasiBody>,
                        Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
                    ),
                    wasmtime_wasi_http::Error,
                >,
            > + Send,
    > {
        Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) })
    }
}

/// The data of one request's store.
struct Host {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: DenyOutbound,
    spin: SpinState,
    adapter: AdapterInstance,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.spin.table,
        }
    }
}

impl WasiHttpView for Host {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            hooks: &mut self.hooks,
            table: &mut self.spin.table,
            ctx: &mut self.http,
        }
    }
}

/// The Spin component with its adapter, its database and its variables.
pub struct SpinApp {
    engine: Engine,
    component: Component,
    linker: Linker<Host>,
    dependency: Dependency,
    database: PathBuf,
    variables: Arc<BTreeMap<String, String>>,
}

impl SpinApp {
    /// Loads the Spin component at `component` with the adapter at
    /// `adapter`, the `default` database in the file `database` and the
    /// component's `variables`.
    pub fn load(
        component: &Path,
        adapter: &Path,
        database: &Path,
        variables: BTreeMap<String, String>,
    ) -> Result<Self> {
        let mut config = Config::new();
        config.wasm_component_model_async(true);
        let engine = Engine::new(&config)?;
        let component = Component::from_file(&engine, component)
            .with_context(|| format!("loading the Spin component {}", component.display()))?;
        let dependency = Dependency::load(adapter)?;

        let mut linker: Linker<Host> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi::p3::add_to_linker(&mut linker)?;
        wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
        SpinHost::add_to_linker::<_, Spin>(&mut linker, |h: &mut Host| &mut h.spin)?;
        let mut connector = linker.instance(CONNECTOR)?;
        for name in dependency.functions() {
            let function = name.clone();
            connector.func_new(name, move |mut store, _ty, params, results| {
                store.data_mut().adapter.call(&function, params, results)
            })?;
        }
        Ok(SpinApp {
            engine,
            component,
            linker,
            dependency,
            database: database.to_path_buf(),
            variables: Arc::new(variables),
        })
    }

    /// Serves one request with fresh instances of the component and the adapter.
    pub async fn send(&self, request: http::Request<Bytes>) -> Result<Reply> {
        let host = Host {
            wasi: WasiCtx::builder().inherit_stderr().build(),
            http: WasiHttpCtx::new(),
            hooks: DenyOutbound,
            spin: SpinState {
                table: ResourceTable::new(),
                database: self.database.clone(),
                variables: self.variables.clone(),
            },
            adapter: self.dependency.instantiate()?,
        };
        let mut store = Store::new(&self.engine, host);
        let service = Service::instantiate_async(&mut store, &self.component, &self.linker)
            .await
            .context("instantiating the Spin component")?;
        let (request, io) = wasmtime_wasi_http::p3::Request::from_http(
            &mut DenyOutbound,
            request.map(|body| {
                Full::new(body).map_err(
                    |never: std::convert::Infallible| -> wasmtime_wasi_http::Error {
                        match never {}
                    },
                )
            }),
        );
        store
            .run_concurrent(async |accessor| {
                let respond = async {
                    let response = service.handle(accessor, request).await?.map_err(|code| {
                        format_err!("the component failed the request: {code:?}")
                    })?;
                    let response =
                        accessor.with(|access| response.into_http(access, async { Ok(()) }))?;
                    let (parts, body) = response.into_parts();
                    let body = body
                        .collect()
                        .await
                        .map_err(|e| format_err!("reading the response body: {e:?}"))?
                        .to_bytes();
                    Ok::<_, wasmtime::Error>(Reply {
                        status: parts.status.as_u16(),
                        headers: parts
                            .headers
                            .iter()
                            .map(|(n, v)| {
                                (
                                    n.as_str().to_string(),
                                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                                )
                            })
                            .collect(),
                        body: body.to_vec(),
                    })
                };
                let (reply, ()) = tokio::try_join!(respond, async {
                    io.await
                        .map_err(|e| format_err!("sending the request body: {e:?}"))
                })?;
                Ok::<_, wasmtime::Error>(reply)
            })
            .await?
    }
}
