//! `GET /metrics` over HTTP/1 on its own listener (`--metrics-bind`), so the metrics need
//! not be public: bind it to a private or loopback address.
//!
//! hyper parses HTTP; this file only routes. Bounded like the relay: at most
//! [`MAX_CONNECTIONS`] scrapes at once, each with a deadline for its request head, and no
//! keep-alive, so an idle scraper holds nothing.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::metrics::{self, Metrics};

/// Scrapes served at once; more wait in the OS backlog.
const MAX_CONNECTIONS: usize = 16;

/// How long a scraper has to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves `/metrics` on `listener` until the task is dropped or accepting fails for good.
pub async fn serve(listener: TcpListener, metrics: Arc<Metrics>) {
    let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = Arc::clone(&limit).acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(err) => {
                tracing::warn!(%err, "metrics accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let metrics = Arc::clone(&metrics);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let metrics = Arc::clone(&metrics);
                async move { Ok::<_, Infallible>(answer(&request, &metrics)) }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEAD_TIMEOUT)
                .keep_alive(false)
                .serve_connection(TokioIo::new(stream), service);
            if let Err(err) = connection.await {
                tracing::debug!(%err, "metrics connection failed");
            }
            drop(permit);
        });
    }
}

/// The response to one request: the metrics for `GET`/`HEAD /metrics`, 404 elsewhere.
/// (hyper sends no body in answer to `HEAD`.)
pub fn answer(request: &Request<Incoming>, metrics: &Metrics) -> Response<Full<Bytes>> {
    let is_read = matches!(*request.method(), Method::GET | Method::HEAD);
    let (status, content_type, body) = match request.uri().path() {
        "/metrics" if is_read => (StatusCode::OK, metrics::CONTENT_TYPE, metrics.render()),
        "/metrics" => (
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            "use GET\n".to_owned(),
        ),
        _ => (
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found: try /metrics\n".to_owned(),
        ),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
