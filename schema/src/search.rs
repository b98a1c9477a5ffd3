//! Free-text search over columns: what a person types is text, not a pattern. It matches
//! anywhere in a column, in any case, and `%`, `_` and `\` stand for themselves.

use sea_orm::Condition;
use sea_orm::sea_query::{Expr, Func, LikeExpr, SimpleExpr};

/// True where any of `texts` contains `text` (any case); blank `text` matches everything.
/// A `NULL` text matches nothing.
pub fn contains_any(text: &str, texts: impl IntoIterator<Item = SimpleExpr>) -> Condition {
    let text = text.trim();
    if text.is_empty() {
        return Condition::all();
    }
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    texts.into_iter().fold(Condition::any(), |any, column| {
        any.add(Expr::expr(Func::lower(column)).like(LikeExpr::new(pattern.clone()).escape('\\')))
    })
}
