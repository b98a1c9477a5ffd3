//! The model catalog: models, their deployments on clusters, and the registry version that
//! tells every replica when to reload its in-memory routing table.

mod service;

pub use service::{
    CatalogService, DeclaredDeployment, DeclaredModel, DeploymentChanges, ModelWithDeployments,
    Registered, Registration, SOURCE_ADMIN_API, SOURCE_CONFIG,
};
