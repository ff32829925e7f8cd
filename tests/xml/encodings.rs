//! UTF-8 and UTF-16 with and without BOMs and declarations, unsupported
//! encodings, the listed legacy encodings, and disagreements between BOM,
//! declaration and `charset`.

use super::*;

#[test]
fn utf8_and_utf16_are_read() {
    let benign = "<r a=\"é\">Grüße 😀 &amp; &#x20AC;</r>";
    let benign16 = format!("{DECL16}\n{benign}");
    let no_encoding = format!("<?xml version=\"1.0\"?>{benign}");
    let bom8 = |rest: &[u8]| [b"\xEF\xBB\xBF", rest].concat();
    let mut cases: Vec<Case> = vec![
        case("UTF-8", benign, OK),
        case("UTF-8, BOM", bom8(benign.as_bytes()), OK),
        case(
            "UTF-8, BOM, declaration",
            bom8(format!("<?xml version='1.0' encoding='UTF-8'?>{benign}").as_bytes()),
            OK,
        ),
        case("UTF-8, charset", benign, OK).charset("utf-8"),
        case("UTF-8, charset in capitals", benign, OK).charset("UTF-8"),
        case(
            "US-ASCII declared",
            b"<?xml version=\"1.0\" encoding=\"US-ASCII\"?><r>&#xE9;</r>".to_vec(),
            OK,
        ),
        case("US-ASCII charset", b"<r>plain</r>".to_vec(), OK).charset("us-ascii"),
        case("UTF-16 charset, BOM", utf16(benign, true, true), OK).charset("utf-16"),
        case("UTF-16LE charset, BOM", utf16(benign, true, true), OK).charset("UTF-16LE"),
        case(
            "UTF-16BE charset, no BOM",
            utf16(&benign16, false, false),
            OK,
        )
        .charset("utf-16be"),
    ];
    for le in [true, false] {
        let e = if le { "LE" } else { "BE" };
        cases.push(case(
            format!("UTF-16{e}, BOM, declaration"),
            utf16(&benign16, le, true),
            OK,
        ));
        cases.push(case(
            format!("UTF-16{e}, BOM only"),
            utf16(benign, le, true),
            OK,
        ));
        cases.push(case(
            format!("UTF-16{e}, no BOM"),
            utf16(&benign16, le, false),
            OK,
        ));
        cases.push(case(
            format!("UTF-16{e}, no BOM, no encoding"),
            utf16(&no_encoding, le, false),
            OK,
        ));
    }
    check_bytes(&XmlPolicy::default(), &cases);
}

#[test]
fn utf16_is_inspected_like_utf8() {
    let doctype = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
    let with_decl = format!("{DECL16}{doctype}");
    let xinclude = format!("<r xmlns:xi=\"{XI}\"><xi:include href=\"/etc/passwd\"/></r>");
    let xslt = "<x:stylesheet xmlns:x=\"http://www.w3.org/1999/XSL/Transform\"/>";
    let mut cases: Vec<Case> = Vec::new();
    for le in [true, false] {
        let e = if le { "LE" } else { "BE" };
        let lone_surrogate = if le { [0x00, 0xD8] } else { [0xD8, 0x00] };
        let mut add = |c: Case| {
            cases.push(Case {
                name: format!("UTF-16{e}, {}", c.name),
                ..c
            });
        };
        add(case("BOM, DOCTYPE", utf16(doctype, le, true), DOCTYPE));
        add(case(
            "BOM, declaration, DOCTYPE",
            utf16(&with_decl, le, true),
            DOCTYPE,
        ));
        add(case(
            "no BOM, declaration, DOCTYPE",
            utf16(&with_decl, le, false),
            DOCTYPE,
        ));
        add(case("charset, DOCTYPE", utf16(doctype, le, true), DOCTYPE).charset("utf-16"));
        add(case(
            "DOCTYPE after the root",
            utf16("<r/><!doctype r>", le, true),
            DOCTYPE,
        ));
        add(case("entity", utf16("<r>&xxe;</r>", le, true), ENTITY));
        add(case(
            "entity in an attribute",
            utf16("<r a='&xxe;'/>", le, true),
            ENTITY,
        ));
        add(case("XInclude", utf16(&xinclude, le, true), XINCLUDE));
        add(case("XSLT", utf16(xslt, le, true), XSLT));
        add(case("two roots", utf16("<a/><b/>", le, true), MALFORMED));
        let unpaired = [
            utf16("<r>", le, true),
            lone_surrogate.to_vec(),
            utf16("</r>", le, false),
        ]
        .concat();
        add(case("unpaired surrogate", unpaired, MALFORMED));
        add(case(
            "odd length",
            [utf16("<r/>", le, true), vec![0x20]].concat(),
            MALFORMED,
        ));
        // No BOM and no `<?`: XML 1.0 appendix F and Java read these bytes
        // as UTF-8, where the NULs are not allowed.
        add(case(
            "no BOM, no declaration, DOCTYPE",
            utf16(doctype, le, false),
            MALFORMED,
        ));
    }
    check_bytes(&XmlPolicy::default(), &cases);
}

#[test]
fn unsupported_encodings_are_rejected() {
    let doctype = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
    let decl = |encoding: &str| format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?>");
    let utf7 = format!(
        "{}+ADw-!DOCTYPE r +AFs-+ADw-!ENTITY x SYSTEM +ACI-file:///etc/passwd+ACI-+AD4-+AF0-+AD4-+ADw-r+AD4-+ACY-x;+ADw-/r+AD4-",
        decl("UTF-7")
    );
    let declared = |encoding: &str, body: &[u8]| [decl(encoding).as_bytes(), body].concat();
    check_bytes(
        &XmlPolicy::default(),
        &[
            case("UTF-32LE, BOM", utf32(doctype, true, true), UNSUPPORTED),
            case("UTF-32BE, BOM", utf32(doctype, false, true), UNSUPPORTED),
            case("UTF-32LE pattern", utf32(doctype, true, false), UNSUPPORTED),
            case(
                "UTF-32BE pattern",
                utf32(doctype, false, false),
                UNSUPPORTED,
            ),
            case(
                "UTF-32LE, declaration",
                utf32(&format!("{}{doctype}", decl("UTF-32")), true, false),
                UNSUPPORTED,
            ),
            case(
                "UTF-32 declared on UTF-8",
                declared("UTF-32", b"<r/>"),
                UNSUPPORTED,
            ),
            case("UTF-7 declared", utf7.into_bytes(), UNSUPPORTED),
            case("UTF-7 charset", b"+ADw-r/+AD4-".to_vec(), UNSUPPORTED).charset("utf-7"),
            case(
                "EBCDIC",
                ebcdic(&format!("{}{doctype}", decl("IBM037"))),
                UNSUPPORTED,
            ),
            case(
                "EBCDIC declared on ASCII",
                declared("IBM037", b"<r/>"),
                UNSUPPORTED,
            ),
            case(
                "ISO-8859-1, not listed",
                declared("ISO-8859-1", b"<r>caf\xE9</r>"),
                UNSUPPORTED,
            ),
            case(
                "windows-1252, not listed",
                declared("windows-1252", b"<r/>"),
                UNSUPPORTED,
            ),
            case(
                "ISO-8859-1 charset, not listed",
                b"<r>caf\xE9</r>".to_vec(),
                UNSUPPORTED,
            )
            .charset("iso-8859-1"),
            case("Shift_JIS", declared("Shift_JIS", b"<r/>"), UNSUPPORTED),
            case("ISO-2022-JP", declared("ISO-2022-JP", b"<r/>"), UNSUPPORTED),
            case("made-up label", declared("x-made-up", b"<r/>"), UNSUPPORTED),
            case("made-up charset", b"<r/>".to_vec(), UNSUPPORTED).charset("x-made-up"),
        ],
    );
}

#[test]
fn listed_legacy_encodings_are_decoded_and_inspected() {
    let legacy = Policy::from_toml("[xml]\nencodings = [\"ISO-8859-1\", \"windows-1252\"]\n")
        .unwrap_or_else(|e| panic!("{e}"))
        .xml;
    assert_eq!(
        legacy.encodings,
        [LegacyEncoding::Latin1, LegacyEncoding::Windows1252]
    );
    let latin1 = |body: &[u8]| {
        [
            &b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"[..],
            body,
        ]
        .concat()
    };
    check_bytes(
        &legacy,
        &[
            case(
                "ISO-8859-1 declared",
                latin1(b"<r a=\"\xE9\">caf\xE9 \xA9</r>"),
                OK,
            ),
            case(
                "windows-1252 declared",
                b"<?xml version='1.0' encoding='windows-1252'?><r>\x80 \x93q\x94</r>".to_vec(),
                OK,
            ),
            case(
                "ISO-8859-1 charset, no declaration",
                b"<r>caf\xE9</r>".to_vec(),
                OK,
            )
            .charset("ISO-8859-1"),
            case(
                "charset and declaration agree",
                latin1(b"<r>caf\xE9</r>"),
                OK,
            )
            .charset("latin1"),
            case(
                "DOCTYPE",
                latin1(b"<!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><r>&x;\xE9</r>"),
                DOCTYPE,
            ),
            case(
                "DOCTYPE, charset only",
                b"<!DOCTYPE r SYSTEM 'http://e.example/x.dtd'><r/>".to_vec(),
                DOCTYPE,
            )
            .charset("latin1"),
            case("entity", latin1(b"<r>\xE9&xxe;</r>"), ENTITY),
            case(
                "XInclude",
                latin1(b"<r xmlns:xi='http://www.w3.org/2001/XInclude'><xi:include href='x'/></r>"),
                XINCLUDE,
            ),
            case("NUL", latin1(b"<r>\x00</r>"), MALFORMED),
            case(
                "other legacy encodings",
                b"<?xml version=\"1.0\" encoding=\"ISO-8859-5\"?><r/>".to_vec(),
                UNSUPPORTED,
            ),
            case("declaration vs charset", latin1(b"<r/>"), MISMATCH).charset("utf-8"),
            case(
                "UTF-8 BOM vs charset",
                b"\xEF\xBB\xBF<r/>".to_vec(),
                MISMATCH,
            )
            .charset("iso-8859-1"),
            case(
                "UTF-8 BOM vs declaration",
                [&b"\xEF\xBB\xBF"[..], &latin1(b"<r/>")].concat(),
                MISMATCH,
            ),
            case(
                "UTF-16 vs declaration",
                utf16(
                    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r/>",
                    true,
                    true,
                ),
                MISMATCH,
            ),
        ],
    );
}

#[test]
fn encoding_disagreements_are_rejected() {
    let decl = |encoding: &str| format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?><r/>");
    let bom8 = |rest: &[u8]| [b"\xEF\xBB\xBF", rest].concat();
    check_bytes(
        &XmlPolicy::default(),
        &[
            case(
                "UTF-16LE BOM, UTF-8 declared",
                utf16(&decl("UTF-8"), true, true),
                MISMATCH,
            ),
            case(
                "UTF-16BE BOM, UTF-8 declared",
                utf16(&decl("UTF-8"), false, true),
                MISMATCH,
            ),
            case(
                "UTF-16LE pattern, UTF-8 declared",
                utf16(&decl("UTF-8"), true, false),
                MISMATCH,
            ),
            case(
                "UTF-16LE BOM, UTF-16BE declared",
                utf16(&decl("UTF-16BE"), true, true),
                MISMATCH,
            ),
            case(
                "UTF-16LE BOM, US-ASCII declared",
                utf16(&decl("US-ASCII"), true, true),
                MISMATCH,
            ),
            case(
                "UTF-16BE BOM, UTF-16LE charset",
                utf16("<r/>", false, true),
                MISMATCH,
            )
            .charset("utf-16le"),
            case(
                "UTF-16LE BOM, UTF-8 charset",
                utf16("<r/>", true, true),
                MISMATCH,
            )
            .charset("utf-8"),
            case(
                "UTF-8 BOM, UTF-16 declared",
                bom8(decl("UTF-16").as_bytes()),
                MISMATCH,
            ),
            case("UTF-8 BOM, UTF-16 charset", bom8(b"<r/>"), MISMATCH).charset("utf-16"),
            case(
                "UTF-8 bytes, UTF-16 declared",
                decl("UTF-16").into_bytes(),
                MISMATCH,
            ),
            case(
                "UTF-8 bytes, utf-16le declared",
                decl("utf-16le").into_bytes(),
                MISMATCH,
            ),
            case("UTF-8 bytes, UTF-16 charset", b"<r/>".to_vec(), MISMATCH).charset("utf-16"),
            case(
                "UTF-8 declared, UTF-16 charset",
                decl("UTF-8").into_bytes(),
                MISMATCH,
            )
            .charset("UTF-16"),
            case(
                "US-ASCII declared, other bytes",
                decl("US-ASCII").replace("<r/>", "<r>é</r>").into_bytes(),
                MISMATCH,
            ),
            case("US-ASCII charset, other bytes", "<r>é</r>", MISMATCH).charset("us-ascii"),
            // Near misses: sources that agree.
            case(
                "UTF-8 declared, US-ASCII charset",
                decl("UTF-8").into_bytes(),
                OK,
            )
            .charset("us-ascii"),
            case(
                "UTF-16 declared, UTF-16LE BOM and charset",
                utf16(&decl("UTF-16"), true, true),
                OK,
            )
            .charset("utf-16le"),
        ],
    );
}

#[test]
fn inspect_str_reads_text_as_utf8() {
    let inspector = XmlInspector::new(XmlPolicy::default());
    let code = |text: &str| outcome(&inspector.inspect_str(text));
    assert_eq!(code(BPMN), OK);
    assert_eq!(
        code("<?xml version=\"1.0\" encoding=\"UTF-8\"?><r>é</r>"),
        OK
    );
    assert_eq!(code("\u{FEFF}<r/>"), OK);
    // Text is characters already: the engine's parser reads it from a
    // StringReader and ignores the label, and so does the guard.
    assert_eq!(
        code("<?xml version=\"1.0\" encoding=\"UTF-16\"?><r>é</r>"),
        OK
    );
    assert_eq!(code("<?xml version='1.0' encoding='utf-16le'?><r/>"), OK);
    assert_eq!(
        code("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>é</r>"),
        OK
    );
    assert_eq!(
        code("<?xml version=\"1.0\" encoding=\"EBCDIC-CP-US\"?><r/>"),
        OK
    );
    // But the declaration must still be one.
    assert_eq!(code("<?xml version=\"1.0\" encoding=\"\"?><r/>"), MALFORMED);
    assert_eq!(code("<?xml encoding=\"UTF-8\"?><r/>"), MALFORMED);
    assert_eq!(
        code("<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE r><r/>"),
        DOCTYPE
    );
    assert_eq!(
        code("<!DOCTYPE r [<!ENTITY x SYSTEM 'file:///x'>]><r>&x;</r>"),
        DOCTYPE
    );
    // UTF-16 code units smuggled in as characters: NULs, not a DOCTYPE.
    let smuggled: String = utf16("<!DOCTYPE r><r/>", true, false)
        .iter()
        .map(|&b| char::from(b))
        .collect();
    assert_eq!(code(&smuggled), MALFORMED);
}
