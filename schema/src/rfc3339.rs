//! Times as RFC 3339 text (`2026-12-04T15:56:11.123456789Z`) written digit by digit, for
//! what is serialised once per request: the spend journal's two times and the live feed's
//! one. chrono's general formatter cost more than a quarter of a journal line. They are read
//! back by chrono's own parser, which takes this and what chrono writes.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serialize;

/// Writes `at` as RFC 3339 in UTC with nanoseconds (`serialize_with`).
pub fn serialize<S: serde::Serializer>(
    at: &DateTime<Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match digits(at).as_ref().map(|text| std::str::from_utf8(text)) {
        Some(Ok(text)) => serializer.serialize_str(text),
        _ => at.serialize(serializer),
    }
}

/// `at` as the 30 bytes of RFC 3339 in UTC with nanoseconds; `None` for what chrono writes
/// otherwise (years of other than four digits, leap seconds).
pub(crate) fn digits(at: &DateTime<Utc>) -> Option<[u8; 30]> {
    let (year, nanos) = (at.year(), at.nanosecond());
    let (Ok(year @ 0..=9999), 0..=999_999_999) = (u32::try_from(year), nanos) else {
        return None;
    };
    let mut text = *b"0000-00-00T00:00:00.000000000Z";
    for (at, digits, value) in [
        (0, 4, year),
        (5, 2, at.month()),
        (8, 2, at.day()),
        (11, 2, at.hour()),
        (14, 2, at.minute()),
        (17, 2, at.second()),
        (20, 9, nanos),
    ] {
        let mut value = value;
        for byte in text.iter_mut().skip(at).take(digits).rev() {
            *byte = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    fn written(at: &DateTime<Utc>) -> String {
        let mut out = Vec::new();
        serialize(at, &mut serde_json::Serializer::new(&mut out)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn times_are_written_as_rfc3339_with_nanoseconds() {
        let at = Utc.with_ymd_and_hms(2026, 1, 9, 5, 7, 3).unwrap()
            + chrono::Duration::nanoseconds(1_020);
        assert_eq!(written(&at), r#""2026-01-09T05:07:03.000001020Z""#);
        let far = Utc.with_ymd_and_hms(12_026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(written(&far), serde_json::to_string(&far).unwrap());
        // A leap second (nanoseconds past a billion) is written as chrono writes it.
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|day| day.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .unwrap()
            .and_utc();
        assert_eq!(written(&leap), serde_json::to_string(&leap).unwrap());
        assert_eq!(written(&leap), r#""2016-12-31T23:59:60.500Z""#);
    }

    proptest! {
        /// Whatever the time, chrono reads back the same instant.
        #[test]
        fn chrono_reads_back_what_is_written(
            seconds in -62_135_596_800_i64..=253_402_300_799,
            nanos in 0..1_000_000_000_u32,
        ) {
            let at = DateTime::from_timestamp(seconds, nanos).unwrap();
            let back: DateTime<Utc> = serde_json::from_str(&written(&at)).unwrap();
            prop_assert_eq!(back, at);
        }
    }
}
