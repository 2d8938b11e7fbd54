//! Serves a synthetic store of N pages on 127.0.0.1 for the crawl benchmark (`bench/run`).
//!
//! Prints the store's URL on the first line of stdout once it accepts connections, then serves
//! until killed. `GET /__bench/stats` answers what was fetched since `GET /__bench/reset`.
//!
//!     cargo run --release --example bench_store -- --pages 10000 --seed 1

use clap::Parser;
use shopaudit::fixture::synthetic::{self, ServeOptions, SyntheticStore};
use shopaudit::fixture::RunningServer;
use std::io::Write;

#[derive(Debug, Parser)]
struct Args {
    /// HTML pages in the store.
    #[arg(long, default_value_t = 1000)]
    pages: u32,
    /// Seed of the generated content.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Port on 127.0.0.1 (0: a free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Serve /sitemap.xml and name it in robots.txt.
    #[arg(long)]
    sitemap: bool,
    /// Write every page under DIR (as DIR/<path>/index.html) instead of serving.
    #[arg(long, value_name = "DIR")]
    write_to: Option<std::path::PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let store = SyntheticStore::new(args.pages, args.seed);
    if let Some(dir) = &args.write_to {
        for page in store.pages() {
            let folder = dir.join(store.path(page).trim_start_matches('/'));
            std::fs::create_dir_all(&folder)?;
            std::fs::write(folder.join("index.html"), store.render(page))?;
        }
        println!("{} pages written to {}", store.page_count(), dir.display());
        return Ok(());
    }
    // Two workers: the server must not take more of a 2-core machine than the crawler it feeds.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (router, _counters) = synthetic::router(
            &store,
            ServeOptions {
                sitemap: args.sitemap,
            },
        );
        let server = RunningServer::start(router, args.port).await?;
        println!("{}", server.url());
        eprintln!(
            "serving {} pages ({} products) of seed {} at {}",
            store.page_count(),
            store.product_count(),
            args.seed,
            server.url()
        );
        std::io::stdout().flush()?;
        tokio::signal::ctrl_c().await?;
        server.stop().await;
        anyhow::Ok(())
    })
}
