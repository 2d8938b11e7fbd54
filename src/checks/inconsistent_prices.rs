use super::flow_support::finished;
use super::{CheckContext, Evidence, Finding};
use crate::artifacts::Price;

/// Amounts closer than this are the same price (rounding of displayed cents).
const CENT: f64 = 0.005;

fn differ(a: &Price, b: &Price) -> bool {
    (a.amount - b.amount).abs() > CENT
        || matches!((&a.currency, &b.currency), (Some(x), Some(y)) if x != y)
}

pub fn run(ctx: &CheckContext) -> Finding {
    let flows = ctx.browser();
    let checkout = match finished(&flows.checkout, "the checkout flow") {
        Ok(c) => c,
        Err(finding) => return finding,
    };
    let mut seen: Vec<(String, &Price, String)> = Vec::new();
    if let Some(p) = &checkout.product.price {
        seen.push(("product page".into(), p, checkout.product.url.clone()));
    }
    if let Some(cart) = &checkout.cart {
        if let Some(p) = &cart.line_price {
            seen.push(("cart line".into(), p, cart.url.clone()));
        }
    }
    if let Some(s) = &checkout.summary {
        if let Some(p) = &s.line_price {
            seen.push(("checkout summary line".into(), p, s.url.clone()));
        }
    }
    let mut problems: Vec<String> = Vec::new();
    for pair in seen.windows(2) {
        let ((a_name, a, _), (b_name, b, _)) = (&pair[0], &pair[1]);
        if differ(a, b) {
            problems.push(format!("{a_name} shows {}, {b_name} shows {}", a.text, b.text));
        }
    }
    let mut sums_checked = 0;
    if let Some(cart) = &checkout.cart {
        let base = cart.subtotal.as_ref().or(cart.line_price.as_ref());
        if let (Some(base), Some(total)) = (base, &cart.total) {
            sums_checked += 1;
            let expected = base.amount
                + cart.shipping.as_ref().map_or(0.0, |p| p.amount)
                + cart.tax.as_ref().map_or(0.0, |p| p.amount);
            let tax_included = expected - cart.tax.as_ref().map_or(0.0, |p| p.amount);
            if (expected - total.amount).abs() > CENT && (tax_included - total.amount).abs() > CENT {
                problems.push(format!(
                    "the cart total {} is not the sum of its lines and charges ({expected:.2})",
                    total.text
                ));
            }
        }
    }
    if let Some(s) = &checkout.summary {
        let base = s.subtotal.as_ref().or(s.line_price.as_ref());
        if let (Some(base), Some(total)) = (base, &s.total) {
            sums_checked += 1;
            let tax = s.tax.as_ref().map_or(0.0, |p| p.amount);
            let expected = base.amount
                + s.shipping.as_ref().map_or(0.0, |p| p.amount)
                + tax
                - s.discount.as_ref().map_or(0.0, |p| p.amount.abs());
            if (expected - total.amount).abs() > CENT && (expected - tax - total.amount).abs() > CENT {
                problems.push(format!(
                    "the checkout total {} is not the sum of its lines and charges ({expected:.2})",
                    total.text
                ));
            }
        }
    }
    let evidence: Vec<Evidence> = seen
        .iter()
        .map(|(name, p, url)| Evidence::at(url.clone(), format!("{name}: {}", p.text)))
        .collect();
    if seen.len() < 2 && sums_checked == 0 {
        return Finding::error("too few prices could be read to compare (product, cart, checkout)")
            .with_all_evidence(evidence);
    }
    if problems.is_empty() {
        Finding::pass(format!(
            "The price agrees on {} and the totals add up",
            seen.iter().map(|(n, _, _)| n.as_str()).collect::<Vec<_>>().join(", ")
        ))
        .with_all_evidence(evidence)
    } else {
        Finding::fail(format!("Prices disagree: {}", problems.join("; "))).with_all_evidence(evidence)
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::run;
    use crate::checks::Status;

    #[test]
    fn prices_agree_on_the_good_store_only() {
        let good = run("inconsistent-prices", "browser-good-store");
        assert_eq!(good.status, Status::Pass, "{}", good.summary);
        let bad = run("inconsistent-prices", "browser-bad-store");
        assert_eq!(bad.status, Status::Fail, "{}", bad.summary);
        assert!(bad.summary.contains("$39.99"), "{}", bad.summary);
    }
}
