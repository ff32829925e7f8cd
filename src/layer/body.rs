use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use pin_project_lite::pin_project;

use super::budget::Reservation;

/// The request body the inner service receives: the bytes the guard read
/// and judged, the same buffer and not a copy, in one frame.
///
/// In report mode, a body over its route's limit is not buffered past the
/// limit: it streams on, what was read first and then the rest as it
/// arrives, uninspected (the violation is recorded).
///
/// ```
/// use bytes::Bytes;
/// use http_body::Body;
/// use input_guard::layer::InspectedBody;
///
/// let body = InspectedBody::new(Bytes::from_static(b"{}"));
/// assert_eq!(body.size_hint().exact(), Some(2));
/// assert_eq!(body.into_bytes(), Some(Bytes::from_static(b"{}")));
/// ```
#[derive(Default)]
pub struct InspectedBody {
    bytes: Option<Bytes>,
    /// The unread rest of a body streamed on uninspected (report mode).
    rest: Option<UnsyncBoxBody<Bytes, BoxError>>,
    /// The bytes held of the layer's buffer budget, given back when the
    /// body is dropped: the buffer lives until then.
    reservation: Option<Reservation>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl std::fmt::Debug for InspectedBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InspectedBody")
            .field("bytes", &self.bytes.as_ref().map(Bytes::len))
            .field("streaming", &self.rest.is_some())
            .finish()
    }
}

impl InspectedBody {
    /// A body holding `bytes`.
    pub fn new(bytes: Bytes) -> Self {
        InspectedBody {
            bytes: (!bytes.is_empty()).then_some(bytes),
            rest: None,
            reservation: None,
        }
    }

    /// The same body, holding `reservation` while it lives.
    pub(crate) fn holding(mut self, reservation: Option<Reservation>) -> Self {
        self.reservation = reservation;
        self
    }

    /// `read` (if any), then `rest` as it arrives.
    pub(crate) fn streamed<B>(read: Option<Bytes>, rest: B) -> Self
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        InspectedBody {
            bytes: read.filter(|b| !b.is_empty()),
            rest: Some(rest.map_err(Into::into).boxed_unsync()),
            reservation: None,
        }
    }

    /// The bytes, without polling, when the body is whole: what was read
    /// and judged, or what is left of it if it has been polled already.
    /// `None` for a body that streams on (report mode, over its limit).
    pub fn into_bytes(self) -> Option<Bytes> {
        match self.rest {
            None => Some(self.bytes.unwrap_or_default()),
            Some(_) => None,
        }
    }
}

impl Body for InspectedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if let Some(bytes) = self.bytes.take() {
            return Poll::Ready(Some(Ok(Frame::data(bytes))));
        }
        match self.rest.as_mut() {
            Some(rest) => Pin::new(rest).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.bytes.is_none() && self.rest.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        let read = self.bytes.as_ref().map_or(0, |b| b.len() as u64);
        match &self.rest {
            None => SizeHint::with_exact(read),
            Some(rest) => {
                let rest = rest.size_hint();
                let mut hint = SizeHint::new();
                hint.set_lower(rest.lower().saturating_add(read));
                if let Some(upper) = rest.upper() {
                    hint.set_upper(upper.saturating_add(read));
                }
                hint
            }
        }
    }
}

pin_project! {
    /// The response body of a guarded service: a problem+json rejection,
    /// or whatever the inner service answered.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use http_body_util::Full;
    /// use input_guard::layer::ResponseBody;
    ///
    /// let passed: ResponseBody<Full<Bytes>> = ResponseBody::inner(Full::new(Bytes::new()));
    /// assert!(!passed.is_rejection());
    /// ```
    #[derive(Debug)]
    pub struct ResponseBody<B> {
        #[pin]
        kind: Kind<B>,
    }
}

pin_project! {
    #[project = KindProj]
    #[derive(Debug)]
    enum Kind<B> {
        Rejection { body: Full<Bytes> },
        Inner { #[pin] body: B },
    }
}

impl<B> ResponseBody<B> {
    /// A rejection's body.
    pub(crate) fn rejection(body: Full<Bytes>) -> Self {
        ResponseBody {
            kind: Kind::Rejection { body },
        }
    }

    /// The inner service's body, passed on unchanged.
    pub fn inner(body: B) -> Self {
        ResponseBody {
            kind: Kind::Inner { body },
        }
    }

    /// Whether the guard answered (a rejection) rather than the inner
    /// service.
    pub fn is_rejection(&self) -> bool {
        matches!(self.kind, Kind::Rejection { .. })
    }
}

impl<B> Body for ResponseBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        match self.project().kind.project() {
            KindProj::Rejection { body } => Pin::new(body)
                .poll_frame(cx)
                .map(|frame| frame.map(|f| f.map_err(|never| match never {}))),
            KindProj::Inner { body } => body.poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Rejection { body } => body.is_end_stream(),
            Kind::Inner { body } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Rejection { body } => body.size_hint(),
            Kind::Inner { body } => body.size_hint(),
        }
    }
}
