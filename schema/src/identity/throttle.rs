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
//! Each attempt counts as a failure when it starts (a success takes it back), so attempts
//! sent together cannot all slip through before the first is known to fail; a slowed attempt
//! has been counted before it waits.
//!
//! Counted per replica: N replicas allow at most N × the limits, which still turns an online
//! guessing attack from millions of tries an hour into a handful.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries one count keeps at most: when full, the expired ones are swept, and when none
/// has expired it starts again empty (memory stays bounded under a spray from countless
/// addresses, at the price of forgetting their failures).
const MAX_TRACKED: usize = 100_000;
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
            Some((count, since)) => {
                let elapsed = since.elapsed();
                if elapsed < self.window {
                    (*count, self.window.saturating_sub(elapsed))
                } else {
                    (0, Duration::ZERO)
                }
            }
            None => (0, Duration::ZERO),
        }
    }

    fn add(&self, key: String) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        let now = Instant::now();
        if failures.len() >= MAX_TRACKED && !failures.contains_key(&key) {
            let window = self.window;
            failures.retain(|_, (_, since)| now.duration_since(*since) < window);
            if failures.len() >= MAX_TRACKED {
                failures.clear();
            }
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

    /// Takes back one failure of `key` (an attempt counted in advance that succeeded).
    fn take_back(&self, key: &str) {
        if let Ok(mut failures) = self.failures.lock()
            && let Some((count, _)) = failures.get_mut(key)
        {
            *count = count.saturating_sub(1);
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
    /// `account` (its user id, or a digest of the typed name when no account has it); the
    /// attempt is counted as a failure at once, so attempts sent together cannot all pass
    /// before the first is known to fail ([`succeeded`](Self::succeeded) takes it back).
    pub fn attempt(&self, account: &str, client: Option<&str>) -> Result<Duration, Refused> {
        self.check_client(client)?;
        let pair = pair_key(account, client);
        let (failures, left) = self.by_pair.get(&pair);
        if failures >= self.max_failures {
            return Err(Refused::Account(left));
        }
        let (all, _) = self.by_account.get(account);
        self.by_pair.add(pair);
        self.by_client.add(client_key(client).to_owned());
        self.by_account.add(account.to_owned());
        let beyond = all.saturating_sub(self.max_failures.saturating_mul(2));
        Ok(Duration::from_secs(beyond.into()).min(MAX_DELAY))
    }

    /// `client` signed in to `account`: its attempt was no failure, and the account's
    /// failures are forgotten.
    pub fn succeeded(&self, account: &str, client: Option<&str>) {
        self.by_pair.forget(&pair_key(account, client));
        self.by_account.forget(account);
        self.by_client.take_back(client_key(client));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_refused_an_account_it_failed_on_and_others_are_not() {
        let throttle = LoginThrottle::new(3, 100, Duration::from_millis(300));
        for _ in 0..3 {
            assert_eq!(
                throttle.attempt("ana", Some("10.0.0.1")),
                Ok(Duration::ZERO)
            );
        }
        let Err(Refused::Account(wait)) = throttle.attempt("ana", Some("10.0.0.1")) else {
            panic!("the guessing client is refused");
        };
        assert!(wait <= Duration::from_millis(300));
        assert!(
            throttle.attempt("ana", Some("10.0.0.2")).is_ok(),
            "the owner elsewhere is not locked out"
        );
        assert!(throttle.attempt("bob", Some("10.0.0.1")).is_ok());
        std::thread::sleep(Duration::from_millis(320));
        assert!(throttle.attempt("ana", Some("10.0.0.1")).is_ok());
    }

    #[test]
    fn a_client_spraying_many_accounts_is_refused_altogether() {
        let throttle = LoginThrottle::new(3, 5, Duration::from_secs(60));
        for i in 0..5 {
            assert!(
                throttle
                    .attempt(&format!("user{i}"), Some("10.0.0.9"))
                    .is_ok()
            );
        }
        assert!(matches!(
            throttle.attempt("someone-new", Some("10.0.0.9")),
            Err(Refused::Client(_))
        ));
        assert!(throttle.attempt("someone-new", Some("10.0.0.8")).is_ok());
    }

    #[test]
    fn an_account_guessed_from_everywhere_is_slowed_not_locked() {
        let throttle = LoginThrottle::new(2, 100, Duration::from_secs(60));
        for i in 0..7 {
            assert!(
                throttle
                    .attempt("admin", Some(&format!("10.1.0.{i}")))
                    .is_ok()
            );
        }
        // Seven failures, three beyond twice the limit: three seconds for a new client.
        assert_eq!(
            throttle.attempt("admin", Some("192.0.2.1")),
            Ok(Duration::from_secs(3))
        );
        for i in 0..100 {
            assert!(
                throttle
                    .attempt("admin", Some(&format!("10.2.0.{i}")))
                    .is_ok()
            );
        }
        assert_eq!(throttle.attempt("admin", Some("192.0.2.1")), Ok(MAX_DELAY));
        throttle.succeeded("admin", Some("192.0.2.1"));
        assert_eq!(
            throttle.attempt("admin", Some("192.0.2.1")),
            Ok(Duration::ZERO)
        );
    }

    #[test]
    fn attempts_count_at_once_and_a_success_takes_its_attempt_back() {
        let throttle = LoginThrottle::new(3, 4, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(throttle.attempt("ana", Some("10.0.0.1")).is_ok());
        }
        // Three in flight together: a fourth is refused before any of them is decided.
        assert!(throttle.attempt("ana", Some("10.0.0.1")).is_err());
        throttle.succeeded("ana", Some("10.0.0.1"));
        assert!(throttle.attempt("ana", Some("10.0.0.1")).is_ok());
        // The client's count lost the successful attempt: 3 counted, under its cap of 4.
        assert!(throttle.check_client(Some("10.0.0.1")).is_ok());
    }
}
