//! The push message tags understood, and what each one says.
//!
//! Douyin identifies a message by a numeric `tag` (tags from the official
//! message docs as mirrored by the Go SDK's `message/*.go`). Trade tags carry
//! an order; refund tags (2xx) an after-sale case. Some tags fix the order
//! status themselves: a cancel message may still say `order_status: 1` (the
//! status before cancelling), so the tag wins there.

/// What a tag is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Trade,
    Refund,
}

/// One understood tag.
pub struct Tag {
    pub tag: &'static str,
    pub kind: Kind,
    /// The status the tag itself implies (order status for trade tags,
    /// after-sale status for refund tags), when it implies one.
    pub implied: Option<&'static str>,
}

const fn tag(tag: &'static str, kind: Kind, implied: Option<&'static str>) -> Tag {
    Tag { tag, kind, implied }
}

/// Every understood tag.
pub const TAGS: [Tag; 22] = [
    // TradeCreate
    tag("100", Kind::Trade, None),
    // TradePaid
    tag("101", Kind::Trade, None),
    // TradeSellerShip
    tag("102", Kind::Trade, Some("3")),
    // TradeSuccess
    tag("103", Kind::Trade, Some("5")),
    // TradeLogisticsChanged
    tag("104", Kind::Trade, None),
    // TradeAddressChanged
    tag("105", Kind::Trade, None),
    // TradeCanceled
    tag("106", Kind::Trade, Some("4")),
    // TradePartlySellerShip
    tag("108", Kind::Trade, Some("101")),
    // TradeAmountChanged
    tag("109", Kind::Trade, None),
    // TradePending
    tag("110", Kind::Trade, None),
    // TradeAddressChangeApplied
    tag("111", Kind::Trade, None),
    // TradeMemoModify
    tag("113", Kind::Trade, None),
    // TradeShipTimeChanged
    tag("126", Kind::Trade, None),
    // RefundCreated
    tag("200", Kind::Refund, Some("6")),
    // RefundAgreed
    tag("201", Kind::Refund, None),
    // RefundReturnApplyAgreed
    tag("202", Kind::Refund, None),
    // RefundBuyerReturnGoods
    tag("203", Kind::Refund, None),
    // RefundRefused
    tag("204", Kind::Refund, None),
    // RefundReturnApplyRefused
    tag("205", Kind::Refund, None),
    // RefundSuccess
    tag("206", Kind::Refund, Some("12")),
    // RefundClosed
    tag("207", Kind::Refund, None),
    // RefundModified
    tag("208", Kind::Refund, None),
];

/// The tag entry of a message, if understood.
pub fn find(tag: &str) -> Option<&'static Tag> {
    TAGS.iter().find(|t| t.tag == tag)
}

/// Topics for the metadata: the message tags and the relayed API methods.
pub fn all() -> Vec<String> {
    TAGS.iter()
        .map(|t| t.tag.to_string())
        .chain([
            "order/orderDetail".to_string(),
            "order/searchList".to_string(),
        ])
        .collect()
}
