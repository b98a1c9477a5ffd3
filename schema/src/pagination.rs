//! Cursor pagination for lists (Relay connections): `first` items after the cursor `after`.
//! Cursors are opaque to clients; here they are positions in a stable order.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{ErrorExtensions, OutputType, SimpleObject};

use crate::DomainError;

/// The largest page a client may ask for.
pub const MAX_PAGE: usize = 200;
/// The page size when a client does not say.
pub const DEFAULT_PAGE: usize = 50;

/// What every connection carries beside its page: how many items the whole list has, so a
/// page can say "51–100 of 312".
#[derive(SimpleObject, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListTotals {
    /// Items in the whole list (every page), after filters.
    pub total_count: usize,
}

/// A page of a list, with the list's [`ListTotals`].
pub type Page<T> = Connection<String, T, ListTotals, EmptyFields>;

/// One page of `items` (already in their stable order).
pub fn page<T: OutputType>(
    items: Vec<T>,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<Page<T>> {
    let first = match first {
        None => DEFAULT_PAGE,
        Some(n) if (1..=MAX_PAGE as i32).contains(&n) => n as usize,
        Some(n) => {
            return Err(
                DomainError::BadInput(format!("`first` must be 1 to {MAX_PAGE}, not {n}")).extend(),
            );
        }
    };
    let start = match after {
        None => 0,
        Some(cursor) => cursor.parse::<usize>().map(|i| i + 1).map_err(|_| {
            DomainError::BadInput(format!("`after` is not a cursor from this list: {cursor}"))
                .extend()
        })?,
    };
    let total = items.len();
    let end = start.saturating_add(first).min(total);
    let mut connection = Connection::with_additional_fields(
        start > 0,
        end < total,
        ListTotals { total_count: total },
    );
    connection.edges.extend(
        items
            .into_iter()
            .enumerate()
            .skip(start)
            .take(end.saturating_sub(start))
            .map(|(i, item)| Edge::new(i.to_string(), item)),
    );
    Ok(connection)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_each_other_and_bad_arguments_are_refused() {
        let items: Vec<i32> = (0..5).collect();
        let one = page(items.clone(), Some(2), None).unwrap();
        assert_eq!(one.edges.iter().map(|e| e.node).collect::<Vec<_>>(), [0, 1]);
        assert!(one.has_next_page && !one.has_previous_page);
        assert_eq!(one.additional_fields.total_count, 5);
        let cursor = one.edges.last().unwrap().cursor.clone();
        let two = page(items.clone(), Some(10), Some(cursor)).unwrap();
        assert_eq!(
            two.edges.iter().map(|e| e.node).collect::<Vec<_>>(),
            [2, 3, 4]
        );
        assert!(!two.has_next_page && two.has_previous_page);
        assert!(page(items.clone(), Some(0), None).is_err());
        assert!(page(items, None, Some("x".into())).is_err());
    }
}
