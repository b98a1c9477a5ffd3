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

impl Span {
    /// The budget window `[start, end)` holding `now`. Calendar spans use UTC calendar
    /// boundaries; fixed and month spans are laid end to end from `anchor`, any one window
    /// boundary (a key's `budget_reset_at`), forwards and backwards.
    pub fn window(
        self,
        anchor: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let today = now.date_naive();
        match self {
            Self::Daily => Some((midnight(today)?, self.end_after(now)?)),
            Self::Weekly => {
                let back = i64::from(today.weekday().num_days_from_monday());
                let monday = today.checked_sub_signed(Duration::days(back))?;
                Some((midnight(monday)?, self.end_after(now)?))
            }
            Self::Monthly => Some((midnight(today.with_day(1)?)?, self.end_after(now)?)),
            Self::Fixed(length) => {
                let millis = length.num_milliseconds();
                if millis <= 0 {
                    return None;
                }
                let offset = (now - anchor).num_milliseconds();
                let start = anchor + Duration::milliseconds(offset.div_euclid(millis) * millis);
                Some((start, start.checked_add_signed(length)?))
            }
            Self::Months(n) => {
                let n = i64::from(n.max(1));
                let months = |k: i64| -> Option<DateTime<Utc>> {
                    let total = u32::try_from((k * n).abs()).ok()?;
                    if k >= 0 {
                        anchor.checked_add_months(Months::new(total))
                    } else {
                        anchor.checked_sub_months(Months::new(total))
                    }
                };
                // An estimate from the month difference, then corrected by a step or two.
                let diff = (i64::from(now.year()) - i64::from(anchor.year())) * 12
                    + i64::from(now.month())
                    - i64::from(anchor.month());
                let mut k = diff.div_euclid(n);
                while months(k)? > now {
                    k -= 1;
                }
                while months(k + 1)? <= now {
                    k += 1;
                }
                Some((months(k)?, months(k + 1)?))
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

    #[test]
    fn budget_windows_hold_now_and_meet_exactly_at_their_boundaries() {
        let anchor = at("2026-11-20T06:00:00Z");
        let now = at("2026-11-26T20:15:00Z");
        let window = |span: Span, now| span.window(anchor, now).unwrap();
        assert_eq!(
            window(Span::Daily, now),
            (at("2026-11-26T00:00:00Z"), at("2026-11-27T00:00:00Z"))
        );
        assert_eq!(
            window(Span::Weekly, now),
            (at("2026-11-23T00:00:00Z"), at("2026-11-30T00:00:00Z"))
        );
        assert_eq!(
            window(Span::Monthly, now),
            (at("2026-11-01T00:00:00Z"), at("2026-12-01T00:00:00Z"))
        );
        // The last instant of a day is still that day; midnight starts the next one.
        let last = at("2026-11-26T23:59:59.999Z");
        assert_eq!(window(Span::Daily, last).1, at("2026-11-27T00:00:00Z"));
        let midnight = at("2026-11-27T00:00:00Z");
        assert_eq!(window(Span::Daily, midnight).0, midnight);
        // Fixed spans are laid from the anchor, before and after it.
        let three_days = parse("3d").unwrap();
        assert_eq!(
            window(three_days, now),
            (at("2026-11-26T06:00:00Z"), at("2026-11-29T06:00:00Z"))
        );
        assert_eq!(
            window(three_days, at("2026-11-19T00:00:00Z")),
            (at("2026-11-17T06:00:00Z"), at("2026-11-20T06:00:00Z"))
        );
        assert_eq!(
            window(Span::Months(1), now),
            (at("2026-11-20T06:00:00Z"), at("2026-12-20T06:00:00Z"))
        );
        assert_eq!(
            window(Span::Months(2), at("2026-10-01T00:00:00Z")),
            (at("2026-09-20T06:00:00Z"), at("2026-11-20T06:00:00Z"))
        );
    }
}
