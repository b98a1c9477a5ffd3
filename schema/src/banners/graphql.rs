//! GraphQL for banners: what I should see now (public), all of them and their changes
//! (administrators), and dismissing one for myself. A banner's text comes in the reader's
//! language when it has one, in English otherwise; administrators read every language's.

use async_graphql::{
    ComplexObject, Context, Enum, ErrorExtensions, ID, InputObject, Object, SimpleObject,
};
use chrono::{DateTime, Utc};

use super::{BannerService, BannerSpec, render, text_for, translations};
use crate::access::{Needs, Permission, Role, caller};

/// How a banner looks.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum BannerVariant {
    Info,
    Success,
    Warning,
    Danger,
}

impl BannerVariant {
    fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Success => "success",
            Self::Warning => "warning",
            Self::Danger => "danger",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "success" => Self::Success,
            "warning" => Self::Warning,
            "danger" => Self::Danger,
            _ => Self::Info,
        }
    }
}

/// A banner's text in one language.
#[derive(SimpleObject, Clone, Debug)]
pub struct BannerText {
    /// Its language tag (`de`, `zh-CN`).
    pub language: String,
    /// As written.
    pub markdown: String,
    /// Rendered and sanitised: safe to insert as HTML.
    pub html: String,
}

/// An announcement.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Banner {
    pub id: ID,
    /// As written, in `language`.
    pub markdown: String,
    /// Rendered and sanitised: safe to insert as HTML.
    pub html: String,
    /// The language of `markdown` and `html`: the reader's when the banner has it (see
    /// `banners(language:)`), else `en`, the banner's main text.
    pub language: String,
    pub variant: BannerVariant,
    /// Roles that see it; empty: everyone.
    pub audience: Vec<Role>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub active: bool,
    pub dismissible: bool,
    #[graphql(skip)]
    row: entity::banner::Model,
}

#[ComplexObject]
impl Banner {
    /// The text in the portal's other languages it has (English, the main text, is
    /// `markdown` of `allBanners`).
    async fn translations(&self) -> Vec<BannerText> {
        translations(&self.row)
            .into_iter()
            .map(|(language, markdown)| BannerText {
                language: language.to_owned(),
                html: render(&markdown),
                markdown,
            })
            .collect()
    }
}

impl Banner {
    /// `row` with its text for a reader in `language` (English when `None`).
    fn in_language(row: entity::banner::Model, language: Option<&str>) -> Self {
        let (language, markdown) = text_for(&row, language);
        Self {
            id: ID(row.id.to_string()),
            html: render(&markdown),
            markdown,
            language: language.to_owned(),
            variant: BannerVariant::parse(&row.variant),
            audience: Role::from_json(&row.audience),
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            active: row.active,
            dismissible: row.dismissible,
            row,
        }
    }
}

impl From<entity::banner::Model> for Banner {
    fn from(row: entity::banner::Model) -> Self {
        Self::in_language(row, None)
    }
}

/// A banner's text in one language.
#[derive(InputObject, Clone, Debug)]
pub struct BannerTextInput {
    /// One of the portal's languages other than English: `es`, `fr`, `de`, `it`, `ja`, `ko`,
    /// `zh-CN`.
    pub language: String,
    /// 1 to 4,000 characters of markdown, rendered and sanitised like the main text.
    pub markdown: String,
}

/// A banner's content and settings.
#[derive(InputObject, Clone, Debug)]
pub struct BannerInput {
    /// The English text, shown to readers whose language the banner has no text in.
    pub markdown: String,
    #[graphql(default_with = "BannerVariant::Info")]
    pub variant: BannerVariant,
    /// Roles that see it; empty or left out: everyone.
    #[graphql(default)]
    pub audience: Vec<Role>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    #[graphql(default = true)]
    pub active: bool,
    #[graphql(default = true)]
    pub dismissible: bool,
    /// The text in other languages, each at most once. Left out: a new banner has none and a
    /// changed one keeps its own; given: replaces them all (`[]` removes every one).
    pub translations: Option<Vec<BannerTextInput>>,
}

impl From<BannerInput> for BannerSpec {
    fn from(input: BannerInput) -> Self {
        Self {
            markdown: input.markdown,
            variant: input.variant.as_str().to_owned(),
            audience: input.audience,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            active: input.active,
            dismissible: input.dismissible,
            translations: input.translations.map(|list| {
                list.into_iter()
                    .map(|text| (text.language, text.markdown))
                    .collect()
            }),
        }
    }
}

use crate::convert::gql_id as uuid;

fn service<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a BannerService> {
    ctx.data::<BannerService>()
}

/// Banner queries.
#[derive(Default)]
pub struct BannerQuery;

#[Object]
impl BannerQuery {
    /// The banners to show me now (everyone's, my roles', not dismissed). Public.
    async fn banners(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "My language (`de`, `zh-CN`; a region such as `de-AT` counts as its language): each banner's text comes in it when the banner has it, in English otherwise (and when left out)."
        )]
        language: Option<String>,
    ) -> async_graphql::Result<Vec<Banner>> {
        let caller = caller(ctx);
        let user = caller.principal.as_ref().and_then(|p| p.user_id);
        let roles = caller.principal.as_ref().map(|p| p.roles.as_slice());
        let rows = service(ctx)?
            .current(user, roles)
            .await
            .map_err(|e| e.extend())?;
        Ok(rows
            .into_iter()
            .map(|row| Banner::in_language(row, language.as_deref()))
            .collect())
    }

    /// Every banner, scheduled, past and inactive ones included, with their English text and
    /// `translations` (administrators).
    #[graphql(guard = "Needs(Permission::ReadAll)")]
    async fn all_banners(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Banner>> {
        let rows = service(ctx)?.all().await.map_err(|e| e.extend())?;
        Ok(rows.into_iter().map(Banner::from).collect())
    }

    /// `markdown` as a banner would show it: rendered and sanitised exactly as saved banners
    /// are (administrators; for the editor's preview).
    #[graphql(guard = "Needs(Permission::ReadAll)")]
    async fn banner_preview(&self, markdown: String) -> async_graphql::Result<String> {
        super::check_text(&markdown).map_err(|e| e.extend())?;
        Ok(render(&markdown))
    }
}

/// Banner mutations.
#[derive(Default)]
pub struct BannerMutation;

#[Object]
impl BannerMutation {
    /// Creates a banner (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn create_banner(
        &self,
        ctx: &Context<'_>,
        input: BannerInput,
    ) -> async_graphql::Result<Banner> {
        let row = service(ctx)?
            .create(input.into())
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }

    /// Replaces a banner's content and settings (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn update_banner(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: BannerInput,
    ) -> async_graphql::Result<Banner> {
        let row = service(ctx)?
            .update(uuid(&id)?, input.into())
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }

    /// Deletes a banner (administrators); returns its id.
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn delete_banner(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ID> {
        service(ctx)?
            .delete(uuid(&id)?)
            .await
            .map_err(|e| e.extend())?;
        Ok(id)
    }

    /// Stops showing me a dismissible banner.
    #[graphql(guard = "Needs(Permission::WriteOwn)")]
    async fn dismiss_banner(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ID> {
        let user = caller(ctx)
            .require_user(Permission::WriteOwn)
            .map_err(|e| e.extend())?;
        service(ctx)?
            .dismiss(user, uuid(&id)?)
            .await
            .map_err(|e| e.extend())?;
        Ok(id)
    }
}
