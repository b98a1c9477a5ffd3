//! Login throttling: after too many failed passwords for one account name, further attempts
//! are refused until the window has passed, whether the password is right or not.
//!
//! Counted per replica: N replicas allow at most N × the limit, which still turns an online
//! guessing attack from millions of tries an hour into a handful.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries kept before old ones are swept (bounds memory under a spray of names).
const SWEEP_AT: usize = 10_000;

/// Failed sign-ins per account name.
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    max_failures: u32,
    window: Duration,
}

impl LoginThrottle {
    /// At most `max_failures` failures per `window` for one name.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            failures: Mutex::new(HashMap::new()),
            max_failures: max_failures.max(1),
            window,
        }
    }

    fn key(name: &str) -> String {
        name.trim().to_lowercase()
    }

    /// Ok when `name` may try; otherwise how long until it may.
    pub fn check(&self, name: &str) -> Result<(), Duration> {
        let Ok(failures) = self.failures.lock() else {
            return Ok(());
        };
        match failures.get(&Self::key(name)) {
            Some((count, since)) if *count >= self.max_failures => {
                let waited = since.elapsed();
                if waited < self.window {
                    Err(self.window - waited)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Records a failed attempt.
    pub fn failed(&self, name: &str) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        let now = Instant::now();
        if failures.len() >= SWEEP_AT {
            let window = self.window;
            failures.retain(|_, (_, since)| now.duration_since(*since) < window);
        }
        let entry = failures.entry(Self::key(name)).or_insert((0, now));
        if now.duration_since(entry.1) >= self.window {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    /// Forgets the failures of a name that signed in.
    pub fn succeeded(&self, name: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&Self::key(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_limit_and_unlocks_after_the_window() {
        let throttle = LoginThrottle::new(3, Duration::from_millis(200));
        for _ in 0..3 {
            assert!(throttle.check("Ana").is_ok());
            throttle.failed("Ana");
        }
        let wait = throttle.check("ana ").unwrap_err();
        assert!(wait <= Duration::from_millis(200));
        assert!(
            throttle.check("bob").is_ok(),
            "other names are not affected"
        );
        std::thread::sleep(Duration::from_millis(220));
        assert!(throttle.check("ana").is_ok());
        throttle.failed("ana");
        assert!(
            throttle.check("ana").is_ok(),
            "a new window starts counting afresh"
        );
    }

    #[test]
    fn success_clears_the_count() {
        let throttle = LoginThrottle::new(2, Duration::from_secs(60));
        throttle.failed("ana");
        throttle.succeeded("ana");
        throttle.failed("ana");
        assert!(throttle.check("ana").is_ok());
    }
}
