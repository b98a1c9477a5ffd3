//! How much of its rolling minute a caller has left, as the `x-ratelimit-*` headers OpenAI
//! clients read: after an admission the tightest scope's, after a refusal the refusing one's.

use axum::http::{HeaderName, HeaderValue};

use super::{Limit, Refusal, Scope, Usage};

/// `x-ratelimit-*` headers as they go on a response: names made once, at compile time, and
/// values written from the numbers (no name parsed or looked up by its text per request).
pub type RateHeaders = Vec<(HeaderName, HeaderValue)>;

const LIMIT_REQUESTS: HeaderName = HeaderName::from_static("x-ratelimit-limit-requests");
const REMAINING_REQUESTS: HeaderName = HeaderName::from_static("x-ratelimit-remaining-requests");
const RESET_REQUESTS: HeaderName = HeaderName::from_static("x-ratelimit-reset-requests");
const LIMIT_TOKENS: HeaderName = HeaderName::from_static("x-ratelimit-limit-tokens");
const REMAINING_TOKENS: HeaderName = HeaderName::from_static("x-ratelimit-remaining-tokens");
const RESET_TOKENS: HeaderName = HeaderName::from_static("x-ratelimit-reset-tokens");

/// Rate headers as `name: value` lines, for tests to compare.
#[cfg(test)]
pub(crate) fn header_lines(headers: &[(HeaderName, HeaderValue)]) -> Vec<String> {
    headers
        .iter()
        .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap_or("?")))
        .collect()
}

/// One limit's state for the headers: (limit, remaining, ms until the window frees some).
pub type Room = (u64, u64, i64);

/// The rate-limit headers of the tightest scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headroom {
    pub requests: Option<Room>,
    pub tokens: Option<Room>,
}

impl Headroom {
    /// The headroom after an admission: for each limit, the scope with the least left.
    pub(super) fn of(scopes: &[Scope], usage: &[Usage]) -> Self {
        let tightest = |pick: &dyn Fn(&Scope, &Usage) -> Option<Room>| {
            scopes
                .iter()
                .zip(usage)
                .filter_map(|(s, u)| pick(s, u))
                .min_by_key(|(_, remaining, _)| *remaining)
        };
        Self {
            requests: tightest(&|s, u| {
                s.rpm.map(|max| {
                    (
                        max,
                        max.saturating_sub(u.requests),
                        u.requests_reset_ms.max(0),
                    )
                })
            }),
            tokens: tightest(&|s, u| {
                s.tpm
                    .map(|max| (max, max.saturating_sub(u.tokens), u.tokens_reset_ms.max(0)))
            }),
        }
    }

    /// The headroom a refusal of `scope` leaves: none of the refused limit until it frees
    /// some (only rate limits have headers; other refusals leave it empty).
    pub(super) fn refused(scope: &Scope, refusal: &Refusal) -> Self {
        let none_left = |max| (max, 0, refusal.retry_after_ms.unwrap_or(0));
        match refusal.limit {
            Limit::Requests => Self {
                requests: scope.rpm.map(none_left),
                tokens: None,
            },
            Limit::Tokens => Self {
                requests: None,
                tokens: scope.tpm.map(none_left),
            },
            Limit::Parallel | Limit::Budget | Limit::RequestsPerDay => Self::default(),
        }
    }

    /// `x-ratelimit-*` header pairs (reset times as OpenAI writes them, such as `1.5s`).
    pub fn headers(&self) -> RateHeaders {
        let seconds = reset_value;
        let mut headers = Vec::with_capacity(6);
        if let Some((max, remaining, reset)) = self.requests {
            headers.push((LIMIT_REQUESTS, HeaderValue::from(max)));
            headers.push((REMAINING_REQUESTS, HeaderValue::from(remaining)));
            headers.push((RESET_REQUESTS, seconds(reset)));
        }
        if let Some((max, remaining, reset)) = self.tokens {
            headers.push((LIMIT_TOKENS, HeaderValue::from(max)));
            headers.push((REMAINING_TOKENS, HeaderValue::from(remaining)));
            headers.push((RESET_TOKENS, seconds(reset)));
        }
        headers
    }
}

/// `ms` as seconds the way OpenAI writes a reset (`1.5s`, `60s`, `0.001s`): the text
/// `format!("{}s", ms as f64 / 1000.0)` gave (for any reset under 2^43 ms, 278 years; beyond,
/// the exact count where the float rounded), written digit by digit rather than through the
/// float formatter on every request.
fn reset_value(ms: i64) -> HeaderValue {
    // A sign, 20 digits, a point, 3 digits and `s` at most.
    let mut text = [0_u8; 32];
    let mut at = text.len() - 1;
    text[at] = b's';
    let mut put = |byte: u8| {
        at -= 1;
        text[at] = byte;
    };
    let digit = |value: u64| b'0' + (value % 10) as u8;
    let magnitude = ms.unsigned_abs();
    let mut fraction = magnitude % 1000;
    if fraction != 0 {
        let mut digits = 3;
        while fraction.is_multiple_of(10) {
            fraction /= 10;
            digits -= 1;
        }
        for _ in 0..digits {
            put(digit(fraction));
            fraction /= 10;
        }
        put(b'.');
    }
    let mut whole = magnitude / 1000;
    loop {
        put(digit(whole));
        whole /= 10;
        if whole == 0 {
            break;
        }
    }
    if ms < 0 {
        put(b'-');
    }
    HeaderValue::from_bytes(&text[at..]).unwrap_or(HeaderValue::from_static("0s"))
}

#[cfg(test)]
mod tests {
    //! Properties over any limits and usage: the headers never claim more room than a limit,
    //! nor a reset in the past, and name the scope with the least room left.

    use proptest::prelude::*;

    use super::*;

    fn scope((rpm, tpm): (Option<u64>, Option<u64>)) -> Scope {
        Scope {
            id: "k:test".into(),
            label: "API key".into(),
            rpm,
            tpm,
            parallel: None,
            rpd: None,
            budget: None,
        }
    }

    fn used((requests, requests_reset_ms, tokens, tokens_reset_ms): (u64, i64, u64, i64)) -> Usage {
        Usage {
            requests,
            requests_reset_ms,
            tokens,
            tokens_reset_ms,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn headroom_stays_within_the_tightest_limit(
            scopes in prop::collection::vec(any::<(Option<u64>, Option<u64>)>().prop_map(scope), 0..4),
            usage in prop::collection::vec(any::<(u64, i64, u64, i64)>().prop_map(used), 0..4),
        ) {
            let headroom = Headroom::of(&scopes, &usage);
            let pairs = || scopes.iter().zip(&usage);
            let least = pairs()
                .filter_map(|(s, u)| s.rpm.map(|max| max.saturating_sub(u.requests)))
                .min();
            prop_assert_eq!(headroom.requests.map(|(_, remaining, _)| remaining), least);
            for (max, remaining, reset) in headroom.requests.into_iter().chain(headroom.tokens) {
                prop_assert!(remaining <= max && reset >= 0);
            }
            let _ = headroom.headers();
        }

        /// A reset reads as the float formatter writes its seconds.
        #[test]
        fn resets_read_as_the_float_formatter_writes_seconds(
            ms in prop_oneof![-2_000_i64..100_000, -(1_i64 << 43)..(1_i64 << 43)],
        ) {
            let value = reset_value(ms);
            prop_assert_eq!(value.to_str().unwrap(), format!("{}s", ms as f64 / 1000.0));
        }
    }

    #[test]
    fn resets_are_seconds_as_openai_writes_them() {
        let written = |ms| reset_value(ms).to_str().unwrap().to_owned();
        assert_eq!(
            [0, 1, 10, 1_500, 60_000, 59_999, -500].map(written),
            ["0s", "0.001s", "0.01s", "1.5s", "60s", "59.999s", "-0.5s"]
        );
    }
}
