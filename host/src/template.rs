//! `orderhub adapter new`: a new adapter crate from the template in
//! `templates/adapter/`, embedded in the binary so it works anywhere.
//!
//! The crate it writes is complete and self-contained: its own Cargo
//! workspace, the contract (`wit/adapter.wit`, this host's copy), a README
//! skeleton with the status table the conformance suite checks, one example
//! fixture, and a Makefile that builds the component for `wasm32-wasip2` and
//! runs `orderhub adapter test` on it. It depends on crates.io only, never on
//! this repository. `docs/tutorial.md` walks through its code.

use std::path::{Path, PathBuf};

/// The template's files: path in the new crate, text with `{{…}}` placeholders.
const FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../../templates/adapter/Cargo.toml.tmpl"),
    ),
    (
        "Makefile",
        include_str!("../../templates/adapter/Makefile.tmpl"),
    ),
    (
        "README.md",
        include_str!("../../templates/adapter/README.md.tmpl"),
    ),
    (
        ".gitignore",
        include_str!("../../templates/adapter/gitignore.tmpl"),
    ),
    (
        "src/lib.rs",
        include_str!("../../templates/adapter/src/lib.rs.tmpl"),
    ),
    (
        "fixtures/order-paid.json",
        include_str!("../../templates/adapter/fixtures/order-paid.json.tmpl"),
    ),
    // The contract itself, copied verbatim: the component is built against
    // exactly the version this host speaks.
    ("wit/adapter.wit", include_str!("../../wit/adapter.wit")),
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

/// Replaces the placeholders of one template file.
pub fn render(text: &str, id: &str, kind: &str) -> Result<String, TemplateError> {
    let kind_variant = match kind {
        "channel" => "Channel",
        "carrier" => "Carrier",
        "erp" => "Erp",
        other => return Err(TemplateError::BadKind(other.to_string())),
    };
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
    if dir
        .read_dir()
        .is_ok_and(|mut entries| entries.next().is_some())
    {
        return Err(TemplateError::NotEmpty(dir.to_path_buf()));
    }
    let mut written = Vec::new();
    for (relative, text) in FILES {
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
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("acme");
        let files = generate("acme-shop", "carrier", &target).unwrap();
        assert_eq!(files.len(), FILES.len());
        for f in &files {
            let text = std::fs::read_to_string(target.join(f)).unwrap();
            assert!(!text.contains("{{"), "{} keeps a placeholder", f.display());
        }
        let lib = std::fs::read_to_string(target.join("src/lib.rs")).unwrap();
        assert!(lib.contains("kind: AdapterKind::Carrier,"));
        assert!(lib.contains("id: \"acme-shop\".into(),"));
        let make = std::fs::read_to_string(target.join("Makefile")).unwrap();
        assert!(make.contains("release/adapter_acme_shop.wasm"));
        let wit = std::fs::read_to_string(target.join("wit/adapter.wit")).unwrap();
        assert!(wit.contains("package orderhub:adapter@0.1.0;"));
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
