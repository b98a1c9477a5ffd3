//! Hooks (`use_…`) that pages share.

mod use_branding;
mod use_session;

pub use use_branding::{BrandingState, use_branding};
pub use use_session::{SessionState, go_to, use_session};
