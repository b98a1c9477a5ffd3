//! Banners: short announcements in markdown (rendered to sanitised HTML), shown to an
//! audience (everyone, or chosen roles) within an optional schedule; people may dismiss the
//! dismissible ones, each for themselves. A banner has its English text and, optionally, the
//! same in the portal's other languages; readers get theirs, or English when it has none.

mod graphql;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entity::{banner, banner_dismissal};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

pub use graphql::{BannerMutation, BannerQuery};

use crate::DomainError;
use crate::access::Role;

/// The longest banner text.
const MAX_MARKDOWN: usize = 4_000;
/// The variants the portal styles.
pub const VARIANTS: [&str; 4] = ["info", "success", "warning", "danger"];
/// The language of a banner's main text, shown when a reader's language has no text.
pub const FALLBACK_LANGUAGE: &str = "en";
/// The languages a banner may be written in: the portal's (`LANGUAGES` in the frontend's
/// `i18n` module), English first.
pub const LANGUAGES: [&str; 8] = ["en", "es", "fr", "de", "it", "ja", "ko", "zh-CN"];

/// The supported language `wanted` names: the tag itself in any case, else its base language
/// (`de-AT` → `de`, `zh-TW` → `zh-CN`); `None` for a language the portal does not speak.
pub fn language_of(wanted: &str) -> Option<&'static str> {
    let base = |tag: &str| {
        tag.split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    LANGUAGES
        .iter()
        .find(|tag| tag.eq_ignore_ascii_case(wanted))
        .or_else(|| LANGUAGES.iter().find(|tag| base(tag) == base(wanted)))
        .copied()
}

/// A banner's translations, by language tag in [`LANGUAGES`] order (English, the main text,
/// is not among them).
pub fn translations(row: &banner::Model) -> Vec<(&'static str, String)> {
    LANGUAGES
        .iter()
        .filter_map(|tag| {
            let text = row.translations.get(tag)?.as_str()?;
            Some((*tag, text.to_owned()))
        })
        .collect()
}

/// The text of `row` for a reader in `language` (a tag, as [`language_of`] reads it): the
/// translation when the banner has one, else the English text; with its language tag.
pub fn text_for(row: &banner::Model, language: Option<&str>) -> (&'static str, String) {
    language
        .and_then(language_of)
        .filter(|tag| *tag != FALLBACK_LANGUAGE)
        .and_then(|tag| {
            let text = row.translations.get(tag)?.as_str()?;
            Some((tag, text.to_owned()))
        })
        .unwrap_or_else(|| (FALLBACK_LANGUAGE, row.message_markdown.clone()))
}

/// Markdown → HTML a browser may show as is: only formatting and links survive, links open
/// safely, no script, style or event handler gets through.
pub fn render(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new(markdown);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into())
        .clean(&html)
        .to_string()
}

/// A banner to create or the new state of one.
#[derive(Clone, Debug)]
pub struct BannerSpec {
    pub markdown: String,
    pub variant: String,
    /// Roles that see it; empty means everyone, signed in or not.
    pub audience: Vec<Role>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub active: bool,
    pub dismissible: bool,
    /// The text in other languages, by tag; `None` keeps what a banner has (none when new),
    /// a list replaces it.
    pub translations: Option<Vec<(String, String)>>,
}

/// A banner's text is 1 to [`MAX_MARKDOWN`] characters.
fn check_text(markdown: &str) -> Result<(), DomainError> {
    let text = markdown.trim();
    if text.is_empty() || text.chars().count() > MAX_MARKDOWN {
        return Err(DomainError::BadInput(format!(
            "a banner needs 1 to {MAX_MARKDOWN} characters of text"
        )));
    }
    Ok(())
}

/// Translations as stored: each tag one of [`LANGUAGES`] (written as listed there) other than
/// English, once; each text checked like the main one and trimmed.
fn stored_translations(list: &[(String, String)]) -> Result<serde_json::Value, DomainError> {
    let mut stored = BTreeMap::new();
    for (language, markdown) in list {
        let tag = LANGUAGES
            .iter()
            .find(|tag| tag.eq_ignore_ascii_case(language.trim()))
            .ok_or_else(|| {
                DomainError::BadInput(format!(
                    "unknown language \"{language}\": a banner may be written in {}",
                    LANGUAGES.join(", ")
                ))
            })?;
        if *tag == FALLBACK_LANGUAGE {
            return Err(DomainError::BadInput(
                "the English text is the banner's markdown, not a translation".into(),
            ));
        }
        check_text(markdown)?;
        if stored
            .insert(*tag, serde_json::Value::from(markdown.trim()))
            .is_some()
        {
            return Err(DomainError::BadInput(format!(
                "the text in \"{tag}\" is given twice"
            )));
        }
    }
    Ok(serde_json::Value::Object(
        stored
            .into_iter()
            .map(|(tag, text)| (tag.to_owned(), text))
            .collect(),
    ))
}

impl BannerSpec {
    fn check(&self) -> Result<(), DomainError> {
        check_text(&self.markdown)?;
        if !VARIANTS.contains(&self.variant.as_str()) {
            return Err(DomainError::BadInput(format!(
                "variant must be one of {}",
                VARIANTS.join(", ")
            )));
        }
        if let (Some(start), Some(end)) = (self.starts_at, self.ends_at)
            && end <= start
        {
            return Err(DomainError::BadInput(
                "a banner must end after it starts".into(),
            ));
        }
        Ok(())
    }
}

/// Whether `row` is shown to someone with `roles` (`None`: not signed in) at `now`.
pub fn shown(row: &banner::Model, roles: Option<&[Role]>, now: DateTime<Utc>) -> bool {
    let audience = Role::from_json(&row.audience);
    let for_them =
        audience.is_empty() || roles.is_some_and(|r| r.iter().any(|x| audience.contains(x)));
    row.active
        && for_them
        && row.starts_at.is_none_or(|s| s <= now)
        && row.ends_at.is_none_or(|e| e > now)
}

/// Banner rules over `banners` and `banner_dismissals`.
#[derive(Clone)]
pub struct BannerService {
    db: DatabaseConnection,
}

impl BannerService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Every banner, newest first.
    pub async fn all(&self) -> Result<Vec<banner::Model>, DomainError> {
        Ok(banner::Entity::find()
            .order_by_desc(banner::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// The banners to show someone now, minus those they dismissed.
    pub async fn current(
        &self,
        user: Option<Uuid>,
        roles: Option<&[Role]>,
    ) -> Result<Vec<banner::Model>, DomainError> {
        let now = Utc::now();
        let dismissed: Vec<Uuid> = match user {
            Some(user) => banner_dismissal::Entity::find()
                .filter(banner_dismissal::Column::UserId.eq(user))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|d| d.banner_id)
                .collect(),
            None => Vec::new(),
        };
        Ok(self
            .all()
            .await?
            .into_iter()
            .filter(|b| shown(b, roles, now) && !dismissed.contains(&b.id))
            .collect())
    }

    /// Creates a banner.
    pub async fn create(&self, spec: BannerSpec) -> Result<banner::Model, DomainError> {
        spec.check()?;
        let translations = stored_translations(spec.translations.as_deref().unwrap_or_default())?;
        let now = Utc::now();
        Ok(banner::ActiveModel {
            id: Set(Uuid::new_v4()),
            message_markdown: Set(spec.markdown.trim().to_owned()),
            variant: Set(spec.variant),
            audience: Set(Role::to_json(&spec.audience)),
            starts_at: Set(spec.starts_at),
            ends_at: Set(spec.ends_at),
            active: Set(spec.active),
            dismissible: Set(spec.dismissible),
            translations: Set(translations),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await?)
    }

    async fn get(&self, id: Uuid) -> Result<banner::Model, DomainError> {
        banner::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such banner".into()))
    }

    /// Replaces a banner's content and settings.
    pub async fn update(&self, id: Uuid, spec: BannerSpec) -> Result<banner::Model, DomainError> {
        spec.check()?;
        let translations = spec
            .translations
            .as_deref()
            .map(stored_translations)
            .transpose()?;
        let mut row = self.get(id).await?.into_active_model();
        if let Some(translations) = translations {
            row.translations = Set(translations);
        }
        row.message_markdown = Set(spec.markdown.trim().to_owned());
        row.variant = Set(spec.variant);
        row.audience = Set(Role::to_json(&spec.audience));
        row.starts_at = Set(spec.starts_at);
        row.ends_at = Set(spec.ends_at);
        row.active = Set(spec.active);
        row.dismissible = Set(spec.dismissible);
        row.updated_at = Set(Utc::now());
        Ok(row.update(&self.db).await?)
    }

    /// Deletes a banner.
    pub async fn delete(&self, id: Uuid) -> Result<(), DomainError> {
        let row = self.get(id).await?;
        banner::Entity::delete_by_id(row.id).exec(&self.db).await?;
        Ok(())
    }

    /// Hides a dismissible banner from `user` for good.
    pub async fn dismiss(&self, user: Uuid, id: Uuid) -> Result<(), DomainError> {
        let row = self.get(id).await?;
        if !row.dismissible {
            return Err(DomainError::Conflict(
                "this banner cannot be dismissed".into(),
            ));
        }
        banner_dismissal::Entity::insert(banner_dismissal::ActiveModel {
            banner_id: Set(row.id),
            user_id: Set(user),
            dismissed_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::columns([
                banner_dismissal::Column::BannerId,
                banner_dismissal::Column::UserId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_made_safe() {
        let html = render(
            "**Maintenance** tonight, see [status](https://status.example)\n\n<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1))",
        );
        assert!(html.contains("<strong>Maintenance</strong>"), "{html}");
        assert!(html.contains("href=\"https://status.example\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
        assert!(
            !html.contains("<script") && !html.contains("onerror"),
            "{html}"
        );
        let link = render("[x](javascript:alert(1))");
        assert!(!link.contains("href=\"javascript"), "{link}");
    }

    #[test]
    fn readers_get_their_language_or_english() {
        let now = Utc::now();
        let row = banner::Model {
            id: Uuid::nil(),
            message_markdown: "Maintenance".into(),
            variant: "info".into(),
            audience: Role::to_json(&[]),
            starts_at: None,
            ends_at: None,
            active: true,
            dismissible: true,
            translations: serde_json::json!({"de": "Wartung", "zh-CN": "维护"}),
            created_at: now,
            updated_at: now,
        };
        let text = |language| text_for(&row, language);
        assert_eq!(text(Some("de")), ("de", "Wartung".into()));
        assert_eq!(text(Some("de-AT")), ("de", "Wartung".into()));
        assert_eq!(text(Some("zh-cn")), ("zh-CN", "维护".into()));
        assert_eq!(text(Some("fr")), ("en", "Maintenance".into()));
        assert_eq!(text(Some("xx")), ("en", "Maintenance".into()));
        assert_eq!(text(None), ("en", "Maintenance".into()));
        assert_eq!(
            translations(&row),
            vec![("de", "Wartung".into()), ("zh-CN", "维护".into())]
        );
    }

    #[test]
    fn translations_are_known_languages_with_text_once() {
        let list = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
                .collect()
        };
        assert_eq!(
            stored_translations(&list(&[("DE", " Wartung "), ("zh-cn", "维护")])).ok(),
            Some(serde_json::json!({"de": "Wartung", "zh-CN": "维护"}))
        );
        for bad in [
            list(&[("xx", "text")]),
            list(&[("en", "text")]),
            list(&[("de", "  ")]),
            list(&[("de", &"x".repeat(MAX_MARKDOWN + 1))]),
            list(&[("de", "a"), ("DE", "b")]),
        ] {
            assert!(
                matches!(stored_translations(&bad), Err(DomainError::BadInput(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn audience_and_schedule_decide_who_sees_a_banner() {
        let now = Utc::now();
        let row = banner::Model {
            id: Uuid::nil(),
            message_markdown: "x".into(),
            variant: "info".into(),
            audience: Role::to_json(&[Role::Admin]),
            starts_at: Some(now - chrono::TimeDelta::hours(1)),
            ends_at: Some(now + chrono::TimeDelta::hours(1)),
            active: true,
            dismissible: true,
            translations: serde_json::json!({}),
            created_at: now,
            updated_at: now,
        };
        assert!(shown(&row, Some(&[Role::Admin, Role::User]), now));
        assert!(!shown(&row, Some(&[Role::User]), now));
        assert!(!shown(&row, None, now));
        assert!(!shown(
            &row,
            Some(&[Role::Admin]),
            now + chrono::TimeDelta::hours(2)
        ));
        let everyone = banner::Model {
            audience: Role::to_json(&[]),
            ..row
        };
        assert!(shown(&everyone, None, now));
    }
}
