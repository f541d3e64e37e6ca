//! A deliberately hostile adapter, used only by the host's tests.
//!
//! Its `normalize` misbehaves on command so the tests can prove the sandbox
//! holds: the body `trap` panics (a trap), `loop` spins forever (stopped by the
//! wall-clock limit), `alloc` allocates without bound (stopped by the memory
//! cap), `escape` tries to read files and the environment (denied by the empty
//! WASI context), `slow:ID` burns a few million instructions before
//! accepting order `ID` (so a tight fuel limit dead-letters it and a looser one
//! lets a replay succeed). Any other body is accepted as a minimal order whose id is the
//! body text, so the same host can show it keeps serving afterwards.
//! `verify` accepts requests whose `x-test-signature` header equals the
//! account's first secret; it is not a real signature scheme. Signing,
//! polling (`cursor-at` included), actions and push streams are
//! `unsupported`; `action-result` judges a reply by its HTTP status alone,
//! and the metadata declares no limits, so the host's own apply.

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "adapter",
        generate_all,
    });
}

use bindings::exports::orderhub::adapter::connector::Guest;
use bindings::orderhub::adapter::types::*;

struct HostileAdapter;

impl Guest for HostileAdapter {
    fn metadata() -> AdapterMetadata {
        AdapterMetadata {
            id: "test-hostile".into(),
            kind: AdapterKind::Channel,
            version: env!("CARGO_PKG_VERSION").into(),
            description:
                "Test-only adapter that traps, loops, hogs memory or probes the sandbox on command."
                    .into(),
            credentials: vec![CredentialSpec {
                name: "secret".into(),
                description: "Compared verbatim with the x-test-signature header.".into(),
                secret: true,
                required: true,
            }],
            outbound_hosts: vec![],
            topics: vec!["test".into()],
            statuses: vec![DeclaredStatus {
                domain: StatusDomain::Order,
                value: "paid".into(),
                description: "The only status this adapter emits.".into(),
            }],
            // Declares nothing: the host's own limits are what the tests probe.
            limits: AdapterLimits {
                wall_clock_ms: None,
                fuel: None,
                memory_bytes: None,
                input_bytes: None,
                output_bytes: None,
            },
        }
    }

    fn verify(request: HttpRequest, account: Account, _now: i64) -> Result<(), AdapterError> {
        let sent = request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("x-test-signature"));
        match (sent, account.secrets.first()) {
            (None, _) => Err(AdapterError::MissingSignature("x-test-signature".into())),
            (Some(h), Some(secret)) if &h.value == secret => Ok(()),
            _ => Err(AdapterError::BadSignature("x-test-signature".into())),
        }
    }

    fn sign(
        _request: OutboundRequest,
        _account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Err(AdapterError::Unsupported("sign".into()))
    }

    fn normalize(request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        let body = String::from_utf8_lossy(&request.body).trim().to_string();
        match body.as_str() {
            "trap" => panic!("hostile adapter traps on purpose"),
            "loop" => spin_forever(),
            "alloc" => allocate_forever(),
            "escape" => probe_sandbox(),
            "" => Err(AdapterError::MalformedPayload("empty body".into())),
            slow if slow.starts_with("slow:") => {
                burn(5_000_000);
                Ok(vec![minimal_order(&slow["slow:".len()..])])
            }
            id => Ok(vec![minimal_order(id)]),
        }
    }

    fn status_map(status: PlatformStatus) -> Result<StatusMapping, AdapterError> {
        match status.value.as_str() {
            "paid" => Ok(StatusMapping {
                lifecycle: Some(OrderStatus::Paid),
                hold: None,
                after_sale: None,
                tracking: None,
                deposit_paid: false,
                partial: false,
            }),
            other => Err(AdapterError::UnknownStatus(other.into())),
        }
    }

    fn acknowledge(_request: HttpRequest) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![],
            body: b"ok".to_vec(),
        }
    }

    fn poll_request(
        _cursor: Option<String>,
        _account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Err(AdapterError::Unsupported("poll".into()))
    }

    fn poll_response(
        _cursor: Option<String>,
        _response: HttpResponse,
        _account: Account,
        _now: i64,
    ) -> Result<PollPage, AdapterError> {
        Err(AdapterError::Unsupported("poll".into()))
    }

    fn outbound_action(
        _action: Action,
        _account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Err(AdapterError::Unsupported("outbound-action".into()))
    }

    // The functions below behave plainly: only `normalize` misbehaves, so a
    // sandbox test failure always points at the one call it provoked.

    /// It builds no actions, so a reply can only be judged by its status.
    fn action_result(_action: Action, response: HttpResponse) -> ActionOutcome {
        let why = || format!("the platform answered {}", response.status);
        match response.status {
            200..=299 => ActionOutcome::Done,
            408 | 425 | 429 | 500..=599 => ActionOutcome::Retry(why()),
            _ => ActionOutcome::Refused(why()),
        }
    }

    fn cursor_at(_since: i64, _account: Account, _now: i64) -> Result<String, AdapterError> {
        Err(AdapterError::Unsupported("poll".into()))
    }

    fn stream_open(_account: Account, _now: i64) -> Result<StreamSession, AdapterError> {
        Err(AdapterError::Unsupported("stream".into()))
    }

    fn stream_receive(
        _frame: StreamFrame,
        _account: Account,
        _now: i64,
    ) -> Result<StreamReply, AdapterError> {
        Err(AdapterError::Unsupported("stream".into()))
    }

    fn stream_tick(_account: Account, _now: i64) -> Result<Vec<StreamFrame>, AdapterError> {
        Err(AdapterError::Unsupported("stream".into()))
    }
}

fn minimal_order(id: &str) -> Event {
    Event {
        event_id: None,
        topic: "test".into(),
        occurred_at: None,
        status: Some(PlatformStatus {
            domain: StatusDomain::Order,
            value: "paid".into(),
            context: vec![],
        }),
        body: EventBody::Order(Order {
            external_id: id.into(),
            display_id: None,
            created_at: None,
            updated_at: None,
            currency: "CNY".into(),
            total_minor: Some(100),
            subtotal_minor: None,
            shipping_minor: None,
            discount_minor: None,
            tax_minor: None,
            buyer: None,
            receiver: None,
            lines: vec![],
            presale: false,
            note: None,
        }),
    }
}

fn burn(iterations: u64) {
    let mut x: u64 = 0;
    for i in 0..iterations {
        x = std::hint::black_box(x.wrapping_add(i));
    }
}

fn spin_forever() -> ! {
    let mut x: u64 = 0;
    loop {
        x = std::hint::black_box(x.wrapping_add(1));
    }
}

fn allocate_forever() -> Result<Vec<Event>, AdapterError> {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        hoard.push(vec![1u8; 1 << 20]);
        std::hint::black_box(&hoard);
    }
}

/// Reports anything it could read from outside the sandbox as an order note,
/// so a test sees a leak as data rather than as a silent success.
fn probe_sandbox() -> Result<Vec<Event>, AdapterError> {
    let mut leaks = Vec::new();
    for path in ["/etc/passwd", "/", "."] {
        if std::fs::read_dir(path).is_ok() || std::fs::read(path).is_ok() {
            leaks.push(format!("file:{path}"));
        }
    }
    leaks.extend(std::env::vars().map(|(k, _)| format!("env:{k}")));
    if std::net::TcpStream::connect("127.0.0.1:5432").is_ok() {
        leaks.push("socket:127.0.0.1:5432".into());
    }
    if leaks.is_empty() {
        Err(AdapterError::Unsupported(
            "sandbox held: no files, environment or sockets".into(),
        ))
    } else {
        Err(AdapterError::MalformedPayload(format!(
            "sandbox leaked: {}",
            leaks.join(", ")
        )))
    }
}

// Exported only in the component: natively the export symbols do not link.
#[cfg(target_arch = "wasm32")]
bindings::export!(HostileAdapter with_types_in bindings);
