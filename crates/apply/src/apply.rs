//! How canonical events change stored state, written once for every backend.
//!
//! A backend implements [`Tx`] — a handful of reads and writes inside one open
//! transaction — and [`apply_events`] does the rest: it records every event in
//! its timeline exactly once (by idempotency key) and moves orders and
//! shipments under the state machine of `orderhub_core::lifecycle`.
//!
//! Shipments are where systems meet. A parcel is stored once under its
//! canonical carrier id and tracking number (`orderhub_core::carriers`), and
//! linked to the order it belongs to:
//!
//! - by the order reference its report carries — the reporting account's own
//!   order first (a channel's fulfilment), else the one order anywhere with
//!   that external id (an ERP or WMS reporting the channel's order number);
//! - by the tracking number, when a carrier scan names no order but an earlier
//!   report of the same parcel did;
//! - later, when a parcel names an order the store has not seen yet: it waits
//!   unlinked and is linked the moment that order arrives.
//!
//! Once linked, the order's fulfilment follows from all its parcels together
//! (`orderhub_core::fulfilment`): shipped partially until every line ships,
//! then as far along as its least advanced parcel, on hold while a parcel is
//! in trouble.

use chrono::{DateTime, Utc};
use orderhub_core::carriers::carrier_key;
use orderhub_core::fulfilment::{self, PARCEL_HOLD_PREFIX, Parcel};
use orderhub_core::keys::customer_key;
use orderhub_core::lifecycle::{self, OrderState};
use orderhub_core::model::{
    Event, EventBody, HoldChange, InventoryLevel, Order, OrderStatus, Shipment, StatusMapping,
};

use crate::records::{
    Committed, ConfirmationRequest, MappedEvent, OrderRecord, Outcome, ShipmentRecord,
};

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
    /// The backend's own error; the rules only pass it on.
    type Error;
    /// Inserts a timeline row; `false` when its key is already recorded.
    fn insert_event(&mut self, row: &EventRow<'_>) -> Result<bool, Self::Error>;
    /// Records whether a recorded event changed anything, and why not.
    fn mark_event(
        &mut self,
        key: &str,
        applied: bool,
        note: Option<&str>,
    ) -> Result<(), Self::Error>;
    fn load_order(
        &mut self,
        adapter: &str,
        account: &str,
        external_id: &str,
    ) -> Result<Option<OrderRecord>, Self::Error>;
    fn save_order(&mut self, order: &OrderRecord) -> Result<(), Self::Error>;
    fn load_shipment(
        &mut self,
        carrier: &str,
        tracking_number: &str,
    ) -> Result<Option<ShipmentRecord>, Self::Error>;
    fn save_shipment(&mut self, shipment: &ShipmentRecord) -> Result<(), Self::Error>;
    /// Every shipment stored under this tracking number, whatever its carrier.
    fn shipments_by_tracking(
        &mut self,
        tracking_number: &str,
    ) -> Result<Vec<ShipmentRecord>, Self::Error>;
    fn delete_shipment(&mut self, carrier: &str, tracking_number: &str) -> Result<(), Self::Error>;
    /// Re-files the timeline rows of one shipment subject under another.
    fn move_timeline(&mut self, from_subject: &str, to_subject: &str) -> Result<(), Self::Error>;
    /// Orders with this external id in any account, at most `limit` of them.
    fn orders_by_external_id(
        &mut self,
        external_id: &str,
        limit: usize,
    ) -> Result<Vec<OrderRecord>, Self::Error>;
    /// Shipments naming this order reference that are linked to no order yet.
    fn unlinked_shipments(
        &mut self,
        order_external_id: &str,
    ) -> Result<Vec<ShipmentRecord>, Self::Error>;
    /// Shipments linked to one order.
    fn linked_shipments(
        &mut self,
        adapter: &str,
        account: &str,
        external_id: &str,
    ) -> Result<Vec<ShipmentRecord>, Self::Error>;
    /// Serialises linking around one order reference between concurrent
    /// writers (a no-op where one writer does everything).
    fn lock_order_ref(&mut self, external_id: &str) -> Result<(), Self::Error>;
    /// Queues telling a channel about a parcel, once per (order, parcel): a
    /// request already queued is left as it is. A host that sends no
    /// confirmations (one without outbound network access) keeps this default.
    fn enqueue_confirmation(&mut self, request: &ConfirmationRequest) -> Result<(), Self::Error> {
        let _ = request;
        Ok(())
    }
    fn save_inventory(
        &mut self,
        adapter: &str,
        account: &str,
        level: &InventoryLevel,
        at: DateTime<Utc>,
    ) -> Result<(), Self::Error>;
}

/// Counts of what applying did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub recorded: usize,
    pub changed: usize,
}

/// Applies a delivery's events inside the caller's transaction.
pub fn apply_events<T: Tx + ?Sized>(
    tx: &mut T,
    inbox_id: i64,
    adapter: &str,
    account: &str,
    now: DateTime<Utc>,
    events: &[MappedEvent],
) -> Result<Applied, T::Error> {
    let mut counts = Applied::default();
    for mapped in events {
        let (subject_kind, subject) = match &mapped.event.body {
            EventBody::Shipment(shipment) => {
                let (carrier, tracking_number) = shipment_identity(tx, shipment)?;
                (
                    SubjectKind::Shipment,
                    shipment_subject(&carrier, &tracking_number),
                )
            }
            body => subject_of(body),
        };
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
pub fn apply_outcome<T: Tx + ?Sized>(
    tx: &mut T,
    inbox_id: i64,
    adapter: &str,
    account: &str,
    outcome: &Outcome,
) -> Result<Committed, T::Error> {
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

/// The timeline an event belongs to. A shipment's carrier is taken as
/// reported; [`apply_events`] resolves it against the store first.
pub fn subject_of(body: &EventBody) -> (SubjectKind, String) {
    match body {
        EventBody::Order(o) => (SubjectKind::Order, o.external_id.clone()),
        EventBody::AfterSale(a) => (SubjectKind::Order, a.order_external_id.clone()),
        EventBody::Shipment(s) => (
            SubjectKind::Shipment,
            shipment_subject(&carrier_key(&s.carrier), s.tracking_number.trim()),
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

/// The (carrier id, tracking number) a reported parcel is stored under. A
/// report that names no carrier joins the one shipment known under its
/// tracking number, if there is exactly one.
fn shipment_identity<T: Tx + ?Sized>(
    tx: &mut T,
    shipment: &Shipment,
) -> Result<(String, String), T::Error> {
    let tracking_number = shipment.tracking_number.trim().to_string();
    let carrier = carrier_key(&shipment.carrier);
    if !carrier.is_empty() {
        return Ok((carrier, tracking_number));
    }
    let known = tx.shipments_by_tracking(&tracking_number)?;
    let carrier = match known.as_slice() {
        [only] => only.carrier.clone(),
        _ => String::new(),
    };
    Ok((carrier, tracking_number))
}

fn apply_one<T: Tx + ?Sized>(
    tx: &mut T,
    adapter: &str,
    account: &str,
    now: DateTime<Utc>,
    mapped: &MappedEvent,
) -> Result<(bool, Option<String>), T::Error> {
    let event = &mapped.event;
    let mapping = mapped.mapping.clone().unwrap_or_default();
    match &event.body {
        EventBody::Order(order) => {
            let at = event.occurred_at.or(order.updated_at);
            let (changed, note) = apply_to_order(
                tx,
                adapter,
                account,
                &order.external_id,
                now,
                &mapping,
                at,
                Some(order),
            )?;
            let parcels_changed =
                link_waiting_parcels(tx, adapter, account, &order.external_id, now)?;
            Ok((changed || parcels_changed, note))
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
        EventBody::Shipment(shipment) => apply_shipment_event(
            tx,
            adapter,
            account,
            now,
            shipment,
            &mapping,
            event.occurred_at,
        ),
        EventBody::Inventory(level) => {
            tx.save_inventory(adapter, account, level, event.occurred_at.unwrap_or(now))?;
            Ok((true, None))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn apply_to_order<T: Tx + ?Sized>(
    tx: &mut T,
    adapter: &str,
    account: &str,
    external_id: &str,
    now: DateTime<Utc>,
    mapping: &StatusMapping,
    event_at: Option<DateTime<Utc>>,
    snapshot: Option<&Order>,
) -> Result<(bool, Option<String>), T::Error> {
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

/// A shipment report: the parcel itself, its link to an order, and what
/// the order's parcels now say about the order.
fn apply_shipment_event<T: Tx + ?Sized>(
    tx: &mut T,
    adapter: &str,
    account: &str,
    now: DateTime<Utc>,
    shipment: &Shipment,
    mapping: &StatusMapping,
    event_at: Option<DateTime<Utc>>,
) -> Result<(bool, Option<String>), T::Error> {
    let (mut record, mut changed, note) =
        apply_to_shipment(tx, adapter, account, now, shipment, mapping)?;
    if record.order_adapter.is_none()
        && let Some(reference) = record.order_external_id.clone()
    {
        tx.lock_order_ref(&reference)?;
        if let Some(order) = order_for_reference(tx, adapter, account, &reference)? {
            record.order_adapter = Some(order.adapter);
            record.order_account = Some(order.account);
            record.order_external_id = Some(order.external_id);
            record.updated_at = now;
            tx.save_shipment(&record)?;
            changed = true;
        }
    }
    let (Some(order_adapter), Some(order_account), Some(order_id)) = (
        record.order_adapter.clone(),
        record.order_account.clone(),
        record.order_external_id.clone(),
    ) else {
        return Ok((changed, note));
    };
    request_confirmation(tx, &record, now)?;
    // What the report says of the order beyond the parcel (a channel's
    // fulfilment being prepared, or cancelled) applies as given; how far the
    // order has shipped is for its parcels together to say.
    if mapping.tracking.is_none() {
        let before_shipping = StatusMapping {
            lifecycle: mapping
                .lifecycle
                .filter(|s| *s < OrderStatus::Shipped || s.is_terminal()),
            tracking: None,
            partial: false,
            ..mapping.clone()
        };
        if before_shipping.lifecycle.is_some() || before_shipping.hold.is_some() {
            let (order_changed, _) = apply_to_order(
                tx,
                &order_adapter,
                &order_account,
                &order_id,
                now,
                &before_shipping,
                event_at,
                None,
            )?;
            changed |= order_changed;
        }
    }
    changed |= derive_order_from_parcels(tx, &order_adapter, &order_account, &order_id, now)?;
    Ok((changed, note))
}

/// The order a parcel's order reference means: the reporting account's own
/// order, else the only order anywhere with that id.
fn order_for_reference<T: Tx + ?Sized>(
    tx: &mut T,
    adapter: &str,
    account: &str,
    reference: &str,
) -> Result<Option<OrderRecord>, T::Error> {
    if let Some(own) = tx.load_order(adapter, account, reference)? {
        return Ok(Some(own));
    }
    let mut found = tx.orders_by_external_id(reference, 2)?;
    Ok(if found.len() == 1 { found.pop() } else { None })
}

/// Links the parcels waiting for an order that has just been stored, and
/// lets them move it.
fn link_waiting_parcels<T: Tx + ?Sized>(
    tx: &mut T,
    adapter: &str,
    account: &str,
    external_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, T::Error> {
    tx.lock_order_ref(external_id)?;
    let waiting = tx.unlinked_shipments(external_id)?;
    // Another order with the same id elsewhere makes the reference
    // ambiguous; such parcels keep waiting for someone to decide.
    let ambiguous = !waiting.is_empty() && tx.orders_by_external_id(external_id, 2)?.len() > 1;
    for waiting in waiting.into_iter().filter(|_| !ambiguous) {
        // Read again under the shipment's lock: a scan may be updating it.
        let Some(mut parcel) = tx.load_shipment(&waiting.carrier, &waiting.tracking_number)? else {
            continue;
        };
        if parcel.order_adapter.is_some() {
            continue;
        }
        parcel.order_adapter = Some(adapter.to_string());
        parcel.order_account = Some(account.to_string());
        parcel.updated_at = now;
        tx.save_shipment(&parcel)?;
        request_confirmation(tx, &parcel, now)?;
    }
    derive_order_from_parcels(tx, adapter, account, external_id, now)
}

/// Queues telling the order's channel about a linked parcel that another
/// system reported (a parcel the channel reported itself is known there).
/// Waits until the parcel's carrier is known; asking again is harmless.
fn request_confirmation<T: Tx + ?Sized>(
    tx: &mut T,
    parcel: &ShipmentRecord,
    now: DateTime<Utc>,
) -> Result<(), T::Error> {
    let (Some(order_adapter), Some(order_account), Some(order_id)) = (
        &parcel.order_adapter,
        &parcel.order_account,
        &parcel.order_external_id,
    ) else {
        return Ok(());
    };
    let reported_by_channel = parcel.adapter == *order_adapter && parcel.account == *order_account;
    if reported_by_channel || parcel.carrier.is_empty() || parcel.tracking_number.is_empty() {
        return Ok(());
    }
    let order_lines = tx
        .load_order(order_adapter, order_account, order_id)?
        .and_then(|o| o.snapshot)
        .map(|s| s.lines)
        .unwrap_or_default();
    let mut line_ids: Vec<String> = Vec::new();
    for shipped in &parcel.snapshot.lines {
        if let Some(id) = order_lines
            .iter()
            .find(|o| fulfilment::same_line(o, shipped))
            .and_then(|o| o.external_id.clone())
            && !line_ids.contains(&id)
        {
            line_ids.push(id);
        }
    }
    tx.enqueue_confirmation(&ConfirmationRequest {
        order_adapter: order_adapter.clone(),
        order_account: order_account.clone(),
        order_external_id: order_id.clone(),
        carrier: parcel.carrier.clone(),
        tracking_number: parcel.tracking_number.clone(),
        line_ids,
        requested_at: now,
    })
}

/// Applies what all of an order's parcels say about it.
fn derive_order_from_parcels<T: Tx + ?Sized>(
    tx: &mut T,
    adapter: &str,
    account: &str,
    external_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, T::Error> {
    let linked = tx.linked_shipments(adapter, account, external_id)?;
    if linked.is_empty() {
        return Ok(false);
    }
    let Some(order) = tx.load_order(adapter, account, external_id)? else {
        return Ok(false);
    };
    let names: Vec<String> = linked
        .iter()
        .map(|s| shipment_subject(&s.carrier, &s.tracking_number))
        .collect();
    let parcels: Vec<Parcel<'_>> = linked
        .iter()
        .zip(&names)
        .map(|(s, name)| Parcel {
            name,
            tracking: s.tracking,
            lines: &s.snapshot.lines,
        })
        .collect();
    let order_lines = order.snapshot.as_ref().map_or(&[][..], |o| &o.lines[..]);
    let Some(mut mapping) = fulfilment::order_mapping(order_lines, &parcels) else {
        return Ok(false);
    };
    // Parcels clear only the holds parcels set; a channel's own hold stays.
    if mapping.hold == Some(HoldChange::Clear)
        && !order
            .state
            .hold
            .as_deref()
            .is_some_and(|h| h.starts_with(PARCEL_HOLD_PREFIX))
    {
        mapping.hold = None;
    }
    // A parcel's hold follows its scans, not the order's other events, so the
    // time check of the hold dimension does not apply to it.
    let (changed, _) =
        apply_to_order(tx, adapter, account, external_id, now, &mapping, None, None)?;
    Ok(changed)
}

/// Records a report of a parcel: tracking state (never backwards), scans,
/// lines and the order reference. Returns the record as saved.
fn apply_to_shipment<T: Tx + ?Sized>(
    tx: &mut T,
    adapter: &str,
    account: &str,
    now: DateTime<Utc>,
    shipment: &Shipment,
    mapping: &StatusMapping,
) -> Result<(ShipmentRecord, bool, Option<String>), T::Error> {
    let (carrier, tracking_number) = shipment_identity(tx, shipment)?;
    let mut changed = false;
    let existing = match tx.load_shipment(&carrier, &tracking_number)? {
        Some(found) => Some(found),
        // A parcel first reported without its carrier is taken over by the
        // first report that names it.
        None if !carrier.is_empty() => match tx.load_shipment("", &tracking_number)? {
            Some(mut nameless) => {
                tx.delete_shipment("", &tracking_number)?;
                tx.move_timeline(
                    &shipment_subject("", &tracking_number),
                    &shipment_subject(&carrier, &tracking_number),
                )?;
                nameless.carrier = carrier.clone();
                nameless.snapshot.carrier = shipment.carrier.clone();
                changed = true;
                Some(nameless)
            }
            None => None,
        },
        None => None,
    };
    changed |= existing.is_none();
    let mut record = existing.unwrap_or_else(|| ShipmentRecord {
        carrier: carrier.clone(),
        tracking_number: tracking_number.clone(),
        adapter: adapter.to_string(),
        account: account.to_string(),
        order_external_id: None,
        order_adapter: None,
        order_account: None,
        tracking: None,
        snapshot: Shipment {
            checkpoints: vec![],
            lines: vec![],
            warehouse: None,
            ..shipment.clone()
        },
        updated_at: now,
    });
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
    if record.snapshot.carrier.is_empty() && !shipment.carrier.is_empty() {
        record.snapshot.carrier = shipment.carrier.clone();
        changed = true;
    }
    if record.snapshot.warehouse.is_none() && shipment.warehouse.is_some() {
        record.snapshot.warehouse = shipment.warehouse.clone();
        changed = true;
    }
    // The lines in a parcel are fixed once packed; the first report that
    // lists them is kept (carrier scans never list them).
    if record.snapshot.lines.is_empty() && !shipment.lines.is_empty() {
        record.snapshot.lines = shipment.lines.clone();
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
    Ok((record, changed, note))
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
