//! Login throttling that stops password guessing without letting strangers lock anyone out.
//!
//! Failures are counted per account (whichever name, id or e-mail, was typed) and per client
//! (its address), within a window:
//!
//! - one client failing `max_failures` times on one account is refused for that account until
//!   the window has passed; the account's owner, signing in from elsewhere, is not;
//! - one client failing `client_max_failures` times, on any accounts, is refused altogether
//!   (a spray of guesses over many names);
//! - an account failing more than `2 × max_failures` times in all, from any clients, is
//!   slowed, not locked: each attempt on it waits a second per failure beyond that, at most
//!   [`MAX_DELAY`], so guesses from many addresses crawl while the right password still
//!   signs in.
//!
//! Counted per replica: N replicas allow at most N × the limits, which still turns an online
//! guessing attack from millions of tries an hour into a handful.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries kept in one count before old ones are swept (bounds memory under a spray).
const SWEEP_AT: usize = 10_000;
/// The longest an attempt on a much-guessed account waits.
pub const MAX_DELAY: Duration = Duration::from_secs(10);

/// Failures per key within a window.
struct Counts {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    window: Duration,
}

impl Counts {
    fn new(window: Duration) -> Self {
        Self {
            failures: Mutex::new(HashMap::new()),
            window,
        }
    }

    /// The failures of `key` in its current window, and how long until that window ends.
    fn get(&self, key: &str) -> (u32, Duration) {
        let Ok(failures) = self.failures.lock() else {
            return (0, Duration::ZERO);
        };
        match failures.get(key) {
            Some((count, since)) if since.elapsed() < self.window => {
                (*count, self.window - since.elapsed())
            }
            _ => (0, Duration::ZERO),
        }
    }

    fn add(&self, key: String) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        let now = Instant::now();
        if failures.len() >= SWEEP_AT {
            let window = self.window;
            failures.retain(|_, (_, since)| now.duration_since(*since) < window);
        }
        let entry = failures.entry(key).or_insert((0, now));
        if now.duration_since(entry.1) >= self.window {
            *entry = (0, now);
        }
        entry.0 = entry.0.saturating_add(1);
    }

    fn forget(&self, key: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(key);
        }
    }
}

/// Why a sign-in attempt is not even checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// This client failed too often on this account; it may try again after the wait.
    Account(Duration),
    /// This client failed too often on any accounts.
    Client(Duration),
}

/// Failed sign-ins per account, per client, and per account and client.
pub struct LoginThrottle {
    by_pair: Counts,
    by_client: Counts,
    by_account: Counts,
    max_failures: u32,
    client_max_failures: u32,
}

/// The client key for attempts whose address is not known.
fn client_key(client: Option<&str>) -> &str {
    client.unwrap_or("-")
}

fn pair_key(account: &str, client: Option<&str>) -> String {
    format!("{account}\n{}", client_key(client))
}

impl LoginThrottle {
    /// At most `max_failures` failures per `window` for one account from one client, and
    /// `client_max_failures` from one client in all.
    pub fn new(max_failures: u32, client_max_failures: u32, window: Duration) -> Self {
        Self {
            by_pair: Counts::new(window),
            by_client: Counts::new(window),
            by_account: Counts::new(window),
            max_failures: max_failures.max(1),
            client_max_failures: client_max_failures.max(1),
        }
    }

    /// Ok when `client` may try at all.
    pub fn check_client(&self, client: Option<&str>) -> Result<(), Refused> {
        let (failures, left) = self.by_client.get(client_key(client));
        if failures >= self.client_max_failures {
            Err(Refused::Client(left))
        } else {
            Ok(())
        }
    }

    /// Ok with how long to wait before checking the password when `client` may try
    /// `account` (its user id, or the typed name when no account has it).
    pub fn check(&self, account: &str, client: Option<&str>) -> Result<Duration, Refused> {
        self.check_client(client)?;
        let (failures, left) = self.by_pair.get(&pair_key(account, client));
        if failures >= self.max_failures {
            return Err(Refused::Account(left));
        }
        let (all, _) = self.by_account.get(account);
        let beyond = all.saturating_sub(self.max_failures.saturating_mul(2));
        Ok(Duration::from_secs(beyond.into()).min(MAX_DELAY))
    }

    /// Records a failed attempt of `client` on `account`.
    pub fn failed(&self, account: &str, client: Option<&str>) {
        self.by_pair.add(pair_key(account, client));
        self.by_client.add(client_key(client).to_owned());
        self.by_account.add(account.to_owned());
    }

    /// Forgets the failures on `account` once it signed in from `client`.
    pub fn succeeded(&self, account: &str, client: Option<&str>) {
        self.by_pair.forget(&pair_key(account, client));
        self.by_account.forget(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_refused_an_account_it_failed_on_and_others_are_not() {
        let throttle = LoginThrottle::new(3, 100, Duration::from_millis(300));
        for _ in 0..3 {
            assert_eq!(throttle.check("ana", Some("10.0.0.1")), Ok(Duration::ZERO));
            throttle.failed("ana", Some("10.0.0.1"));
        }
        let Err(Refused::Account(wait)) = throttle.check("ana", Some("10.0.0.1")) else {
            panic!("the guessing client is refused");
        };
        assert!(wait <= Duration::from_millis(300));
        assert!(
            throttle.check("ana", Some("10.0.0.2")).is_ok(),
            "the owner elsewhere is not locked out"
        );
        assert!(throttle.check("bob", Some("10.0.0.1")).is_ok());
        std::thread::sleep(Duration::from_millis(320));
        assert!(throttle.check("ana", Some("10.0.0.1")).is_ok());
    }

    #[test]
    fn a_client_spraying_many_accounts_is_refused_altogether() {
        let throttle = LoginThrottle::new(3, 5, Duration::from_secs(60));
        for i in 0..5 {
            throttle.failed(&format!("user{i}"), Some("10.0.0.9"));
        }
        assert!(matches!(
            throttle.check("someone-new", Some("10.0.0.9")),
            Err(Refused::Client(_))
        ));
        assert!(throttle.check("someone-new", Some("10.0.0.8")).is_ok());
    }

    #[test]
    fn an_account_guessed_from_everywhere_is_slowed_not_locked() {
        let throttle = LoginThrottle::new(2, 100, Duration::from_secs(60));
        for i in 0..7 {
            throttle.failed("admin", Some(&format!("10.1.0.{i}")));
        }
        // Seven failures, three beyond twice the limit: three seconds for a new client.
        assert_eq!(
            throttle.check("admin", Some("192.0.2.1")),
            Ok(Duration::from_secs(3))
        );
        for i in 0..100 {
            throttle.failed("admin", Some(&format!("10.2.0.{i}")));
        }
        assert_eq!(throttle.check("admin", Some("192.0.2.1")), Ok(MAX_DELAY));
        throttle.succeeded("admin", Some("192.0.2.1"));
        assert_eq!(
            throttle.check("admin", Some("192.0.2.1")),
            Ok(Duration::ZERO)
        );
    }
}
