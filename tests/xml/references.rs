//! Entity references are refused; the predefined entities and character
//! references pass.

use super::*;

#[test]
fn entity_references_are_rejected() {
    check(
        &XmlPolicy::default(),
        &[
            ("undeclared, in text", "<r>&xxe;</r>", ENTITY),
            ("HTML entities", "<r>&nbsp;&copy;</r>", ENTITY),
            (
                "predefined names are case sensitive",
                "<r>&AMP;</r>",
                ENTITY,
            ),
            (
                "after allowed ones",
                "<r>a &amp; b &lt; c &ent; d</r>",
                ENTITY,
            ),
            ("nested", "<r><a><b>&x;</b></a></r>", ENTITY),
            ("in an attribute", "<r a=\"&xxe;\"/>", ENTITY),
            (
                "in an attribute, after the five",
                "<r a=\"&amp;&lt;&gt;&quot;&apos;&x;\"/>",
                ENTITY,
            ),
            (
                "in a namespace declaration",
                "<r xmlns:p=\"&ns;\"/>",
                ENTITY,
            ),
            ("in the second attribute", "<r a=\"1\" b='&x;'/>", ENTITY),
            ("ending a 16-byte text", "<r>0123456789&xxe;</r>", ENTITY),
            ("ending a 17-byte text", "<r>01234567890&xxe;</r>", ENTITY),
            (
                "after 40 bytes of text",
                "<r>0123456789012345678901234567890123456789&xxe;</r>",
                ENTITY,
            ),
            (
                "after 40 bytes of a value",
                "<r a=\"0123456789012345678901234567890123456789&xxe;\"/>",
                ENTITY,
            ),
            (
                "after a long value",
                "<r a=\"0123456789012345678901234567890123456789\" b=\"&x;\"/>",
                ENTITY,
            ),
            (
                "after an allowed one, far in",
                "<r a=\"01234567890123456789&amp;01234567890123456789&x;\"/>",
                ENTITY,
            ),
            ("&#0;", "<r>&#0;</r>", ENTITY),
            ("&#x0;", "<r>&#x0;</r>", ENTITY),
            ("&#x1;", "<r>&#x1;</r>", ENTITY),
            ("&#8;", "<r>&#8;</r>", ENTITY),
            ("&#xB;", "<r>&#xB;</r>", ENTITY),
            ("&#x1F;", "<r>&#x1F;</r>", ENTITY),
            ("&#xD800;", "<r>&#xD800;</r>", ENTITY),
            ("&#57343; (low surrogate)", "<r>&#57343;</r>", ENTITY),
            ("&#xFFFE;", "<r>&#xFFFE;</r>", ENTITY),
            ("&#xFFFF;", "<r>&#xFFFF;</r>", ENTITY),
            ("&#x110000;", "<r>&#x110000;</r>", ENTITY),
            ("&#1114112;", "<r>&#1114112;</r>", ENTITY),
            ("&#0; in an attribute", "<r a=\"&#0;\"/>", ENTITY),
            ("&#x1; in an attribute", "<r a=\"x&#x1;\"/>", ENTITY),
            ("&#xD800; in an attribute", "<r a=\"&#xD800;\"/>", ENTITY),
            ("&#xFFFE; in an attribute", "<r a=\"&#xFFFE;\"/>", ENTITY),
            (
                "&#x110000; in an attribute",
                "<r a=\"&#x110000;\"/>",
                ENTITY,
            ),
        ],
    );
}

#[test]
fn allowed_references_pass() {
    check(
        &XmlPolicy::default(),
        &[
            (
                "the five predefined",
                "<r>&amp;&lt;&gt;&quot;&apos;</r>",
                OK,
            ),
            (
                "the five in an attribute",
                "<r a=\"&amp;&lt;&gt;&quot;&apos;\"/>",
                OK,
            ),
            ("&#x1F600;", "<r>&#x1F600;</r>", OK),
            ("&#x1F600; in an attribute", "<r a=\"&#x1F600;\"/>", OK),
            ("&#9;", "<r>&#9;</r>", OK),
            ("LF and CR", "<r>&#10;&#xD;&#xa;</r>", OK),
            ("&#65;", "<r>&#65;</r>", OK),
            ("hex digits in both cases", "<r>&#x41;&#x4a;&#x4A;</r>", OK),
            (
                "edges of the ranges",
                "<r>&#x20;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;</r>",
                OK,
            ),
            (
                "escaped < in an attribute",
                "<r a=\"x &#60; y &#x3C; z &lt;\"/>",
                OK,
            ),
            ("references spelled out", "<r>&amp;xxe; &amp;#0;</r>", OK),
        ],
    );
}
