//! Re-deriving stored deliveries of one adapter with its current version
//! (`orderhub events replay --adapter ID [--since TIME]`).
//!
//! After a buggy adapter is replaced, the orders it mangled are rebuilt from
//! the raw requests the inbox kept: every delivery of the adapter (dead
//! letters included) runs through the version installed now, and what comes
//! out is compared event by event with what the delivery recorded before:
//!
//! - the same event with the same meaning: nothing to do;
//! - an event the old version did not produce: recorded and applied;
//! - an event whose content or status meaning changed: recorded as a new
//!   timeline entry (its key is the old key plus a hash of the new content,
//!   so running the same version again is a no-op) and applied under the
//!   state machine. The old entry stays: the timeline shows what each
//!   version said. The state machine still never moves an order backwards,
//!   so a fix can advance, hold or cancel an order but not undo a step.
//!
//! A delivery the current version cannot handle is left as it was (an
//! applied one is not turned into a dead letter); a dead letter's error is
//! updated.

use std::collections::BTreeSet;

use orderhub_core::model::EventBody;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::pipeline::{Pipeline, PipelineError, derive_events};
use crate::store::{InboxState, MappedEvent, OrderStore, Outcome, StoreError, TimelineEntry};

/// How one order moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderChange {
    pub account: String,
    pub external_id: String,
    /// The status before (`None`: the order did not exist).
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What re-deriving one delivery changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryChange {
    pub inbox_id: i64,
    pub account: String,
    pub was_dead: bool,
    pub dead: bool,
    /// Why the current version fails on it, when it does.
    pub error: Option<String>,
    /// Events the delivery had recorded before, and derives now.
    pub events_before: usize,
    pub events_after: usize,
    /// Of those derived now: unchanged, changed (recorded anew), new.
    pub unchanged: usize,
    pub changed: usize,
    pub new: usize,
    /// Timeline entries written, and of them, entries that moved state.
    pub recorded: usize,
    pub applied: usize,
    pub orders: Vec<OrderChange>,
}

impl DeliveryChange {
    /// True when the delivery's stored outcome or any order changed.
    pub fn changed_anything(&self) -> bool {
        self.recorded > 0 || self.was_dead != self.dead || !self.orders.is_empty()
    }
}

/// The orders a set of events concerns, by external id.
fn order_refs<'a>(events: impl Iterator<Item = &'a EventBody>) -> BTreeSet<String> {
    events
        .filter_map(|body| match body {
            EventBody::Order(o) => Some(o.external_id.clone()),
            EventBody::AfterSale(a) => Some(a.order_external_id.clone()),
            EventBody::Shipment(s) => s.order_external_id.clone(),
            EventBody::Inventory(_) => None,
        })
        .collect()
}

/// The status line of an order, as the CLI prints it.
fn order_status(
    store: &dyn OrderStore,
    adapter: &str,
    account: &str,
    external_id: &str,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(store.order(adapter, account, external_id)?.map(|view| {
        let state = &view.order.state;
        let mut text = state.status.as_str().to_string();
        if state.partial {
            text.push_str(" (partial)");
        }
        if let Some(hold) = &state.hold {
            text.push_str(&format!(", on hold: {hold}"));
        }
        if state.after_sale.as_str() != "none" {
            text.push_str(&format!(", after-sale: {}", state.after_sale.as_str()));
        }
        // The snapshot is compared too: a fix may correct data, not status.
        let fingerprint =
            serde_json::to_string(&(&view.order.state, &view.order.snapshot)).unwrap_or_default();
        (text, fingerprint)
    }))
}

/// The key under which a changed event is recorded anew.
fn rederived_key(key: &str, event: &MappedEvent) -> String {
    let content = serde_json::to_vec(&(&event.event, &event.mapping)).unwrap_or_default();
    let hash = hex::encode(&Sha256::digest(&content)[..8]);
    format!("{key}~{hash}")
}

/// Sorts freshly derived events against what the delivery recorded before.
fn rekey(
    before: &[TimelineEntry],
    derived: Vec<MappedEvent>,
    change: &mut DeliveryChange,
) -> Vec<MappedEvent> {
    derived
        .into_iter()
        .map(|mut mapped| {
            let recorded = |key: &str| before.iter().find(|row| row.event_key == key);
            match recorded(&mapped.key) {
                Some(row) if row.event == mapped.event && row.mapping == mapped.mapping => {
                    change.unchanged += 1;
                }
                Some(_) => {
                    mapped.key = rederived_key(&mapped.key, &mapped);
                    // Re-derived by an earlier run with this same content.
                    if recorded(&mapped.key).is_some() {
                        change.unchanged += 1;
                    } else {
                        change.changed += 1;
                    }
                }
                None => change.new += 1,
            }
            mapped
        })
        .collect()
}

/// Re-derives one stored delivery with the adapter installed now. Blocking.
fn rederive_blocking(pipeline: &Pipeline, inbox_id: i64) -> Result<DeliveryChange, PipelineError> {
    let store = pipeline.store.as_ref();
    let entry = store
        .inbox_entry(inbox_id)?
        .ok_or(StoreError::NoSuchInboxEntry(inbox_id))?;
    let (adapter, account) = pipeline.resolve(&entry.adapter, &entry.account)?;
    let before = store.delivery_events(inbox_id)?;
    let mut change = DeliveryChange {
        inbox_id,
        account: entry.account.clone(),
        was_dead: entry.state == InboxState::Dead,
        events_before: before.len(),
        ..DeliveryChange::default()
    };
    let events = match derive_events(&adapter, &account, &entry.key, &entry.request) {
        Outcome::Dead { kind, message } => {
            change.dead = true;
            change.error = Some(format!("{kind}: {message}"));
            if change.was_dead {
                store.recommit(inbox_id, Outcome::Dead { kind, message })?;
            }
            return Ok(change);
        }
        Outcome::Events(events) => events,
    };
    change.events_after = events.len();
    let refs = order_refs(
        before
            .iter()
            .map(|row| &row.event.body)
            .chain(events.iter().map(|e| &e.event.body)),
    );
    let mut states_before = Vec::new();
    for external_id in &refs {
        states_before.push(order_status(
            store,
            &entry.adapter,
            &entry.account,
            external_id,
        )?);
    }
    let events = rekey(&before, events, &mut change);
    let committed = store.recommit(inbox_id, Outcome::Events(events))?;
    change.recorded = committed.events_recorded;
    change.applied = committed.events_applied;
    for (external_id, was) in refs.iter().zip(states_before) {
        let now = order_status(store, &entry.adapter, &entry.account, external_id)?;
        if was.as_ref().map(|w| &w.1) != now.as_ref().map(|n| &n.1) {
            change.orders.push(OrderChange {
                account: entry.account.clone(),
                external_id: external_id.clone(),
                before: was.map(|w| w.0),
                after: now.map(|n| n.0),
            });
        }
    }
    Ok(change)
}

impl Pipeline {
    /// Re-derives one stored delivery with the adapter installed now and
    /// applies the differences (see the module documentation).
    pub async fn rederive(&self, inbox_id: i64) -> Result<DeliveryChange, PipelineError> {
        let pipeline = self.clone();
        self.blocking(move || rederive_blocking(&pipeline, inbox_id))
            .await?
    }
}
