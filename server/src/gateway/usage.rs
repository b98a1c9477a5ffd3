//! Token estimation and cost, for requests whose model server reports no usage.

/// Roughly four characters per token for English text: a deliberate over-estimate is safer
/// for budgets than an under-estimate, and the record says it was estimated.
pub fn estimate_tokens(chars: usize) -> u64 {
    u64::try_from(chars.div_ceil(4)).unwrap_or(u64::MAX).max(1)
}

/// Characters of the prompt in an OpenAI request body (messages, prompt or input).
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
    ["messages", "prompt", "input"]
        .iter()
        .filter_map(|field| body.get(*field))
        .map(text_len)
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
    }

    #[test]
    fn cost_is_exact_integer_arithmetic() {
        // 1,000 prompt tokens at 200 nanos and 500 completion tokens at 600 nanos.
        assert_eq!(cost_nanos(1_000, 500, 200, 600), 500_000);
        assert_eq!(cost_nanos(u64::MAX, 1, i64::MAX, 1), i64::MAX);
    }
}
