//! The order push events understood, and the order status each implies.
//!
//! Order pushes carry only the order id and one event-specific field, never
//! the order status, so the status is implied by the event (and, for
//! `channels_ec_order_deliver`, by `finish_delivery`). The full order is
//! fetched later by the poll or relayed from `/channels/ec/order/get`.

/// An order event and the `order.status` value it implies, if any.
pub struct Topic {
    pub event: &'static str,
    pub implied: Option<&'static str>,
}

/// Every order event, in lifecycle order.
pub const ORDER_EVENTS: &[Topic] = &[
    Topic {
        event: "channels_ec_order_new",
        implied: Some("10"),
    },
    Topic {
        event: "channels_ec_order_pay",
        implied: Some("20"),
    },
    // Partly or fully shipped: decided by `finish_delivery`.
    Topic {
        event: "channels_ec_order_deliver",
        implied: Some("30"),
    },
    Topic {
        event: "channels_ec_order_confirm",
        implied: Some("100"),
    },
    // Settlement follows completion; it does not move the order.
    Topic {
        event: "channels_ec_order_settle",
        implied: Some("100"),
    },
    // The cancel event does not say whether items were refunded first
    // (status 200); it is recorded as a plain cancellation.
    Topic {
        event: "channels_ec_order_cancel",
        implied: Some("250"),
    },
    Topic {
        event: "channels_ec_order_ext_info_update",
        implied: None,
    },
];

/// The topic used for relayed `/channels/ec/order/get` responses and polled orders.
pub const ORDER_GET: &str = "channels/ec/order/get";

/// The known order event named `event`.
pub fn find(event: &str) -> Option<&'static Topic> {
    ORDER_EVENTS.iter().find(|t| t.event == event)
}

/// Every topic the adapter understands.
pub fn all() -> Vec<String> {
    ORDER_EVENTS
        .iter()
        .map(|t| t.event.to_string())
        .chain([ORDER_GET.to_string()])
        .collect()
}
