//! The synthetic benchmark store: exact page counts, realistic page sizes, reproducible
//! content, every page reachable by links, and a server whose counters tell what was fetched.

use scraper::{Html, Selector};
use shopaudit::fixture::synthetic::{self, PageKind, ServeOptions, ServedStats, SyntheticStore};
use shopaudit::fixture::RunningServer;
use std::collections::{HashMap, HashSet, VecDeque};

#[test]
fn synthetic_store_has_exactly_the_pages_asked_for() {
    for pages in [12, 100, 1000, 1001, 10_000, 12_345] {
        let store = SyntheticStore::new(pages, 1);
        assert_eq!(store.page_count(), pages, "page_count for {pages}");
        let kinds = store.pages();
        assert_eq!(kinds.len(), pages as usize, "pages() for {pages}");
        let paths: HashSet<String> = kinds.iter().map(|&k| store.path(k)).collect();
        assert_eq!(paths.len(), pages as usize, "distinct paths for {pages}");
        assert!(
            store.product_count() * 10 >= pages * 9 || pages < 1000,
            "a store of {pages} pages is mostly product pages, got {}",
            store.product_count()
        );
    }
}

#[test]
fn synthetic_pages_are_20_to_60_kb_and_reproducible() {
    let store = SyntheticStore::new(1000, 7);
    let same = SyntheticStore::new(1000, 7);
    let other_seed = SyntheticStore::new(1000, 8);
    let mut total = 0;
    for kind in store.pages() {
        let html = store.render(kind);
        assert!(
            (20 * 1024..=60 * 1024).contains(&html.len()),
            "{} is {} bytes",
            store.path(kind),
            html.len()
        );
        total += html.len();
        if matches!(kind, PageKind::Product(id) if id % 97 == 0) {
            assert_eq!(html, same.render(kind), "same seed, same page");
            assert_ne!(html, other_seed.render(kind), "another seed, another page");
        }
    }
    let mean = total / 1000;
    assert!(
        (30 * 1024..=50 * 1024).contains(&mean),
        "mean page size {mean} bytes"
    );
}

#[test]
fn synthetic_product_pages_carry_what_the_checks_read() {
    let store = SyntheticStore::new(200, 3);
    let html = Html::parse_document(&store.render(PageKind::Product(5)));
    let json_ld = Selector::parse("script[type='application/ld+json']").unwrap();
    let data: serde_json::Value =
        serde_json::from_str(&html.select(&json_ld).next().unwrap().inner_html()).unwrap();
    assert_eq!(data["@type"], "Product");
    assert_eq!(data["offers"][0]["priceCurrency"], "USD");
    let tel = Selector::parse("footer a[href^='tel:']").unwrap();
    assert_eq!(html.select(&tel).count(), 1, "phone number in the footer");
    let form = Selector::parse("form[action='/cart/add'] select").unwrap();
    assert_eq!(
        html.select(&form).count(),
        1,
        "add-to-cart form with a variant"
    );

    let faq = Html::parse_document(&store.render(PageKind::Info(synthetic::InfoPage::Faq)));
    let questions = Selector::parse("main details summary").unwrap();
    assert!(faq.select(&questions).count() >= 10);
}

/// Follows links from the home page, as a crawler would, without HTTP.
fn reachable_paths(store: &SyntheticStore) -> (HashSet<String>, Vec<String>) {
    let by_path: HashMap<String, PageKind> = store
        .pages()
        .into_iter()
        .map(|k| (store.path(k), k))
        .collect();
    let anchors = Selector::parse("a[href]").unwrap();
    let mut seen = HashSet::from(["/".to_string()]);
    let mut dangling = Vec::new();
    let mut queue = VecDeque::from([PageKind::Home]);
    while let Some(kind) = queue.pop_front() {
        let html = Html::parse_document(&store.render(kind));
        for a in html.select(&anchors) {
            let href = a.value().attr("href").unwrap();
            if !href.starts_with('/') {
                assert!(
                    href.starts_with("tel:")
                        || href.starts_with("mailto:")
                        || href.starts_with('#'),
                    "link off the store: {href}"
                );
                continue;
            }
            let path = href.split('#').next().unwrap().to_string();
            if !seen.insert(path.clone()) {
                continue;
            }
            match by_path.get(&path) {
                Some(&next) => queue.push_back(next),
                None => dangling.push(path),
            }
        }
    }
    (seen, dangling)
}

#[test]
fn every_synthetic_page_is_reachable_by_links_and_no_link_dangles() {
    let store = SyntheticStore::new(300, 11);
    let (seen, dangling) = reachable_paths(&store);
    assert_eq!(dangling, Vec::<String>::new());
    for kind in store.pages() {
        assert!(
            seen.contains(&store.path(kind)),
            "{} unreachable",
            store.path(kind)
        );
    }
}

#[tokio::test]
async fn synthetic_store_server_counts_what_it_served() {
    let store = SyntheticStore::new(100, 5);
    let (router, counters) = synthetic::router(&store, ServeOptions { sitemap: true });
    let server = RunningServer::start(router, 0).await.unwrap();
    shopaudit::gather::fetch::install_crypto_provider();
    let client = reqwest::Client::new();
    let get = |path: &str| {
        client
            .get(format!("{}{}", server.url(), path.trim_start_matches('/')))
            .send()
    };

    let home = get("/").await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(home.text().await.unwrap(), store.render(PageKind::Home));
    get("/").await.unwrap();
    let product = store.path(PageKind::Product(3));
    assert_eq!(get(&product).await.unwrap().status(), 200);
    assert_eq!(get("/no/such/page").await.unwrap().status(), 404);
    let robots = get("/robots.txt").await.unwrap().text().await.unwrap();
    let sitemap_line = format!("Sitemap: http://{}/sitemap.xml", server.addr);
    assert!(robots.contains(&sitemap_line), "{robots}");
    let sitemap = get("/sitemap.xml").await.unwrap().text().await.unwrap();
    assert_eq!(sitemap.matches("<loc>").count(), 100);

    let stats: ServedStats = get("/__bench/stats").await.unwrap().json().await.unwrap();
    assert_eq!(stats, counters.snapshot());
    assert_eq!(stats.pages, 100);
    assert_eq!(stats.distinct_pages_fetched, 2);
    assert_eq!(stats.repeated_page_fetches, 1);
    assert_eq!(stats.not_found, 1);
    assert_eq!(stats.requests, 7);

    get("/__bench/reset").await.unwrap();
    assert_eq!(counters.snapshot().distinct_pages_fetched, 0);
    server.stop().await;
}
