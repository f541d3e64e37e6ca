//! The host configuration file (`orderhub.toml`).
//!
//! Parsing is strict (`deny_unknown_fields`) so a misspelt key is an error
//! that names it, not a silently ignored setting. Values of `secrets` and
//! `credentials` may be `env:NAME` references resolved at load time; resolved
//! secrets are kept in a type whose `Debug` never prints them.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use orderhub_core::model::AccountData;
use serde::Deserialize;

use crate::runtime::Limits;
use crate::store::PgLocation;

/// Why a configuration could not be used. Every variant names the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: String, message: String },
    #[error("config file {path}: {key}: {problem}")]
    Invalid {
        path: String,
        key: String,
        problem: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    server: RawServer,
    store: RawStore,
    adapters: RawAdapters,
    #[serde(default)]
    accounts: Vec<RawAccount>,
    #[serde(default)]
    polling: RawPolling,
    #[serde(default)]
    outbox: RawOutbox,
    /// `[admin]`: the admin API; absent, there is none.
    admin: Option<RawAdmin>,
}

/// `[outbox]`: sending ship confirmations to channels.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutbox {
    interval_secs: Option<u64>,
    max_attempts: Option<u32>,
    backoff_secs: Option<u64>,
}

/// `[admin]`: where the admin API listens and the bearer token it requires.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdmin {
    listen: String,
    token: String,
}

/// `[polling]`: how the host calls platform APIs for every polled account.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolling {
    timeout_secs: Option<u64>,
    retries: Option<u32>,
    backoff_ms: Option<u64>,
    max_retry_after_secs: Option<u64>,
    max_response_bytes: Option<usize>,
    max_concurrent_per_adapter: Option<usize>,
}

/// `[accounts.poll]`: poll this account on a schedule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoll {
    interval_secs: u64,
    jitter_secs: Option<u64>,
    max_pages: Option<u32>,
    #[serde(default)]
    allow_hosts: Vec<String>,
    reconcile_every_secs: Option<u64>,
}

/// `[accounts.stream]`: keep this account's push stream connected.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStream {
    #[serde(default = "enabled")]
    enabled: bool,
    reconnect_min_ms: Option<u64>,
    reconnect_max_secs: Option<u64>,
    keepalive_secs: Option<u64>,
    idle_limit_secs: Option<u64>,
}

fn enabled() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    listen: String,
    #[serde(default = "default_max_body_bytes")]
    max_body_bytes: usize,
}

fn default_max_body_bytes() -> usize {
    4 << 20
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStore {
    url: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    wall_clock_ms: Option<u64>,
    memory_mb: Option<usize>,
    fuel: Option<u64>,
    max_input_bytes: Option<usize>,
    max_output_bytes: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdapters {
    dir: PathBuf,
    cache_dir: Option<PathBuf>,
    #[serde(default)]
    max_concurrent_calls: Option<u32>,
    #[serde(default)]
    defaults: RawLimits,
    #[serde(default)]
    limits: BTreeMap<String, RawLimits>,
    versions_dir: Option<PathBuf>,
    watch_interval_ms: Option<u64>,
    compile_timeout_secs: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    adapter: String,
    id: String,
    #[serde(default)]
    secrets: Vec<String>,
    #[serde(default)]
    credentials: BTreeMap<String, String>,
    /// This account's own carrier codes → canonical carrier ids, for codes
    /// the global table cannot know (an ERP's tenant-defined carrier ids).
    #[serde(default)]
    carriers: BTreeMap<String, String>,
    poll: Option<RawPoll>,
    stream: Option<RawStream>,
}

/// Where orders are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// `sqlite://path` (relative paths are relative to the config file).
    Sqlite(PathBuf),
    /// `postgres://user@host:port/database?schema=NAME&pool_size=N`.
    Postgres(Box<PgLocation>),
}

/// The store for messages: never with a password.
impl std::fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            StoreUrl::Postgres(location) => location.fmt(f),
        }
    }
}

/// One configured account with its secrets resolved.
#[derive(Debug, Clone)]
pub struct Account {
    pub adapter: String,
    pub data: AccountData,
    /// Carrier codes of this account mapped to canonical carrier ids
    /// (`[accounts.carriers]`), applied to its shipments before they are stored.
    pub carriers: BTreeMap<String, String>,
    /// When and how far to poll this account; `None`: webhooks only.
    pub poll: Option<PollSchedule>,
    /// How to keep the account's push stream connected; `None`: no stream.
    pub stream: Option<StreamSettings>,
}

/// An account's push stream (`[accounts.stream]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSettings {
    /// The first wait before reconnecting; it doubles per failed attempt.
    pub reconnect_min: Duration,
    /// The longest wait between reconnection attempts.
    pub reconnect_max: Duration,
    /// How often the host pings the platform.
    pub keepalive: Duration,
    /// How long the connection may stay silent (no frame, no pong) before it
    /// is given up and reconnected.
    pub idle_limit: Duration,
}

/// `[outbox]`: how ship confirmations are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxSettings {
    /// How often the sender looks for due confirmations.
    pub interval: Duration,
    /// Attempts before a confirmation is given up (and shown as failed).
    pub max_attempts: u32,
    /// Wait before the second attempt; it doubles per attempt.
    pub backoff: Duration,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        OutboxSettings {
            interval: Duration::from_secs(5),
            max_attempts: 8,
            backoff: Duration::from_secs(30),
        }
    }
}

/// An account's polling schedule (`[accounts.poll]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollSchedule {
    pub interval: Duration,
    /// Up to this much is added to each interval, so accounts polled on the
    /// same schedule do not hit a platform at the same instant.
    pub jitter: Duration,
    /// Pages fetched at most per run; the rest waits for the next run.
    pub max_pages: u32,
    /// Hosts this account may be polled at. Empty: the adapter's declared
    /// hosts and the host of the account's `base_url` credential.
    pub allow_hosts: Vec<String>,
    /// Reconcile the account this often (`None`: only by hand).
    pub reconcile_every: Option<Duration>,
}

/// `[polling]`: the HTTP client every poll uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollingSettings {
    /// Per request, connecting and reading included.
    pub timeout: Duration,
    /// Further attempts after a 429, a 5xx, a timeout or a lost connection.
    pub retries: u32,
    /// First backoff; it doubles per attempt.
    pub backoff: Duration,
    /// The longest `Retry-After` honoured; a platform asking for longer is
    /// retried at the next scheduled run instead.
    pub max_retry_after: Duration,
    pub max_response_bytes: usize,
    /// Requests in flight to one platform (adapter) at once.
    pub max_concurrent_per_adapter: usize,
}

impl Default for PollingSettings {
    fn default() -> Self {
        PollingSettings {
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            max_response_bytes: 16 << 20,
            max_concurrent_per_adapter: 4,
        }
    }
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub listen: SocketAddr,
    pub max_body_bytes: usize,
    pub store: StoreUrl,
    pub adapters_dir: PathBuf,
    pub cache_dir: PathBuf,
    pub max_concurrent_calls: u32,
    pub default_limits: Limits,
    pub adapter_limits: BTreeMap<String, Limits>,
    pub accounts: Vec<Account>,
    pub polling: PollingSettings,
    pub outbox: OutboxSettings,
    /// Installed adapter versions kept for rollback (`adapters.versions_dir`,
    /// default `<adapters.dir>/.versions`).
    pub versions_dir: PathBuf,
    /// How often `serve` looks for new or changed components in the adapters
    /// directory (`adapters.watch_interval_ms`, default 2000; 0: never).
    pub watch_interval: Option<Duration>,
    /// How long compiling a component being installed may take
    /// (`adapters.compile_timeout_secs`, default 60).
    pub compile_timeout: Duration,
    /// The admin API (`[admin]`); `None`: there is none.
    pub admin: Option<AdminSettings>,
}

/// `[admin]`: the admin API's address and the bearer token it requires.
#[derive(Clone)]
pub struct AdminSettings {
    pub listen: SocketAddr,
    pub token: String,
}

/// Never prints the token.
impl std::fmt::Debug for AdminSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminSettings")
            .field("listen", &self.listen)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Reads and validates a config file, resolving `env:` references from
    /// the process environment.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, path, &|name| std::env::var(name).ok())
    }

    /// Reads a config file for commands that only inspect the store and never
    /// call an adapter: `env:` references that are not set are left empty
    /// instead of failing, so an operator can list orders without the secrets.
    pub fn load_for_inspection(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, path, &|name| {
            Some(std::env::var(name).unwrap_or_default())
        })
    }

    /// Parses config text; `env` resolves `env:NAME` references.
    pub fn parse(
        text: &str,
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let shown = path.display().to_string();
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let invalid = |key: &str, problem: String| ConfigError::Invalid {
            path: shown.clone(),
            key: key.into(),
            problem,
        };
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let relative = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };

        let listen = raw.server.listen.parse().map_err(|_| {
            invalid(
                "server.listen",
                format!(
                    "{:?} is not an address like 127.0.0.1:8080",
                    raw.server.listen
                ),
            )
        })?;
        if raw.server.max_body_bytes == 0 {
            return Err(invalid(
                "server.max_body_bytes",
                "must be greater than 0".into(),
            ));
        }

        // The URL may hold a password, so it may come from the environment.
        let store_url = resolve(&raw.store.url, "store.url", env, &invalid)?;
        let store = match store_url.split_once("://") {
            Some(("sqlite", rest)) if !rest.is_empty() => {
                StoreUrl::Sqlite(relative(Path::new(rest)))
            }
            Some(("postgres" | "postgresql", _)) => StoreUrl::Postgres(Box::new(
                PgLocation::parse(&store_url).map_err(|problem| invalid("store.url", problem))?,
            )),
            Some((scheme, _)) => {
                return Err(invalid(
                    "store.url",
                    format!(
                        "unsupported store scheme {scheme:?}; use sqlite://PATH or postgres://USER@HOST/DATABASE"
                    ),
                ));
            }
            None if raw.store.url.starts_with("env:") => {
                return Err(invalid(
                    "store.url",
                    format!(
                        "the environment variable {} holds no URL like sqlite://orderhub.db",
                        &raw.store.url[4..]
                    ),
                ));
            }
            None => {
                return Err(invalid(
                    "store.url",
                    format!("{:?} is not a URL like sqlite://orderhub.db", raw.store.url),
                ));
            }
        };

        let default_limits = limits_from(
            &raw.adapters.defaults,
            Limits::default(),
            "adapters.defaults",
            &invalid,
        )?;
        let mut adapter_limits = BTreeMap::new();
        for (id, l) in &raw.adapters.limits {
            adapter_limits.insert(
                id.clone(),
                limits_from(
                    l,
                    default_limits,
                    &format!("adapters.limits.{id}"),
                    &invalid,
                )?,
            );
        }
        let adapters_dir = relative(&raw.adapters.dir);
        let cache_dir = raw
            .adapters
            .cache_dir
            .as_deref()
            .map(relative)
            .unwrap_or_else(|| adapters_dir.join(".cache"));
        let max_concurrent_calls = raw.adapters.max_concurrent_calls.unwrap_or(32);
        if max_concurrent_calls == 0 {
            return Err(invalid(
                "adapters.max_concurrent_calls",
                "must be greater than 0".into(),
            ));
        }

        let versions_dir = raw
            .adapters
            .versions_dir
            .as_deref()
            .map(relative)
            .unwrap_or_else(|| adapters_dir.join(".versions"));
        let watch_interval = match raw.adapters.watch_interval_ms.unwrap_or(2000) {
            0 => None,
            ms => Some(Duration::from_millis(ms)),
        };
        let admin = match &raw.admin {
            None => None,
            Some(a) => {
                let listen = a.listen.parse().map_err(|_| {
                    invalid(
                        "admin.listen",
                        format!("{:?} is not an address like 127.0.0.1:8081", a.listen),
                    )
                })?;
                let token = resolve(&a.token, "admin.token", env, &invalid)?;
                // Empty only when inspecting without the environment; the
                // admin API refuses to start with it.
                if !token.is_empty() && token.len() < 16 {
                    return Err(invalid(
                        "admin.token",
                        "must be at least 16 characters".into(),
                    ));
                }
                Some(AdminSettings { listen, token })
            }
        };

        let mut accounts: Vec<Account> = Vec::new();
        for (i, a) in raw.accounts.iter().enumerate() {
            let key = format!("accounts[{i}]");
            if a.adapter.is_empty() {
                return Err(invalid(
                    &format!("{key}.adapter"),
                    "must not be empty".into(),
                ));
            }
            if a.id.is_empty()
                || !a
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(invalid(
                    &format!("{key}.id"),
                    format!("{:?} must be letters, digits, '-' or '_'", a.id),
                ));
            }
            if accounts
                .iter()
                .any(|o| o.adapter == a.adapter && o.data.id == a.id)
            {
                return Err(invalid(
                    &format!("{key}.id"),
                    format!(
                        "account {:?} of adapter {:?} is configured twice",
                        a.id, a.adapter
                    ),
                ));
            }
            let secrets = a
                .secrets
                .iter()
                .enumerate()
                .map(|(j, v)| resolve(v, &format!("{key}.secrets[{j}]"), env, &invalid))
                .collect::<Result<Vec<_>, _>>()?;
            let credentials = a
                .credentials
                .iter()
                .map(|(name, v)| {
                    Ok((
                        name.clone(),
                        resolve(v, &format!("{key}.credentials.{name}"), env, &invalid)?,
                    ))
                })
                .collect::<Result<Vec<_>, ConfigError>>()?;
            let mut carriers = BTreeMap::new();
            for (code, id) in &a.carriers {
                let canonical = orderhub_core::carriers::carrier_key(id);
                if code.trim().is_empty() || canonical.is_empty() {
                    return Err(invalid(
                        &format!("{key}.carriers"),
                        format!("{code:?} = {id:?}: neither the code nor the carrier may be empty"),
                    ));
                }
                carriers.insert(code.trim().to_string(), canonical);
            }
            let poll = a
                .poll
                .as_ref()
                .map(|p| poll_schedule(p, &format!("{key}.poll"), &invalid))
                .transpose()?;
            let stream = match &a.stream {
                Some(s) if s.enabled => {
                    Some(stream_settings(s, &format!("{key}.stream"), &invalid)?)
                }
                _ => None,
            };
            accounts.push(Account {
                adapter: a.adapter.clone(),
                data: AccountData {
                    id: a.id.clone(),
                    secrets,
                    credentials,
                },
                carriers,
                poll,
                stream,
            });
        }

        Ok(Config {
            path: path.to_path_buf(),
            listen,
            max_body_bytes: raw.server.max_body_bytes,
            store,
            adapters_dir,
            cache_dir,
            max_concurrent_calls,
            default_limits,
            adapter_limits,
            accounts,
            polling: polling_settings(&raw.polling, &invalid)?,
            outbox: outbox_settings(&raw.outbox, &invalid)?,
            versions_dir,
            watch_interval,
            compile_timeout: Duration::from_secs(
                raw.adapters.compile_timeout_secs.unwrap_or(60).max(1),
            ),
            admin,
        })
    }

    /// The limits of one adapter.
    pub fn limits_for(&self, adapter: &str) -> Limits {
        self.adapter_limits
            .get(adapter)
            .copied()
            .unwrap_or(self.default_limits)
    }

    /// The account `id` of `adapter`.
    pub fn account(&self, adapter: &str, id: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.adapter == adapter && a.data.id == id)
    }

    /// The largest memory cap any adapter is given (sizes the instance pool).
    pub fn max_memory_bytes(&self) -> usize {
        self.adapter_limits
            .values()
            .chain([&self.default_limits])
            .map(|l| l.memory_bytes)
            .max()
            .unwrap_or(64 << 20)
    }
}

fn resolve(
    value: &str,
    key: &str,
    env: &dyn Fn(&str) -> Option<String>,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<String, ConfigError> {
    match value.strip_prefix("env:") {
        Some("") => Err(invalid(
            key,
            "env: needs a variable name, like env:SHOPIFY_SECRET".into(),
        )),
        Some(name) => {
            env(name).ok_or_else(|| invalid(key, format!("environment variable {name} is not set")))
        }
        None => Ok(value.to_string()),
    }
}

fn stream_settings(
    raw: &RawStream,
    key: &str,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<StreamSettings, ConfigError> {
    let reconnect_min = Duration::from_millis(raw.reconnect_min_ms.unwrap_or(1_000));
    let reconnect_max = Duration::from_secs(raw.reconnect_max_secs.unwrap_or(60));
    if reconnect_min.is_zero() {
        return Err(invalid(
            &format!("{key}.reconnect_min_ms"),
            "must be greater than 0 (a platform refusing logins must not be hammered)".into(),
        ));
    }
    if reconnect_max < reconnect_min {
        return Err(invalid(
            &format!("{key}.reconnect_max_secs"),
            "must not be shorter than reconnect_min_ms".into(),
        ));
    }
    let keepalive = Duration::from_secs(raw.keepalive_secs.unwrap_or(30));
    let idle_limit = Duration::from_secs(raw.idle_limit_secs.unwrap_or(90));
    if keepalive.is_zero() {
        return Err(invalid(
            &format!("{key}.keepalive_secs"),
            "must be greater than 0".into(),
        ));
    }
    if idle_limit <= keepalive {
        return Err(invalid(
            &format!("{key}.idle_limit_secs"),
            "must be longer than keepalive_secs (a pong needs a ping first)".into(),
        ));
    }
    Ok(StreamSettings {
        reconnect_min,
        reconnect_max,
        keepalive,
        idle_limit,
    })
}

fn poll_schedule(
    raw: &RawPoll,
    key: &str,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<PollSchedule, ConfigError> {
    if raw.interval_secs == 0 {
        return Err(invalid(
            &format!("{key}.interval_secs"),
            "must be greater than 0".into(),
        ));
    }
    let interval = Duration::from_secs(raw.interval_secs);
    let jitter = raw
        .jitter_secs
        .map(Duration::from_secs)
        .unwrap_or(interval / 10);
    if jitter > interval {
        return Err(invalid(
            &format!("{key}.jitter_secs"),
            "must not exceed interval_secs".into(),
        ));
    }
    let max_pages = raw.max_pages.unwrap_or(50);
    if max_pages == 0 {
        return Err(invalid(
            &format!("{key}.max_pages"),
            "must be greater than 0".into(),
        ));
    }
    for (i, host) in raw.allow_hosts.iter().enumerate() {
        let name = host.strip_prefix("*.").unwrap_or(host);
        if name.is_empty() || name.contains(['/', ':', ' ', '*']) {
            return Err(invalid(
                &format!("{key}.allow_hosts[{i}]"),
                format!("{host:?} is not a host name (or *.suffix)"),
            ));
        }
    }
    if raw.reconcile_every_secs == Some(0) {
        return Err(invalid(
            &format!("{key}.reconcile_every_secs"),
            "must be greater than 0".into(),
        ));
    }
    Ok(PollSchedule {
        interval,
        jitter,
        max_pages,
        allow_hosts: raw.allow_hosts.clone(),
        reconcile_every: raw.reconcile_every_secs.map(Duration::from_secs),
    })
}

fn outbox_settings(
    raw: &RawOutbox,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<OutboxSettings, ConfigError> {
    let d = OutboxSettings::default();
    for (value, name) in [
        (raw.interval_secs, "interval_secs"),
        (raw.max_attempts.map(u64::from), "max_attempts"),
    ] {
        if value == Some(0) {
            return Err(invalid(
                &format!("outbox.{name}"),
                "must be greater than 0".into(),
            ));
        }
    }
    Ok(OutboxSettings {
        interval: raw.interval_secs.map_or(d.interval, Duration::from_secs),
        max_attempts: raw.max_attempts.unwrap_or(d.max_attempts),
        backoff: raw.backoff_secs.map_or(d.backoff, Duration::from_secs),
    })
}

fn polling_settings(
    raw: &RawPolling,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<PollingSettings, ConfigError> {
    let d = PollingSettings::default();
    let positive = |value: Option<u64>, name: &str| -> Result<Option<u64>, ConfigError> {
        match value {
            Some(0) => Err(invalid(
                &format!("polling.{name}"),
                "must be greater than 0".into(),
            )),
            other => Ok(other),
        }
    };
    let max_response_bytes = raw.max_response_bytes.unwrap_or(d.max_response_bytes);
    let max_concurrent = raw
        .max_concurrent_per_adapter
        .unwrap_or(d.max_concurrent_per_adapter);
    if max_response_bytes == 0 || max_concurrent == 0 {
        return Err(invalid(
            "polling",
            "max_response_bytes and max_concurrent_per_adapter must be greater than 0".into(),
        ));
    }
    Ok(PollingSettings {
        timeout: positive(raw.timeout_secs, "timeout_secs")?.map_or(d.timeout, Duration::from_secs),
        retries: raw.retries.unwrap_or(d.retries),
        backoff: positive(raw.backoff_ms, "backoff_ms")?.map_or(d.backoff, Duration::from_millis),
        max_retry_after: raw
            .max_retry_after_secs
            .map_or(d.max_retry_after, Duration::from_secs),
        max_response_bytes,
        max_concurrent_per_adapter: max_concurrent,
    })
}

fn limits_from(
    raw: &RawLimits,
    base: Limits,
    key: &str,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Limits, ConfigError> {
    let mut l = base;
    if let Some(ms) = raw.wall_clock_ms {
        if ms == 0 {
            return Err(invalid(
                &format!("{key}.wall_clock_ms"),
                "must be greater than 0".into(),
            ));
        }
        l.wall_clock = Duration::from_millis(ms);
    }
    if let Some(mb) = raw.memory_mb {
        if !(1..=4096).contains(&mb) {
            return Err(invalid(
                &format!("{key}.memory_mb"),
                "must be between 1 and 4096".into(),
            ));
        }
        l.memory_bytes = mb << 20;
    }
    if let Some(fuel) = raw.fuel {
        if fuel == 0 {
            return Err(invalid(
                &format!("{key}.fuel"),
                "must be greater than 0".into(),
            ));
        }
        l.fuel = fuel;
    }
    for (name, value, slot) in [
        (
            "max_input_bytes",
            raw.max_input_bytes,
            &mut l.max_input_bytes,
        ),
        (
            "max_output_bytes",
            raw.max_output_bytes,
            &mut l.max_output_bytes,
        ),
    ] {
        if let Some(bytes) = value {
            if bytes == 0 {
                return Err(invalid(
                    &format!("{key}.{name}"),
                    "must be greater than 0".into(),
                ));
            }
            *slot = bytes;
        }
    }
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[server]
listen = "127.0.0.1:8080"
[store]
url = "sqlite://data/orderhub.db"
[adapters]
dir = "dist/adapters"
[adapters.limits.taobao]
wall_clock_ms = 500
[[accounts]]
adapter = "shopify"
id = "main"
secrets = ["env:SHOP_SECRET", "old-secret"]
credentials = { shop = "demo.myshopify.com" }
"#;

    fn env(name: &str) -> Option<String> {
        (name == "SHOP_SECRET").then(|| "s3cr3t".to_string())
    }

    #[test]
    fn admin_versions_watch_and_size_limits() {
        let text = format!("{GOOD}\n[admin]\nlisten = \"127.0.0.1:8081\"\ntoken = \"env:ADMIN\"\n")
            .replace(
                "[adapters.limits.taobao]\n",
                "watch_interval_ms = 0\n[adapters.limits.taobao]\nmax_input_bytes = 1024\n",
            );
        let admin_env = |name: &str| match name {
            "ADMIN" => Some("0123456789abcdef0123".to_string()),
            other => env(other),
        };
        let path = Path::new("/etc/orderhub/orderhub.toml");
        let c = Config::parse(&text, path, &admin_env).unwrap();
        let admin = c.admin.as_ref().unwrap();
        assert_eq!(admin.listen.to_string(), "127.0.0.1:8081");
        assert_eq!(admin.token, "0123456789abcdef0123");
        assert!(!format!("{admin:?}").contains("0123456789abcdef"));
        assert_eq!(c.watch_interval, None);
        assert_eq!(
            c.versions_dir,
            PathBuf::from("/etc/orderhub/dist/adapters/.versions")
        );
        assert_eq!(c.limits_for("taobao").max_input_bytes, 1024);
        assert_eq!(c.limits_for("shopify").max_output_bytes, 16 << 20);

        let short = |name: &str| (name == "ADMIN").then(|| "short".to_string()).or(env(name));
        let e = Config::parse(&text, path, &short).unwrap_err().to_string();
        assert!(
            e.contains("admin.token: must be at least 16 characters"),
            "{e}"
        );
        let c = Config::parse(GOOD, path, &env).unwrap();
        assert!(c.admin.is_none());
        assert_eq!(c.watch_interval, Some(Duration::from_secs(2)));
    }

    #[test]
    fn parses_resolves_env_and_relative_paths() {
        let c = Config::parse(GOOD, Path::new("/etc/orderhub/orderhub.toml"), &env).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            c.store,
            StoreUrl::Sqlite(PathBuf::from("/etc/orderhub/data/orderhub.db"))
        );
        assert_eq!(c.adapters_dir, PathBuf::from("/etc/orderhub/dist/adapters"));
        assert_eq!(c.max_body_bytes, 4 << 20);
        let a = c.account("shopify", "main").unwrap();
        assert_eq!(
            a.data.secrets,
            vec!["s3cr3t".to_string(), "old-secret".to_string()]
        );
        assert_eq!(
            c.limits_for("taobao").wall_clock,
            Duration::from_millis(500)
        );
        assert_eq!(c.limits_for("shopify"), Limits::default());
        assert!(
            !format!("{c:?}").contains("s3cr3t"),
            "Debug must not print secrets"
        );
    }

    #[test]
    fn postgres_urls_may_come_from_the_environment_and_never_show_a_password() {
        let text = GOOD.replace("sqlite://data/orderhub.db", "env:STORE_URL");
        let env = |name: &str| match name {
            "STORE_URL" => Some("postgres://hub:pw@10.0.0.5:5433/shop?schema=hub_a".to_string()),
            _ => env(name),
        };
        let c = Config::parse(&text, Path::new("o.toml"), &env).unwrap();
        let StoreUrl::Postgres(location) = &c.store else {
            panic!("not a PostgreSQL store: {:?}", c.store);
        };
        assert_eq!(location.schema(), "hub_a");
        assert_eq!(
            c.store.to_string(),
            "postgres://hub@10.0.0.5:5433/shop?schema=hub_a"
        );
        assert!(!format!("{c:?}").contains("pw@"));
    }

    #[test]
    fn errors_name_the_key() {
        let missing_env = Config::parse(GOOD, Path::new("o.toml"), &|_| None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            missing_env,
            "config file o.toml: accounts[0].secrets[0]: environment variable SHOP_SECRET is not set"
        );
        let bad_listen = GOOD.replace("127.0.0.1:8080", "localhost");
        let e = Config::parse(&bad_listen, Path::new("o.toml"), &env)
            .unwrap_err()
            .to_string();
        assert!(e.contains("server.listen"), "{e}");
        let bad_store = GOOD.replace("sqlite://", "mysql://");
        let e = Config::parse(&bad_store, Path::new("o.toml"), &env)
            .unwrap_err()
            .to_string();
        assert!(e.contains("store.url") && e.contains("mysql"), "{e}");
        let no_tls = GOOD.replace(
            "sqlite://data/orderhub.db",
            "postgres://u@db/x?sslmode=require",
        );
        let e = Config::parse(&no_tls, Path::new("o.toml"), &env)
            .unwrap_err()
            .to_string();
        assert!(e.contains("store.url") && e.contains("TLS"), "{e}");
        let typo = GOOD.replace("[server]", "[server]\nlisten_port = 1");
        let e = Config::parse(&typo, Path::new("o.toml"), &env)
            .unwrap_err()
            .to_string();
        assert!(e.contains("listen_port"), "{e}");
    }
}
