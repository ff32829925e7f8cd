//! The crate's layers, checked: modules follow the data, and each may use
//! only the layers before it (policy -> engine profile -> inspectors ->
//! guard -> layer), so there are no import cycles between them.
//!
//! The check reads the sources: every `crate::<module>` path outside
//! comments and test modules is an edge.

/// Top-level modules, each allowed to use only those listed before it.
const LAYERS: &[&str] = &[
    "violation",
    "media_type",
    "classes",
    "policy",
    "engine",
    "inspect",
    "routes",
    "guard",
    "layer",
];

#[test]
fn modules_use_only_earlier_layers() {
    // Unwraps here are test failures, not request paths.
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut bad = Vec::new();
    let mut seen = 0;
    for file in files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let top = rel.split(['/', '.']).next().unwrap_or_default().to_owned();
        let Some(layer) = LAYERS.iter().position(|l| *l == top) else {
            // lib.rs, this file and the binary sit above every layer.
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for line in code.lines() {
            let line = line.split("//").next().unwrap_or_default();
            for (at, _) in line.match_indices("crate::") {
                let used: String = line[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let Some(target) = LAYERS.iter().position(|l| *l == used) else {
                    continue;
                };
                seen += 1;
                if target > layer {
                    bad.push(format!("{rel} uses crate::{used}"));
                }
            }
        }
    }
    assert!(seen > 20, "the scan found only {seen} cross-module paths");
    assert!(bad.is_empty(), "layering broken:\n{}", bad.join("\n"));
}
