//! Conversions every GraphQL module shares: ids from clients, money between the stored nanos
//! and the currency clients see, and "left out / null / value" inputs.

use async_graphql::{ErrorExtensions, ID, MaybeUndefined};
use uuid::Uuid;

use crate::DomainError;

/// The id a client sent, or why it is not one.
pub fn id(id: &ID) -> Result<Uuid, DomainError> {
    Uuid::parse_str(id).map_err(|_| DomainError::BadInput(format!("`{}` is not an id", id.0)))
}

/// [`id`] as a GraphQL error with its code.
pub fn gql_id(value: &ID) -> async_graphql::Result<Uuid> {
    id(value).map_err(|e| e.extend())
}

/// Stored nanos → currency.
pub fn money(nanos: i64) -> f64 {
    nanos as f64 / 1e9
}

/// Currency → nanos, refusing what is not a sum of money; `name` is the field for the message.
pub fn nanos(name: &str, value: f64) -> Result<i64, DomainError> {
    if !value.is_finite() || !(0.0..=1e9).contains(&value) {
        return Err(DomainError::BadInput(format!(
            "{name} must be between 0 and 1e9"
        )));
    }
    Ok((value * 1e9).round() as i64)
}

/// A field left out (`None`), cleared (`Some(None)`) or set (`Some(Some(v))`).
pub fn change<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_money_and_changes_convert() {
        assert!(
            id(&ID("not-an-id".into()))
                .unwrap_err()
                .to_string()
                .contains("not an id")
        );
        assert_eq!(nanos("maxBudget", 2.5).unwrap(), 2_500_000_000);
        assert!(
            nanos("maxBudget", -1.0)
                .unwrap_err()
                .to_string()
                .contains("maxBudget")
        );
        assert!(nanos("x", f64::NAN).is_err());
        assert_eq!(money(2_500_000_000), 2.5);
        assert_eq!(change(MaybeUndefined::<i32>::Undefined), None);
        assert_eq!(change(MaybeUndefined::<i32>::Null), Some(None));
        assert_eq!(change(MaybeUndefined::Value(3)), Some(Some(3)));
    }
}
