//! The relay's plain HTTP side, on its main port: every request that is not a WebSocket
//! upgrade. It serves the web client (`files`, with the security headers of `policy`),
//! `GET /healthz` for load balancers, and `GET /metrics` when no `--metrics-bind` keeps
//! them elsewhere.
//!
//! hyper parses HTTP; this module only routes. Like the relay, it is bounded: each request
//! head must arrive within the handshake timeout (also between keep-alive requests), heads
//! are at most 8 KiB with 48 header lines, and a connection lives at most
//! [`MAX_HTTP_CONNECTION`]. It never sees a WebSocket frame.

#[cfg(feature = "embed-web")]
mod embedded;
pub mod files;
pub mod page_url;
mod policy;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::watch;

use crate::attachments;
use crate::metrics::Metrics;
use crate::metrics_endpoint;
use crate::rooms::RoomStore;
use crate::shared::Shared;
use crate::stream::{Rewound, Stream};
use crate::upgrade::MAX_REQUEST_HEAD_BYTES;

pub use files::Bundle;

/// The longest one HTTP connection may stay open, however busy: enough to download the
/// bundle (about 2.5 MB compressed) over a slow phone connection, short enough that a
/// client that stops reading cannot hold its connection slot for long.
pub const MAX_HTTP_CONNECTION: Duration = Duration::from_secs(120);

/// Most header lines in a request on a kept-alive connection (the first request's head is
/// checked by `upgrade` with the same limit).
const MAX_HEADERS: usize = 48;

/// What the main port serves besides the relay, whose rooms are kept by `S`.
#[derive(Debug)]
pub struct Site<S> {
    /// The web client, when there is one (`--web-dir` or the `embed-web` feature).
    pub bundle: Option<Bundle>,
    /// Set when `/metrics` is served on the main port (no `--metrics-bind` given).
    pub metrics: Option<Arc<Metrics>>,
    /// The relay's state, for `GET /attachments/<id>` (`attachments::http`).
    pub shared: Option<Arc<Shared<S>>>,
}

/// Serves HTTP requests on `stream` (whose first bytes, already read, are `head`) until the
/// client closes, the connection is too old, or the relay shuts down (the request in
/// flight is answered first). `shutdown` is also what `/healthz` reports.
pub async fn serve<S: RoomStore>(
    stream: Stream,
    head: Vec<u8>,
    site: Arc<Site<S>>,
    handshake_timeout: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let draining = shutdown.clone();
    let service = service_fn(move |request: Request<Incoming>| {
        let attachment = site.shared.as_ref().and_then(|shared| {
            let id = request
                .uri()
                .path()
                .strip_prefix(attachments::http::PREFIX)?;
            let head_only = request.method() == Method::HEAD;
            let wanted = head_only || request.method() == Method::GET;
            wanted.then(|| (Arc::clone(shared), id.to_owned(), head_only))
        });
        let response = match attachment {
            None => Ok(answer(&request, &site, *draining.borrow())),
            Some(download) => Err((download, request.headers().clone())),
        };
        async move {
            Ok::<_, Infallible>(match response {
                Ok(response) => response,
                Err(((shared, id, head_only), headers)) => {
                    attachments::http::answer(&shared, &id, &headers, head_only).await
                }
            })
        }
    });
    let already_draining = *shutdown.borrow_and_update();
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(handshake_timeout)
        .max_headers(MAX_HEADERS)
        .max_buf_size(MAX_REQUEST_HEAD_BYTES.max(8192))
        // While draining, one answer per connection: the client should go elsewhere.
        .keep_alive(!already_draining)
        .serve_connection(TokioIo::new(Rewound::new(head, stream)), service);
    let connection = async {
        tokio::pin!(connection);
        tokio::select! {
            result = connection.as_mut() => result,
            _ = shutdown.changed(), if !already_draining => {
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        }
    };
    match tokio::time::timeout(MAX_HTTP_CONNECTION, connection).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => tracing::debug!(%err, "http connection failed"),
        Err(_) => tracing::debug!("http connection open too long; closed"),
    }
}

/// The answer to one request that is not a WebSocket upgrade.
fn answer<S>(request: &Request<Incoming>, site: &Site<S>, draining: bool) -> Response<Full<Bytes>> {
    let method = request.method();
    if method != Method::GET && method != Method::HEAD {
        let mut response = text(
            StatusCode::METHOD_NOT_ALLOWED,
            "this relay answers GET and HEAD, and WebSocket upgrades\n",
        );
        let out = response.headers_mut();
        out.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        out.insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    let websocket = request
        .headers()
        .get_all(header::UPGRADE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("websocket"))
        });
    if websocket {
        // Only a connection's first request can become a WebSocket (`upgrade` reads it);
        // browsers open a fresh connection for every WebSocket anyway.
        let mut response = text(
            StatusCode::BAD_REQUEST,
            "open a new connection for a WebSocket upgrade\n",
        );
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    let path = request.uri().path();
    match (path, &site.metrics, &site.bundle) {
        ("/healthz", _, _) if draining => text(StatusCode::SERVICE_UNAVAILABLE, "draining\n"),
        ("/healthz", _, _) => text(StatusCode::OK, "ok\n"),
        ("/metrics", Some(metrics), _) => metrics_endpoint::answer(request, metrics),
        (_, _, Some(bundle)) => bundle.answer(path, request.headers()),
        _ => {
            let mut response = text(
                StatusCode::UPGRADE_REQUIRED,
                "this is a WebSocket relay: upgrade to websocket\n",
            );
            let out = response.headers_mut();
            out.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
            // Closed after, as before the relay served pages: nothing else to ask here.
            out.insert(
                header::CONNECTION,
                HeaderValue::from_static("Upgrade, close"),
            );
            out.insert(
                header::SEC_WEBSOCKET_VERSION,
                HeaderValue::from_static("13"),
            );
            response
        }
    }
}

/// The bundle built into the binary with the `embed-web` feature; `None` without it.
pub fn embedded() -> Option<Bundle> {
    #[cfg(feature = "embed-web")]
    {
        let bundle = embedded::bundle();
        tracing::info!(
            files = bundle.file_count(),
            "serving the embedded web client"
        );
        Some(bundle)
    }
    #[cfg(not(feature = "embed-web"))]
    None
}

/// A short `text/plain` answer that no cache keeps.
fn text(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    let out = response.headers_mut();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
