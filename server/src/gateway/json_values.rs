//! JSON read on its bytes, without parsing it. How many values a body holds is counted before
//! it is parsed: parsing turns each value into a tree node of 32 bytes or more, and a 60 MiB
//! body of small numbers once took the gateway from 329 to 1,419 MiB. Counting first lets the
//! gateway refuse such a body for what it would cost, at the price of one pass over bytes it
//! reads anyway. And one member of an answer (its `usage`) is found without reading the
//! others' values: an embedding's thousands of numbers cost the parser about 17 µs to skip.
//! The same walk finds a request's `model`, to write a deployment's own name in its place.

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
fn past_string(json: &[u8], from: usize) -> usize {
    string_end(json, from).unwrap_or(json.len())
}

/// Just past the closing quote of the string whose text starts at `from`; none when it is not
/// closed.
fn string_end(json: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let rest = json.get(from..)?;
        match memchr::memchr2(b'"', b'\\', rest) {
            // An escape: the byte after the backslash is part of the string, whatever it is.
            Some(found) if rest[found] == b'\\' => from += found + 2,
            Some(found) => return Some(from + found + 1),
            None => return None,
        }
    }
}

/// Why [`top_level_member`] gave up: the bytes are not an object it can follow (not JSON, a
/// member's name written with escapes, or the member named twice). The caller parses them.
#[derive(Debug, PartialEq, Eq)]
pub struct Unfollowed;

/// The bytes of the value of `json`'s top-level member `name`, or none when the object has no
/// such member. The other members' values are skipped by their strings and brackets with
/// `memchr`, not parsed, so a value the parser would refuse (`NaN`, a raw control character
/// in a string) is passed over, and bytes after the object are not read.
pub fn top_level_member<'a>(json: &'a [u8], name: &[u8]) -> Result<Option<&'a [u8]>, Unfollowed> {
    Ok(top_level_member_at(json, name)?.and_then(|at| json.get(at)))
}

/// Where the value of `json`'s top-level member `name` is, as [`top_level_member`] finds it.
pub fn top_level_member_at(
    json: &[u8],
    name: &[u8],
) -> Result<Option<std::ops::Range<usize>>, Unfollowed> {
    let mut at = past_space(json, 0);
    if json.get(at) != Some(&b'{') {
        return Err(Unfollowed);
    }
    at = past_space(json, at + 1);
    if json.get(at) == Some(&b'}') {
        return Ok(None);
    }
    let mut found = None;
    loop {
        if json.get(at) != Some(&b'"') {
            return Err(Unfollowed);
        }
        let name_end = string_end(json, at + 1).ok_or(Unfollowed)?;
        let member = json.get(at + 1..name_end - 1).ok_or(Unfollowed)?;
        if member.contains(&b'\\') {
            return Err(Unfollowed);
        }
        at = past_space(json, name_end);
        if json.get(at) != Some(&b':') {
            return Err(Unfollowed);
        }
        let start = past_space(json, at + 1);
        let end = past_value(json, start).ok_or(Unfollowed)?;
        if member == name {
            if found.is_some() {
                return Err(Unfollowed);
            }
            found = Some(start..end);
        }
        at = past_space(json, end);
        match json.get(at) {
            Some(b',') => at = past_space(json, at + 1),
            Some(b'}') => return Ok(found),
            _ => return Err(Unfollowed),
        }
    }
}

/// The first byte at or after `at` that is not JSON whitespace.
fn past_space(json: &[u8], mut at: usize) -> usize {
    while json
        .get(at)
        .is_some_and(|byte| matches!(byte, b' ' | b'\t' | b'\n' | b'\r'))
    {
        at += 1;
    }
    at
}

/// Just past the value that starts at `at`. An array or object ends where its own kind of
/// bracket closes, counting only that kind outside strings: in JSON each kind nests on its
/// own, so three bytes are all `memchr3` has to look for.
fn past_value(json: &[u8], at: usize) -> Option<usize> {
    let (open, close) = match *json.get(at)? {
        b'"' => return string_end(json, at + 1),
        b'[' => (b'[', b']'),
        b'{' => (b'{', b'}'),
        _ => {
            // A number, `true`, `false` or `null`: up to what may follow a value.
            let rest = json.get(at..)?;
            let length = rest
                .iter()
                .position(|byte| matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(rest.len());
            return (length > 0).then_some(at + length);
        }
    };
    let mut depth = 0usize;
    let mut from = at;
    loop {
        let found = from + memchr::memchr3(b'"', open, close, json.get(from..)?)?;
        let byte = *json.get(found)?;
        from = if byte == b'"' {
            string_end(json, found + 1)?
        } else {
            if byte == open {
                depth += 1;
            } else {
                depth -= 1;
            }
            found + 1
        };
        if depth == 0 {
            return Some(from);
        }
    }
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

    fn usage(json: &str) -> Result<Option<&str>, Unfollowed> {
        top_level_member(json.as_bytes(), b"usage")
            .map(|found| found.map(|bytes| std::str::from_utf8(bytes).unwrap()))
    }

    #[test]
    fn only_a_top_level_member_is_found() {
        let answer = r#"{"data":[{"embedding":[0.1,-2e-3,[1]],"usage":{"x":1}}],
            "note": "a \"usage\": {\"fake\": 1} and } ] { [ in text",
            "object":"list" , "usage" : {"prompt_tokens":8,"total_tokens":8} }"#;
        assert_eq!(
            usage(answer),
            Ok(Some(r#"{"prompt_tokens":8,"total_tokens":8}"#))
        );
        assert_eq!(
            usage(r#"{"type":"usage","n":null}"#),
            Ok(None),
            "a value, not a name"
        );
        assert_eq!(usage(r#"{"usage":null}"#), Ok(Some("null")));
        assert_eq!(usage(r#" { } "#), Ok(None));
        assert_eq!(usage(r#"{"a":[{"b":"]}"}],"usage":7}"#), Ok(Some("7")));
    }

    #[test]
    fn what_cannot_be_followed_is_left_to_the_parser() {
        for json in [
            "",
            "[1,2]",
            r#"{"usage":1,"usage":2}"#,
            r#"{"us\u0061ge":1}"#,
            r#"{"a":1 "usage":2}"#,
            r#"{"a":,"usage":2}"#,
            r#"{"a":[1,2,"usage":2}"#,
            r#"{"a":"open"#,
            "{",
        ] {
            assert_eq!(usage(json), Err(Unfollowed), "{json}");
        }
    }

    /// Any JSON value: scalars, strings with quotes, brackets and escapes, nested arrays and
    /// objects.
    fn value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("JSON numbers are finite", |f| f.is_finite())
                .prop_map(serde_json::Value::from),
            "[a-z\"\\\\\\[\\]{}:, \u{e9}]{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                proptest::collection::btree_map("[a-z\"{]{0,6}|usage", inner, 0..6)
                    .prop_map(|members| serde_json::Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Whatever an object holds, compact or pretty, the member found is the parser's.
        #[test]
        fn the_member_found_is_the_one_the_parser_reads(
            members in proptest::collection::btree_map("[a-z\"]{0,6}|usage", value(), 0..8),
            pretty in proptest::prelude::any::<bool>(),
        ) {
            let object = serde_json::Value::Object(members.into_iter().collect());
            let json = if pretty {
                serde_json::to_vec_pretty(&object).unwrap()
            } else {
                serde_json::to_vec(&object).unwrap()
            };
            for name in object.as_object().unwrap().keys().chain([&"usage".to_owned()]) {
                let found = top_level_member(&json, name.as_bytes());
                if object.as_object().unwrap().keys().any(|key| key.contains('"')) {
                    // A member's name written with an escape: left to the parser.
                    proptest::prop_assert_eq!(found, Err(Unfollowed));
                    continue;
                }
                proptest::prop_assert!(
                    found.is_ok(),
                    "{name:?} in {}",
                    String::from_utf8_lossy(&json)
                );
                let parsed = found
                    .unwrap()
                    .map(|bytes| serde_json::from_slice::<serde_json::Value>(bytes).unwrap());
                // Compared as parsed both ways: the parser's floats do not always round-trip.
                let expected = object.get(name).map(|value| {
                    serde_json::from_slice::<serde_json::Value>(&serde_json::to_vec(value).unwrap())
                        .unwrap()
                });
                proptest::prop_assert_eq!(parsed, expected);
            }
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
