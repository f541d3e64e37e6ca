//! The push message types the adapter understands, and the refund state a
//! refund message type implies.
//!
//! Youzan has two generations of message types: the legacy upper-case ones
//! (`TRADE_ORDER_STATE`, `TRADE_ORDER_REFUND`) and the `trade_*` ones of the
//! current push (one type per transition). A refund message of the current
//! push may not carry `refund_state`, so the state its type stands for is
//! used instead; the table below is this adapter's reading of the type names.

/// Message types that carry a trade (`full_order_info`, or `tid` + `status`).
pub const TRADE_TYPES: [&str; 6] = [
    "TRADE_ORDER_STATE",
    "trade_TradeCreate",
    "trade_TradeBuyerPay",
    "trade_TradePartlySellerShip",
    "trade_TradeSuccess",
    "trade_TradeClose",
];

/// The type of a partial shipment, which refines the trade status.
pub const PARTLY_SHIPPED: &str = "trade_TradePartlySellerShip";

/// Refund message types and the `refund_state` each implies (`None`: the
/// message must carry its own `refund_state`).
pub const REFUND_TYPES: [(&str, Option<&str>); 13] = [
    ("TRADE_ORDER_REFUND", None),
    ("trade_refund_BuyerCreated", Some("SAFE_NEW")),
    ("trade_refund_RefundSellerCreated", Some("SAFE_ACCEPT")),
    ("trade_refund_RefundSellerAgree", Some("SAFE_ACCEPT")),
    (
        "trade_refund_RefundSellerAgreeReturnGoods",
        Some("SAFE_ACCEPT"),
    ),
    ("trade_refund_RefundSellerRefuse", Some("SAFE_REJECT")),
    (
        "trade_refund_RefundSellerRefuseBuyerReturnGoods",
        Some("SAFE_NO_RECEIVE"),
    ),
    ("trade_refund_RefundBuyerReturnGoods", Some("SAFE_SEND")),
    ("trade_refund_RefundAgain", Some("SAFE_HANDLED")),
    ("trade_refund_RefundSuccess", Some("SAFE_FINISHED")),
    ("trade_refund_RefundClosed", Some("SAFE_CLOSE")),
    ("trade_refund_SysRefund", Some("SAFE_FINISHED")),
    ("trade_refund_YouzanInterApplied", Some("SAFE_INVOLVED")),
];

/// What a message type is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Trade,
    /// A refund, with the state its type implies.
    Refund(Option<&'static str>),
}

/// The kind of a message type, `None` for types the adapter does not handle.
pub fn kind(message_type: &str) -> Option<Kind> {
    if TRADE_TYPES.contains(&message_type) {
        return Some(Kind::Trade);
    }
    REFUND_TYPES
        .iter()
        .find(|(name, _)| *name == message_type)
        .map(|(_, implied)| Kind::Refund(*implied))
}

/// Every message type, for the metadata.
pub fn all() -> Vec<String> {
    TRADE_TYPES
        .iter()
        .copied()
        .chain(REFUND_TYPES.iter().map(|(name, _)| *name))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(kind("trade_TradeBuyerPay"), Some(Kind::Trade));
        assert_eq!(
            kind("trade_refund_RefundSuccess"),
            Some(Kind::Refund(Some("SAFE_FINISHED")))
        );
        assert_eq!(kind("TRADE_ORDER_REFUND"), Some(Kind::Refund(None)));
        assert_eq!(kind("ITEM_STATE"), None);
        assert_eq!(all().len(), 19);
    }
}
