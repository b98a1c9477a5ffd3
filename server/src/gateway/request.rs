//! A `/v1` request body read for what the gateway decides with, not parsed whole. The gateway
//! reads a request's small members (`model`, `stream`, `max_tokens`, ...) and only the
//! character count of its prompt (`messages`, `input`, ...), which is most of its bytes.
//! Parsing the prompt into a tree of values made a 20 KB conversation cost about 110,000
//! instructions to build and drop, against about 300,000 for its whole request. The prompt's
//! texts are walked in place (every string still checked as UTF-8, as the full parse does)
//! and counted. The request is parsed whole only when something must read or rewrite its
//! texts: guardrails and moderation, or a body that must be re-encoded for a deployment (a
//! member the gateway changes, or a `model` it renames that cannot be found on the bytes).

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::usage::{PROMPT_MEMBERS, prompt_chars};
use crate::error::{ApiError, json_object};

/// A request body's members, without its prompt's texts until they are asked for.
pub struct RequestBody {
    /// Every member but the prompt's (all of them once [`RequestBody::parse_whole`] ran),
    /// with the gateway's changes.
    pub members: Map<String, Value>,
    /// The prompt's characters, counted as the body was read; none once the members are
    /// whole (counted from them then, after any masking).
    counted: Option<usize>,
}

impl RequestBody {
    /// Reads `body`, which must be a JSON object; a refusal says why, as the full parse's did.
    pub fn read(body: &[u8]) -> Result<Self, ApiError> {
        if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            // Not an object: the full parse tells bad JSON from another value.
            return Err(json_object(body).err().unwrap_or_else(|| {
                ApiError::BadRequest("the request body must be a JSON object".into())
            }));
        }
        let mut parser = serde_json::Deserializer::from_slice(body);
        let read = parser.deserialize_map(Top).and_then(|top| {
            parser.end()?;
            Ok(top)
        });
        match read {
            Ok((members, chars)) => Ok(Self {
                members,
                counted: Some(chars.iter().sum()),
            }),
            Err(error) => Err(ApiError::BadRequest(format!(
                "the request body is not valid JSON: {error}"
            ))),
        }
    }

    /// Makes the members whole: `body` (the bytes this was read from) parsed again, with the
    /// changes made to the members so far kept.
    pub fn parse_whole(&mut self, body: &[u8]) -> Result<(), ApiError> {
        if self.counted.take().is_some() {
            let mut whole = json_object(body)?;
            whole.extend(std::mem::take(&mut self.members));
            self.members = whole;
        }
        Ok(())
    }

    /// Characters of the prompt (see [`prompt_chars`]).
    pub fn prompt_chars(&self) -> usize {
        self.counted.unwrap_or_else(|| prompt_chars(&self.members))
    }
}

/// The top value, an object, read into its members and its prompt members' counts (by place in
/// [`PROMPT_MEMBERS`], a member named twice counting once, as the last of a name is what
/// a parser keeps).
struct Top;

type Members = (Map<String, Value>, [usize; PROMPT_MEMBERS.len()]);

impl<'de> Visitor<'de> for Top {
    type Value = Members;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Map::new();
        let mut chars = [0; PROMPT_MEMBERS.len()];
        while let Some(name) = map.next_key_seed(Names(TopName::of))? {
            match name {
                TopName::Prompt(at) => chars[at] = map.next_value_seed(Text { counted: true })?,
                TopName::Kept(name) => {
                    members.insert(name, map.next_value::<Value>()?);
                }
            }
        }
        Ok((members, chars))
    }
}

/// A top-level member's name: a prompt member's place in [`PROMPT_MEMBERS`], or another name.
enum TopName {
    Prompt(usize),
    Kept(String),
}

impl TopName {
    fn of(name: &str) -> Self {
        PROMPT_MEMBERS
            .iter()
            .position(|prompt| *prompt == name)
            .map_or_else(|| Self::Kept(name.to_owned()), Self::Prompt)
    }
}

/// Reads a member's name (checked as the parser checks every string) into what `F` makes of
/// it, without keeping the name itself.
struct Names<F>(F);

impl<'de, T, F: FnOnce(&str) -> T> DeserializeSeed<'de> for Names<F> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, names: D) -> Result<T, D::Error> {
        names.deserialize_str(self)
    }
}

impl<T, F: FnOnce(&str) -> T> Visitor<'_> for Names<F> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E>(self, name: &str) -> Result<T, E> {
        Ok((self.0)(name))
    }
}

/// A value of the prompt walked in place: the characters of its texts when `counted` (a
/// string; an array's items; an object's `content`, else its `text`), else nothing, as
/// [`prompt_chars`] counts them in a parsed value.
#[derive(Clone, Copy)]
struct Text {
    counted: bool,
}

impl<'de> DeserializeSeed<'de> for Text {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, value: D) -> Result<usize, D::Error> {
        value.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_str<E>(self, text: &str) -> Result<usize, E> {
        Ok(if self.counted {
            text.chars().count()
        } else {
            0
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let mut chars = 0usize;
        while let Some(item) = seq.next_element_seed(self)? {
            chars = chars.saturating_add(item);
        }
        Ok(chars)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<usize, A::Error> {
        let (mut content, mut text) = (None, None);
        while let Some(name) = map.next_key_seed(Names(TextName::of))? {
            let value = map.next_value_seed(Text {
                counted: self.counted && name != TextName::Other,
            })?;
            match name {
                TextName::Content => content = Some(value),
                TextName::Text => text = Some(value),
                TextName::Other => {}
            }
        }
        Ok(content.or(text).unwrap_or(0))
    }

    fn visit_bool<E>(self, _: bool) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_i64<E>(self, _: i64) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_u64<E>(self, _: u64) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_f64<E>(self, _: f64) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_unit<E>(self) -> Result<usize, E> {
        Ok(0)
    }
}

/// A member name inside the prompt: whether it holds the text that counts.
#[derive(PartialEq, Eq)]
enum TextName {
    Content,
    Text,
    Other,
}

impl TextName {
    fn of(name: &str) -> Self {
        match name {
            "content" => Self::Content,
            "text" => Self::Text,
            _ => Self::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn read(body: &Value) -> RequestBody {
        RequestBody::read(&serde_json::to_vec(body).unwrap()).unwrap()
    }

    #[test]
    fn the_prompt_is_counted_and_every_other_member_kept() {
        let body = json!({
            "model": "granite",
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": [
                    {"type": "text", "text": "Grüße, "},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
                ]},
                {"role": "assistant", "content": null, "tool_calls": [{"function": {"arguments": "{}"}}]}
            ],
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
            "stream": true,
            "max_tokens": 7
        });
        let request = read(&body);
        assert_eq!(
            request.prompt_chars(),
            "Be brief.".len() + "Grüße, ".chars().count()
        );
        let kept: Vec<&str> = request.members.keys().map(String::as_str).collect();
        assert_eq!(kept, ["max_tokens", "model", "stream", "tools"]);
        assert_eq!(request.members["tools"], body["tools"]);

        // A member named twice counts as the last of its name, as a parser keeps it.
        let twice = br#"{"prompt": "a long first prompt", "model": "x", "prompt": "abc"}"#;
        let request = RequestBody::read(twice).unwrap();
        assert_eq!(request.prompt_chars(), 3);
        let mut request = request;
        request.parse_whole(twice).unwrap();
        assert_eq!(request.members["prompt"], "abc");
    }

    #[test]
    fn what_is_not_a_json_object_is_refused_as_the_full_parse_refused_it() {
        for (body, says) in [
            (&b"[1, 2]"[..], "must be a JSON object"),
            (b"\"text\"", "must be a JSON object"),
            (b"null", "must be a JSON object"),
            (b"{\"model\": \"m\"", "not valid JSON"),
            (b"{\"model\": \"m\"} {}", "not valid JSON"),
            (b"[1, }", "not valid JSON"),
            (
                b"{\"messages\": [{\"content\": \"\\ud800\"}]}",
                "not valid JSON",
            ),
            (
                b"{\"messages\": [{\"role\": \"\xff\", \"content\": \"hi\"}]}",
                "not valid JSON",
            ),
            (b"{\"messages\": [{\"role\": tru}]}", "not valid JSON"),
        ] {
            let refused = RequestBody::read(body).err().unwrap().to_string();
            assert!(
                refused.contains(says),
                "{}: {refused}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn made_whole_the_gateways_changes_stay_and_the_prompt_comes_back() {
        let body = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": null});
        let bytes = serde_json::to_vec(&body).unwrap();
        let mut request = RequestBody::read(&bytes).unwrap();
        request.members.insert("max_tokens".into(), json!(5));
        request.parse_whole(&bytes).unwrap();
        assert_eq!(request.members["max_tokens"], 5);
        assert_eq!(request.members["messages"], body["messages"]);
        // Made whole once: a second call changes nothing.
        request.members["messages"][0]["content"] = json!("masked!");
        request.parse_whole(&bytes).unwrap();
        assert_eq!(request.prompt_chars(), 7);
    }

    /// Any JSON value, nested, with the names the count looks for and texts with escapes and
    /// characters outside ASCII.
    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-zé\"\\\\\n😀 ]{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
                prop::collection::vec(
                    (
                        prop::sample::select(vec!["content", "text", "role", "type", "x"]),
                        inner
                    ),
                    0..5
                )
                .prop_map(|members| Value::Object(
                    members
                        .into_iter()
                        .map(|(n, v)| (n.to_owned(), v))
                        .collect()
                )),
            ]
        })
    }

    proptest! {
        #[test]
        fn counting_in_place_equals_counting_the_parsed_request(
            members in prop::collection::vec(
                (prop::sample::select(
                    PROMPT_MEMBERS.iter().copied().chain(["model", "tools", "n"]).collect::<Vec<_>>()
                ), value()),
                0..6,
            ),
        ) {
            let body: Map<String, Value> =
                members.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
            let request = read(&Value::Object(body.clone()));
            prop_assert_eq!(request.prompt_chars(), prompt_chars(&body));
            let mut kept = body.clone();
            kept.retain(|name, _| !PROMPT_MEMBERS.contains(&name.as_str()));
            prop_assert_eq!(&request.members, &kept);
            let mut request = request;
            request.parse_whole(&serde_json::to_vec(&body).unwrap()).unwrap();
            prop_assert_eq!(request.members, body);
        }
    }
}
