//! Malformed documents, invalid UTF-8 and characters XML forbids are
//! refused; well-formed near misses pass.

use super::*;

#[test]
fn malformed_documents_are_rejected() {
    check(
        &XmlPolicy::default(),
        &[
            ("unclosed element at the end", "<a><b></b>", MALFORMED),
            ("unclosed nested elements", "<a><b><c>", MALFORMED),
            ("unclosed start tag", "<a", MALFORMED),
            ("unclosed attribute value", "<a x='1", MALFORMED),
            ("unclosed comment", "<a><!-- x", MALFORMED),
            ("unclosed CDATA", "<a><![CDATA[ x", MALFORMED),
            ("unclosed PI", "<a><?pi x", MALFORMED),
            ("mismatched end", "<a><b></a></b>", MALFORMED),
            (
                "mismatched end, same namespace",
                "<p:a xmlns:p=\"u\" xmlns:q=\"u\"></q:a>",
                MALFORMED,
            ),
            ("end tag in another case", "<a></A>", MALFORMED),
            ("end without start", "</a>", MALFORMED),
            ("end after the root", "<a/></a>", MALFORMED),
            ("duplicate attribute", "<a x=\"1\" x=\"2\"/>", MALFORMED),
            (
                "duplicate attribute among many",
                "<a a=\"\" b=\"\" c=\"\" d=\"\" e=\"\" f=\"\" g=\"\" h=\"\" i=\"\" j=\"\" k=\"\" l=\"\" m=\"\" n=\"\" o=\"\" p=\"\" q=\"\" a=\"\"/>",
                MALFORMED,
            ),
            (
                "duplicate expanded name",
                "<a xmlns:p=\"urn:u\" xmlns:q=\"urn:u\" p:x=\"1\" q:x=\"2\"/>",
                MALFORMED,
            ),
            (
                "duplicate expanded name, inherited",
                "<r xmlns:p=\"urn:u\"><a xmlns:q=\"urn:u\" q:x=\"1\" p:x=\"2\"/></r>",
                MALFORMED,
            ),
            (
                "duplicate prefixed attribute",
                "<a xmlns:p=\"urn:u\" p:x=\"1\" p:x=\"2\"/>",
                MALFORMED,
            ),
            (
                "duplicate namespace declaration",
                "<a xmlns:p=\"urn:u\" xmlns:p=\"urn:u\"/>",
                MALFORMED,
            ),
            (
                "duplicate default namespace",
                "<a xmlns=\"urn:u\" xmlns=\"urn:u\"/>",
                MALFORMED,
            ),
            ("two roots", "<a/><b/>", MALFORMED),
            ("two roots with content", "<a>x</a>\n<a>y</a>", MALFORMED),
            ("text after the root", "<a/>x", MALFORMED),
            ("text before the root", "x<a/>", MALFORMED),
            ("no-break space after the root", "<a/>\u{A0}", MALFORMED),
            ("CDATA after the root", "<a/><![CDATA[x]]>", MALFORMED),
            ("CDATA before the root", "<![CDATA[x]]><a/>", MALFORMED),
            ("empty CDATA after the root", "<a/><![CDATA[]]>", MALFORMED),
            (
                "white-space CDATA before the root",
                "<![CDATA[ ]]><a/>",
                MALFORMED,
            ),
            ("reference after the root", "<a/>&amp;", MALFORMED),
            (
                "character reference before the root",
                "&#32;<a/>",
                MALFORMED,
            ),
            ("entity reference after the root", "<a/>&x;", MALFORMED),
            ("empty document", "", MALFORMED),
            ("only white space", " \n\t ", MALFORMED),
            ("only a comment", "<!-- c -->", MALFORMED),
            ("only a declaration", "<?xml version=\"1.0\"?>", MALFORMED),
            ("only a PI", "<?pi x?>", MALFORMED),
            ("undeclared element prefix", "<p:a/>", MALFORMED),
            ("undeclared attribute prefix", "<a p:x=\"1\"/>", MALFORMED),
            (
                "prefix out of scope",
                "<a><b xmlns:p=\"u\"/><p:c/></a>",
                MALFORMED,
            ),
            ("xmlns prefix on an element", "<xmlns:a/>", MALFORMED),
            ("empty prefixed namespace", "<a xmlns:p=\"\"/>", MALFORMED),
            ("xmlns declared", "<a xmlns:xmlns=\"urn:x\"/>", MALFORMED),
            ("xml prefix rebound", "<a xmlns:xml=\"urn:x\"/>", MALFORMED),
            (
                "XML namespace to another prefix",
                "<a xmlns:p=\"http://www.w3.org/XML/1998/namespace\"/>",
                MALFORMED,
            ),
            (
                "xmlns namespace bound",
                "<a xmlns:p=\"http://www.w3.org/2000/xmlns/\"/>",
                MALFORMED,
            ),
            ("two colons", "<a:b:c xmlns:a=\"u\"/>", MALFORMED),
            ("name starts with a digit", "<1a/>", MALFORMED),
            (
                "attribute name starts with a digit",
                "<a 1b=\"x\"/>",
                MALFORMED,
            ),
            ("space after <", "< a/>", MALFORMED),
            (
                "attributes without white space",
                "<a x=\"1\"y=\"2\"/>",
                MALFORMED,
            ),
            (
                "name without white space after a value",
                "<a x=\"1\"y/>",
                MALFORMED,
            ),
            ("unquoted value", "<a x=1/>", MALFORMED),
            ("attribute without value", "<a x/>", MALFORMED),
            ("< in an attribute value", "<a x=\"<\"/>", MALFORMED),
            ("< in a single-quoted value", "<a x='a<b'/>", MALFORMED),
            (
                "< after 40 bytes of a value",
                "<a x='0123456789012345678901234567890123456789<'/>",
                MALFORMED,
            ),
            (
                "value not closed",
                "<a x='0123456789012345678901234567890123456789/>",
                MALFORMED,
            ),
            ("? in a start tag", "<a?>", MALFORMED),
            ("? in an end tag", "<a></a?>", MALFORMED),
            ("/ not closing a start tag", "<a/ >", MALFORMED),
            ("attributes on an end tag", "<a></a x=\"1\">", MALFORMED),
            ("bare & in text", "<a>a & b</a>", MALFORMED),
            ("bare & ending text", "<a>&</a>", MALFORMED),
            ("& without ; in text", "<a>&amp</a>", MALFORMED),
            ("bare & in an attribute", "<a x=\"a & b\"/>", MALFORMED),
            ("& without ; in an attribute", "<a x=\"&amp\"/>", MALFORMED),
            (
                "& without ; before another attribute",
                "<a x=\"&amp\" y=\";\"/>",
                MALFORMED,
            ),
            ("empty reference", "<a>&;</a>", MALFORMED),
            ("bad character reference", "<a>&#xZZ;</a>", MALFORMED),
            (
                "upper-case X in a character reference",
                "<a>&#X41;</a>",
                MALFORMED,
            ),
            (
                "declaration after white space",
                "  <?xml version=\"1.0\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration after a newline",
                "\n<?xml version=\"1.0\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration after a comment",
                "<!-- c --><?xml version=\"1.0\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration inside the root",
                "<a><?xml version=\"1.0\"?></a>",
                MALFORMED,
            ),
            (
                "declaration after the root",
                "<a/><?xml version=\"1.0\"?>",
                MALFORMED,
            ),
            (
                "declaration in upper case",
                "<a><?XML version=\"1.0\"?></a>",
                MALFORMED,
            ),
            (
                "garbage in the declaration",
                "<?xml version=\"1.0\" garbage ?><a/>",
                MALFORMED,
            ),
            (
                "declaration without version",
                "<?xml encoding=\"UTF-8\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration of version 2.0",
                "<?xml version=\"2.0\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration out of order",
                "<?xml version=\"1.0\" standalone=\"yes\" encoding=\"UTF-8\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration with standalone=maybe",
                "<?xml version=\"1.0\" standalone=\"maybe\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration with an unknown pseudo-attribute",
                "<?xml version=\"1.0\" doctype=\"r\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration not closed",
                "<?xml version=\"1.0\" <a/>",
                MALFORMED,
            ),
            (
                "markup in the declaration",
                "<?xml version=\"1.0\" <a/> ?><a/>",
                MALFORMED,
            ),
            ("PI without a target", "<??><a/>", MALFORMED),
            ("PI target with a colon", "<?a:b?><a/>", MALFORMED),
            ("PI target without white space", "<?a>?><a/>", MALFORMED),
            ("NUL in text", "<a>\0</a>", MALFORMED),
            ("NUL after the root", "<a/>\0", MALFORMED),
            ("U+0001 in an attribute", "<a x=\"\u{1}\"/>", MALFORMED),
            ("vertical tab", "<a>\u{B}</a>", MALFORMED),
            ("form feed", "<a>\u{C}</a>", MALFORMED),
            ("escape in a comment", "<a><!-- \u{1B} --></a>", MALFORMED),
            ("-- inside a comment", "<a><!-- a -- b --></a>", MALFORMED),
            ("comment ending in --->", "<!-- a ---><a/>", MALFORMED),
        ],
    );
}

#[test]
fn invalid_utf8_is_malformed() {
    check_bytes(
        &XmlPolicy::default(),
        &[
            case("stray byte", b"<a>\xFF</a>".to_vec(), MALFORMED),
            case("overlong <", b"<a>\xC0\xBC!DOCTYPE</a>".to_vec(), MALFORMED),
            case(
                "encoded surrogate",
                b"<a>\xED\xA0\x80</a>".to_vec(),
                MALFORMED,
            ),
            case("truncated sequence", b"<a>\xE2\x82</a>".to_vec(), MALFORMED),
            case(
                "Latin-1 without a declaration",
                b"<a>caf\xE9</a>".to_vec(),
                MALFORMED,
            ),
            case("invalid in a name", b"<a\xFF/>".to_vec(), MALFORMED),
            case("valid multi-byte (near miss)", "<a é=\"ü\">😀€</a>", OK),
        ],
    );
}

#[test]
fn well_formed_near_misses_pass() {
    check(
        &XmlPolicy::default(),
        &[
            ("white space in the end tag", "<a></a >", OK),
            ("newline in the end tag", "<a></a\n>", OK),
            ("attributes over lines", "<a\n  x=\"1\"\r\n\ty='2'\n/>", OK),
            ("spaces around =", "<a x = '1' />", OK),
            ("quotes inside the other quotes", "<a x=\"'\" y='\"'/>", OK),
            ("> in attribute values", "<a x=\"a>b\" y='>'/>", OK),
            (
                "long values with the other quote",
                "<a x=\"0123456789012345678901234567890123456789'\" y='0123456789012345678901234567890123456789\"'/>",
                OK,
            ),
            (
                "misc around the root",
                "<?xml version=\"1.0\"?>\n<!-- c -->\n<?pi x?>\n<a/>\n<!-- after -->\n<?after?>\n",
                OK,
            ),
            (
                "CRLF line ends",
                "<?xml version=\"1.0\"?>\r\n<a>\r\n  <b/>\r\n</a>\r\n",
                OK,
            ),
            ("empty CDATA", "<a><![CDATA[]]></a>", OK),
            ("CDATA ending in ]", "<a><![CDATA[x]]]></a>", OK),
            ("empty comment", "<a><!----></a>", OK),
            (
                "prefixed and plain, one local name",
                "<p:a xmlns:p=\"u\" p:x=\"1\" x=\"2\"/>",
                OK,
            ),
            (
                "one local name, two namespaces",
                "<a xmlns:p=\"urn:1\" xmlns:q=\"urn:2\" p:x=\"1\" q:x=\"2\"/>",
                OK,
            ),
            (
                "xml prefix needs no declaration",
                "<a xml:lang=\"en\" xml:space=\"preserve\" xml:id=\"i\"/>",
                OK,
            ),
            (
                "xml prefix declared correctly",
                "<a xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"/>",
                OK,
            ),
            ("default namespace undeclared", "<a xmlns=\"\"/>", OK),
            (
                "default namespace undeclared below",
                "<a xmlns=\"urn:u\"><b xmlns=\"\"/></a>",
                OK,
            ),
            (
                "prefix declared after its use",
                "<p:a p:x=\"1\" xmlns:p=\"urn:u\"/>",
                OK,
            ),
            (
                "prefix rebound below",
                "<p:a xmlns:p=\"urn:1\"><p:b xmlns:p=\"urn:2\"/></p:a>",
                OK,
            ),
            ("names with - . _ and digits", "<_a.b-c1 d-e.f_2=\"\"/>", OK),
            (
                "non-ASCII names",
                "<straße größe=\"1\"><日本/></straße>",
                OK,
            ),
            (
                "xmlns-like attribute names",
                "<a xmlnsfoo=\"1\" xmlfoo=\"2\"/>",
                OK,
            ),
            (
                "full declaration",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><a/>",
                OK,
            ),
            (
                "declaration with spaces",
                "<?xml  version = '1.0'\n encoding = \"utf-8\"  standalone='no' ?>\n<a/>",
                OK,
            ),
            ("XML 1.1 declaration", "<?xml version=\"1.1\"?><a/>", OK),
            ("white space around the root", "\n\t <a/>\n\t ", OK),
            ("mixed content", "<a>x<b>y</b>z<c/>&amp;</a>", OK),
            ("]] and > in text", "<a>a]] b> c]</a>", OK),
            ("PI with ? inside", "<a><?pi what? yes?></a>", OK),
        ],
    );
}

#[test]
fn characters_xml_forbids_in_text() {
    let p = XmlPolicy::default();
    check(
        &p,
        &[
            ("`]]>` in text", "<r>a]]>b</r>", MALFORMED),
            ("`]]` without `>`", "<r>a]]b ]]&gt;</r>", OK),
            ("U+FFFE", "<r>a\u{FFFE}</r>", MALFORMED),
            ("U+FFFF in a value", "<r a=\"\u{FFFF}\"/>", MALFORMED),
            ("U+FFFD", "<r a=\"\u{FFFD}\">\u{FFFD}</r>", OK),
            (
                "leading zeros in a char ref",
                "<r>&#x0000000041;&#00065;</r>",
                OK,
            ),
            ("char ref past U+10FFFF", "<r>&#x0000110000;</r>", ENTITY),
        ],
    );
}
