//! Reads and writes the single branding row.

use chrono::Utc;
use entity::branding;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel, Set};

use crate::DomainError;

/// Changes to the branding: `None` leaves a field alone, `Some(None)` clears an optional one.
#[derive(Clone, Debug, Default)]
pub struct BrandingChanges {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub primary_color: Option<Option<String>>,
    pub accent_color: Option<Option<String>>,
    pub login_title: Option<Option<String>>,
    pub login_text: Option<Option<String>>,
    pub footer_text: Option<Option<String>>,
}

/// The longest title.
const MAX_TITLE: usize = 100;
/// The longest text.
const MAX_TEXT: usize = 2_000;

fn text(name: &str, value: &str, max: usize, required: bool) -> Result<String, DomainError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(DomainError::BadInput(format!("{name} must not be empty")));
    }
    if value.chars().count() > max {
        return Err(DomainError::BadInput(format!(
            "{name} may have at most {max} characters"
        )));
    }
    Ok(value.to_owned())
}

/// A `#rrggbb` colour, or why not.
fn color(name: &str, value: &str) -> Result<String, DomainError> {
    let hex = value.strip_prefix('#').unwrap_or_default();
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(format!("#{}", hex.to_ascii_lowercase()))
    } else {
        Err(DomainError::BadInput(format!(
            "{name} must be a colour like #1a2b3c, not `{value}`"
        )))
    }
}

/// Branding rules over the `branding` table.
#[derive(Clone)]
pub struct BrandingService {
    db: DatabaseConnection,
}

impl BrandingService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The current branding. The row is seeded by the migrations, so its absence is an error.
    #[tracing::instrument(skip(self), err)]
    pub async fn current(&self) -> Result<branding::Model, DomainError> {
        branding::Entity::find_by_id(entity::BRANDING_ROW_ID)
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("branding has not been initialised".into()))
    }

    /// Applies `changes`, each validated (lengths, `#rrggbb` colours).
    #[tracing::instrument(skip_all, err)]
    pub async fn update(&self, changes: BrandingChanges) -> Result<branding::Model, DomainError> {
        let mut row = self.current().await?.into_active_model();
        if let Some(title) = &changes.title {
            row.title = Set(text("title", title, MAX_TITLE, true)?);
        }
        if let Some(subtitle) = &changes.subtitle {
            row.subtitle = Set(text("subtitle", subtitle, MAX_TITLE * 2, false)?);
        }
        for (name, change, target) in [
            (
                "primaryColor",
                changes.primary_color,
                &mut row.primary_color,
            ),
            ("accentColor", changes.accent_color, &mut row.accent_color),
        ] {
            if let Some(value) = change {
                *target = Set(value.as_deref().map(|v| color(name, v)).transpose()?);
            }
        }
        for (name, change, target, max) in [
            (
                "loginTitle",
                changes.login_title,
                &mut row.login_title,
                MAX_TITLE,
            ),
            (
                "loginText",
                changes.login_text,
                &mut row.login_text,
                MAX_TEXT,
            ),
            (
                "footerText",
                changes.footer_text,
                &mut row.footer_text,
                MAX_TEXT,
            ),
        ] {
            if let Some(value) = change {
                *target = Set(value
                    .as_deref()
                    .map(|v| text(name, v, max, false))
                    .transpose()?);
            }
        }
        row.updated_at = Set(Utc::now());
        Ok(row.update(&self.db).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_texts_are_checked() {
        assert_eq!(color("c", "#A1B2C3").unwrap(), "#a1b2c3");
        for bad in ["red", "#12345", "#1234567", "123456", "#gggggg"] {
            assert!(color("c", bad).is_err(), "{bad}");
        }
        assert!(text("title", "  ", 10, true).is_err());
        assert_eq!(text("t", " Acme ", 10, true).unwrap(), "Acme");
        assert!(text("t", &"x".repeat(11), 10, false).is_err());
    }
}
