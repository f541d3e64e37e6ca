//! What Spin 4.1 provides to an HTTP component: the interfaces of its
//! `spin:up@4.1.0` platform world, the handler exports its HTTP trigger
//! calls, and a check of a component's imports against them.
//!
//! A component (or a component dependency, whose imports Spin serves the
//! same way) that imports anything else fails to start under `spin up`;
//! checking here keeps that failure in the test suite.

use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

/// The Spin release these lists describe.
pub const SPIN_VERSION: &str = "4.1";

const WASI_CLI_P2: &[&str] = &[
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/wall-clock",
    "wasi:filesystem/types",
    "wasi:filesystem/preopens",
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:sockets/network",
    "wasi:sockets/instance-network",
    "wasi:sockets/udp",
    "wasi:sockets/udp-create-socket",
    "wasi:sockets/tcp",
    "wasi:sockets/tcp-create-socket",
    "wasi:sockets/ip-name-lookup",
    // `import wasi:http/outgoing-handler@0.2.6` and the types it uses.
    "wasi:http/types",
    "wasi:http/outgoing-handler",
];

const WASI_CLI_P3: &[&str] = &[
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/types",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:clocks/types",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/system-clock",
    "wasi:clocks/timezone",
    "wasi:filesystem/types",
    "wasi:filesystem/preopens",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:sockets/types",
    "wasi:sockets/ip-name-lookup",
    // `import wasi:http/client` and the types it uses.
    "wasi:http/types",
    "wasi:http/client",
];

/// Spin's own interfaces and the other proposals it serves, full names.
const SPIN_INTERFACES: &[&str] = &[
    "fermyon:spin/llm@2.0.0",
    "fermyon:spin/redis@2.0.0",
    "fermyon:spin/mqtt@2.0.0",
    "fermyon:spin/rdbms-types@2.0.0",
    "fermyon:spin/postgres@2.0.0",
    "fermyon:spin/mysql@2.0.0",
    "fermyon:spin/sqlite@2.0.0",
    "fermyon:spin/key-value@2.0.0",
    "fermyon:spin/variables@2.0.0",
    "wasi:keyvalue/store@0.2.0-draft2",
    "wasi:keyvalue/batch@0.2.0-draft2",
    "wasi:keyvalue/atomics@0.2.0-draft2",
    "spin:key-value/key-value@3.0.0",
    "spin:mqtt/mqtt@3.0.0",
    "spin:mysql/mysql@3.0.0",
    "spin:postgres/postgres@3.0.0",
    "spin:postgres/postgres@4.2.0",
    "spin:redis/redis@3.0.0",
    "spin:sqlite/sqlite@3.1.0",
    "spin:variables/variables@3.0.0",
    "wasi:config/store@0.2.0-draft-2024-09-27",
];

/// The WASI HTTP handler exports Spin's HTTP trigger calls.
pub const HTTP_HANDLER_EXPORTS: &[&str] = &[
    "wasi:http/incoming-handler@0.2.6",
    "wasi:http/handler@0.3.0-rc-2026-03-15",
    "wasi:http/handler@0.3.0",
];

/// Every interface Spin 4.1 provides, as `package/interface@version`.
pub fn provided() -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    all.extend(WASI_CLI_P2.iter().map(|i| format!("{i}@0.2.6")));
    for version in ["0.3.0-rc-2026-03-15", "0.3.0"] {
        all.extend(WASI_CLI_P3.iter().map(|i| format!("{i}@{version}")));
    }
    all.extend(SPIN_INTERFACES.iter().map(|i| i.to_string()));
    all
}

/// `(major, minor, patch, pre-release)` of a version text.
fn version(text: &str) -> Option<(u64, u64, u64, &str)> {
    let (core, pre) = text.split_once('-').unwrap_or((text, ""));
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??, pre))
}

/// Whether an import of `wanted` is served by a definition of `offered`,
/// by the component model's semver rule as wasmtime applies it: the same
/// interface, and a version that is the same, or a release of the same
/// major (for 0.x: minor) no newer than the one offered.
fn satisfies(offered: &str, wanted: &str) -> bool {
    let (Some((o_name, o_ver)), Some((w_name, w_ver))) =
        (offered.split_once('@'), wanted.split_once('@'))
    else {
        return offered == wanted;
    };
    if o_name != w_name {
        return false;
    }
    if o_ver == w_ver {
        return true;
    }
    match (version(o_ver), version(w_ver)) {
        (Some((om, on, op, "")), Some((wm, wn, wp, ""))) => {
            let same_track = if om == 0 {
                wm == 0 && on == wn
            } else {
                om == wm
            };
            same_track && (wm, wn, wp) <= (om, on, op)
        }
        _ => false,
    }
}

/// Whether Spin 4.1 provides the interface `import`.
pub fn provides(import: &str) -> bool {
    provided().iter().any(|offered| satisfies(offered, import))
}

/// What a component imports, and whether each import is a type-only
/// interface (an instance that exports no function or resource, like
/// `orderhub:adapter/types`): such imports need no definition from the host.
pub fn imports(engine: &Engine, component: &Component) -> Vec<(String, bool)> {
    let ty = component.component_type();
    ty.imports(engine)
        .map(|(name, item)| {
            let type_only = match item.ty {
                ComponentItem::ComponentInstance(instance) => instance
                    .exports(engine)
                    .all(|(_, e)| matches!(e.ty, ComponentItem::Type(_))),
                _ => false,
            };
            (name.to_string(), type_only)
        })
        .collect()
}

/// The imports of `component` that Spin 4.1 does not provide, other than
/// type-only ones and those in `served` (satisfied by component
/// dependencies).
pub fn unprovided(engine: &Engine, component: &Component, served: &[&str]) -> Vec<String> {
    imports(engine, component)
        .into_iter()
        .filter(|(name, type_only)| {
            !type_only && !served.contains(&name.as_str()) && !provides(name)
        })
        .map(|(name, _)| name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_match_as_wasmtime_matches_them() {
        assert!(provides("wasi:io/poll@0.2.6"));
        assert!(
            provides("wasi:io/poll@0.2.0"),
            "older 0.2 releases are served"
        );
        assert!(!provides("wasi:io/poll@0.2.7"), "newer than Spin's 0.2.6");
        assert!(provides("wasi:http/types@0.3.0"));
        assert!(
            !provides("wasi:http/handler@0.3.0"),
            "an export, not an import"
        );
        assert!(
            !provides("wasi:http/types@0.3.0-rc-2025-09-16"),
            "other snapshots are not"
        );
        assert!(provides("spin:sqlite/sqlite@3.1.0"));
        assert!(provides("spin:sqlite/sqlite@3.0.0"));
        assert!(!provides("orderhub:adapter/log@0.2.0"));
    }
}
