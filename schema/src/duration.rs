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
                // Checked: a long span laid back from an anchor can start before chrono's
                // earliest instant.
                let shift = Duration::try_milliseconds(offset.div_euclid(millis) * millis)?;
                let start = anchor.checked_add_signed(shift)?;
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

    /// Properties over any input: the grammar never panics and reads every number and unit
    /// as that many units; spans applied to any instant never panic and keep their promises.
    mod properties {
        use chrono::NaiveTime;
        use proptest::prelude::*;
        use proptest::sample::select;

        use super::super::*;

        const DAY_MS: i64 = 86_400_000;

        /// The units of fixed spans and their length in seconds.
        const FIXED_UNITS: [(&str, i128); 5] = [
            ("s", 1),
            ("m", 60),
            ("h", 3_600),
            ("d", 86_400),
            ("w", 604_800),
        ];

        /// Any instant chrono can hold, from its first to its last millisecond.
        fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
            let first = DateTime::<Utc>::MIN_UTC.timestamp_millis();
            let last = DateTime::<Utc>::MAX_UTC.timestamp_millis();
            (first..=last)
                .prop_filter_map("in chrono's range", DateTime::<Utc>::from_timestamp_millis)
        }

        /// An instant between 1900 and 2300: where budgets and keys actually live.
        fn sane_instant() -> impl Strategy<Value = DateTime<Utc>> {
            let first = Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap();
            let last = Utc.with_ymd_and_hms(2300, 1, 1, 0, 0, 0).unwrap();
            (first.timestamp_millis()..last.timestamp_millis())
                .prop_filter_map("in chrono's range", DateTime::<Utc>::from_timestamp_millis)
        }

        /// Every span, also fixed lengths `parse` never makes (zero, negative, sub-second).
        fn any_span() -> impl Strategy<Value = Span> {
            prop_oneof![
                prop_oneof![any::<i64>(), -DAY_MS..=DAY_MS]
                    .prop_filter_map("a chrono length", Duration::try_milliseconds)
                    .prop_map(Span::Fixed),
                any::<u32>().prop_map(Span::Months),
                Just(Span::Daily),
                Just(Span::Weekly),
                Just(Span::Monthly),
            ]
        }

        /// A span a budget is given: a millisecond to a century, one to 1,200 months, or a
        /// calendar word.
        fn sane_span() -> impl Strategy<Value = Span> {
            prop_oneof![
                (1..=100 * 366 * DAY_MS).prop_map(|ms| Span::Fixed(Duration::milliseconds(ms))),
                (1..=1_200_u32).prop_map(Span::Months),
                Just(Span::Daily),
                Just(Span::Weekly),
                Just(Span::Monthly),
            ]
        }

        /// Small counts most of the time, and counts that overflow every unit too.
        fn count() -> impl Strategy<Value = i64> {
            prop_oneof![1..=1_000_i64, 1..=i64::MAX]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn parse_never_panics(text in any::<String>()) {
                let _ = parse(&text);
            }

            #[test]
            fn parse_never_panics_near_the_grammar(
                text in "\\s?[-+]?[0-9]{0,22}(s|m|h|d|w|mo|ms|x|daily|weekly|monthly)?\\s?",
            ) {
                let _ = parse(&text);
            }

            #[test]
            fn a_number_and_a_fixed_unit_parse_to_that_many_units(
                n in count(),
                (unit, seconds) in select(FIXED_UNITS.to_vec()),
                pad in "[ \t\r\n]{0,2}",
            ) {
                // Exact in i128; chrono holds up to i64::MAX milliseconds, `parse` refuses more.
                let millis = i128::from(n) * seconds * 1_000;
                let expected = i64::try_from(millis)
                    .ok()
                    .map(|ms| Span::Fixed(Duration::milliseconds(ms)));
                prop_assert_eq!(parse(&format!("{pad}{n}{unit}{pad}")).ok(), expected);
            }

            #[test]
            fn a_number_of_months_parses_up_to_u32_max(n in count()) {
                let expected = u32::try_from(n).ok().map(Span::Months);
                prop_assert_eq!(parse(&format!("{n}mo")).ok(), expected);
            }

            #[test]
            fn the_calendar_words_parse_with_any_padding(
                (word, span) in select(vec![
                    ("daily", Span::Daily),
                    ("weekly", Span::Weekly),
                    ("monthly", Span::Monthly),
                ]),
                pad in "[ \t\r\n]{0,3}",
            ) {
                prop_assert_eq!(parse(&format!("{pad}{word}{pad}")), Ok(span));
            }

            #[test]
            fn counts_below_one_and_other_units_are_refused(
                below_one in i64::MIN..=0,
                unit in "s|m|h|d|w|mo",
                n in 1..=1_000_i64,
                other in "[a-zA-Z]{1,3}"
                    .prop_filter("not a unit", |u| !["s", "m", "h", "d", "w", "mo"].contains(&u.as_str())),
            ) {
                let (too_few, unknown) = (format!("{below_one}{unit}"), format!("{n}{other}"));
                prop_assert!(parse(&too_few).is_err());
                prop_assert!(parse(&unknown).is_err());
            }

            #[test]
            fn end_after_never_panics(span in any_span(), from in any_instant()) {
                let _ = span.end_after(from);
            }

            #[test]
            fn a_parsed_fixed_span_ends_exactly_that_long_after(
                n in 1..=1_000_i64,
                (unit, seconds) in select(FIXED_UNITS.to_vec()),
                from in sane_instant(),
            ) {
                let span = parse(&format!("{n}{unit}")).unwrap();
                let seconds = i64::try_from(i128::from(n) * seconds).unwrap();
                let end = span.end_after(from).unwrap();
                prop_assert_eq!(end - from, Duration::seconds(seconds));
            }

            #[test]
            fn calendar_spans_end_later_on_their_next_utc_boundary(from in sane_instant()) {
                let daily = Span::Daily.end_after(from).unwrap();
                prop_assert!(from < daily && daily - from <= Duration::days(1));
                prop_assert_eq!(daily.time(), NaiveTime::MIN);

                let weekly = Span::Weekly.end_after(from).unwrap();
                prop_assert!(from < weekly && weekly - from <= Duration::weeks(1));
                prop_assert_eq!(weekly.weekday(), chrono::Weekday::Mon);
                prop_assert_eq!(weekly.time(), NaiveTime::MIN);

                let monthly = Span::Monthly.end_after(from).unwrap();
                prop_assert!(from < monthly && monthly - from <= Duration::days(31));
                prop_assert_eq!(monthly.day(), 1);
                prop_assert_eq!(monthly.time(), NaiveTime::MIN);
            }

            #[test]
            fn month_spans_end_later_by_that_many_calendar_months(
                n in 1..=1_200_u32,
                from in sane_instant(),
            ) {
                let end = Span::Months(n).end_after(from).unwrap();
                let month = |at: DateTime<Utc>| i64::from(at.year()) * 12 + i64::from(at.month0());
                prop_assert!(from < end);
                prop_assert_eq!(month(end) - month(from), i64::from(n));
                prop_assert_eq!(end.time(), from.time());
            }

            #[test]
            fn window_never_panics(
                span in any_span(),
                anchor in any_instant(),
                now in any_instant(),
            ) {
                let _ = span.window(anchor, now);
            }

            #[test]
            fn the_window_holds_now_and_the_next_one_starts_where_it_ends(
                span in sane_span(),
                anchor in sane_instant(),
                now in sane_instant(),
            ) {
                let (start, end) = span.window(anchor, now).unwrap();
                prop_assert!(start <= now && now < end, "{start} <= {now} < {end}");
                let (next, _) = span.window(anchor, end).unwrap();
                prop_assert_eq!(next, end);
                match span {
                    Span::Fixed(length) => prop_assert_eq!(end - start, length),
                    Span::Months(_) => {}
                    Span::Daily | Span::Weekly | Span::Monthly => {
                        prop_assert_eq!(Some(end), span.end_after(now));
                    }
                }
            }
        }
    }
}
