#!/usr/bin/env bash
# Starts OrderHub on embedded SQLite with the demo configuration, sends it
# signed webhooks taken from the adapters' fixtures, prints the resulting
# orders, and keeps serving. Set DEMO_ONESHOT=1 to stop after the showcase.
set -euo pipefail
cd "$(dirname "$0")/.."

export ORDERHUB_LOG=${ORDERHUB_LOG:-warn}
BIN=${ORDERHUB_BIN:-target/debug/orderhub}
MOCK=${ORDERHUB_MOCK_BIN:-target/debug/mock-platform}
CONFIG=demo/orderhub.toml
URL=http://127.0.0.1:8080

rm -f .orderhub/demo.db .orderhub/demo.db-wal .orderhub/demo.db-shm
"$MOCK" 127.0.0.1:8090 &
PLATFORM=$!
"$BIN" serve --config "$CONFIG" &
SERVER=$!
trap 'kill $SERVER $PLATFORM 2>/dev/null || true; wait $SERVER $PLATFORM 2>/dev/null || true' EXIT

section() { printf '\n\033[1m== %s\033[0m\n' "$1"; }

section "Sending signed webhooks (status, fixture, reply)"
"$BIN" send --to "$URL" --wait 60 \
    fixtures/shopify/orders-create-pending.json \
    fixtures/shopify/orders-paid.json \
    fixtures/shopify/orders-paid.json \
    fixtures/shopify/fulfillments-create.json \
    fixtures/shopify/fulfillments-update-in-transit.json \
    fixtures/shopify/orders-paid-tampered-body.json \
    fixtures/shopify/orders-create-malformed-json.json \
    fixtures/taobao/trade-changed-paid.json \
    fixtures/taobao/presale-deposit-paid.json \
    fixtures/taobao/refund-created.json \
    fixtures/taobao/fullinfo-relay-sample.json \
    fixtures/kuaidi100/push-delivered-sample.json \
    fixtures/kuaidi100/push-in-transit.json \
    fixtures/kuaidi100/push-pickup-locker.json \
    fixtures/kuaidi100/push-returned.json \
    fixtures/woocommerce/order-updated-sample.json \
    demo/requests/erpnext-delivery-note-727.json

section "orderhub orders list"
"$BIN" orders list --config "$CONFIG"

section "orderhub orders show shopify jsmith 450789469"
"$BIN" orders show shopify jsmith 450789469 --config "$CONFIG"

section "orderhub shipments show jd JD0076810060555"
"$BIN" shipments show jd JD0076810060555 --config "$CONFIG"

section "orderhub poll shopify outlet --once (against the mock platform)"
"$BIN" poll shopify outlet --once --config "$CONFIG"

section "orderhub reconcile shopify outlet (the store against the mock platform)"
"$BIN" reconcile shopify outlet --since "$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)" --config "$CONFIG"

section "Pinduoduo orders pushed over the message-service WebSocket (stored, then acknowledged)"
sleep 1
"$BIN" orders show pinduoduo pdd-shop 240401-000000008001 --config "$CONFIG"

section "WooCommerce order 727, shipped by the ERP: the ship confirmation goes to the shop"
sleep 2
"$BIN" orders show woocommerce shop 727 --config "$CONFIG"

section "orderhub status"
"$BIN" status --config "$CONFIG"

section "orderhub events list --dead"
"$BIN" events list --dead --config "$CONFIG"

if [ "${DEMO_ONESHOT:-0}" = "1" ]; then
    exit 0
fi
section "OrderHub is listening on $URL — POST webhooks to $URL/webhooks/{adapter}/{account}; Ctrl-C stops it"
wait $SERVER
