//! The HTTP crawler against small stores served on 127.0.0.1: extraction, scope, robots.txt,
//! sitemaps, limits, broken and hostile answers, and the command line around it.

use crate::common::{shopaudit, stderr, stdout};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use indicatif::ProgressBar;
use shopaudit::artifacts::{Discovery, Page, Region, SiteCrawl};
use shopaudit::config::{CrawlConfig, Scope};
use shopaudit::fixture::RunningServer;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use url::Url;

/// Requests the server saw: path with query, and when.
#[derive(Clone, Default)]
struct RequestLog(Arc<Mutex<Vec<(String, Instant)>>>);

impl RequestLog {
    fn paths(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(p, _)| p.clone())
            .collect()
    }
    fn count(&self, path: &str) -> usize {
        self.paths().iter().filter(|p| *p == path).count()
    }
}

async fn log_request(State(log): State<RequestLog>, req: Request, next: Next) -> Response {
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    log.0.lock().unwrap().push((path, Instant::now()));
    next.run(req).await
}

/// A router answering the given paths (with or without query) with HTML; anything else 404.
fn html_pages(pages: &[(&str, &str)]) -> Router {
    let pages: Arc<HashMap<String, String>> = Arc::new(
        pages
            .iter()
            .map(|(p, h)| (p.to_string(), h.to_string()))
            .collect(),
    );
    Router::new().fallback(move |uri: Uri| {
        let pages = pages.clone();
        async move {
            let key = uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            match pages.get(&key).or_else(|| pages.get(uri.path())) {
                Some(html) => (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    html.clone(),
                )
                    .into_response(),
                None => (StatusCode::NOT_FOUND, "<h1>Not found</h1>").into_response(),
            }
        }
    })
}

async fn serve(router: Router) -> (RunningServer, RequestLog) {
    let log = RequestLog::default();
    let router = router.layer(axum::middleware::from_fn_with_state(
        log.clone(),
        log_request,
    ));
    let server = RunningServer::start(router, 0)
        .await
        .expect("server starts");
    (server, log)
}

fn config() -> CrawlConfig {
    CrawlConfig {
        timeout_secs: 10.0,
        ..CrawlConfig::default()
    }
}

async fn crawl_site(start: &str, config: &CrawlConfig) -> SiteCrawl {
    let url = Url::parse(start).unwrap();
    shopaudit::gather::crawl::crawl(&url, config, &ProgressBar::hidden())
        .await
        .unwrap_or_else(|e| panic!("crawl of {start} failed: {e}"))
}

fn page<'a>(crawl: &'a SiteCrawl, url: &str) -> &'a Page {
    crawl
        .pages
        .iter()
        .find(|p| p.url == url)
        .unwrap_or_else(|| panic!("{url} not crawled; got {:?}", urls(crawl)))
}

fn urls(crawl: &SiteCrawl) -> Vec<&str> {
    crawl.pages.iter().map(|p| p.url.as_str()).collect()
}

/// A port that refuses connections for as long as the socket is kept: bound, never
/// listening, so no other test's server can take it meanwhile.
fn refusing_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    (socket, port)
}

const REALISTIC_HOME: &str = r#"<!DOCTYPE html>
<html lang="es-ES"><head>
<meta charset="utf-8"><title> Tienda  Sol | Inicio </title>
<meta name="Description" content="Ropa de playa hecha en Cádiz">
<script src="/js/app.js"></script>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"FAQPage","mainEntity":[]}</script>
<script type="application/ld+json"><!-- {"@type":"Organization","telephone":"+34 956 000 111"} --></script>
<script type="application/ld+json">{not json</script>
</head><body>
<header>
  <a href="/es/"><img src="logo.png" alt="Tienda Sol"></a>
  <p>Llámanos: <a href="tel:+34%20956%20123%20456">956 123 456</a></p>
  <nav><a href="/es/contacto#form">Contacto</a> <a href="ayuda">Ayuda</a></nav>
  <button aria-expanded="false" aria-controls="menu">Menú</button>
</header>
<nav aria-label="principal"><a href="/es/envios">Envíos</a></nav>
<main>
  <h1>Bienvenido a   <em>Tienda Sol</em></h1>
  <p>Envío gratis<br>desde 50 €</p>
  <p hidden>Texto oculto</p><div style="DISPLAY: none">también oculto</div>
  <span aria-hidden="true">★</span>
  <details><summary>¿Cuánto tarda el envío?</summary><p>24 horas.</p></details>
  <dl><dt>¿Puedo devolver?</dt><dd>Sí, 30 días.</dd></dl>
  <div class="acc"><button aria-expanded="false" aria-controls="a3">¿Dónde estáis?</button><div id="a3" hidden>En Cádiz</div></div>
  <div role="heading" aria-level="3">Preguntas</div>
  <table><tr><td>Lunes</td><td>9-18</td></tr></table>
  <img src="/img/tel.png" alt="Teléfono 956 123 456">
  <iframe src="https://widget.chat.test/frame"></iframe>
  <a href="mailto:Hola@Sol.es?subject=Pedido">Escríbenos</a>
  <a href="https://otra.test/x">Fuera</a>
  <a href="javascript:void(0)">Nada</a>
  <form id="news" action="/es/alta" method="POST">
    <label for="email">Tu e-mail</label>
    <input id="email" name="email" type="email" required autocomplete="email">
    <label>Nombre <input name="nombre"></label>
    <input name="tel" aria-label="Teléfono" aria-required="true">
    <select name="pais" aria-labelledby="pais-l"><option>España</option></select><span id="pais-l">País</span>
    <textarea name="msg" placeholder="Escribe aquí"></textarea>
    <input type="hidden" name="token" value="x">
    <div style="display:none"><input name="website"></div>
    <button>Suscribirme</button>
    <button type="button">Cancelar</button>
  </form>
  <input form="news" name="cupon" type="text">
  <script>window.intercomSettings = {app_id: "abc"}; /*PAD*/</script>
</main>
<footer><p>© Tienda Sol · CIF B12345678</p><a href="/es/aviso-legal">Aviso legal</a></footer>
</body></html>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extracts_every_field_of_a_realistic_page() {
    let long_script = REALISTIC_HOME.replace("/*PAD*/", &"x".repeat(3000));
    let (server, _log) = serve(html_pages(&[
        ("/es/", &long_script),
        ("/es/contacto", "<h1>Contacto</h1>"),
    ]))
    .await;
    let start = format!("{}es/", server.url());
    let crawl = crawl_site(&start, &config()).await;
    let home = page(&crawl, &start);
    assert_eq!(home.status, Some(200));
    assert_eq!(home.discovered_via, Discovery::Start);
    let c = home.content.as_ref().expect("HTML was extracted");

    assert_eq!(c.lang.as_deref(), Some("es-ES"));
    assert_eq!(c.title.as_deref(), Some("Tienda Sol | Inicio"));
    assert_eq!(
        c.meta_description.as_deref(),
        Some("Ropa de playa hecha en Cádiz")
    );

    // Visible text: blocks on their own lines, hidden and script text absent.
    assert!(c.text.contains("Bienvenido a Tienda Sol\n"), "{}", c.text);
    assert!(c.text.contains("Envío gratis\ndesde 50 €"), "{}", c.text);
    assert!(c.text.contains("Lunes 9-18"), "{}", c.text);
    for hidden in [
        "Texto oculto",
        "también oculto",
        "★",
        "En Cádiz",
        "intercom",
        "Teléfono 956",
    ] {
        assert!(
            !c.text.contains(hidden),
            "{hidden:?} leaked into {}",
            c.text
        );
    }
    assert_eq!(
        &*c.header_text,
        "Llámanos: 956 123 456\nContacto Ayuda\nMenú"
    );
    assert_eq!(&*c.footer_text, "© Tienda Sol · CIF B12345678\nAviso legal");

    let headings: Vec<(u8, &str)> = c
        .headings
        .iter()
        .map(|h| (h.level, h.text.as_str()))
        .collect();
    assert_eq!(
        headings,
        vec![(1, "Bienvenido a Tienda Sol"), (3, "Preguntas")]
    );

    let link = |text: &str| {
        c.links
            .iter()
            .find(|l| &*l.text == text)
            .unwrap_or_else(|| panic!("no link {text:?} in {:?}", c.links))
    };
    let base = server.url();
    assert_eq!(
        link("Contacto").url.as_deref(),
        Some(format!("{base}es/contacto").as_str())
    );
    assert_eq!(link("Contacto").href, "/es/contacto#form");
    assert_eq!(link("Contacto").region, Region::Header);
    assert_eq!(
        link("Ayuda").url.as_deref(),
        Some(format!("{base}es/ayuda").as_str())
    );
    assert_eq!(link("Envíos").region, Region::Nav);
    assert_eq!(link("Escríbenos").region, Region::Main);
    assert_eq!(link("Escríbenos").url, None);
    assert_eq!(link("Aviso legal").region, Region::Footer);
    assert_eq!(
        link("Tienda Sol").region,
        Region::Header,
        "image link named by its alt"
    );
    assert_eq!(link("Nada").url, None);
    assert_eq!(c.tel_links, vec!["+34 956 123 456"]);
    assert_eq!(c.mailto_links, vec!["Hola@Sol.es"]);

    assert_eq!(
        c.disclosures,
        vec![
            "¿Cuánto tarda el envío?",
            "¿Puedo devolver?",
            "¿Dónde estáis?"
        ],
        "the header menu toggle is not a disclosure"
    );
    assert_eq!(c.images.len(), 2);
    assert_eq!(c.images[1].src, format!("{base}img/tel.png"));
    assert_eq!(c.images[1].alt, "Teléfono 956 123 456");
    assert_eq!(c.iframe_srcs, vec!["https://widget.chat.test/frame"]);
    assert_eq!(c.script_srcs, vec![format!("{base}js/app.js")]);
    assert_eq!(c.inline_scripts.len(), 1);
    assert!(c.inline_scripts[0].starts_with("window.intercomSettings"));
    assert_eq!(c.inline_scripts[0].chars().count(), 2000);
    assert_eq!(c.json_ld.len(), 2, "the broken block is left out");
    assert_eq!(c.json_ld[0]["@type"], "FAQPage");
    assert_eq!(c.json_ld[1]["telephone"], "+34 956 000 111");

    assert_eq!(c.forms.len(), 1);
    let form = &c.forms[0];
    assert_eq!(form.id.as_deref(), Some("news"));
    assert_eq!(form.method, "post");
    assert_eq!(
        form.action.as_deref(),
        Some(format!("{base}es/alta").as_str())
    );
    assert_eq!(form.submit_texts, vec!["Suscribirme"]);
    let field = |name: &str| {
        form.fields
            .iter()
            .find(|f| f.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no field {name} in {:?}", form.fields))
    };
    let email = field("email");
    assert_eq!(
        (email.tag.as_str(), email.kind.as_str()),
        ("input", "email")
    );
    assert_eq!(email.label.as_deref(), Some("Tu e-mail"));
    assert!(email.required);
    assert_eq!(email.autocomplete.as_deref(), Some("email"));
    assert_eq!(field("nombre").label.as_deref(), Some("Nombre"));
    assert_eq!(field("nombre").kind, "text");
    assert_eq!(field("tel").label.as_deref(), Some("Teléfono"));
    assert!(field("tel").required);
    assert_eq!(field("pais").label.as_deref(), Some("País"));
    assert_eq!(field("pais").kind, "select");
    assert_eq!(field("msg").placeholder.as_deref(), Some("Escribe aquí"));
    assert!(!field("token").is_visible_input());
    assert!(
        field("cupon").is_visible_input(),
        "form= attribute associates it"
    );
    assert!(
        form.fields
            .iter()
            .all(|f| f.name.as_deref() != Some("website")),
        "the hidden honeypot is not a field"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_scope_stays_below_the_start_folder_and_host_scope_widens() {
    let home = r#"<a href="/es/contacto">Contacto</a> <a href="/fr/contact">FR</a>
        <a href="/">Raíz</a> <a href="http://example.invalid/x">Fuera</a>"#;
    let (server, log) = serve(html_pages(&[
        ("/es/index.html", home),
        ("/es/contacto", "<p>Escríbenos</p>"),
        ("/fr/contact", "<p>Contact</p>"),
        ("/", "<p>Root</p>"),
    ]))
    .await;
    let base = server.url();
    let start = format!("{base}es/index.html");
    let folder = crawl_site(&start, &config()).await;
    assert_eq!(folder.scope_prefix, format!("{base}es/"));
    assert_eq!(
        urls(&folder),
        vec![start.clone(), format!("{base}es/contacto")]
    );
    assert_eq!(folder.stats.skipped_out_of_scope, 3);
    assert!(!log.paths().iter().any(|p| p.starts_with("/fr")));

    let host = crawl_site(
        &start,
        &CrawlConfig {
            scope: Scope::Host,
            ..config()
        },
    )
    .await;
    let mut got = urls(&host);
    got.sort();
    assert_eq!(
        got,
        vec![
            base.clone(),
            format!("{base}es/contacto"),
            start.clone(),
            format!("{base}fr/contact")
        ]
    );
    assert_eq!(
        host.stats.skipped_out_of_scope, 1,
        "the external link is never fetched"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_txt_is_obeyed_unless_told_otherwise() {
    let (server, log) = serve(html_pages(&[
        (
            "/robots.txt",
            "User-agent: *\nDisallow: /privado\nCrawl-delay: 0.05\n",
        ),
        ("/", r#"<a href="/privado/x">P</a><a href="/abierto">A</a>"#),
        ("/privado/x", "<p>no</p>"),
        ("/abierto", "<p>sí</p>"),
    ]))
    .await;
    let base = server.url();
    let obeyed = crawl_site(&base, &config()).await;
    assert_eq!(urls(&obeyed), vec![base.clone(), format!("{base}abierto")]);
    assert_eq!(obeyed.stats.skipped_by_robots, 1);
    let robots = obeyed.robots.as_ref().expect("robots summary");
    assert!(robots.obeyed);
    assert_eq!(robots.status, Some(200));
    assert_eq!(robots.disallowed_urls_skipped, 1);
    assert_eq!(robots.crawl_delay_secs, Some(0.05f32 as f64));
    assert!(obeyed
        .warnings
        .iter()
        .any(|w| w.contains("robots.txt disallowed 1 URL")));
    assert_eq!(log.count("/privado/x"), 0);

    let ignored = crawl_site(
        &base,
        &CrawlConfig {
            respect_robots: false,
            ..config()
        },
    )
    .await;
    assert!(urls(&ignored).contains(&format!("{base}privado/x").as_str()));
    assert!(!ignored.robots.as_ref().unwrap().obeyed);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_txt_forbidding_the_start_url_stops_the_audit() {
    let (server, log) = serve(html_pages(&[
        ("/robots.txt", "User-agent: *\nDisallow: /\n"),
        ("/", "<p>home</p>"),
    ]))
    .await;
    let url = Url::parse(&server.url()).unwrap();
    let err = shopaudit::gather::crawl::crawl(&url, &config(), &ProgressBar::hidden())
        .await
        .unwrap_err();
    assert!(err.0.contains("disallows the start URL"), "{}", err.0);
    assert!(err.0.contains("--ignore-robots"), "{}", err.0);
    assert_eq!(log.count("/"), 0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sitemap_urls_are_crawled_including_unlinked_pages() {
    let (server, _log) = serve(html_pages(&[
        ("/robots.txt", "Sitemap: /sitemap_index.xml\n"),
        (
            "/sitemap_index.xml",
            r#"<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
               <sitemap><loc>/sitemap-pages.xml</loc></sitemap></sitemapindex>"#,
        ),
        (
            "/sitemap-pages.xml",
            r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
               <url><loc>/oculto</loc></url><url><loc>/enlazada</loc></url>
               <url><loc>https://elsewhere.invalid/x</loc></url></urlset>"#,
        ),
        ("/", r#"<a href="/enlazada">Enlazada</a>"#),
        ("/enlazada", "<p>linked</p>"),
        ("/oculto", "<h1>Contacto</h1>"),
    ]))
    .await;
    let base = server.url();
    let crawl = crawl_site(&base, &config()).await;
    let hidden = page(&crawl, &format!("{base}oculto"));
    assert_eq!(hidden.discovered_via, Discovery::Sitemap);
    assert_eq!(hidden.depth, 1);
    assert!(hidden.is_ok());
    assert_eq!(
        page(&crawl, &format!("{base}enlazada")).discovered_via,
        Discovery::Link,
        "linked pages keep their link discovery"
    );
    assert_eq!(crawl.pages.len(), 3);
    assert_eq!(
        crawl.robots.as_ref().unwrap().sitemaps,
        vec![format!("{base}sitemap_index.xml")]
    );
    server.stop().await;

    // No robots.txt: /sitemap.xml is read.
    let (server, _log) = serve(html_pages(&[
        (
            "/sitemap.xml",
            "<urlset><url><loc>/solo-sitemap</loc></url></urlset>",
        ),
        ("/", "<p>home</p>"),
        ("/solo-sitemap", "<p>x</p>"),
    ]))
    .await;
    let base = server.url();
    let crawl = crawl_site(&base, &config()).await;
    assert!(urls(&crawl).contains(&format!("{base}solo-sitemap").as_str()));
    assert!(crawl.robots.as_ref().is_some_and(|r| r.status == Some(404)));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_and_depth_limits_hold() {
    let mut pages: Vec<(String, String)> = (0..30)
        .map(|i| {
            (
                format!("/p{i}"),
                format!(r#"<a href="/p{}">next</a>"#, i + 1),
            )
        })
        .collect();
    let wide: String = (0..40)
        .map(|i| format!(r#"<a href="/w{i}">w</a>"#))
        .collect();
    pages.push(("/wide".into(), wide));
    for i in 0..40 {
        pages.push((format!("/w{i}"), "<p>w</p>".into()));
    }
    let refs: Vec<(&str, &str)> = pages
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let (server, log) = serve(html_pages(&refs)).await;
    let base = server.url();

    let deep = crawl_site(
        &format!("{base}p0"),
        &CrawlConfig {
            max_depth: 3,
            ..config()
        },
    )
    .await;
    assert_eq!(
        urls(&deep),
        (0..=3).map(|i| format!("{base}p{i}")).collect::<Vec<_>>()
    );
    assert_eq!(deep.pages.iter().map(|p| p.depth).max(), Some(3));
    assert_eq!(deep.stats.skipped_by_limits, 1);
    assert!(deep.warnings.iter().any(|w| w.contains("--max-depth")));

    let before = log.paths().len();
    let capped = crawl_site(
        &format!("{base}wide"),
        &CrawlConfig {
            max_pages: 5,
            concurrency: 4,
            ..config()
        },
    )
    .await;
    assert_eq!(capped.pages.len(), 5);
    assert_eq!(capped.stats.skipped_by_limits, 36);
    assert!(capped
        .warnings
        .iter()
        .any(|w| w.contains("page limit (5 pages)")));
    let page_requests = log.paths()[before..]
        .iter()
        .filter(|p| p.starts_with("/w"))
        .count();
    assert_eq!(page_requests, 5, "no request beyond the page limit");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_links_redirects_and_failures_are_recorded() {
    let (_reserved, dead_port) = refusing_port();
    let home = format!(
        r#"<a href="/missing">m</a> <a href="http://127.0.0.1:{dead_port}/x">refused</a>
           <a href="/loop-a">loop</a> <a href="/hop/0">chain</a> <a href="/old">old</a>
           <a href="/new">new</a> <a href="/doc.pdf">pdf</a> <a href="/boom">boom</a>
           <a href="/away">away</a> <a href="/slow">slow</a>"#
    );
    let router = html_pages(&[("/", &home), ("/new", "<p>new</p>")])
        .route("/loop-a", get(|| async { redirect("/loop-b") }))
        .route("/loop-b", get(|| async { redirect("/loop-a") }))
        .route(
            "/hop/{n}",
            get(
                |axum::extract::Path(n): axum::extract::Path<u32>| async move {
                    redirect(&format!("/hop/{}", n + 1))
                },
            ),
        )
        .route("/old", get(|| async { redirect("/new") }))
        .route(
            "/away",
            get(|| async { redirect("http://elsewhere.invalid/") }),
        )
        .route(
            "/doc.pdf",
            get(|| async { ([(header::CONTENT_TYPE, "application/pdf")], "%PDF-1.4") }),
        )
        .route(
            "/boom",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "oops") }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(20)).await;
                "late"
            }),
        );
    let (server, log) = serve(router).await;
    let base = server.url();
    let config = CrawlConfig {
        allow_hosts: vec![format!("127.0.0.1:{dead_port}")],
        timeout_secs: 1.0,
        // One at a time, so /old has redirected before the link to /new comes up.
        concurrency: 1,
        ..config()
    };
    let started = Instant::now();
    let crawl = crawl_site(&base, &config).await;
    // Bounded by the 1 s timeout per request, whatever the routes do; generous for a loaded machine.
    assert!(started.elapsed() < Duration::from_secs(30));

    let missing = page(&crawl, &format!("{base}missing"));
    assert_eq!(missing.status, Some(404));
    assert!(!missing.is_ok() && missing.content.is_none());

    let refused = page(&crawl, &format!("http://127.0.0.1:{dead_port}/x"));
    assert_eq!(refused.status, None);
    assert_eq!(refused.error.as_deref(), Some("connection refused"));

    let looped = page(&crawl, &format!("{base}loop-a"));
    assert_eq!(looped.status, None, "a loop has no final answer");
    let error = looped.error.as_deref().unwrap();
    assert!(error.starts_with("redirect loop: "), "{error}");
    assert!(error.contains("/loop-b -> "), "{error}");

    let chain = page(&crawl, &format!("{base}hop/0"));
    assert_eq!(chain.status, None);
    assert!(chain
        .error
        .as_deref()
        .unwrap()
        .starts_with("too many redirects (more than 5)"));
    assert_eq!(
        log.paths()
            .iter()
            .filter(|p| p.starts_with("/hop/"))
            .count(),
        6
    );

    let old = page(&crawl, &format!("{base}old"));
    assert_eq!(old.final_url, format!("{base}new"));
    assert!(old.is_ok() && old.is_html());
    assert_eq!(
        log.count("/new"),
        1,
        "a redirect target is not fetched twice"
    );

    let away = page(&crawl, &format!("{base}away"));
    assert_eq!(away.status, Some(302));
    assert_eq!(away.final_url, "http://elsewhere.invalid/");
    assert!(away.error.is_none() && away.content.is_none());

    let pdf = page(&crawl, &format!("{base}doc.pdf"));
    assert_eq!(pdf.status, Some(200));
    assert_eq!(pdf.content_type.as_deref(), Some("application/pdf"));
    assert!(pdf.is_ok() && !pdf.is_html());

    assert_eq!(page(&crawl, &format!("{base}boom")).status, Some(500));
    let slow = page(&crawl, &format!("{base}slow"));
    assert_eq!(slow.status, None);
    assert_eq!(slow.error.as_deref(), Some("timeout after 1s"));
    server.stop().await;
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_gzip_bomb_bodies_are_cut_and_the_crawl_goes_on() {
    // One long paragraph: real enough, and cheap to parse in a debug build.
    // Titled "Help" (a FAQ page) so the crawl keeps its whole text: pages without a role whose
    // checks read them whole keep only the lines the checks of every page read.
    let big = format!(
        "<html><head><title>Help</title></head><body><p>start</p><p>{}</p></body></html>",
        "filler text ".repeat(500_000)
    );
    assert!(big.len() > 6_000_000);
    // 12 MB of spaces in well under 100 kB: more than twice the 5 MB cap once inflated.
    let bomb = {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"<html><body>").unwrap();
        let spaces = vec![b' '; 1024 * 1024];
        for _ in 0..12 {
            enc.write_all(&spaces).unwrap();
        }
        enc.finish().unwrap()
    };
    assert!(bomb.len() < 100 * 1024, "{} bytes compressed", bomb.len());
    let router = html_pages(&[
        (
            "/",
            r#"<a href="/big">big</a> <a href="/bomb">bomb</a> <a href="/after">after</a>"#,
        ),
        ("/big", &big),
        ("/after", "<p>after</p>"),
    ])
    .route(
        "/bomb",
        get(move || {
            let bomb = bomb.clone();
            async move {
                Response::builder()
                    .header(header::CONTENT_TYPE, "text/html")
                    .header(header::CONTENT_ENCODING, "gzip")
                    .body(Body::from(bomb))
                    .unwrap()
            }
        }),
    );
    let (server, _log) = serve(router).await;
    let base = server.url();
    let crawl = crawl_site(&base, &config()).await;
    let cap = CrawlConfig::default().max_bytes;
    for path in ["big", "bomb"] {
        let cut = page(&crawl, &format!("{base}{path}"));
        assert_eq!(
            cut.error.as_deref(),
            Some(format!("body over {cap} bytes, cut").as_str())
        );
        assert_eq!(cut.bytes, cap);
        // Cut by our limit, not broken by the store: what was read is still audited.
        assert!(cut.truncated);
        assert!(cut.is_ok() && !cut.is_broken());
    }
    assert!(
        crawl
            .warnings
            .iter()
            .any(|w| w == &format!("{base}bomb: body over {cap} bytes, cut")),
        "{:?}",
        crawl.warnings
    );
    let big_text = &page(&crawl, &format!("{base}big"))
        .content
        .as_ref()
        .unwrap()
        .text;
    assert!(big_text.starts_with("start\nfiller text filler text"));
    assert!(page(&crawl, &format!("{base}after")).is_ok());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_answers_are_retried_after_retry_after() {
    let busy_hits = Arc::new(Mutex::new(0u32));
    let hits = busy_hits.clone();
    let router = html_pages(&[("/", r#"<a href="/busy">busy</a> <a href="/down">down</a>"#)])
        .route(
            "/busy",
            get(move || {
                let hits = hits.clone();
                async move {
                    let n = {
                        let mut h = hits.lock().unwrap();
                        *h += 1;
                        *h
                    };
                    if n == 1 {
                        (
                            StatusCode::TOO_MANY_REQUESTS,
                            [(header::RETRY_AFTER, "1")],
                            "slow down",
                        )
                            .into_response()
                    } else {
                        ([(header::CONTENT_TYPE, "text/html")], "<p>ok now</p>").into_response()
                    }
                }
            }),
        )
        .route(
            "/down",
            get(|| async {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "0")],
                    "down",
                )
            }),
        );
    let (server, log) = serve(router).await;
    let base = server.url();
    let crawl = crawl_site(&base, &config()).await;
    let busy = page(&crawl, &format!("{base}busy"));
    assert_eq!(busy.status, Some(200));
    assert!(busy.is_html());
    assert_eq!(log.count("/busy"), 2);
    assert!(
        busy.fetch_ms >= 900,
        "waited for Retry-After: {} ms",
        busy.fetch_ms
    );
    let down = page(&crawl, &format!("{base}down"));
    assert_eq!(down.status, Some(503), "gives up after the retries");
    assert_eq!(
        log.count("/down"),
        1 + CrawlConfig::default().retries as usize
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_calendars_and_filter_combinations_are_cut_with_a_warning() {
    let router = Router::new()
        .route(
            "/",
            get(|| async {
                axum::response::Html(r#"<a href="/cal/2026/1">Agenda</a> <a href="/shoes">Zapatos</a> <a href="/contact">Contacto</a>"#)
            }),
        )
        .route("/contact", get(|| async { axum::response::Html("<p>+34 956 123 456</p>") }))
        .route(
            "/cal/{year}/{month}",
            get(
                |axum::extract::Path((y, m)): axum::extract::Path<(u32, u32)>| async move {
                    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                    axum::response::Html(format!(r#"<a href="/cal/{ny}/{nm}">next month</a>"#))
                },
            ),
        )
        .route(
            "/shoes",
            get(|uri: Uri| async move {
                let q = uri.query().unwrap_or("").to_string();
                let links: String = ["color=red", "size=42", "sort=price", "brand=x", "page=2"]
                    .iter()
                    .map(|f| {
                        let sep = if q.is_empty() { "" } else { "&" };
                        format!(r#"<a href="/shoes?{q}{sep}{f}">f</a> "#)
                    })
                    .collect();
                axum::response::Html(links)
            }),
        );
    let (server, _log) = serve(router).await;
    let base = server.url();
    let started = Instant::now();
    let crawl = crawl_site(
        &base,
        &CrawlConfig {
            max_depth: 100,
            ..config()
        },
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(20));
    let calendar = crawl
        .pages
        .iter()
        .filter(|p| p.url.contains("/cal/"))
        .count();
    let shoes = crawl
        .pages
        .iter()
        .filter(|p| p.url.contains("/shoes?"))
        .count();
    let limit = shopaudit::gather::scope::TRAP_VARIANTS as usize;
    assert_eq!(calendar, limit + 1, "the first month is linked from home");
    assert_eq!(shoes, limit);
    assert!(
        crawl.pages.len() < 2 * limit + 5,
        "{} pages",
        crawl.pages.len()
    );
    assert!(crawl.stats.skipped_as_traps >= 2);
    let traps: Vec<&String> = crawl
        .warnings
        .iter()
        .filter(|w| w.contains("URL trap"))
        .collect();
    assert_eq!(traps.len(), 2, "{:?}", crawl.warnings);
    assert!(traps.iter().any(|w| w.contains("/cal/N/N")), "{traps:?}");
    assert!(
        page(&crawl, &format!("{base}contact")).is_ok(),
        "other pages still audited"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_encodings_and_garbage_html_never_panic() {
    // Titled "Help" (a FAQ page) so the crawl keeps the whole text the assertions read.
    let nested = format!(
        "<title>Help</title><p>before</p>{}deep",
        "<div><span><b>".repeat(20_000)
    );
    let garbage: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let pages: Vec<(&'static str, Vec<u8>)> = vec![
        ("/latin1", b"<title>Help</title><p>Espa\xf1a \xff\xfe\x00 tel\xe9fono</p>".to_vec()),
        ("/nested", nested.into_bytes()),
        ("/garbage", garbage),
        ("/broken", b"<html><body><p><table><tr><td><a href='/x'>x<form><input name=a<<<</td></p></div></span>\xc3(</ html".to_vec()),
        ("/empty", Vec::new()),
    ];
    let links: String = pages
        .iter()
        .map(|(p, _)| format!(r#"<a href="{p}">x</a>"#))
        .collect();
    let mut router = html_pages(&[("/", &links)]);
    for (path, body) in pages {
        router = router.route(
            path,
            get(move || {
                let body = body.clone();
                async move { ([(header::CONTENT_TYPE, "text/html")], body) }
            }),
        );
    }
    let (server, _log) = serve(router).await;
    let base = server.url();
    let crawl = crawl_site(&base, &config()).await;
    for path in ["latin1", "nested", "garbage", "broken", "empty"] {
        let p = page(&crawl, &format!("{base}{path}"));
        assert_eq!(p.status, Some(200), "{path}");
        assert!(p.content.is_some(), "{path} was extracted");
        if path != "nested" {
            assert!(p.error.is_none(), "{path}: {:?}", p.error);
        }
    }
    let latin1 = &page(&crawl, &format!("{base}latin1"))
        .content
        .as_ref()
        .unwrap()
        .text;
    assert!(latin1.starts_with("Espa\u{fffd}"), "{latin1}");
    let nested = page(&crawl, &format!("{base}nested"));
    assert_eq!(nested.content.as_ref().unwrap().text, "before");
    assert!(nested
        .error
        .as_deref()
        .unwrap()
        .contains("nested more than"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_bounds_the_requests_per_second_the_store_sees() {
    let links: String = (0..12)
        .map(|i| format!(r#"<a href="/r{i}">r</a>"#))
        .collect();
    let mut pages = vec![("/".to_string(), links)];
    pages.extend((0..12).map(|i| (format!("/r{i}"), "<p>r</p>".to_string())));
    let refs: Vec<(&str, &str)> = pages
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let (server, log) = serve(html_pages(&refs)).await;
    let rate = 8.0;
    let crawl = crawl_site(
        &server.url(),
        &CrawlConfig {
            rate_limit: rate,
            concurrency: 8,
            ..config()
        },
    )
    .await;
    assert_eq!(crawl.pages.len(), 13);
    let times: Vec<Instant> = log
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|(p, _)| p != "/robots.txt")
        .map(|(_, t)| *t)
        .collect();
    assert!(times.len() >= 14, "pages and sitemap: {}", times.len());
    let span = times.last().unwrap().duration_since(times[0]).as_secs_f64();
    let seen = (times.len() - 1) as f64 / span;
    // Slowness can only lower the rate; the slack covers clock jitter.
    assert!(
        seen <= rate * 1.25,
        "server saw {seen:.1} requests/s with --rate-limit {rate}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_url_moved_to_another_origin_takes_the_scope_along() {
    let router = html_pages(&[
        (
            "/shop/",
            r#"<a href="/shop/contact">Contact</a> <a href="/other">x</a>"#,
        ),
        ("/shop/contact", "<p>contact</p>"),
        ("/es/", "<p>es</p>"),
    ])
    .route(
        "/",
        get(|headers: axum::http::HeaderMap| async move {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default()
                .to_string();
            // The bare name moves visitors to the canonical host, as stores do with www.
            match host.strip_prefix("localhost:") {
                Some(port) => redirect(&format!("http://127.0.0.1:{port}/shop/")),
                None => redirect("/es-es/"),
            }
        }),
    )
    .route("/es/", get(|| async { redirect("/es-es/") }));
    let (server, _log) = serve(router).await;
    let port = server.addr.port();
    let moved = crawl_site(&format!("http://localhost:{port}/"), &config()).await;
    assert_eq!(
        moved.pages[0].final_url,
        format!("http://127.0.0.1:{port}/shop/")
    );
    assert!(page(&moved, &format!("http://127.0.0.1:{port}/shop/contact")).is_ok());
    assert!(!urls(&moved).iter().any(|u| u.ends_with("/other")));
    assert!(moved.warnings.is_empty(), "{:?}", moved.warnings);

    // Same origin, another folder: the scope stays as given, and the user is told.
    let stayed = crawl_site(&format!("http://127.0.0.1:{port}/es/"), &config()).await;
    assert!(
        stayed
            .warnings
            .iter()
            .any(|w| w.contains("outside the crawl scope")),
        "{:?}",
        stayed.warnings
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meta_refresh_is_followed_like_a_link() {
    let (server, _log) = serve(html_pages(&[
        (
            "/",
            r#"<html><head><meta http-equiv="Refresh" content="0; URL='/es/'"></head></html>"#,
        ),
        ("/es/", "<h1>Inicio</h1>"),
    ]))
    .await;
    let base = server.url();
    let crawl = crawl_site(
        &base,
        &CrawlConfig {
            scope: Scope::Host,
            ..config()
        },
    )
    .await;
    let home = page(&crawl, &base).content.as_ref().unwrap();
    assert_eq!(home.meta_refresh, Some(format!("{base}es/")));
    assert!(page(&crawl, &format!("{base}es/")).is_ok());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_urls_that_fail_give_a_crawl_or_a_clear_reason() {
    let router = Router::new()
        .route("/gone", get(|| async { (StatusCode::NOT_FOUND, "no") }))
        .route("/loop", get(|| async { redirect("/loop") }))
        .route(
            "/file",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], "{}") }),
        );
    let (server, _log) = serve(router).await;
    let base = server.url();
    let gone = crawl_site(&format!("{base}gone"), &config()).await;
    assert_eq!(gone.pages[0].status, Some(404));
    assert!(
        gone.warnings
            .iter()
            .any(|w| w.contains("answered HTTP 404")),
        "{:?}",
        gone.warnings
    );
    let looped = crawl_site(&format!("{base}loop"), &config()).await;
    assert!(
        looped.warnings.iter().any(|w| w.contains("redirect loop")),
        "{:?}",
        looped.warnings
    );
    let file = crawl_site(&format!("{base}file"), &config()).await;
    assert!(file
        .warnings
        .iter()
        .any(|w| w.contains("not an HTML page (application/json)")));

    // TLS spoken to a plain-HTTP server.
    let https = Url::parse(&format!("https://{}/", server.addr)).unwrap();
    let err = shopaudit::gather::crawl::crawl(&https, &config(), &ProgressBar::hidden())
        .await
        .unwrap_err();
    assert!(
        err.0
            .starts_with(&format!("cannot reach {https}: TLS error")),
        "{}",
        err.0
    );

    let (_reserved, port) = refusing_port();
    let refused = Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
    let err = shopaudit::gather::crawl::crawl(&refused, &config(), &ProgressBar::hidden())
        .await
        .unwrap_err();
    assert_eq!(err.0, format!("cannot reach {refused}: connection refused"));
    server.stop().await;
}

#[test]
fn unreachable_store_exits_3_and_malformed_url_exits_2() {
    let (_reserved, port) = refusing_port();
    let url = format!("http://127.0.0.1:{port}/");
    let out = shopaudit(&["audit", &url, "--no-browser"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("cannot reach {url}: connection refused")),
        "{err}"
    );
    assert!(stdout(&out).is_empty());

    let out = shopaudit(&["audit", "http//shop", "--no-browser"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is not a valid URL"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_without_browser_runs_end_to_end() {
    let (server, log) = serve(html_pages(&[
        (
            "/",
            r#"<header>Llámanos al +34 956 123 456</header><a href="/contacto">Contacto</a>"#,
        ),
        ("/contacto", "<h1>Contacto</h1><p>+34 956 123 456</p>"),
    ]))
    .await;
    let url = server.url();
    let out = tokio::task::spawn_blocking(move || {
        shopaudit(&[
            "audit",
            &url,
            "--no-browser",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON report");
    assert_eq!(report["target"], server.url());
    assert!(report["checks"].as_array().is_some_and(|c| !c.is_empty()));
    assert_eq!(log.count("/contacto"), 1);
    server.stop().await;
}

/// A server that reads the request and closes the connection without a word.
fn hang_up_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            use std::io::Read;
            let mut stream = stream;
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            drop(stream);
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_routes_end_within_the_timeout_and_are_reported() {
    let hang_up = hang_up_server();
    let home = format!(
        r#"<a href="/drip">drip</a> <a href="/hang">hang</a> <a href="/cookies">cookies</a>
           <a href="http://127.0.0.1:{hang_up}/x">hang up</a> <a href="/fine">fine</a>"#
    );
    let router = html_pages(&[("/", &home), ("/fine", "<p>fine</p>")])
        .route(
            "/drip",
            get(|| async {
                let drip = futures::stream::unfold(0u32, |n| async move {
                    if n > 0 {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    (n < 60).then(|| {
                        (
                            Ok::<_, std::io::Error>(if n == 0 {
                                "<p>drip".to_string()
                            } else {
                                ".".to_string()
                            }),
                            n + 1,
                        )
                    })
                });
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    Body::from_stream(drip),
                )
            }),
        )
        .route(
            "/hang",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                "never"
            }),
        )
        .route(
            "/cookies",
            get(|| async {
                let mut response = axum::response::Html("<p>many cookies</p>").into_response();
                for i in 0..500 {
                    response.headers_mut().append(
                        header::SET_COOKIE,
                        format!("c{i}={}; Path=/", "v".repeat(40)).parse().unwrap(),
                    );
                }
                response
            }),
        );
    let (server, _log) = serve(router).await;
    let base = server.url();
    let timeout = 1.5;
    let config = CrawlConfig {
        timeout_secs: timeout,
        allow_hosts: vec![format!("127.0.0.1:{hang_up}")],
        ..config()
    };
    let started = Instant::now();
    let crawl = crawl_site(&base, &config).await;
    // All in parallel: about one timeout; ten leave room for a loaded machine.
    assert!(
        started.elapsed() < Duration::from_secs_f64(timeout * 10.0),
        "took {:?}",
        started.elapsed()
    );
    let drip = page(&crawl, &format!("{base}drip"));
    assert_eq!(drip.status, Some(200));
    assert_eq!(
        drip.error.as_deref(),
        Some("timeout after 1.5s while reading the body")
    );
    let hang = page(&crawl, &format!("{base}hang"));
    assert_eq!(hang.error.as_deref(), Some("timeout after 1.5s"));
    let hung_up = page(&crawl, &format!("http://127.0.0.1:{hang_up}/x"));
    assert_eq!(hung_up.status, None);
    let error = hung_up.error.as_deref().unwrap();
    assert!(error.contains("connection closed"), "{error}");
    assert!(
        !error.contains("http://"),
        "short reason, not the URL again: {error}"
    );
    let cookies = page(&crawl, &format!("{base}cookies"));
    assert!(cookies.is_ok(), "{cookies:?}");
    assert!(page(&crawl, &format!("{base}fine")).is_ok());
    server.stop().await;
}

mod extraction_properties {
    //! Page extraction over arbitrary bytes and tag soup: never panics, and what it returns
    //! keeps the shapes the checks rely on.
    use proptest::prelude::*;
    use shopaudit::gather::fetch::decode_html;
    use url::Url;

    const PIECES: &[&str] = &[
        "<div>",
        "</div>",
        "<p>",
        "</p>",
        "<a href=\"/x#f\">",
        "<a href='tel:+34 900'>",
        "<a href=mailto:a@b.c>",
        "</a>",
        "<header>",
        "</header>",
        "<footer>",
        "</footer>",
        "<nav>",
        "</nav>",
        "<section>",
        "<details><summary>",
        "</summary>",
        "<dt>",
        "<h1>",
        "</h1>",
        "<h7>",
        "<form id=f>",
        "<input name=a required>",
        "<label for=a>",
        "</label>",
        "<select><option>x",
        "</select>",
        "<textarea>",
        "</textarea>",
        "<script>",
        "</script>",
        "<script type=application/ld+json>{\"@type\":\"FAQPage\"}",
        "<style>",
        "</style>",
        "<template>",
        "</template>",
        "<span hidden>",
        "<span style='display:none'>",
        "</span>",
        "<br>",
        "<img src=x alt=\"tel 900\">",
        "<iframe src=/chat>",
        "</iframe>",
        "<table><tr><td>",
        "<!--",
        "-->",
        "<![CDATA[",
        "<base href=\"http://other.test/\">",
        "&amp;",
        "&#0;",
        "&nbsp;",
        "¿Qué?",
        "ÉTÉ",
        "\u{0}",
        "\u{feff}",
        "\n",
        " ",
        "<",
        ">",
        "\"",
        "'",
        "=",
        "<button aria-expanded=true aria-controls=a>",
        "</button>",
        "<math>",
        "<svg><a href=/s>",
        "<noscript>",
        "</noscript>",
        "<meta http-equiv=refresh content='0;url=/r'>",
    ];

    fn soup() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 0..200).prop_map(|p| p.concat())
    }

    fn check_shapes(html: &str) {
        let url = Url::parse("https://shop.test/es/").unwrap();
        crate::fuzz::targets::check_extraction(html, &url);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn tag_soup_keeps_the_shapes(html in soup()) {
            check_shapes(&html);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000),
                                       charset in prop::sample::select(&["utf-8", "iso-8859-1", "shift_jis", "utf-16le", "bogus"][..])) {
            let html = decode_html(&bytes, Some(&format!("text/html; charset={charset}")));
            check_shapes(&html);
        }
    }
}
