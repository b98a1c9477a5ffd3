//! Reusable view pieces.

pub mod account_menu;
pub mod budget_bar;
pub mod chart;
pub mod copy;
pub mod key_limits;
pub mod layout;
pub mod modal;
pub mod preset_select;
pub mod snippets;
pub mod states;
