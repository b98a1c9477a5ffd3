//! Sign-in with OpenShift's own OAuth server (not OpenID Connect), against the harness's
//! stand-in of a cluster's OAuth server and user API: the code flow with PKCE and a
//! ServiceAccount as the client, the person and groups read from the cluster API over https
//! with the cluster's CA, roles following groups, the fixed endpoints when the cluster serves
//! no metadata, each refusal, and the browser journey in Chromium.

#![allow(clippy::unwrap_used)]

use harness::openshift::CLIENT_ID;
use harness::{ClusterUser, OpenShiftStandIn, SessionClient, TestApp, TestCa};
use serde_json::{Value, json};

const ROLES: &str = "admin_groups = [\"sy-admins\"]\nallowed_groups = [\"staff\"]\n";

const PEOPLE: &[ClusterUser<'static>] = &[
    ClusterUser {
        name: "alice",
        password: "alice-pw",
        full_name: "Alice Example",
        groups: &["system:authenticated", "staff", "sy-admins"],
    },
    ClusterUser {
        name: "mallory",
        password: "mallory-pw",
        full_name: "Mallory",
        groups: &["system:authenticated", "visitors"],
    },
];

/// A stand-in cluster over https (its CA given to Switchyard as `ca_file`) and a Switchyard
/// signing in with it.
async fn start(ca: &TestCa) -> (OpenShiftStandIn, TestApp) {
    let port = harness::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let cluster =
        OpenShiftStandIn::start(&[format!("{base}/auth/callback")], PEOPLE, Some(ca)).await;
    let extra = format!("{ROLES}ca_file = \"{}\"\n", ca.ca_file.display());
    let app = TestApp::builder()
        .env("SWITCHYARD_LISTEN", &format!("127.0.0.1:{port}"))
        .config_toml(&cluster.config_toml(&base, &extra))
        .start()
        .await;
    (cluster, app)
}

/// `/auth/login` on `app`: the OAuth server URL it redirects to.
async fn begin(browser: &SessionClient, app: &TestApp) -> String {
    let response = browser
        .client
        .get(app.url("/auth/login?redirect=/keys"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{}", app.logs());
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Logs in on the OAuth server's page (as its form posts) and returns where it sends the
/// browser back to.
async fn log_in(
    cluster: &OpenShiftStandIn,
    ca: Option<&TestCa>,
    authorize: &str,
    user: &str,
    password: &str,
) -> String {
    let client = ca.map_or_else(reqwest::Client::new, TestCa::client);
    let page = client.get(authorize).send().await.unwrap();
    assert_eq!(page.status(), 200, "the login page");
    let mut form: Vec<(String, String)> = reqwest::Url::parse(authorize)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    form.push(("username".into(), user.into()));
    form.push(("password".into(), password.into()));
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    let no_redirects = match ca {
        Some(ca) => no_redirects.add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(&ca.ca_file).unwrap()).unwrap(),
        ),
        None => no_redirects,
    }
    .build()
    .unwrap();
    let posted = no_redirects
        .post(format!("{}/login", cluster.base()))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(
        posted.status().is_redirection(),
        "login: {}",
        posted.status()
    );
    posted.headers()["location"].to_str().unwrap().to_owned()
}

/// The whole sign-in; returns the callback's response.
async fn sign_in(
    cluster: &OpenShiftStandIn,
    ca: &TestCa,
    browser: &SessionClient,
    app: &TestApp,
    user: &str,
    password: &str,
) -> reqwest::Response {
    let authorize = begin(browser, app).await;
    let callback = log_in(cluster, Some(ca), &authorize, user, password).await;
    browser.client.get(&callback).send().await.unwrap()
}

async fn me(browser: &SessionClient, app: &TestApp) -> Value {
    let (_, body) = browser
        .graphql(&app.url(""), "{ me { name roles authMethod } }", json!({}))
        .await;
    body["data"]["me"].clone()
}

#[tokio::test]
async fn the_code_flow_reads_the_person_and_groups_from_the_cluster_api() {
    let ca = TestCa::new();
    let (cluster, app) = start(&ca).await;
    let settings = app
        .graphql("{ authSettings { localLogin singleSignOn providerName } }")
        .await;
    assert_eq!(
        settings["data"]["authSettings"],
        json!({"localLogin": false, "singleSignOn": true, "providerName": "OpenShift"})
    );

    let browser = SessionClient::new();
    let authorize = begin(&browser, &app).await;
    assert!(
        authorize.starts_with(&format!("{}/oauth/authorize?", cluster.base())),
        "{authorize}"
    );
    assert_eq!(
        harness::query_param(&authorize, "client_id").as_deref(),
        Some(CLIENT_ID)
    );
    assert_eq!(
        harness::query_param(&authorize, "scope").as_deref(),
        Some("user:info user:check-access")
    );
    assert_eq!(
        harness::query_param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(harness::query_param(&authorize, "state").unwrap().len() >= 16);
    assert_eq!(
        harness::query_param(&authorize, "redirect_uri").unwrap(),
        app.url("/auth/callback")
    );

    let callback = log_in(&cluster, Some(&ca), &authorize, "alice", "alice-pw").await;
    let landed = browser.client.get(&callback).send().await.unwrap();
    assert_eq!(landed.status(), 303, "{}", app.logs());
    assert_eq!(landed.headers()["location"], "/keys");
    assert_eq!(
        me(&browser, &app).await,
        json!({"name": "Alice Example", "roles": ["ADMIN", "USER"], "authMethod": "SESSION"})
    );
    assert_eq!(
        cluster.counts(),
        (1, 1),
        "one code exchanged (client secret and PKCE verifier accepted), one user read"
    );
    let replayed = browser.client.get(&callback).send().await.unwrap();
    assert_eq!(replayed.status(), 400, "a state is used once");

    // Groups decide roles at every sign-in.
    cluster.set_groups("alice", &["system:authenticated", "staff"]);
    let again = sign_in(&cluster, &ca, &browser, &app, "alice", "alice-pw").await;
    assert_eq!(again.status(), 303);
    assert_eq!(me(&browser, &app).await["roles"], json!(["USER"]));
    let db = app.database().await;
    let rows = sea_orm::ConnectionTrait::query_all(
        &db,
        sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT oidc_subject, oidc_issuer FROM users WHERE oidc_subject IS NOT NULL",
        ),
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 1, "one account for Alice, signed in twice");
    let subject: String = rows[0].try_get("", "oidc_subject").unwrap();
    assert_eq!(subject, "uid-alice", "the User object's uid is the subject");

    // OpenShift's OAuth server has no end-session endpoint: logout ends the portal session.
    let (_, out) = browser
        .graphql(
            &app.url(""),
            "mutation { logout { redirectTo } }",
            json!({}),
        )
        .await;
    assert_eq!(out["data"]["logout"]["redirectTo"], "/");
    assert_eq!(me(&browser, &app).await, Value::Null);

    // Someone who later gets the name of a deleted user does not inherit the account.
    cluster.recreate("alice");
    let newcomer = SessionClient::new();
    let landed = sign_in(&cluster, &ca, &newcomer, &app, "alice", "alice-pw").await;
    assert_eq!(landed.status(), 303);
    let accounts = sea_orm::ConnectionTrait::query_all(
        &db,
        sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT oidc_subject FROM users WHERE oidc_subject IS NOT NULL ORDER BY 1",
        ),
    )
    .await
    .unwrap();
    let subjects: Vec<String> = accounts
        .iter()
        .map(|r| r.try_get("", "oidc_subject").unwrap())
        .collect();
    assert_eq!(subjects, ["uid-alice", "uid-alice-again"], "a new account");

    // Someone outside the allowed groups is kept out.
    let outsider = SessionClient::new();
    let refused = sign_in(&cluster, &ca, &outsider, &app, "mallory", "mallory-pw").await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("not in a group allowed")
    );
    assert!(outsider.cookie(&app.url(""), "sy_session").is_none());
}

#[tokio::test]
async fn refused_codes_tokens_and_states_sign_no_one_in() {
    let ca = TestCa::new();
    let (cluster, app) = start(&ca).await;
    let browser = SessionClient::new();
    let no_session = |browser: &SessionClient| browser.cookie(&app.url(""), "sy_session").is_none();

    // A state Switchyard never issued.
    let authorize = begin(&browser, &app).await;
    let callback = log_in(&cluster, Some(&ca), &authorize, "alice", "alice-pw").await;
    let code = harness::query_param(&callback, "code").unwrap();
    let forged = browser
        .client
        .get(app.url(&format!("/auth/callback?code={code}&state=made-up")))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);

    // A made-up code with a genuine state: the OAuth server refuses to exchange it.
    let authorize = begin(&browser, &app).await;
    let state = harness::query_param(&authorize, "state").unwrap();
    let made_up = browser
        .client
        .get(app.url(&format!("/auth/callback?code=made-up&state={state}")))
        .send()
        .await
        .unwrap();
    assert_eq!(made_up.status(), 401);
    assert!(no_session(&browser));

    // The cluster API refuses the access token: no one is signed in.
    cluster.reject_tokens(true);
    let rejected = sign_in(&cluster, &ca, &browser, &app, "alice", "alice-pw").await;
    assert_eq!(rejected.status(), 401);
    assert!(no_session(&browser));
    cluster.reject_tokens(false);

    // The provider's own error comes back as a refusal.
    let denied = browser
        .client
        .get(app.url("/auth/callback?error=access_denied&error_description=scope+denied"))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 401);
    assert!(denied.text().await.unwrap().contains("scope denied"));

    let fine = sign_in(&cluster, &ca, &browser, &app, "alice", "alice-pw").await;
    assert_eq!(fine.status(), 303);
    let logs = app.logs();
    for reason in ["invalid_grant", "refused the access token"] {
        assert!(logs.contains(reason), "no `{reason}` in the log:\n{logs}");
    }
    assert!(!logs.contains(&code), "codes are never logged");
    assert!(!logs.contains("sha256~"), "access tokens are never logged");
}

#[tokio::test]
async fn without_the_clusters_metadata_the_oauth_servers_fixed_paths_are_used() {
    let ca = TestCa::new();
    let port = harness::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let cluster =
        OpenShiftStandIn::start(&[format!("{base}/auth/callback")], PEOPLE, Some(&ca)).await;
    cluster.serve_metadata(false);
    // The authority as a mounted volume gives it: a directory of bundles.
    let mounted = tempfile::tempdir().unwrap();
    std::fs::copy(&ca.ca_file, mounted.path().join("kube-root-ca.crt")).unwrap();
    std::fs::create_dir(mounted.path().join("..2026_12_01")).unwrap();
    let extra = format!(
        "ca_file = \"{}\"\ndisplay_name = \"Cluster login\"\n",
        mounted.path().display()
    );
    let app = TestApp::builder()
        .sqlite()
        .env("SWITCHYARD_LISTEN", &format!("127.0.0.1:{port}"))
        .config_toml(&cluster.config_toml(&base, &extra))
        .start()
        .await;
    let browser = SessionClient::new();
    let landed = sign_in(&cluster, &ca, &browser, &app, "alice", "alice-pw").await;
    assert_eq!(landed.status(), 303, "{}", app.logs());
    assert_eq!(me(&browser, &app).await["name"], "Alice Example");
    assert!(app.logs().contains("discovery document is unavailable"));
    let settings = app.graphql("{ authSettings { providerName } }").await;
    assert_eq!(
        settings["data"]["authSettings"]["providerName"],
        "Cluster login"
    );
}

#[tokio::test]
async fn a_cluster_behind_an_unknown_authority_is_not_trusted() {
    let ca = TestCa::new();
    let port = harness::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let cluster =
        OpenShiftStandIn::start(&[format!("{base}/auth/callback")], PEOPLE, Some(&ca)).await;
    // No `ca_file`: the cluster's private CA is not among the built-in authorities.
    let app = TestApp::builder()
        .sqlite()
        .env("SWITCHYARD_LISTEN", &format!("127.0.0.1:{port}"))
        .config_toml(&cluster.config_toml(&base, ""))
        .start()
        .await;
    let browser = SessionClient::new();
    let landed = sign_in(&cluster, &ca, &browser, &app, "alice", "alice-pw").await;
    assert_eq!(
        landed.status(),
        503,
        "the token endpoint cannot be reached safely"
    );
    assert!(browser.cookie(&app.url(""), "sy_session").is_none());
    assert_eq!(cluster.counts(), (0, 0), "no code was ever sent to it");
}

/// The browser journey: the portal's sign-in page, the OAuth server's login page (a wrong
/// password first), back in the SPA signed in. Needs the SPA built (`trunk build --release`,
/// which `tests/ci.sh` runs).
#[tokio::test]
async fn chromium_signs_in_through_openshift_and_lands_in_the_portal() {
    let dist = harness::workspace_root().join("frontend/dist");
    assert!(
        dist.join("index.html").is_file(),
        "build the SPA first: trunk build --release"
    );
    let port = harness::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let cluster = OpenShiftStandIn::start(&[format!("{base}/auth/callback")], PEOPLE, None).await;
    let app = TestApp::builder()
        .sqlite()
        .static_dir(dist)
        .env("SWITCHYARD_LISTEN", &format!("127.0.0.1:{port}"))
        .config_toml(&cluster.config_toml(&base, ROLES))
        .start()
        .await;

    let browser = harness::browser::Browser::start().await;
    browser
        .open_provider_login(&app.url(""), "OpenShift", cluster.base())
        .await;
    browser.submit_provider_login("alice", "wrong").await;
    browser
        .wait_for_text("#message", |t| t.contains("Invalid login or password"))
        .await;
    browser.submit_provider_login("alice", "alice-pw").await;

    // Back in the SPA, signed in, as an administrator (her group `sy-admins`).
    let name = browser
        .wait_for_text("#signed-in-as", |t| !t.is_empty())
        .await;
    assert_eq!(name, "Alice Example");
    assert_eq!(
        browser.client.current_url().await.unwrap().as_str(),
        app.url("/")
    );
    browser.wait_for("#nav-admin").await;
}
