//! GraphQL fields for branding. Branding is public (the sign-in page needs it); only
//! administrators change it.

use async_graphql::{
    ComplexObject, Context, Enum, ErrorExtensions, InputObject, MaybeUndefined, Object,
    SimpleObject,
};
use base64::Engine;

use super::{BrandingChanges, BrandingService};
use crate::DomainError;
use crate::access::{Needs, Permission};

/// Where a logo is shown.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum LogoSlot {
    /// The sign-in page.
    Login,
    /// The header on a light background.
    HeaderLight,
    /// The header on a dark background.
    HeaderDark,
}

impl LogoSlot {
    fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::HeaderLight => "header-light",
            Self::HeaderDark => "header-dark",
        }
    }
}

/// An uploaded logo.
#[derive(SimpleObject, Clone, Debug)]
pub struct Logo {
    pub slot: LogoSlot,
    /// Where the portal loads it from (changes with the image, so it can be cached for good).
    pub url: String,
    pub content_type: String,
    pub size: i32,
}

fn logo_of(slot: LogoSlot, row: &entity::branding_asset::Model) -> Logo {
    Logo {
        slot,
        url: format!(
            "/branding/logo/{}?v={}",
            slot.as_str(),
            &row.sha256[..16.min(row.sha256.len())]
        ),
        content_type: row.content_type.clone(),
        size: i32::try_from(row.bytes.len()).unwrap_or(i32::MAX),
    }
}

/// What the portal shows as its identity.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Branding {
    /// The portal's title, shown in the header and the browser tab.
    pub title: String,
    /// A line under the title.
    pub subtitle: String,
    /// `#rrggbb`, when set.
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    /// The sign-in page's heading and text.
    pub login_title: Option<String>,
    pub login_text: Option<String>,
    pub footer_text: Option<String>,
}

impl From<entity::branding::Model> for Branding {
    fn from(row: entity::branding::Model) -> Self {
        Self {
            title: row.title,
            subtitle: row.subtitle,
            primary_color: row.primary_color,
            accent_color: row.accent_color,
            login_title: row.login_title,
            login_text: row.login_text,
            footer_text: row.footer_text,
        }
    }
}

#[ComplexObject]
impl Branding {
    /// The uploaded logos.
    async fn logos(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Logo>> {
        let service = ctx.data::<BrandingService>()?;
        let mut logos = Vec::new();
        for slot in [LogoSlot::Login, LogoSlot::HeaderLight, LogoSlot::HeaderDark] {
            if let Some(row) = service.logo(slot.as_str()).await.map_err(|e| e.extend())? {
                logos.push(logo_of(slot, &row));
            }
        }
        Ok(logos)
    }
}

/// Changes to the branding; a field left out stays, `null` clears an optional one.
#[derive(InputObject, Clone, Debug, Default)]
pub struct BrandingInput {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub primary_color: MaybeUndefined<String>,
    pub accent_color: MaybeUndefined<String>,
    pub login_title: MaybeUndefined<String>,
    pub login_text: MaybeUndefined<String>,
    pub footer_text: MaybeUndefined<String>,
}

use crate::convert::change;

/// Branding query fields.
#[derive(Default)]
pub struct BrandingQuery;

#[Object]
impl BrandingQuery {
    /// The portal's branding; readable by everyone, signed in or not.
    async fn branding(&self, ctx: &Context<'_>) -> async_graphql::Result<Branding> {
        let service = ctx.data::<BrandingService>()?;
        let row = service.current().await.map_err(|e| e.extend())?;
        Ok(row.into())
    }
}

/// Branding mutations.
#[derive(Default)]
pub struct BrandingMutation;

#[Object]
impl BrandingMutation {
    /// Changes titles, colours and texts (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn update_branding(
        &self,
        ctx: &Context<'_>,
        input: BrandingInput,
    ) -> async_graphql::Result<Branding> {
        let changes = BrandingChanges {
            title: input.title,
            subtitle: input.subtitle,
            primary_color: change(input.primary_color),
            accent_color: change(input.accent_color),
            login_title: change(input.login_title),
            login_text: change(input.login_text),
            footer_text: change(input.footer_text),
        };
        let row = ctx
            .data::<BrandingService>()?
            .update(changes)
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }

    /// Uploads a logo (PNG, JPEG, WebP or SVG up to 512 KiB, base64-encoded; the type is
    /// checked against the bytes). Administrators.
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn upload_logo(
        &self,
        ctx: &Context<'_>,
        slot: LogoSlot,
        content_type: String,
        data_base64: String,
    ) -> async_graphql::Result<Logo> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data_base64.trim())
            .map_err(|_| DomainError::BadInput("dataBase64 is not base64".into()).extend())?;
        let row = ctx
            .data::<BrandingService>()?
            .set_logo(slot.as_str(), &content_type, bytes)
            .await
            .map_err(|e| e.extend())?;
        Ok(logo_of(slot, &row))
    }

    /// Removes a logo (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn remove_logo(
        &self,
        ctx: &Context<'_>,
        slot: LogoSlot,
    ) -> async_graphql::Result<LogoSlot> {
        ctx.data::<BrandingService>()?
            .remove_logo(slot.as_str())
            .await
            .map_err(|e| e.extend())?;
        Ok(slot)
    }
}
