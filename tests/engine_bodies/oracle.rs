//! The one run of the Java body oracle over the whole batch.

use std::io::BufRead;

use super::*;
use common::java;

fn write_batch(cases: &[Case], path: &Path) {
    let mut out = Vec::new();
    out.extend_from_slice(&u32::try_from(cases.len()).unwrap().to_be_bytes());
    for c in cases {
        let header = format!("{}\t{}\t{}", c.kind.name(), c.route(), c.content_type);
        for block in [header.as_bytes(), &c.body] {
            out.extend_from_slice(&u32::try_from(block.len()).unwrap().to_be_bytes());
            out.extend_from_slice(block);
        }
    }
    std::fs::write(path, out).unwrap();
}

pub(crate) fn run_oracle(cases: &[Case]) -> Option<Vec<Value>> {
    let oracle = java::build(
        "bodies",
        &[
            "BodyOracle.java",
            "BodyOracleJson.java",
            "BodyOracleXml.java",
            "BodyOracleMultipart.java",
        ],
        &[
            "jackson-databind.jar",
            "jackson-core.jar",
            "jackson-annotations.jar",
            "commons-fileupload.jar",
            "commons-io.jar",
        ],
    )?;
    let batch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("engine-bodies.bin");
    write_batch(cases, &batch);
    // commons-fileupload decodes part headers with the platform charset
    // (Camunda passes no request encoding): `Oracle::command` fixes it to
    // UTF-8, the default of Java 18+ and of every UTF-8 locale.
    let mut cmd = oracle.command("BodyOracle");
    cmd.arg(&batch);
    let output = cmd.output().expect("run the body oracle");
    assert!(
        output.status.success(),
        "the body oracle failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let facts: Vec<Value> = output
        .stdout
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).expect("an oracle line is JSON"))
        .collect();
    assert_eq!(facts.len(), cases.len(), "one oracle line per case");
    Some(facts)
}
