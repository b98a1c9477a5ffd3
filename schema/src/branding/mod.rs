//! Portal branding: the titles and texts every visitor sees, editable by admins.

mod graphql;
mod service;

pub use graphql::{Branding, BrandingInput, BrandingMutation, BrandingQuery, Logo, LogoSlot};
pub use service::{BrandingChanges, BrandingService, LOGO_SLOTS, MAX_LOGO_BYTES, sniff_image};
