//! The shipped policies load, and policies/README.md documents every key the
//! loader knows.

// Test code: unwraps here are test failures, not request paths.
mod common;

use common::policy::shipped;
use input_guard::policy::{Mode, Policy, PolicyErrorKind};
use input_guard::{Guard, classes::TypeDecision};

#[test]
fn camunda_policy_is_secure_by_default() {
    let policy = shipped("camunda.toml");
    assert_eq!(policy.mode, Mode::Enforce);
    assert_eq!(policy.query.max_results, 1000);
    let guard = Guard::new(policy).expect("a valid policy");
    let filter = guard.class_filter();
    for allowed in [
        "java.lang.String",
        "java.util.ArrayList<java.lang.Long>",
        "java.util.HashMap<java.lang.String, java.util.LinkedList<java.math.BigDecimal>>",
        "java.util.Arrays$ArrayList",
        "java.time.LocalDate",
        "[Ljava.lang.Integer;",
    ] {
        assert!(filter.check(allowed).is_allowed(), "{allowed}");
    }
    // What Camunda's own defaults admit through `java.lang` prefix matching.
    for denied in [
        "java.lang.Runtime",
        "java.lang.ProcessBuilder",
        "java.lang.reflect.Proxy",
        "java.langx.Evil",
        "java.lang.Thread",
        "java.lang.ClassLoader",
        "java.util.ServiceLoader",
        "java.util.List",
        "com.sun.rowset.JdbcRowSetImpl",
        "java.util.ArrayList<org.apache.commons.collections.functors.InvokerTransformer>",
    ] {
        assert!(!filter.check(denied).is_allowed(), "{denied}");
    }
}

#[test]
fn strict_policy_allows_no_class() {
    let guard = Guard::new(shipped("strict.toml")).expect("a valid policy");
    assert!(guard.policy().classes.allow.is_empty());
    assert!(matches!(
        guard.class_filter().check("java.lang.String"),
        TypeDecision::Denied { .. }
    ));
    assert!(guard.class_filter().check("int[]").is_allowed());
}

/// The keys the loader accepts at `section` (empty: the top level), read off
/// its own "unknown key" error so this test follows the code.
fn keys(section: &str) -> Vec<String> {
    let text = match section {
        "" => "zz_not_a_key = 1\n".to_owned(),
        "routes" => "[[routes]]\npath = \"/\"\nzz_not_a_key = 1\n".to_owned(),
        _ => format!("[{section}]\nzz_not_a_key = 1\n"),
    };
    match Policy::from_toml(&text).unwrap_err().kind() {
        PolicyErrorKind::UnknownKey { expected } => expected.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn readme_documents_every_key() {
    let readme =
        std::fs::read_to_string(format!("{}/policies/README.md", env!("CARGO_MANIFEST_DIR")))
            .expect("policies/README.md");
    let top = keys("");
    assert!(top.contains(&"mode".to_owned()), "{top:?}");
    for key in &top {
        if ["engine", "mode", "builtin_routes"].contains(&key.as_str()) {
            let row = format!("| `{key}` |");
            assert!(readme.contains(&row), "README lacks {row}");
            continue;
        }
        let documented: Vec<String> = keys(key);
        assert!(!documented.is_empty());
        for sub in documented {
            let row = if key == "routes" {
                format!("| `[[routes]] {sub}` |")
            } else {
                format!("| `[{key}] {sub}` |")
            };
            assert!(readme.contains(&row), "README lacks {row}");
        }
    }
}

#[test]
fn readme_lists_every_builtin_route() {
    let readme =
        std::fs::read_to_string(format!("{}/policies/README.md", env!("CARGO_MANIFEST_DIR")))
            .expect("policies/README.md");
    let routes = input_guard::policy::BuiltinRoutes::Camunda7.routes();
    assert!(routes.len() > 40);
    for route in routes {
        let path = route
            .path
            .strip_prefix(
                "/{engine-rest,engine-rest/engine/*,api/engine/engine/*,*/api/engine/engine/*}",
            )
            .unwrap_or_else(|| panic!("{}: not under every engine prefix", route.path));
        let row = format!("| `{path}` |");
        assert!(readme.contains(&row), "README lacks {row}");
    }
}

/// Camunda's default validator admits its value types before any configured
/// list; a policy that carries `deserializationAllowedPackages` over must do
/// the same, without Camunda's over-broad `java.lang` prefix.
#[test]
fn builtin_value_types_admit_what_camunda_admits_by_default() {
    let guard = |text: &str| {
        Guard::new(Policy::from_toml(text).unwrap_or_else(|e| panic!("{e}")))
            .expect("a valid policy")
    };
    let util = guard("[classes]\nallow = [\"java.util.*\"]\n");
    let acme = guard("[classes]\nallow = [\"com.acme.**\"]\n");
    for (filter, name) in [
        (
            &util,
            "java.util.HashMap<java.lang.String,java.lang.Object>",
        ),
        (&util, "java.util.ArrayList<java.lang.Long>"),
        (&acme, "java.util.HashMap<java.lang.String, com.acme.Order>"),
        (&acme, "java.util.ArrayList<com.acme.Order>"),
        (&acme, "java.util.Arrays$ArrayList"),
        (
            &acme,
            "java.util.TreeMap<java.lang.String,java.lang.Double>",
        ),
        (&acme, "[Ljava.lang.Integer;"),
        (&acme, "java.lang.Number"),
    ] {
        assert!(filter.class_filter().check(name).is_allowed(), "{name}");
    }
    // Near misses: what Camunda's `java.lang` prefix would also admit, other
    // collections, other spellings, and an unlisted class inside a value type.
    for (filter, name) in [
        (&acme, "java.lang.Runtime"),
        (&acme, "java.lang.ProcessBuilder"),
        (&acme, "java.lang.reflect.Method"),
        (&acme, "java.lang.Class"),
        (&acme, "java.lang.Thread"),
        (&acme, "java.langx.Evil"),
        (&acme, "java.lang.string"),
        (&acme, "java.lang.String$Evil"),
        (&acme, "java.util.Vector"),
        (&acme, "java.util.HashMap<java.lang.String, org.acme.Order>"),
        (
            &util,
            "java.util.HashMap<java.lang.String,java.lang.Runtime>",
        ),
    ] {
        assert!(!filter.class_filter().check(name).is_allowed(), "{name}");
    }
    // A policy's deny beats a built-in value type; "none" turns them off.
    let denied = guard("[classes]\nallow = [\"com.acme.**\"]\ndeny = [\"java.lang.String\"]\n");
    assert!(!denied.class_filter().check("java.lang.String").is_allowed());
    let none = guard("[classes]\nallow = [\"com.acme.**\"]\nbuiltin_value_types = \"none\"\n");
    assert!(!none.class_filter().check("java.lang.String").is_allowed());
    assert!(none.class_filter().check("com.acme.Order").is_allowed());
    assert!(Policy::from_toml("[classes]\nbuiltin_value_types = \"camunda8\"\n").is_err());
}

/// The same through a request: a start request with a typed `HashMap`.
#[test]
fn builtin_value_types_apply_to_typed_variables() {
    let guard = Guard::new(Policy::from_toml("[classes]\nallow = [\"com.acme.**\"]\n").unwrap())
        .expect("a valid policy");
    let (head, ()) = http::Request::post("/engine-rest/process-definition/key/p/start")
        .header("content-type", "application/json")
        .body(())
        .unwrap()
        .into_parts();
    let body = |class: &str| {
        format!(
            r#"{{"variables":{{"o":{{"type":"Object","value":"{{}}","valueInfo":{{"objectTypeName":"{class}","serializationDataFormat":"application/json"}}}}}}}}"#
        )
    };
    let ok = body("java.util.HashMap<java.lang.String,com.acme.Order>");
    assert!(guard.check(&head, ok.as_bytes()).is_allowed());
    let bad = body("java.util.HashMap<java.lang.String,java.lang.ProcessBuilder>");
    let verdict = guard.check(&head, bad.as_bytes());
    assert_eq!(
        verdict.violation().map(|v| v.code().as_str()),
        Some("class-not-allowed")
    );
}

/// `[upstream]` and `[cors]`: defaults, values, and errors that name the key.
#[test]
fn upstream_and_cors_sections() {
    let policy = Policy::from_toml("").unwrap();
    assert!(policy.upstream.mask_errors);
    assert_eq!(policy.upstream.max_error_bytes, 4096);
    assert!(policy.cors.is_none(), "no section: Origin is not judged");

    let policy = Policy::from_toml(
        "[upstream]\nmask_errors = false\nmax_error_bytes = \"8KiB\"\n[cors]\nallow_origins = [\"HTTPS://Tasklist.Example.com:8443\"]\nallow_methods = [\"get\", \"post\"]\nallow_headers = [\"Content-Type\"]\nallow_credentials = true\nmax_age_secs = 60\n",
    )
    .unwrap();
    assert!(!policy.upstream.mask_errors);
    assert_eq!(policy.upstream.max_error_bytes, 8192);
    let cors = policy.cors.unwrap();
    assert_eq!(cors.allow_origins, ["https://tasklist.example.com:8443"]);
    assert_eq!(cors.allow_methods, [http::Method::GET, http::Method::POST]);
    assert_eq!(cors.allow_headers, ["content-type"]);
    assert!(cors.allow_credentials);
    assert_eq!(cors.max_age_secs, 60);

    let errors = Policy::from_toml_all(
        "[cors]\nallow_origins = [\"*\", \"https://a.example/path\", \"ftp://b\"]\nallow_headers = [\"bad header\"]\n[upstream]\nmax_error_bytes = 0\n",
    )
    .unwrap_err();
    let keys: Vec<&str> = errors.iter().map(|e| e.key()).collect();
    assert_eq!(
        keys,
        [
            "cors.allow_origins[0]",
            "cors.allow_origins[1]",
            "cors.allow_origins[2]",
            "cors.allow_headers[0]",
            "upstream.max_error_bytes"
        ]
    );
}
