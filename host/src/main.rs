//! `orderhub`: the host's command line.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use orderhub_host::config::Config;
use orderhub_host::install::Installer;
use orderhub_host::poll::{Poller, scheduler};
use orderhub_host::runtime::{Limits, LoadedAdapter, Sandbox, SandboxConfig};
use orderhub_host::store::{OrderRecord, OrderStore, StoreError, transfer};
use orderhub_host::{admin, app, conformance, outbound, runner, server, stream, template, watch};

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
    /// Compare the store with what the platform reports since --since:
    /// backfill what is missing, correct stale statuses under the state
    /// machine, and print the differences.
    Reconcile {
        adapter: String,
        account: String,
        /// The window's start (RFC 3339): the platform is read from here to
        /// now, and stored orders changed since then that the platform does
        /// not report are listed as only in the store.
        #[arg(long)]
        since: String,
        #[arg(long, default_value_t = 200)]
        max_pages: u32,
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
        #[arg(required_unless_present_any = ["dead", "adapter"], conflicts_with_all = ["dead", "adapter"])]
        id: Option<i64>,
        /// Replay every dead-lettered delivery.
        #[arg(long, conflicts_with = "adapter")]
        dead: bool,
        /// Re-derive every stored delivery of this adapter (dead letters
        /// included) with its current version, applying the differences.
        #[arg(long)]
        adapter: Option<String>,
        /// With --adapter: only deliveries received at or after this time
        /// (RFC 3339, e.g. 2024-04-01T00:00:00Z).
        #[arg(long, requires = "adapter")]
        since: Option<String>,
        /// With --adapter: the report as JSON.
        #[arg(long, requires = "adapter")]
        json: bool,
    },
}

#[derive(Subcommand)]
enum AdapterCommand {
    /// List installed adapters with their sha256 and the versions a rollback
    /// returns to (from the running host when `[admin]` is configured).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Validate a component and make it the active version of its adapter:
    /// through the running host's admin API when `[admin]` is configured,
    /// else into the adapters directory (a running host's folder watcher
    /// picks it up).
    Install {
        /// The .wasm component.
        path: PathBuf,
        /// Fixtures to check it with (default: those kept with the active version).
        #[arg(long)]
        fixtures: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Return an adapter to the version active before the current one.
    Rollback {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Create a new adapter crate from the template (builds out of this repository).
    New {
        /// The adapter id (lower-case letters, digits and '-').
        id: String,
        #[arg(long, value_parser = ["channel", "carrier", "erp"])]
        kind: String,
        /// Where to create it (default: ./ID).
        #[arg(long)]
        dir: Option<PathBuf>,
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
        Command::Reconcile {
            adapter,
            account,
            since,
            max_pages,
            json,
        } => reconcile(&cli.config, &adapter, &account, &since, max_pages, json),
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
        let _sending = outbound::spawn(outbound::Sender::new(pipeline.clone(), poller.client()));
        let _polling = scheduler::spawn(poller);
        let _streams = stream::spawn(pipeline.clone());
        let installer = std::sync::Arc::new(app::installer(&pipeline).context("preparing adapter installs")?);
        let _watching = pipeline.config.watch_interval.map(|every| {
            watch::spawn(installer.clone(), pipeline.config.adapters_dir.clone(), every)
        });
        let _admin = match &pipeline.config.admin {
            Some(settings) => Some(start_admin(installer, settings).await?),
            None => None,
        };
        server::serve(pipeline, listener).await.context("serving HTTP")?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Starts the admin API on its own address.
async fn start_admin(
    installer: std::sync::Arc<orderhub_host::install::Installer>,
    settings: &orderhub_host::config::AdminSettings,
) -> Result<tokio::task::JoinHandle<()>> {
    if settings.token.is_empty() {
        bail!("admin.token is empty: the admin API needs a token");
    }
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("binding the admin API to {}", settings.listen))?;
    tracing::info!(address = %listener.local_addr()?, "admin API listening");
    let token = settings.token.clone();
    Ok(tokio::spawn(async move {
        if let Err(e) = admin::serve(installer, &token, listener).await {
            tracing::error!("the admin API stopped: {e}");
        }
    }))
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

fn reconcile(
    config_path: &Path,
    adapter: &str,
    account: &str,
    since: &str,
    max_pages: u32,
    json: bool,
) -> Result<ExitCode> {
    let since = chrono::DateTime::parse_from_rfc3339(since)
        .with_context(|| {
            format!("--since {since:?} is not an RFC 3339 time like 2024-04-01T00:00:00Z")
        })?
        .with_timezone(&chrono::Utc);
    let config = load_config(config_path)?;
    if config.account(adapter, account).is_none() {
        bail!("no account {account:?} is configured for adapter {adapter:?}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let pipeline = app::pipeline(config).context("starting the host")?;
        let poller = Poller::new(pipeline).context("creating the platform HTTP client")?;
        let report = poller
            .reconcile(adapter, account, since, max_pages)
            .await
            .with_context(|| format!("reconciling {adapter}/{account}"))?;
        if json {
            println!("{}", serde_json::to_string_pretty(&report)?);
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "{adapter}/{account}: {} page(s) compared, window {}",
            report.pages, report.window
        );
        println!("missing, now backfilled: {}", report.missing.len());
        for id in &report.missing {
            println!("  {id}");
        }
        println!("stale, now corrected: {}", report.stale.len());
        for c in &report.stale {
            println!("  {}: {} -> {}", c.external_id, c.before, c.after);
        }
        println!("in agreement: {}", report.in_agreement);
        println!(
            "only in the store (changed since {}): {}",
            since.to_rfc3339(),
            report.only_in_store.len()
        );
        for id in &report.only_in_store {
            println!("  {id}");
        }
        if report.more_left {
            println!("the window has more pages than --max-pages {max_pages}");
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
                    "push": if a.stream.is_some() { "stream" } else { "webhooks" },
                    "poll": states.iter().find(|s| s.adapter == a.adapter && s.account == a.data.id),
                })
            })
            .collect();
        let out = serde_json::json!({"accounts": accounts, "dead_letters": dead.len()});
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<16} {:<12} {:<9} {:<10} {:<26} {:>6}  LAST ERROR",
        "ADAPTER", "ACCOUNT", "PUSH", "POLL", "LAST PAGE", "PAGES"
    );
    for a in &config.accounts {
        let state = states
            .iter()
            .find(|s| s.adapter == a.adapter && s.account == a.data.id);
        let every = a
            .poll
            .as_ref()
            .map(|p| format!("{}s", p.interval.as_secs()))
            .unwrap_or_else(|| "-".into());
        let push = if a.stream.is_some() {
            "stream"
        } else {
            "webhooks"
        };
        println!(
            "{:<16} {:<12} {:<9} {:<10} {:<26} {:>6}  {}",
            a.adapter,
            a.data.id,
            push,
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
            let confirmations = store.confirmations_of(&adapter, &account, &external_id)?;
            if json {
                let mut out = serde_json::to_value(&view)?;
                out["confirmations"] = serde_json::to_value(&confirmations)?;
                println!("{}", serde_json::to_string_pretty(&out)?);
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
                for c in &confirmations {
                    println!(
                        "confirmation: {} {}  {}  attempts: {}{}",
                        c.request.carrier,
                        c.request.tracking_number,
                        c.state.as_str(),
                        c.attempts,
                        c.last_error
                            .as_deref()
                            .map(|e| format!("  ({e})"))
                            .unwrap_or_default()
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
                if dead {
                    let failed = store.failed_confirmations(limit)?;
                    if !failed.is_empty() {
                        println!("ship confirmations given up:");
                        for c in &failed {
                            println!(
                                "{:>6} {}/{}/{}  {} {}  {}",
                                c.id,
                                c.request.order_adapter,
                                c.request.order_account,
                                c.request.order_external_id,
                                c.request.carrier,
                                c.request.tracking_number,
                                c.last_error.as_deref().unwrap_or("")
                            );
                        }
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        EventsCommand::Replay {
            adapter: Some(adapter),
            since,
            json,
            ..
        } => rederive(config_path, &adapter, since.as_deref(), json),
        EventsCommand::Replay { id, dead, .. } => {
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
        AdapterCommand::List { json } => adapter_list(config_path, json),
        AdapterCommand::Install {
            path,
            fixtures,
            json,
        } => adapter_install(config_path, &path, fixtures.as_deref(), json),
        AdapterCommand::Rollback { id, json } => adapter_rollback(config_path, &id, json),
        AdapterCommand::New { id, kind, dir } => {
            let dir = dir.unwrap_or_else(|| PathBuf::from(&id));
            let files = template::generate(&id, &kind, &dir)
                .with_context(|| format!("creating adapter {id} in {}", dir.display()))?;
            println!("created {} ({} files):", dir.display(), files.len());
            for f in files {
                println!("  {}", f.display());
            }
            println!("next: cd {} && make test", dir.display());
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
    // A fixture (with `expect`) or a bare request file (`request` alone).
    let Some(obj) = value
        .as_object()
        .filter(|o| o.contains_key("expect") || o.get("request").is_some_and(|r| r.is_object()))
    else {
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

/// The admin API client when `[admin]` is configured.
fn admin_client(config: &Config) -> Result<Option<admin::AdminClient>> {
    match &config.admin {
        None => Ok(None),
        Some(a) if a.token.is_empty() => {
            bail!("admin.token is empty: set the environment variable it names")
        }
        Some(a) => Ok(Some(admin::AdminClient::new(a.listen, &a.token))),
    }
}

/// An installer over the adapters directory, for a host without an admin API.
fn offline_installer(config: Config) -> Result<Installer> {
    let sandbox = app::sandbox(&config)?;
    let registry = app::load_registry(&config, &sandbox)?;
    Installer::new(std::sync::Arc::new(config), std::sync::Arc::new(registry))
        .context("preparing the installer")
}

/// Runs an admin API call on a small runtime.
fn admin_call(
    call: impl std::future::Future<Output = Result<serde_json::Value, admin::ClientError>>,
) -> Result<serde_json::Value> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(runtime.block_on(call)?)
}

fn adapter_list(config_path: &Path, json: bool) -> Result<ExitCode> {
    let config = Config::load_for_inspection(config_path)
        .with_context(|| format!("loading configuration (--config {})", config_path.display()))?;
    let list = match admin_client(&config)? {
        Some(client) => admin_call(client.list())?,
        None => serde_json::to_value(offline_installer(config)?.list()?)?,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<16} {:<8} {:<10} {:<64} SOURCE",
        "ID", "KIND", "VERSION", "SHA256"
    );
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("-").to_string();
    for a in list.as_array().into_iter().flatten() {
        println!(
            "{:<16} {:<8} {:<10} {} {}",
            text(&a["id"]),
            text(&a["kind"]),
            text(&a["version"]),
            text(&a["sha256"]),
            text(&a["source"])
        );
        let limit = |k: &str| a["limits"][k].as_u64().unwrap_or(0);
        println!(
            "  limits   wall_clock {} ms, fuel {}, memory {} bytes, input {} bytes, output {} bytes",
            limit("wall_clock_ms"),
            limit("fuel"),
            limit("memory_bytes"),
            limit("max_input_bytes"),
            limit("max_output_bytes")
        );
        for asked in a["limits_not_granted"].as_array().into_iter().flatten() {
            println!("  not granted (declared above the host's) {}", text(asked));
        }
        for p in a["previous"].as_array().into_iter().flatten() {
            println!(
                "  previous {:<10} {} installed {}",
                text(&p["version"]),
                text(&p["sha256"]),
                text(&p["installed_at"])
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints an install or rollback report.
fn print_report(verb: &str, report: &serde_json::Value, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
        return Ok(());
    }
    let text = |k: &str| report[k].as_str().unwrap_or("-").to_string();
    if report["unchanged"].as_bool() == Some(true) {
        println!(
            "{} {} ({}) is already active",
            text("id"),
            text("version"),
            text("sha256")
        );
        return Ok(());
    }
    println!(
        "{verb} {} {} (sha256 {})",
        text("id"),
        text("version"),
        text("sha256")
    );
    if let Some(old) = report["replaced_sha256"].as_str() {
        println!("replaced sha256 {old}");
    }
    if verb == "installed" {
        println!(
            "{} conformance checks passed on {} fixture file(s)",
            report["checks_passed"], report["fixtures"]
        );
    }
    Ok(())
}

fn adapter_install(
    config_path: &Path,
    path: &Path,
    fixtures: Option<&Path>,
    json: bool,
) -> Result<ExitCode> {
    let config = Config::load_for_inspection(config_path)
        .with_context(|| format!("loading configuration (--config {})", config_path.display()))?;
    let report = match admin_client(&config)? {
        Some(client) => admin_call(client.install(path, fixtures))
            .with_context(|| format!("installing {}", path.display()))?,
        None => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let request = orderhub_host::install::InstallRequest {
                origin: path.display().to_string(),
                fixtures: fixtures.map(Path::to_path_buf),
                expected_id: None,
            };
            let report = offline_installer(config)?
                .install(&bytes, &request)
                .with_context(|| format!("installing {}", path.display()))?;
            serde_json::to_value(report)?
        }
    };
    print_report("installed", &report, json)?;
    Ok(ExitCode::SUCCESS)
}

fn adapter_rollback(config_path: &Path, id: &str, json: bool) -> Result<ExitCode> {
    let config = Config::load_for_inspection(config_path)
        .with_context(|| format!("loading configuration (--config {})", config_path.display()))?;
    let report = match admin_client(&config)? {
        Some(client) => {
            admin_call(client.rollback(id)).with_context(|| format!("rolling back {id}"))?
        }
        None => serde_json::to_value(
            offline_installer(config)?
                .rollback(id)
                .with_context(|| format!("rolling back {id}"))?,
        )?,
    };
    print_report("rolled back to", &report, json)?;
    Ok(ExitCode::SUCCESS)
}

/// `events replay --adapter ID [--since TIME]`: re-derives the adapter's
/// stored deliveries with its current version.
fn rederive(
    config_path: &Path,
    adapter: &str,
    since: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let since = since
        .map(|t| {
            chrono::DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&chrono::Utc))
                .with_context(|| {
                    format!("--since {t:?} is not an RFC 3339 time like 2024-04-01T00:00:00Z")
                })
        })
        .transpose()?;
    let config = load_config(config_path)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let pipeline = app::pipeline(config).context("starting the host")?;
        if pipeline.registry.get(adapter).is_none() {
            bail!("no adapter {adapter:?} is installed");
        }
        let entries = pipeline.store.inbox_of_adapter(adapter, since)?;
        let mut changes = Vec::new();
        for entry in &entries {
            let change = pipeline
                .rederive(entry.id)
                .await
                .with_context(|| format!("re-deriving delivery {}", entry.id))?;
            changes.push(change);
        }
        let dead = changes.iter().filter(|c| c.dead).count();
        if json {
            println!("{}", serde_json::to_string_pretty(&changes)?);
        } else {
            for c in changes.iter().filter(|c| c.changed_anything() || c.dead) {
                let state = match (c.was_dead, c.dead) {
                    (true, false) => "dead → applied",
                    (true, true) => "still dead",
                    (false, true) => "applied; the current version fails on it (left as it was)",
                    (false, false) => "applied",
                };
                println!(
                    "{} {}: {state}; events {} → {} ({} unchanged, {} changed, {} new; {} recorded, {} moved state)",
                    c.inbox_id, c.account, c.events_before, c.events_after, c.unchanged, c.changed, c.new, c.recorded, c.applied
                );
                if let Some(e) = &c.error {
                    println!("    error: {e}");
                }
                for o in &c.orders {
                    println!(
                        "    order {}/{}: {} → {}",
                        o.account,
                        o.external_id,
                        o.before.as_deref().unwrap_or("(none)"),
                        o.after.as_deref().unwrap_or("(none)")
                    );
                }
            }
            let changed = changes.iter().filter(|c| c.changed_anything()).count();
            println!(
                "re-derived {} deliver{} of {adapter}: {changed} changed, {dead} dead",
                changes.len(),
                if changes.len() == 1 { "y" } else { "ies" }
            );
        }
        Ok(if dead == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
    })
}
