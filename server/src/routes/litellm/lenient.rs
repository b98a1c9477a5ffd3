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
        Some(Value::Number(n)) => n.as_i64().or_else(|| {
            // A whole float that fits: `as` would read a larger one (or a u64 past i64::MAX)
            // as i64::MAX, where its string is refused.
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && (i64::MIN as f64..i64::MAX as f64).contains(f))
                .map(|f| f as i64)
        }),
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

    /// Properties over any JSON: the readers never panic, a number reads the same as its
    /// string, "no limit" has its two spellings, negatives are refused, and limits written
    /// into an answer read back as they were.
    mod properties {
        use proptest::prelude::*;

        use super::super::*;
        use crate::arbitrary::{json, json_object};

        /// What a reader answered, errors alike (`ApiError` has no equality).
        fn read<T>(answer: Result<T, ApiError>) -> Option<T> {
            answer.ok()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn the_readers_never_panic(value in json()) {
                let value = Some(&value);
                let _ = int(value, "rpm_limit");
                let _ = money(value, "max_budget");
                let _ = string(value, "budget_duration");
                let _ = strings(value, "models");
                let _ = limits_map(value, "model_rpm_limit");
            }

            #[test]
            fn the_body_readers_never_panic(body in json_object()) {
                let _ = limit_values(&body);
                let _ = limit_changes(&body);
            }

            #[test]
            fn a_whole_number_reads_the_same_as_its_string(
                (number, digits) in prop_oneof![
                    any::<i64>().prop_map(|n| (Value::from(n), n.to_string())),
                    any::<u64>().prop_map(|n| (Value::from(n), n.to_string())),
                ],
                pad in "[ \t]{0,2}",
            ) {
                let text = read(int(Some(&Value::from(format!("{pad}{digits}{pad}"))), "n"));
                let number = read(int(Some(&number), "n"));
                prop_assert_eq!(number, text);
            }

            #[test]
            fn a_whole_number_reads_the_same_as_a_float(n in -(1_i64 << 53)..=(1 << 53)) {
                // Every integer of this range is exact as an f64.
                let whole = read(int(Some(&Value::from(n)), "n"));
                let float = read(int(Some(&Value::from(n as f64)), "n"));
                prop_assert_eq!(whole, float);
            }

            #[test]
            fn counts_of_0_or_more_read_as_themselves(n in 0..=i64::MAX) {
                let expected = (n != NO_LIMIT).then_some(n);
                prop_assert_eq!(read(int(Some(&Value::from(n)), "n")), Some(expected));
            }

            #[test]
            fn null_absent_and_2147483647_mean_no_limit(pad in "[ \t]{0,2}") {
                for value in [
                    None,
                    Some(Value::Null),
                    Some(Value::from(NO_LIMIT)),
                    Some(Value::from(NO_LIMIT as f64)),
                    Some(Value::from(format!("{pad}{NO_LIMIT}{pad}"))),
                ] {
                    prop_assert_eq!(read(int(value.as_ref(), "n")), Some(None));
                }
            }

            #[test]
            fn negative_counts_and_amounts_are_refused(
                n in i64::MIN..0,
                amount in any::<f64>().prop_filter("negative", |a| *a < 0.0 && a.is_finite()),
            ) {
                prop_assert!(int(Some(&Value::from(n)), "n").is_err());
                prop_assert!(int(Some(&Value::from(n.to_string())), "n").is_err());
                prop_assert!(money(Some(&Value::from(amount)), "m").is_err());
                prop_assert!(money(Some(&Value::from(amount.to_string())), "m").is_err());
            }

            #[test]
            fn an_amount_reads_the_same_as_its_string(
                amount in prop_oneof![any::<f64>(), 0.0..9.0e9_f64]
                    .prop_filter("finite", |a| a.is_finite()),
            ) {
                let number = read(money(Some(&Value::from(amount)), "m"));
                let text = read(money(Some(&Value::from(amount.to_string())), "m"));
                prop_assert_eq!(number, text);
            }

            #[test]
            fn an_amount_in_an_answer_reads_back_to_its_nanos(nanos in 0..=100_000_000_000_000_i64) {
                // Up to 100,000 currency units an f64 keeps every nano through `units`.
                prop_assert_eq!(read(money(Some(&units(Some(nanos))), "m")), Some(Some(nanos)));
            }

            #[test]
            fn limits_in_an_answer_read_back_as_they_were(
                counts in prop::collection::vec(
                    prop::option::of((0..=i64::MAX).prop_filter("not no-limit", |n| *n != NO_LIMIT)),
                    LimitValues::default().counts().count(),
                ),
                max_budget_nanos in prop::option::of(0..=100_000_000_000_000_i64),
                soft_budget_nanos in prop::option::of(0..=100_000_000_000_000_i64),
                budget_duration in prop::option::of(any::<String>()),
            ) {
                let mut counts = counts.into_iter();
                let limits = LimitValues {
                    max_budget_nanos,
                    soft_budget_nanos,
                    budget_duration,
                    ..LimitValues::default()
                }
                .with_counts(|_| Ok::<_, ApiError>(counts.next().flatten()))
                .unwrap();
                let mut answer = Value::Object(Map::new());
                put_limits(&mut answer, &limits);
                let read_back = limit_values(answer.as_object().unwrap()).unwrap();
                prop_assert_eq!(read_back, limits);
            }
        }
    }
}
