//! How canonical events change stored state, written once for every backend.
//!
//! A backend implements [`Tx`] — a handful of reads and writes inside one open
//! transaction — and [`apply_events`] does the rest: it records every event in
//! its timeline exactly once (by idempotency key) and moves orders and
//! shipments under the state machine of `orderhub_core::lifecycle`.

use chrono::{DateTime, Utc};
use orderhub_core::keys::customer_key;
use orderhub_core::lifecycle::{self, OrderState};
use orderhub_core::model::{Event, EventBody, InventoryLevel, Order, Shipment, StatusMapping};

use super::{Committed, MappedEvent, OrderRecord, Outcome, ShipmentRecord, StoreError};

/// What a timeline row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    Order,
    Shipment,
    Inventory,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Order => "order",
            SubjectKind::Shipment => "shipment",
            SubjectKind::Inventory => "inventory",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Order, Self::Shipment, Self::Inventory]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// A timeline row to insert.
#[derive(Debug, Clone)]
pub struct EventRow<'a> {
    pub key: &'a str,
    pub inbox_id: i64,
    pub adapter: &'a str,
    pub account: &'a str,
    pub subject_kind: SubjectKind,
    pub subject: String,
    /// The order the event concerns, when it concerns one: its timeline
    /// shows the event (a shipment reported with its order id, a refund).
    pub order_ref: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub event: &'a Event,
    pub mapping: Option<&'a StatusMapping>,
}

/// The reads and writes [`apply_events`] needs inside one transaction.
pub trait Tx {
    /// Inserts a timeline row; `false` when its key is already recorded.
    fn insert_event(&mut self, row: &EventRow<'_>) -> Result<bool, StoreError>;
    /// Records whether a recorded event changed anything, and why not.
    fn mark_event(
        &mut self,
        key: &str,
        applied: bool,
        note: Option<&str>,
    ) -> Result<(), StoreError>;
    fn load_order(
        &mut self,
        adapter: &str,
        account: &str,
        external_id: &str,
    ) -> Result<Option<OrderRecord>, StoreError>;
    fn save_order(&mut self, order: &OrderRecord) -> Result<(), StoreError>;
    fn load_shipment(
        &mut self,
        carrier: &str,
        tracking_number: &str,
    ) -> Result<Option<ShipmentRecord>, StoreError>;
    fn save_shipment(&mut self, shipment: &ShipmentRecord) -> Result<(), StoreError>;
    fn save_inventory(
        &mut self,
        adapter: &str,
        account: &str,
        level: &InventoryLevel,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// Counts of what applying did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub recorded: usize,
    pub changed: usize,
}

/// Applies a delivery's events inside the caller's transaction.
pub fn apply_events(
    tx: &mut dyn Tx,
    inbox_id: i64,
    adapter: &str,
    account: &str,
    now: DateTime<Utc>,
    events: &[MappedEvent],
) -> Result<Applied, StoreError> {
    let mut counts = Applied::default();
    for mapped in events {
        let (subject_kind, subject) = subject_of(&mapped.event.body);
        let row = EventRow {
            key: &mapped.key,
            inbox_id,
            adapter,
            account,
            subject_kind,
            subject,
            order_ref: order_ref_of(&mapped.event.body),
            recorded_at: now,
            event: &mapped.event,
            mapping: mapped.mapping.as_ref(),
        };
        if !tx.insert_event(&row)? {
            continue;
        }
        counts.recorded += 1;
        let (changed, note) = apply_one(tx, adapter, account, now, mapped)?;
        if changed {
            counts.changed += 1;
        }
        tx.mark_event(&mapped.key, changed, note.as_deref())?;
    }
    Ok(counts)
}

/// Applies what became of a delivery whose inbox row `inbox_id` is already
/// written in the caller's transaction: its events, or nothing for a dead letter.
pub fn apply_outcome(
    tx: &mut dyn Tx,
    inbox_id: i64,
    adapter: &str,
    account: &str,
    outcome: &Outcome,
) -> Result<Committed, StoreError> {
    match outcome {
        Outcome::Events(events) => {
            let applied = apply_events(tx, inbox_id, adapter, account, Utc::now(), events)?;
            Ok(Committed {
                inbox_id,
                duplicate: false,
                events_recorded: applied.recorded,
                events_applied: applied.changed,
                dead: false,
            })
        }
        Outcome::Dead { .. } => Ok(Committed {
            inbox_id,
            duplicate: false,
            events_recorded: 0,
            events_applied: 0,
            dead: true,
        }),
    }
}

/// The timeline an event belongs to.
pub fn subject_of(body: &EventBody) -> (SubjectKind, String) {
    match body {
        EventBody::Order(o) => (SubjectKind::Order, o.external_id.clone()),
        EventBody::AfterSale(a) => (SubjectKind::Order, a.order_external_id.clone()),
        EventBody::Shipment(s) => (
            SubjectKind::Shipment,
            shipment_subject(&s.carrier, &s.tracking_number),
        ),
        EventBody::Inventory(i) => (
            SubjectKind::Inventory,
            format!("{}@{}", i.sku, i.warehouse.as_deref().unwrap_or("")),
        ),
    }
}

/// The order an event concerns, if any.
pub fn order_ref_of(body: &EventBody) -> Option<String> {
    match body {
        EventBody::Order(o) => Some(o.external_id.clone()),
        EventBody::AfterSale(a) => Some(a.order_external_id.clone()),
        EventBody::Shipment(s) => s.order_external_id.clone(),
        EventBody::Inventory(_) => None,
    }
}

/// The subject of a shipment's timeline.
pub fn shipment_subject(carrier: &str, tracking_number: &str) -> String {
    format!("{carrier}/{tracking_number}")
}

fn apply_one(
    tx: &mut dyn Tx,
    adapter: &str,
    account: &str,
    now: DateTime<Utc>,
    mapped: &MappedEvent,
) -> Result<(bool, Option<String>), StoreError> {
    let event = &mapped.event;
    let mapping = mapped.mapping.clone().unwrap_or_default();
    match &event.body {
        EventBody::Order(order) => {
            let at = event.occurred_at.or(order.updated_at);
            apply_to_order(
                tx,
                adapter,
                account,
                &order.external_id,
                now,
                &mapping,
                at,
                Some(order),
            )
        }
        EventBody::AfterSale(after_sale) => apply_to_order(
            tx,
            adapter,
            account,
            &after_sale.order_external_id,
            now,
            &mapping,
            event.occurred_at,
            None,
        ),
        EventBody::Shipment(shipment) => {
            let (shipment_changed, note) =
                apply_to_shipment(tx, adapter, account, now, shipment, &mapping)?;
            let mut changed = shipment_changed;
            // A shipment reported by the channel the order came from moves
            // that order too (e.g. a Shopify fulfilment).
            if let Some(order_id) = &shipment.order_external_id
                && (mapping.lifecycle.is_some() || mapping.hold.is_some())
            {
                let order_mapping = StatusMapping {
                    tracking: None,
                    ..mapping.clone()
                };
                let (order_changed, _) = apply_to_order(
                    tx,
                    adapter,
                    account,
                    order_id,
                    now,
                    &order_mapping,
                    event.occurred_at,
                    None,
                )?;
                changed |= order_changed;
            }
            Ok((changed, note))
        }
        EventBody::Inventory(level) => {
            tx.save_inventory(adapter, account, level, event.occurred_at.unwrap_or(now))?;
            Ok((true, None))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn apply_to_order(
    tx: &mut dyn Tx,
    adapter: &str,
    account: &str,
    external_id: &str,
    now: DateTime<Utc>,
    mapping: &StatusMapping,
    event_at: Option<DateTime<Utc>>,
    snapshot: Option<&Order>,
) -> Result<(bool, Option<String>), StoreError> {
    let existing = tx.load_order(adapter, account, external_id)?;
    let is_new = existing.is_none();
    let mut record = existing.unwrap_or_else(|| OrderRecord {
        adapter: adapter.to_string(),
        account: account.to_string(),
        external_id: external_id.to_string(),
        state: OrderState::new(),
        customer_key: None,
        snapshot: None,
        created_at: now,
        updated_at: now,
        snapshot_at: None,
    });
    let transition = lifecycle::apply(&record.state, mapping, event_at);
    let mut changed = transition.changed || is_new;
    record.state = transition.state;

    if let Some(new) = snapshot {
        // Snapshots are merged, newest event time winning, so a late webhook
        // never overwrites fresher data, and a sparse notification never
        // erases lines a full payload brought.
        let newer = match (event_at, record.snapshot_at) {
            (Some(at), Some(last)) => at >= last,
            _ => true,
        };
        if newer {
            let merged = merge_order(record.snapshot.take(), new);
            record.customer_key = merged
                .receiver
                .as_ref()
                .and_then(customer_key)
                .or(record.customer_key.take());
            record.snapshot = Some(merged);
            record.snapshot_at = event_at.or(record.snapshot_at);
            changed = true;
        }
    }
    if changed {
        record.updated_at = now;
        tx.save_order(&record)?;
    }
    Ok((changed, transition.lifecycle_refused.map(str::to_string)))
}

fn apply_to_shipment(
    tx: &mut dyn Tx,
    adapter: &str,
    account: &str,
    now: DateTime<Utc>,
    shipment: &Shipment,
    mapping: &StatusMapping,
) -> Result<(bool, Option<String>), StoreError> {
    let existing = tx.load_shipment(&shipment.carrier, &shipment.tracking_number)?;
    let is_new = existing.is_none();
    let mut record = existing.unwrap_or_else(|| ShipmentRecord {
        carrier: shipment.carrier.clone(),
        tracking_number: shipment.tracking_number.clone(),
        adapter: adapter.to_string(),
        account: account.to_string(),
        order_external_id: None,
        tracking: None,
        snapshot: Shipment {
            checkpoints: vec![],
            ..shipment.clone()
        },
        updated_at: now,
    });
    let mut changed = is_new;
    let mut note = None;
    if let Some(tracking) = mapping.tracking {
        if lifecycle::tracking_allows(record.tracking, tracking) {
            changed |= record.tracking != Some(tracking);
            record.tracking = Some(tracking);
        } else {
            note = Some(
                "older tracking state than the current one (late or out-of-order scan)".to_string(),
            );
        }
    }
    if record.order_external_id.is_none() && shipment.order_external_id.is_some() {
        record.order_external_id = shipment.order_external_id.clone();
        changed = true;
    }
    let before = record.snapshot.checkpoints.len();
    for checkpoint in &shipment.checkpoints {
        if !record.snapshot.checkpoints.contains(checkpoint) {
            record.snapshot.checkpoints.push(checkpoint.clone());
        }
    }
    record.snapshot.checkpoints.sort_by_key(|c| c.at);
    changed |= record.snapshot.checkpoints.len() != before;
    if shipment.signed && !record.snapshot.signed {
        record.snapshot.signed = true;
        changed = true;
    }
    if changed {
        record.updated_at = now;
        tx.save_shipment(&record)?;
    }
    Ok((changed, note))
}

/// Fields of `new` replace those of `old` where `new` has them.
fn merge_order(old: Option<Order>, new: &Order) -> Order {
    let Some(old) = old else { return new.clone() };
    Order {
        external_id: new.external_id.clone(),
        display_id: new.display_id.clone().or(old.display_id),
        created_at: new.created_at.or(old.created_at),
        updated_at: new.updated_at.or(old.updated_at),
        currency: if new.currency.is_empty() {
            old.currency
        } else {
            new.currency.clone()
        },
        total_minor: new.total_minor.or(old.total_minor),
        subtotal_minor: new.subtotal_minor.or(old.subtotal_minor),
        shipping_minor: new.shipping_minor.or(old.shipping_minor),
        discount_minor: new.discount_minor.or(old.discount_minor),
        tax_minor: new.tax_minor.or(old.tax_minor),
        buyer: new.buyer.clone().or(old.buyer),
        receiver: new.receiver.clone().or(old.receiver),
        lines: if new.lines.is_empty() {
            old.lines
        } else {
            new.lines.clone()
        },
        presale: new.presale || old.presale,
        note: new.note.clone().or(old.note),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_what_a_sparse_update_lacks() {
        let full = Order {
            external_id: "1".into(),
            currency: "CNY".into(),
            total_minor: Some(100),
            lines: vec![orderhub_core::model::OrderLine {
                quantity: 2,
                ..Default::default()
            }],
            ..Default::default()
        };
        let sparse = Order {
            external_id: "1".into(),
            total_minor: Some(90),
            ..Default::default()
        };
        let merged = merge_order(Some(full), &sparse);
        assert_eq!(merged.total_minor, Some(90));
        assert_eq!(merged.currency, "CNY");
        assert_eq!(merged.lines.len(), 1);
    }
}
