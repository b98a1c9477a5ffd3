//! One module per route.

pub mod home;
pub mod login;
pub mod not_found;

/// The browser tab's title for a portal titled `title` (empty while loading).
pub fn document_title(title: &str) -> String {
    if title.is_empty() {
        "Switchyard".to_owned()
    } else {
        title.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::document_title;

    #[test]
    fn the_tab_title_falls_back_while_loading() {
        assert_eq!(document_title(""), "Switchyard");
        assert_eq!(document_title("Acme AI"), "Acme AI");
    }
}
