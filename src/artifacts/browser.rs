use serde::{Deserialize, Serialize};

/// What the browser flows (registration, checkout, post-purchase) recorded.
/// Filled in by `gather::browser`; every check of the registration, checkout and post-purchase
/// categories reads only this.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BrowserFlows {
    pub browser_version: Option<String>,
}
