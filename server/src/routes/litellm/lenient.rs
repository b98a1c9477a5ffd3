//! Reading request fields the way LiteLLM's callers send them: numbers as numbers or numeric
//! strings, `null` or 2147483647 meaning "no limit", lists that may be absent.

use schema::limits::{LimitChanges, LimitValues};
use serde_json::{Map, Value};

use crate::error::ApiError;

/// LiteLLM's callers send this to mean "no limit".
const NO_LIMIT: i64 = 2_147_483_647;

fn bad(field: &'static str, expected: &str) -> ApiError {
    ApiError::BadParam {
        message: format!("`{field}` must be {expected}"),
        param: field,
    }
}

/// A field that is present: `Some(None)` when it is null (clear), `Some(Some(v))` otherwise.
pub fn present<'a>(body: &'a Map<String, Value>, field: &str) -> Option<Option<&'a Value>> {
    body.get(field).map(|v| (!v.is_null()).then_some(v))
}

/// A whole number (or numeric string); `None` for null or 2147483647.
pub fn int(value: Option<&Value>, field: &'static str) -> Result<Option<i64>, ApiError> {
    let number = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(_) => None,
    };
    match number {
        Some(NO_LIMIT) => Ok(None),
        Some(n) if n >= 0 => Ok(Some(n)),
        _ => Err(bad(field, "a whole number of 0 or more")),
    }
}

/// An amount of money (number or numeric string) in nano-units.
pub fn money(value: Option<&Value>, field: &'static str) -> Result<Option<i64>, ApiError> {
    let amount = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match amount {
        Some(a) if (0.0..9.0e9).contains(&a) => Ok(Some((a * 1e9).round() as i64)),
        _ => Err(bad(field, "an amount of 0 or more")),
    }
}

/// A string.
pub fn string(value: Option<&Value>, field: &'static str) -> Result<Option<String>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(field, "a string")),
    }
}

/// A list of strings (absent or null: empty).
pub fn strings(value: Option<&Value>, field: &'static str) -> Result<Vec<String>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(field, "a list of strings"))
            })
            .collect(),
        Some(_) => Err(bad(field, "a list of strings")),
    }
}

/// A map of model name to whole number (`model_rpm_limit`, `model_tpm_limit`).
pub fn limits_map(value: Option<&Value>, field: &'static str) -> Result<Option<Value>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => {
            let mut out = Map::new();
            for (model, limit) in map {
                if let Some(n) = int(Some(limit), field)? {
                    out.insert(model.clone(), Value::from(n));
                }
            }
            Ok(Some(Value::Object(out)))
        }
        Some(_) => Err(bad(field, "an object of model name to number")),
    }
}

/// The limits of a new key or user: the budget fields and every count limit by its name.
pub fn limit_values(body: &Map<String, Value>) -> Result<LimitValues, ApiError> {
    LimitValues {
        max_budget_nanos: money(body.get("max_budget"), "max_budget")?,
        soft_budget_nanos: money(body.get("soft_budget"), "soft_budget")?,
        budget_duration: string(body.get("budget_duration"), "budget_duration")?,
        ..LimitValues::default()
    }
    .with_counts(|name| int(body.get(name), name))
}

/// A change to a key's or a user's limits: the fields present, `null` clearing one.
pub fn limit_changes(body: &Map<String, Value>) -> Result<LimitChanges, ApiError> {
    LimitChanges {
        max_budget_nanos: present(body, "max_budget")
            .map(|v| money(v, "max_budget"))
            .transpose()?,
        soft_budget_nanos: present(body, "soft_budget")
            .map(|v| money(v, "soft_budget"))
            .transpose()?,
        budget_duration: present(body, "budget_duration")
            .map(|v| string(v, "budget_duration"))
            .transpose()?,
        ..LimitChanges::default()
    }
    .with_counts(|name| present(body, name).map(|v| int(v, name)).transpose())
}

/// Writes `limits` onto an answer object under LiteLLM's field names.
pub fn put_limits(answer: &mut Value, limits: &LimitValues) {
    let Some(object) = answer.as_object_mut() else {
        return;
    };
    object.insert("max_budget".into(), units(limits.max_budget_nanos));
    object.insert("soft_budget".into(), units(limits.soft_budget_nanos));
    object.insert(
        "budget_duration".into(),
        limits
            .budget_duration
            .clone()
            .map_or(Value::Null, Value::from),
    );
    for (name, value) in limits.counts() {
        object.insert(name.into(), value.map_or(Value::Null, Value::from));
    }
}

/// Nano-units as currency units, for answers.
pub fn units(nanos: Option<i64>) -> Value {
    nanos.map_or(Value::Null, |n| Value::from(n as f64 / 1e9))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_come_as_numbers_or_strings() {
        assert_eq!(int(Some(&json!("120")), "rpm").unwrap(), Some(120));
        assert_eq!(int(Some(&json!(120)), "rpm").unwrap(), Some(120));
        assert_eq!(int(Some(&json!(2_147_483_647)), "rpm").unwrap(), None);
        assert_eq!(int(Some(&json!(null)), "rpm").unwrap(), None);
        assert!(int(Some(&json!("lots")), "rpm").is_err());
        assert!(int(Some(&json!(-1)), "rpm").is_err());
        assert_eq!(
            money(Some(&json!("2.5")), "max_budget").unwrap(),
            Some(2_500_000_000)
        );
        assert_eq!(
            money(Some(&json!(0.000001)), "max_budget").unwrap(),
            Some(1_000)
        );
        assert!(money(Some(&json!(-3)), "max_budget").is_err());
        let error = strings(Some(&json!([1])), "models").unwrap_err();
        assert!(error.to_string().contains("`models`"));
    }
}
