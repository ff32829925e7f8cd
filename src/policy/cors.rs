//! `[cors]`: which browser origins may call the API, answered at the edge.

use http::Method;

/// Cross-origin requests, answered by the guard instead of the engine
/// (Camunda's guide: "let only some front-end origins call the API").
///
/// With a `[cors]` section the layer answers preflights itself (never
/// forwarding them), adds `Access-Control-Allow-*` to the answers to
/// allowed origins, and refuses state-changing requests (anything but
/// `GET`, `HEAD` and `OPTIONS`) from other origins with 403
/// `origin-not-allowed`. A request whose `Origin` is the request's own
/// host is same-origin and not judged. Without the section the guard does
/// not look at `Origin` at all.
///
/// ```
/// use input_guard::policy::Policy;
///
/// let policy = Policy::from_toml(r#"
/// [cors]
/// allow_origins = ["https://tasklist.example.com"]
/// allow_headers = ["content-type", "authorization"]
/// "#)?;
/// let cors = policy.cors.expect("a [cors] section");
/// assert_eq!(cors.allow_origins, ["https://tasklist.example.com"]);
/// assert_eq!(cors.max_age_secs, 600);
/// # Ok::<(), input_guard::policy::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsPolicy {
    /// Origins allowed, exactly as browsers send them
    /// (`https://tasklist.example.com`, `http://localhost:8080`), compared
    /// without regard to letter case. No wildcard: an API that acts on a
    /// user's behalf names its front ends.
    pub allow_origins: Vec<String>,
    /// Methods a preflight may ask for; default `GET`, `POST`, `PUT`,
    /// `DELETE`.
    pub allow_methods: Vec<Method>,
    /// Request headers a preflight may ask for, lower case; default
    /// `content-type`.
    pub allow_headers: Vec<String>,
    /// Whether browsers may send cookies and credentials
    /// (`Access-Control-Allow-Credentials: true`); default `false`.
    pub allow_credentials: bool,
    /// How long a browser may cache a preflight's answer, in seconds;
    /// default 600.
    pub max_age_secs: u32,
}

impl Default for CorsPolicy {
    fn default() -> Self {
        CorsPolicy {
            allow_origins: Vec::new(),
            allow_methods: vec![Method::GET, Method::POST, Method::PUT, Method::DELETE],
            allow_headers: vec!["content-type".to_owned()],
            allow_credentials: false,
            max_age_secs: 600,
        }
    }
}

/// Checks one `allow_origins` entry: `scheme://host[:port]`, nothing more.
pub(crate) fn origin(text: &str) -> Result<String, String> {
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("`{text}` is not an origin: write scheme://host[:port], e.g. https://tasklist.example.com")
        })?;
    let host_ok = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if !host_ok {
        return Err(format!(
            "`{text}` is not an origin: no path, query, wildcard or user part after the host"
        ));
    }
    Ok(lower)
}
