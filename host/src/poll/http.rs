//! The host's HTTP client for adapters' requests.
//!
//! Adapters never open sockets: they build a signed request and the host
//! sends it here, after checking that the host name is one the adapter
//! declared (or the account's own `base_url`) and the account allows. The
//! client keeps platforms and the host safe from each other: a timeout on
//! every request, a cap on the response size, a limit on requests in flight
//! per platform, and retries with exponential backoff that honour `429` and
//! `Retry-After`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use orderhub_core::model::{HttpReply, OutboundRequest};
use reqwest::{Method, StatusCode, Url};
use tokio::sync::Semaphore;

use crate::config::PollingSettings;

/// Why a request was not answered usefully. Each names the URL's host.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("the adapter asked for {url:?}, which is not an http(s) URL")]
    BadUrl { url: String },
    #[error("host {host:?} is not allowed for this account (allowed: {allowed})")]
    NotAllowed { host: String, allowed: String },
    #[error("{host} answered {status} after {attempts} attempt(s)")]
    Status {
        host: String,
        status: u16,
        attempts: u32,
    },
    #[error(
        "{host} asks to wait {wait:?} before the next request (Retry-After); trying at the next run"
    )]
    RateLimited { host: String, wait: Duration },
    #[error("{host}: no usable answer after {attempts} attempt(s): {message}")]
    Transport {
        host: String,
        attempts: u32,
        message: String,
    },
    #[error("{host} answered more than {limit} bytes")]
    TooLarge { host: String, limit: usize },
}

/// Host names a request may go to: exact names, or `*.suffix` for any
/// subdomain of `suffix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowList {
    /// What the adapter declares (plus the account's `base_url` host).
    pub declared: Vec<String>,
    /// What the account allows; empty allows everything declared.
    pub account: Vec<String>,
}

impl AllowList {
    /// Whether both lists let a request go to `host`.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let matches = |pattern: &String| {
            let pattern = pattern.to_ascii_lowercase();
            match pattern.strip_prefix("*.") {
                Some(suffix) => host.ends_with(&format!(".{suffix}")),
                None => host == pattern,
            }
        };
        self.declared.iter().any(matches)
            && (self.account.is_empty() || self.account.iter().any(matches))
    }

    fn describe(&self) -> String {
        if self.account.is_empty() {
            self.declared.join(", ")
        } else {
            format!(
                "{} (account: {})",
                self.declared.join(", "),
                self.account.join(", ")
            )
        }
    }
}

/// The host name of a URL, lower-cased, when it has one.
pub fn host_of(url: &str) -> Option<String> {
    Url::parse(url)
        .ok()?
        .host_str()
        .map(|h| h.to_ascii_lowercase())
}

/// Sends adapters' requests under the limits of `[polling]`.
#[derive(Debug)]
pub struct PlatformClient {
    client: reqwest::Client,
    settings: PollingSettings,
    in_flight: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl PlatformClient {
    pub fn new(settings: PollingSettings) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("orderhub/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(PlatformClient {
            client,
            settings,
            in_flight: Mutex::new(HashMap::new()),
        })
    }

    /// Sends `request` for `platform` (the adapter id), retrying what can be
    /// retried, and returns the answer, whatever its status, once it is final.
    pub async fn fetch(
        &self,
        platform: &str,
        allowed: &AllowList,
        request: &OutboundRequest,
    ) -> Result<HttpReply, FetchError> {
        let url = request_url(request)?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if !allowed.allows(&host) {
            return Err(FetchError::NotAllowed {
                host,
                allowed: allowed.describe(),
            });
        }
        let method =
            Method::from_bytes(request.method.as_bytes()).map_err(|_| FetchError::BadUrl {
                url: format!("{} {}", request.method, request.url),
            })?;
        let _permit =
            self.permits(platform)
                .acquire_owned()
                .await
                .map_err(|e| FetchError::Transport {
                    host: host.clone(),
                    attempts: 0,
                    message: e.to_string(),
                })?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let retries_left = attempt <= self.settings.retries;
            match self.send_once(&method, url.clone(), request, &host).await {
                Ok(reply) if is_retryable(reply.status) => {
                    let wait = retry_after(&reply.headers).unwrap_or_else(|| self.backoff(attempt));
                    if wait > self.settings.max_retry_after {
                        return Err(FetchError::RateLimited { host, wait });
                    }
                    if !retries_left {
                        return Err(FetchError::Status {
                            host,
                            status: reply.status,
                            attempts: attempt,
                        });
                    }
                    tracing::info!(platform, host, status = reply.status, ?wait, "retrying");
                    tokio::time::sleep(wait).await;
                }
                Ok(reply) => return Ok(reply),
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry(message)) => {
                    if !retries_left {
                        return Err(FetchError::Transport {
                            host,
                            attempts: attempt,
                            message,
                        });
                    }
                    let wait = self.backoff(attempt);
                    tracing::info!(platform, host, ?wait, "retrying after: {message}");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn send_once(
        &self,
        method: &Method,
        url: Url,
        request: &OutboundRequest,
        host: &str,
    ) -> Result<HttpReply, Attempt> {
        let mut builder = self.client.request(method.clone(), url);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !request.body.is_empty() {
            builder = builder.body(request.body.clone());
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| Attempt::Retry(describe(&e)))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let limit = self.settings.max_response_bytes;
        if response
            .content_length()
            .is_some_and(|len| len > limit as u64)
        {
            return Err(Attempt::Fatal(FetchError::TooLarge {
                host: host.to_string(),
                limit,
            }));
        }
        let mut body = Vec::new();
        // A body cut short (the connection dropped mid-answer) is an error
        // here, never a shorter page.
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| Attempt::Retry(describe(&e)))?
        {
            if body.len() + chunk.len() > limit {
                return Err(Attempt::Fatal(FetchError::TooLarge {
                    host: host.to_string(),
                    limit,
                }));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpReply {
            status,
            headers,
            body,
        })
    }

    fn permits(&self, platform: &str) -> Arc<Semaphore> {
        let mut map = self
            .in_flight
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.entry(platform.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.settings.max_concurrent_per_adapter)))
            .clone()
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.settings
            .backoff
            .saturating_mul(1 << attempt.saturating_sub(1).min(10))
    }
}

/// How one attempt failed.
enum Attempt {
    Retry(String),
    Fatal(FetchError),
}

/// Rate limits and server errors are worth another try; other answers are
/// the adapter's to read (a 401 is a credential problem it names).
fn is_retryable(status: u16) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS.as_u16() || (500..600).contains(&status)
}

/// `Retry-After` as seconds (the form platforms use); an HTTP date is
/// treated as "soon" and left to the backoff.
fn retry_after(headers: &[(String, String)]) -> Option<Duration> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("retry-after"))
        .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// The URL with the request's query pairs appended.
fn request_url(request: &OutboundRequest) -> Result<Url, FetchError> {
    let bad = || FetchError::BadUrl {
        url: request.url.clone(),
    };
    let mut url = Url::parse(&request.url).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    if !request.query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in &request.query {
            pairs.append_pair(name, value);
        }
    }
    Ok(url)
}

/// A transport error with its cause (timeouts say so).
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "timed out".to_string()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_need_both_the_adapter_and_the_account() {
        let list = AllowList {
            declared: vec!["*.myshopify.com".into(), "api.example.com".into()],
            account: vec![],
        };
        assert!(list.allows("shop.myshopify.com"));
        assert!(list.allows("API.example.com"));
        assert!(!list.allows("myshopify.com"));
        assert!(!list.allows("evil.com"));
        assert!(!list.allows("shop.myshopify.com.evil.com"));
        let narrowed = AllowList {
            account: vec!["one.myshopify.com".into()],
            ..list
        };
        assert!(narrowed.allows("one.myshopify.com"));
        assert!(!narrowed.allows("two.myshopify.com"));
    }

    #[test]
    fn query_pairs_are_appended_and_only_http_urls_pass() {
        let request = OutboundRequest {
            method: "GET".into(),
            url: "https://a.example/orders.json?x=1".into(),
            query: vec![("updated_at_min".into(), "2024-04-01T00:00:00Z".into())],
            headers: vec![],
            body: vec![],
        };
        assert_eq!(
            request_url(&request).unwrap().as_str(),
            "https://a.example/orders.json?x=1&updated_at_min=2024-04-01T00%3A00%3A00Z"
        );
        let file = OutboundRequest {
            url: "file:///etc/passwd".into(),
            ..request
        };
        assert!(matches!(request_url(&file), Err(FetchError::BadUrl { .. })));
    }

    #[test]
    fn retry_after_seconds_are_read() {
        let headers = vec![("Retry-After".to_string(), " 3 ".to_string())];
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(&[]), None);
        assert!(is_retryable(429) && is_retryable(503) && !is_retryable(404));
    }
}
