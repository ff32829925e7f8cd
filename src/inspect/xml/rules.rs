//! The content rules an [`XmlPolicy`] sets, applied to what the tokenizer
//! (`scan.rs`) reports: XInclude (always refused), XSLT, schema locations,
//! `xml-stylesheet` instructions, forbidden elements and attributes.
//!
//! The tokenizer has already settled that the document is well formed and
//! within its limits; these rules only judge names, namespaces and values.
//! Namespaces are matched by name, never by prefix: the tokenizer resolves
//! every prefix before the rules see an element or attribute.

use super::scan::{Hooks, Name, Rejection, Value};
use super::{attrs, url};
use crate::policy::{SchemaLocations, XmlName, XmlPolicy};
use crate::violation::Code;

const XINCLUDE: [&str; 2] = [
    "http://www.w3.org/2001/XInclude",
    "http://www.w3.org/2003/XInclude",
];
const XSLT: &str = "http://www.w3.org/1999/XSL/Transform";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// XML Schema itself (XSD 1.0 and 1.1): `xs:import`, `xs:include`,
/// `xs:redefine` and `xs:override` fetch the document named by their
/// `schemaLocation`.
const XSD: &str = "http://www.w3.org/2001/XMLSchema";
/// The XSD elements whose unprefixed `schemaLocation` names a document to load.
const XSD_LOADERS: [&str; 4] = ["import", "include", "redefine", "override"];

/// The namespaces the rules treat specially, decided once when a prefix is
/// bound so that elements compare a tag, not URIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NsKind {
    Other,
    XInclude,
    Xslt,
    Xsi,
    Xsd,
}

impl NsKind {
    fn of(uri: &str) -> NsKind {
        if XINCLUDE.contains(&uri) {
            NsKind::XInclude
        } else if uri == XSLT {
            NsKind::Xslt
        } else if uri == XSI {
            NsKind::Xsi
        } else if uri == XSD {
            NsKind::Xsd
        } else {
            NsKind::Other
        }
    }
}

/// The policy's content rules, for one document.
pub(super) struct Rules<'p> {
    policy: &'p XmlPolicy,
}

impl<'p> Rules<'p> {
    pub(super) fn new(policy: &'p XmlPolicy) -> Self {
        Rules { policy }
    }

    /// Whether a schema location attribute's value passes: `pairs` of
    /// namespace name and location (`xsi:schemaLocation`), or one location.
    fn schema_location_allowed(&self, pairs: bool, value: &str) -> bool {
        match self.policy.schema_locations {
            SchemaLocations::Any => true,
            SchemaLocations::None => false,
            SchemaLocations::PublicHttp => {
                // U+0085 and U+2028 are line ends in XML 1.1, so white space
                // in an attribute value to the parser: `a.xsd\u{85}file:///x`
                // is two tokens to it. No real location holds them.
                if value.contains(['\u{85}', '\u{2028}']) {
                    return false;
                }
                let mut tokens = value.split(' ').filter(|t| !t.is_empty());
                let allowed = |location: &str| {
                    url::is_public_http(location) || url::is_plain_relative(location)
                };
                if !pairs {
                    // One URI; spaces would make it several.
                    return tokens.next().is_some_and(allowed) && tokens.next().is_none();
                }
                // Pairs of namespace name and location: judge every second.
                let mut count = 0;
                let mut ok = true;
                for (i, token) in tokens.enumerate() {
                    count += 1;
                    if i % 2 == 1 {
                        ok &= allowed(token);
                    }
                }
                ok && count > 0 && count % 2 == 0
            }
        }
    }
}

// `#[inline]`: the tokenizer calls these once per element or attribute;
// without it they may land in another codegen unit than the tokenizer and
// be called out of line, which measurably costs on attribute-heavy BPMN.
impl Hooks for Rules<'_> {
    type Tag = NsKind;

    #[inline]
    fn namespace(&self, uri: &str) -> NsKind {
        NsKind::of(uri)
    }

    #[inline]
    fn start_element(&mut self, element: Name<'_, NsKind>) -> Result<(), Rejection> {
        match element.namespace {
            // XInclude makes the parser fetch and splice in other
            // documents; no policy key turns it on.
            Some((_, NsKind::XInclude)) => {
                return Err(Rejection::new(
                    Code::XmlXinclude,
                    "XInclude is not accepted",
                ));
            }
            Some((_, NsKind::Xslt)) if !self.policy.allow_xslt => {
                return Err(Rejection::new(Code::XmlXslt, "XSLT is not accepted"));
            }
            _ => {}
        }
        if matches_any(&self.policy.forbid_elements, element) {
            return Err(Rejection::new(
                Code::XmlForbiddenElement,
                "this element is not accepted here",
            ));
        }
        Ok(())
    }

    #[inline]
    fn attribute(
        &mut self,
        element: Name<'_, NsKind>,
        attribute: Name<'_, NsKind>,
        value: Value<'_>,
    ) -> Result<(), Rejection> {
        let local = attribute.local;
        // `xsi:schemaLocation` (pairs), `xsi:noNamespaceSchemaLocation` and
        // the `schemaLocation` of XSD's import, include, redefine and override
        // (one URI each) name documents a schema-aware parser loads.
        let location = match (attribute.namespace, element.namespace) {
            (Some((_, NsKind::Xsi)), _) if local == "schemaLocation" => Some(true),
            (Some((_, NsKind::Xsi)), _) if local == "noNamespaceSchemaLocation" => Some(false),
            (None, Some((_, NsKind::Xsd)))
                if local == "schemaLocation" && XSD_LOADERS.contains(&element.local) =>
            {
                Some(false)
            }
            _ => None,
        };
        // The value judged is the one the parser reports (references
        // resolved, tab/CR/LF as spaces), not the one written: `&#32;`
        // would otherwise hide a second location from the token split.
        if let Some(pairs) = location
            && !self.schema_location_allowed(pairs, &value.normalized())
        {
            return Err(Rejection::new(
                Code::XmlSchemaLocation,
                "schema location not allowed",
            ));
        }
        let forbidden = self.policy.forbid_attributes.iter().any(|rule| {
            names_match(rule.attribute(), attribute)
                && rule.element().is_none_or(|e| names_match(e, element))
        });
        if forbidden {
            return Err(Rejection::new(
                Code::XmlForbiddenAttribute,
                "this attribute is not accepted here",
            ));
        }
        Ok(())
    }

    #[inline]
    fn processing_instruction(&mut self, target: &str, content: &str) -> Result<(), Rejection> {
        if target == "xml-stylesheet" && !self.policy.allow_absolute_stylesheets {
            return stylesheet(content);
        }
        Ok(())
    }
}

/// An `xml-stylesheet` instruction: refused when its `href` is absolute,
/// since a browser or transformer would fetch it from elsewhere.
fn stylesheet(content: &str) -> Result<(), Rejection> {
    let refused = |message| Err(Rejection::new(Code::XmlStylesheet, message));
    let mut pseudo = Vec::new();
    // Pseudo-attributes follow attribute syntax; ones we cannot read are
    // refused rather than guessed at.
    if content.is_empty() || attrs::scan(content, 0, false, 64, &mut pseudo).is_err() {
        return refused("unreadable xml-stylesheet instruction");
    }
    for attr in pseudo.iter().filter(|a| a.name(content) == "href") {
        if url::is_absolute(attrs::normalized(attr.value(content)).trim()) {
            return refused("stylesheets from absolute URLs are not accepted");
        }
    }
    Ok(())
}

fn names_match(name: &XmlName, actual: Name<'_, NsKind>) -> bool {
    name.local() == actual.local && name.namespace() == actual.namespace.map(|(uri, _)| uri)
}

fn matches_any(names: &[XmlName], actual: Name<'_, NsKind>) -> bool {
    names.iter().any(|n| names_match(n, actual))
}
