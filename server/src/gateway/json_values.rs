//! How many values a JSON body holds, counted on its bytes before it is parsed. Parsing turns
//! each value into a tree node of 32 bytes or more: a 60 MiB body of small numbers once took
//! the gateway from 329 to 1,419 MiB. Counting first lets the gateway refuse such a body
//! for what it would cost, at the price of one pass over bytes it reads anyway.

/// Whether `json` holds at most `max` values (arrays' items and objects' members, nested,
/// and the top value). An upper bound: an empty array or object counts as two. Bytes that
/// are not JSON are left to the parser to refuse.
///
/// Strings, most of a chat request's bytes, are skipped with `memchr` to their closing quote:
/// checking each byte in turn cost about 15 instructions a byte, more than the parse itself
/// (BENCHMARKS.md, "The value count skips strings").
pub fn at_most(json: &[u8], max: usize) -> bool {
    let mut values = 1usize;
    let mut at = 0;
    while let Some(&byte) = json.get(at) {
        match byte {
            b'"' => {
                at = past_string(json, at + 1);
                continue;
            }
            b',' | b'[' | b'{' => {
                values += 1;
                if values > max {
                    return false;
                }
            }
            _ => {}
        }
        at += 1;
    }
    true
}

/// Where the string whose text starts at `from` ends: just past its closing quote, or the
/// end of `json` when it is not closed.
fn past_string(json: &[u8], mut from: usize) -> usize {
    while let Some(rest) = json.get(from..) {
        match memchr::memchr2(b'"', b'\\', rest) {
            // An escape: the byte after the backslash is part of the string, whatever it is.
            Some(found) if rest[found] == b'\\' => from += found + 2,
            Some(found) => return from + found + 1,
            None => break,
        }
    }
    json.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(json: &str) -> usize {
        (1..=json.len() + 1)
            .find(|max| at_most(json.as_bytes(), *max))
            .unwrap()
    }

    #[test]
    fn values_are_counted_outside_strings_only() {
        assert_eq!(count("1"), 1);
        assert_eq!(count("[1,2,3]"), 4);
        assert_eq!(count(r#"{"a":1,"b":[1,2]}"#), 5);
        assert_eq!(
            count(r#"{"content":"a, [b] {c}"}"#),
            2,
            "punctuation inside a string"
        );
        assert_eq!(
            count(r#"["a\",[", 1]"#),
            3,
            "an escaped quote does not end the string"
        );
        assert_eq!(count(r#"["a\\", 1]"#), 3, "an escaped backslash does");
    }

    /// The count as it was first written, a byte at a time: the reference for the one that
    /// skips strings.
    fn at_most_byte_by_byte(json: &[u8], max: usize) -> bool {
        let mut values = 1usize;
        let mut in_string = false;
        let mut escaped = false;
        for &byte in json {
            if in_string {
                match (escaped, byte) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match byte {
                b'"' => in_string = true,
                b',' | b'[' | b'{' => {
                    values += 1;
                    if values > max {
                        return false;
                    }
                }
                _ => {}
            }
        }
        true
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Any bytes, weighted to JSON's punctuation, escapes and unclosed strings.
        #[test]
        fn skipping_strings_counts_as_reading_every_byte(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(b"\"\\,[]{}:a 1".to_vec()),
                    proptest::prelude::any::<u8>(),
                ],
                0..200,
            ),
            max in 0usize..40,
        ) {
            proptest::prop_assert_eq!(at_most(&bytes, max), at_most_byte_by_byte(&bytes, max));
        }
    }

    #[test]
    fn the_bound_is_never_below_what_the_parser_builds() {
        fn nodes(value: &serde_json::Value) -> usize {
            1 + match value {
                serde_json::Value::Array(items) => items.iter().map(nodes).sum(),
                serde_json::Value::Object(members) => members.values().map(nodes).sum(),
                _ => 0,
            }
        }
        for json in [
            r#"{"model":"m","messages":[{"role":"user","content":"hi, [there]"}],"n":2}"#,
            r#"{"input":[[1,2,3],[4,5,6]],"x":{"y":{"z":[]}}}"#,
            "[[],{},[[]]]",
        ] {
            let parsed: serde_json::Value = serde_json::from_str(json).unwrap();
            assert!(count(json) >= nodes(&parsed), "{json}");
        }
    }
}
