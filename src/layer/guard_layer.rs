use std::sync::Arc;

use tower::Layer;

use super::GuardService;
use crate::Guard;

/// Puts a [`Guard`] in front of a service. Cheap to clone: the compiled
/// guard is shared.
#[derive(Debug, Clone)]
pub struct GuardLayer {
    guard: Arc<Guard>,
}

impl GuardLayer {
    /// A layer applying `guard`.
    pub fn new(guard: Arc<Guard>) -> Self {
        GuardLayer { guard }
    }

    /// The guard this layer applies.
    pub fn guard(&self) -> &Arc<Guard> {
        &self.guard
    }
}

impl<S> Layer<S> for GuardLayer {
    type Service = GuardService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GuardService::new(inner, self.guard.clone())
    }
}
