//! Usage analytics over the hourly rollups the spend ledger keeps.

mod graphql;
mod service;

pub use graphql::{
    GranularityInput, UsageGroupBy, UsageInput, UsageQuery, UsageSeries, report_series,
    scoped_filter,
};
pub use service::{Active, Granularity, GroupBy, Series, Sums, UsageFilter, UsageService};
