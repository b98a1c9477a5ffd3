//! GraphQL fields for branding. Branding is public (the sign-in page needs it); only
//! administrators change it.

use async_graphql::{Context, ErrorExtensions, InputObject, MaybeUndefined, Object, SimpleObject};

use super::{BrandingChanges, BrandingService};
use crate::identity::{Needs, Permission};

/// What the portal shows as its identity.
#[derive(SimpleObject, Clone, Debug)]
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

fn change(value: MaybeUndefined<String>) -> Option<Option<String>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

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
}
