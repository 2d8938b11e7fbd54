//! Which URLs the crawl may fetch: URL normalisation, the crawl scope, and URL-trap detection.

use crate::config::{CrawlConfig, Scope};
use std::collections::{HashMap, HashSet};
use url::Url;

/// The one URL form used for deduplication and in the artifacts: no fragment, no empty `?`.
/// Nothing that can change what a server answers is touched (query order, case, slashes).
pub fn normalize(url: &mut Url) {
    url.set_fragment(None);
    if url.query() == Some("") {
        url.set_query(None);
    }
}

/// `host` or `host:port`, the key for hosts (allow-list, robots, rate limits).
pub fn host_key(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        _ => String::new(),
    }
}

/// The folder of a path: everything up to and including its last `/` (`/es/` for
/// `/es/index.html` and `/es/`; `/` for `/es`), as `wget --no-parent` reads it.
pub fn folder_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "/",
    }
}

/// Where the crawl may go, decided from the start URL as given (before redirects).
#[derive(Debug, Clone)]
pub struct CrawlScope {
    kind: Scope,
    /// (origin, folder) pairs: the start URL's, and the one its redirect led to when the
    /// store moved the start to another origin (http -> https, bare host -> www).
    prefixes: Vec<(String, String)>,
    /// Extra hosts from the allow-list (`host` or `host:port`, lower-case), any path.
    extra_hosts: Vec<String>,
}

impl CrawlScope {
    pub fn new(start: &Url, config: &CrawlConfig) -> Self {
        CrawlScope {
            kind: config.scope,
            prefixes: vec![(
                start.origin().ascii_serialization(),
                folder_of(start.path()).to_string(),
            )],
            extra_hosts: config
                .allow_hosts
                .iter()
                .map(|h| h.trim().trim_end_matches('/').to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        }
    }

    /// `scheme://host[:port]/folder/` of the start URL.
    pub fn prefix(&self) -> String {
        let (origin, folder) = &self.prefixes[0];
        match self.kind {
            Scope::Folder => format!("{origin}{folder}"),
            Scope::Host => format!("{origin}/"),
        }
    }

    /// The start URL redirected to `final_url`: when that is another origin, the crawl follows
    /// the store there (with the redirect target's folder).
    pub fn follow_start_redirect(&mut self, final_url: &Url) {
        let origin = final_url.origin().ascii_serialization();
        if self.prefixes.iter().any(|(o, _)| *o == origin) {
            return;
        }
        self.prefixes
            .push((origin, folder_of(final_url.path()).to_string()));
    }

    pub fn contains(&self, url: &Url) -> bool {
        if !matches!(url.scheme(), "http" | "https") {
            return false;
        }
        let origin = url.origin().ascii_serialization();
        let under_prefix = self.prefixes.iter().any(|(o, folder)| {
            *o == origin
                && match self.kind {
                    Scope::Folder => url.path().starts_with(folder.as_str()),
                    Scope::Host => true,
                }
        });
        under_prefix || self.is_extra_host(url)
    }

    fn is_extra_host(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let with_port = host_key(url);
        self.extra_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host) || h.eq_ignore_ascii_case(&with_port))
    }

    /// Hosts a redirect may lead to: the store's own (any path) and the allow-list.
    pub fn allowed_hosts(&self) -> HashSet<String> {
        let mut hosts: HashSet<String> = self
            .prefixes
            .iter()
            .filter_map(|(origin, _)| Url::parse(origin).ok())
            .map(|u| host_key(&u))
            .collect();
        hosts.extend(self.extra_hosts.iter().cloned());
        hosts
    }

    /// Origins whose robots.txt applies to in-scope URLs.
    pub fn origins(&self) -> Vec<Url> {
        let mut origins: Vec<Url> = self
            .prefixes
            .iter()
            .filter_map(|(origin, _)| Url::parse(origin).ok())
            .collect();
        let scheme = origins
            .first()
            .map(|u| u.scheme().to_string())
            .unwrap_or_else(|| "https".into());
        for host in &self.extra_hosts {
            if let Ok(url) = Url::parse(&format!("{scheme}://{host}/")) {
                origins.push(url);
            }
        }
        origins
    }
}

/// URLs of one family fetched at most. A family is a set of URLs that generate each other:
/// one shape (digits folded, same query parameter names) linked from a page of that same
/// shape (a calendar's "next month" forever), or one path with ever new queries linked from
/// that same path (faceted filters combining colour, size and sort without end). Product
/// pages linked from a category page are not a family: their parent has another shape.
pub const TRAP_VARIANTS: u32 = 30;
/// Path segments at most, and repeats of one segment (`/a/b/a/b/...` from relative links).
const TRAP_MAX_SEGMENTS: usize = 16;
const TRAP_MAX_SEGMENT_REPEATS: usize = 3;
const TRAP_MAX_URL_LEN: usize = 2_000;

/// Counts URL families and refuses what looks like one more step into a trap.
#[derive(Debug, Default)]
pub struct TrapGuard {
    per_shape: HashMap<String, u32>,
    per_path: HashMap<String, u32>,
    /// Pattern -> URLs refused, for the warnings.
    refused: HashMap<String, u32>,
}

impl TrapGuard {
    /// Admits `url`, found on `parent` (None: the start URL or a sitemap), unless it looks
    /// like a trap.
    pub fn admit(&mut self, url: &Url, parent: Option<&Url>) -> bool {
        let host = host_key(url);
        let path = url.path();
        if url.as_str().len() > TRAP_MAX_URL_LEN {
            return self.refuse(format!(
                "{host} URLs longer than {TRAP_MAX_URL_LEN} characters"
            ));
        }
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let most_repeated = segments
            .iter()
            .map(|s| segments.iter().filter(|t| *t == s).count())
            .max()
            .unwrap_or(0);
        if segments.len() > TRAP_MAX_SEGMENTS || most_repeated > TRAP_MAX_SEGMENT_REPEATS {
            return self.refuse(format!(
                "{host} paths with endlessly repeated segments (like {})",
                shorten(path)
            ));
        }
        let Some(parent) = parent else {
            return true;
        };
        let shape = shape_of(url);
        let same_shape = shape == shape_of(parent);
        if same_shape && self.per_shape.get(&shape).copied().unwrap_or(0) >= TRAP_VARIANTS {
            return self.refuse(shape);
        }
        let path_key = format!("{host}{path}?");
        let same_path = url.query().is_some()
            && host_key(parent) == host
            && parent.path() == path
            && parent.query() != url.query();
        if same_path && self.per_path.get(&path_key).copied().unwrap_or(0) >= TRAP_VARIANTS {
            return self.refuse(format!("{path_key}<filter combinations>"));
        }
        if same_shape {
            *self.per_shape.entry(shape).or_default() += 1;
        }
        if same_path {
            *self.per_path.entry(path_key).or_default() += 1;
        }
        true
    }

    fn refuse(&mut self, pattern: String) -> bool {
        *self.refused.entry(pattern).or_default() += 1;
        false
    }

    /// One warning per trap pattern, most refused first.
    pub fn warnings(&self) -> Vec<String> {
        let mut refused: Vec<(&String, &u32)> = self.refused.iter().collect();
        refused.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        refused
            .into_iter()
            .map(|(pattern, count)| {
                format!(
                    "possible URL trap (endless calendar or filter combinations): {count} more URL(s) like {pattern} were not fetched (at most {TRAP_VARIANTS} per pattern)"
                )
            })
            .collect()
    }
}

/// `host/calendar/N/N?month` for `host/calendar/2026/11?month=3`.
fn shape_of(url: &Url) -> String {
    format!(
        "{}{}{}",
        host_key(url),
        fold_digits(url.path()),
        query_names(url)
    )
}

/// `/calendar/2026/11` -> `/calendar/N/N`.
fn fold_digits(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_digits = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('N');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// `?a&b` with the sorted parameter names, values left out.
fn query_names(url: &Url) -> String {
    if url.query().is_none() {
        return String::new();
    }
    let mut names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    names.sort();
    names.dedup();
    format!("?{}", names.join("&"))
}

fn shorten(path: &str) -> String {
    if path.chars().count() <= 80 {
        path.to_string()
    } else {
        format!("{}...", path.chars().take(80).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn folder_scope_stays_below_the_start_folder() {
        let config = CrawlConfig::default();
        let scope = CrawlScope::new(&url("https://x.test/es/index.html"), &config);
        assert_eq!(scope.prefix(), "https://x.test/es/");
        assert!(scope.contains(&url("https://x.test/es/contacto")));
        assert!(!scope.contains(&url("https://x.test/fr/contact")));
        assert!(!scope.contains(&url("http://x.test/es/contacto")));
        assert!(!scope.contains(&url("https://y.test/es/")));
        let host = CrawlConfig {
            scope: Scope::Host,
            allow_hosts: vec!["Help.X.test".into()],
            ..CrawlConfig::default()
        };
        let scope = CrawlScope::new(&url("https://x.test/es/"), &host);
        assert!(scope.contains(&url("https://x.test/fr/contact")));
        assert!(scope.contains(&url("https://help.x.test/faq")));
    }

    #[test]
    fn calendars_and_facets_are_capped_but_catalogues_are_not() {
        let mut guard = TrapGuard::default();
        let mut parent = url("https://x.test/cal/2026/0");
        let mut admitted = 0;
        for m in 1..100 {
            let next = url(&format!("https://x.test/cal/2026/{m}"));
            if guard.admit(&next, Some(&parent)) {
                admitted += 1;
            }
            parent = next;
        }
        assert_eq!(admitted, TRAP_VARIANTS);
        let mut parent = url("https://x.test/shoes");
        let mut admitted = 0;
        for i in 0..100 {
            let next = url(&format!("{parent}{}c{i}=1", if i == 0 { '?' } else { '&' }));
            if guard.admit(&next, Some(&parent)) {
                admitted += 1;
                parent = next;
            }
        }
        assert_eq!(admitted, TRAP_VARIANTS);
        let category = url("https://x.test/category/shoes");
        for id in 0..200 {
            assert!(guard.admit(&url(&format!("https://x.test/p/{id}")), Some(&category)));
            assert!(guard.admit(
                &url(&format!("https://x.test/item?id={id}")),
                Some(&category)
            ));
        }
        assert!(!guard.admit(&url("https://x.test/a/b/a/b/a/b/a/b"), None));
        assert_eq!(guard.warnings().len(), 3);
    }
}
