//! Page extraction throughput: MB/s of HTML through parse + extraction, on pages of the
//! synthetic benchmark store (20-60 KB each: products, listings, contact, FAQ...), through the
//! full extractor and through the streaming one the crawl runs on the pages it reduces.
//!
//!     cargo bench --bench extraction

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scraper::Html;
use shopaudit::fixture::synthetic::{PageKind, SyntheticStore};
use shopaudit::gather::extract::tokenizer::Tokenizer;
use shopaudit::gather::extract::{
    extract_page, extract_page_streaming, extract_page_streaming_with, ChromeMemo,
};
use std::hint::black_box;
use url::Url;

/// Every tenth page of a 1,000-page store, so the mix of page kinds is the store's own.
fn corpus() -> Vec<(Url, String)> {
    let store = SyntheticStore::new(1000, 1);
    let base = Url::parse("http://127.0.0.1:4000/").expect("valid base URL");
    store
        .pages()
        .into_iter()
        .step_by(10)
        .map(|kind| {
            let url = base.join(&store.path(kind)).expect("store paths are valid");
            (url, store.render(kind))
        })
        .collect()
}

fn extraction(c: &mut Criterion) {
    let pages = corpus();
    let bytes: usize = pages.iter().map(|(_, html)| html.len()).sum();
    let mut group = c.benchmark_group("extraction");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    // The share of the cost that is html5ever's alone.
    group.bench_function("parse_only", |b| {
        b.iter(|| {
            for (_, html) in &pages {
                black_box(Html::parse_document(html));
            }
        })
    });
    // The streaming extractor's tokenizer alone: the ceiling of the streaming path.
    group.bench_function("tokenizer_only", |b| {
        b.iter(|| {
            for (_, html) in &pages {
                for token in Tokenizer::new(html) {
                    black_box(token).ok();
                }
            }
        })
    });
    // lol_html's pass alone, with handlers on every tag and text node that do nothing: the
    // fastest tokenizer crate measured, which the streaming path used before its own.
    group.bench_function("lol_html_empty_handlers", |b| {
        use lol_html::{doc_text, element, HtmlRewriter, Settings};
        b.iter(|| {
            for (_, html) in &pages {
                let mut rewriter = HtmlRewriter::new(
                    Settings {
                        element_content_handlers: vec![element!("*", |_| Ok(()))],
                        document_content_handlers: vec![doc_text!(|_| Ok(()))],
                        ..Settings::new()
                    },
                    |_: &[u8]| {},
                );
                black_box(
                    rewriter
                        .write(html.as_bytes())
                        .and_then(|()| rewriter.end()),
                )
                .ok();
            }
        })
    });
    group.bench_function("extract_page", |b| {
        b.iter(|| {
            for (url, html) in &pages {
                black_box(extract_page(html, url));
            }
        })
    });
    // What the crawl runs on the pages it reduces (most of them): the streaming extractor.
    group.bench_function("extract_page_streaming", |b| {
        b.iter(|| {
            for (url, html) in &pages {
                black_box(extract_page_streaming(html, url));
            }
        })
    });
    // The same without the memo of header, menu and footer: the cost on a store whose pages
    // share none of them byte for byte.
    group.bench_function("extract_page_streaming_no_chrome_memo", |b| {
        b.iter(|| {
            for (url, html) in &pages {
                black_box(extract_page_streaming_with(
                    html,
                    url,
                    &mut ChromeMemo::off(),
                ));
            }
        })
    });
    group.finish();

    let store = SyntheticStore::new(1000, 1);
    let product = store.render(PageKind::Product(42));
    let url = Url::parse("http://127.0.0.1:4000/").expect("valid URL");
    let mut single = c.benchmark_group("extraction_one_product_page");
    single.throughput(Throughput::Bytes(product.len() as u64));
    single.bench_function("extract_page", |b| {
        b.iter(|| black_box(extract_page(&product, &url)))
    });
    single.bench_function("extract_page_streaming", |b| {
        b.iter(|| black_box(extract_page_streaming(&product, &url)))
    });
    single.finish();
}

criterion_group!(benches, extraction);
criterion_main!(benches);
