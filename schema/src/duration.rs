//! The duration grammar of keys and budgets: `30s`, `5m`, `1h`, `7d`, `2w`, `1mo` (`m` is
//! minutes, `mo` months) and `daily`, `weekly`, `monthly`.

use chrono::{DateTime, Datelike, Duration, Months, TimeZone, Utc};

/// A parsed duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// A fixed length of time.
    Fixed(Duration),
    /// Whole calendar months.
    Months(u32),
    /// Until the next midnight UTC.
    Daily,
    /// Until the next Monday 00:00 UTC.
    Weekly,
    /// Until the 1st of the next month, 00:00 UTC.
    Monthly,
}

/// Parses `text`, saying what was expected when it is not valid.
pub fn parse(text: &str) -> Result<Span, String> {
    let text = text.trim();
    match text {
        "daily" => return Ok(Span::Daily),
        "weekly" => return Ok(Span::Weekly),
        "monthly" => return Ok(Span::Monthly),
        _ => {}
    }
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let expected = || {
        format!(
            "invalid duration `{text}`: expected a number and a unit (s, m, h, d, w, mo), \
             such as 30d or 168h, or daily, weekly or monthly"
        )
    };
    let n: i64 = number.parse().map_err(|_| expected())?;
    if n <= 0 {
        return Err(expected());
    }
    let fixed = |d: Option<Duration>| d.map(Span::Fixed).ok_or_else(expected);
    match unit {
        "s" => fixed(Duration::try_seconds(n)),
        "m" => fixed(Duration::try_minutes(n)),
        "h" => fixed(Duration::try_hours(n)),
        "d" => fixed(Duration::try_days(n)),
        "w" => fixed(Duration::try_weeks(n)),
        "mo" => u32::try_from(n).map(Span::Months).map_err(|_| expected()),
        _ => Err(expected()),
    }
}

fn midnight(date: chrono::NaiveDate) -> Option<DateTime<Utc>> {
    Utc.from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .single()
}

impl Span {
    /// The instant this span after `from` ends. Calendar spans end exactly on the boundary.
    pub fn end_after(self, from: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let today = from.date_naive();
        match self {
            Self::Fixed(d) => from.checked_add_signed(d),
            Self::Months(n) => from.checked_add_months(Months::new(n)),
            Self::Daily => midnight(today.succ_opt()?),
            Self::Weekly => {
                let days = 7 - i64::from(today.weekday().num_days_from_monday());
                midnight(today.checked_add_signed(Duration::days(days))?)
            }
            Self::Monthly => {
                let first = today.with_day(1)?;
                midnight(first.checked_add_months(Months::new(1))?)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_grammar_parses_and_minutes_are_not_months() {
        assert_eq!(parse("30s"), Ok(Span::Fixed(Duration::seconds(30))));
        assert_eq!(parse("5m"), Ok(Span::Fixed(Duration::minutes(5))));
        assert_eq!(parse("168h"), Ok(Span::Fixed(Duration::hours(168))));
        assert_eq!(parse("7d"), Ok(Span::Fixed(Duration::days(7))));
        assert_eq!(parse("2w"), Ok(Span::Fixed(Duration::weeks(2))));
        assert_eq!(parse("1mo"), Ok(Span::Months(1)));
        assert_eq!(parse("monthly"), Ok(Span::Monthly));
        for bad in ["", "d", "0d", "-1d", "3x", "1.5h", "99999999999999999999d"] {
            let error = parse(bad).unwrap_err();
            assert!(
                error.contains("expected a number and a unit"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn calendar_spans_end_exactly_on_utc_boundaries() {
        let thursday = at("2026-11-26T20:15:00Z");
        assert_eq!(
            Span::Daily.end_after(thursday),
            Some(at("2026-11-27T00:00:00Z"))
        );
        assert_eq!(
            Span::Weekly.end_after(thursday),
            Some(at("2026-11-30T00:00:00Z"))
        );
        assert_eq!(
            Span::Monthly.end_after(thursday),
            Some(at("2026-12-01T00:00:00Z"))
        );
        let monday = at("2026-11-30T00:00:00Z");
        assert_eq!(
            Span::Weekly.end_after(monday),
            Some(at("2026-12-07T00:00:00Z"))
        );
        let december = at("2026-12-31T23:59:59Z");
        assert_eq!(
            Span::Monthly.end_after(december),
            Some(at("2027-01-01T00:00:00Z"))
        );
        assert_eq!(
            Span::Months(1).end_after(at("2026-01-31T10:00:00Z")),
            Some(at("2026-02-28T10:00:00Z"))
        );
        assert_eq!(
            parse("30d").unwrap().end_after(thursday),
            Some(at("2026-12-26T20:15:00Z"))
        );
    }
}
