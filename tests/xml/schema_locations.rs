//! `xsi:schemaLocation`, `xsi:noNamespaceSchemaLocation` and XSD
//! `import`/`include`/`redefine`/`override` locations, as the policy says.

use super::*;

fn schema_location_doc(value: &str) -> String {
    format!(
        "<r xmlns=\"urn:r\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"{value}\"/>"
    )
}

fn no_namespace_schema_location_doc(value: &str) -> String {
    format!(
        "<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"{value}\"/>"
    )
}

/// Schema locations the default policy accepts.
const PUBLIC_SCHEMA_LOCATIONS: &[&str] = &[
    "https://maven.apache.org/xsd/maven-4.0.0.xsd",
    "http://www.omg.org/spec/BPMN/20100524/BPMN20.xsd",
    "BPMN20.xsd",
    "xsd/BPMN20.xsd",
    "HTTP://Example.COM:8080/x.xsd",
    "http://8.8.8.8/x.xsd",
    "http://[2001:db8::1]/x.xsd",
];

/// Schema locations the default policy rejects.
const PRIVATE_SCHEMA_LOCATIONS: &[&str] = &[
    "file:///etc/passwd",
    "file:/etc/passwd",
    "jar:http://evil.example/x.jar!/x.xsd",
    "ftp://evil.example/x.xsd",
    "netdoc:/etc/passwd",
    "gopher://evil.example/_x",
    "data:text/plain,x",
    "http://127.0.0.1/x.xsd",
    "http://127.1/x.xsd",
    "http://2130706433/x.xsd",
    "http://0x7f000001/x.xsd",
    "http://0x7F.1/x.xsd",
    "http://0177.0.0.1/x.xsd",
    "http://[::1]/x.xsd",
    "http://[0:0:0:0:0:0:0:1]:8080/x.xsd",
    "http://[::ffff:127.0.0.1]/x.xsd",
    "http://[fe80::1]/x.xsd",
    "http://[fd00::1]/x.xsd",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/x.xsd",
    "http://172.16.0.1/x.xsd",
    "http://192.168.1.1:8080/x.xsd",
    "http://0.0.0.0/x.xsd",
    "http://localhost/x.xsd",
    "http://LOCALHOST.:8080/x.xsd",
    "http://api.localhost/x.xsd",
    "http://user@evil.example/x.xsd",
    "/etc/x.xsd",
    "../../etc/x.xsd",
    "C:\\x.xsd",
];

#[test]
fn schema_locations_follow_the_policy() {
    let mut by_default = Vec::new();
    let mut any = Vec::new();
    let mut none = Vec::new();
    for (locations, expected) in [
        (PUBLIC_SCHEMA_LOCATIONS, OK),
        (PRIVATE_SCHEMA_LOCATIONS, SCHEMA),
    ] {
        for &location in locations {
            for doc in [
                schema_location_doc(&format!("urn:r {location}")),
                no_namespace_schema_location_doc(location),
            ] {
                by_default.push((location, doc.clone(), expected));
                any.push((location, doc.clone(), OK));
                none.push((location, doc, SCHEMA));
            }
        }
    }
    check(&XmlPolicy::default(), &by_default);
    check(&policy(|p| p.schema_locations = SchemaLocations::Any), &any);
    check(
        &policy(|p| p.schema_locations = SchemaLocations::None),
        &none,
    );
    let camunda = camunda();
    assert_eq!(camunda.schema_locations, SchemaLocations::PublicHttp);
    check(&camunda, &by_default);
}

#[test]
fn schema_location_values_are_read_like_a_parser_reads_them() {
    let pairs = schema_location_doc;
    let single = no_namespace_schema_location_doc;
    check(
        &XmlPolicy::default(),
        &[
            ("two pairs", pairs("urn:a http://example.com/a.xsd urn:b b.xsd"), OK),
            ("white space between", pairs("\n   urn:a\thttp://example.com/a.xsd\r\n urn:b  b.xsd  "), OK),
            // Only locations are fetched; the namespace is just a name.
            ("odd namespace name", pairs("file:///etc/passwd http://example.com/a.xsd"), OK),
            ("one bad pair of two", pairs("urn:a http://example.com/a.xsd urn:b file:///etc/passwd"), SCHEMA),
            ("a single token", pairs("http://example.com/a.xsd"), SCHEMA),
            ("three tokens", pairs("urn:a http://example.com/a.xsd urn:b"), SCHEMA),
            ("two locations for no namespace", single("a.xsd b.xsd"), SCHEMA),
            ("scheme by character reference", pairs("urn:r &#102;ile:///etc/passwd"), SCHEMA),
            ("host by character reference", pairs("urn:r http://127.0.0.&#49;/x.xsd"), SCHEMA),
            ("tab as separator", pairs("urn:r\tfile:///etc/passwd"), SCHEMA),
            // XML 1.1 reads NEL and LSEP as line ends, hence as white space
            // in attribute values: these are four tokens to the parser.
            (
                "NEL and LSEP as separators (XML 1.1)",
                format!(
                    "<?xml version=\"1.1\"?>{}",
                    pairs("urn:a\u{85}http://ok.example/x.xsd http://ok.example/x\u{2028}file:///etc/passwd")
                ),
                SCHEMA,
            ),
            ("NEL in a single location", single("http://ok.example/x.xsd\u{85}file:///x"), SCHEMA),
            ("other non-ASCII in a location", pairs("urn:a http://example.com/gr\u{fc}\u{df}e\u{a0}.xsd"), OK),
            (
                "another prefix for XSI",
                "<r xmlns:s=\"http://www.w3.org/2001/XMLSchema-instance\" s:noNamespaceSchemaLocation=\"file:///x\"/>"
                    .into(),
                SCHEMA,
            ),
            (
                "deep inside",
                "<r><a><b xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"urn:x jar:file:///x.jar!/x.xsd\"/></a></r>"
                    .into(),
                SCHEMA,
            ),
            // Near misses.
            (
                "XSI as the default namespace is not the attributes' namespace",
                "<r xmlns=\"http://www.w3.org/2001/XMLSchema-instance\" noNamespaceSchemaLocation=\"file:///x\"/>"
                    .into(),
                OK,
            ),
            ("xsi bound elsewhere", "<r xmlns:xsi=\"urn:not-xsi\" xsi:schemaLocation=\"urn:r file:///x\"/>".into(), OK),
            ("unprefixed schemaLocation", "<r schemaLocation=\"urn:r file:///etc/passwd\"/>".into(), OK),
            (
                "other XSI attributes",
                "<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"file:x\" xsi:nil=\"true\"/>"
                    .into(),
                OK,
            ),
        ],
    );
}

const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

/// An XSD document whose `loader` element (`import`, `include`, ...) names
/// `location`, with the XSD namespace bound to `prefix` ("" for the default).
fn xsd_doc(prefix: &str, loader: &str, location: &str) -> String {
    let (decl, p) = if prefix.is_empty() {
        ("xmlns".to_owned(), String::new())
    } else {
        (format!("xmlns:{prefix}"), format!("{prefix}:"))
    };
    let namespace = if loader == "import" {
        " namespace=\"urn:other\""
    } else {
        ""
    };
    format!(
        "<{p}schema {decl}=\"{XSD_NS}\" targetNamespace=\"urn:r\"><{p}{loader}{namespace} schemaLocation=\"{location}\"/><{p}element name=\"r\"/></{p}schema>"
    )
}

#[test]
fn xsd_schema_locations_follow_the_policy() {
    let mut by_default = Vec::new();
    let mut any = Vec::new();
    let mut none = Vec::new();
    for loader in ["import", "include", "redefine", "override"] {
        for prefix in ["xs", "xsd", "s", ""] {
            for (locations, expected) in [
                (PUBLIC_SCHEMA_LOCATIONS, OK),
                (PRIVATE_SCHEMA_LOCATIONS, SCHEMA),
            ] {
                for &location in locations {
                    let name = format!("{prefix}:{loader} {location}");
                    let doc = xsd_doc(prefix, loader, location);
                    by_default.push((name.clone(), doc.clone(), expected));
                    any.push((name.clone(), doc.clone(), OK));
                    none.push((name, doc, SCHEMA));
                }
            }
        }
    }
    check(&XmlPolicy::default(), &by_default);
    check(&camunda(), &by_default);
    check(&policy(|p| p.schema_locations = SchemaLocations::Any), &any);
    check(
        &policy(|p| p.schema_locations = SchemaLocations::None),
        &none,
    );
    let v = inspect(
        &XmlPolicy::default(),
        xsd_doc("xs", "include", "file:///etc/x.xsd").as_bytes(),
        None,
    )
    .unwrap_err();
    assert_eq!(v.location(), "/schema/include/@schemaLocation", "{v}");
}

#[test]
fn xsd_schema_locations_are_read_by_namespace() {
    let xs = format!("xmlns:xs=\"{XSD_NS}\"");
    check(
        &XmlPolicy::default(),
        &[
            (
                "inside a WSDL",
                format!("<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\"><wsdl:types><xs:schema {xs}><xs:import namespace=\"urn:x\" schemaLocation=\"http://169.254.169.254/x.xsd\"/></xs:schema></wsdl:types></wsdl:definitions>"),
                SCHEMA,
            ),
            (
                "namespace declared on the element itself",
                "<r><i:include xmlns:i=\"http://www.w3.org/2001/XMLSchema\" schemaLocation=\"file:///etc/passwd\"/></r>".into(),
                SCHEMA,
            ),
            (
                "scheme by character reference",
                format!("<xs:schema {xs}><xs:include schemaLocation=\"&#102;ile:///etc/x.xsd\"/></xs:schema>"),
                SCHEMA,
            ),
            (
                "two locations",
                format!("<xs:schema {xs}><xs:include schemaLocation=\"a.xsd b.xsd\"/></xs:schema>"),
                SCHEMA,
            ),
            (
                "empty location",
                format!("<xs:schema {xs}><xs:include schemaLocation=\"\"/></xs:schema>"),
                SCHEMA,
            ),
            (
                "white space around",
                format!("<xs:schema {xs}><xs:include schemaLocation=\"\n  http://example.com/a.xsd\t\"/></xs:schema>"),
                OK,
            ),
            // Near misses.
            (
                "import without schemaLocation",
                format!("<xs:schema {xs}><xs:import namespace=\"http://www.w3.org/XML/1998/namespace\"/></xs:schema>"),
                OK,
            ),
            (
                "schemaLocation on an element of another namespace",
                "<r xmlns:xs=\"urn:not-xsd\"><xs:import schemaLocation=\"file:///etc/passwd\"/><include schemaLocation=\"file:///etc/passwd\"/></r>".into(),
                OK,
            ),
            (
                "schemaLocation on another XSD element",
                format!("<xs:schema {xs}><xs:element name=\"r\" schemaLocation=\"file:///etc/passwd\"/></xs:schema>"),
                OK,
            ),
            (
                "a prefixed schemaLocation is another attribute",
                format!("<xs:schema {xs}><xs:include xs:schemaLocation=\"file:///etc/passwd\"/></xs:schema>"),
                OK,
            ),
            (
                "default namespace undeclared",
                format!("<schema xmlns=\"{XSD_NS}\"><annotation><appinfo><import xmlns=\"\" schemaLocation=\"file:///etc/passwd\"/></appinfo></annotation></schema>"),
                OK,
            ),
            (
                "the XSD instance namespace is not XSD",
                "<i:include xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" schemaLocation=\"file:///etc/passwd\"/>".into(),
                OK,
            ),
        ],
    );
}
