//! A channel order, its ERP shipments and the carrier's scans, each from
//! its own system over signed HTTP, meeting on one order.

use orderhub_core::model::{OrderStatus, TrackingStatus};
use orderhub_tests::{
    HostOptions, TestAccount, TestHost, Webhook, erpnext_webhook, fixture, kuaidi100_webhook,
};
use serde_json::json;

const ORDER: &str = "450789469";
const ERP_SECRET: &str = "frappe-webhook-secret";
const SALT: &str = "123";

async fn host() -> TestHost {
    let shop = TestAccount::from_fixture("shopify", &fixture("shopify", "orders-paid"));
    let erp = TestAccount {
        adapter: "erpnext".into(),
        id: "main".into(),
        secrets: vec![ERP_SECRET.into()],
        credentials: vec![("utc_offset".into(), "+08:00".into())],
        // The ERP names its transporters after the supplier records of this
        // site; one of them is SF Express.
        carriers: vec![("Shunfeng Supplier Co".into(), "sf".into())],
        extra: String::new(),
    };
    let carrier = TestAccount {
        adapter: "kuaidi100".into(),
        id: "main".into(),
        secrets: vec![SALT.into()],
        credentials: vec![],
        carriers: vec![],
        extra: String::new(),
    };
    TestHost::start(HostOptions {
        adapters: vec!["shopify", "erpnext", "kuaidi100"],
        accounts: vec![shop, erp, carrier],
        ..Default::default()
    })
    .await
    .expect("host starts")
}

/// A submitted Delivery Note, as the README's `webhook_json` template renders it.
fn delivery_note(
    name: &str,
    tracking: &str,
    transporter: &str,
    modified: &str,
    skus: &[&str],
) -> Webhook {
    let items: Vec<_> = skus
        .iter()
        .map(|sku| {
            json!({"item_code": sku, "qty": 1.0, "warehouse": "Stores - SH",
                   "against_sales_order": "SAL-ORD-2024-00042", "so_detail": format!("row-{sku}")})
        })
        .collect();
    let body = json!({
        "doctype": "Delivery Note", "name": name, "status": "To Bill", "docstatus": 1,
        "modified": modified, "po_no": ORDER, "lr_no": tracking, "transporter": transporter,
        "transporter_name": transporter, "set_warehouse": "Stores - SH", "items": items,
    });
    erpnext_webhook(ERP_SECRET, &body.to_string())
}

/// A Kuaidi100 push for a parcel: scans newest first, as Kuaidi100 sends them.
fn scans(com: &str, tracking: &str, state: &str, data: &[(&str, &str, &str)]) -> Webhook {
    let data: Vec<_> = data
        .iter()
        .map(|(time, code, context)| {
            json!({"time": time, "ftime": time, "context": context, "statusCode": code,
                   "location": "", "areaCode": null, "areaName": null})
        })
        .collect();
    let param = json!({
        "status": "polling", "billstatus": "", "message": "",
        "lastResult": {"message": "ok", "nu": tracking, "ischeck": if state == "3" { "1" } else { "0" },
                       "com": com, "status": "200", "state": state, "data": data}
    });
    kuaidi100_webhook(SALT, &param.to_string())
}

async fn send(host: &TestHost, adapter: &str, account: &str, webhook: &Webhook) {
    let (status, body) = host.send(adapter, account, webhook).await.expect("sent");
    assert_eq!(status, 200, "{adapter}: {body}");
}

fn state(host: &TestHost) -> (OrderStatus, bool) {
    let view = host
        .store()
        .order("shopify", "jsmith", ORDER)
        .unwrap()
        .expect("order");
    (view.order.state.status, view.order.state.partial)
}

#[tokio::test]
async fn channel_order_then_erp_shipments_then_scans_out_of_order_end_delivered() {
    let host = host().await;
    // Three lines: IPOD2008GREEN, IPOD2008RED, IPOD2008BLACK.
    let paid = Webhook::from_fixture(&fixture("shopify", "orders-paid"));
    send(&host, "shopify", "jsmith", &paid).await;
    assert_eq!(state(&host), (OrderStatus::Paid, false));

    // The warehouse ships two of the three lines with SF…
    let first = delivery_note(
        "MAT-DN-1",
        "SF1234567890",
        "Shunfeng Supplier Co",
        "2024-04-03 09:00:00.000000",
        &["IPOD2008GREEN", "IPOD2008RED"],
    );
    send(&host, "erpnext", "main", &first).await;
    assert_eq!(
        state(&host),
        (OrderStatus::Shipped, true),
        "two of three lines"
    );

    // …and the last one with YTO, spelt the ERP's way.
    let second = delivery_note(
        "MAT-DN-2",
        "YT0000000002",
        "圆通速递",
        "2024-04-03 10:00:00.000000",
        &["IPOD2008BLACK"],
    );
    send(&host, "erpnext", "main", &second).await;
    assert_eq!(state(&host), (OrderStatus::Shipped, false));

    // Kuaidi100 reports SF's delivery before its in-transit scan.
    let sf_delivered = scans(
        "shunfeng",
        "SF1234567890",
        "3",
        &[
            ("2024-04-04 15:00:00", "301", "已签收，签收人：本人"),
            ("2024-04-03 12:00:00", "103", "顺丰速运 已收取快件"),
        ],
    );
    let sf_late = scans(
        "shunfeng",
        "SF1234567890",
        "0",
        &[
            (
                "2024-04-03 20:00:00",
                "1002",
                "快件在【上海转运中心】完成分拣",
            ),
            ("2024-04-03 12:00:00", "103", "顺丰速运 已收取快件"),
        ],
    );
    let yto_moving = scans(
        "yuantong",
        "YT0000000002",
        "0",
        &[("2024-04-03 21:00:00", "0", "快件已发往 北京转运中心")],
    );
    let yto_delivered = scans(
        "yuantong",
        "YT0000000002",
        "3",
        &[
            ("2024-04-04 18:00:00", "3", "快件已签收"),
            ("2024-04-03 21:00:00", "0", "快件已发往 北京转运中心"),
        ],
    );
    send(&host, "kuaidi100", "main", &sf_delivered).await;
    assert_eq!(
        state(&host),
        (OrderStatus::Shipped, false),
        "YTO not moving yet"
    );
    send(&host, "kuaidi100", "main", &sf_late).await;
    send(&host, "kuaidi100", "main", &yto_moving).await;
    assert_eq!(state(&host), (OrderStatus::InTransit, false));
    send(&host, "kuaidi100", "main", &yto_delivered).await;
    assert_eq!(state(&host), (OrderStatus::Delivered, false));

    let view = host
        .store()
        .order("shopify", "jsmith", ORDER)
        .unwrap()
        .unwrap();
    let mut parcels: Vec<(String, String, Option<TrackingStatus>, usize)> = view
        .shipments
        .iter()
        .map(|s| {
            (
                s.carrier.clone(),
                s.tracking_number.clone(),
                s.tracking,
                s.snapshot.lines.len(),
            )
        })
        .collect();
    parcels.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        parcels,
        [
            (
                "sf".into(),
                "SF1234567890".into(),
                Some(TrackingStatus::Delivered),
                2
            ),
            (
                "yto".into(),
                "YT0000000002".into(),
                Some(TrackingStatus::Delivered),
                1
            ),
        ]
    );

    // One timeline: the order, both Delivery Notes and all four pushes, in
    // the order things happened, not the order they arrived.
    let timeline: Vec<(String, Option<String>)> = view
        .timeline
        .iter()
        .map(|e| {
            (
                e.event.topic.clone(),
                e.event.occurred_at.map(|t| t.to_rfc3339()),
            )
        })
        .collect();
    let topics: Vec<&str> = timeline.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        topics,
        [
            "orders/paid",
            "Delivery Note",
            "Delivery Note",
            "kuaidi100_push",
            "kuaidi100_push",
            "kuaidi100_push",
            "kuaidi100_push",
        ]
    );
    let times: Vec<&str> = timeline[1..]
        .iter()
        .map(|(_, at)| at.as_deref().expect("timed"))
        .collect();
    assert_eq!(
        times,
        [
            "2024-04-03T01:00:00+00:00",
            "2024-04-03T02:00:00+00:00",
            "2024-04-03T12:00:00+00:00",
            "2024-04-03T13:00:00+00:00",
            "2024-04-04T07:00:00+00:00",
            "2024-04-04T10:00:00+00:00",
        ]
    );
    // The late in-transit push is kept, noted as older than the parcel's state.
    let late = &view.timeline[3];
    assert_eq!(
        late.note.as_deref(),
        Some("older tracking state than the current one (late or out-of-order scan)")
    );

    // The SF parcel's own timeline: the ERP's report and both pushes.
    let sf = host
        .store()
        .shipment("sf", "SF1234567890")
        .unwrap()
        .expect("parcel");
    assert_eq!(sf.timeline.len(), 3);
    assert_eq!(sf.shipment.adapter, "erpnext");
    assert_eq!(
        sf.shipment.snapshot.warehouse.as_deref(),
        Some("Stores - SH")
    );
    let scans: Vec<&str> = sf
        .shipment
        .snapshot
        .checkpoints
        .iter()
        .map(|c| c.description.as_str())
        .collect();
    assert_eq!(
        scans,
        [
            "顺丰速运 已收取快件",
            "快件在【上海转运中心】完成分拣",
            "已签收，签收人：本人"
        ]
    );
}
