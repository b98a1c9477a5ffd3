//! Hooks (`use_…`) that pages share.

mod use_branding;

pub use use_branding::{BrandingState, use_branding};
