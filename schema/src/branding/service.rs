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

/// Where a logo goes.
pub const LOGO_SLOTS: [&str; 3] = ["login", "header-light", "header-dark"];
/// The largest logo accepted.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// The image type `bytes` really are (by their first bytes), when it is one logos may be.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_lowercase();
        (head.contains("<svg")).then_some("image/svg+xml")
    }
}

impl BrandingService {
    /// Stores a logo for `slot` after checking its size and that it is the image it claims.
    #[tracing::instrument(skip(self, bytes), err)]
    pub async fn set_logo(
        &self,
        slot: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<entity::branding_asset::Model, DomainError> {
        use entity::branding_asset;
        use sea_orm::sea_query::OnConflict;
        if !LOGO_SLOTS.contains(&slot) {
            return Err(DomainError::BadInput(format!(
                "slot must be one of {}",
                LOGO_SLOTS.join(", ")
            )));
        }
        if bytes.is_empty() || bytes.len() > MAX_LOGO_BYTES {
            return Err(DomainError::BadInput(format!(
                "a logo must be 1 byte to {} KiB",
                MAX_LOGO_BYTES / 1024
            )));
        }
        let sniffed = sniff_image(&bytes).ok_or_else(|| {
            DomainError::BadInput("a logo must be a PNG, JPEG, WebP or SVG image".into())
        })?;
        if sniffed != content_type {
            return Err(DomainError::BadInput(format!(
                "the file is {sniffed}, not {content_type}"
            )));
        }
        let row = branding_asset::ActiveModel {
            slot: Set(slot.to_owned()),
            content_type: Set(sniffed.to_owned()),
            sha256: Set(crate::secret::sha256_hex_bytes(&bytes)),
            bytes: Set(bytes),
            updated_at: Set(Utc::now()),
        };
        branding_asset::Entity::insert(row)
            .on_conflict(
                OnConflict::column(branding_asset::Column::Slot)
                    .update_columns([
                        branding_asset::Column::ContentType,
                        branding_asset::Column::Bytes,
                        branding_asset::Column::Sha256,
                        branding_asset::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        self.logo(slot)
            .await?
            .ok_or_else(|| DomainError::NotFound("the logo vanished".into()))
    }

    /// The logo in `slot`, if one was uploaded.
    pub async fn logo(
        &self,
        slot: &str,
    ) -> Result<Option<entity::branding_asset::Model>, DomainError> {
        Ok(entity::branding_asset::Entity::find_by_id(slot.to_owned())
            .one(&self.db)
            .await?)
    }

    /// Removes the logo in `slot`.
    pub async fn remove_logo(&self, slot: &str) -> Result<(), DomainError> {
        entity::branding_asset::Entity::delete_by_id(slot.to_owned())
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod logo_tests {
    use super::*;

    #[test]
    fn images_are_recognised_by_their_bytes() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff_image(&[0xff, 0xd8, 0xff, 0xe0]), Some("image/jpeg"));
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(
            sniff_image(b"<?xml version=\"1.0\"?><svg xmlns=\"x\"/>"),
            Some("image/svg+xml")
        );
        assert_eq!(sniff_image(b"<html><script>"), None);
        assert_eq!(sniff_image(b"GIF89a"), None);
    }
}
