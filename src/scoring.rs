//! A category's score is the weighted mean of its checks' scores (not-applicable and error
//! left out); the overall score is the weighted mean of the categories, 0-100.

use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub title: String,
    pub weight: f64,
}

#[derive(Deserialize)]
struct CategoryFile {
    category: Vec<Category>,
}

pub fn categories() -> &'static [Category] {
    static CATEGORIES: OnceLock<Vec<Category>> = OnceLock::new();
    CATEGORIES.get_or_init(|| {
        toml::from_str::<CategoryFile>(include_str!("../checks/categories.toml"))
            .unwrap_or_else(|e| panic!("checks/categories.toml is invalid: {e}"))
            .category
    })
}

/// One scored item: its weight and its score in 0..1 (None: not scored).
#[derive(Debug, Clone, Copy)]
pub struct Scored {
    pub weight: f64,
    pub score: Option<f64>,
}

/// Weighted mean of the scored items; None when nothing carries weight.
pub fn weighted_mean(items: impl IntoIterator<Item = Scored>) -> Option<f64> {
    let (sum, weights) = items
        .into_iter()
        .filter_map(|s| s.score.map(|score| (score * s.weight, s.weight)))
        .fold((0.0, 0.0), |(a, b), (x, w)| (a + x, b + w));
    (weights > 0.0).then(|| sum / weights)
}

/// Rounds a 0..1 score to a 0-100 figure with one decimal.
pub fn to_percent(score: f64) -> f64 {
    (score * 1000.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unscored_items_are_left_out() {
        let mean = weighted_mean([
            Scored {
                weight: 3.0,
                score: Some(1.0),
            },
            Scored {
                weight: 1.0,
                score: Some(0.0),
            },
            Scored {
                weight: 5.0,
                score: None,
            },
        ]);
        assert_eq!(mean, Some(0.75));
        assert_eq!(
            weighted_mean([Scored {
                weight: 1.0,
                score: None
            }]),
            None
        );
    }

    #[test]
    fn zero_weight_means_no_score() {
        assert_eq!(
            weighted_mean([Scored {
                weight: 0.0,
                score: Some(1.0)
            }]),
            None
        );
        assert_eq!(to_percent(0.8337), 83.4);
    }

    #[test]
    fn every_check_category_is_declared() {
        for check in crate::checks::registry() {
            assert!(
                categories().iter().any(|c| c.id == check.doc.category),
                "{} has undeclared category {}",
                check.doc.id,
                check.doc.category
            );
        }
    }
}
