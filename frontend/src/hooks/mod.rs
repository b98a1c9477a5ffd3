//! Hooks (`use_…`) and the context providers pages share.

mod pending;
mod portal;
mod theme;
mod toasts;
mod use_mutation;
mod use_query;

pub use pending::use_pending_count;
pub use portal::{PortalProvider, go_to, use_portal};
pub use theme::{ThemeChoice, ThemeProvider, use_theme};
pub use toasts::{Toast, ToastProvider, use_error_toast, use_toasts};
pub use use_mutation::use_mutation;
pub use use_query::{QueryState, use_query};
