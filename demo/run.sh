#!/usr/bin/env bash
# Starts OrderHub on embedded SQLite with the demo configuration, sends it
# signed webhooks taken from the adapters' fixtures, prints the resulting
# orders, and keeps serving. Set DEMO_ONESHOT=1 to stop after the showcase.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${ORDERHUB_BIN:-target/debug/orderhub}
CONFIG=demo/orderhub.toml
URL=http://127.0.0.1:8080

rm -f .orderhub/demo.db .orderhub/demo.db-wal .orderhub/demo.db-shm
ORDERHUB_LOG=${ORDERHUB_LOG:-warn} "$BIN" serve --config "$CONFIG" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT

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
    fixtures/kuaidi100/push-returned.json

section "orderhub orders list"
"$BIN" orders list --config "$CONFIG"

section "orderhub orders show shopify jsmith 450789469"
"$BIN" orders show shopify jsmith 450789469 --config "$CONFIG"

section "orderhub shipments show jd JD0076810060555"
"$BIN" shipments show jd JD0076810060555 --config "$CONFIG"

section "orderhub events list --dead"
"$BIN" events list --dead --config "$CONFIG"

if [ "${DEMO_ONESHOT:-0}" = "1" ]; then
    exit 0
fi
section "OrderHub is listening on $URL — POST webhooks to $URL/webhooks/{adapter}/{account}; Ctrl-C stops it"
wait $SERVER
