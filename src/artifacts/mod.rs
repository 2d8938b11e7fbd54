//! Everything gathering produces and checks consume. Gathering and checking meet only here:
//! a saved `Artifacts` file can be re-scored offline with `shopaudit report --from-artifacts`.

mod browser;
mod crawl;

pub use browser::*;
pub use crawl::*;

use serde::{Deserialize, Serialize};
use std::path::Path;

/// Bumped when a saved artifacts file can no longer be read by this version.
pub const ARTIFACTS_VERSION: u32 = 1;

/// The outcome of one gather step. A step that failed turns only the checks that need it into
/// `error`; a step that was skipped on purpose (`--no-browser`, no order opt-in) turns them into
/// `not-applicable`, both with the reason.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Gathered<T> {
    Collected { data: T },
    Failed { reason: String },
    Skipped { reason: String },
}

impl<T> Gathered<T> {
    pub fn collected(&self) -> Option<&T> {
        match self {
            Gathered::Collected { data } => Some(data),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunMeta {
    pub target: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub tool_version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Artifacts {
    pub artifacts_version: u32,
    pub meta: RunMeta,
    pub crawl: Gathered<SiteCrawl>,
    pub browser: Gathered<BrowserFlows>,
    /// Problems met while gathering that did not stop the run (shown as report warnings).
    #[serde(default)]
    pub warnings: Vec<String>,
}

pub const ARTIFACTS_FILE: &str = "artifacts.json";

impl Artifacts {
    /// Writes `artifacts.json` into `dir` (screenshots are written there by the browser gatherer).
    pub fn save(&self, dir: &Path) -> anyhow::Result<()> {
        use anyhow::Context;
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create artifacts folder {}", dir.display()))?;
        let path = dir.join(ARTIFACTS_FILE);
        let json = serde_json::to_vec_pretty(self)?;
        std::fs::write(&path, json).with_context(|| format!("cannot write {}", path.display()))
    }

    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let path = if dir.is_dir() {
            dir.join(ARTIFACTS_FILE)
        } else {
            dir.to_path_buf()
        };
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let artifacts: Artifacts = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a shopaudit artifacts file", path.display()))?;
        if artifacts.artifacts_version != ARTIFACTS_VERSION {
            anyhow::bail!(
                "{} was saved by an incompatible shopaudit (artifacts version {}, this one reads {})",
                path.display(),
                artifacts.artifacts_version,
                ARTIFACTS_VERSION
            );
        }
        Ok(artifacts)
    }
}
