//! One HTTP fetch as the crawler does it: rate-limited per host, redirects followed by hand
//! (each hop checked, loops named), 429/503 retried with bounded backoff, the body read up to
//! the byte cap (after gzip decoding, so a gzip bomb stops at the cap too).

use crate::config::CrawlConfig;
use crate::gather::scope::{host_key, normalize};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use reqwest::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use std::borrow::Cow;
use std::collections::HashSet;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

/// The longest wait for one retry, whatever Retry-After asks: an audit must finish.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(5);
/// Response headers accepted (hyper's default is 100); the head stays capped in bytes.
const MAX_RESPONSE_HEADERS: usize = 1_000;
/// First backoff when a 429/503 gives no Retry-After; doubled per attempt.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);

/// rustls needs a process-wide crypto provider (reqwest is built without one, to use ring).
pub fn install_crypto_provider() {
    // Fails only when a provider is installed already, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Whether to read the body of a final (non-redirect) answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Pages: only successful answers that are (or may be) HTML.
    Html,
    /// robots.txt, sitemaps: any successful answer.
    Any,
}

/// Where redirects may lead.
#[derive(Debug, Clone)]
pub enum Redirects {
    /// Any http(s) URL (the start URL: a customer typing it lands wherever it leads).
    Anywhere,
    /// Only these hosts (`host` or `host:port`); a redirect elsewhere is recorded, not followed.
    Hosts(Arc<HashSet<String>>),
}

#[derive(Debug, Default)]
pub struct Fetched {
    pub final_url: Option<Url>,
    /// Status of the last answer; None when none came.
    pub status: Option<u16>,
    pub content_type: Option<String>,
    pub error: Option<String>,
    /// The body when it was read (possibly cut at the byte cap, see `error`).
    pub body: Option<Vec<u8>>,
    /// The body was cut at the byte cap: our limit, not the store's failure.
    pub truncated: bool,
    pub bytes: u64,
    pub elapsed: Duration,
    /// Redirects led nowhere (loop, too many, not http): the server answered, but there is
    /// no final answer; `status` is the last redirect's.
    pub redirect_failed: bool,
}

impl Fetched {
    pub fn answered(&self) -> bool {
        self.status.is_some()
    }
}

pub struct Fetcher {
    client: reqwest::Client,
    timeout: Duration,
    max_bytes: u64,
    max_redirects: u32,
    retries: u32,
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    /// Every HTTP request sent (pages, redirect hops, retries, robots.txt, sitemaps).
    pub requests: AtomicU32,
    pub bytes: AtomicU64,
}

impl Fetcher {
    pub fn new(config: &CrawlConfig) -> Result<Fetcher, String> {
        install_crypto_provider();
        let timeout = Duration::from_secs_f64(config.timeout_secs.clamp(0.001, 86_400.0));
        let mut headers = reqwest::header::HeaderMap::new();
        // Stores that negotiate content must answer with the page a browser would get.
        headers.insert(
            reqwest::header::ACCEPT,
            reqwest::header::HeaderValue::from_static(
                "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
            ),
        );
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .gzip(true)
            // hyper stops at 100 headers; stores setting hundreds of cookies still answer.
            .http1_max_headers(MAX_RESPONSE_HEADERS)
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {}", error_chain(&e)))?;
        Ok(Fetcher {
            client,
            timeout,
            max_bytes: config.max_bytes,
            max_redirects: config.max_redirects,
            retries: config.retries,
            limiter: None,
            requests: AtomicU32::new(0),
            bytes: AtomicU64::new(0),
        })
    }

    /// Spaces requests to each host at least `interval` apart from now on.
    pub fn set_min_interval(&mut self, interval: Option<Duration>) {
        self.limiter = interval.filter(|i| !i.is_zero()).and_then(|interval| {
            let quota = Quota::with_period(interval)?.allow_burst(NonZeroU32::MIN);
            Some(RateLimiter::keyed(quota))
        });
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Fetches `url`, following redirects allowed by `redirects`. Never fails: problems are
    /// in `Fetched::error` (and `status` is None when nothing answered).
    pub async fn fetch(&self, url: &Url, want: Want, redirects: &Redirects) -> Fetched {
        let started = Instant::now();
        let mut fetched = self.fetch_inner(url, want, redirects).await;
        fetched.elapsed = started.elapsed();
        fetched
    }

    async fn fetch_inner(&self, url: &Url, want: Want, redirects: &Redirects) -> Fetched {
        let mut chain: Vec<Url> = vec![url.clone()];
        loop {
            let current = chain.last().expect("the chain starts with the URL").clone();
            let response = match self.send_with_retries(&current).await {
                Ok(r) => r,
                Err(error) => {
                    // A failed hop after redirects still answered before: keep its status out,
                    // the page failed.
                    return Fetched {
                        final_url: Some(current),
                        error: Some(error),
                        ..Fetched::default()
                    };
                }
            };
            let status = response.status();
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string());
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| current.join(l.trim()).ok());
            let mut fetched = Fetched {
                final_url: Some(current.clone()),
                status: Some(status.as_u16()),
                content_type: content_type.clone(),
                ..Fetched::default()
            };
            if status.is_redirection() {
                if let Some(mut next) = location {
                    normalize(&mut next);
                    if !matches!(next.scheme(), "http" | "https") {
                        fetched.error = Some(format!(
                            "redirects to {next}, which is not an http(s) address"
                        ));
                        fetched.redirect_failed = true;
                        return fetched;
                    }
                    if let Some(first) = chain.iter().position(|u| *u == next) {
                        let mut hops: Vec<String> =
                            chain[first..].iter().map(|u| u.to_string()).collect();
                        hops.push(next.to_string());
                        fetched.error = Some(format!("redirect loop: {}", hops.join(" -> ")));
                        fetched.redirect_failed = true;
                        return fetched;
                    }
                    if chain.len() > self.max_redirects as usize {
                        fetched.error = Some(format!(
                            "too many redirects (more than {}), last to {next}",
                            self.max_redirects
                        ));
                        fetched.redirect_failed = true;
                        return fetched;
                    }
                    if let Redirects::Hosts(hosts) = redirects {
                        let host = next.host_str().unwrap_or_default().to_ascii_lowercase();
                        if !hosts.contains(&host_key(&next)) && !hosts.contains(&host) {
                            // Recorded as the redirect it is; the crawl does not leave the store.
                            fetched.final_url = Some(next);
                            return fetched;
                        }
                    }
                    chain.push(next);
                    continue;
                }
            }
            let read = match want {
                Want::Any => status.is_success(),
                Want::Html => status.as_u16() < 400 && may_be_html(content_type.as_deref()),
            };
            if read {
                self.read_body(response, &mut fetched).await;
            }
            return fetched;
        }
    }

    /// Sends one GET, retrying 429 and 503 answers (Retry-After honoured up to
    /// [`MAX_RETRY_WAIT`], else exponential backoff) at most `retries` times.
    async fn send_with_retries(&self, url: &Url) -> Result<reqwest::Response, String> {
        let mut attempt = 0u32;
        loop {
            if let Some(limiter) = &self.limiter {
                limiter.until_key_ready(&host_key(url)).await;
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            let response = self
                .client
                .get(url.as_str())
                .send()
                .await
                .map_err(|e| describe_error(&e, self.timeout))?;
            let status = response.status().as_u16();
            if !matches!(status, 429 | 503) || attempt >= self.retries {
                return Ok(response);
            }
            let wait = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after)
                .unwrap_or(FIRST_BACKOFF * 2u32.saturating_pow(attempt))
                .min(MAX_RETRY_WAIT);
            drop(response);
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn read_body(&self, mut response: reqwest::Response, fetched: &mut Fetched) {
        let cap = self.max_bytes;
        let mut body = Vec::with_capacity(
            response
                .content_length()
                .unwrap_or(64 * 1024)
                .min(cap)
                .min(1024 * 1024) as usize,
        );
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = cap.saturating_sub(body.len() as u64) as usize;
                    if chunk.len() > room {
                        body.extend_from_slice(&chunk[..room]);
                        fetched.error = Some(format!("body over {cap} bytes, cut"));
                        fetched.truncated = true;
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    fetched.error = Some(format!(
                        "{} while reading the body",
                        describe_error(&e, self.timeout)
                    ));
                    break;
                }
            }
        }
        fetched.bytes = body.len() as u64;
        self.bytes.fetch_add(fetched.bytes, Ordering::Relaxed);
        fetched.body = Some(body);
    }
}

/// HTML by its Content-Type, or no Content-Type at all (then the body is sniffed).
pub fn may_be_html(content_type: Option<&str>) -> bool {
    match content_type {
        None => true,
        Some(ct) => is_html_type(ct),
    }
}

pub fn is_html_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "text/html" || essence == "application/xhtml+xml"
}

/// Whether a body without Content-Type starts like an HTML document.
pub fn sniff_html(body: &[u8]) -> bool {
    let head = &body[..body.len().min(512)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    ["<!doctype html", "<html", "<head", "<body", "<!--"]
        .iter()
        .any(|p| text.starts_with(p))
}

/// Decodes a body with the charset of its Content-Type or `<meta charset>`, else UTF-8;
/// malformed bytes become U+FFFD (never an error).
pub fn decode_html<'b>(body: &'b [u8], content_type: Option<&str>) -> Cow<'b, str> {
    let label = content_type
        .and_then(charset_param)
        .or_else(|| meta_charset(body));
    let encoding = label
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    let (encoding, bom_len) = encoding_rs::Encoding::for_bom(body).unwrap_or((encoding, 0));
    let body = &body[bom_len..];
    if encoding == encoding_rs::UTF_8 {
        // std's decoder is the same (U+FFFD per malformed sequence); its validation of a valid
        // document (nearly all of them) is the fast path, and the body is read in place.
        return match std::str::from_utf8(body) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(body),
        };
    }
    encoding.decode_without_bom_handling(body).0
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// `<meta charset=...>` or the http-equiv form, within the first 1024 bytes.
fn meta_charset(body: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&body[..body.len().min(1024)]).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let value: String = head[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!value.is_empty()).then_some(value)
}

/// `Retry-After` as seconds or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// A short reason a person understands: "connection refused", "timeout after 15s",
/// "TLS error: ...", "DNS lookup failed: ...".
pub fn describe_error(err: &reqwest::Error, timeout: Duration) -> String {
    let mut causes: Vec<&(dyn std::error::Error + 'static)> = Vec::new();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(c) = cause {
        causes.push(c);
        // io::Error::source skips its own wrapped error (often another io::Error around a
        // rustls::Error); look inside explicitly.
        let mut wrapped = c;
        while let Some(inner) = wrapped
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            let inner: &(dyn std::error::Error + 'static) = inner;
            causes.push(inner);
            wrapped = inner;
        }
        cause = c.source();
    }
    for c in &causes {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                ConnectionRefused => return "connection refused".into(),
                ConnectionReset => return "connection reset by the server".into(),
                ConnectionAborted => return "connection aborted".into(),
                TimedOut => return format!("timeout after {}", secs(timeout)),
                _ => {}
            }
        }
        if let Some(tls) = c.downcast_ref::<rustls::Error>() {
            return format!("TLS error: {tls}");
        }
    }
    if err.is_timeout() {
        return format!("timeout after {}", secs(timeout));
    }
    let text = error_chain(err);
    // The innermost cause is the specific one ("connection closed before message completed");
    // reqwest's own layer only repeats the URL.
    let detail = causes
        .last()
        .map(|c| c.to_string())
        .unwrap_or_else(|| text.clone());
    if text.contains("dns error") {
        return format!("DNS lookup failed: {detail}");
    }
    if err.is_body() || err.is_decode() {
        return format!("broken response body: {detail}");
    }
    detail
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}s")
    } else {
        format!("{s:.1}s")
    }
}

/// `a: b: c` from an error and its sources, repeats left out.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(c) = cause {
        let text = c.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = c.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charsets_come_from_header_then_meta() {
        let latin1 = b"<meta charset=\"iso-8859-1\"><p>Espa\xf1a</p>";
        assert!(decode_html(latin1, None).contains("España"));
        assert!(
            decode_html(b"<p>x\xff\xc3</p>", Some("text/html; charset=utf-8"))
                .starts_with("<p>x\u{fffd}")
        );
        assert_eq!(
            charset_param("text/html; Charset=\"Windows-1252\""),
            Some("Windows-1252".into())
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn html_is_recognised_by_type_or_content() {
        assert!(is_html_type("Text/HTML; charset=utf-8"));
        assert!(!is_html_type("application/pdf"));
        assert!(sniff_html(b"\n  <!DOCTYPE html><html>"));
        assert!(!sniff_html(b"%PDF-1.4"));
    }
}
