//! XSLT documents and `<?xml-stylesheet?>` instructions, as the policy
//! says (`allow_xslt`, `allow_absolute_stylesheets`).

use super::*;

#[test]
fn xslt_follows_the_policy() {
    let xslt = [
        (
            "stylesheet",
            "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"><xsl:template match=\"/\"><xsl:value-of select=\"document('file:///etc/passwd')\"/></xsl:template></xsl:stylesheet>",
        ),
        (
            "transform, other prefix",
            "<t:transform version=\"1.0\" xmlns:t=\"http://www.w3.org/1999/XSL/Transform\"/>",
        ),
        (
            "default namespace",
            "<stylesheet xmlns=\"http://www.w3.org/1999/XSL/Transform\" version=\"1.0\"/>",
        ),
        (
            "inside another document",
            "<r><x:include xmlns:x=\"http://www.w3.org/1999/XSL/Transform\" href=\"http://evil.example/x.xsl\"/></r>",
        ),
        (
            "literal result element",
            "<html xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" xsl:version=\"1.0\"><xsl:value-of select=\"1\"/></html>",
        ),
    ];
    let rejected_by_default: Vec<_> = xslt.iter().map(|&(n, d)| (n, d, XSLT)).collect();
    check(&XmlPolicy::default(), &rejected_by_default);
    let allowed: Vec<_> = xslt.iter().map(|&(n, d)| (n, d, OK)).collect();
    check(&policy(|p| p.allow_xslt = true), &allowed);
    check(
        &XmlPolicy::default(),
        &[
            (
                "xsl bound elsewhere",
                "<xsl:stylesheet xmlns:xsl=\"urn:not-xslt\"/>",
                OK,
            ),
            (
                "XSLT's URI in a value",
                "<r ns=\"http://www.w3.org/1999/XSL/Transform\"/>",
                OK,
            ),
            (
                "stylesheet in no namespace",
                "<stylesheet version=\"1.0\"/>",
                OK,
            ),
        ],
    );
    let v = rejected(&XmlPolicy::default(), xslt[0].1.as_bytes(), XSLT);
    assert_eq!(v.location(), "/stylesheet");
}

#[test]
fn absolute_stylesheets_follow_the_policy() {
    let absolute = [
        (
            "http",
            "<?xml-stylesheet type=\"text/xsl\" href=\"http://evil.example/x.xsl\"?><r/>",
        ),
        (
            "https",
            "<?xml-stylesheet href=\"https://evil.example/x.xsl\" type=\"text/xsl\"?><r/>",
        ),
        ("file", "<?xml-stylesheet href='file:///etc/x.xsl'?><r/>"),
        (
            "jar",
            "<?xml-stylesheet href='jar:http://evil.example/x.jar!/x.xsl'?><r/>",
        ),
        (
            "network path",
            "<?xml-stylesheet href='//evil.example/x.xsl'?><r/>",
        ),
        (
            "leading white space",
            "<?xml-stylesheet href='  http://evil.example/x.xsl'?><r/>",
        ),
        (
            "character reference",
            "<?xml-stylesheet href='&#104;ttp://evil.example/x.xsl'?><r/>",
        ),
        (
            "tab before href",
            "<?xml-stylesheet\thref=\"http://evil.example/x.xsl\"?><r/>",
        ),
        (
            "after the declaration",
            "<?xml version=\"1.0\"?>\n<?xml-stylesheet href=\"http://e.example/x.xsl\"?>\n<r/>",
        ),
        (
            "inside the root",
            "<r><?xml-stylesheet href=\"http://evil.example/x.xsl\"?></r>",
        ),
        (
            "unquoted href",
            "<?xml-stylesheet href=http://evil.example/x.xsl?><r/>",
        ),
    ];
    let rejected_by_default: Vec<_> = absolute.iter().map(|&(n, d)| (n, d, STYLESHEET)).collect();
    check(&XmlPolicy::default(), &rejected_by_default);
    let allowed: Vec<_> = absolute.iter().map(|&(n, d)| (n, d, OK)).collect();
    check(&policy(|p| p.allow_absolute_stylesheets = true), &allowed);

    check(
        &XmlPolicy::default(),
        &[
            (
                "relative",
                "<?xml-stylesheet type=\"text/xsl\" href=\"style.xsl\"?><r/>",
                OK,
            ),
            (
                "relative path",
                "<?xml-stylesheet href=\"xsl/style.xsl\" type=\"text/xsl\" ?><r/>",
                OK,
            ),
            // A path-absolute reference is still relative to the document.
            (
                "root relative",
                "<?xml-stylesheet href=\"/styles/style.css\" type=\"text/css\"?><r/>",
                OK,
            ),
            (
                "fragment",
                "<?xml-stylesheet alternate=\"yes\" title=\"x\" href=\"#style\"?><r/>",
                OK,
            ),
            (
                "other PI with an absolute href",
                "<?xml-model href=\"http://example.com/x.rng\"?><r/>",
                OK,
            ),
            (
                "similar PI target",
                "<?xml-stylesheets href=\"http://example.com/x.xsl\"?><r/>",
                OK,
            ),
            (
                "a URL in another pseudo-attribute",
                "<?xml-stylesheet title=\"http://e.example/\" href=\"a.xsl\"?><r/>",
                OK,
            ),
        ],
    );
    let v = rejected(&XmlPolicy::default(), absolute[8].1.as_bytes(), STYLESHEET);
    assert_eq!((v.location(), v.offset()), ("/", Some(22)), "{v}");
}
