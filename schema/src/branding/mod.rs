//! Portal branding: the titles and texts every visitor sees, editable by admins.

mod graphql;
mod service;

pub use graphql::{Branding, BrandingInput, BrandingMutation, BrandingQuery};
pub use service::{BrandingChanges, BrandingService};
