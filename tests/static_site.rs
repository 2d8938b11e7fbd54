//! The static fixture server behaves like a real web server.

use crate::common::http_client;
use shopaudit::fixture::static_site;
use std::path::Path;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn sample_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "site/index.html",
        "<!doctype html><title>Home</title><h1>Home</h1>",
    );
    write(
        root,
        "site/shipping/index.html",
        "<!doctype html><title>Shipping</title>",
    );
    write(root, "site/style.css", "body { margin: 0 }");
    write(
        root,
        "site/robots.txt",
        "User-agent: *\nDisallow: /private/\nSitemap: {{origin}}/sitemap.xml\n",
    );
    write(
        root,
        "site/sitemap.xml",
        "<?xml version=\"1.0\"?><urlset><url><loc>{{origin}}/shipping/</loc></url></urlset>",
    );
    write(root, "site/logo.png", "not really a png");
    write(
        root,
        "server.toml",
        "[[route]]\npath = \"/account/orders/\"\nstatus = 500\n\n\
         [[route]]\npath = \"/old-shipping\"\nredirect = \"/shipping/\"\n",
    );
    dir
}

#[tokio::test]
async fn serves_index_pages_types_and_robots() {
    let store = sample_store();
    let server = static_site::serve(store.path(), 0).await.unwrap();
    let client = http_client();
    let base = server.url();

    let home = client.get(&base).send().await.unwrap();
    assert_eq!(home.status(), 200);
    assert_eq!(
        home.headers()["content-type"],
        "text/html; charset=utf-8",
        "home page content type"
    );
    assert!(home.text().await.unwrap().contains("<h1>Home</h1>"));

    let shipping = client.get(format!("{base}shipping/")).send().await.unwrap();
    assert_eq!(shipping.status(), 200);
    assert!(shipping
        .text()
        .await
        .unwrap()
        .contains("<title>Shipping</title>"));

    let css = client.get(format!("{base}style.css")).send().await.unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let png = client.get(format!("{base}logo.png")).send().await.unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");

    let robots = client
        .get(format!("{base}robots.txt"))
        .send()
        .await
        .unwrap();
    assert_eq!(robots.status(), 200);
    assert!(robots.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let robots = robots.text().await.unwrap();
    assert!(robots.contains("Disallow: /private/"));
    assert!(robots.contains(&format!("Sitemap: http://{}/sitemap.xml", server.addr)));
    let sitemap = client
        .get(format!("{base}sitemap.xml"))
        .send()
        .await
        .unwrap();
    assert_eq!(sitemap.status(), 200);
    assert!(
        sitemap
            .text()
            .await
            .unwrap()
            .contains(&format!("<loc>http://{}/shipping/</loc>", server.addr)),
        "the sitemap's absolute URLs name this server"
    );
    server.stop().await;
}

#[tokio::test]
async fn folders_without_slash_redirect_permanently() {
    let store = sample_store();
    let server = static_site::serve(store.path(), 0).await.unwrap();
    let client = http_client();
    let base = server.url();

    let answer = client
        .get(format!("{base}shipping?from=nav"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 301);
    assert_eq!(answer.headers()["location"], "/shipping/?from=nav");

    // A HEAD request gets the same redirect.
    let head = client.head(format!("{base}shipping")).send().await.unwrap();
    assert_eq!(head.status(), 301);
    server.stop().await;
}

#[tokio::test]
async fn missing_paths_are_real_404_pages() {
    let store = sample_store();
    write(
        store.path(),
        "site/404.html",
        "<!doctype html><title>Page not found</title><h1>Oops</h1>",
    );
    let server = static_site::serve(store.path(), 0).await.unwrap();
    let client = http_client();
    let base = server.url();

    for missing in [
        "no-such-page/",
        "nothing.html",
        "private/",
        "..%2f..%2fetc%2fpasswd",
    ] {
        let answer = client.get(format!("{base}{missing}")).send().await.unwrap();
        assert_eq!(answer.status(), 404, "{missing}");
        assert!(answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(
            answer.text().await.unwrap().contains("<h1>Oops</h1>"),
            "{missing}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn without_a_404_page_the_default_one_is_html() {
    let store = sample_store();
    let server = static_site::serve(store.path(), 0).await.unwrap();
    let answer = http_client()
        .get(format!("{}gone/", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    assert!(answer.text().await.unwrap().contains("404 Not Found"));
    server.stop().await;
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let store = sample_store();
    let server = static_site::serve(store.path(), 0).await.unwrap();
    let client = http_client();
    let head = client.head(server.url()).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-type"], "text/html; charset=utf-8");
    assert!(head.bytes().await.unwrap().is_empty());
    let head_missing = client
        .head(format!("{}missing.html", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(head_missing.status(), 404);
    server.stop().await;
}

#[tokio::test]
async fn server_toml_routes_answer_errors_and_redirects() {
    let store = sample_store();
    let server = static_site::serve(store.path(), 0).await.unwrap();
    let client = http_client();
    let base = server.url();

    let broken = client
        .get(format!("{base}account/orders/"))
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 500);
    assert!(broken
        .text()
        .await
        .unwrap()
        .contains("500 Internal Server Error"));

    let moved = client
        .get(format!("{base}old-shipping"))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 301);
    assert_eq!(moved.headers()["location"], "/shipping/");
    server.stop().await;
}

#[test]
fn bad_server_toml_and_missing_site_are_clear_errors() {
    let store = sample_store();
    write(store.path(), "server.toml", "[[route]]\npath = \"/x\"\n");
    let err = static_site::router(store.path()).unwrap_err();
    assert!(
        format!("{err:#}").contains("needs a status or a redirect"),
        "{err:#}"
    );

    write(
        store.path(),
        "server.toml",
        "[[route]]\npath = \"/x\"\nredirect = \"/y\"\nstatus = 200\n",
    );
    let err = static_site::router(store.path()).unwrap_err();
    assert!(
        format!("{err:#}").contains("not a redirect status"),
        "{err:#}"
    );

    let empty = tempfile::tempdir().unwrap();
    let err = static_site::router(empty.path()).unwrap_err();
    assert!(
        format!("{err:#}").contains("has no site/ folder"),
        "{err:#}"
    );
}

#[tokio::test]
async fn pages_are_gzipped_for_clients_that_accept_it() {
    let store = sample_store();
    let server = static_site::serve(store.path(), 0).await.unwrap();
    // A client that leaves the body compressed, to see what the server sent.
    let raw_client = reqwest::Client::builder().no_gzip().build().unwrap();
    let raw = raw_client
        .get(server.url())
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
    assert_eq!(raw.headers()["content-encoding"], "gzip");
    let compressed = raw.bytes().await.unwrap();
    let mut html = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(compressed.as_ref()),
        &mut html,
    )
    .unwrap();
    assert!(html.contains("<h1>Home</h1>"), "{html}");

    let plain = raw_client.get(server.url()).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert!(plain.text().await.unwrap().contains("<h1>Home</h1>"));
    server.stop().await;
}
