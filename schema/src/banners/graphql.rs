//! GraphQL for banners: what I should see now (public), all of them and their changes
//! (administrators), and dismissing one for myself.

use async_graphql::{Context, Enum, ErrorExtensions, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{BannerService, BannerSpec, render};
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

/// An announcement.
#[derive(SimpleObject, Clone, Debug)]
pub struct Banner {
    pub id: ID,
    /// As written.
    pub markdown: String,
    /// Rendered and sanitised: safe to insert as HTML.
    pub html: String,
    pub variant: BannerVariant,
    /// Roles that see it; empty: everyone.
    pub audience: Vec<Role>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub active: bool,
    pub dismissible: bool,
}

impl From<entity::banner::Model> for Banner {
    fn from(row: entity::banner::Model) -> Self {
        Self {
            id: ID(row.id.to_string()),
            html: render(&row.message_markdown),
            markdown: row.message_markdown,
            variant: BannerVariant::parse(&row.variant),
            audience: Role::from_json(&row.audience),
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            active: row.active,
            dismissible: row.dismissible,
        }
    }
}

/// A banner's content and settings.
#[derive(InputObject, Clone, Debug)]
pub struct BannerInput {
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
    async fn banners(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Banner>> {
        let caller = caller(ctx);
        let user = caller.principal.as_ref().and_then(|p| p.user_id);
        let roles = caller.principal.as_ref().map(|p| p.roles.as_slice());
        let rows = service(ctx)?
            .current(user, roles)
            .await
            .map_err(|e| e.extend())?;
        Ok(rows.into_iter().map(Banner::from).collect())
    }

    /// Every banner, scheduled, past and inactive ones included (administrators).
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
