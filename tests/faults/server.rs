//! A deliberately misbehaving web server for the fault tests. It speaks raw HTTP/1.1 over
//! tokio so it can do what a well-behaved framework will not: hang, drip, reset connections,
//! lie about encodings, loop redirects and generate URLs without end.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Size of the body `/huge` sends.
pub const HUGE_BODY_BYTES: usize = 50 * 1024 * 1024;
/// Decompressed size of `/gzip-bomb` (compressed it is about 1,000 times smaller).
pub const GZIP_BOMB_BYTES: usize = 100 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RobotsMode {
    AllowAll,
    DisallowAll,
}

pub struct FaultServer {
    pub addr: SocketAddr,
    hits: Arc<Mutex<HashMap<String, u32>>>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultServer {
    /// Serves the fault routes; the home page links to `routes` and to three ordinary pages.
    pub async fn start(robots: RobotsMode, routes: &[&str]) -> FaultServer {
        let home = Arc::new(home_page(routes));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
        let gzip_bomb = gzip_bomb();
        let task = {
            let hits = hits.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        break;
                    };
                    let hits = hits.clone();
                    let home = home.clone();
                    tokio::spawn(async move {
                        let _ = serve(stream, addr, robots, &home, hits, gzip_bomb).await;
                    });
                }
            })
        };
        FaultServer { addr, hits, task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// How many requests a path (without query) received.
    pub fn hits(&self, path: &str) -> u32 {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    pub fn total_hits_under(&self, prefix: &str) -> u32 {
        self.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p.starts_with(prefix))
            .map(|(_, n)| n)
            .sum()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut stream: TcpStream,
    addr: SocketAddr,
    robots: RobotsMode,
    home: &str,
    hits: Arc<Mutex<HashMap<String, u32>>>,
    gzip_bomb: &'static [u8],
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 || buf.len() > 64 * 1024 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.clone(), String::new()),
    };
    let count = {
        let mut hits = hits.lock().unwrap();
        let n = hits.entry(path.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let base = format!("http://{addr}");

    match path.as_str() {
        "/" => html(&mut stream, 200, home).await,
        "/robots.txt" => {
            let body = match robots {
                RobotsMode::AllowAll => "User-agent: *\nAllow: /\n",
                RobotsMode::DisallowAll => "User-agent: *\nDisallow: /\n",
            };
            respond(&mut stream, 200, "text/plain", &[], body.as_bytes()).await
        }
        "/ok-1" | "/ok-2" | "/contact" => {
            let body = page(
                &format!("Page {path}"),
                "<p>Call us on +34 912 345 678.</p>",
            );
            html(&mut stream, 200, &body).await
        }
        "/hang" => {
            // Never answer; keep the socket open until the client gives up.
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        }
        "/drip" => {
            // Headers at once, then one byte of body per second.
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n")
                .await?;
            for _ in 0..100_000 {
                stream.write_all(b"<").await?;
                stream.flush().await?;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Ok(())
        }
        "/reset" => {
            // SO_LINGER 0 makes the close a TCP reset.
            stream.set_zero_linger()?;
            drop(stream);
            Ok(())
        }
        "/error-500" => html(&mut stream, 500, &page("Server error", "<p>Oops</p>")).await,
        "/error-503" => {
            // Down for good: always 503, so retries must give up.
            let body = page("Unavailable", "<p>Maintenance</p>");
            respond(
                &mut stream,
                503,
                "text/html",
                &[("Retry-After", "1")],
                body.as_bytes(),
            )
            .await
        }
        "/busy-429" => {
            // Rate limited on the first request only; honouring Retry-After gets the page.
            if count == 1 {
                let body = page("Too many requests", "<p>Slow down</p>");
                respond(
                    &mut stream,
                    429,
                    "text/html",
                    &[("Retry-After", "1")],
                    body.as_bytes(),
                )
                .await
            } else {
                html(
                    &mut stream,
                    200,
                    &page("Busy page", "<p>Served on retry.</p>"),
                )
                .await
            }
        }
        "/loop-a" => redirect(&mut stream, &format!("{base}/loop-b")).await,
        "/loop-b" => redirect(&mut stream, &format!("{base}/loop-a")).await,
        "/huge" => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {HUGE_BODY_BYTES}\r\nConnection: close\r\n\r\n"
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(b"<html><body><p>").await?;
            let filler = vec![b'a'; 64 * 1024];
            let mut sent = 15;
            while sent < HUGE_BODY_BYTES {
                let n = filler.len().min(HUGE_BODY_BYTES - sent);
                stream.write_all(&filler[..n]).await?;
                sent += n;
            }
            Ok(())
        }
        "/gzip-bomb" => {
            respond(
                &mut stream,
                200,
                "text/html",
                &[("Content-Encoding", "gzip")],
                gzip_bomb,
            )
            .await
        }
        "/bad-utf8" => {
            let mut body = b"<html><head><title>Caf\xe9 \xff\xfe</title></head><body><p>Pr\xe9cio \xc3\x28 ok \xf0\x28\x8c\x28</p><a href=\"/ok-1\">ok</a>".to_vec();
            body.extend_from_slice(b"<div><table><tr><td><p><b><i>unclosed <a href=\"/ok-2\" <<>> <script>var x = '</div>';</scr");
            respond(&mut stream, 200, "text/html; charset=utf-8", &[], &body).await
        }
        "/cookies" => {
            let cookies: Vec<(String, String)> = (0..500)
                .map(|i| ("Set-Cookie".to_string(), format!("c{i}=v{i}; Path=/")))
                .collect();
            let refs: Vec<(&str, &str)> = cookies
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let body = page(
                "Cookies",
                "<p>Lots of cookies.</p><a href=\"/ok-2\">next</a>",
            );
            respond(&mut stream, 200, "text/html", &refs, body.as_bytes()).await
        }
        p if p.starts_with("/calendar/") => {
            // /calendar/YYYY/MM with a "next month" link, forever.
            let parts: Vec<u32> = p
                .trim_start_matches("/calendar/")
                .split('/')
                .filter_map(|s| s.parse().ok())
                .collect();
            let (y, m) = match parts.as_slice() {
                [y, m] => (*y, *m),
                _ => (2026, 1),
            };
            let (ny, nm) = if m >= 12 { (y + 1, 1) } else { (y, m + 1) };
            let body = page(
                &format!("Events {y}-{m:02}"),
                &format!("<p>No events.</p><a href=\"/calendar/{ny}/{nm}\">Next month</a>"),
            );
            html(&mut stream, 200, &body).await
        }
        "/shop" => {
            // Faceted filters: every page links to every one-more-filter combination.
            let facets = [
                ("color", ["red", "blue", "green", "black"]),
                ("size", ["s", "m", "l", "xl"]),
                ("brand", ["acme", "globex", "initech", "umbrella"]),
                ("sort", ["price", "name", "new", "popular"]),
            ];
            let mut links = String::new();
            for (name, values) in facets {
                for v in values {
                    let q = if query.is_empty() {
                        format!("{name}={v}")
                    } else {
                        format!("{query}&{name}={v}")
                    };
                    links.push_str(&format!("<a href=\"/shop?{q}\">{name} {v}</a> "));
                }
            }
            let body = page("Shop", &format!("<p>Products</p>{links}"));
            html(&mut stream, 200, &body).await
        }
        _ => html(&mut stream, 404, &page("Not found", "<p>No such page.</p>")).await,
    }
}

/// The home page: three ordinary pages, then the fault routes under test.
pub fn home_page(routes: &[&str]) -> String {
    let mut body = String::from(
        r#"<nav><a href="/ok-1">One</a> <a href="/ok-2">Two</a> <a href="/contact">Contact</a></nav><ul>"#,
    );
    for route in routes {
        body.push_str(&format!("<li><a href=\"{route}\">{route}</a></li>"));
    }
    body.push_str("</ul>");
    page("Fault store", &body)
}

fn page(title: &str, body: &str) -> String {
    format!("<!doctype html><html lang=\"en\"><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>")
}

async fn html(stream: &mut TcpStream, status: u16, body: &str) -> std::io::Result<()> {
    respond(
        stream,
        status,
        "text/html; charset=utf-8",
        &[],
        body.as_bytes(),
    )
    .await
}

async fn redirect(stream: &mut TcpStream, location: &str) -> std::io::Result<()> {
    respond(stream, 302, "text/plain", &[("Location", location)], b"").await
}

async fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        302 => "Found",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    stream.flush().await?;
    stream.shutdown().await
}

/// Built once per test binary: compressing it is the slowest part of these tests.
fn gzip_bomb() -> &'static [u8] {
    static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BOMB.get_or_init(build_gzip_bomb)
}

fn build_gzip_bomb() -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1024 * 1024];
    encoder.write_all(b"<html><body>").unwrap();
    for _ in 0..GZIP_BOMB_BYTES / zeros.len() {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}
