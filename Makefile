# OrderHub — the two commands a newcomer needs:
#   make demo   build the adapters and the host, start it on embedded SQLite
#               with the demo configuration, send it signed webhooks, show orders
#   make test   run every test (what CI runs)

CARGO ?= cargo
ADAPTERS := shopify taobao kuaidi100 generic woocommerce pinduoduo youzan lazada shopee douyin wechat-channels jd kuaishou \
	sf-express jd-logistics easypost aftership cainiao kingdee jushuitan wdt erpnext odoo
TEST_ADAPTERS := test-hostile
WASM_DIR := target/wasm32-wasip2/adapter
DIST := dist/adapters

.PHONY: demo test adapters spin host setup lint fmt bench clean-dist

setup:
	rustup target add wasm32-wasip2
	cargo nextest --version >/dev/null 2>&1 || $(CARGO) install --locked cargo-nextest

## Build every adapter component and copy the shipped ones to dist/adapters/<id>.wasm.
adapters: setup
	$(CARGO) build --target wasm32-wasip2 --profile adapter $(foreach a,$(ADAPTERS) $(TEST_ADAPTERS),-p adapter-$(a))
	mkdir -p $(DIST)
	$(foreach a,$(ADAPTERS),cp $(WASM_DIR)/adapter_$(subst -,_,$(a)).wasm $(DIST)/$(a).wasm;)

## Build the Spin component (spin/webhooks) to dist/spin/orderhub_spin.wasm;
## spin.toml runs this, and uses the adapters in dist/adapters/ as they are.
spin: adapters
	$(CARGO) build --target wasm32-wasip2 --profile adapter -p orderhub-spin
	mkdir -p dist/spin
	cp $(WASM_DIR)/orderhub_spin.wasm dist/spin/orderhub_spin.wasm

host:
	$(CARGO) build -p orderhub-host
	$(CARGO) build -p orderhub-tests --bin mock-platform

demo: adapters host
	./demo/run.sh

test: adapters spin
	$(CARGO) test --workspace --doc
	$(CARGO) nextest run --workspace --no-fail-fast

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy --target wasm32-wasip2 $(foreach a,$(ADAPTERS) $(TEST_ADAPTERS),-p adapter-$(a)) -p orderhub-spin -- -D warnings

fmt:
	$(CARGO) fmt --all

bench: adapters
	$(CARGO) bench -p orderhub-host --bench adapter_call
	$(CARGO) run --release -p orderhub-tests --bin loadgen -- --requests 20000 --concurrency 32
