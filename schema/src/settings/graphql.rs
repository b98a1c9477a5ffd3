//! GraphQL for platform settings: the currency (public, prices are shown in it) and the
//! platform settings (administrators).

use async_graphql::{Context, ErrorExtensions, Object};

use super::{PlatformSettings, SettingsService};
use crate::access::{Needs, Permission};

/// Settings queries.
#[derive(Default)]
pub struct SettingsQuery;

#[Object]
impl SettingsQuery {
    /// The currency prices and spend are in (ISO 4217). Public.
    async fn currency(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let settings = ctx
            .data::<SettingsService>()?
            .platform()
            .await
            .map_err(|e| e.extend())?;
        Ok(settings.currency)
    }

    /// The platform settings (administrators).
    #[graphql(guard = "Needs(Permission::ReadAll)")]
    async fn platform_settings(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<PlatformSettings> {
        ctx.data::<SettingsService>()?
            .platform()
            .await
            .map_err(|e| e.extend())
    }
}

/// Settings mutations.
#[derive(Default)]
pub struct SettingsMutation;

#[Object]
impl SettingsMutation {
    /// Replaces the platform settings (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn set_platform_settings(
        &self,
        ctx: &Context<'_>,
        settings: PlatformSettings,
    ) -> async_graphql::Result<PlatformSettings> {
        ctx.data::<SettingsService>()?
            .set_platform(settings)
            .await
            .map_err(|e| e.extend())
    }
}
