//! robots.txt (parsed by `texting_robots`) and sitemaps (XML via quick-xml, sitemap indexes,
//! gzip, plain-text lists).

use crate::artifacts::RobotsSummary;
use crate::gather::fetch::{Fetched, Fetcher, Redirects, Want};
use crate::gather::scope::CrawlScope;
use std::io::Read;
use texting_robots::Robot;
use url::Url;

/// The product token robots.txt groups are matched against.
pub const ROBOTS_AGENT: &str = "shopaudit";
/// Sitemap files read at most (an index may list thousands).
const MAX_SITEMAP_FILES: usize = 20;

/// One origin's robots.txt as fetched.
pub struct RobotsFile {
    pub url: Url,
    pub fetched: Fetched,
    /// Parsed rules; None when there is no file (4xx, no answer, unparsable).
    pub robot: Option<Robot>,
}

impl RobotsFile {
    pub async fn fetch(fetcher: &Fetcher, origin: &Url) -> RobotsFile {
        let url = origin
            .join("/robots.txt")
            .expect("/robots.txt is a valid path");
        // robots.txt may redirect (http -> https); RFC 9309 asks to follow a few hops.
        let fetched = fetcher.fetch(&url, Want::Any, &Redirects::Anywhere).await;
        let robot = match (&fetched.status, &fetched.body) {
            (Some(s), Some(body)) if (200..300).contains(s) => Robot::new(ROBOTS_AGENT, body).ok(),
            _ => None,
        };
        RobotsFile {
            url,
            fetched,
            robot,
        }
    }

    pub fn allows(&self, url: &Url) -> bool {
        self.robot.as_ref().is_none_or(|r| r.allowed(url.as_str()))
    }

    pub fn crawl_delay(&self) -> Option<f64> {
        self.robot
            .as_ref()
            .and_then(|r| r.delay)
            .map(f64::from)
            .filter(|d| d.is_finite() && *d > 0.0)
    }

    /// Sitemap lines, resolved against robots.txt (some stores write relative paths).
    pub fn sitemaps(&self) -> Vec<String> {
        self.robot
            .iter()
            .flat_map(|r| &r.sitemaps)
            .filter_map(|s| self.url.join(s.trim()).ok())
            .map(String::from)
            .collect()
    }

    /// A server error on robots.txt: RFC 9309 would stop the crawl; an audit notes it instead.
    pub fn server_error(&self) -> Option<u16> {
        self.fetched.status.filter(|s| *s >= 500)
    }

    pub fn summary(&self, obeyed: bool, skipped: u32) -> RobotsSummary {
        RobotsSummary {
            url: self.url.to_string(),
            status: self.fetched.status,
            obeyed,
            disallowed_urls_skipped: skipped,
            crawl_delay_secs: self.crawl_delay(),
            sitemaps: self.sitemaps(),
        }
    }
}

/// Page URLs listed by sitemaps, and problems worth a warning.
#[derive(Debug, Default)]
pub struct SitemapUrls {
    pub urls: Vec<Url>,
    pub warnings: Vec<String>,
}

/// Reads the sitemaps named in robots.txt (on allowed hosts), else `/sitemap.xml` of the
/// start origin, following sitemap indexes. At most `max_urls` page URLs are kept.
pub async fn collect_sitemaps(
    fetcher: &Fetcher,
    scope: &CrawlScope,
    start: &Url,
    listed: &[String],
    max_urls: usize,
) -> SitemapUrls {
    let allowed_hosts = scope.allowed_hosts();
    let mut out = SitemapUrls::default();
    let mut queue: Vec<(Url, bool)> = listed
        .iter()
        .filter_map(|s| Url::parse(s.trim()).ok())
        .filter(|u| allowed_hosts.contains(&crate::gather::scope::host_key(u)))
        .map(|u| (u, true))
        .collect();
    if queue.is_empty() {
        let default = start.join("/sitemap.xml").expect("valid path");
        queue.push((default, false));
    }
    queue.reverse();
    let mut read = 0usize;
    let mut seen = std::collections::HashSet::new();
    while let Some((url, explicit)) = queue.pop() {
        if read >= MAX_SITEMAP_FILES || out.urls.len() >= max_urls {
            break;
        }
        if !seen.insert(url.clone()) {
            continue;
        }
        read += 1;
        let fetched = fetcher
            .fetch(
                &url,
                Want::Any,
                &Redirects::Hosts(std::sync::Arc::new(allowed_hosts.clone())),
            )
            .await;
        let Some(body) = fetched.body.as_deref().filter(|_| fetched.error.is_none()) else {
            if explicit {
                let why = fetched
                    .error
                    .clone()
                    .or(fetched.status.map(|s| format!("HTTP {s}")))
                    .unwrap_or_else(|| "no answer".into());
                out.warnings
                    .push(format!("sitemap {url} listed in robots.txt: {why}"));
            }
            continue;
        };
        let body = gunzip_if_needed(body, gunzip_cap(body));
        match parse_sitemap(&body) {
            Ok(Sitemap::Index(children)) => {
                for child in children.into_iter().rev() {
                    if let Ok(child) = url.join(child.trim()) {
                        queue.push((child, true));
                    }
                }
            }
            Ok(Sitemap::Pages(locs)) => {
                for loc in locs {
                    if out.urls.len() >= max_urls {
                        break;
                    }
                    if let Ok(mut page) = url.join(loc.trim()) {
                        crate::gather::scope::normalize(&mut page);
                        out.urls.push(page);
                    }
                }
            }
            Err(e) => {
                if explicit || fetched.status.is_some_and(|s| s < 300) {
                    out.warnings
                        .push(format!("sitemap {url} could not be read: {e}"));
                }
            }
        }
    }
    out
}

/// Decompressed sitemaps are capped like any body: at most 50 MB (the sitemap protocol's
/// limit) or 20 times the compressed size.
fn gunzip_cap(body: &[u8]) -> u64 {
    (body.len() as u64).saturating_mul(20).min(50 * 1024 * 1024)
}

/// `.xml.gz` sitemaps are often served as raw gzip (not as Content-Encoding).
fn gunzip_if_needed(body: &[u8], cap: u64) -> Vec<u8> {
    if !body.starts_with(&[0x1f, 0x8b]) {
        return body.to_vec();
    }
    let mut out = Vec::new();
    let decoder = flate2::read::GzDecoder::new(body);
    // A broken gzip stream keeps what decoded before the damage.
    let _ = decoder.take(cap).read_to_end(&mut out);
    out
}

#[derive(Debug, PartialEq)]
pub enum Sitemap {
    Index(Vec<String>),
    Pages(Vec<String>),
}

/// `<urlset>` or `<sitemapindex>` with their `<loc>`s; a plain list of URLs also works.
pub fn parse_sitemap(body: &[u8]) -> Result<Sitemap, String> {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if !trimmed.starts_with('<') {
        let urls: Vec<String> = trimmed
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("http://") || l.starts_with("https://"))
            .map(str::to_string)
            .collect();
        return if urls.is_empty() {
            Err("neither XML nor a list of URLs".into())
        } else {
            Ok(Sitemap::Pages(urls))
        };
    }
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(trimmed);
    let mut is_index = None;
    let mut in_loc = false;
    let mut current = String::new();
    let mut locs = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.local_name();
                let name = name.as_ref();
                if is_index.is_none() {
                    match name {
                        b"sitemapindex" => is_index = Some(true),
                        b"urlset" => is_index = Some(false),
                        _ => {}
                    }
                }
                if name == b"loc" {
                    in_loc = true;
                    current.clear();
                }
            }
            Ok(Event::Text(t)) if in_loc => {
                if let Ok(s) = t.decode() {
                    current.push_str(&s);
                }
            }
            Ok(Event::GeneralRef(r)) if in_loc => {
                // &amp;, &#38; and friends inside <loc>.
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    current.push(c);
                } else {
                    current.push_str(match r.as_ref() as &[u8] {
                        b"amp" => "&",
                        b"lt" => "<",
                        b"gt" => ">",
                        b"quot" => "\"",
                        b"apos" => "'",
                        _ => "",
                    });
                }
            }
            Ok(Event::CData(t)) if in_loc => {
                current.push_str(&String::from_utf8_lossy(t.as_ref()));
            }
            Ok(Event::End(e)) => {
                if e.local_name().as_ref() == b"loc" && in_loc {
                    in_loc = false;
                    let loc = current.trim().to_string();
                    if !loc.is_empty() {
                        locs.push(loc);
                    }
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                if locs.is_empty() {
                    return Err(format!("invalid XML: {e}"));
                }
                break;
            }
        }
    }
    match is_index {
        Some(true) => Ok(Sitemap::Index(locs)),
        Some(false) => Ok(Sitemap::Pages(locs)),
        None => Err("no <urlset> or <sitemapindex>".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlsets_indexes_and_lists_parse() {
        let urlset = br#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <url><loc> https://x.test/a?b=1&amp;c=2 </loc></url><url><loc>https://x.test/b</loc></url></urlset>"#;
        assert_eq!(
            parse_sitemap(urlset).unwrap(),
            Sitemap::Pages(vec![
                "https://x.test/a?b=1&c=2".into(),
                "https://x.test/b".into()
            ])
        );
        let index =
            br#"<sitemapindex><sitemap><loc>https://x.test/s1.xml</loc></sitemap></sitemapindex>"#;
        assert_eq!(
            parse_sitemap(index).unwrap(),
            Sitemap::Index(vec!["https://x.test/s1.xml".into()])
        );
        assert_eq!(
            parse_sitemap(b"https://x.test/a\nhttps://x.test/b\n").unwrap(),
            Sitemap::Pages(vec!["https://x.test/a".into(), "https://x.test/b".into()])
        );
        assert!(parse_sitemap(b"<html><body>not found</body></html>").is_err());
        assert!(parse_sitemap(&[0xff, 0xfe, 0x00]).is_err());
    }

    #[test]
    fn gzip_sitemaps_are_capped() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![b'a'; 1_000_000]).unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(gunzip_if_needed(&gz, 1000).len(), 1000);
    }
}
