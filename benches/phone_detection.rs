//! Phone detection throughput: MB/s of a page's visible text through the phone finder
//! (candidates, decoy rules, libphonenumber validation), the work `hidden-phone-number` and
//! the other contact checks do per page.
//!
//!     cargo bench --bench phone_detection

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shopaudit::artifacts::{Discovery, Page, PageContent};
use shopaudit::checks::detect::phone::{scan_page, PhoneVocabulary};
use shopaudit::fixture::synthetic::{InfoPage, PageKind, SyntheticStore};
use shopaudit::gather::extract::extract_page;
use std::hint::black_box;
use url::Url;

fn page(url: &Url, content: PageContent) -> (Page, PageContent) {
    let page = Page {
        status: Some(200),
        content_type: Some("text/html".into()),
        ..Page::requested(url.as_str(), Discovery::Link, 1)
    };
    (page, content)
}

/// Extracted pages of the synthetic store: every tenth page, plus the contact page.
fn corpus() -> Vec<(Page, PageContent)> {
    let store = SyntheticStore::new(1000, 1);
    let base = Url::parse("http://127.0.0.1:4000/").expect("valid base URL");
    let mut kinds: Vec<PageKind> = store.pages().into_iter().step_by(10).collect();
    kinds.push(PageKind::Info(InfoPage::Contact));
    kinds
        .into_iter()
        .map(|kind| {
            let url = base.join(&store.path(kind)).expect("store paths are valid");
            let content = extract_page(&store.render(kind), &url);
            page(&url, content)
        })
        .collect()
}

fn phone_detection(c: &mut Criterion) {
    let vocab = PhoneVocabulary::shared();
    let pages = corpus();
    let text_bytes: usize = pages.iter().map(|(_, content)| content.text.len()).sum();
    let found: usize = pages
        .iter()
        .map(|(page, content)| scan_page(page, content, &vocab).found.len())
        .sum();
    assert!(
        found >= pages.len(),
        "every synthetic page shows the phone number"
    );

    let mut group = c.benchmark_group("phone_detection");
    group.throughput(Throughput::Bytes(text_bytes as u64));
    group.sample_size(20);
    group.bench_function("scan_page", |b| {
        b.iter(|| {
            for (page, content) in &pages {
                black_box(scan_page(page, content, &vocab));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, phone_detection);
criterion_main!(benches);
