//! What an order's parcels say about the order.
//!
//! Carriers and ERPs report parcels, not orders. Once a parcel is linked to
//! its order, the order's fulfilment follows from all of its parcels together:
//!
//! - while some ordered lines are in no parcel, the order is shipped
//!   partially, whatever the parcels' scans say;
//! - once every line is in a parcel, the order is as far along as its
//!   *least* advanced parcel (delivered only when every parcel is);
//! - a parcel that failed delivery, is returning, or is stuck puts the order
//!   on hold with a reason naming the parcel; when no parcel is in trouble any
//!   more, a hold that a parcel set is cleared.
//!
//! A parcel that lists no lines carries the whole order (or its payload does
//! not say, as carrier scans never do). An order whose lines are unknown
//! counts as complete as soon as it has a parcel.

use crate::model::{
    HoldChange, OrderLine, OrderStatus, ShippedLine, StatusMapping, TrackingStatus,
};

/// Holds set by parcels start with this, so only they are cleared by parcels.
pub const PARCEL_HOLD_PREFIX: &str = "shipment ";

/// One parcel of an order, as the store knows it.
#[derive(Debug, Clone, Copy)]
pub struct Parcel<'a> {
    /// The parcel's name in hold reasons (`sf/SF1234`).
    pub name: &'a str,
    pub tracking: Option<TrackingStatus>,
    pub lines: &'a [ShippedLine],
}

/// The mapping an order's parcels imply, or `None` when it has no parcel.
pub fn order_mapping(order_lines: &[OrderLine], parcels: &[Parcel<'_>]) -> Option<StatusMapping> {
    if parcels.is_empty() {
        return None;
    }
    let complete = every_line_shipped(order_lines, parcels);
    let lifecycle = if complete {
        parcels
            .iter()
            .map(|p| lifecycle_of(p.tracking))
            .min()
            .unwrap_or(OrderStatus::Shipped)
    } else {
        OrderStatus::Shipped
    };
    let hold = parcels
        .iter()
        .find_map(|p| {
            trouble(p.tracking).map(|why| format!("{PARCEL_HOLD_PREFIX}{}: {why}", p.name))
        })
        .map_or(HoldChange::Clear, HoldChange::Set);
    Some(StatusMapping {
        lifecycle: Some(lifecycle),
        hold: Some(hold),
        partial: !complete,
        ..StatusMapping::default()
    })
}

/// Whether every ordered unit is in some parcel.
pub fn every_line_shipped(order_lines: &[OrderLine], parcels: &[Parcel<'_>]) -> bool {
    if order_lines.is_empty() || parcels.iter().any(|p| p.lines.is_empty()) {
        return true;
    }
    let mut shipped = vec![0u64; order_lines.len()];
    for line in parcels.iter().flat_map(|p| p.lines) {
        if let Some(i) = order_lines.iter().position(|o| same_line(o, line)) {
            shipped[i] += u64::from(line.quantity);
        }
    }
    order_lines
        .iter()
        .zip(shipped)
        .all(|(ordered, shipped)| shipped >= u64::from(ordered.quantity))
}

/// A parcel line names an order line by the channel's line id or by SKU. An
/// ERP reports its own line ids (ERPNext's `so_detail`), which the channel's
/// never equal, so a differing id does not rule out a matching SKU.
pub fn same_line(ordered: &OrderLine, shipped: &ShippedLine) -> bool {
    let same_id =
        shipped.line_external_id.is_some() && shipped.line_external_id == ordered.external_id;
    let same_sku = shipped.sku.is_some() && shipped.sku == ordered.sku;
    same_id || same_sku
}

/// How far a parcel in this tracking state has taken the order.
fn lifecycle_of(tracking: Option<TrackingStatus>) -> OrderStatus {
    use TrackingStatus as T;
    match tracking {
        None | Some(T::InfoReceived) => OrderStatus::Shipped,
        Some(T::Delivered) => OrderStatus::Delivered,
        // A parcel in trouble was handed over; the hold tells the rest.
        Some(
            T::PickedUp
            | T::InTransit
            | T::OutForDelivery
            | T::AvailableForPickup
            | T::DeliveryFailed
            | T::Returning
            | T::Returned
            | T::Exception
            | T::Expired,
        ) => OrderStatus::InTransit,
    }
}

/// Why a parcel in this state needs someone to look at it.
fn trouble(tracking: Option<TrackingStatus>) -> Option<&'static str> {
    use TrackingStatus as T;
    match tracking? {
        T::DeliveryFailed => Some("delivery failed"),
        T::Returning => Some("parcel returning to sender"),
        T::Returned => Some("parcel returned to sender"),
        T::Exception => Some("carrier exception"),
        T::Expired => Some("tracking expired without delivery"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ordered(id: &str, sku: &str, quantity: u32) -> OrderLine {
        OrderLine {
            external_id: Some(id.into()),
            sku: Some(sku.into()),
            quantity,
            ..Default::default()
        }
    }

    fn by_sku(sku: &str, quantity: u32) -> ShippedLine {
        ShippedLine {
            line_external_id: None,
            sku: Some(sku.into()),
            quantity,
        }
    }

    #[test]
    fn some_lines_unshipped_keep_the_order_shipped_partially() {
        let order = [ordered("1", "TEA", 2), ordered("2", "CUP", 1)];
        let first = [by_sku("TEA", 2)];
        let parcels = [Parcel {
            name: "sf/1",
            tracking: Some(TrackingStatus::Delivered),
            lines: &first,
        }];
        let m = order_mapping(&order, &parcels).unwrap();
        assert_eq!(m.lifecycle, Some(OrderStatus::Shipped));
        assert!(m.partial);
        assert_eq!(m.hold, Some(HoldChange::Clear));

        let second = [ShippedLine {
            line_external_id: Some("2".into()),
            sku: None,
            quantity: 1,
        }];
        let parcels = [
            parcels[0],
            Parcel {
                name: "zto/2",
                tracking: Some(TrackingStatus::InTransit),
                lines: &second,
            },
        ];
        let m = order_mapping(&order, &parcels).unwrap();
        assert_eq!(m.lifecycle, Some(OrderStatus::InTransit));
        assert!(!m.partial);
    }

    #[test]
    fn the_order_is_delivered_when_every_parcel_is() {
        let parcels = [
            Parcel {
                name: "sf/1",
                tracking: Some(TrackingStatus::Delivered),
                lines: &[],
            },
            Parcel {
                name: "sf/2",
                tracking: Some(TrackingStatus::Delivered),
                lines: &[],
            },
        ];
        let m = order_mapping(&[], &parcels).unwrap();
        assert_eq!(m.lifecycle, Some(OrderStatus::Delivered));
        assert!(!m.partial);
    }

    #[test]
    fn a_parcel_in_trouble_holds_the_order_naming_it() {
        let parcels = [
            Parcel {
                name: "sf/1",
                tracking: Some(TrackingStatus::Delivered),
                lines: &[],
            },
            Parcel {
                name: "yunda/9",
                tracking: Some(TrackingStatus::DeliveryFailed),
                lines: &[],
            },
        ];
        let m = order_mapping(&[], &parcels).unwrap();
        assert_eq!(
            m.hold,
            Some(HoldChange::Set("shipment yunda/9: delivery failed".into()))
        );
        assert_eq!(m.lifecycle, Some(OrderStatus::InTransit));
    }

    #[test]
    fn an_erp_line_id_does_not_hide_a_matching_sku() {
        let order = [ordered("1", "TEA", 1)];
        let lines = [ShippedLine {
            line_external_id: Some("erp-row-7".into()),
            sku: Some("TEA".into()),
            quantity: 1,
        }];
        let parcels = [Parcel {
            name: "sf/1",
            tracking: None,
            lines: &lines,
        }];
        assert!(every_line_shipped(&order, &parcels));
    }

    #[test]
    fn short_quantities_are_not_complete_and_unknown_lines_are_ignored() {
        let order = [ordered("1", "TEA", 3)];
        let lines = [by_sku("TEA", 2), by_sku("GIFT", 1)];
        let parcels = [Parcel {
            name: "sf/1",
            tracking: None,
            lines: &lines,
        }];
        assert!(!every_line_shipped(&order, &parcels));
        assert_eq!(order_mapping(&order, &[]), None);
    }
}
