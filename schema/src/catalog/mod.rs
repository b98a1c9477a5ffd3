//! The model catalog: models, their deployments on clusters, and the registry version that
//! tells every replica when to reload its in-memory routing table; and its GraphQL view.

mod admin;
mod api_base;
mod graphql;
mod service;

pub use admin::{CatalogAdminMutation, CatalogReload, ConnectionTest, ModelServers};
pub use api_base::api_base;

pub use graphql::{
    Capability, CatalogModel, CatalogQuery, DeploymentHealth, ModelLoader, SubscriptionStatus,
    SubscriptionStatuses, load_catalog, model_by_id,
};
pub use service::{
    CatalogService, DeclaredDeployment, DeclaredModel, DeploymentChanges, ModelChanges,
    ModelWithDeployments, Registered, Registration, SOURCE_ADMIN_API, SOURCE_CONFIG, access_groups,
    bump_version,
};
