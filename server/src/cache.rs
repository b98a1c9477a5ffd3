//! The optional Redis connection. Without Redis every replica keeps limits and live events in
//! its own process; with it they are shared. A Redis outage is reported, never fatal.

use std::time::Duration;

use redis::aio::ConnectionManagerConfig;
use secrecy::{ExposeSecret, SecretString};

use crate::db::redact_url;

/// A configured Redis.
pub struct Cache {
    client: redis::Client,
    display: String,
}

/// Why Redis could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The URL is not a valid Redis URL.
    #[error("invalid redis_url {url}: {source}")]
    Url {
        url: String,
        #[source]
        source: redis::RedisError,
    },
    /// Redis did not answer.
    #[error("redis at {url} is unreachable: {source}")]
    Unreachable {
        url: String,
        #[source]
        source: redis::RedisError,
    },
    /// Redis did not answer in time.
    #[error("redis at {url} did not answer within {timeout:?}")]
    Timeout { url: String, timeout: Duration },
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").field("url", &self.display).finish()
    }
}

/// How long a health check waits for Redis.
const PING_TIMEOUT: Duration = Duration::from_secs(1);

impl Cache {
    /// Parses the URL; connecting happens on use.
    pub fn new(url: &SecretString) -> Result<Self, CacheError> {
        let display = redact_url(url.expose_secret());
        let invalid = |source| CacheError::Url {
            url: display.clone(),
            source,
        };
        // Small commands go out at once: without TCP_NODELAY, a command written while the
        // previous one is unacknowledged waits for the ACK (Nagle), which showed as a
        // millisecond of tail latency on every quota check.
        let info = redis::IntoConnectionInfo::into_connection_info(url.expose_secret())
            .map_err(invalid)?
            .set_tcp_settings(redis::io::tcp::TcpSettings::default().set_nodelay(true));
        let client = redis::Client::open(info).map_err(invalid)?;
        Ok(Self { client, display })
    }

    /// A handle on the client, for connections of their own (pub/sub).
    pub fn client(&self) -> redis::Client {
        self.client.clone()
    }

    /// The URL without credentials.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// A shared connection that connects on first use and reconnects after failures; each
    /// call gives up after `timeout`.
    pub fn manager(
        &self,
        timeout: Duration,
    ) -> Result<redis::aio::ConnectionManager, redis::RedisError> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        redis::aio::ConnectionManager::new_lazy_with_config(self.client.clone(), config)
    }

    /// Sends `PING` on a fresh connection, bounded by a short timeout.
    pub async fn ping(&self) -> Result<(), CacheError> {
        let check = async {
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(PING_TIMEOUT))
                .set_response_timeout(Some(PING_TIMEOUT))
                .set_number_of_retries(0);
            let mut conn = self
                .client
                .get_connection_manager_with_config(config)
                .await?;
            redis::cmd("PING").query_async::<String>(&mut conn).await
        };
        match tokio::time::timeout(PING_TIMEOUT * 2, check).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(source)) => Err(CacheError::Unreachable {
                url: self.display.clone(),
                source,
            }),
            Err(_) => Err(CacheError::Timeout {
                url: self.display.clone(),
                timeout: PING_TIMEOUT * 2,
            }),
        }
    }
}
