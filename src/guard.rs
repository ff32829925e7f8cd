//! The sans-IO core: a policy compiled once, asked once per request.

use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use http::request::Parts;
use http::{HeaderMap, HeaderName, Uri};

use crate::classes::ClassFilter;
use crate::inspect::json::JsonInspector;
use crate::inspect::media_type::{self, BodyKind};
use crate::inspect::xml::XmlInspector;
use crate::policy::{Mode, Policy};
use crate::violation::{Code, Violation};

/// What to do with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Verdict {
    /// Pass the request on unchanged.
    Allow,
    /// Pass the request on with this URI instead of its own (a clamped
    /// `maxResults`, for example).
    Rewrite(Uri),
    /// Refuse the request.
    Reject(Violation),
    /// The policy is in report mode: pass the request on, and record the
    /// violation that enforce mode would have rejected.
    Report(Violation),
}

impl Verdict {
    /// Whether the request goes on to the service (allow, rewrite, report).
    pub fn is_allowed(&self) -> bool {
        !matches!(self, Verdict::Reject(_))
    }

    /// The violation found, whether enforced or only reported.
    pub fn violation(&self) -> Option<&Violation> {
        match self {
            Verdict::Reject(v) | Verdict::Report(v) => Some(v),
            Verdict::Allow | Verdict::Rewrite(_) => None,
        }
    }
}

/// A compiled policy that judges requests.
///
/// Build it once at start-up and share it (`Arc<Guard>`); checks take
/// `&self` and never allocate on the accept path.
///
/// ```
/// use input_guard::{Guard, Verdict, policy::Policy};
///
/// let guard = Guard::new(Policy::from_toml("[body]\nmax_bytes = 4\n")?);
/// let (head, ()) = http::Request::post("/engine-rest/message")
///     .header("content-type", "application/json")
///     .body(())?
///     .into_parts();
/// let verdict = guard.check(&head, b"{\"a\":1}");
/// assert_eq!(verdict.violation().unwrap().code().as_str(), "body-too-large");
/// assert_eq!(guard.check(&head, b""), Verdict::Allow);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Guard {
    policy: Policy,
    classes: ClassFilter,
    xml: XmlInspector,
}

impl Guard {
    /// Compiles `policy`.
    pub fn new(policy: Policy) -> Self {
        let classes = ClassFilter::new(
            policy.classes.allow.iter().cloned(),
            policy.classes.deny.iter().cloned(),
        );
        let xml = XmlInspector::new(policy.xml.clone());
        Guard {
            policy,
            classes,
            xml,
        }
    }

    /// The policy the guard was built from.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The JSON inspector, borrowing this guard's class filter and XML
    /// inspector.
    pub fn json(&self) -> JsonInspector<'_> {
        JsonInspector::new(&self.policy, &self.classes, &self.xml)
    }

    /// The XML inspector.
    pub fn xml(&self) -> &XmlInspector {
        &self.xml
    }

    /// The compiled class filter (policy rules plus the gadget list).
    pub fn class_filter(&self) -> &ClassFilter {
        &self.classes
    }

    /// Checks what can be checked before the body is read: the declared
    /// length, encoding and type. Adapters call this first so that an
    /// oversized upload is refused without reading it; [`Guard::check`]
    /// repeats it, so calling it is an optimisation, never a requirement.
    pub fn check_head(&self, head: &Parts) -> Verdict {
        self.verdict(self.inspect_head(&head.headers).err())
    }

    /// Judges a whole request: its head and its complete body.
    pub fn check(&self, head: &Parts, body: &[u8]) -> Verdict {
        self.verdict(self.inspect(head, body).err())
    }

    fn verdict(&self, violation: Option<Violation>) -> Verdict {
        match (violation, self.policy.mode) {
            (None, _) => Verdict::Allow,
            (Some(v), Mode::Enforce) => Verdict::Reject(v),
            (Some(v), Mode::Report) => Verdict::Report(v),
        }
    }

    fn inspect(&self, head: &Parts, body: &[u8]) -> Result<(), Violation> {
        let declared = self.inspect_head(&head.headers)?;
        if body.len() as u64 > self.policy.body.max_bytes {
            return Err(too_large("body", self.policy.body.max_bytes));
        }
        // A length that disagrees with the body is a framing trick: the
        // engine's server may read a different body than the guard did.
        if declared.is_some_and(|len| len != body.len() as u64) {
            return Err(Violation::new(
                Code::InvalidHeader,
                "header:content-length",
                "Content-Length does not match the body",
            ));
        }
        if body.is_empty() {
            return Ok(());
        }
        let Some(value) = single_header(&head.headers, &CONTENT_TYPE)? else {
            return Err(Violation::new(
                Code::UnsupportedMediaType,
                "header:content-type",
                "a request body needs a Content-Type",
            ));
        };
        let media = media_type::parse(value).ok_or_else(|| unreadable(&CONTENT_TYPE))?;
        match media.kind() {
            BodyKind::Xml => self.xml.inspect(body, media.charset),
            BodyKind::Json => self.json().inspect(body, media.charset),
            // Fail closed: a body kind whose inspector has not been built
            // is refused rather than passed unread.
            BodyKind::Multipart | BodyKind::Other => Err(Violation::new(
                Code::UnsupportedMediaType,
                "header:content-type",
                format!("content type {} is not accepted", media.essence),
            )),
        }
    }

    /// Returns the declared `Content-Length`, if any.
    fn inspect_head(&self, headers: &HeaderMap) -> Result<Option<u64>, Violation> {
        if let Some(value) = single_header(headers, &CONTENT_ENCODING)?
            && !value.trim().eq_ignore_ascii_case("identity")
        {
            return Err(Violation::new(
                Code::UnsupportedContentEncoding,
                "header:content-encoding",
                "compressed request bodies are not accepted",
            ));
        }
        let Some(value) = single_header(headers, &CONTENT_LENGTH)? else {
            return Ok(None);
        };
        // RFC 9110: 1*DIGIT. No sign, no blanks, no list.
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(unreadable(&CONTENT_LENGTH));
        }
        // All digits, so the only parse failure is overflow: too large.
        let declared = value.parse::<u64>().unwrap_or(u64::MAX);
        if declared > self.policy.body.max_bytes {
            return Err(too_large(
                "header:content-length",
                self.policy.body.max_bytes,
            ));
        }
        Ok(Some(declared))
    }
}

fn too_large(location: &'static str, max: u64) -> Violation {
    Violation::new(
        Code::BodyTooLarge,
        location,
        format!("request body is larger than {max} bytes"),
    )
}

fn unreadable(name: &HeaderName) -> Violation {
    Violation::new(
        Code::InvalidHeader,
        format!("header:{name}"),
        format!("the {name} header cannot be read unambiguously"),
    )
}

/// The value of a header that must appear at most once, as text.
fn single_header<'h>(
    headers: &'h HeaderMap,
    name: &HeaderName,
) -> Result<Option<&'h str>, Violation> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(unreadable(name));
    }
    first.to_str().map(Some).map_err(|_| unreadable(name))
}
