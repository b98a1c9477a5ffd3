//! Pure formatting of what pages show: money, prices, counts, shares, dates and durations.
//! Plain functions with unit tests; no browser needed.

/// `amount` in `currency` (ISO 4217): two decimals, more for amounts under a cent so a
/// single request's cost does not read as zero.
pub fn money(amount: f64, currency: &str) -> String {
    let decimals = if amount == 0.0 || amount.abs() >= 0.01 {
        2
    } else {
        // Enough decimals for two significant digits, at most eight.
        let digits = (-amount.abs().log10()).ceil() as usize + 1;
        digits.clamp(3, 8)
    };
    let number = format!("{:.*}", decimals, amount.abs());
    let sign = if amount < 0.0 { "-" } else { "" };
    match currency_symbol(currency) {
        Some(symbol) => format!("{sign}{symbol}{number}"),
        None => format!("{sign}{number} {currency}"),
    }
}

fn currency_symbol(currency: &str) -> Option<&'static str> {
    Some(match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        "CNY" => "CN¥",
        "KRW" => "₩",
        _ => return None,
    })
}

/// A whole number with thousands separators: `12,345`.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A share as a percentage with one decimal: `0.253` → `25.3%`.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A change against the previous period: `+25.0%`, `-3.1%`, or `—` without one.
pub fn change(change: Option<f64>) -> String {
    match change {
        Some(c) if c >= 0.0 => format!("+{:.1}%", c * 100.0),
        Some(c) => format!("{:.1}%", c * 100.0),
        None => "—".to_owned(),
    }
}

/// Milliseconds, as people read them: `850 ms`, `1.2 s`.
pub fn millis(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

/// The date and minute of an RFC 3339 timestamp in UTC: `2026-11-30 08:26`.
pub fn datetime(rfc3339: &str) -> String {
    let (date, rest) = rfc3339.split_once('T').unwrap_or((rfc3339, ""));
    let time: String = rest.chars().take(5).collect();
    if time.is_empty() {
        date.to_owned()
    } else {
        format!("{date} {time}")
    }
}

/// The date of an RFC 3339 timestamp: `2026-11-30`.
pub fn date(rfc3339: &str) -> String {
    rfc3339.split('T').next().unwrap_or(rfc3339).to_owned()
}

/// Spend as a share of a budget, clamped to 0..=1 for a progress bar.
pub fn budget_share(spend: f64, budget: Option<f64>) -> Option<f64> {
    let budget = budget.filter(|b| *b > 0.0)?;
    Some((spend / budget).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_keeps_small_costs_visible() {
        assert_eq!(money(12.5, "USD"), "$12.50");
        assert_eq!(money(0.0, "EUR"), "€0.00");
        assert_eq!(money(0.000123, "USD"), "$0.00012");
        assert_eq!(money(0.004, "USD"), "$0.0040");
        assert_eq!(money(3.0, "CHF"), "3.00 CHF");
        assert_eq!(money(-1.0, "USD"), "-$1.00");
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(-4200), "-4,200");
    }

    #[test]
    fn shares_and_changes() {
        assert_eq!(percent(0.253), "25.3%");
        assert_eq!(change(Some(0.25)), "+25.0%");
        assert_eq!(change(Some(-0.031)), "-3.1%");
        assert_eq!(change(None), "—");
        assert_eq!(budget_share(5.0, Some(10.0)), Some(0.5));
        assert_eq!(budget_share(15.0, Some(10.0)), Some(1.0));
        assert_eq!(budget_share(1.0, None), None);
        assert_eq!(budget_share(1.0, Some(0.0)), None);
    }

    #[test]
    fn times_read_plainly() {
        assert_eq!(millis(850.0), "850 ms");
        assert_eq!(millis(1234.0), "1.2 s");
        assert_eq!(datetime("2026-11-30T08:26:49.123Z"), "2026-11-30 08:26");
        assert_eq!(date("2026-11-30T08:26:49Z"), "2026-11-30");
    }
}
