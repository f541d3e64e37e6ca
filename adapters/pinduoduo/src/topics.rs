//! The message types the adapter understands, and the status a message type
//! implies.
//!
//! Message-service contents are notifications: an order number (`tid`), the
//! shop (`mall_id`) and, for after-sale messages, the case id and amount —
//! never the order's status fields. Where the message type itself says what
//! happened unambiguously, the event carries the status value the order
//! reaches; elsewhere (an address or memo change, a risk-review change whose
//! direction the content does not give) it carries none and the next poll or
//! full-order relay brings the exact one.

use crate::bindings::orderhub::adapter::types::StatusDomain;

/// Trade message types: each message becomes an `order` event.
pub const TRADE_TOPICS: [&str; 7] = [
    "pdd_trade_TradeConfirmed",
    "pdd_trade_TradeSellerShip",
    "pdd_trade_TradeSuccess",
    "pdd_trade_TradeLogisticsAddressChanged",
    "pdd_trade_TradeRiskChanged",
    "pdd_trade_TradeMemoModified",
    "pdd_trade_BuyerMemoModified",
];

/// After-sale message types: each message becomes an `after_sale` event.
pub const REFUND_TOPICS: [&str; 7] = [
    "pdd_refund_RefundCreated",
    "pdd_refund_RefundBuyerModifyAgreement",
    "pdd_refund_RefundAgreeAgreement",
    "pdd_refund_RefundBuyerReturnGoods",
    "pdd_refund_RefundClosed",
    "pdd_refund_RefundSuccess",
    "pdd_refund_RefundCreateMessage",
];

/// The topic of a relayed `pdd.order.information.get` response.
pub const FULL_ORDER_TOPIC: &str = "pdd.order.information.get";

/// The topic of events read from the incremental poll.
pub const POLL_TOPIC: &str = "pdd.order.number.list.increment.get";

/// What a message type is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Trade,
    Refund,
}

/// The kind of a message type, if the adapter understands it.
pub fn kind(topic: &str) -> Option<Kind> {
    if TRADE_TOPICS.contains(&topic) {
        Some(Kind::Trade)
    } else if REFUND_TOPICS.contains(&topic) {
        Some(Kind::Refund)
    } else {
        None
    }
}

/// Every topic, for the metadata.
pub fn all() -> Vec<String> {
    TRADE_TOPICS
        .iter()
        .chain(REFUND_TOPICS.iter())
        .chain([FULL_ORDER_TOPIC, POLL_TOPIC].iter())
        .map(|t| (*t).to_string())
        .collect()
}

/// The status a trade message implies.
pub fn implied_trade_status(topic: &str) -> Option<(StatusDomain, &'static str)> {
    Some(match topic {
        // 交易确认: paid and the group formed — the deal is made.
        "pdd_trade_TradeConfirmed" => (StatusDomain::Payment, "1"),
        "pdd_trade_TradeSellerShip" => (StatusDomain::Order, "2"),
        // 交易成功: the buyer confirmed receipt; the furthest shipping status.
        "pdd_trade_TradeSuccess" => (StatusDomain::Order, "3"),
        _ => return None,
    })
}

/// The `refund_status` value an after-sale message implies.
pub fn implied_refund_status(topic: &str) -> Option<&'static str> {
    Some(match topic {
        "pdd_refund_RefundCreated" | "pdd_refund_RefundBuyerModifyAgreement" => "2",
        // Agreed, or goods on their way back: the refund is under way.
        "pdd_refund_RefundAgreeAgreement" | "pdd_refund_RefundBuyerReturnGoods" => "3",
        "pdd_refund_RefundClosed" => "1",
        "pdd_refund_RefundSuccess" => "4",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::PlatformStatus;

    #[test]
    fn kinds() {
        assert_eq!(kind("pdd_trade_TradeConfirmed"), Some(Kind::Trade));
        assert_eq!(kind("pdd_refund_RefundClosed"), Some(Kind::Refund));
        assert_eq!(kind("pdd_goods_GoodsAdd"), None);
        assert_eq!(all().len(), 16);
    }

    #[test]
    fn implied_statuses_are_known_statuses() {
        for topic in TRADE_TOPICS {
            if let Some((domain, value)) = implied_trade_status(topic) {
                let s = PlatformStatus {
                    domain,
                    value: value.into(),
                    context: vec![],
                };
                assert!(crate::status::map(&s).is_ok(), "{topic}");
            }
        }
        for topic in REFUND_TOPICS {
            if let Some(value) = implied_refund_status(topic) {
                let s = PlatformStatus {
                    domain: StatusDomain::Refund,
                    value: value.into(),
                    context: vec![],
                };
                assert!(crate::status::map(&s).is_ok(), "{topic}");
            }
        }
        assert_eq!(implied_trade_status("pdd_trade_TradeRiskChanged"), None);
        assert_eq!(
            implied_refund_status("pdd_refund_RefundCreateMessage"),
            None
        );
    }
}
