//! The conformance suite: an adapter's fixtures plus the contract's rules.
//!
//! Used by `orderhub adapter test` and by the workspace tests, so an adapter
//! author and CI run exactly the same checks. Each check is a named
//! [`Check`]; running one returns `Ok` or a message saying what differed.
//! The fixture format is described in `fixtures/README.md`.
//!
//! The functions contract 0.2 added have checks of their own, one module
//! each: declared limits, `action-result` on generated replies, `cursor-at`
//! feeding `poll-request`, and `stream-receive` on malformed frames.

mod action_result;
mod cursor_at;
mod cursors;
mod declared_limits;
mod probe;
mod stream_frames;

use std::path::{Path, PathBuf};

use orderhub_core::model::{HoldChange, PlatformStatus, StatusDomain, StatusMapping};
use serde_json::{Map, Value, json};

use crate::runner::{self, RunError};
use crate::runtime::{CallError, LoadedAdapter};

/// One named check.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    kind: CheckKind,
}

#[derive(Debug, Clone)]
enum CheckKind {
    Fixture(PathBuf),
    StatusCoverage,
    ReadmeTable(PathBuf),
    NeverTraps { seeds: u32 },
    Tamper,
    StableEventIds,
    CursorsForward,
    FutureCursor,
    DeclaredLimits,
    ActionResult,
    CursorAt,
    StreamFrames { count: usize },
}

/// The checks for an adapter: one per fixture file, then the contract rules.
pub fn checks(fixtures: Option<&Path>, readme: Option<&Path>) -> Result<Vec<Check>, String> {
    let mut out = Vec::new();
    if let Some(dir) = fixtures {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read fixtures directory {}: {e}", dir.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for f in files {
            let name = format!(
                "fixture {}",
                f.file_stem()
                    .map(|s| s.to_string_lossy())
                    .unwrap_or_default()
            );
            out.push(Check {
                name,
                kind: CheckKind::Fixture(f),
            });
        }
        out.push(Check {
            name: "verify rejects tampered bodies".into(),
            kind: CheckKind::Tamper,
        });
        out.push(Check {
            name: "normalize never traps on malformed input".into(),
            kind: CheckKind::NeverTraps { seeds: 64 },
        });
        out.push(Check {
            name: "event ids are stable across calls".into(),
            kind: CheckKind::StableEventIds,
        });
        out.push(Check {
            name: "poll cursors never go backwards".into(),
            kind: CheckKind::CursorsForward,
        });
        out.push(Check {
            name: "a future cursor yields nothing".into(),
            kind: CheckKind::FutureCursor,
        });
        out.push(Check {
            name: "cursor-at is unsupported or gives a cursor poll-request accepts".into(),
            kind: CheckKind::CursorAt,
        });
        out.push(Check {
            name: "stream-receive never traps on malformed frames".into(),
            kind: CheckKind::StreamFrames {
                count: stream_frames::FRAMES,
            },
        });
    }
    out.push(Check {
        name: "status-map covers every declared status".into(),
        kind: CheckKind::StatusCoverage,
    });
    out.push(Check {
        name: "declared limits are above zero".into(),
        kind: CheckKind::DeclaredLimits,
    });
    out.push(Check {
        name: "action-result reads any reply; throttling is never done".into(),
        kind: CheckKind::ActionResult,
    });
    if let Some(readme) = readme {
        out.push(Check {
            name: "README status table matches status-map".into(),
            kind: CheckKind::ReadmeTable(readme.to_path_buf()),
        });
    }
    Ok(out)
}

impl Check {
    /// Runs the check against an adapter. `fixtures` is the fixture directory
    /// (the malformed-input check derives its inputs from the fixtures).
    pub fn run(&self, adapter: &LoadedAdapter, fixtures: Option<&Path>) -> Result<(), String> {
        match &self.kind {
            CheckKind::Fixture(path) => run_fixture(adapter, path),
            CheckKind::StatusCoverage => status_coverage(adapter),
            CheckKind::ReadmeTable(path) => readme_table(adapter, path),
            CheckKind::NeverTraps { seeds } => never_traps(adapter, fixtures, *seeds),
            CheckKind::Tamper => match fixtures {
                Some(dir) => tamper_checks(adapter, dir).map(|_| ()),
                None => Ok(()),
            },
            CheckKind::StableEventIds => match fixtures {
                Some(dir) => cursors::stable_event_ids(adapter, dir),
                None => Ok(()),
            },
            CheckKind::CursorsForward => match fixtures {
                Some(dir) => cursors::cursors_forward(adapter, dir),
                None => Ok(()),
            },
            CheckKind::FutureCursor => match fixtures {
                Some(dir) => cursors::future_cursor(adapter, dir),
                None => Ok(()),
            },
            CheckKind::DeclaredLimits => declared_limits::declared_limits_positive(adapter),
            CheckKind::ActionResult => action_result::action_result_reads_any_reply(adapter),
            CheckKind::CursorAt => cursor_at::cursor_at_polls(adapter, &probe::sample(fixtures)?),
            CheckKind::StreamFrames { count } => stream_frames::stream_receive_never_traps(
                adapter,
                &probe::sample(fixtures)?,
                &probe::bodies(fixtures)?,
                *count,
            ),
        }
    }
}

pub(crate) fn load_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

/// Runs one fixture file.
pub fn run_fixture(adapter: &LoadedAdapter, path: &Path) -> Result<(), String> {
    let fixture = load_json(path)?;
    let obj = fixture
        .as_object()
        .ok_or("a fixture must be a JSON object")?;
    let expect = obj
        .get("expect")
        .and_then(Value::as_object)
        .ok_or("the fixture has no \"expect\" object")?;
    if let Some(function) = obj.get("function").and_then(Value::as_str) {
        let input = obj.get("input").cloned().unwrap_or(Value::Null);
        let result = runner::run(adapter, function, &input).map(|(v, _)| v);
        return expect_result(result, expect, function);
    }
    let request = obj
        .get("request")
        .and_then(Value::as_object)
        .ok_or("a fixture needs \"request\" or \"function\"")?;
    let input = webhook_input(obj, request);
    webhook_case(adapter, &input, expect)
}

/// Flattens a webhook fixture into a runner input.
pub(crate) fn webhook_input(fixture: &Map<String, Value>, request: &Map<String, Value>) -> Value {
    let mut input = request.clone();
    if let Some(account) = fixture.get("account") {
        input.insert("account".into(), account.clone());
    }
    if let Some(now) = fixture.get("now") {
        input.insert("now".into(), now.clone());
    }
    Value::Object(input)
}

fn webhook_case(
    adapter: &LoadedAdapter,
    input: &Value,
    expect: &Map<String, Value>,
) -> Result<(), String> {
    let verify_expect = expect.get("verify").and_then(Value::as_str).unwrap_or("ok");
    let verified = runner::run(adapter, "verify", input);
    match (&verified, verify_expect) {
        (Ok(_), "ok") => {}
        (Ok(_), kind) => return Err(format!("verify: expected {kind}, but it passed")),
        (Err(e), "ok") => return Err(format!("verify: expected ok, got {e}")),
        (Err(e), kind) if e.kind == kind => return Ok(()),
        (Err(e), kind) => return Err(format!("verify: expected {kind}, got {e}")),
    }

    let normalized = runner::run(adapter, "normalize", input).map(|(v, _)| v);
    if let Some(normalize_expect) = expect.get("normalize").and_then(Value::as_object) {
        expect_result(
            normalized.clone(),
            &wrap_output(normalize_expect),
            "normalize",
        )?;
    }
    if let (Ok(output), Some(Value::Array(expected_maps))) = (&normalized, expect.get("status_map"))
    {
        let statuses: Vec<Value> = output["events"]
            .as_array()
            .map(|events| {
                events
                    .iter()
                    .filter(|e| !e["status"].is_null())
                    .map(|e| e["status"].clone())
                    .collect()
            })
            .unwrap_or_default();
        if statuses.len() != expected_maps.len() {
            return Err(format!(
                "status_map: {} events carry a status, the fixture expects {} mappings",
                statuses.len(),
                expected_maps.len()
            ));
        }
        for (i, (status, want)) in statuses.iter().zip(expected_maps).enumerate() {
            let got = runner::run(adapter, "status-map", status).map(|(v, _)| v);
            let want = want.as_object().cloned().unwrap_or_default();
            let want = if want.contains_key("error") {
                want
            } else {
                Map::from_iter([("output".to_string(), Value::Object(want))])
            };
            expect_result(got, &want, &format!("status_map[{i}] for {status}"))?;
        }
    }
    if let Some(ack) = expect.get("acknowledge") {
        let got = runner::run(adapter, "acknowledge", input)
            .map(|(v, _)| v)
            .map_err(|e| format!("acknowledge: {e}"))?;
        subset(ack, &got, "acknowledge")?;
    }
    Ok(())
}

/// `{"events": …}` or `{"error": …}` → the `{"output"|"error"}` form.
fn wrap_output(expect: &Map<String, Value>) -> Map<String, Value> {
    if expect.contains_key("error") {
        expect.clone()
    } else {
        Map::from_iter([("output".to_string(), Value::Object(expect.clone()))])
    }
}

fn expect_result(
    result: Result<Value, RunError>,
    expect: &Map<String, Value>,
    what: &str,
) -> Result<(), String> {
    match (result, expect.get("error"), expect.get("output")) {
        (Ok(out), None, Some(want)) => subset(want, &out, what),
        (Ok(_), None, None) => Ok(()),
        (Ok(out), Some(kind), _) => Err(format!(
            "{what}: expected error {kind}, got output {}",
            excerpt(&out)
        )),
        (Err(e), Some(Value::String(kind)), _) if &e.kind == kind => Ok(()),
        (Err(e), Some(kind), _) => Err(format!("{what}: expected error {kind}, got {e}")),
        (Err(e), None, _) => Err(format!("{what}: expected output, got error {e}")),
    }
}

fn excerpt(v: &Value) -> String {
    let text = v.to_string();
    if text.len() > 600 {
        format!("{}…", &text[..text.floor_char_boundary(600)])
    } else {
        text
    }
}

/// True for an array of `[string, string]` pairs (headers, query).
fn is_pair_list(v: &Value) -> bool {
    v.as_array().is_some_and(|items| {
        !items.is_empty()
            && items.iter().all(|i| {
                i.as_array()
                    .is_some_and(|p| p.len() == 2 && p.iter().all(Value::is_string))
            })
    })
}

/// Checks that `expected` is a subset of `actual` (see fixtures/README.md).
pub fn subset(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            for (key, w) in want {
                let here = format!("{path}.{key}");
                match got.get(key) {
                    Some(g) => subset(w, g, &here)?,
                    // Empty lists are left out of the JSON form.
                    None if w.is_null() || w.as_array().is_some_and(Vec::is_empty) => {}
                    None => return Err(format!("{here}: missing (expected {})", excerpt(w))),
                }
            }
            Ok(())
        }
        (Value::Array(want), Value::Array(got))
            if is_pair_list(expected) && (got.is_empty() || is_pair_list(actual)) =>
        {
            for pair in want {
                if !got.contains(pair) {
                    return Err(format!(
                        "{path}: pair {pair} not present in {}",
                        excerpt(actual)
                    ));
                }
            }
            Ok(())
        }
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                return Err(format!(
                    "{path}: expected {} items, got {}: {}",
                    want.len(),
                    got.len(),
                    excerpt(actual)
                ));
            }
            want.iter()
                .zip(got)
                .enumerate()
                .try_for_each(|(i, (w, g))| subset(w, g, &format!("{path}[{i}]")))
        }
        (w, g) if w == g => Ok(()),
        (w, g) => Err(format!("{path}: expected {w}, got {}", excerpt(g))),
    }
}

fn status_coverage(adapter: &LoadedAdapter) -> Result<(), String> {
    let declared = &adapter.metadata().statuses;
    if declared.is_empty() {
        return Err("the adapter declares no statuses in its metadata".into());
    }
    let mut failures = Vec::new();
    for s in declared {
        let status = PlatformStatus {
            domain: s.domain,
            value: s.value.clone(),
            context: vec![],
        };
        if let Err(e) = adapter.status_map(&status) {
            failures.push(format!("{}:{} → {e}", domain_name(s.domain), s.value));
        }
    }
    let unknown = PlatformStatus {
        domain: StatusDomain::Order,
        value: "__orderhub_unknown_status__".into(),
        context: vec![],
    };
    match adapter.status_map(&unknown) {
        Err(CallError::Adapter(e))
            if e.kind == orderhub_core::model::AdapterErrorKind::UnknownStatus => {}
        other => failures.push(format!(
            "an unknown status must give unknown-status, got {other:?}"
        )),
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

fn domain_name(d: StatusDomain) -> String {
    serde_json::to_value(d)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The README's canonical-column form of a mapping (fixtures/README.md).
pub fn render_mapping(m: &StatusMapping) -> String {
    let mut parts = Vec::new();
    if let Some(l) = m.lifecycle {
        parts.push(l.as_str().to_string());
    }
    if m.partial {
        parts.push("partial".into());
    }
    if m.deposit_paid {
        parts.push("deposit paid".into());
    }
    match &m.hold {
        Some(HoldChange::Set(reason)) => parts.push(format!("hold: {reason}")),
        Some(HoldChange::Clear) => parts.push("hold cleared".into()),
        None => {}
    }
    if let Some(a) = m.after_sale {
        parts.push(format!("after-sale: {}", a.as_str()));
    }
    if let Some(t) = m.tracking {
        parts.push(format!("tracking: {}", t.as_str()));
    }
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(", ")
    }
}

/// Parses one status-table row: `| domain | `value` [k=v, …] | canonical | meaning |`.
fn parse_row(line: &str) -> Option<(PlatformStatus, String)> {
    let cells: Vec<&str> = line
        .trim()
        .trim_matches('|')
        .split('|')
        .map(str::trim)
        .collect();
    if cells.len() < 3 {
        return None;
    }
    let domain: StatusDomain = serde_json::from_value(Value::String(cells[0].to_string())).ok()?;
    let value_cell = cells[1];
    let start = value_cell.find('`')?;
    let end = start + 1 + value_cell[start + 1..].find('`')?;
    let value = value_cell[start + 1..end].to_string();
    let rest = value_cell[end + 1..].trim();
    let context = match rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        Some(inner) => inner
            .split(',')
            .filter_map(|kv| {
                kv.split_once('=')
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            })
            .collect(),
        None => vec![],
    };
    Some((
        PlatformStatus {
            domain,
            value,
            context,
        },
        cells[2].replace('`', ""),
    ))
}

fn readme_table(adapter: &LoadedAdapter, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let start = text
        .find("<!-- status-table -->")
        .ok_or("the README has no <!-- status-table --> marker")?;
    let end = text[start..]
        .find("<!-- /status-table -->")
        .ok_or("the README has no <!-- /status-table --> marker")?
        + start;
    let mut rows = 0;
    let mut failures = Vec::new();
    let mut documented = Vec::new();
    for line in text[start..end]
        .lines()
        .filter(|l| l.trim_start().starts_with('|'))
    {
        let Some((status, canonical)) = parse_row(line) else {
            continue;
        };
        rows += 1;
        documented.push((status.domain, status.value.clone()));
        match adapter.status_map(&status) {
            Ok((mapping, _)) if render_mapping(&mapping) == canonical => {}
            Ok((mapping, _)) => failures.push(format!(
                "{}:{} {:?}: README says {canonical:?}, status-map gives {:?}",
                domain_name(status.domain),
                status.value,
                status.context,
                render_mapping(&mapping)
            )),
            Err(e) => failures.push(format!(
                "{}:{}: README documents it, status-map fails: {e}",
                domain_name(status.domain),
                status.value
            )),
        }
    }
    if rows == 0 {
        return Err("the status table has no rows".into());
    }
    for s in &adapter.metadata().statuses {
        if !documented
            .iter()
            .any(|(d, v)| *d == s.domain && *v == s.value)
        {
            failures.push(format!(
                "{}:{} is declared but not in the README table",
                domain_name(s.domain),
                s.value
            ));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// A small deterministic generator, so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// Malformed variants of a body: truncations, flipped bytes, and classics.
pub fn malformed_variants(body: &[u8], seeds: u32) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = [
        &b""[..],
        b"{",
        b"}",
        b"[]",
        b"null",
        b"\"text\"",
        b"{\"a\":",
        b"\xff\xfe\xfd",
        b"param=&sign=",
    ]
    .iter()
    .map(|b| b.to_vec())
    .collect();
    out.push(vec![b'['; 10_000]);
    out.push(format!("{{\"id\":{}}}", "9".repeat(400)).into_bytes());
    if !body.is_empty() {
        for div in [2, 3, 5, 7] {
            out.push(body[..body.len() / div].to_vec());
        }
        let mut rng = Lcg(u64::from(seeds) ^ body.len() as u64);
        for _ in 0..seeds {
            let mut b = body.to_vec();
            for _ in 0..=(rng.next() % 4) {
                let i = (rng.next() as usize) % b.len();
                b[i] = (rng.next() & 0xff) as u8;
            }
            out.push(b);
        }
    }
    out
}

fn never_traps(adapter: &LoadedAdapter, fixtures: Option<&Path>, seeds: u32) -> Result<(), String> {
    let mut inputs: Vec<Map<String, Value>> = Vec::new();
    if let Some(dir) = fixtures {
        for entry in std::fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
        {
            let Ok(fixture) = load_json(&entry.path()) else {
                continue;
            };
            if let (Some(obj), Some(req)) = (
                fixture.as_object(),
                fixture.get("request").and_then(Value::as_object),
            ) && let Value::Object(input) = webhook_input(obj, req)
            {
                inputs.push(input);
            }
        }
    }
    if inputs.is_empty() {
        inputs.push(Map::new());
    }
    let mut failures = Vec::new();
    let mut tried = 0;
    for input in &inputs {
        let body = runner::raw_request(input)
            .map(|r| r.body)
            .unwrap_or_default();
        for variant in malformed_variants(&body, seeds) {
            let mut case = input.clone();
            case.remove("body");
            case.insert(
                "body_base64".into(),
                json!(base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    &variant
                )),
            );
            tried += 1;
            match runner::run(adapter, "normalize", &Value::Object(case)) {
                Ok(_) => {}
                Err(e) if e.exit_code == 1 => {}
                Err(e) => {
                    failures.push(format!(
                        "{e} on body {:?}",
                        String::from_utf8_lossy(&variant[..variant.len().min(80)])
                    ));
                    if failures.len() >= 5 {
                        break;
                    }
                }
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} of {tried} malformed inputs crashed normalize:\n{}",
            failures.len(),
            failures.join("\n")
        ))
    }
}

/// Also flips a byte of every webhook fixture that verifies, expecting verification to fail.
pub fn tamper_checks(adapter: &LoadedAdapter, fixtures: &Path) -> Result<usize, String> {
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(fixtures)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
    {
        let fixture = load_json(path)?;
        let (Some(obj), Some(req)) = (
            fixture.as_object(),
            fixture.get("request").and_then(Value::as_object),
        ) else {
            continue;
        };
        if fixture["expect"]["verify"].as_str().unwrap_or("ok") != "ok" {
            continue;
        }
        let Value::Object(mut input) = webhook_input(obj, req) else {
            continue;
        };
        let mut body = runner::raw_request(&input).map_err(|e| e.to_string())?.body;
        if body.is_empty() {
            continue;
        }
        // Flip a byte in the middle: the signature covers the whole body.
        let i = body.len() / 2;
        body[i] = if body[i] == b'7' { b'8' } else { b'7' };
        input.remove("body");
        input.insert(
            "body_base64".into(),
            json!(base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                &body
            )),
        );
        match runner::run(adapter, "verify", &Value::Object(input)) {
            Err(e)
                if e.kind == "bad-signature"
                    || e.kind == "missing-signature"
                    || e.kind == "malformed-payload" =>
            {
                checked += 1
            }
            Err(e) => {
                return Err(format!(
                    "{}: tampered body gave {e}, expected bad-signature",
                    path.display()
                ));
            }
            Ok(_) => {
                return Err(format!(
                    "{}: a tampered body still verifies",
                    path.display()
                ));
            }
        }
    }
    Ok(checked)
}
