use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::Full;
use pin_project_lite::pin_project;

/// The request body the inner service receives: the bytes the guard read
/// and judged, the same buffer and not a copy, in one frame.
///
/// ```
/// use bytes::Bytes;
/// use http_body::Body;
/// use input_guard::layer::InspectedBody;
///
/// let body = InspectedBody::new(Bytes::from_static(b"{}"));
/// assert_eq!(body.size_hint().exact(), Some(2));
/// assert_eq!(body.into_bytes(), Bytes::from_static(b"{}"));
/// ```
#[derive(Debug, Default, Clone)]
pub struct InspectedBody {
    bytes: Option<Bytes>,
}

impl InspectedBody {
    /// A body holding `bytes`.
    pub fn new(bytes: Bytes) -> Self {
        InspectedBody {
            bytes: (!bytes.is_empty()).then_some(bytes),
        }
    }

    /// The bytes, without polling: what was read and judged, or what is
    /// left of it if the body has been polled already.
    pub fn into_bytes(self) -> Bytes {
        self.bytes.unwrap_or_default()
    }
}

impl Body for InspectedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.bytes.take().map(|bytes| Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        self.bytes.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.bytes.as_ref().map_or(0, |b| b.len() as u64))
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
