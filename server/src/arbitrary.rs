//! Strategies for the property tests of code that reads outside input: JSON as a client or a
//! model server may send it, leaning towards the field names and number shapes the readers
//! look for so that properties reach past the first `match`.

use proptest::prelude::*;
use serde_json::{Map, Value};

/// Field names the gateway and the LiteLLM routes read, and some they do not.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "messages",
            "prompt",
            "input",
            "content",
            "text",
            "max_budget",
            "soft_budget",
            "budget_duration",
            "rpm_limit",
            "tpm_limit",
            "max_parallel_requests",
            "rpd_limit",
            "model_rpm_limit",
        ])
        .prop_map(str::to_owned),
        ".{0,8}",
    ]
}

/// A leaf: every JSON scalar, numbers also as the strings LiteLLM's callers send.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Not finite: `Value::from` makes them null, as serde_json would never parse them.
        any::<f64>().prop_map(Value::from),
        Just(Value::from(2_147_483_647)),
        any::<i64>().prop_map(|n| Value::from(n.to_string())),
        any::<f64>().prop_map(|f| Value::from(f.to_string())),
        any::<String>().prop_map(Value::from),
    ]
}

/// Any JSON value, nested a few levels.
pub fn json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            object_of(inner).prop_map(Value::Object),
        ]
    })
}

/// A JSON object (a request body), its fields often the ones readers look for.
pub fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    object_of(json())
}

fn object_of(values: impl Strategy<Value = Value>) -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((field(), values), 0..8).prop_map(|fields| fields.into_iter().collect())
}
