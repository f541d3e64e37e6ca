//! `orderhub adapter new`: a new adapter crate from the template in
//! `templates/adapter/`, embedded in the binary so it works anywhere.
//!
//! The crate it writes is complete and self-contained: its own Cargo
//! workspace, the contract (`wit/adapter.wit`, this host's copy), a README
//! skeleton with the status table the conformance suite checks, example
//! fixtures, and a Makefile that builds the component for `wasm32-wasip2` and
//! runs `orderhub adapter test` on it. It depends on crates.io only, never on
//! this repository (so it cannot use the workspace's adapter kit and writes
//! every contract function out). `docs/tutorial.md` walks through its code.
//!
//! Each kind gets a working example of its own: a channel's signed order
//! webhook, a carrier's tracking push with checkpoints, an ERP's delivery
//! note with warehouse and lines. The example files of a kind are named
//! `<file>.<kind>.tmpl` in the template directory (the channel's have no
//! kind in their name); the build files are shared.

use std::path::{Path, PathBuf};

/// One file of the new crate: its path there, and its text with `{{…}}` placeholders.
type TemplateFile = (&'static str, &'static str);

/// The files every kind gets.
const COMMON: &[TemplateFile] = &[
    (
        "Cargo.toml",
        include_str!("../../templates/adapter/Cargo.toml.tmpl"),
    ),
    (
        "Makefile",
        include_str!("../../templates/adapter/Makefile.tmpl"),
    ),
    (
        ".gitignore",
        include_str!("../../templates/adapter/gitignore.tmpl"),
    ),
    // The contract itself, copied verbatim: the component is built against
    // exactly the version this host speaks.
    ("wit/adapter.wit", include_str!("../../wit/adapter.wit")),
];

/// A channel: signed JSON order webhooks (the tutorial's code).
const CHANNEL: &[TemplateFile] = &[
    (
        "README.md",
        include_str!("../../templates/adapter/README.md.tmpl"),
    ),
    (
        "src/lib.rs",
        include_str!("../../templates/adapter/src/lib.rs.tmpl"),
    ),
    (
        "fixtures/order-paid.json",
        include_str!("../../templates/adapter/fixtures/order-paid.json.tmpl"),
    ),
];

/// A carrier: signed tracking pushes with checkpoints.
const CARRIER: &[TemplateFile] = &[
    (
        "README.md",
        include_str!("../../templates/adapter/README.md.carrier.tmpl"),
    ),
    (
        "src/lib.rs",
        include_str!("../../templates/adapter/src/lib.rs.carrier.tmpl"),
    ),
    (
        "fixtures/tracking-delivered.json",
        include_str!("../../templates/adapter/fixtures/tracking-delivered.json.carrier.tmpl"),
    ),
];

/// An ERP/WMS: signed delivery notes with warehouse, lines and waybill.
const ERP: &[TemplateFile] = &[
    (
        "README.md",
        include_str!("../../templates/adapter/README.md.erp.tmpl"),
    ),
    (
        "src/lib.rs",
        include_str!("../../templates/adapter/src/lib.rs.erp.tmpl"),
    ),
    (
        "fixtures/delivery-note-shipped.json",
        include_str!("../../templates/adapter/fixtures/delivery-note-shipped.json.erp.tmpl"),
    ),
];

/// The kinds `--kind` accepts, with the contract's name of each and its example.
const KINDS: &[(&str, &str, &[TemplateFile])] = &[
    ("channel", "Channel", CHANNEL),
    ("carrier", "Carrier", CARRIER),
    ("erp", "Erp", ERP),
];

/// Why a crate could not be created.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("adapter id {0:?} must be lower-case letters, digits and '-', starting with a letter")]
    BadId(String),
    #[error("kind {0:?} must be channel, carrier or erp")]
    BadKind(String),
    #[error("{0} already exists and is not empty; choose another --dir")]
    NotEmpty(PathBuf),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The contract's variant name and the example files of `kind`.
fn kind_of(kind: &str) -> Result<(&'static str, &'static [TemplateFile]), TemplateError> {
    KINDS
        .iter()
        .find(|(name, _, _)| *name == kind)
        .map(|(_, variant, files)| (*variant, *files))
        .ok_or_else(|| TemplateError::BadKind(kind.to_string()))
}

/// Replaces the placeholders of one template file.
pub fn render(text: &str, id: &str, kind: &str) -> Result<String, TemplateError> {
    let (kind_variant, _) = kind_of(kind)?;
    Ok(text
        .replace("{{id}}", id)
        .replace("{{crate}}", &format!("adapter_{}", id.replace('-', "_")))
        .replace("{{kind_variant}}", kind_variant)
        .replace("{{kind}}", kind))
}

fn valid_id(id: &str) -> bool {
    id.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.ends_with('-')
}

/// Writes a new adapter crate for `id` into `dir` (created; it must be
/// missing or empty). Returns the files written, relative to `dir`.
pub fn generate(id: &str, kind: &str, dir: &Path) -> Result<Vec<PathBuf>, TemplateError> {
    if !valid_id(id) {
        return Err(TemplateError::BadId(id.to_string()));
    }
    let (_, example) = kind_of(kind)?;
    if dir
        .read_dir()
        .is_ok_and(|mut entries| entries.next().is_some())
    {
        return Err(TemplateError::NotEmpty(dir.to_path_buf()));
    }
    let mut written = Vec::new();
    for (relative, text) in COMMON.iter().chain(example) {
        let text = if relative.ends_with(".wit") {
            (*text).to_string()
        } else {
            render(text, id, kind)?
        };
        let path = dir.join(relative);
        let write = |p: &Path| -> std::io::Result<()> {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(p, &text)
        };
        write(&path).map_err(|source| TemplateError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(PathBuf::from(relative));
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_all_replaced() {
        for (kind, _, example) in KINDS {
            let dir = tempfile::tempdir().unwrap();
            let target = dir.path().join("acme");
            let files = generate("acme-shop", kind, &target).unwrap();
            assert_eq!(files.len(), COMMON.len() + example.len(), "{kind}");
            for f in &files {
                let text = std::fs::read_to_string(target.join(f)).unwrap();
                // The contract's own `{{` would not be a placeholder; it has none.
                assert!(
                    !text.contains("{{"),
                    "{kind}: {} keeps a placeholder",
                    f.display()
                );
            }
            let lib = std::fs::read_to_string(target.join("src/lib.rs")).unwrap();
            assert!(lib.contains("id: \"acme-shop\".into(),"), "{kind}");
            let make = std::fs::read_to_string(target.join("Makefile")).unwrap();
            assert!(make.contains("release/adapter_acme_shop.wasm"), "{kind}");
            let wit = std::fs::read_to_string(target.join("wit/adapter.wit")).unwrap();
            assert!(wit.contains("package orderhub:adapter@0.2.0;"), "{kind}");
        }
    }

    /// The kind chooses the example, not only the declared kind.
    #[test]
    fn each_kind_writes_its_own_example() {
        let generated = |kind: &str| {
            let dir = tempfile::tempdir().unwrap();
            let files = generate("acme", kind, dir.path()).unwrap();
            let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
            (files, read("src/lib.rs"), read("README.md"))
        };

        let (files, lib, readme) = generated("channel");
        assert!(files.contains(&PathBuf::from("fixtures/order-paid.json")));
        assert!(lib.contains("kind: AdapterKind::Channel,"));
        assert!(lib.contains("body: EventBody::Order(Order {"));
        assert!(readme.contains("| order | `paid` | paid |"));

        let (files, lib, readme) = generated("carrier");
        assert!(files.contains(&PathBuf::from("fixtures/tracking-delivered.json")));
        assert!(lib.contains("kind: AdapterKind::Carrier,"));
        assert!(lib.contains("body: EventBody::Shipment(Shipment {"));
        assert!(lib.contains("checkpoints,"));
        assert!(readme.contains("| tracking | `delivered` | tracking: delivered |"));

        let (files, lib, readme) = generated("erp");
        assert!(files.contains(&PathBuf::from("fixtures/delivery-note-shipped.json")));
        assert!(lib.contains("kind: AdapterKind::Erp,"));
        assert!(lib.contains("warehouse: Some(warehouse),"));
        assert!(lib.contains("fn shipped_line("));
        assert!(readme.contains("| fulfillment | `shipped` | shipped |"));
    }

    /// Every Rust excerpt of `docs/tutorial.md` is code of the template, which
    /// the workspace tests build and install; so the tutorial compiles.
    #[test]
    fn tutorial_excerpts_are_the_template_code() {
        let tutorial = include_str!("../../docs/tutorial.md");
        let lib = render(
            include_str!("../../templates/adapter/src/lib.rs.tmpl"),
            "tutorial-shop",
            "channel",
        )
        .unwrap();
        let mut excerpts = 0;
        for block in tutorial.split("```rust\n").skip(1) {
            let code = block.split("```").next().unwrap_or_default();
            assert!(
                lib.contains(code),
                "docs/tutorial.md shows code the template does not have:\n{code}"
            );
            excerpts += 1;
        }
        assert!(excerpts >= 8, "only {excerpts} excerpts found");
    }

    #[test]
    fn bad_ids_kinds_and_busy_dirs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            generate("Acme", "channel", dir.path()),
            Err(TemplateError::BadId(_))
        ));
        assert!(matches!(
            generate("acme", "shop", &dir.path().join("x")),
            Err(TemplateError::BadKind(_))
        ));
        std::fs::write(dir.path().join("file"), "x").unwrap();
        assert!(matches!(
            generate("acme", "channel", dir.path()),
            Err(TemplateError::NotEmpty(_))
        ));
    }
}
