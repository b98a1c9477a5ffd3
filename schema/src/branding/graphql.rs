//! GraphQL fields for branding. Branding is public: the sign-in page needs it.

use async_graphql::{Context, ErrorExtensions, Object, SimpleObject};

use super::BrandingService;

/// What the portal shows as its identity.
#[derive(SimpleObject, Clone, Debug)]
pub struct Branding {
    /// The portal's title, shown in the header and the browser tab.
    pub title: String,
    /// A line under the title.
    pub subtitle: String,
}

impl From<entity::branding::Model> for Branding {
    fn from(row: entity::branding::Model) -> Self {
        Self {
            title: row.title,
            subtitle: row.subtitle,
        }
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
