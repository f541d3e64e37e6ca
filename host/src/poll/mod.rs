//! Polling platform APIs, so no order depends on a webhook arriving.
//!
//! One run for one account: read the account's cursor from the store, let
//! the adapter build the signed request (`poll-request`), send it through
//! [`http::PlatformClient`] (allow-listed hosts, timeouts, retries, size
//! cap), let the adapter read the answer (`poll-response`), and commit the
//! page — raw answer, events, their effect *and* the cursor past them — in
//! one transaction. Pages follow while the adapter says there are more, up to
//! the account's `max_pages`.
//!
//! A run that fails leaves the cursor where it was: the next run fetches the
//! same page again. A page the adapter cannot read is kept as a dead letter
//! (raw answer and error) and can be replayed after a fix. Polled events
//! without a platform id are keyed by content, so the deliberate overlap of
//! polling windows records each state of an order once.
//!
//! - [`http`]: the HTTP client adapters' requests go through.
//! - [`entry`]: a polled page as an inbox row, and back for replay.
//! - [`reconcile`]: comparing the store with what a platform reports now.
//! - [`scheduler`]: polling every configured account on its interval.

pub mod entry;
pub mod http;
pub mod reconcile;
pub mod scheduler;

use std::sync::Arc;

use chrono::Utc;
use orderhub_core::keys;
use orderhub_core::model::{PollPage, RawRequest};
use serde::Serialize;

use crate::config::Account;
use crate::pipeline::{self, EventKeys, Pipeline, PipelineError};
use crate::runtime::{CallError, LoadedAdapter};
use crate::store::{CursorUpdate, Delivery, Outcome, StoreError};
use http::{AllowList, FetchError, PlatformClient};

/// Why a poll run stopped before the platform had nothing more to give.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{adapter}: {stage} failed: {error}")]
    Adapter {
        adapter: String,
        stage: &'static str,
        error: CallError,
    },
    #[error("{adapter}/{account}: {error}")]
    Fetch {
        adapter: String,
        account: String,
        error: FetchError,
    },
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// Pages committed (duplicates included).
    pub pages: u32,
    /// Pages the store already held.
    pub duplicate_pages: u32,
    pub events_recorded: usize,
    pub events_applied: usize,
    /// The adapter said there was more, but the run reached `max_pages`.
    pub more_left: bool,
}

/// Polls accounts through the pipeline's adapters and store.
#[derive(Clone)]
pub struct Poller {
    pipeline: Pipeline,
    client: Arc<PlatformClient>,
}

impl Poller {
    pub fn new(pipeline: Pipeline) -> Result<Self, reqwest::Error> {
        let client = PlatformClient::new(pipeline.config.polling.clone())?;
        Ok(Poller {
            pipeline,
            client: Arc::new(client),
        })
    }

    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// The HTTP client, shared with the confirmation sender.
    pub fn client(&self) -> Arc<PlatformClient> {
        self.client.clone()
    }

    /// Polls one account until the platform has nothing more or `max_pages`
    /// pages are committed. A failure is recorded on the account's poll state.
    pub async fn poll_account(
        &self,
        adapter_id: &str,
        account_id: &str,
        max_pages: u32,
    ) -> Result<RunReport, PollError> {
        let result = self.run(adapter_id, account_id, max_pages).await;
        if let Err(error) = &result {
            tracing::warn!(
                adapter = adapter_id,
                account = account_id,
                "poll failed: {error}"
            );
            let store = self.pipeline.store.clone();
            let (adapter, account, message) = (
                adapter_id.to_string(),
                account_id.to_string(),
                error.to_string(),
            );
            self.pipeline
                .blocking(move || {
                    store.record_poll_failure(&adapter, &account, Utc::now(), &message)
                })
                .await??;
        }
        result
    }

    async fn run(
        &self,
        adapter_id: &str,
        account_id: &str,
        max_pages: u32,
    ) -> Result<RunReport, PollError> {
        let (adapter, account) = self.pipeline.resolve(adapter_id, account_id)?;
        let allowed = allow_list(&adapter, &account);
        let mut report = RunReport::default();
        loop {
            let store = self.pipeline.store.clone();
            let (a, b) = (adapter_id.to_string(), account_id.to_string());
            let cursor = self
                .pipeline
                .blocking(move || store.poll_state(&a, &b))
                .await??
                .and_then(|s| s.cursor);

            let FetchedPage { raw, page } = self
                .fetch_page(
                    adapter_id,
                    account_id,
                    &adapter,
                    &account,
                    &allowed,
                    cursor.as_deref(),
                )
                .await?;
            let key = keys::delivery_key(adapter_id, account_id, None, &raw.body);
            let store = self.pipeline.store.clone();
            let now = Utc::now();
            let mut delivery = Delivery {
                key,
                adapter: adapter_id.to_string(),
                account: account_id.to_string(),
                received_at: now,
                request: raw,
                outcome: Outcome::Events(vec![]),
            };
            let page = match page {
                Ok(page) => page,
                Err(error) => {
                    // Kept with its error for replay; the cursor stays.
                    delivery.outcome = pipeline::dead("poll-response", &error);
                    self.pipeline
                        .blocking(move || store.commit(delivery))
                        .await??;
                    return Err(PollError::Adapter {
                        adapter: adapter_id.to_string(),
                        stage: "poll-response",
                        error,
                    });
                }
            };
            let more = page.more;
            let (ad, acc) = (adapter.clone(), account.clone());
            let committed = self
                .pipeline
                .blocking(move || {
                    delivery.outcome =
                        pipeline::map_events(&ad, &acc, page.events, EventKeys::ByContent);
                    let cursor = CursorUpdate {
                        cursor: page.next_cursor,
                        at: now,
                    };
                    store.commit_poll_page(delivery, cursor)
                })
                .await??;
            report.pages += 1;
            report.duplicate_pages += u32::from(committed.duplicate);
            report.events_recorded += committed.events_recorded;
            report.events_applied += committed.events_applied;
            if committed.dead {
                // status-map refused an event: the page is a dead letter and
                // the cursor moved past it; replay re-derives it after a fix.
                tracing::warn!(
                    adapter = adapter_id,
                    account = account_id,
                    inbox_id = committed.inbox_id,
                    "a polled page was dead-lettered"
                );
            }
            if !more {
                return Ok(report);
            }
            if report.pages >= max_pages {
                report.more_left = true;
                return Ok(report);
            }
        }
    }
}

/// One fetched page: the inbox form of the platform's answer, and what
/// `poll-response` made of it.
pub(crate) struct FetchedPage {
    pub raw: RawRequest,
    pub page: Result<PollPage, CallError>,
}

impl Poller {
    /// Builds the request for `cursor`, sends it and reads the answer: the
    /// step polls and reconciliation share.
    pub(crate) async fn fetch_page(
        &self,
        adapter_id: &str,
        account_id: &str,
        adapter: &Arc<LoadedAdapter>,
        account: &Account,
        allowed: &AllowList,
        cursor: Option<&str>,
    ) -> Result<FetchedPage, PollError> {
        let (ad, acc, c) = (adapter.clone(), account.clone(), cursor.map(str::to_string));
        let request = self
            .pipeline
            .blocking(move || ad.poll_request(c.as_deref(), &acc.data, Utc::now()))
            .await?
            .map_err(|error| PollError::Adapter {
                adapter: adapter_id.to_string(),
                stage: "poll-request",
                error,
            })?
            .0;
        let reply = self
            .client
            .fetch(adapter_id, allowed, &request)
            .await
            .map_err(|error| PollError::Fetch {
                adapter: adapter_id.to_string(),
                account: account_id.to_string(),
                error,
            })?;
        let raw = entry::encode(&request, cursor, &reply);
        let (ad, acc, c) = (adapter.clone(), account.clone(), cursor.map(str::to_string));
        let page = self
            .pipeline
            .blocking(move || ad.poll_response(c.as_deref(), &reply, &acc.data, Utc::now()))
            .await?
            .map(|(page, _)| page);
        Ok(FetchedPage { raw, page })
    }
}

/// Where this account's requests may go: hosts the adapter declares, and
/// the host of the account's own `base_url` (a sandbox, a test double),
/// narrowed by the account's `allow_hosts`.
pub fn allow_list(adapter: &LoadedAdapter, account: &Account) -> AllowList {
    let mut declared = adapter.metadata().outbound_hosts.clone();
    if let Some(host) = account
        .data
        .credentials
        .iter()
        .find(|(name, _)| name == "base_url")
        .and_then(|(_, url)| http::host_of(url))
    {
        declared.push(host);
    }
    AllowList {
        declared,
        account: account
            .poll
            .as_ref()
            .map(|p| p.allow_hosts.clone())
            .unwrap_or_default(),
    }
}
