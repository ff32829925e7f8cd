//! UTF-8 with and without a BOM, UTF-16 in both byte orders, UTF-32
//! (refused), and the `charset` parameter against the bytes.

use super::*;

#[test]
fn encodings() {
    let evil = in_variables(&object_var("com.evil.X"));
    let benign = in_variables(&object_var("com.acme.Order"));
    let at = "/variables/x/valueInfo/objectTypeName";
    let bom = |text: &str| [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat();
    let mut cases = vec![
        case("UTF-8 BOM", bom(r#"{"a":1}"#), OK),
        case("UTF-8 BOM, charset utf-8", bom(&benign), OK).charset("utf-8"),
        case("UTF-8 BOM, denied class", bom(&evil), code_at(CLASS, at)),
        case("UTF-8 BOM then blanks", bom(" \n{}"), OK),
        case("two UTF-8 BOMs", bom("\u{feff}{}"), code_at(MALFORMED, "/")),
        case("UTF-8 BOM alone", bom(""), code_at(MALFORMED, "/")),
        case("charset UTF-8 in upper case", benign.clone(), OK).charset("UTF-8"),
        case("charset utf8", benign.clone(), OK).charset("utf8"),
        case(
            "denied class with charset",
            evil.clone(),
            code_at(CLASS, at),
        )
        .charset("utf-8"),
    ];
    for (le, endian) in [(true, "LE"), (false, "BE")] {
        for (bom, with) in [(true, "with BOM"), (false, "without BOM")] {
            let name = format!("UTF-16{endian} {with}");
            cases.push(case(format!("{name}: benign"), utf16(&benign, le, bom), OK));
            cases.push(case(
                format!("{name}: denied class"),
                utf16(&evil, le, bom),
                code_at(CLASS, at),
            ));
            cases.push(case(
                format!("{name}: escaped denied class"),
                utf16(&in_variables(&object_var(r"com.evil.\u0058")), le, bom),
                code_at(CLASS, at),
            ));
            cases.push(case(
                format!("{name}: duplicate key"),
                utf16(r#"{"a":1,"a":2}"#, le, bom),
                code_at(DUPLICATE, "/a"),
            ));
            cases.push(case(
                format!("{name}: non-ASCII"),
                utf16("{\"ключ\":\"😀\"}", le, bom),
                OK,
            ));
            cases.push(
                case(
                    format!("{name}: charset utf-16"),
                    utf16(&benign, le, bom),
                    OK,
                )
                .charset("utf-16"),
            );
            cases.push(
                case(
                    format!("{name}: explicit charset"),
                    utf16(&benign, le, bom),
                    OK,
                )
                .charset(if le { "utf-16le" } else { "UTF-16BE" }),
            );
            cases.push(
                case(
                    format!("{name}: charset of the other byte order"),
                    utf16(&benign, le, bom),
                    code_at(MISMATCH, "/"),
                )
                .charset(if le { "utf-16be" } else { "utf-16le" }),
            );
            cases.push(
                case(
                    format!("{name}: charset utf-8"),
                    utf16(&benign, le, bom),
                    code_at(MISMATCH, "/"),
                )
                .charset("utf-8"),
            );
            let name = format!("UTF-32{endian} {with}");
            cases.push(case(
                format!("{name}: benign"),
                utf32(&benign, le, bom),
                code_at(UNSUPPORTED, "/"),
            ));
            cases.push(case(
                format!("{name}: denied class"),
                utf32(&evil, le, bom),
                code_at(UNSUPPORTED, "/"),
            ));
        }
    }
    let mut odd = utf16(&benign, true, true);
    odd.push(b' ');
    cases.push(case(
        "UTF-16LE with an odd byte",
        odd,
        code_at(MALFORMED, "/"),
    ));
    let mut lone = utf16("[\"", true, false);
    lone.extend_from_slice(&[0x00, 0xD8]);
    lone.extend_from_slice(&utf16("\"]", true, false));
    cases.push(case(
        "UTF-16LE with a lone surrogate unit",
        lone,
        code_at(MALFORMED, "/"),
    ));
    cases.push(case(
        "UTF-16LE BOM then UTF-8 BOM",
        [&[0xFF, 0xFE][..], &utf16("\u{feff}{}", true, false)].concat(),
        code_at(MALFORMED, "/"),
    ));
    // Charsets.
    cases.push(
        case(
            "UTF-8 body, charset utf-16",
            benign.clone(),
            code_at(MISMATCH, "/"),
        )
        .charset("utf-16"),
    );
    cases.push(
        case(
            "UTF-8 body, charset utf-16le",
            benign.clone(),
            code_at(MISMATCH, "/"),
        )
        .charset("utf-16le"),
    );
    cases.push(
        case(
            "UTF-8 BOM, charset utf-16",
            bom(&benign),
            code_at(MISMATCH, "/"),
        )
        .charset("utf-16"),
    );
    for charset in [
        "iso-8859-1",
        "latin1",
        "windows-1252",
        "us-ascii",
        "utf-32",
        "utf-7",
        "x-unknown",
    ] {
        cases.push(
            case(
                format!("charset {charset}"),
                benign.clone(),
                code_at(UNSUPPORTED, "/"),
            )
            .charset(charset),
        );
    }
    check(&test_guard(), &cases);
}
