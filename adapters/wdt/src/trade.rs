//! Reading `trade_query.php` trades into shipment events.
//!
//! A WDT system order (`trade_no`, `JY…`) may merge several shop orders: its
//! `src_tids` lists their numbers, comma-separated, and each goods line names
//! its own (`goods_list[].src_tid`, `src_oid`). A shipped order (`trade_status`
//! 95) with a waybill (`logistics_no`) therefore becomes one shipment event per
//! shop order, carrying that order's lines. Orders in any other status give no
//! event: the poll reads shipments. Times are `yyyy-MM-dd HH:mm:ss` in
//! Asia/Shanghai; `0000-00-00 00:00:00` means "none".

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, time};

use crate::bindings::orderhub::adapter::types::{
    Event, EventBody, PlatformStatus, Shipment, ShippedLine, StatusDomain,
};
use crate::status::SHIPPED;

/// The topic of events read from `trade_query.php`.
pub(crate) const TOPIC: &str = "trade_query";

/// A WDT time, or `None` for the zero date.
fn local_time(fields: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    match fields.opt_string(key) {
        None => Ok(None),
        Some(text) if text.starts_with("0000-00-00") => Ok(None),
        Some(text) => time::parse_local(&text, time::shanghai(), &fields.path_of(key)).map(Some),
    }
}

/// The shipment events of one trade (none unless shipped with a waybill).
pub(crate) fn shipment_events(trade: &Fields<'_>) -> Result<Vec<Event>, KitError> {
    let status = trade.string("trade_status")?;
    let Some(tracking_number) = trade
        .opt_string("logistics_no")
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
    else {
        return Ok(Vec::new());
    };
    if status.trim() != SHIPPED {
        return Ok(Vec::new());
    }
    let trade_key = trade
        .opt_string("trade_id")
        .or_else(|| trade.opt_string("trade_no"))
        .ok_or_else(|| KitError::MissingField(trade.path_of("trade_no")))?;
    let modified = trade.opt_string("modified").unwrap_or_default();
    let occurred_at = match local_time(trade, "consign_time")? {
        Some(at) => Some(at),
        None => local_time(trade, "modified")?,
    };
    // The WDT logistics type code; its name when the code is absent.
    let carrier = trade
        .opt_string("logistics_type")
        .or_else(|| trade.opt_string("logistics_name"))
        .unwrap_or_default();
    let warehouse = trade.opt_string("warehouse_no");
    let goods = trade.objects("goods_list")?;
    let mut tids: Vec<String> = trade
        .opt_string("src_tids")
        .unwrap_or_default()
        .split(',')
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    tids.dedup();
    let orders: Vec<Option<String>> = if tids.is_empty() {
        vec![None]
    } else {
        tids.into_iter().map(Some).collect()
    };
    let single = orders.len() == 1;

    let mut events = Vec::new();
    for order in orders {
        let mut lines = Vec::new();
        for line in &goods {
            let belongs = single || line.opt_string("src_tid") == order;
            if belongs {
                lines.push(shipped_line(line)?);
            }
        }
        events.push(Event {
            event_id: Some(format!(
                "{trade_key}/{}/{modified}",
                order.as_deref().unwrap_or_default()
            )),
            topic: TOPIC.into(),
            occurred_at,
            status: Some(PlatformStatus {
                domain: StatusDomain::Order,
                value: status.trim().to_string(),
                context: vec![],
            }),
            body: EventBody::Shipment(Shipment {
                carrier: carrier.clone(),
                tracking_number: tracking_number.clone(),
                order_external_id: order,
                checkpoints: Vec::new(),
                signed: false,
                warehouse: warehouse.clone(),
                lines,
            }),
        });
    }
    Ok(events)
}

fn shipped_line(line: &Fields<'_>) -> Result<ShippedLine, KitError> {
    let num = line.string("num")?;
    Ok(ShippedLine {
        line_external_id: line.opt_string("src_oid"),
        sku: line.opt_string("spec_no"),
        quantity: parse_quantity(&num, &line.path_of("num"))?,
    })
}

/// A quantity as WDT prints it (`102.0000`): a whole, non-negative count.
pub(crate) fn parse_quantity(text: &str, field: &str) -> Result<u32, KitError> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || fraction.bytes().any(|b| b != b'0')
    {
        return Err(KitError::invalid(
            field,
            format_args!("{text:?} is not a whole count of items"),
        ));
    }
    whole
        .parse()
        .map_err(|_| KitError::invalid(field, format_args!("{text:?} is too large")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn events(value: Value) -> Result<Vec<Event>, KitError> {
        let fields = Fields::of(&value, "trades[0]")?;
        shipment_events(&fields)
    }

    fn shipment(e: &Event) -> &Shipment {
        match &e.body {
            EventBody::Shipment(s) => s,
            _ => panic!("not a shipment"),
        }
    }

    fn trade(status: &str, src_tids: &str) -> Value {
        json!({"trade_id":"2812636489043673101","trade_no":"JY2604020001","trade_status":status,
            "warehouse_no":"WH01","src_tids":src_tids,"modified":"2026-04-07 11:25:11",
            "consign_time":"2026-04-02 09:34:29","logistics_no":"ZT1234","logistics_type":"5",
            "logistics_name":"中通快递1","goods_list":[
              {"src_tid":"T1","src_oid":"O1","spec_no":"SKU1","num":"2.0000"},
              {"src_tid":"T2","src_oid":"O2","spec_no":"SKU2","num":"1.0000"}]})
    }

    #[test]
    fn merged_orders_split_into_one_event_each() {
        let e = events(trade("95", "T1,T2")).unwrap();
        assert_eq!(e.len(), 2);
        let first = shipment(&e[0]);
        assert_eq!(first.order_external_id.as_deref(), Some("T1"));
        assert_eq!(first.lines.len(), 1);
        assert_eq!(
            (first.lines[0].sku.as_deref(), first.lines[0].quantity),
            (Some("SKU1"), 2)
        );
        assert_eq!(
            (first.carrier.as_str(), first.warehouse.as_deref()),
            ("5", Some("WH01"))
        );
        // 2026-04-02 09:34:29 +08:00.
        assert_eq!(e[0].occurred_at, Some(1_775_093_669_000));
        assert_eq!(
            e[1].event_id.as_deref(),
            Some("2812636489043673101/T2/2026-04-07 11:25:11")
        );
    }

    #[test]
    fn a_single_order_carries_every_line() {
        let e = events(trade("95", "T1")).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(shipment(&e[0]).lines.len(), 2);
    }

    #[test]
    fn unshipped_or_waybill_less_trades_give_nothing() {
        assert!(events(trade("50", "T1")).unwrap().is_empty());
        let mut t = trade("95", "T1");
        t["logistics_no"] = json!("");
        assert!(events(t).unwrap().is_empty());
    }

    #[test]
    fn bad_fields_are_named() {
        assert_eq!(
            events(json!({"logistics_no":"X"})).err(),
            Some(KitError::MissingField("trades[0].trade_status".into()))
        );
        let mut t = trade("95", "T1");
        t["goods_list"][0]["num"] = json!("1.5");
        assert!(matches!(events(t), Err(KitError::InvalidField(_))));
        let mut t = trade("95", "T1");
        t["consign_time"] = json!("soon");
        assert!(matches!(events(t), Err(KitError::InvalidField(_))));
    }
}
