//! `Content-Type` parsing (RFC 9110 section 8.3) and the body kinds the
//! guard inspects.

/// What kind of body a media type announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// `application/json`, `application/*+json`.
    Json,
    /// `application/xml`, `text/xml`, `application/*+xml`.
    Xml,
    /// `multipart/form-data`.
    Multipart,
    /// Anything else.
    Other,
}

/// A parsed media type: lower-cased type and subtype, and the parameters the
/// guard cares about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MediaType<'a> {
    /// `type/subtype`, as sent.
    pub(crate) essence: &'a str,
    /// Lower-cased `type`.
    pub(crate) top: String,
    /// Lower-cased `subtype`.
    pub(crate) sub: String,
    /// The `charset` parameter, unquoted, if any.
    pub(crate) charset: Option<&'a str>,
    /// The `boundary` parameter, unquoted, if any.
    pub(crate) boundary: Option<&'a str>,
}

impl MediaType<'_> {
    /// Which inspector the body goes to.
    pub(crate) fn kind(&self) -> BodyKind {
        match (self.top.as_str(), self.sub.as_str()) {
            ("application", "json") => BodyKind::Json,
            ("application", sub) if sub.ends_with("+json") => BodyKind::Json,
            ("application" | "text", "xml") => BodyKind::Xml,
            ("application", sub) if sub.ends_with("+xml") => BodyKind::Xml,
            ("multipart", "form-data") => BodyKind::Multipart,
            _ => BodyKind::Other,
        }
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Parses a `Content-Type` value; `None` when it is not a well-formed media
/// type (which the guard treats as a header it cannot read, not as "other").
pub(crate) fn parse(value: &str) -> Option<MediaType<'_>> {
    let mut parts = value.split(';');
    let essence = parts.next()?.trim_matches([' ', '\t']);
    let (top, sub) = essence.split_once('/')?;
    if !is_token(top) || !is_token(sub) {
        return None;
    }
    let mut media = MediaType {
        essence,
        top: top.to_ascii_lowercase(),
        sub: sub.to_ascii_lowercase(),
        charset: None,
        boundary: None,
    };
    // Quoted parameter values cannot hold `;` here: a value with `;` inside
    // quotes splits wrongly and then fails the token checks, which rejects
    // it rather than misreading it.
    for param in parts {
        let param = param.trim_matches([' ', '\t']);
        if param.is_empty() {
            continue;
        }
        let (name, raw) = param.split_once('=')?;
        if !is_token(name) {
            return None;
        }
        let value = match raw.strip_prefix('"') {
            Some(quoted) => {
                let inner = quoted.strip_suffix('"')?;
                if inner.contains(['"', '\\']) {
                    return None;
                }
                inner
            }
            None if is_token(raw) => raw,
            None => return None,
        };
        // commons-fileupload 1.5 and later read `boundary*` (RFC 2231) as
        // `boundary`, and every version decodes RFC 2047 words in values:
        // the engine would split the body at another boundary than ours.
        let bare = name.strip_suffix('*').unwrap_or(name);
        if name.ends_with('*')
            && (bare.eq_ignore_ascii_case("charset") || bare.eq_ignore_ascii_case("boundary"))
        {
            return None;
        }
        if name.eq_ignore_ascii_case("boundary") && value.contains("=?") {
            return None;
        }
        let slot = if name.eq_ignore_ascii_case("charset") {
            &mut media.charset
        } else if name.eq_ignore_ascii_case("boundary") {
            &mut media.boundary
        } else {
            continue;
        };
        // A repeated parameter is ambiguous: parsers disagree on which wins.
        if slot.replace(value).is_some() {
            return None;
        }
    }
    Some(media)
}

// Test module: unwraps here are test failures on fixed inputs, not request paths.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        let cases = [
            ("application/json", BodyKind::Json),
            ("Application/JSON; charset=utf-8", BodyKind::Json),
            ("application/hal+json", BodyKind::Json),
            ("application/xml", BodyKind::Xml),
            ("text/xml;charset=\"UTF-8\"", BodyKind::Xml),
            ("application/soap+xml", BodyKind::Xml),
            ("multipart/form-data; boundary=abc", BodyKind::Multipart),
            ("text/plain", BodyKind::Other),
            ("application/jsonx", BodyKind::Other),
            ("application/json+x", BodyKind::Other),
            ("text/json", BodyKind::Other),
        ];
        for (value, kind) in cases {
            assert_eq!(parse(value).map(|m| m.kind()), Some(kind), "{value}");
        }
    }

    #[test]
    fn parameters() {
        let m = parse("text/xml; Charset=\"utf-16\"; boundary=x").unwrap();
        assert_eq!((m.charset, m.boundary), (Some("utf-16"), Some("x")));
        // Other extended parameters and `=?` elsewhere are nothing to us.
        let m = parse("multipart/form-data; boundary=\"a=b?c\"; title*=UTF-8''x").unwrap();
        assert_eq!(m.boundary, Some("a=b?c"));
    }

    #[test]
    fn malformed() {
        for value in [
            "",
            "json",
            "application/",
            "/json",
            "application json/x",
            "application/json; charset",
            "application/json; charset=\"utf-8",
            "application/json; charset=utf-8; charset=latin1",
            "application/json; charset=a b",
            "application/json, text/xml",
            "multipart/form-data; boundary=a; boundary*=UTF-8''b",
            "multipart/form-data; boundary*=UTF-8''b",
            "multipart/form-data; boundary=\"=?UTF-8?Q?b?=\"",
            "application/json; charset*=UTF-8''utf-16",
        ] {
            assert_eq!(parse(value), None, "{value:?}");
        }
    }
}
