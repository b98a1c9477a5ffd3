//! How many values a JSON body holds, counted on its bytes before it is parsed. Parsing turns
//! each value into a tree node of 32 bytes or more: a 60 MiB body of small numbers once took
//! the gateway from 329 to 1,419 MiB. Counting first lets the gateway refuse such a body
//! for what it would cost, at the price of one pass over bytes it reads anyway.

/// Whether `json` holds at most `max` values (arrays' items and objects' members, nested,
/// and the top value). An upper bound: an empty array or object counts as two. Bytes that
/// are not JSON are left to the parser to refuse.
pub fn at_most(json: &[u8], max: usize) -> bool {
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
