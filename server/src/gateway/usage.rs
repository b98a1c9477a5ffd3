//! Token estimation and cost, for requests whose model server reports no usage.

/// Roughly four characters per token for English text: a deliberate over-estimate is safer
/// for budgets than an under-estimate, and the record says it was estimated.
pub fn estimate_tokens(chars: usize) -> u64 {
    u64::try_from(chars.div_ceil(4)).unwrap_or(u64::MAX).max(1)
}

/// The members of a request body that hold its prompt: an OpenAI request's messages, prompt
/// or input, an Anthropic request's system prompt, a rerank's query and documents, a score's
/// two texts.
pub const PROMPT_MEMBERS: [&str; 9] = [
    "messages",
    "system",
    "prompt",
    "input",
    "instructions",
    "query",
    "documents",
    "text_1",
    "text_2",
];

/// Characters of the prompt in a request body (its [`PROMPT_MEMBERS`]): every string, an
/// array's items, an object's `content` (else its `text`).
pub fn prompt_chars(body: &serde_json::Map<String, serde_json::Value>) -> usize {
    fn text_len(value: &serde_json::Value) -> usize {
        match value {
            serde_json::Value::String(s) => s.chars().count(),
            serde_json::Value::Array(items) => items.iter().map(text_len).sum(),
            serde_json::Value::Object(map) => map
                .get("content")
                .or_else(|| map.get("text"))
                .map_or(0, text_len),
            _ => 0,
        }
    }
    // The body's few members, each matched by name once: nine lookups by name in the map cost
    // 1,200 instructions a keyed request (this, 400).
    body.iter()
        .filter(|(name, _)| PROMPT_MEMBERS.contains(&name.as_str()))
        .map(|(_, value)| text_len(value))
        .sum()
}

/// Cost in nano-units: tokens × per-token prices, saturating instead of overflowing.
pub fn cost_nanos(prompt: u64, completion: u64, input_price: i64, output_price: i64) -> i64 {
    let part = |tokens: u64, price: i64| {
        i64::try_from(tokens)
            .unwrap_or(i64::MAX)
            .saturating_mul(price)
    };
    part(prompt, input_price).saturating_add(part(completion, output_price))
}

/// The cost of `ms` milliseconds of audio at `per_second` nanodollars a second, rounded up
/// to the nanodollar.
pub fn audio_cost_nanos(ms: u64, per_second: i64) -> i64 {
    let nanos = i128::from(ms) * i128::from(per_second);
    i64::try_from((nanos + 999) / 1_000).unwrap_or(i64::MAX)
}

/// Seconds as a number, or as a string holding one (vLLM's `verbose_json` writes its
/// `duration` as a string); anything else is none.
pub fn seconds<'de, D: serde::Deserializer<'de>>(from: D) -> Result<Option<f64>, D::Error> {
    use serde::Deserialize;
    Ok(match Option::<serde_json::Value>::deserialize(from)? {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// How long the audio a speech-to-text answer heard was, in milliseconds: its usage in
/// seconds (`"type": "duration"`), else its `duration` (`verbose_json`).
pub fn audio_ms(body: &[u8]) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Heard {
        usage: Option<Seconds>,
        #[serde(default, deserialize_with = "seconds")]
        duration: Option<f64>,
    }
    #[derive(serde::Deserialize)]
    struct Seconds {
        #[serde(default, deserialize_with = "seconds")]
        seconds: Option<f64>,
    }
    // Only a transcription's answer mentions seconds or a duration; others are not parsed.
    let mentions = |word: &[u8]| body.windows(word.len()).any(|w| w == word);
    if !mentions(b"\"seconds\"") && !mentions(b"\"duration\"") {
        return None;
    }
    let heard = serde_json::from_slice::<Heard>(body).ok()?;
    let seconds = heard.usage.and_then(|u| u.seconds).or(heard.duration)?;
    (seconds.is_finite() && seconds >= 0.0).then(|| (seconds * 1000.0).round() as u64)
}

/// Bytes per second the length of compressed audio is estimated at (128 kbit/s, a common MP3
/// and AAC rate). It over-estimates files at higher rates and under-estimates speech codecs at
/// lower ones (Opus at 6 to 24 kbit/s): a fallback, billed only when the model server says
/// nothing of the audio's length even in `verbose_json`.
const ESTIMATE_BYTES_PER_SECOND: u64 = 16_000;

/// The highest byte rate a WAV header is believed at: 192 kHz, 8 channels of 32 bits.
const MOST_WAV_BYTES_PER_SECOND: u64 = 192_000 * 8 * 4;

/// How long the audio in an uploaded file is, in milliseconds: exact for PCM WAV (its first
/// format chunk gives the rate decoders play it at, its data chunk the length), else
/// estimated from the file's size.
pub fn upload_audio_ms(file: &[u8]) -> u64 {
    let by_size = |bytes: u64, per_second: u64| bytes.saturating_mul(1000) / per_second.max(1);
    match wav_shape(file) {
        Some((data, byte_rate)) => by_size(data, byte_rate),
        None => by_size(file.len() as u64, ESTIMATE_BYTES_PER_SECOND),
    }
}

/// A RIFF/WAVE file's data length and byte rate (sample rate × block size, as decoders
/// compute it, not the header's own byte-rate field), from its first format chunk; `None`
/// when either is missing or the rate is implausible.
fn wav_shape(file: &[u8]) -> Option<(u64, u64)> {
    let le = |at: usize, len: usize| {
        file.get(at..at + len).map(|b| {
            b.iter()
                .rev()
                .fold(0u64, |n, byte| (n << 8) | u64::from(*byte))
        })
    };
    if file.get(..4)? != b"RIFF" || file.get(8..12)? != b"WAVE" {
        return None;
    }
    let (mut at, mut byte_rate) = (12usize, None);
    while let (Some(id), Some(size)) = (file.get(at..at + 4), le(at + 4, 4)) {
        let body = at + 8;
        match id {
            b"fmt " if byte_rate.is_none() => {
                // Only uncompressed audio (PCM, IEEE float, or either as "extensible") plays
                // at sample rate × block size; a compressed WAV is measured by its size.
                let tag = le(body, 2)?;
                if ![1, 3, 0xFFFE].contains(&tag) {
                    return None;
                }
                let sample_rate = le(body + 4, 4)?;
                let block = le(body + 12, 2)?;
                byte_rate = Some(sample_rate * block)
                    .filter(|rate| (1..=MOST_WAV_BYTES_PER_SECOND).contains(rate));
                byte_rate?;
            }
            // A streamed WAV may give its data's length as 0 or "unknown": the file then ends it.
            b"data" => {
                let rest = (file.len() - body) as u64;
                let data = if size == 0 || size == u64::from(u32::MAX) {
                    rest
                } else {
                    size.min(rest)
                };
                return Some((data, byte_rate?));
            }
            _ => {}
        }
        let size = usize::try_from(size).ok()?;
        at = body.checked_add(size)?.checked_add(size % 2)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn estimates_round_up_and_never_reach_zero() {
        assert_eq!(estimate_tokens(0), 1);
        assert_eq!(estimate_tokens(4), 1);
        assert_eq!(estimate_tokens(5), 2);
    }

    #[test]
    fn prompt_text_is_found_in_every_request_shape() {
        let chat = json!({"messages": [{"role": "user", "content": "abcd"},
                                       {"role": "user", "content": [{"type": "text", "text": "ef"}]}]});
        let chars = |v: serde_json::Value| prompt_chars(v.as_object().unwrap());
        assert_eq!(chars(chat), 6);
        assert_eq!(chars(json!({"prompt": "hello"})), 5);
        assert_eq!(chars(json!({"input": ["ab", "cd"]})), 4);
        assert_eq!(
            chars(json!({"query": "abc", "documents": ["de", {"text": "f"}]})),
            6
        );
        assert_eq!(chars(json!({"text_1": "ab", "text_2": ["cd", "e"]})), 5);
        let anthropic = json!({"system": [{"type": "text", "text": "abc"}],
                               "messages": [{"role": "user", "content": "de"}]});
        assert_eq!(chars(anthropic), 5);
    }

    #[test]
    fn audio_is_billed_by_the_seconds_its_answer_reports() {
        let duration = br#"{"text":"hi","usage":{"type":"duration","seconds":2.5}}"#;
        assert_eq!(audio_ms(duration), Some(2500));
        let verbose = br#"{"text":"hi","duration":61.25,"segments":[]}"#;
        assert_eq!(audio_ms(verbose), Some(61250));
        assert_eq!(audio_ms(br#"{"usage":{"prompt_tokens":3}}"#), None);
        assert_eq!(audio_ms(br#"{"usage":{"seconds":-1}}"#), None);
        // vLLM writes a verbose transcript's duration as a string.
        assert_eq!(
            audio_ms(br#"{"text":"hi","duration":"2.25","segments":null}"#),
            Some(2250)
        );
        assert_eq!(audio_ms(b"transcribed text, seconds and duration"), None);
    }

    #[test]
    fn an_upload_is_measured_by_its_wav_header_else_by_its_size() {
        // 16 kHz mono 16-bit: 32,000 bytes a second; 48,000 bytes of data are 1.5 s.
        let mut wav = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        wav.extend(16u32.to_le_bytes());
        wav.extend([1, 0, 1, 0]);
        wav.extend(16_000u32.to_le_bytes());
        wav.extend(32_000u32.to_le_bytes());
        wav.extend([2, 0, 16, 0]);
        wav.extend(b"LIST");
        wav.extend(3u32.to_le_bytes());
        wav.extend(b"abc\0");
        wav.extend(b"data");
        wav.extend(48_000u32.to_le_bytes());
        wav.extend(vec![0; 48_000]);
        assert_eq!(upload_audio_ms(&wav), 1500);
        // Not WAV: 32,000 bytes at 16,000 a second.
        assert_eq!(upload_audio_ms(&vec![7; 32_000]), 2000);
        // A header cut short is measured by size.
        assert_eq!(upload_audio_ms(&wav[..30]), 1);
        // The header's byte-rate field is not believed: sample rate × block size is.
        let mut lying = wav.clone();
        lying[28..32].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(upload_audio_ms(&lying), 1500);
        // A compressed WAV (IMA ADPCM, tag 0x11): measured by size.
        let mut adpcm = wav.clone();
        adpcm[20..22].copy_from_slice(&0x11u16.to_le_bytes());
        assert_eq!(upload_audio_ms(&adpcm), adpcm.len() as u64 * 1000 / 16_000);
        // An implausible sample rate: measured by size instead, at 16,000 bytes a second.
        let mut absurd = wav.clone();
        absurd[24..28].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            upload_audio_ms(&absurd),
            absurd.len() as u64 * 1000 / 16_000
        );
        assert_eq!(upload_audio_ms(b""), 0);
        // $0.0001 a second: 2.5 s cost 250,000 nanodollars; a part of one rounds up.
        assert_eq!(audio_cost_nanos(2500, 100_000), 250_000);
        assert_eq!(audio_cost_nanos(1, 1), 1);
        assert_eq!(audio_cost_nanos(u64::MAX, i64::MAX), i64::MAX);
    }

    #[test]
    fn cost_is_exact_integer_arithmetic() {
        // 1,000 prompt tokens at 200 nanos and 500 completion tokens at 600 nanos.
        assert_eq!(cost_nanos(1_000, 500, 200, 600), 500_000);
        assert_eq!(cost_nanos(u64::MAX, 1, i64::MAX, 1), i64::MAX);
    }

    /// Properties over any counts and prices: cost never panics, is the exact product clamped
    /// to i64 for non-negative prices, grows with each token count and is zero for no tokens;
    /// the estimate rounds up and never reaches zero; any request body can be measured.
    mod properties {
        use proptest::prelude::*;

        use super::super::*;
        use crate::arbitrary::json_object;

        /// Token counts: small, near the i64 edge, or any.
        fn tokens() -> impl Strategy<Value = u64> {
            prop_oneof![
                0..=10_000_u64,
                (i64::MAX as u64 - 2)..=(i64::MAX as u64 + 2),
                any::<u64>()
            ]
        }

        /// Prices in nanos per token, 0 or more.
        fn price() -> impl Strategy<Value = i64> {
            prop_oneof![0..=10_000_i64, 0..=i64::MAX]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn cost_never_panics(
                prompt in any::<u64>(),
                completion in any::<u64>(),
                input_price in any::<i64>(),
                output_price in any::<i64>(),
            ) {
                let _ = cost_nanos(prompt, completion, input_price, output_price);
            }

            #[test]
            fn cost_is_the_exact_product_clamped_to_i64(
                prompt in tokens(),
                completion in tokens(),
                input_price in price(),
                output_price in price(),
            ) {
                // Each product fits in i128; their sum may not.
                let exact = (i128::from(prompt) * i128::from(input_price))
                    .saturating_add(i128::from(completion) * i128::from(output_price));
                let clamped = i64::try_from(exact).unwrap_or(i64::MAX);
                prop_assert_eq!(cost_nanos(prompt, completion, input_price, output_price), clamped);
            }

            #[test]
            fn cost_grows_with_each_token_count(
                (prompt, more_prompt) in (tokens(), tokens()),
                (completion, more_completion) in (tokens(), tokens()),
                input_price in price(),
                output_price in price(),
            ) {
                let cost = |p, c| cost_nanos(p, c, input_price, output_price);
                let (few, many) = (prompt.min(more_prompt), prompt.max(more_prompt));
                prop_assert!(cost(few, completion) <= cost(many, completion));
                let (few, many) = (completion.min(more_completion), completion.max(more_completion));
                prop_assert!(cost(prompt, few) <= cost(prompt, many));
            }

            #[test]
            fn no_tokens_cost_nothing(input_price in any::<i64>(), output_price in any::<i64>()) {
                prop_assert_eq!(cost_nanos(0, 0, input_price, output_price), 0);
            }

            #[test]
            fn the_estimate_rounds_up_and_never_reaches_zero(
                chars in prop_oneof![0..=10_000_usize, any::<usize>()],
            ) {
                let estimate = estimate_tokens(chars);
                prop_assert!(estimate >= 1);
                prop_assert_eq!(estimate, (chars as u64).div_ceil(4).max(1));
                prop_assert!(estimate_tokens(chars.saturating_add(1)) >= estimate);
            }

            #[test]
            fn any_upload_can_be_measured(
                rest in proptest::collection::vec(any::<u8>(), 0..200),
                riff in any::<bool>(),
            ) {
                let mut file = if riff { b"RIFF\0\0\0\0WAVEfmt ".to_vec() } else { Vec::new() };
                file.extend(rest);
                let _ = upload_audio_ms(&file);
            }

            #[test]
            fn any_request_body_can_be_measured(body in json_object()) {
                let _ = estimate_tokens(prompt_chars(&body));
            }

            #[test]
            fn prompt_text_is_counted_in_characters(
                messages in prop::collection::vec(any::<String>(), 0..8),
            ) {
                let expected: usize = messages.iter().map(|m| m.chars().count()).sum();
                let body = serde_json::json!({
                    "messages": messages
                        .iter()
                        .map(|m| serde_json::json!({"role": "user", "content": m}))
                        .collect::<Vec<_>>(),
                });
                prop_assert_eq!(prompt_chars(body.as_object().unwrap()), expected);
            }
        }
    }
}
