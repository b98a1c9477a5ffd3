//! Spend, from the moment a request is settled: the event that describes it (defined with its
//! storage in `schema::spend`, re-exported here), the ledger that queues it for the database
//! (`ledger`), and the live feed that shows it to subscribers on every replica (`live`). The
//! gateway's accounting sends each event to both.

pub mod journal;
pub mod ledger;
pub mod live;

pub use self::ledger::{Ledger, LedgerWriter};
pub use self::live::LiveFeed;
pub use schema::spend::{Outcome, SpendEvent};
