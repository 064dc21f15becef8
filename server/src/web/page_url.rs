//! The address of the page a connection's relay serves, for `welcome.page_url`: set by
//! `front` around a connection's task, read where the welcome is built.
//!
//! A task-local rather than a field passed down through the connection and the registry:
//! the welcome is built inside the connection's own task, so the value is there without
//! widening those interfaces. Outside such a task (benchmarks, fuzzing) there is none.

use std::future::Future;
use std::sync::Arc;

tokio::task_local! {
    static PAGE_URL: Option<Arc<str>>;
}

/// `connection`, run with `url` as its page address. A plain function, not `async`: an
/// async wrapper would hold `connection` twice in every connection's task.
pub fn scope<F: Future>(url: Option<Arc<str>>, connection: F) -> impl Future<Output = F::Output> {
    PAGE_URL.scope(url, connection)
}

/// The page address of the connection this runs in, if the relay serves a page to it.
pub fn current() -> Option<String> {
    PAGE_URL
        .try_with(|url| url.as_deref().map(str::to_owned))
        .ok()
        .flatten()
}

/// The page address for a request that reached the relay with `host` (its `Host` header)
/// over `https` or not: `public` (`--public-url`) when given, else `http[s]://HOST/`.
pub fn for_request(public: Option<&str>, host: Option<&str>, https: bool) -> Option<Arc<str>> {
    if let Some(public) = public {
        return Some(public.into());
    }
    let scheme = if https { "https" } else { "http" };
    host.map(|host| format!("{scheme}://{host}/").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_page_url_is_there_inside_the_scope_only() {
        assert_eq!(current(), None);
        let url = for_request(None, Some("chat.example:9001"), false);
        let inside = scope(url, async { current() }).await;
        assert_eq!(inside.as_deref(), Some("http://chat.example:9001/"));
        let public = for_request(Some("https://chat.example/"), Some("10.0.0.1"), false);
        assert_eq!(public.as_deref(), Some("https://chat.example/"));
        assert_eq!(for_request(None, None, true), None);
    }
}
