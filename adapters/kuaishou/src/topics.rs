//! The push events the adapter understands and the status each implies.
//!
//! Order messages other than `addOrder` and `totalFeeChange` are documented
//! with a `status` field in `info`; when it is absent the event name itself
//! says which status the order reached.

/// What an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// An order event, with the order status its name implies (if any).
    Order {
        implied_status: Option<&'static str>,
    },
    /// An after-sale (refund) event.
    Refund,
}

const TOPICS: [(&str, Topic); 9] = [
    (
        "kwaishop_order_addOrder",
        Topic::Order {
            implied_status: Some("10"),
        },
    ),
    (
        "kwaishop_order_paySuccess",
        Topic::Order {
            implied_status: Some("30"),
        },
    ),
    (
        "kwaishop_order_delivering",
        Topic::Order {
            implied_status: Some("40"),
        },
    ),
    (
        "kwaishop_order_deliverySuccess",
        Topic::Order {
            implied_status: Some("50"),
        },
    ),
    (
        "kwaishop_order_orderSuccess",
        Topic::Order {
            implied_status: Some("70"),
        },
    ),
    (
        "kwaishop_order_orderFail",
        Topic::Order {
            implied_status: Some("80"),
        },
    ),
    (
        "kwaishop_order_totalFeeChange",
        Topic::Order {
            implied_status: None,
        },
    ),
    ("kwaishop_aftersales_addRefund", Topic::Refund),
    ("kwaishop_aftersales_updateRefund", Topic::Refund),
];

/// The topic of an event name.
pub fn find(event: &str) -> Option<Topic> {
    TOPICS.iter().find(|(n, _)| *n == event).map(|(_, t)| *t)
}

/// Every event name, plus the poll's topic, for the metadata.
pub fn all() -> Vec<String> {
    TOPICS
        .iter()
        .map(|(n, _)| (*n).to_string())
        .chain(std::iter::once(crate::poll::TOPIC.to_string()))
        .collect()
}
