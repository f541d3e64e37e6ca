//! The topics the adapter understands, and the status a topic implies when
//! its message carries none.
//!
//! Many TMC messages carry the trade `status`; some do not (a buyer's
//! payment, a shipment, a refund step). For those, the topic itself says
//! what happened, but only where it says so unambiguously: a closed trade may
//! be `TRADE_CLOSED` or `TRADE_CLOSED_BY_TAOBAO`, and guessing a terminal
//! state wrongly could never be undone, so such topics carry no status and
//! the next message or poll brings the exact one.

use crate::bindings::orderhub::adapter::types::StatusDomain;

/// Trade topics: each message becomes an `order` event.
pub const TRADE_TOPICS: [&str; 14] = [
    "taobao_trade_TradeCreate",
    "taobao_trade_TradeBuyerPay",
    "taobao_trade_TradeSellerShip",
    "taobao_trade_TradePartlySellerShip",
    "taobao_trade_TradeSuccess",
    "taobao_trade_TradeClose",
    "taobao_trade_TradeCloseAndModifyDetailOrder",
    "taobao_trade_TradeChanged",
    "taobao_trade_TradeModifyFee",
    "taobao_trade_TradeLogisticsAddressChanged",
    "taobao_trade_TradeMemoModified",
    "taobao_trade_TradeDelayConfirmPay",
    "taobao_trade_TradePartlyRefund",
    "taobao_trade_TradeBuyerStepPay",
];

/// Refund topics: each message becomes an `after_sale` event.
pub const REFUND_TOPICS: [&str; 7] = [
    "taobao_refund_RefundCreated",
    "taobao_refund_RefundSellerAgreeAgreement",
    "taobao_refund_RefundSellerRefuseAgreement",
    "taobao_refund_RefundBuyerModifyAgreement",
    "taobao_refund_RefundBuyerReturnGoods",
    "taobao_refund_RefundClosed",
    "taobao_refund_RefundSuccess",
];

/// OrderHub's own topic for a relayed `taobao.trade.fullinfo.get` response.
pub const FULL_INFO_TOPIC: &str = "taobao_trade_TradeFullInfo";

/// The topic of events read from the incremental poll.
pub const POLL_TOPIC: &str = "taobao.trades.sold.increment.get";

/// What a topic's message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Trade,
    Refund,
    FullInfo,
}

/// The kind of a topic, if the adapter understands it.
pub fn kind(topic: &str) -> Option<Kind> {
    if TRADE_TOPICS.contains(&topic) {
        Some(Kind::Trade)
    } else if REFUND_TOPICS.contains(&topic) {
        Some(Kind::Refund)
    } else if topic == FULL_INFO_TOPIC {
        Some(Kind::FullInfo)
    } else {
        None
    }
}

/// Every topic, for the metadata.
pub fn all() -> Vec<String> {
    TRADE_TOPICS
        .iter()
        .chain(REFUND_TOPICS.iter())
        .chain([FULL_INFO_TOPIC, POLL_TOPIC].iter())
        .map(|t| (*t).to_string())
        .collect()
}

/// The status a trade topic implies when its message carries none.
pub fn implied_trade_status(topic: &str) -> Option<(StatusDomain, &'static str)> {
    Some(match topic {
        "taobao_trade_TradeCreate" => (StatusDomain::Order, "WAIT_BUYER_PAY"),
        // Full payment, or the balance of a presale trade.
        "taobao_trade_TradeBuyerPay" => (StatusDomain::Order, "WAIT_SELLER_SEND_GOODS"),
        "taobao_trade_TradeSellerShip" => (StatusDomain::Order, "WAIT_BUYER_CONFIRM_GOODS"),
        "taobao_trade_TradePartlySellerShip" => (StatusDomain::Order, "SELLER_CONSIGNED_PART"),
        "taobao_trade_TradeSuccess" => (StatusDomain::Order, "TRADE_FINISHED"),
        // The deposit of a presale trade.
        "taobao_trade_TradeBuyerStepPay" => (StatusDomain::Presale, "FRONT_PAID_FINAL_NOPAID"),
        _ => return None,
    })
}

/// The refund status a refund topic implies when its message carries none.
/// `bill_type` tells a refund-only case from one with goods to return.
pub fn implied_refund_status(topic: &str, bill_type: Option<&str>) -> Option<&'static str> {
    Some(match topic {
        "taobao_refund_RefundCreated" | "taobao_refund_RefundBuyerModifyAgreement" => {
            "WAIT_SELLER_AGREE"
        }
        // Agreeing to a return means waiting for the goods; agreeing to a
        // refund-only case has no waiting status (RefundSuccess follows).
        "taobao_refund_RefundSellerAgreeAgreement" => match bill_type {
            Some("return_bill" | "replace_bill") => "WAIT_BUYER_RETURN_GOODS",
            _ => return None,
        },
        "taobao_refund_RefundSellerRefuseAgreement" => "SELLER_REFUSE_BUYER",
        "taobao_refund_RefundBuyerReturnGoods" => "WAIT_SELLER_CONFIRM_GOODS",
        "taobao_refund_RefundClosed" => "CLOSED",
        "taobao_refund_RefundSuccess" => "SUCCESS",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(kind("taobao_trade_TradeBuyerPay"), Some(Kind::Trade));
        assert_eq!(kind("taobao_refund_RefundSuccess"), Some(Kind::Refund));
        assert_eq!(kind(FULL_INFO_TOPIC), Some(Kind::FullInfo));
        assert_eq!(kind("taobao_item_ItemAdd"), None);
        assert_eq!(all().len(), 23);
    }

    #[test]
    fn implied_statuses_are_known_statuses() {
        use crate::bindings::orderhub::adapter::types::PlatformStatus;
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
            for bill in [None, Some("return_bill")] {
                if let Some(value) = implied_refund_status(topic, bill) {
                    let s = PlatformStatus {
                        domain: StatusDomain::Refund,
                        value: value.into(),
                        context: vec![],
                    };
                    assert!(crate::status::map(&s).is_ok(), "{topic}");
                }
            }
        }
        assert_eq!(implied_trade_status("taobao_trade_TradeClose"), None);
    }
}
