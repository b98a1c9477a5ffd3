//! Who a client is, and how much of what anonymous clients can make the server do each one
//! may ask for: a client is its address (the peer's, or the one a trusted proxy names in
//! `http.client_ip_header`; IPv6 by its /64, which one machine usually holds whole), and an
//! [`Allowance`] counts its requests in fixed windows. The table of clients is bounded: when
//! full of live entries it starts again empty, so a flood from countless addresses costs
//! memory no more than the bound and lets clients through rather than locking everyone out.
//! [`Holdings`] count what each client holds open at once (GraphQL WebSockets).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::header::FORWARDED;
use axum::http::{Extensions, HeaderMap, HeaderName};

use crate::config::HttpConfig;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The most clients one allowance tracks at once.
const MAX_TRACKED: usize = 100_000;

/// The per-client allowances of the anonymous surfaces, and how clients are told apart.
pub struct Clients {
    trusted_header: Option<HeaderName>,
    /// Single sign-ons started (each stores a login in flight).
    pub sign_in_starts: Allowance,
    /// Presented keys that no key matched (each looked up in the database).
    pub unknown_keys: Allowance,
    /// GraphQL WebSockets open at once.
    pub sockets: Holdings,
    /// Whether the warning about an unnamed proxy was logged.
    proxy_warned: AtomicBool,
}

impl Clients {
    /// The allowances of `http`.
    pub fn new(http: &HttpConfig) -> Self {
        let minute = Duration::from_secs(60);
        Self {
            trusted_header: http
                .client_ip_header
                .as_deref()
                .and_then(|name| HeaderName::try_from(name).ok()),
            sign_in_starts: Allowance::new(http.sign_in_starts_per_minute, minute),
            unknown_keys: Allowance::new(http.unknown_keys_per_minute, minute),
            sockets: Holdings::new(http.websockets_per_client),
            proxy_warned: AtomicBool::new(false),
        }
    }

    /// The client behind a request (see [`client_of`]).
    pub fn client(&self, headers: &HeaderMap, extensions: &Extensions) -> Option<IpAddr> {
        if self.trusted_header.is_none()
            && !self.proxy_warned.load(Ordering::Relaxed)
            && (headers.contains_key(X_FORWARDED_FOR) || headers.contains_key(FORWARDED))
        {
            self.proxy_warned.store(true, Ordering::Relaxed);
            tracing::warn!(
                "requests arrive through a proxy (they carry X-Forwarded-For or Forwarded) but \
                 http.client_ip_header is unset: every client counts as the proxy, so one \
                 client's limits (sign-in attempts, unknown keys, WebSockets) are everyone's; \
                 set it to the header your proxy writes"
            );
        }
        client_of(headers, extensions, self.trusted_header.as_ref())
    }
}

/// The client behind a request: the address named by `trusted_header` (the last one in it,
/// the one the trusted proxy added) when configured and present, else the peer's.
pub fn client_of(
    headers: &HeaderMap,
    extensions: &Extensions,
    trusted_header: Option<&HeaderName>,
) -> Option<IpAddr> {
    let forwarded = trusted_header
        .and_then(|name| headers.get_all(name).iter().next_back())
        .and_then(|value| value.to_str().ok())
        .and_then(|list| list.rsplit(',').next())
        .and_then(|last| last.trim().parse::<IpAddr>().ok());
    forwarded
        .or_else(|| crate::listener::peer(extensions).map(|peer| peer.ip()))
        .map(group)
}

/// The address that stands for a client: IPv6 addresses by their /64.
fn group(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

/// At most `max` uses per client in each `window`.
pub struct Allowance {
    max: u32,
    window: Duration,
    used: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Allowance {
    /// `max` uses per `window` for each client.
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            used: Mutex::new(HashMap::new()),
        }
    }

    /// When `client` has used up its window, how long until the next one (takes nothing).
    pub fn exhausted(&self, client: Option<IpAddr>) -> Option<Duration> {
        let client = client?;
        let now = Instant::now();
        let used = self.used.lock().ok()?;
        let (start, count) = used.get(&client)?;
        let elapsed = now.duration_since(*start);
        (elapsed < self.window && *count >= self.max).then(|| self.window.saturating_sub(elapsed))
    }

    /// Takes one use for `client`; when its window is used up, how long until the next one.
    /// A request whose client is unknown is let through.
    pub fn take(&self, client: Option<IpAddr>) -> Result<(), Duration> {
        let Some(client) = client else {
            return Ok(());
        };
        let now = Instant::now();
        let Ok(mut used) = self.used.lock() else {
            return Ok(());
        };
        if used.len() >= MAX_TRACKED && !used.contains_key(&client) {
            let window = self.window;
            used.retain(|_, (start, _)| now.duration_since(*start) < window);
            if used.len() >= MAX_TRACKED {
                used.clear();
            }
        }
        let (start, count) = used.entry(client).or_insert((now, 0));
        if now.duration_since(*start) >= self.window {
            *start = now;
            *count = 0;
        }
        if *count >= self.max {
            return Err(self.window.saturating_sub(now.duration_since(*start)));
        }
        *count += 1;
        Ok(())
    }
}

/// At most `max` things (connections) held open at once by each client. Only clients
/// holding something are tracked, so the table is as large as what is open.
pub struct Holdings {
    max: usize,
    held: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One thing a client holds; dropping it lets go.
pub struct Hold {
    client: Option<IpAddr>,
    held: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Holdings {
    /// `max` at once for each client.
    pub fn new(max: usize) -> Self {
        Self {
            max,
            held: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// One more for `client`, unless it holds `max` already. A client that is not known is
    /// let through.
    pub fn take(&self, client: Option<IpAddr>) -> Option<Hold> {
        if let Some(address) = client {
            let mut held = self.held.lock().ok()?;
            let count = held.entry(address).or_insert(0);
            if *count >= self.max {
                return None;
            }
            *count += 1;
        }
        // Made only once counted: a refusal must not let go of a place it never took.
        Some(Hold {
            client,
            held: self.held.clone(),
        })
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        let Some(address) = self.client else {
            return;
        };
        if let Ok(mut held) = self.held.lock()
            && let Some(count) = held.get_mut(&address)
        {
            *count = count.saturating_sub(1);
            if *count == 0 {
                held.remove(&address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_gets_its_own_allowance_per_window() {
        let allowance = Allowance::new(2, Duration::from_secs(60));
        let a = Some("10.0.0.1".parse().unwrap());
        let b = Some("10.0.0.2".parse().unwrap());
        assert!(allowance.take(a).is_ok());
        assert!(allowance.exhausted(a).is_none());
        assert!(allowance.take(a).is_ok());
        assert!(allowance.exhausted(a).is_some());
        let wait = allowance.take(a).unwrap_err();
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(58));
        assert!(allowance.take(b).is_ok(), "another client is not affected");
        assert!(
            allowance.take(None).is_ok(),
            "an unknown client is let through"
        );

        let short = Allowance::new(1, Duration::from_millis(20));
        assert!(short.take(a).is_ok());
        assert!(short.take(a).is_err());
        std::thread::sleep(Duration::from_millis(30));
        assert!(short.take(a).is_ok(), "a new window");
    }

    #[test]
    fn holdings_count_what_each_client_has_open() {
        let holdings = Holdings::new(2);
        let a = Some("10.0.0.1".parse().unwrap());
        let first = holdings.take(a).unwrap();
        let _second = holdings.take(a).unwrap();
        assert!(holdings.take(a).is_none(), "a third at once is refused");
        assert!(
            holdings.take(a).is_none(),
            "and again: a refusal frees no place"
        );
        assert!(holdings.take(Some("10.0.0.2".parse().unwrap())).is_some());
        drop(first);
        assert!(holdings.take(a).is_some(), "a closed one frees its place");
        assert!(holdings.take(None).is_some());
        drop(_second);
        assert!(
            holdings.held.lock().unwrap().is_empty(),
            "clients holding nothing are forgotten"
        );
    }

    #[test]
    fn a_trusted_header_names_the_client_and_ipv6_counts_by_its_64() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        let name = HeaderName::from_static("x-forwarded-for");
        let extensions = Extensions::new();
        assert_eq!(
            client_of(&headers, &extensions, Some(&name)),
            Some("198.51.100.7".parse().unwrap()),
            "the address the proxy added, not one the client wrote"
        );
        assert_eq!(client_of(&headers, &extensions, None), None);
        assert_eq!(
            group("2001:db8:1:2:aaaa:bbbb:cccc:dddd".parse().unwrap()),
            "2001:db8:1:2::".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            group("::ffff:10.0.0.1".parse().unwrap()),
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
    }
}
