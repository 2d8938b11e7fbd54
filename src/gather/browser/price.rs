//! Reading displayed prices ("$1,234.56", "12,99 €", "EUR 5") and the rows they sit in.

use super::common::phrases;
use super::driver::{PageState, PriceSpot};
use crate::artifacts::Price;
use crate::checks::phrases::fold;

const CODES: [&str; 7] = ["USD", "EUR", "GBP", "CAD", "AUD", "MXN", "CHF"];

/// Parses a displayed price. None when the text holds no amount.
pub fn parse_price(text: &str) -> Option<Price> {
    let currency = ['$', '€', '£', '¥']
        .iter()
        .find(|c| text.contains(**c))
        .map(|c| c.to_string())
        .or_else(|| {
            CODES
                .iter()
                .find(|c| text.to_uppercase().contains(*c))
                .map(|c| c.to_string())
        });
    let start = text.find(|c: char| c.is_ascii_digit())?;
    // Digits grouped by commas, dots, spaces or apostrophes (Swiss "CHF 1'234.50").
    let number: String = text[start..]
        .chars()
        .take_while(|c| {
            c.is_ascii_digit()
                || matches!(
                    c,
                    ',' | '.' | ' ' | '\u{a0}' | '\u{202f}' | '\'' | '\u{2019}'
                )
        })
        .filter(|c| c.is_ascii_digit() || matches!(c, ',' | '.'))
        .collect();
    let number = number.trim_end_matches([',', '.']);
    let negative = minus_before(&text[..start]);
    let last_dot = number.rfind('.');
    let last_comma = number.rfind(',');
    let decimal_at = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(d.max(c)),
        (Some(i), None) | (None, Some(i)) => {
            let sep = number.as_bytes()[i] as char;
            let decimals = number.len() - i - 1;
            (number.matches(sep).count() == 1 && decimals != 3).then_some(i)
        }
        (None, None) => None,
    };
    let normalised: String = match decimal_at {
        Some(i) => {
            let int: String = number[..i].chars().filter(char::is_ascii_digit).collect();
            format!("{int}.{}", &number[i + 1..])
        }
        None => number.chars().filter(char::is_ascii_digit).collect(),
    };
    // Hundreds of digits parse as infinity, which no total can be compared with.
    let amount = normalised.parse::<f64>().ok().filter(|a| a.is_finite())?;
    Some(Price {
        text: text.trim().to_string(),
        amount: if negative { -amount } else { amount },
        currency,
    })
}

/// A minus sign right before the amount or its currency mark ("-$5.00", "$-5.00", "USD -5",
/// "−12,99 €"); a dash elsewhere in the label ("Sub-total: $5") does not make it negative.
fn minus_before(before: &str) -> bool {
    let lead = before
        .trim_end()
        .trim_end_matches(['$', '€', '£', '¥'])
        .trim_end();
    let lead = CODES
        .iter()
        .find_map(|code| {
            let cut = lead.len().checked_sub(code.len())?;
            (lead.is_char_boundary(cut) && lead[cut..].eq_ignore_ascii_case(code))
                .then(|| lead[..cut].trim_end())
        })
        .unwrap_or(lead);
    lead.ends_with(['-', '−'])
}

/// What a price row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Total,
    Subtotal,
    Shipping,
    Tax,
    Discount,
    Other,
}

pub fn row_kind(row: &str) -> RowKind {
    let folded = fold(row);
    let p = phrases();
    // "Subtotal" contains "total" only as part of a word, so the order of these tests matters
    // only for rows naming two things ("Total incl. VAT"): the total wins.
    if p["subtotal"].find(&folded).is_some() {
        RowKind::Subtotal
    } else if p["total"].find(&folded).is_some() {
        RowKind::Total
    } else if p["shipping"].find(&folded).is_some() {
        RowKind::Shipping
    } else if p["tax"].find(&folded).is_some() {
        RowKind::Tax
    } else if p["discount"].find(&folded).is_some() {
        RowKind::Discount
    } else {
        RowKind::Other
    }
}

/// The prices of a cart or order summary, read from the rows around each price.
#[derive(Debug, Default, Clone)]
pub struct Totals {
    pub line: Option<Price>,
    pub subtotal: Option<Price>,
    pub shipping: Option<Price>,
    pub tax: Option<Price>,
    pub discount: Option<Price>,
    pub total: Option<Price>,
}

pub fn read_totals(state: &PageState, product_name: Option<&str>) -> Totals {
    let mut t = Totals::default();
    let name = product_name.map(fold).filter(|n| n.len() >= 3);
    let spots: Vec<&PriceSpot> = state.prices.iter().collect();
    for spot in &spots {
        let Some(price) = parse_price(&spot.text) else {
            continue;
        };
        // The price shown in a row: the row's own text minus the amount names what it is.
        let label = spot.row.replace(&spot.text, " ");
        match row_kind(&label) {
            RowKind::Total => t.total = Some(price),
            RowKind::Subtotal => t.subtotal = t.subtotal.take().or(Some(price)),
            RowKind::Shipping => t.shipping = t.shipping.take().or(Some(price)),
            RowKind::Tax => t.tax = t.tax.take().or(Some(price)),
            RowKind::Discount => t.discount = t.discount.take().or(Some(price)),
            RowKind::Other => {
                let names_product = name.as_deref().is_some_and(|n| fold(&spot.row).contains(n));
                if t.line.is_none() && (names_product || name.is_none()) {
                    t.line = Some(price);
                }
            }
        }
    }
    if t.line.is_none() {
        // A cart whose rows do not repeat the product's name: its first unlabelled price.
        t.line = spots.iter().find_map(|s| {
            let label = s.row.replace(&s.text, " ");
            (row_kind(&label) == RowKind::Other)
                .then(|| parse_price(&s.text))
                .flatten()
        });
    }
    t
}

/// The product's own price on its page: schema.org data first, then microdata, then the
/// first price in the main content outside other forms.
pub fn product_price(state: &PageState) -> Option<Price> {
    fn offer_price(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::Object(m) => {
                if m.get("@type").and_then(|t| t.as_str()) == Some("Product") {
                    let offers = m.get("offers")?;
                    let offer = match offers {
                        serde_json::Value::Array(a) => a.first()?,
                        o => o,
                    };
                    let price = offer.get("price").or_else(|| offer.get("lowPrice"))?;
                    let currency = offer
                        .get("priceCurrency")
                        .and_then(|c| c.as_str())
                        .unwrap_or("");
                    return Some(format!(
                        "{} {currency}",
                        price
                            .as_str()
                            .map(str::to_string)
                            .unwrap_or(price.to_string())
                    ));
                }
                m.get("@graph").and_then(offer_price)
            }
            serde_json::Value::Array(a) => a.iter().find_map(offer_price),
            _ => None,
        }
    }
    let visible = state
        .prices
        .iter()
        .find(|p| p.in_main && !p.in_form)
        .or_else(|| state.prices.first())
        .and_then(|p| parse_price(&p.text));
    let structured = state
        .json_ld
        .iter()
        .find_map(offer_price)
        .or_else(|| state.prices.iter().find_map(|p| p.itemprop.clone()))
        .or_else(|| state.meta_price.clone())
        .and_then(|t| parse_price(&t));
    // What the customer reads is the displayed price; structured data only stands in for it.
    match (visible, structured) {
        (Some(v), _) => Some(v),
        (None, s) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_in_several_notations() {
        let amount = |t: &str| parse_price(t).map(|p| p.amount);
        assert_eq!(amount("$1,234.56"), Some(1234.56));
        assert_eq!(amount("1.234,56 €"), Some(1234.56));
        assert_eq!(amount("12,99 €"), Some(12.99));
        assert_eq!(amount("£12"), Some(12.0));
        assert_eq!(amount("USD 12.50"), Some(12.5));
        assert_eq!(amount("-$5.00"), Some(-5.0));
        assert_eq!(amount("1 299,00 €"), Some(1299.0));
        assert_eq!(amount("CHF 1'234.50"), Some(1234.5));
        assert_eq!(amount("USD -5"), Some(-5.0));
        assert_eq!(amount("$-5.00"), Some(-5.0));
        assert_eq!(amount("−12,99 €"), Some(-12.99));
        assert_eq!(amount("Sub-total: $5.00"), Some(5.0));
        assert_eq!(amount(&"9".repeat(400)), None);
        assert_eq!(amount("Free"), None);
        assert_eq!(
            parse_price("12,99 €").unwrap().currency.as_deref(),
            Some("€")
        );
    }

    #[test]
    fn rows_are_told_apart() {
        assert_eq!(row_kind("Subtotal"), RowKind::Subtotal);
        assert_eq!(row_kind("Order total"), RowKind::Total);
        assert_eq!(row_kind("Gastos de envío"), RowKind::Shipping);
        assert_eq!(row_kind("TVA (20%)"), RowKind::Tax);
        assert_eq!(row_kind("Blue mug"), RowKind::Other);
    }
}
