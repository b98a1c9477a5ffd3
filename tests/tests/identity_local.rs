//! Local accounts, sessions, CSRF, personal access tokens, the master key on GraphQL, and the
//! security headers: through the real binary on the embedded default (SQLite).

#![allow(clippy::unwrap_used)]

use harness::{MASTER_KEY, SessionClient, TestApp};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

const PASSWORD: &str = "correct-horse-battery";

/// A server with a known bootstrap password, on SQLite or (`postgres`) PostgreSQL.
async fn app_with_admin(postgres: bool) -> TestApp {
    let builder = TestApp::builder();
    let builder = if postgres { builder } else { builder.sqlite() };
    builder
        .config_toml(&format!("[auth]\nbootstrap_password = \"{PASSWORD}\"\n"))
        .start()
        .await
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

async fn login(browser: &SessionClient, app: &TestApp, name: &str, password: &str) -> Value {
    let (status, body) = browser
        .graphql(
            &app.url(""),
            "mutation($n: String!, $p: String!) { login(name: $n, password: $p) { name roles authMethod } }",
            json!({"n": name, "p": password}),
        )
        .await;
    assert_eq!(status, 200);
    body
}

#[tokio::test]
async fn local_sign_in_starts_a_cookie_session_protected_against_csrf() {
    let app = app_with_admin(false).await;
    let base = app.url("");
    let browser = SessionClient::new();

    let (_, anonymous) = browser
        .graphql(
            &base,
            "{ me { name } authSettings { localLogin singleSignOn } }",
            json!({}),
        )
        .await;
    assert_eq!(anonymous["data"]["me"], Value::Null);
    assert_eq!(
        anonymous["data"]["authSettings"],
        json!({"localLogin": true, "singleSignOn": false})
    );

    let wrong = login(&browser, &app, "admin", "not the password").await;
    assert_eq!(wrong["errors"][0]["message"], "wrong user name or password");
    assert!(browser.cookie(&base, "sy_session").is_none());

    // The raw response: the cookies' attributes.
    let response = reqwest::Client::new()
        .post(app.url("/graphql"))
        .json(&json!({"query": format!("mutation {{ login(name: \"admin\", password: \"{PASSWORD}\") {{ name }} }}")}))
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("sy_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain http: no Secure flag");
    let csrf = cookies.iter().find(|c| c.starts_with("sy_csrf=")).unwrap();
    assert!(
        !csrf.contains("HttpOnly"),
        "the portal's script reads the CSRF cookie"
    );
    // That sign-in is "another device" below.
    let other = SessionClient::new();
    for cookie in &cookies {
        other.set_cookie(&base, cookie);
    }

    let signed_in = login(&browser, &app, "admin", PASSWORD).await;
    assert_eq!(
        signed_in["data"]["login"]["roles"],
        json!(["ADMIN", "USER"])
    );
    let first_session = browser.cookie(&base, "sy_session").unwrap();

    let (_, me) = browser
        .graphql(
            &base,
            "{ me { name roles permissions authMethod } }",
            json!({}),
        )
        .await;
    assert_eq!(
        me["data"]["me"],
        json!({"name": "Administrator", "roles": ["ADMIN", "USER"],
               "permissions": ["READ_OWN", "WRITE_OWN", "READ_ALL", "WRITE_ALL"], "authMethod": "SESSION"})
    );

    // A mutation with the session cookie but without the CSRF token is refused before it runs.
    let (_, forged) = browser
        .graphql_without_csrf(
            &base,
            "mutation { createAccessToken(name: \"forged\") { secret } }",
        )
        .await;
    assert_eq!(code(&forged), "FORBIDDEN");
    assert!(
        forged["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("x-csrf-token")
    );
    // Reads without the token are fine, and show the session as read-only for this request.
    let (_, read) = browser
        .graphql_without_csrf(&base, "{ me { permissions } }")
        .await;
    assert_eq!(
        read["data"]["me"]["permissions"],
        json!(["READ_OWN", "READ_ALL"])
    );

    // A request with the cookie from another site is refused outright.
    let cross = browser
        .client
        .post(app.url("/graphql"))
        .header("origin", "http://evil.example")
        .header("x-csrf-token", browser.cookie(&base, "sy_csrf").unwrap())
        .json(&json!({"query": "{ me { name } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    let same = browser
        .client
        .post(app.url("/graphql"))
        .header("origin", base.trim_end_matches('/'))
        .json(&json!({"query": "{ me { name } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 200);

    // Each sign-in has its own session id; both sessions are listed and one can end the other.
    assert_ne!(other.cookie(&base, "sy_session").unwrap(), first_session);
    let (_, sessions) = browser
        .graphql(&base, "{ mySessions { id current userAgent } }", json!({}))
        .await;
    let sessions = sessions["data"]["mySessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    let not_current = sessions.iter().find(|s| s["current"] == false).unwrap();
    let (_, revoked) = browser
        .graphql(
            &base,
            "mutation($id: ID!) { revokeSession(id: $id) { id } }",
            json!({"id": not_current["id"]}),
        )
        .await;
    assert!(revoked["errors"].is_null(), "{revoked}");
    let (_, gone) = other.graphql(&base, "{ me { name } }", json!({})).await;
    assert_eq!(
        gone["data"]["me"],
        Value::Null,
        "the revoked session is signed out"
    );

    // Logout ends the session for good: the old cookie no longer signs anyone in.
    let (_, out) = browser
        .graphql(&base, "mutation { logout { redirectTo } }", json!({}))
        .await;
    assert_eq!(out["data"]["logout"]["redirectTo"], "/");
    let replay = SessionClient::new();
    replay.set_cookie(&base, &format!("sy_session={first_session}"));
    let (_, after) = replay.graphql(&base, "{ me { name } }", json!({})).await;
    assert_eq!(after["data"]["me"], Value::Null);
}

#[tokio::test]
async fn personal_access_tokens_are_shown_once_scoped_and_revocable() {
    let app = app_with_admin(true).await;
    let base = app.url("");
    let browser = SessionClient::new();
    login(&browser, &app, "admin", PASSWORD).await;

    let create = "mutation($n: String!, $w: Boolean!, $e: String) {
        createAccessToken(name: $n, canWrite: $w, expiresIn: $e) {
          secret token { id name canWrite expiresAt lastUsedAt } } }";
    let (_, writer) = browser
        .graphql(&base, create, json!({"n": "ci", "w": true, "e": "30d"}))
        .await;
    let writer = &writer["data"]["createAccessToken"];
    let secret = writer["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("syp_") && secret.len() > 40, "{secret}");
    assert!(writer["token"]["expiresAt"].is_string());
    let (_, reader) = browser
        .graphql(
            &base,
            create,
            json!({"n": "dashboards", "w": false, "e": null}),
        )
        .await;
    let reader_secret = reader["data"]["createAccessToken"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();

    // Stored hashed: the secret is nowhere in the database, and the list never shows it.
    let db = app.database().await;
    let stored = db
        .query_all(Statement::from_string(
            DbBackend::Postgres,
            "SELECT token_hash FROM personal_access_tokens",
        ))
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    for row in stored {
        let hash: String = row.try_get("", "token_hash").unwrap();
        assert!(hash.len() == 64 && !hash.contains(&secret[4..]), "{hash}");
    }
    let (_, listed) = browser
        .graphql(&base, "{ myTokens { name lastUsedAt } }", json!({}))
        .await;
    assert!(!listed.to_string().contains(&secret));

    let bearer = |token: &str, query: &str| {
        reqwest::Client::new()
            .post(app.url("/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": query }))
            .send()
    };
    let me: Value = bearer(&secret, "{ me { name authMethod permissions } }")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["me"]["authMethod"], "TOKEN");
    assert_eq!(
        me["data"]["me"]["permissions"],
        json!(["READ_OWN", "WRITE_OWN", "READ_ALL", "WRITE_ALL"])
    );
    let (_, listed) = browser
        .graphql(&base, "{ myTokens { name lastUsedAt } }", json!({}))
        .await;
    let used = listed["data"]["myTokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "ci")
        .unwrap();
    assert!(
        used["lastUsedAt"].is_string(),
        "last use recorded: {listed}"
    );

    // A read-only token reads but cannot change anything.
    let read: Value = bearer(&reader_secret, "{ me { permissions } }")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        read["data"]["me"]["permissions"],
        json!(["READ_OWN", "READ_ALL"])
    );
    let write: Value = bearer(
        &reader_secret,
        "mutation { createAccessToken(name: \"x\") { secret } }",
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(code(&write), "FORBIDDEN");
    assert!(
        write["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("read-only")
    );

    // Revoked: the token no longer authenticates.
    let id = writer["token"]["id"].as_str().unwrap();
    let (_, revoked) = browser
        .graphql(
            &base,
            "mutation($id: ID!) { revokeAccessToken(id: $id) { revokedAt } }",
            json!({ "id": id }),
        )
        .await;
    assert!(revoked["data"]["revokeAccessToken"]["revokedAt"].is_string());
    let refused = bearer(&secret, "{ me { name } }").await.unwrap();
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(code(&body), "UNAUTHENTICATED");
    let unknown = bearer("syp_notatoken", "{ me { name } }").await.unwrap();
    assert_eq!(unknown.status(), 401);

    // The master key is a service administrator on GraphQL, with no user of its own.
    let master: Value = bearer(MASTER_KEY, "{ me { name roles authMethod userId } }")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        master["data"]["me"],
        json!({"name": "master key", "roles": ["ADMIN"], "authMethod": "MASTER_KEY", "userId": null})
    );
    let no_user: Value = bearer(MASTER_KEY, "{ myTokens { id } }")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(code(&no_user), "BAD_USER_INPUT");
    // Anonymous callers get nothing that belongs to someone.
    let anonymous = app.graphql("{ myTokens { id } }").await;
    assert_eq!(code(&anonymous), "UNAUTHENTICATED");
}

/// Signs in `name` from client `address` (named in `x-forwarded-for`, which the server is set
/// to trust, as behind an OpenShift route); the GraphQL body.
async fn login_from(app: &TestApp, address: &str, name: &str, password: &str) -> Value {
    app.client
        .post(app.url("/graphql"))
        .header("x-forwarded-for", address)
        .json(&json!({
            "query": "mutation($n: String!, $p: String!) { login(name: $n, password: $p) { name } }",
            "variables": {"n": name, "p": password},
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn refused_with(body: &Value, words: &str) -> bool {
    code(body) == "FORBIDDEN"
        && body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains(words))
}

/// Five wrong passwords used to lock any account, the bootstrap administrator's included, for
/// 15 minutes, the right password too, and the user id and e-mail counted apart. Now the
/// guessing client is refused the account (whichever name it types), a client spraying
/// guesses is refused altogether, and the owner still signs in from elsewhere, slowed at
/// worst.
#[tokio::test]
async fn password_guessing_is_throttled_without_locking_out_the_owner() {
    let app = TestApp::builder()
        .sqlite()
        .config_toml(&format!(
            "[auth]\nbootstrap_admin = \"root@example.com\"\nbootstrap_password = \"{PASSWORD}\"\n\
             login_max_failures = 3\nlogin_client_max_failures = 8\n\
             [http]\nclient_ip_header = \"x-forwarded-for\"\n"
        ))
        .start()
        .await;
    // Guesses sent all at once are counted as they start: no more than the limit get checked.
    let burst = futures::future::join_all(
        (0..12).map(|_| login_from(&app, "198.51.100.99", "root@example.com", "guess")),
    )
    .await;
    let checked = burst
        .iter()
        .filter(|b| b["errors"][0]["message"] == "wrong user name or password")
        .count();
    assert_eq!(checked, 3, "{burst:?}");
    assert!(
        burst
            .iter()
            .filter(|b| b["errors"][0]["message"] != "wrong user name or password")
            .all(|b| refused_with(b, "for this account from here")),
        "{burst:?}"
    );
    let attacker = "198.51.100.7";
    // The id and the e-mail name one account: three failures in all lock this client out of it.
    for name in ["root@example.com", "ROOT@example.com ", "root@example.com"] {
        let wrong = login_from(&app, attacker, name, "guess").await;
        assert_eq!(wrong["errors"][0]["message"], "wrong user name or password");
    }
    let locked = login_from(&app, attacker, "root@example.com", PASSWORD).await;
    assert!(
        refused_with(&locked, "for this account from here"),
        "{locked}"
    );
    // The owner, from their own address, signs in.
    let owner = login_from(&app, "203.0.113.5", "root@example.com", PASSWORD).await;
    assert!(owner["errors"].is_null(), "{owner}");

    // A spray over many names from one client ends at its cap, whatever name comes next.
    for i in 0..5 {
        let wrong = login_from(&app, attacker, &format!("user{i}@example.com"), "guess").await;
        assert_eq!(wrong["errors"][0]["message"], "wrong user name or password");
    }
    let sprayed = login_from(&app, attacker, "someone@example.com", "guess").await;
    assert!(refused_with(&sprayed, "from this address"), "{sprayed}");

    // Guesses from many addresses slow the account down (a second per failure beyond twice the
    // limit) but never lock it: the owner signs in, a little later.
    for i in 0..8 {
        let wrong = login_from(&app, &format!("192.0.2.{i}"), "root@example.com", "guess").await;
        assert!(wrong["errors"].is_array(), "{wrong}");
        assert!(!refused_with(&wrong, "from this address"), "{wrong}");
    }
    let started = std::time::Instant::now();
    let owner = login_from(&app, "203.0.113.5", "root@example.com", PASSWORD).await;
    assert!(owner["errors"].is_null(), "{owner}");
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "eight failures beyond six: slowed by two seconds, took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_generated_bootstrap_password_is_printed_once_and_works() {
    let app = TestApp::start().await;
    let printed = app.logs();
    let password = printed
        .lines()
        .find_map(|line| line.trim().strip_prefix("password: "))
        .unwrap_or_else(|| panic!("no generated password printed:\n{printed}"))
        .trim()
        .to_owned();
    assert!(password.len() >= 20);
    // Never in a log line: only the plain banner line carries it.
    assert_eq!(printed.matches(&password).count(), 1, "{printed}");
    let browser = SessionClient::new();
    let signed_in = login(&browser, &app, "admin", &password).await;
    assert_eq!(
        signed_in["data"]["login"]["roles"],
        json!(["ADMIN", "USER"])
    );

    // A second replica on the same database finds the administrator and prints nothing.
    let second = TestApp::builder()
        .database_url(&app.database_url())
        .start()
        .await;
    assert!(!second.logs().contains("password: "), "{}", second.logs());
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::builder().sqlite().start().await;
    for path in [
        "/health/liveliness",
        "/graphql",
        "/",
        "/v1/models",
        "/no/such/page",
    ] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"),
            "{path}: {csp}"
        );
        assert!(
            !csp.contains("script-src 'self' 'unsafe-inline'"),
            "{path}: {csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(
            headers["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        assert!(
            headers.get("strict-transport-security").is_none(),
            "{path}: no HSTS over http"
        );
    }
    let https = TestApp::builder()
        .sqlite()
        .config_toml(&format!(
            "[auth]\npublic_url = \"https://portal.example.com\"\nbootstrap_password = \"{PASSWORD}\"\n"
        ))
        .start()
        .await;
    let response = https.get("/health/liveliness").await;
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    // Under https the session cookies are Secure, and only the public origin may send them.
    let signed_in = reqwest::Client::new()
        .post(https.url("/graphql"))
        .header("origin", "https://portal.example.com")
        .json(&json!({"query": format!("mutation {{ login(name: \"admin\", password: \"{PASSWORD}\") {{ name }} }}")}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200, "the public origin is accepted");
    let cookies: Vec<&str> = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(cookies.len(), 2);
    assert!(
        cookies.iter().all(|c| c.ends_with("; Secure")
            && c.starts_with("__Host-")
            && c.contains("; Path=/;")
            && !c.contains("Domain")),
        "host-only cookies: {cookies:?}"
    );
    let session = cookies
        .iter()
        .find_map(|c| c.strip_prefix("__Host-sy_session="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let me_with = |cookie: String| {
        reqwest::Client::new()
            .post(https.url("/graphql"))
            .header("origin", "https://portal.example.com")
            .header("cookie", cookie)
            .json(&json!({"query": "{ me { name } }"}))
            .send()
    };
    let me: Value = me_with(format!("__Host-sy_session={session}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(me["data"]["me"]["name"].is_string(), "{me}");
    // The unprefixed name, which a sibling subdomain or a plain-http page could plant, is
    // not read here.
    let planted: Value = me_with(format!("sy_session={session}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(planted["data"]["me"].is_null(), "{planted}");
    assert!(
        !https.logs().contains("without an https auth.public_url"),
        "{}",
        https.logs()
    );
    assert!(
        app.logs().contains("without an https auth.public_url"),
        "local accounts over plain http are warned about: {}",
        app.logs()
    );
    let from_elsewhere = reqwest::Client::new()
        .post(https.url("/graphql"))
        .header("origin", &https.url("").trim_end_matches('/').to_owned())
        .json(&json!({"query": "{ me { name } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        from_elsewhere.status(),
        403,
        "only the configured public origin"
    );
}

/// Opens `/graphql/ws` (graphql-transport-ws) with extra upgrade headers and an init payload.
async fn ws_connect(
    app: &TestApp,
    headers: &[(&str, String)],
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    tokio_tungstenite::tungstenite::Error,
> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = app.ws_url("/graphql/ws").into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    for (name, value) in headers {
        let name = tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes());
        request
            .headers_mut()
            .insert(name.unwrap(), value.parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

/// Sends `connection_init` with `payload`, then runs `{ me { … } }`; returns the `me` value,
/// or the close frame's code and reason when the server refuses the connection.
async fn ws_me(
    socket: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    payload: Value,
) -> Result<Value, (u16, String)> {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let send = |v: Value| Message::text(v.to_string());
    socket
        .send(send(json!({"type": "connection_init", "payload": payload})))
        .await
        .unwrap();
    let mut subscribed = false;
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("an answer within 10 s")
            .expect("a frame")
            .expect("a valid frame");
        match message {
            Message::Close(frame) => {
                let frame = frame.expect("a close frame with a reason");
                return Err((u16::from(frame.code), frame.reason.to_string()));
            }
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                match value["type"].as_str() {
                    Some("connection_ack") if !subscribed => {
                        subscribed = true;
                        socket
                            .send(send(json!({"id": "1", "type": "subscribe",
                                "payload": {"query": "{ me { name authMethod } }"}})))
                            .await
                            .unwrap();
                    }
                    Some("next") => return Ok(value["payload"]["data"]["me"].clone()),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn websocket_connections_authenticate_by_token_in_init_or_by_cookie() {
    let app = app_with_admin(false).await;
    let base = app.url("");
    let browser = SessionClient::new();
    login(&browser, &app, "admin", PASSWORD).await;
    let (_, token) = browser
        .graphql(
            &base,
            "mutation { createAccessToken(name: \"ws\") { secret } }",
            json!({}),
        )
        .await;
    let secret = token["data"]["createAccessToken"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut socket = ws_connect(&app, &[]).await.unwrap();
    let me = ws_me(
        &mut socket,
        json!({"authorization": format!("Bearer {secret}")}),
    )
    .await;
    assert_eq!(
        me.unwrap(),
        json!({"name": "Administrator", "authMethod": "TOKEN"})
    );

    let mut socket = ws_connect(&app, &[]).await.unwrap();
    assert_eq!(
        ws_me(&mut socket, json!({})).await.unwrap(),
        Value::Null,
        "anonymous"
    );

    let mut socket = ws_connect(&app, &[]).await.unwrap();
    let refused = ws_me(&mut socket, json!({"token": "syp_not-a-real-token"})).await;
    // async-graphql closes a refused graphql-transport-ws init with 1002 and the reason.
    assert_eq!(
        refused,
        Err((
            1002,
            "this access token is unknown, expired or revoked".to_owned()
        ))
    );

    let cookie = format!(
        "sy_session={}",
        browser.cookie(&base, "sy_session").unwrap()
    );
    let same_origin = base.trim_end_matches('/').to_owned();
    let mut socket = ws_connect(&app, &[("cookie", cookie.clone()), ("origin", same_origin)])
        .await
        .unwrap();
    let me = ws_me(&mut socket, json!({})).await;
    assert_eq!(
        me.unwrap(),
        json!({"name": "Administrator", "authMethod": "SESSION"})
    );

    // Another site cannot ride the cookie over a WebSocket either.
    let hijack = ws_connect(
        &app,
        &[("cookie", cookie), ("origin", "http://evil.example".into())],
    )
    .await;
    match hijack {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
        }
        other => panic!("expected a refused upgrade, got {other:?}"),
    }
}

#[tokio::test]
async fn an_administrator_makes_a_local_account_whose_owner_chooses_a_password_once() {
    let app = app_with_admin(true).await;
    let admin = SessionClient::new();
    assert!(login(&admin, &app, "admin", PASSWORD).await["errors"].is_null());
    let base = app.url("");
    let create = "mutation($i: CreateUserInput!) { createUser(input: $i) {
        user { externalId email displayName roles rpmLimit } setupSecret expiresAt } }";
    let (_, made) = admin
        .graphql(
            &base,
            create,
            json!({"i": {"email": " Nia@Example.com ", "displayName": "Nia", "roles": ["USER"],
                         "limits": {"rpmLimit": 30}}}),
        )
        .await;
    let made = &made["data"]["createUser"];
    assert_eq!(
        made["user"],
        json!({"externalId": "nia@example.com", "email": "nia@example.com", "displayName": "Nia",
               "roles": ["USER"], "rpmLimit": 30}),
        "{made}"
    );
    let secret = made["setupSecret"].as_str().unwrap().to_owned();
    let expires =
        chrono::DateTime::parse_from_rfc3339(made["expiresAt"].as_str().unwrap()).unwrap();
    let hours = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours();
    assert!((71..=72).contains(&hours), "{hours} hours");
    let (_, twice) = admin
        .graphql(
            &base,
            create,
            json!({"i": {"email": "nia@example.com", "roles": ["USER"]}}),
        )
        .await;
    assert_eq!(code(&twice), "CONFLICT");
    let (_, bad) = admin
        .graphql(
            &base,
            create,
            json!({"i": {"email": "not an address", "roles": ["USER"]}}),
        )
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");

    // No password yet: nobody signs in as Nia.
    let nia = SessionClient::new();
    assert_eq!(
        code(&login(&nia, &app, "nia@example.com", "").await),
        "BAD_USER_INPUT"
    );

    // Anyone holding the secret chooses the password once; made-up or short ones are refused.
    let set = "mutation($s: String!, $p: String!) { setPassword(setupSecret: $s, password: $p) }";
    let anonymous = SessionClient::new();
    let attempt = |secret: String, password: &'static str| {
        let (anonymous, base) = (&anonymous, base.clone());
        async move {
            anonymous
                .graphql(&base, set, json!({"s": secret, "p": password}))
                .await
                .1
        }
    };
    let short = attempt(secret.clone(), "short").await;
    assert_eq!(code(&short), "BAD_USER_INPUT");
    let forged = format!("{}x", secret);
    let refused = attempt(forged, "a long enough password").await;
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not valid"),
        "{refused}"
    );
    let done = attempt(secret.clone(), "nia's long password").await;
    assert_eq!(done["data"]["setPassword"], true, "{done}");
    let signed_in = login(&nia, &app, "nia@example.com", "nia's long password").await;
    assert_eq!(signed_in["data"]["login"]["name"], "Nia", "{signed_in}");
    let again = attempt(secret.clone(), "another long password").await;
    assert_eq!(code(&again), "BAD_USER_INPUT", "used once");

    // A new secret replaces the old one, and an expired one is refused.
    let reissue = "mutation($u: ID!) { passwordSetup(userId: $u) { setupSecret } }";
    let id = secret.split('.').next().unwrap().to_owned();
    let first = admin.graphql(&base, reissue, json!({"u": id})).await.1["data"]["passwordSetup"]
        ["setupSecret"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = admin.graphql(&base, reissue, json!({"u": id})).await.1["data"]["passwordSetup"]
        ["setupSecret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        code(&attempt(first, "a replaced secret's password").await),
        "BAD_USER_INPUT"
    );
    let db = app.database().await;
    let kind: String = db
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_typeof(metadata)::text AS t FROM users LIMIT 1",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "t")
        .unwrap();
    db.execute(Statement::from_string(
        DbBackend::Postgres,
        format!(
            "UPDATE users SET metadata = jsonb_set(metadata::jsonb, '{{password_setup,expires_at}}', \
             '\"2020-01-01T00:00:00+00:00\"')::text::{kind} WHERE external_id = 'nia@example.com'"
        ),
    ))
    .await
    .unwrap();
    assert_eq!(
        code(&attempt(second, "an expired secret's password").await),
        "BAD_USER_INPUT"
    );

    // The audit log keeps the change, not the secret.
    let (_, audit) = admin
        .graphql(&base, "{ auditLog { nodes { action after } } }", json!({}))
        .await;
    let text = audit.to_string();
    assert!(
        text.contains("createUser") && !text.contains(&secret),
        "{text}"
    );
}

#[tokio::test]
async fn without_local_accounts_no_one_is_made_with_a_password() {
    let app = TestApp::builder()
        .config_toml("[auth]\nlocal_accounts = false\n")
        .start()
        .await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let made = admin
        .graphql(
            "mutation { createUser(input: {email: \"x@example.com\", roles: [USER]}) { setupSecret } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&made), "FORBIDDEN", "{made}");
}
