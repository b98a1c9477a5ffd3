//! What a deployment's `api_base` may be, checked in one place for every way a deployment
//! arrives (the config file, the GraphQL admin API, the LiteLLM admin API). The gateway
//! appends an operation's path to the base and parses the result with `http`'s `Uri`, which
//! reads a port that is not a number as no port (so port 80) and drops a fragment without a
//! word. A base with either, or with a query the operation's path would land inside, would
//! send requests somewhere other than the operator meant: such a base is refused here, with
//! the reason.

/// `raw` without its trailing `/`, or why it cannot be a model server's base URL (a phrase to
/// follow the field's name: "must be an http:// or https:// URL").
pub fn api_base(raw: &str) -> Result<String, String> {
    if raw.trim() != raw {
        return Err("must not start or end with spaces".into());
    }
    let base = raw.trim_end_matches('/');
    let Some(rest) = base
        .strip_prefix("http://")
        .or_else(|| base.strip_prefix("https://"))
    else {
        return Err("must be an http:// or https:// URL".into());
    };
    if base.contains('#') {
        return Err("must not have a fragment (`#…`)".into());
    }
    let uri = base
        .parse::<http::Uri>()
        .map_err(|error| format!("is not a URL ({error})"))?;
    if uri.query().is_some() {
        return Err(
            "must not have a query (`?…`): the operation's path (`/chat/completions`) is added \
             after it"
                .into(),
        );
    }
    // Neither client sends a user and password written in the URL (the health check's did):
    // requests would be refused while the deployment looked healthy.
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(
            "must not hold a user or password (`user:password@`): they are not sent; give the \
             model server's key as the deployment's API key"
                .into(),
        );
    }
    let host = uri.host().unwrap_or_default();
    if host.is_empty() {
        return Err("has no host".into());
    }
    // What follows the host in the authority is a port or nothing.
    let authority = rest.split('/').next().unwrap_or_default();
    let after_host = authority.strip_prefix(host).unwrap_or_default();
    if !after_host.is_empty()
        && after_host
            .strip_prefix(':')
            .filter(|port| port.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|port| port.parse::<u16>().ok())
            .is_none_or(|port| port == 0)
    {
        return Err("has a port that is not a number from 1 to 65535".into());
    }
    Ok(base.to_owned())
}

#[cfg(test)]
mod tests {
    use super::api_base;

    #[test]
    fn model_server_urls_pass_without_their_trailing_slash() {
        for (raw, kept) in [
            ("http://vllm:8000/v1", "http://vllm:8000/v1"),
            (
                "https://models.example.com/v1/",
                "https://models.example.com/v1",
            ),
            ("http://10.0.0.7:8080", "http://10.0.0.7:8080"),
            ("http://[::1]:8000/v1", "http://[::1]:8000/v1"),
            ("https://host:65535", "https://host:65535"),
        ] {
            assert_eq!(api_base(raw).as_deref(), Ok(kept), "{raw}");
        }
    }

    #[test]
    fn what_would_send_requests_elsewhere_is_refused_with_its_reason() {
        for (raw, reason) in [
            ("vllm:8000/v1", "http:// or https://"),
            ("ftp://vllm/v1", "http:// or https://"),
            ("http://", "http:// or https://"),
            ("http:///v1", "is not a URL"),
            ("http://vl lm/v1", "is not a URL"),
            ("http://vllm/v1?api-version=1", "query"),
            ("http://vllm?x", "query"),
            ("http://vllm/v1#top", "fragment"),
            ("http://vllm:abc/v1", "port"),
            ("http://vllm:99999/v1", "port"),
            ("http://vllm:0/v1", "port"),
            ("http://vllm:/v1", "port"),
            ("http://vllm:+80/v1", "port"),
            ("http://[::1]:x/v1", "port"),
            (" http://vllm/v1", "spaces"),
            ("http://vllm/v1 ", "spaces"),
            ("http://user:secret@vllm:8000/v1", "user or password"),
            ("http://user@vllm/v1", "user or password"),
        ] {
            let refused = api_base(raw).expect_err(raw);
            assert!(refused.contains(reason), "{raw}: {refused}");
        }
    }
}
