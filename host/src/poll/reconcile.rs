//! Reconciliation: comparing the store with what a platform reports now.
//!
//! A run polls the window from `since` to now: the adapter turns `since` into
//! a cursor of its own (`cursor-at`), and the run walks the pages from there
//! without touching the account's own cursor, committing every page like a
//! poll. An adapter without `cursor-at` is read from its first polling window
//! (the one a new account starts with; each adapter's README gives it), and
//! the report says so. Each order the platform reports is then one of:
//!
//! - **missing**: the store did not have it (now backfilled);
//! - **stale**: the store had it in another state (now corrected, forward
//!   only, under the state machine);
//! - **in agreement**.
//!
//! Orders of the account that the store saw change since `since` but the
//! platform did not report in its window are listed as **only in the
//! store**: outside the window, deleted, or worth a look.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use orderhub_core::keys;
use orderhub_core::lifecycle::OrderState;
use orderhub_core::model::EventBody;
use serde::Serialize;

use super::{PollError, Poller};
use crate::pipeline::{self, EventKeys};
use crate::store::Delivery;

/// A change reconciliation made to a stored order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Corrected {
    pub external_id: String,
    pub before: String,
    pub after: String,
}

/// What one reconciliation found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReconcileReport {
    pub pages: u32,
    /// Reported by the platform, absent from the store: backfilled.
    pub missing: Vec<String>,
    /// Stored in another state: corrected.
    pub stale: Vec<Corrected>,
    /// Reported and stored alike.
    pub in_agreement: usize,
    /// Changed in the store since `since`, not reported by the platform.
    pub only_in_store: Vec<String>,
    /// The window had more pages than `max_pages`.
    pub more_left: bool,
    /// Where the window started: `since`, or why the adapter's first polling
    /// window was read instead.
    pub window: String,
}

/// How an order's state reads in a report.
fn describe(state: &OrderState) -> String {
    let mut text = state.status.as_str().to_string();
    if state.partial {
        text.push_str(" (partial)");
    }
    if let Some(hold) = &state.hold {
        text.push_str(&format!(" [hold: {hold}]"));
    }
    if state.after_sale.as_str() != "none" {
        text.push_str(&format!(" [after-sale: {}]", state.after_sale.as_str()));
    }
    text
}

impl Poller {
    /// Reconciles one account against what the platform reports since `since`.
    pub async fn reconcile(
        &self,
        adapter_id: &str,
        account_id: &str,
        since: DateTime<Utc>,
        max_pages: u32,
    ) -> Result<ReconcileReport, PollError> {
        let pipeline = self.pipeline();
        let (adapter, account) = pipeline.resolve(adapter_id, account_id)?;
        let allowed = super::allow_list(&adapter, &account);
        let mut report = ReconcileReport::default();
        let mut reported = BTreeSet::new();
        let (ad, data) = (adapter.clone(), account.data.clone());
        let start = pipeline
            .blocking(move || ad.cursor_at(since, &data, Utc::now()))
            .await?;
        let mut cursor: Option<String> = match start {
            Ok((cursor, _)) => {
                report.window = format!("since {}", since.to_rfc3339());
                Some(cursor)
            }
            Err(crate::runtime::CallError::Adapter(e)) => {
                report.window = format!(
                    "the adapter's first polling window (cursor-at: {}: {})",
                    e.kind.as_str(),
                    e.message
                );
                None
            }
            Err(error) => {
                return Err(PollError::Adapter {
                    adapter: adapter_id.to_string(),
                    stage: "cursor-at",
                    error,
                });
            }
        };
        loop {
            let fetched = self
                .fetch_page(
                    adapter_id,
                    account_id,
                    &adapter,
                    &account,
                    &allowed,
                    cursor.as_deref(),
                )
                .await?;
            let raw = fetched.raw;
            let page = fetched.page.map_err(|error| PollError::Adapter {
                adapter: adapter_id.to_string(),
                stage: "poll-response",
                error,
            })?;

            // The stored state of every order on the page, before it applies.
            let ids: Vec<String> = page
                .events
                .iter()
                .filter_map(|e| match &e.body {
                    EventBody::Order(o) => Some(o.external_id.clone()),
                    _ => None,
                })
                .collect();
            let before = self.states_of(adapter_id, account_id, &ids).await?;

            let (ad, acc, store) = (adapter.clone(), account.clone(), pipeline.store.clone());
            let key = keys::delivery_key(adapter_id, account_id, None, &raw.body);
            let (a, b) = (adapter_id.to_string(), account_id.to_string());
            let more = page.more;
            let next = page.next_cursor.clone();
            pipeline
                .blocking(move || {
                    let outcome =
                        pipeline::map_events(&ad, &acc, page.events, EventKeys::ByContent);
                    store.commit(Delivery {
                        key,
                        adapter: a,
                        account: b,
                        received_at: Utc::now(),
                        request: raw,
                        outcome,
                    })
                })
                .await??;
            report.pages += 1;

            let after = self.states_of(adapter_id, account_id, &ids).await?;
            for ((id, before), after) in ids.into_iter().zip(before).zip(after) {
                if !reported.insert(id.clone()) {
                    continue;
                }
                match (before, after) {
                    (None, _) => report.missing.push(id),
                    (Some(b), Some(a)) if b != a => report.stale.push(Corrected {
                        external_id: id,
                        before: describe(&b),
                        after: describe(&a),
                    }),
                    _ => report.in_agreement += 1,
                }
            }

            if !more {
                break;
            }
            if report.pages >= max_pages {
                report.more_left = true;
                break;
            }
            cursor = next.or(cursor);
        }

        let store = pipeline.store.clone();
        let (a, b) = (adapter_id.to_string(), account_id.to_string());
        let changed = pipeline
            .blocking(move || store.order_ids_changed_since(&a, &b, since))
            .await??;
        report.only_in_store = changed
            .into_iter()
            .filter(|id| !reported.contains(id))
            .collect();
        Ok(report)
    }
}

impl Poller {
    /// The stored state of each order, `None` where the store has none.
    async fn states_of(
        &self,
        adapter: &str,
        account: &str,
        ids: &[String],
    ) -> Result<Vec<Option<OrderState>>, PollError> {
        let store = self.pipeline().store.clone();
        let (a, b, ids) = (adapter.to_string(), account.to_string(), ids.to_vec());
        Ok(self
            .pipeline()
            .blocking(move || {
                ids.iter()
                    .map(|id| Ok(store.order(&a, &b, id)?.map(|v| v.order.state)))
                    .collect::<Result<Vec<_>, crate::store::StoreError>>()
            })
            .await??)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orderhub_core::model::OrderStatus;

    #[test]
    fn states_read_with_their_flags() {
        let mut state = OrderState::new();
        assert_eq!(describe(&state), "pending_payment");
        state.status = OrderStatus::Shipped;
        state.partial = true;
        state.hold = Some("carrier exception".into());
        assert_eq!(
            describe(&state),
            "shipped (partial) [hold: carrier exception]"
        );
    }
}
