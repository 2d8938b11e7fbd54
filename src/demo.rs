//! `shopaudit serve-fixture` and `shopaudit demo`: the bundled storefronts, served on loopback.

use crate::error::{Exit, UsageError};
use anyhow::Context;

/// `shopaudit serve-fixture VARIANT [--port N]`: serves one storefront until Ctrl-C.
pub fn serve_fixture(variant: &str, port: u16) -> anyhow::Result<Exit> {
    if crate::fixture::store::embedded(variant).is_none() {
        return Err(UsageError(format!(
            "no fixture store `{variant}` (known: {})",
            crate::fixture::store::variant_names().join(", ")
        ))
        .into());
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let (server, handle) = crate::fixture::store::start(variant, port).await?;
        println!("Serving the `{variant}` fixture store at {}", server.url());
        println!(
            "Test card: 4242 4242 4242 4242 (declined: 4000 0000 0000 0002). Orders placed: {}__fixture/orders",
            server.url()
        );
        println!("Press Ctrl-C to stop.");
        tokio::signal::ctrl_c()
            .await
            .context("cannot listen for Ctrl-C")?;
        let orders = handle.orders_placed();
        server.stop().await;
        eprintln!("Stopped ({orders} order(s) placed).");
        Ok(Exit::Passed)
    })
}
