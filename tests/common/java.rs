//! Builds and runs the small Java programs of the engine-agreement suite
//! (`tests/engine/*.java`), on the Java libraries Camunda 7 itself reads
//! requests with, as Debian packages them (`scripts/install-engine-deps`).
//!
//! The suite is part of `cargo test`: a machine without a JDK or the jars
//! fails it, with a message naming the script that installs them, unless
//! `INPUT_GUARD_SKIP_ENGINE_TESTS=1` says to skip it on purpose (printed).
// Test support: panics here are test failures, never request paths.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian installs Java libraries; `INPUT_GUARD_JAVA_LIB` overrides.
fn lib_dir() -> PathBuf {
    std::env::var_os("INPUT_GUARD_JAVA_LIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/share/java"))
}

/// A compiled oracle: run it with `java -cp CLASSPATH MAIN ...`.
pub struct Oracle {
    pub classpath: String,
}

impl Oracle {
    /// A `java` command ready for `main` with the oracle's class path.
    pub fn command(&self, main: &str) -> Command {
        let mut cmd = Command::new("java");
        // The platform charset decides how commons-fileupload reads part
        // headers; fixed to UTF-8 so runs agree whatever the machine's locale.
        cmd.arg("-Dfile.encoding=UTF-8")
            .arg("-Xshare:auto")
            .arg("-XX:+UseSerialGC")
            .arg("-XX:TieredStopAtLevel=1")
            .arg("-cp")
            .arg(&self.classpath)
            .arg(main);
        cmd
    }
}

/// Compiles `sources` (paths relative to `tests/engine/`) against `jars`
/// (file names in the Java library folder) into a folder of its own named
/// `name`. Returns `None` only when skipping was asked for.
pub fn build(name: &str, sources: &[&str], jars: &[&str]) -> Option<Oracle> {
    let skip = std::env::var("INPUT_GUARD_SKIP_ENGINE_TESTS").is_ok_and(|v| v == "1");
    let lib = lib_dir();
    let missing: Vec<&str> = jars
        .iter()
        .copied()
        .filter(|j| !lib.join(j).exists())
        .collect();
    let javac = Command::new("javac").arg("-version").output().is_ok();
    if !javac || !missing.is_empty() {
        let why = if javac {
            format!("missing jars in {}: {missing:?}", lib.display())
        } else {
            "no javac".to_owned()
        };
        if skip {
            eprintln!(
                "SKIPPED engine-agreement oracle {name}: {why} (INPUT_GUARD_SKIP_ENGINE_TESTS=1)"
            );
            return None;
        }
        panic!(
            "engine-agreement oracle {name} cannot be built: {why}. Run scripts/install-engine-deps, \
             or set INPUT_GUARD_SKIP_ENGINE_TESTS=1 to skip the engine-agreement suite on purpose"
        );
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engine");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("engine-oracles")
        .join(name);
    std::fs::create_dir_all(&out).expect("create oracle output folder");
    let jar_paths: Vec<PathBuf> = jars.iter().map(|j| lib.join(j)).collect();
    let deps = std::env::join_paths(&jar_paths).expect("class path");
    let deps = deps.to_string_lossy().into_owned();
    let status = Command::new("javac")
        .arg("-nowarn")
        .arg("-encoding")
        .arg("UTF-8")
        .arg("-d")
        .arg(&out)
        .arg("-cp")
        .arg(&deps)
        .args(sources.iter().map(|s| here.join(s)))
        .status()
        .expect("run javac");
    assert!(status.success(), "javac failed for oracle {name}");
    let classpath = std::env::join_paths(std::iter::once(out).chain(jar_paths))
        .expect("class path")
        .to_string_lossy()
        .into_owned();
    Some(Oracle { classpath })
}
