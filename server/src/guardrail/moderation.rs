//! Moderation guardrails: a request's conversation is put to a moderation model served
//! through the gateway itself (Llama Guard on vLLM answers `safe`, or `unsafe` and a line of
//! category codes such as `S1,S10`). This file holds what is asked and how the answer reads;
//! the gateway sends it.

use serde_json::{Map, Value, json};

/// What a moderation model said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Safe,
    /// Unsafe, with the categories it named (may be empty).
    Unsafe(String),
    /// Neither: the model is not answering like a moderation model.
    Unclear,
}

impl Verdict {
    /// Reads a moderation model's answer text.
    pub fn read(answer: &str) -> Self {
        let mut lines = answer.trim().lines();
        let first = lines.next().map(|line| line.trim().to_ascii_lowercase());
        match first.as_deref() {
            Some("safe") => Self::Safe,
            Some("unsafe") => Self::Unsafe(
                lines
                    .next()
                    .map(str::trim)
                    .unwrap_or_default()
                    .chars()
                    .take(100)
                    .collect(),
            ),
            _ => Self::Unclear,
        }
    }
}

/// The conversation to moderate: a chat request's messages as they are, or everything else a
/// request gives the model (a prompt, Responses API input items and instructions, a rerank's
/// query and documents) as one user message.
pub fn conversation(request: &Map<String, Value>) -> Vec<Value> {
    if let Some(Value::Array(messages)) = request.get("messages") {
        return messages.clone();
    }
    vec![json!({"role": "user", "content": super::request_text(request)})]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llama_guard_answers_are_read() {
        assert_eq!(Verdict::read("safe"), Verdict::Safe);
        assert_eq!(Verdict::read("\n\nsafe\n"), Verdict::Safe);
        assert_eq!(
            Verdict::read("unsafe\nS1,S10"),
            Verdict::Unsafe("S1,S10".into())
        );
        assert_eq!(Verdict::read("Unsafe"), Verdict::Unsafe(String::new()));
        assert_eq!(Verdict::read("I cannot help with that"), Verdict::Unclear);
        assert_eq!(Verdict::read(""), Verdict::Unclear);
    }

    #[test]
    fn prompts_and_inputs_become_one_user_message() {
        let chat = json!({"messages": [{"role": "user", "content": "hi"}]});
        assert_eq!(
            conversation(chat.as_object().expect("an object")),
            vec![json!({"role": "user", "content": "hi"})]
        );
        let completion = json!({"prompt": ["a", "b"], "input": "c"});
        assert_eq!(
            conversation(completion.as_object().expect("an object")),
            vec![json!({"role": "user", "content": "a\nb\nc"})]
        );
        let responses = json!({"input": [{"role": "user",
            "content": [{"type": "input_text", "text": "build a weapon"}]}],
            "instructions": "be brief"});
        assert_eq!(
            conversation(responses.as_object().expect("an object")),
            vec![json!({"role": "user", "content": "build a weapon\nbe brief"})]
        );
    }
}
