//! The streaming extractor (for the pages the crawl reduces) against the full one: on every
//! page of every fixture store, `streaming then reduce` must equal `full extraction then
//! reduce`.

use crate::common::http_client;
use scraper::{Html, Selector};
use shopaudit::artifacts::PageContent;
use shopaudit::checks::read_on_every_page;
use shopaudit::fixture::synthetic::SyntheticStore;
use shopaudit::fixture::{store, stores_dir};
use shopaudit::gather::extract::{
    extract_page_checked, extract_page_streaming, extract_page_streaming_with, ChromeMemo,
};
use std::collections::{BTreeSet, VecDeque};
use std::path::Path;
use url::Url;

/// Both extractions of `html`, reduced and serialised; Err with a readable diff when they
/// differ, or when the streaming extractor handed the page to the full one.
fn compare(html: &str, url: &Url) -> Result<(), String> {
    let (mut full, full_note) = extract_page_checked(html, url);
    full.reduce(read_on_every_page);
    let Some((mut streamed, streamed_note)) = extract_page_streaming(html, url) else {
        return Err(format!(
            "{url}: the streaming extractor gave up on the page"
        ));
    };
    streamed.reduce(read_on_every_page);
    if full_note != streamed_note {
        return Err(format!(
            "{url}: notes differ: {full_note:?} vs {streamed_note:?}"
        ));
    }
    let (full, streamed) = (pretty(&full), pretty(&streamed));
    if full == streamed {
        return Ok(());
    }
    Err(format!(
        "{url}: reduced contents differ\n{}",
        first_difference(&full, &streamed)
    ))
}

fn pretty(content: &PageContent) -> String {
    serde_json::to_string_pretty(content).expect("page content serialises")
}

/// The first differing line of two texts with a few lines of context.
fn first_difference(full: &str, streamed: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (full.lines().collect(), streamed.lines().collect());
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(3);
    let mut out = String::new();
    for line in &a[from..at] {
        out += &format!("   {line}\n");
    }
    for line in a.iter().skip(at).take(4) {
        out += &format!(" - {line}\n");
    }
    for line in b.iter().skip(at).take(4) {
        out += &format!(" + {line}\n");
    }
    out
}

fn assert_all_equal(pages: &[(String, Url)], what: &str) {
    assert!(!pages.is_empty(), "no pages found for {what}");
    let failures: Vec<String> = pages
        .iter()
        .filter_map(|(html, url)| compare(html, url).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} pages of {what} differ; the first:\n{}",
        failures.len(),
        pages.len(),
        failures[0]
    );
}

fn html_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "html" || e == "htm") {
            out.push(path);
        }
    }
}

#[test]
fn streaming_extraction_equals_the_full_one_on_every_static_fixture_page() {
    let mut files = Vec::new();
    for store in std::fs::read_dir(stores_dir()).unwrap() {
        let site = store.unwrap().path().join("site");
        if site.is_dir() {
            html_files(&site, &mut files);
        }
    }
    let pages: Vec<(String, Url)> = files
        .iter()
        .map(|path| {
            let html = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
            let relative = path.strip_prefix(stores_dir()).unwrap().to_string_lossy();
            let url = Url::parse("http://fixture.test/")
                .unwrap()
                .join(&relative)
                .unwrap();
            (html, url)
        })
        .collect();
    assert!(pages.len() >= 50, "only {} static pages", pages.len());
    assert_all_equal(&pages, "the static fixture stores");
}

#[test]
fn streaming_extraction_equals_the_full_one_on_the_synthetic_store() {
    let store = SyntheticStore::new(300, 5);
    let url = Url::parse("http://synthetic.test/").unwrap();
    let pages: Vec<(String, Url)> = store
        .pages()
        .into_iter()
        .map(|kind| (store.render(kind), url.join(&store.path(kind)).unwrap()))
        .collect();
    assert_all_equal(&pages, "the synthetic store");
}

/// The crawl reads a store's header and footer once per thread and does their effects again on
/// the pages that repeat them: page after page, the same content as reading every landmark.
#[test]
fn landmarks_done_again_read_as_landmarks_read_on_the_synthetic_store() {
    let store = SyntheticStore::new(300, 7);
    let base = Url::parse("http://synthetic.test/").unwrap();
    let mut memo = ChromeMemo::default();
    for kind in store.pages() {
        let (html, url) = (store.render(kind), base.join(&store.path(kind)).unwrap());
        let remembered = extract_page_streaming_with(&html, &url, &mut memo);
        let read = extract_page_streaming_with(&html, &url, &mut ChromeMemo::off());
        let show = |extracted: Option<(PageContent, Option<String>)>| {
            extracted.map(|(content, note)| (pretty(&content), note))
        };
        let (remembered, read) = (show(remembered), show(read));
        if remembered != read {
            let (a, b) = (remembered.unwrap_or_default(), read.unwrap_or_default());
            panic!("{url}: differs\n{}", first_difference(&b.0, &a.0));
        }
    }
    // Its header and footer, on every page but the first.
    assert!(
        memo.times_done_again() >= 2 * 299,
        "landmarks done again: {}",
        memo.times_done_again()
    );
}

/// Every HTML page a GET-only visitor reaches from the home page (at most `limit`).
async fn reachable_pages(base: &Url, limit: usize) -> Vec<(String, Url)> {
    let client = http_client();
    let links = Selector::parse("a[href]").unwrap();
    let mut seen = BTreeSet::from([base.to_string()]);
    let mut queue = VecDeque::from([base.clone()]);
    let mut pages = Vec::new();
    while let Some(url) = queue.pop_front() {
        if pages.len() >= limit {
            break;
        }
        let Ok(response) = client.get(url.clone()).send().await else {
            continue;
        };
        let html_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.contains("html"));
        let final_url = response.url().clone();
        let Ok(body) = response.text().await else {
            continue;
        };
        if !html_type {
            continue;
        }
        for a in Html::parse_document(&body).select(&links) {
            let Some(mut next) = a.attr("href").and_then(|h| final_url.join(h).ok()) else {
                continue;
            };
            next.set_fragment(None);
            if next.origin() == base.origin() && seen.insert(next.to_string()) {
                queue.push_back(next);
            }
        }
        pages.push((body, final_url));
    }
    pages
}

#[tokio::test]
async fn streaming_extraction_equals_the_full_one_on_every_generated_store() {
    for variant in store::variant_names() {
        let (server, _handle) = store::start(variant, 0).await.expect("the store starts");
        let base = Url::parse(&server.url()).unwrap();
        let pages = reachable_pages(&base, 150).await;
        server.stop().await;
        assert!(pages.len() >= 5, "{variant}: only {} pages", pages.len());
        assert_all_equal(&pages, variant);
    }
}
