//! `orderhub`: the host's command line.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use orderhub_host::config::Config;
use orderhub_host::poll::{Poller, scheduler};
use orderhub_host::runtime::{Limits, LoadedAdapter, Sandbox, SandboxConfig};
use orderhub_host::store::{OrderRecord, OrderStore, StoreError, transfer};
use orderhub_host::{app, conformance, runner, server};

#[derive(Parser)]
#[command(
    name = "orderhub",
    version,
    about = "OrderHub: one canonical order store fed by sandboxed platform adapters"
)]
struct Cli {
    /// The configuration file.
    #[arg(long, global = true, default_value = "orderhub.toml")]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Receive webhooks on the configured address.
    Serve,
    /// Create or upgrade the store's schema.
    Migrate,
    /// Write the whole store (deliveries with raw bodies, timelines, orders,
    /// shipments, inventory, audit records) as JSON lines.
    Export {
        /// The file to write, or - for standard output.
        #[arg(long)]
        output: String,
    },
    /// Load an export into this store, all of it or nothing.
    Import {
        /// The file to read, or - for standard input.
        #[arg(long)]
        input: String,
        /// Replace what the store holds (refused otherwise when it is not empty).
        #[arg(long)]
        force: bool,
    },
    /// Poll one account's platform API now (the scheduler of `serve` does it
    /// on the account's interval).
    Poll {
        adapter: String,
        account: String,
        /// One run: fetch pages until the platform has no more (or --max-pages).
        #[arg(long)]
        once: bool,
        /// Pages fetched at most in this run (default: the account's max_pages).
        #[arg(long)]
        max_pages: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// Where polling stands for every account, and what is dead-lettered.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Inspect orders.
    Orders {
        #[command(subcommand)]
        command: OrdersCommand,
    },
    /// Inspect shipments.
    Shipments {
        #[command(subcommand)]
        command: ShipmentsCommand,
    },
    /// Inspect and replay stored deliveries.
    Events {
        #[command(subcommand)]
        command: EventsCommand,
    },
    /// POST webhook fixture files to a running host (each to its own `request.url`).
    Send {
        /// The host's base URL.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        to: String,
        /// Seconds to wait for the host to answer /healthz first.
        #[arg(long, default_value_t = 0)]
        wait: u64,
        /// Fixture files (webhook cases).
        #[arg(required = true)]
        fixtures: Vec<PathBuf>,
    },
    /// Work with adapter components.
    Adapter {
        #[command(subcommand)]
        command: AdapterCommand,
    },
}

#[derive(Subcommand)]
enum OrdersCommand {
    /// List orders, most recently updated first.
    List {
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Show one order with its timeline.
    Show {
        adapter: String,
        account: String,
        external_id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ShipmentsCommand {
    /// Show one shipment with its timeline. CARRIER may be any platform's
    /// code for it (`shunfeng`, `SF`, `顺丰速运` all mean `sf`; docs/carriers.md).
    Show {
        carrier: String,
        tracking_number: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum EventsCommand {
    /// List stored deliveries, newest first.
    List {
        /// Only dead-lettered deliveries.
        #[arg(long)]
        dead: bool,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Run stored deliveries through the current adapter again.
    Replay {
        /// The inbox id of the delivery.
        #[arg(required_unless_present = "dead", conflicts_with = "dead")]
        id: Option<i64>,
        /// Replay every dead-lettered delivery.
        #[arg(long)]
        dead: bool,
    },
}

#[derive(Subcommand)]
enum AdapterCommand {
    /// List installed adapters.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Run one adapter function on a JSON input (see docs/adapter-runner.md).
    Run {
        /// An installed adapter id, or a path to a .wasm component.
        adapter: String,
        /// metadata, verify, sign, normalize, status-map, acknowledge, poll-request, poll-response, outbound-action.
        function: String,
        /// The input JSON file, or - for standard input.
        #[arg(long)]
        input: Option<String>,
    },
    /// Run the conformance suite on a component.
    Test {
        /// The .wasm component.
        path: PathBuf,
        /// The fixtures directory.
        #[arg(long)]
        fixtures: Option<PathBuf>,
        /// The adapter README whose status table is checked.
        #[arg(long)]
        readme: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ORDERHUB_LOG")
                .unwrap_or_else(|_| "info,wasmtime=warn,cranelift=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(path: &Path) -> Result<Config> {
    Config::load(path)
        .with_context(|| format!("loading configuration (--config {})", path.display()))
}

fn open_store(path: &Path) -> Result<(Config, std::sync::Arc<dyn OrderStore>)> {
    let config = Config::load_for_inspection(path)
        .with_context(|| format!("loading configuration (--config {})", path.display()))?;
    let store = app::open_store(&config).context("opening the order store")?;
    Ok((config, store))
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve => serve(&cli.config),
        Command::Migrate => {
            let (config, _store) = open_store(&cli.config)?;
            println!("store {} is at the current schema", config.store);
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { output } => export(&cli.config, &output),
        Command::Import { input, force } => import(&cli.config, &input, force),
        Command::Poll {
            adapter,
            account,
            once,
            max_pages,
            json,
        } => poll(&cli.config, &adapter, &account, once, max_pages, json),
        Command::Status { json } => status(&cli.config, json),
        Command::Orders { command } => orders(&cli.config, command),
        Command::Shipments { command } => shipments(&cli.config, command),
        Command::Events { command } => events(&cli.config, command),
        Command::Send { to, wait, fixtures } => send(&to, wait, &fixtures),
        Command::Adapter { command } => adapter(&cli.config, command),
    }
}

fn shipments(config_path: &Path, command: ShipmentsCommand) -> Result<ExitCode> {
    let ShipmentsCommand::Show {
        carrier,
        tracking_number,
        json,
    } = command;
    let (_, store) = open_store(config_path)?;
    let canonical = orderhub_core::carriers::carrier_key(&carrier);
    let Some(view) = store.shipment(&canonical, tracking_number.trim())? else {
        bail!("no shipment {tracking_number} of carrier {carrier} (stored as {canonical:?})");
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&view)?);
        return Ok(ExitCode::SUCCESS);
    }
    let s = &view.shipment;
    println!(
        "{} {}  tracking: {}  reported by: {}/{}",
        s.carrier,
        s.tracking_number,
        s.tracking.map(|t| t.as_str()).unwrap_or("-"),
        s.adapter,
        s.account
    );
    println!("order: {}", shipment_order(s));
    if let Some(warehouse) = &s.snapshot.warehouse {
        println!("warehouse: {warehouse}");
    }
    for line in &s.snapshot.lines {
        println!(
            "line: {} × {}",
            line.line_external_id
                .as_deref()
                .or(line.sku.as_deref())
                .unwrap_or("-"),
            line.quantity
        );
    }
    println!("scans:");
    for c in &s.snapshot.checkpoints {
        let at = c.at.map(|t| t.to_rfc3339()).unwrap_or_default();
        let place = c.location.as_deref().unwrap_or("");
        println!("  {at}  {}  {place}", c.description);
    }
    print_timeline(&view.timeline);
    Ok(ExitCode::SUCCESS)
}

/// The order a shipment is linked to, or what it waits for.
fn shipment_order(s: &orderhub_host::store::ShipmentRecord) -> String {
    match (&s.order_adapter, &s.order_account, &s.order_external_id) {
        (Some(adapter), Some(account), Some(id)) => format!("{adapter}/{account}/{id}"),
        (_, _, Some(id)) => format!("{id} (not seen yet; linked when it arrives)"),
        _ => "-".to_string(),
    }
}

fn serve(config_path: &Path) -> Result<ExitCode> {
    let config = load_config(config_path)?;
    let listen = config.listen;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let pipeline = app::pipeline(config).context("starting the host")?;
        let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("binding {listen}"))?;
        let adapters: Vec<String> = pipeline.registry.all().keys().cloned().collect();
        tracing::info!(address = %listener.local_addr()?, adapters = ?adapters, "orderhub listening");
        let poller = Poller::new(pipeline.clone()).context("creating the platform HTTP client")?;
        let _polling = scheduler::spawn(poller);
        server::serve(pipeline, listener).await.context("serving HTTP")?;
        Ok(ExitCode::SUCCESS)
    })
}

fn poll(
    config_path: &Path,
    adapter: &str,
    account: &str,
    once: bool,
    max_pages: Option<u32>,
    json: bool,
) -> Result<ExitCode> {
    if !once {
        bail!(
            "`orderhub poll` runs once (--once); `orderhub serve` polls on each account's schedule"
        );
    }
    let config = load_config(config_path)?;
    let configured = config
        .account(adapter, account)
        .with_context(|| format!("no account {account:?} is configured for adapter {adapter:?}"))?;
    let max_pages = max_pages
        .or(configured.poll.as_ref().map(|p| p.max_pages))
        .unwrap_or(50);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let pipeline = app::pipeline(config).context("starting the host")?;
        let poller = Poller::new(pipeline).context("creating the platform HTTP client")?;
        let report = poller
            .poll_account(adapter, account, max_pages)
            .await
            .with_context(|| format!("polling {adapter}/{account}"))?;
        if json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            println!(
                "{adapter}/{account}: {} page(s) ({} already stored), {} event(s) recorded, {} changed state{}",
                report.pages,
                report.duplicate_pages,
                report.events_recorded,
                report.events_applied,
                if report.more_left { "; more to fetch" } else { "" }
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn status(config_path: &Path, json: bool) -> Result<ExitCode> {
    let (config, store) = open_store(config_path)?;
    let states = store.poll_states()?;
    let dead = store.list_inbox(true, 1000)?;
    if json {
        let accounts: Vec<_> = config
            .accounts
            .iter()
            .map(|a| {
                serde_json::json!({
                    "adapter": a.adapter,
                    "account": a.data.id,
                    "poll_interval_secs": a.poll.as_ref().map(|p| p.interval.as_secs()),
                    "poll": states.iter().find(|s| s.adapter == a.adapter && s.account == a.data.id),
                })
            })
            .collect();
        let out = serde_json::json!({"accounts": accounts, "dead_letters": dead.len()});
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<16} {:<12} {:<10} {:<26} {:>6}  LAST ERROR",
        "ADAPTER", "ACCOUNT", "POLL", "LAST PAGE", "PAGES"
    );
    for a in &config.accounts {
        let state = states
            .iter()
            .find(|s| s.adapter == a.adapter && s.account == a.data.id);
        let every = a
            .poll
            .as_ref()
            .map(|p| format!("{}s", p.interval.as_secs()))
            .unwrap_or_else(|| "webhooks".into());
        println!(
            "{:<16} {:<12} {:<10} {:<26} {:>6}  {}",
            a.adapter,
            a.data.id,
            every,
            state
                .and_then(|s| s.polled_at)
                .map(|t| t.to_rfc3339())
                .unwrap_or_else(|| "-".into()),
            state.map(|s| s.pages).unwrap_or(0),
            state.and_then(|s| s.last_error.as_deref()).unwrap_or("")
        );
    }
    println!(
        "{} dead-lettered deliver(ies) (orderhub events list --dead)",
        dead.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn export(config_path: &Path, output: &str) -> Result<ExitCode> {
    let (config, store) = open_store(config_path)?;
    let counts = if output == "-" {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        transfer::export_jsonl(store.as_ref(), &mut out)
    } else {
        let file = std::fs::File::create(output).with_context(|| format!("creating {output}"))?;
        let mut out = std::io::BufWriter::new(file);
        transfer::export_jsonl(store.as_ref(), &mut out)
    }
    .with_context(|| format!("exporting {}", config.store))?;
    eprintln!("exported {counts} from {}", config.store);
    Ok(ExitCode::SUCCESS)
}

fn import(config_path: &Path, input: &str, force: bool) -> Result<ExitCode> {
    let (config, store) = open_store(config_path)?;
    let counts = if input == "-" {
        let mut reader = std::io::stdin().lock();
        transfer::import_jsonl(store.as_ref(), &mut reader, force)
    } else {
        let file = std::fs::File::open(input).with_context(|| format!("opening {input}"))?;
        let mut reader = std::io::BufReader::new(file);
        transfer::import_jsonl(store.as_ref(), &mut reader, force)
    };
    let counts = match counts {
        Err(StoreError::NotEmpty) => bail!(
            "{} already holds data; import into an empty store, or pass --force to replace its contents",
            config.store
        ),
        other => other.with_context(|| format!("importing {input} into {}", config.store))?,
    };
    println!("imported {counts} into {}", config.store);
    Ok(ExitCode::SUCCESS)
}

fn order_line(o: &OrderRecord) -> String {
    let snapshot = o.snapshot.as_ref();
    let total = snapshot
        .and_then(|s| {
            s.total_minor
                .map(|t| format!("{}.{:02} {}", t / 100, (t % 100).abs(), s.currency))
        })
        .unwrap_or_else(|| "-".into());
    let mut status = o.state.status.as_str().to_string();
    if o.state.partial {
        status.push_str(" (partial)");
    }
    if let Some(hold) = &o.state.hold {
        status.push_str(&format!(" [hold: {hold}]"));
    }
    if o.state.after_sale != orderhub_core::model::AfterSaleStatus::None {
        status.push_str(&format!(" [after-sale: {}]", o.state.after_sale.as_str()));
    }
    if o.state.deposit_paid {
        status.push_str(" [deposit paid]");
    }
    format!(
        "{:<10} {:<12} {:<22} {:<40} {:>16}",
        o.adapter, o.account, o.external_id, status, total
    )
}

fn orders(config_path: &Path, command: OrdersCommand) -> Result<ExitCode> {
    let (_, store) = open_store(config_path)?;
    match command {
        OrdersCommand::List { json, limit } => {
            let orders = store.list_orders(limit)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&orders)?);
            } else {
                println!(
                    "{:<10} {:<12} {:<22} {:<40} {:>16}",
                    "ADAPTER", "ACCOUNT", "EXTERNAL ID", "STATUS", "TOTAL"
                );
                for o in &orders {
                    println!("{}", order_line(o));
                }
                println!("{} order(s)", orders.len());
            }
        }
        OrdersCommand::Show {
            adapter,
            account,
            external_id,
            json,
        } => {
            let Some(view) = store.order(&adapter, &account, &external_id)? else {
                bail!("no order {external_id} for account {account} of adapter {adapter}");
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&view)?);
            } else {
                println!("{}", order_line(&view.order));
                if let Some(key) = &view.order.customer_key {
                    println!("customer key: {key}");
                }
                for s in &view.shipments {
                    let tracking = s.tracking.map(|t| t.as_str()).unwrap_or("-");
                    let lines: u32 = s.snapshot.lines.iter().map(|l| l.quantity).sum();
                    let contents = if lines == 0 {
                        "whole order".to_string()
                    } else {
                        format!("{lines} item(s)")
                    };
                    println!(
                        "shipment: {} {}  tracking: {tracking}  {contents}  reported by: {}/{}",
                        s.carrier, s.tracking_number, s.adapter, s.account
                    );
                }
                print_timeline(&view.timeline);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A timeline, oldest first: when, what, the platform status, and its effect.
fn print_timeline(timeline: &[orderhub_host::store::TimelineEntry]) {
    println!("timeline:");
    for e in timeline {
        let at = e
            .event
            .occurred_at
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|| e.recorded_at.to_rfc3339());
        let status = e
            .event
            .status
            .as_ref()
            .map(|s| s.value.as_str())
            .unwrap_or("-");
        let effect = if e.applied {
            "applied".to_string()
        } else {
            format!(
                "kept, no change ({})",
                e.note.as_deref().unwrap_or("duplicate state")
            )
        };
        println!("  {at}  {:<36} {status:<28} {effect}", e.event.topic);
    }
}

fn events(config_path: &Path, command: EventsCommand) -> Result<ExitCode> {
    match command {
        EventsCommand::List { dead, json, limit } => {
            let (_, store) = open_store(config_path)?;
            let entries = store.list_inbox(dead, limit)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&entries)?);
            } else {
                println!(
                    "{:>6} {:<10} {:<12} {:<8} {:<25} ERROR",
                    "ID", "ADAPTER", "ACCOUNT", "STATE", "RECEIVED"
                );
                for e in &entries {
                    let err = match (&e.error_kind, &e.error_message) {
                        (Some(k), Some(m)) => format!("{k}: {m}"),
                        _ => String::new(),
                    };
                    println!(
                        "{:>6} {:<10} {:<12} {:<8} {:<25} {err}",
                        e.id,
                        e.adapter,
                        e.account,
                        e.state.as_str(),
                        e.received_at.to_rfc3339()
                    );
                }
                println!(
                    "{} deliver{}",
                    entries.len(),
                    if entries.len() == 1 { "y" } else { "ies" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        EventsCommand::Replay { id, dead } => {
            let config = load_config(config_path)?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let pipeline = app::pipeline(config).context("starting the host")?;
                let ids: Vec<i64> = if dead {
                    pipeline
                        .store
                        .list_inbox(true, usize::MAX >> 1)?
                        .into_iter()
                        .map(|e| e.id)
                        .collect()
                } else {
                    id.into_iter().collect()
                };
                let mut still_dead = 0;
                for id in &ids {
                    let c = pipeline
                        .replay(*id)
                        .await
                        .with_context(|| format!("replaying delivery {id}"))?;
                    if c.dead {
                        still_dead += 1;
                        let entry = pipeline.store.inbox_entry(*id)?;
                        let why = entry.and_then(|e| e.error_message).unwrap_or_default();
                        println!("{id}: still dead: {why}");
                    } else {
                        println!(
                            "{id}: applied ({} new event(s), {} changed state)",
                            c.events_recorded, c.events_applied
                        );
                    }
                }
                println!(
                    "replayed {} deliver{}, {still_dead} still dead",
                    ids.len(),
                    if ids.len() == 1 { "y" } else { "ies" }
                );
                Ok(if still_dead == 0 {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                })
            })
        }
    }
}

/// The sandbox for offline adapter commands: the config's when there is one.
fn offline_sandbox(config: Option<&Config>) -> Result<(Sandbox, Limits)> {
    let (sandbox_config, limits) = match config {
        Some(c) => (
            SandboxConfig {
                max_concurrent_instances: 4,
                max_memory_bytes: c.max_memory_bytes(),
            },
            c.default_limits,
        ),
        None => (
            SandboxConfig {
                max_concurrent_instances: 4,
                ..SandboxConfig::default()
            },
            Limits::default(),
        ),
    };
    let sandbox = Sandbox::new(sandbox_config)
        .map_err(|e| anyhow::anyhow!("{e:#}"))
        .context("creating the wasmtime engine")?;
    Ok((sandbox, limits))
}

fn adapter(config_path: &Path, command: AdapterCommand) -> Result<ExitCode> {
    match command {
        AdapterCommand::List { json } => {
            let config = load_config(config_path)?;
            let sandbox = app::sandbox(&config)?;
            let registry = app::load_registry(&config, &sandbox)?;
            let all = registry.all();
            if json {
                let list: Vec<_> = all
                    .values()
                    .map(|a| serde_json::json!({"id": a.id(), "version": a.metadata().version, "kind": a.metadata().kind, "sha256": a.sha256(), "source": a.source()}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                println!(
                    "{:<14} {:<8} {:<8} {:<64} SOURCE",
                    "ID", "KIND", "VERSION", "SHA256"
                );
                for a in all.values() {
                    let kind = serde_json::to_value(a.metadata().kind)?
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    println!(
                        "{:<14} {kind:<8} {:<8} {} {}",
                        a.id(),
                        a.metadata().version,
                        a.sha256(),
                        a.source()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AdapterCommand::Run {
            adapter,
            function,
            input,
        } => adapter_run(config_path, &adapter, &function, input.as_deref()),
        AdapterCommand::Test {
            path,
            fixtures,
            readme,
        } => adapter_test(&path, fixtures.as_deref(), readme.as_deref()),
    }
}

/// Prints a line; a closed pipe (`| head`) is not an error worth a panic.
fn print_stdout(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

fn print_run_error(e: &runner::RunError) -> ExitCode {
    print_stdout(&e.to_json().to_string());
    ExitCode::from(e.exit_code as u8)
}

fn adapter_run(
    config_path: &Path,
    adapter: &str,
    function: &str,
    input: Option<&str>,
) -> Result<ExitCode> {
    let config = if config_path.exists() {
        Some(load_config(config_path)?)
    } else {
        None
    };
    let (sandbox, default_limits) = offline_sandbox(config.as_ref())?;
    let path = if adapter.ends_with(".wasm") {
        PathBuf::from(adapter)
    } else {
        let dir = config
            .as_ref()
            .map(|c| c.adapters_dir.clone())
            .unwrap_or_else(|| PathBuf::from("dist/adapters"));
        dir.join(format!("{adapter}.wasm"))
    };
    let limits = config
        .as_ref()
        .map(|c| c.limits_for(adapter))
        .unwrap_or(default_limits);
    let cache = config.as_ref().map(|c| c.cache_dir.clone());
    let loaded = match LoadedAdapter::load_file(&sandbox, &path, cache.as_deref(), limits) {
        Ok(a) => a,
        Err(e) => {
            return Ok(print_run_error(&runner::RunError {
                kind: "load".into(),
                message: e.to_string(),
                exit_code: 3,
            }));
        }
    };
    let text = match input {
        None => "{}".to_string(),
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("reading standard input")?;
            s
        }
        Some(file) => std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?,
    };
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            return Ok(print_run_error(&runner::RunError::invalid_input(format!(
                "the input is not JSON: {e}"
            ))));
        }
    };
    // A fixture file is accepted as input too: its request and account are used.
    let value = fixture_as_input(value);
    match runner::run(&loaded, function, &value) {
        Ok((output, stats)) => {
            print_stdout(&serde_json::to_string_pretty(&output)?);
            eprintln!(
                "fuel used: {}, peak memory: {} bytes, time: {} µs",
                stats.fuel_used, stats.peak_memory_bytes, stats.elapsed_us
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(print_run_error(&e)),
    }
}

/// Lets `adapter run` take a fixture file directly (recognised by its
/// `expect` object): a function case gives its `input`, a webhook case its
/// request and account. Anything else is a runner input already.
fn fixture_as_input(value: serde_json::Value) -> serde_json::Value {
    let Some(obj) = value.as_object().filter(|o| o.contains_key("expect")) else {
        return value;
    };
    if let Some(input) = obj.get("input").filter(|_| obj.contains_key("function")) {
        return input.clone();
    }
    let Some(request) = obj.get("request").and_then(|r| r.as_object()) else {
        return value;
    };
    let mut input = request.clone();
    for key in ["account", "now"] {
        if let Some(v) = obj.get(key) {
            input.insert(key.into(), v.clone());
        }
    }
    serde_json::Value::Object(input)
}

fn send(base: &str, wait_secs: u64, fixtures: &[PathBuf]) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let base = base.trim_end_matches('/');
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(wait_secs);
        if wait_secs > 0 {
            loop {
                match client.get(format!("{base}/healthz")).send().await {
                    Ok(r) if r.status().is_success() => break,
                    _ if std::time::Instant::now() >= deadline => {
                        bail!("{base} did not answer /healthz within {wait_secs} s")
                    }
                    _ => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
                }
            }
        }
        for path in fixtures {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let fixture: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not JSON", path.display()))?;
            let input = fixture_as_input(fixture);
            let obj = input.as_object().cloned().unwrap_or_default();
            let request = runner::raw_request(&obj)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let mut builder = client
                .post(format!("{base}{}", request.url))
                .body(request.body);
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            let response = builder
                .send()
                .await
                .with_context(|| format!("sending {}", path.display()))?;
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            println!(
                "{status} {:<44} {}",
                name,
                body.chars().take(120).collect::<String>()
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn adapter_test(path: &Path, fixtures: Option<&Path>, readme: Option<&Path>) -> Result<ExitCode> {
    let (sandbox, limits) = offline_sandbox(None)?;
    let loaded = LoadedAdapter::load_file(&sandbox, path, None, limits)
        .with_context(|| format!("loading {}", path.display()))?;
    println!(
        "adapter {} {} ({})",
        loaded.id(),
        loaded.metadata().version,
        loaded.sha256()
    );
    let checks = conformance::checks(fixtures, readme).map_err(anyhow::Error::msg)?;
    let (mut passed, mut failed) = (0, 0);
    for check in &checks {
        match check.run(&loaded, fixtures) {
            Ok(()) => {
                passed += 1;
                println!("ok      {}", check.name);
            }
            Err(why) => {
                failed += 1;
                println!(
                    "FAILED  {}\n        {}",
                    check.name,
                    why.replace('\n', "\n        ")
                );
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
