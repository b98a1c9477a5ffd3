//! Single sign-on against a real OpenID provider (node-oidc-provider, started by the harness):
//! the full code flow with a cookie-jar client, each kind of forged or spoiled answer refused,
//! roles following the provider's groups, and logout on every replica.

#![allow(clippy::unwrap_used)]

use harness::{OidcProvider, OidcUser, SessionClient, Tamper, TestApp};
use serde_json::{Value, json};

/// Two replicas on one PostgreSQL database, both registered at the provider.
struct Sso {
    provider: OidcProvider,
    a: TestApp,
    b: TestApp,
}

const ROLES: &str = "admin_groups = [\"sy-admins\"]\nreadonly_groups = [\"sy-auditors\"]\n\
                     allowed_groups = [\"staff\"]\n";

async fn start() -> Sso {
    let ports = [harness::free_port(), harness::free_port()];
    let bases: Vec<String> = ports
        .iter()
        .map(|p| format!("http://127.0.0.1:{p}"))
        .collect();
    let callbacks: Vec<String> = bases.iter().map(|b| format!("{b}/auth/callback")).collect();
    let provider = OidcProvider::start(
        &callbacks,
        &[
            OidcUser {
                id: "alice",
                password: "alice-pw",
                email: "alice@example.com",
                name: "Alice Example",
                groups: &["staff", "sy-admins"],
            },
            // Another person at the provider whose (verified) address is Alice's.
            OidcUser {
                id: "alice-twin",
                password: "twin-pw",
                email: "alice@example.com",
                name: "Not Alice",
                groups: &["staff"],
            },
            OidcUser {
                id: "mallory",
                password: "mallory-pw",
                email: "mallory@example.com",
                name: "Mallory",
                groups: &["visitors"],
            },
        ],
    )
    .await;
    let a = TestApp::builder()
        .env("SWITCHYARD_LISTEN", &format!("127.0.0.1:{}", ports[0]))
        .config_toml(&provider.config_toml(&bases[0], ROLES))
        .start()
        .await;
    let b = TestApp::builder()
        .database_url(&a.database_url())
        .env("SWITCHYARD_LISTEN", &format!("127.0.0.1:{}", ports[1]))
        .config_toml(&provider.config_toml(&bases[1], ROLES))
        .start()
        .await;
    Sso { provider, a, b }
}

fn location(response: &reqwest::Response, from: &str) -> String {
    let raw = response.headers()["location"].to_str().unwrap();
    reqwest::Url::parse(from)
        .unwrap()
        .join(raw)
        .unwrap()
        .to_string()
}

/// Follows the provider's redirects (signing in on its login page when it shows one) until it
/// sends the browser back to a Switchyard callback, and returns that callback URL.
async fn through_provider(
    browser: &SessionClient,
    authorize: &str,
    user: &str,
    password: &str,
) -> String {
    let mut url = authorize.to_owned();
    for _ in 0..12 {
        if url.contains("/auth/callback") {
            return url;
        }
        let response = browser.client.get(&url).send().await.unwrap();
        if response.status().is_redirection() {
            url = location(&response, &url);
            continue;
        }
        let page = response.text().await.unwrap();
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no login form at {url}:\n{page}"));
        let posted = browser
            .client
            .post(reqwest::Url::parse(&url).unwrap().join(action).unwrap())
            .form(&[("login", user), ("password", password)])
            .send()
            .await
            .unwrap();
        assert!(
            posted.status().is_redirection(),
            "login form: {}",
            posted.status()
        );
        url = location(&posted, &url);
    }
    panic!("the provider never sent the browser back (last at {url})");
}

/// `/auth/login` on `app`: the provider URL it redirects to.
async fn begin(browser: &SessionClient, app: &TestApp, redirect: &str) -> String {
    let response = browser
        .client
        .get(app.url(&format!("/auth/login?redirect={redirect}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    location(&response, &app.url("/"))
}

/// The whole sign-in; returns the callback's response.
async fn sign_in(
    browser: &SessionClient,
    app: &TestApp,
    user: &str,
    password: &str,
) -> reqwest::Response {
    let authorize = begin(browser, app, "/keys").await;
    let callback = through_provider(browser, &authorize, user, password).await;
    browser.client.get(&callback).send().await.unwrap()
}

async fn me(browser: &SessionClient, app: &TestApp) -> Value {
    let (_, body) = browser
        .graphql(&app.url(""), "{ me { name roles authMethod } }", json!({}))
        .await;
    body["data"]["me"].clone()
}

#[tokio::test]
async fn the_code_flow_signs_in_maps_groups_and_logs_out_everywhere() {
    let sso = start().await;
    let browser = SessionClient::new();
    // Provisioning automation made Alice's user (and a key) by e-mail before she ever signed in.
    let created = sso
        .a
        .post_as_master(
            "/user/new",
            &json!({"user_id": "alice@example.com", "max_budget": 5}),
        )
        .await;
    assert_eq!(created.status(), 200);

    let settings = sso
        .a
        .graphql("{ authSettings { localLogin singleSignOn providerName } }")
        .await;
    assert_eq!(
        settings["data"]["authSettings"],
        json!({"localLogin": false, "singleSignOn": true, "providerName": "Test provider"}),
        "local accounts are off once OIDC is configured"
    );

    let authorize = begin(&browser, &sso.a, "/keys").await;
    assert!(authorize.starts_with(sso.provider.issuer()), "{authorize}");
    assert_eq!(
        harness::query_param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(harness::query_param(&authorize, "code_challenge").is_some());
    assert!(harness::query_param(&authorize, "state").unwrap().len() >= 16);
    assert!(harness::query_param(&authorize, "nonce").unwrap().len() >= 16);
    assert_eq!(
        harness::query_param(&authorize, "redirect_uri").unwrap(),
        sso.a.url("/auth/callback")
    );

    let callback = through_provider(&browser, &authorize, "alice", "alice-pw").await;
    let landed = browser.client.get(&callback).send().await.unwrap();
    assert_eq!(landed.status(), 303, "{}", sso.a.logs());
    assert_eq!(
        landed.headers()["location"],
        "/keys",
        "back where the sign-in started"
    );
    assert_eq!(
        me(&browser, &sso.a).await,
        json!({"name": "Alice Example", "roles": ["ADMIN", "USER"], "authMethod": "SESSION"})
    );

    // The same callback again: its state was used up.
    let replayed = browser.client.get(&callback).send().await.unwrap();
    assert_eq!(replayed.status(), 400);

    // Her verified e-mail linked the provisioned user rather than making a second one.
    let info = sso
        .a
        .get_as_master("/user/info?user_id=alice@example.com")
        .await;
    let info: Value = info.json().await.unwrap();
    assert_eq!(info["user_info"]["max_budget"], 5.0, "{info}");
    let db = sso.a.database().await;
    let users = sea_orm::ConnectionTrait::query_all(
        &db,
        sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT external_id FROM users WHERE email = 'alice@example.com'",
        ),
    )
    .await
    .unwrap();
    assert_eq!(users.len(), 1, "one user for Alice");

    // Groups decide roles at every login: auditors read everything and change nothing ...
    sso.provider
        .set_groups("alice", &["staff", "sy-auditors"])
        .await;
    assert_eq!(
        sign_in(&browser, &sso.a, "alice", "alice-pw")
            .await
            .status(),
        303
    );
    let (_, auditor) = browser
        .graphql(&sso.a.url(""), "{ me { roles permissions } }", json!({}))
        .await;
    assert_eq!(
        auditor["data"]["me"],
        json!({"roles": ["ADMIN_READONLY", "USER"], "permissions": ["READ_OWN", "WRITE_OWN", "READ_ALL"]})
    );

    // ... and a group gone at the provider is a role gone at the next login.
    sso.provider.set_groups("alice", &["staff"]).await;
    let again = sign_in(&browser, &sso.a, "alice", "alice-pw").await;
    assert_eq!(again.status(), 303);
    assert_eq!(me(&browser, &sso.a).await["roles"], json!(["USER"]));

    // The session is valid on the other replica, and logout on one ends it on both.
    let session = browser.cookie(&sso.a.url(""), "sy_session").unwrap();
    let on_b = SessionClient::new();
    on_b.set_cookie(&sso.b.url(""), &format!("sy_session={session}"));
    assert_eq!(me(&on_b, &sso.b).await["name"], "Alice Example");
    let (_, out) = browser
        .graphql(
            &sso.a.url(""),
            "mutation { logout { redirectTo } }",
            json!({}),
        )
        .await;
    let end_session = out["data"]["logout"]["redirectTo"].as_str().unwrap();
    assert!(
        end_session.starts_with(&format!("{}/session/end", sso.provider.issuer())),
        "{end_session}"
    );
    assert!(harness::query_param(end_session, "id_token_hint").is_some());
    assert_eq!(
        harness::query_param(end_session, "post_logout_redirect_uri").unwrap(),
        sso.a.url("/")
    );
    assert_eq!(
        me(&on_b, &sso.b).await,
        Value::Null,
        "revoked on every replica"
    );
    assert_eq!(me(&browser, &sso.a).await, Value::Null);
    // The provider accepts the end-session request it was sent to.
    let ended = browser.client.get(end_session).send().await.unwrap();
    assert!(ended.status().is_success(), "{}", ended.status());

    // Someone outside the allowed groups is kept out.
    let outsider = SessionClient::new();
    let refused = sign_in(&outsider, &sso.a, "mallory", "mallory-pw").await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("not in a group allowed")
    );
    assert!(outsider.cookie(&sso.a.url(""), "sy_session").is_none());
}

#[tokio::test]
async fn forged_and_spoiled_answers_are_refused() {
    let sso = start().await;
    let browser = SessionClient::new();
    let no_session =
        |browser: &SessionClient| browser.cookie(&sso.a.url(""), "sy_session").is_none();

    // A state Switchyard never issued.
    let authorize = begin(&browser, &sso.a, "/").await;
    let callback = through_provider(&browser, &authorize, "alice", "alice-pw").await;
    let code = harness::query_param(&callback, "code").unwrap();
    let forged = browser
        .client
        .get(
            sso.a
                .url(&format!("/auth/callback?code={code}&state=made-up")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    assert!(no_session(&browser));

    // A code used once already, presented with a fresh, valid state.
    let ok = browser.client.get(&callback).send().await.unwrap();
    assert_eq!(ok.status(), 303, "the genuine callback still works once");
    let fresh = begin(&browser, &sso.a, "/").await;
    let state = harness::query_param(&fresh, "state").unwrap();
    let replayed = browser
        .client
        .get(
            sso.a
                .url(&format!("/auth/callback?code={code}&state={state}")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        replayed.status(),
        401,
        "the provider refuses a replayed code"
    );

    // A code bound to another nonce (the authorization request was tampered with).
    let other = SessionClient::new();
    let authorize = begin(&other, &sso.a, "/").await;
    let mut url = reqwest::Url::parse(&authorize).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "nonce" {
                "attacker-chosen-nonce".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let callback = through_provider(&other, url.as_str(), "alice", "alice-pw").await;
    let wrong_nonce = other.client.get(&callback).send().await.unwrap();
    assert_eq!(wrong_nonce.status(), 401);
    assert!(no_session(&other));

    // ID tokens signed by the provider's own key, but expired, or issued for someone else.
    for tamper in [Tamper::Expired, Tamper::WrongAudience] {
        sso.provider.tamper(Some(tamper)).await;
        let victim = SessionClient::new();
        let spoiled = sign_in(&victim, &sso.a, "alice", "alice-pw").await;
        assert_eq!(spoiled.status(), 401, "{tamper:?}");
        assert!(no_session(&victim), "{tamper:?}");
    }
    sso.provider.tamper(None).await;
    let fine = SessionClient::new();
    assert_eq!(
        sign_in(&fine, &sso.a, "alice", "alice-pw").await.status(),
        303
    );
    assert!(
        sso.a.logs().contains("single sign-on failed"),
        "failures are logged"
    );
    // Each was refused for its own reason, not for some other fault on the way.
    let logs = sso.a.logs();
    for reason in [
        "invalid_grant",
        "nonce mismatch",
        "ID token expired",
        "Invalid audiences",
    ] {
        assert!(logs.contains(reason), "no `{reason}` in the log:\n{logs}");
    }
    assert!(!sso.a.logs().contains(&code), "codes are never logged");
}

/// The browser journey: the portal's sign-in page, the provider's login page, back in the
/// SPA signed in. Needs the SPA built (`trunk build --release`, which `tests/ci.sh` runs).
#[tokio::test]
async fn a_callback_from_another_browsers_login_signs_no_one_in() {
    // Login CSRF: the attacker starts a login of their own, stops at the callback URL, and
    // makes a victim's fresh browser open it.
    let sso = start().await;
    let attacker = SessionClient::new();
    let authorize = begin(&attacker, &sso.a, "/").await;
    assert!(
        attacker.cookie(&sso.a.url("/auth"), "sy_login").is_some(),
        "the login is bound to the browser that started it"
    );
    let callback = through_provider(&attacker, &authorize, "alice", "alice-pw").await;
    let victim = SessionClient::new();
    let opened = victim.client.get(&callback).send().await.unwrap();
    assert_eq!(opened.status(), 400);
    assert!(opened.text().await.unwrap().contains("another browser"));
    assert!(victim.cookie(&sso.a.url(""), "sy_session").is_none());
    // A victim with a login of their own in flight is not signed in either.
    let _ = begin(&victim, &sso.a, "/").await;
    assert_eq!(
        victim.client.get(&callback).send().await.unwrap().status(),
        400
    );
    assert!(victim.cookie(&sso.a.url(""), "sy_session").is_none());
    // The browser that started it still finishes it, and the binding is then forgotten.
    let finished = attacker.client.get(&callback).send().await.unwrap();
    assert_eq!(finished.status(), 303);
    assert!(attacker.cookie(&sso.a.url("/auth"), "sy_login").is_none());
}

#[tokio::test]
async fn an_email_address_never_rebinds_an_account_linked_to_another_subject() {
    let sso = start().await;
    let alice = SessionClient::new();
    assert_eq!(
        sign_in(&alice, &sso.a, "alice", "alice-pw").await.status(),
        303
    );
    // Someone else at the provider with the same verified address is refused ...
    let twin = SessionClient::new();
    let refused = sign_in(&twin, &sso.a, "alice-twin", "twin-pw").await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("linked to another sign-in")
    );
    assert!(twin.cookie(&sso.a.url(""), "sy_session").is_none());
    // ... and Alice's account is still hers.
    let again = SessionClient::new();
    assert_eq!(
        sign_in(&again, &sso.a, "alice", "alice-pw").await.status(),
        303
    );
    assert_eq!(me(&again, &sso.a).await["name"], "Alice Example");
}

#[tokio::test]
async fn anonymous_sign_in_starts_are_bounded_per_client_and_in_length() {
    let sso = start().await;
    let db = sso.a.database().await;
    let rows = || async {
        let row = sea_orm::ConnectionTrait::query_one(
            &db,
            sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT count(*) AS n, max(length(redirect_to)) AS longest FROM login_states",
            ),
        )
        .await
        .unwrap()
        .unwrap();
        (
            row.try_get::<i64>("", "n").unwrap(),
            row.try_get::<Option<i32>>("", "longest").unwrap(),
        )
    };
    // One client hammering /auth/login (2,000 in 7 s stored 2,000 rows): 20 a minute are
    // started, the rest refused with a time to wait.
    let long = format!("/{}", "a".repeat(10_000));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut refused = 0;
    for _ in 0..200 {
        let response = client
            .get(sso.a.url(&format!("/auth/login?redirect={long}")))
            .send()
            .await
            .unwrap();
        match response.status().as_u16() {
            303 => {}
            429 => {
                assert!(response.headers().contains_key("retry-after"));
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(refused, 180);
    let (count, longest) = rows().await;
    assert_eq!(count, 20);
    assert_eq!(
        longest,
        Some(1),
        "an over-long return path is stored as `/`"
    );
}

#[tokio::test]
async fn chromium_signs_in_through_the_provider_and_lands_in_the_portal() {
    let dist = harness::workspace_root().join("frontend/dist");
    assert!(
        dist.join("index.html").is_file(),
        "build the SPA first: trunk build --release"
    );
    let port = harness::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let provider = OidcProvider::start(
        &[format!("{base}/auth/callback")],
        &[OidcUser {
            id: "alice",
            password: "alice-pw",
            email: "alice@example.com",
            name: "Alice Example",
            groups: &["staff"],
        }],
    )
    .await;
    let app = TestApp::builder()
        .sqlite()
        .static_dir(dist)
        .env("SWITCHYARD_LISTEN", &format!("127.0.0.1:{port}"))
        .config_toml(&provider.config_toml(&base, ""))
        .start()
        .await;

    let browser = harness::browser::Browser::start().await;
    browser
        .open_provider_login(&app.url(""), "Test provider", provider.issuer())
        .await;
    browser.submit_provider_login("alice", "alice-pw").await;

    // Back in the SPA, signed in.
    let name = browser
        .wait_for_text("#signed-in-as", |t| !t.is_empty())
        .await;
    assert_eq!(name, "Alice Example");
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(url.as_str(), app.url("/"), "landed on the portal");
    browser.click("#account-menu-toggle").await;
    browser.wait_for("#sign-out").await;
}
