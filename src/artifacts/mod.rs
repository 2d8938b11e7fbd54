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
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Gathered<T> {
    Collected { data: T },
    Failed { reason: String },
    Skipped { reason: String },
}

/// Reads the form `Serialize` writes, `{"state": "collected", "data": ...}` or `{"state":
/// "failed", "reason": ...}`, with the fields in any order. serde's derive for a tagged enum
/// first copies the whole object into a generic tree (the tag could come last): for a
/// 10,000-page crawl that tree took 400 MB more than the crawl itself.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Gathered<T> {
    fn deserialize<D: serde::Deserializer<'de>>(from: D) -> Result<Self, D::Error> {
        use serde::de::{Error, IgnoredAny, MapAccess, Visitor};
        use std::marker::PhantomData;

        #[derive(Deserialize)]
        #[serde(rename_all = "kebab-case")]
        enum State {
            Collected,
            Failed,
            Skipped,
        }

        struct GatheredVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for GatheredVisitor<T> {
            type Value = Gathered<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object with a \"state\" of collected, failed or skipped")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Gathered<T>, A::Error> {
                let mut state = None;
                let mut data = None;
                let mut reason = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match &*key {
                        "state" if state.is_some() => {
                            return Err(A::Error::duplicate_field("state"))
                        }
                        "state" => state = Some(map.next_value::<State>()?),
                        "data" if data.is_some() => return Err(A::Error::duplicate_field("data")),
                        "data" => data = Some(map.next_value::<T>()?),
                        "reason" if reason.is_some() => {
                            return Err(A::Error::duplicate_field("reason"))
                        }
                        "reason" => reason = Some(map.next_value::<String>()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let reason = || reason.ok_or_else(|| A::Error::missing_field("reason"));
                match state.ok_or_else(|| A::Error::missing_field("state"))? {
                    State::Collected => Ok(Gathered::Collected {
                        data: data.ok_or_else(|| A::Error::missing_field("data"))?,
                    }),
                    State::Failed => Ok(Gathered::Failed { reason: reason()? }),
                    State::Skipped => Ok(Gathered::Skipped { reason: reason()? }),
                }
            }
        }

        from.deserialize_map(GatheredVisitor(PhantomData))
    }
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
        let file = std::fs::File::open(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        // Read as it is parsed: a large crawl's file need not be in memory beside its pages.
        let artifacts: Artifacts = serde_json::from_reader(std::io::BufReader::new(file))
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

#[cfg(test)]
mod gathered_tests {
    use super::Gathered;

    fn read(json: &str) -> Result<Gathered<Vec<u32>>, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn gathered_reads_what_it_writes_with_fields_in_any_order() {
        for written in [
            Gathered::Collected { data: vec![1, 2] },
            Gathered::Failed {
                reason: "cannot reach the store".into(),
            },
            Gathered::Skipped {
                reason: "--no-browser".into(),
            },
        ] {
            let json = serde_json::to_string(&written).unwrap();
            assert_eq!(
                format!("{:?}", read(&json).unwrap()),
                format!("{written:?}")
            );
        }
        let data_first = read(r#"{"data": [3], "note": "kept by hand", "state": "collected"}"#);
        assert!(matches!(data_first, Ok(Gathered::Collected { data }) if data == [3]));
    }

    #[test]
    fn gathered_names_what_is_missing_or_wrong() {
        let error = |json: &str| read(json).unwrap_err();
        assert!(error(r#"{"state": "collected"}"#).contains("missing field `data`"));
        assert!(error(r#"{"state": "failed"}"#).contains("missing field `reason`"));
        assert!(error(r#"{"data": [1]}"#).contains("missing field `state`"));
        assert!(error(r#"{"state": "lost", "reason": "x"}"#).contains("unknown variant `lost`"));
        assert!(
            error(r#"{"state": "failed", "state": "failed", "reason": "x"}"#)
                .contains("duplicate field `state`")
        );
        assert!(error(r#"[1]"#).contains("an object with a \"state\""));
    }
}
