//! The one DOCTYPE a policy may allow (`[xml] allow_doctype`): an internal
//! subset that only declares elements and attribute lists.
//!
//! Everything a DTD can do to the document the guard sees is refused:
//!
//! * an external subset (`SYSTEM`/`PUBLIC`) is fetched by the parser: XXE,
//!   SSRF, and declarations the guard never reads;
//! * entity declarations, general or parameter, are what entity bombs and
//!   external entities are made of, and parameter-entity references are
//!   how a subset pulls in more of them;
//! * `NOTATION` declarations name external identifiers;
//! * attribute defaults (`"value"`, `#FIXED "value"`) would add attributes
//!   to elements that the guard's streaming scan does not see: a default
//!   `xmlns` could put an innocent-looking element in the XInclude
//!   namespace, a default `xsi:schemaLocation` could point the parser at a
//!   URL. Only `#REQUIRED` and `#IMPLIED` attribute declarations pass;
//! * attribute types other than `CDATA` make even a non-validating parser
//!   trim and collapse the spaces of the value: declared `NMTOKEN`, an
//!   `xmlns=" http://...XInclude"` that the guard reads as a harmless URI
//!   with a leading space binds the XInclude namespace in the engine. So
//!   every attribute must be declared `CDATA`, which is how an undeclared
//!   attribute is read anyway.
//!
//! What remains (element content models, `CDATA` attributes without
//! defaults) changes nothing a non-validating parser reports.

/// Why a DOCTYPE was refused, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    /// A DTD feature the guard never allows: `xml-doctype`.
    Forbidden(usize, &'static str),
    /// Not a DOCTYPE at all: `xml-malformed`.
    Malformed(usize, &'static str),
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).copied().is_some_and(is_space) {
        at += 1;
    }
    at
}

/// Bytes that never occur in a name or a content model; anything else
/// (name characters, non-ASCII included, and `( ) | , ? * + #`) is left to
/// the engine's parser, which sees the same text.
fn is_model_byte(b: u8) -> bool {
    !matches!(b, b'"' | b'\'' | b'%' | b'&' | b'<' | b'>' | b'[' | b']')
}

/// Reads the DOCTYPE starting with `<!DOCTYPE` at `lt`; returns the offset
/// after its closing `>`.
pub(super) fn scan(bytes: &[u8], lt: usize) -> Result<usize, Refusal> {
    use Refusal::{Forbidden, Malformed};
    let mut at = lt + b"<!DOCTYPE".len();
    if !bytes.get(at).copied().is_some_and(is_space) {
        return Err(Malformed(at, "malformed DOCTYPE"));
    }
    at = skip_space(bytes, at);
    let name = at;
    while bytes
        .get(at)
        .is_some_and(|&b| !is_space(b) && is_model_byte(b) && !b"()|,?*+#".contains(&b))
    {
        at += 1;
    }
    if at == name {
        return Err(Malformed(at, "DOCTYPE without a name"));
    }
    at = skip_space(bytes, at);
    let rest = &bytes[at..];
    if rest.starts_with(b"SYSTEM") || rest.starts_with(b"PUBLIC") {
        return Err(Forbidden(
            at,
            "external DTDs (SYSTEM/PUBLIC) are not accepted",
        ));
    }
    if bytes.get(at) == Some(&b'[') {
        at = internal_subset(bytes, at + 1)?;
        at = skip_space(bytes, at);
    }
    match bytes.get(at) {
        Some(b'>') => Ok(at + 1),
        None => Err(Malformed(lt, "DOCTYPE is not closed")),
        Some(_) => Err(Malformed(at, "malformed DOCTYPE")),
    }
}

/// The internal subset after its `[`; returns the offset after its `]`.
fn internal_subset(bytes: &[u8], mut at: usize) -> Result<usize, Refusal> {
    use Refusal::{Forbidden, Malformed};
    loop {
        at = skip_space(bytes, at);
        let rest = &bytes[at..];
        if rest.is_empty() {
            return Err(Malformed(at, "DOCTYPE internal subset is not closed"));
        }
        at = if rest[0] == b']' {
            return Ok(at + 1);
        } else if rest[0] == b'%' {
            return Err(Forbidden(
                at,
                "parameter entity references are not accepted",
            ));
        } else if rest.starts_with(b"<!--") {
            let body = at + 4;
            let end = memchr::memmem::find(&bytes[body..], b"--")
                .ok_or(Malformed(at, "comment is not closed"))?;
            if bytes.get(body + end + 2) != Some(&b'>') {
                return Err(Malformed(body + end, "`--` inside a comment"));
            }
            body + end + 3
        } else if rest.starts_with(b"<?") {
            let target_end = rest[2..]
                .iter()
                .position(|&b| is_space(b) || b == b'?')
                .map_or(rest.len(), |i| i + 2);
            if target_end == 2 || rest[2..target_end].eq_ignore_ascii_case(b"xml") {
                return Err(Malformed(at, "malformed processing instruction"));
            }
            // SAX reports DTD instructions like prolog ones; a stylesheet
            // here would dodge the `xml-stylesheet` rule.
            if rest[2..target_end].eq_ignore_ascii_case(b"xml-stylesheet") {
                return Err(Forbidden(
                    at,
                    "stylesheet instructions in a DTD are not accepted",
                ));
            }
            let end = memchr::memmem::find(&rest[target_end..], b"?>")
                .ok_or(Malformed(at, "processing instruction is not closed"))?;
            at + target_end + end + 2
        } else if rest.starts_with(b"<!ELEMENT") || rest.starts_with(b"<!ATTLIST") {
            let body = at + 9;
            if !bytes.get(body).copied().is_some_and(is_space) {
                return Err(Malformed(at, "malformed markup declaration"));
            }
            let end = memchr::memchr(b'>', &bytes[body..])
                .map(|i| body + i)
                .ok_or(Malformed(at, "markup declaration is not closed"))?;
            let decl = &bytes[body..end];
            if let Some(i) = decl.iter().position(|&b| b == b'"' || b == b'\'') {
                return Err(Forbidden(
                    body + i,
                    "attribute defaults in a DTD are not accepted",
                ));
            }
            if let Some(i) = decl.iter().position(|&b| b == b'%') {
                return Err(Forbidden(
                    body + i,
                    "parameter entity references are not accepted",
                ));
            }
            if let Some(i) = memchr::memmem::find(decl, b"#FIXED") {
                return Err(Forbidden(
                    body + i,
                    "attribute defaults in a DTD are not accepted",
                ));
            }
            if let Some(i) = decl.iter().position(|&b| !is_space(b) && !is_model_byte(b)) {
                return Err(Malformed(body + i, "malformed markup declaration"));
            }
            if rest.starts_with(b"<!ATTLIST") && !cdata_only(decl) {
                return Err(Forbidden(
                    at,
                    "DTD attribute types other than CDATA are not accepted",
                ));
            }
            end + 1
        } else if rest.starts_with(b"<!ENTITY") {
            return Err(Forbidden(at, "entity declarations are not accepted"));
        } else if rest.starts_with(b"<!NOTATION") {
            return Err(Forbidden(at, "notation declarations are not accepted"));
        } else {
            return Err(Malformed(at, "malformed DOCTYPE internal subset"));
        };
    }
}

/// Whether an attribute-list declaration (after `<!ATTLIST`) is an element
/// name followed by `name CDATA #REQUIRED|#IMPLIED` triples only.
fn cdata_only(decl: &[u8]) -> bool {
    let mut tokens = decl
        .split(|&b| is_space(b))
        .filter(|token| !token.is_empty());
    if tokens.next().is_none() {
        return false;
    }
    loop {
        match (tokens.next(), tokens.next(), tokens.next()) {
            (None, _, _) => return true,
            (Some(_), Some(b"CDATA"), Some(b"#REQUIRED" | b"#IMPLIED")) => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    //! Unit tests only (never compiled into the library): an `unwrap` or
    //! `expect` here is a test assertion on fixed inputs, not a path a
    //! request can reach.
    use super::*;

    fn outcome(doc: &str) -> Result<usize, Refusal> {
        scan(doc.as_bytes(), 0)
    }

    #[test]
    fn allowed_subsets() {
        for doc in [
            "<!DOCTYPE r>",
            "<!DOCTYPE r >",
            "<!DOCTYPE r[]>",
            "<!DOCTYPE r [ ] >",
            "<!DOCTYPE r [<!ELEMENT r (#PCDATA|a)*><!ELEMENT a EMPTY>]>",
            "<!DOCTYPE r [\n<!ATTLIST r id CDATA #REQUIRED kind CDATA #IMPLIED>\n<!-- c -->\n<?pi x?>\n]>",
            "<!DOCTYPE r [<!ATTLIST r>]>",
        ] {
            assert_eq!(outcome(doc), Ok(doc.len()), "{doc}");
        }
        assert_eq!(outcome("<!DOCTYPE r>tail"), Ok(12));
    }

    #[test]
    fn refusals() {
        let forbidden = |doc: &str| matches!(outcome(doc), Err(Refusal::Forbidden(..)));
        let malformed = |doc: &str| matches!(outcome(doc), Err(Refusal::Malformed(..)));
        for doc in [
            "<!DOCTYPE r SYSTEM \"http://x/d.dtd\">",
            "<!DOCTYPE r PUBLIC \"-//x\" \"d.dtd\">",
            "<!DOCTYPE r [<!ENTITY x \"y\">]>",
            "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://x\">%p;]>",
            "<!DOCTYPE r [%p;]>",
            "<!DOCTYPE r [<!NOTATION n SYSTEM \"x\">]>",
            "<!DOCTYPE r [<!ATTLIST r xmlns CDATA #FIXED \"http://www.w3.org/2001/XInclude\">]>",
            "<!DOCTYPE r [<!ATTLIST r a CDATA 'v'>]>",
            "<!DOCTYPE r [<!ATTLIST r a CDATA #FIXED>]>",
            "<!DOCTYPE r [<!ELEMENT r %m;>]>",
            "<!DOCTYPE r [<!ATTLIST s xmlns NMTOKEN #IMPLIED>]>",
            "<!DOCTYPE r [<!ATTLIST r id ID #REQUIRED>]>",
            "<!DOCTYPE r [<!ATTLIST r k (a|b) #IMPLIED>]>",
            "<!DOCTYPE r [<!ATTLIST r a CDATA>]>",
            "<!DOCTYPE r [<!ATTLIST r a CDATA #IMPLIED b>]>",
            "<!DOCTYPE r [<!ATTLIST r a cdata #IMPLIED>]>",
            "<!DOCTYPE r [<?xml-stylesheet href=\"http://10.0.0.1/x.xsl\"?>]>",
            "<!DOCTYPE r [<?XML-Stylesheet href=\"a.xsl\"?>]>",
        ] {
            assert!(forbidden(doc), "{doc}: {:?}", outcome(doc));
        }
        for doc in [
            "<!DOCTYPE>",
            "<!DOCTYPEr>",
            "<!DOCTYPE r",
            "<!DOCTYPE r [",
            "<!DOCTYPE r [<!ELEMENT r ANY>",
            "<!DOCTYPE r [<!ELEMENTr ANY>]>",
            "<!DOCTYPE r [<!ELEMENT r [x]>]>",
            "<!DOCTYPE r [<!-- a -- b -->]>",
            "<!DOCTYPE r [<?xml version=\"1.0\"?>]>",
            "<!DOCTYPE r [<!entity x \"y\">]>",
            "<!DOCTYPE r [junk]>",
            "<!DOCTYPE r x>",
        ] {
            assert!(malformed(doc), "{doc}: {:?}", outcome(doc));
        }
    }
}
