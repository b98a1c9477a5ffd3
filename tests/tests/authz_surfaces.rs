//! The authorization matrix beyond who may call what: the rows each allowed call returns (no
//! other user's), the usage and audit exports, logos and the sign-in routes. GraphQL operations and
//! credential kinds are in `authz_matrix.rs`, the admin REST API in `admin_routes.rs`.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use harness::gateway::{ModelSpec, config};
use harness::{MASTER_KEY, MockUpstream, SessionClient, TestApp, TestUser};
use serde_json::{Value, json};

/// The ids in `values` (each a string, or an object with `id`).
fn ids(values: &Value) -> BTreeSet<String> {
    values
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {values}"))
        .iter()
        .map(|v| v.get("id").unwrap_or(v).as_str().unwrap().to_owned())
        .collect()
}

/// The `group` of every series in `series`.
fn groups(series: &Value) -> BTreeSet<String> {
    series
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {series}"))
        .iter()
        .map(|s| s["group"].as_str().unwrap().to_owned())
        .collect()
}

fn set<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> BTreeSet<String> {
    items.into_iter().map(|s| s.as_ref().to_owned()).collect()
}

/// A user with data of every kind: keys (one made in the portal, one by an administrator),
/// a subscription, a session, tokens and usage.
struct Holder {
    user: TestUser,
    /// Both keys' ids: the portal one first.
    keys: [String; 2],
    subscription: String,
    /// Its tokens' ids: a read-write one and a read-only one.
    tokens: [String; 2],
    /// The read-only token's secret.
    read_only: String,
    /// The portal key's secret.
    secret: String,
    model: &'static str,
    requests: usize,
}

/// Makes `name`'s data on `model`, with `requests` chat requests (one with the
/// administrator's key, the rest with the portal one).
async fn holder(app: &TestApp, name: &str, model: &'static str, requests: usize) -> Holder {
    let user = app.sign_in_as(name, &["user"]).await;
    let model_id = app
        .graphql_with(
            "query($n: String!) { model(name: $n) { id } }",
            json!({ "n": model }),
        )
        .await["data"]["model"]["id"]
        .clone();
    let subscribed = user
        .graphql(
            "mutation($m: ID!) { subscribe(modelId: $m) { id } }",
            json!({ "m": model_id }),
        )
        .await;
    let made = user
        .graphql(
            "mutation($m: ID!) { createKey(input: {name: \"mine\", modelIds: [$m]}) { secret key { id } } }",
            json!({ "m": model_id }),
        )
        .await;
    let portal_secret = made["data"]["createKey"]["secret"].as_str().unwrap();
    let issued = app
        .post_as_master(
            "/key/generate",
            &json!({"models": [model], "user_id": name}),
        )
        .await;
    assert_eq!(issued.status(), 200);
    let issued: Value = issued.json().await.unwrap();
    let listed = user
        .graphql("{ myKeys { nodes { id origin } } }", json!({}))
        .await;
    let issued_id = listed["data"]["myKeys"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["origin"] == "admin-api")
        .unwrap_or_else(|| panic!("no admin-made key: {listed}"))["id"]
        .clone();
    let (read_write_id, _) = user.access_token(true, None).await;
    let (read_only_id, read_only) = user.access_token(false, None).await;
    let body = json!({"model": model, "messages": [{"role": "user", "content": "hi"}]});
    let secrets = [issued["key"].as_str().unwrap()]
        .into_iter()
        .chain(std::iter::repeat(portal_secret));
    for secret in secrets.take(requests) {
        let response = app
            .post_with_key("/v1/chat/completions", &body, secret)
            .await;
        assert_eq!(response.status(), 200);
    }
    Holder {
        keys: [
            made["data"]["createKey"]["key"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
            issued_id.as_str().unwrap().to_owned(),
        ],
        subscription: subscribed["data"]["subscribe"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        tokens: [read_write_id, read_only_id],
        read_only,
        secret: portal_secret.to_owned(),
        user,
        model,
        requests,
    }
}

/// The last day and the next hour: every request of the test.
fn period() -> (String, String) {
    let now = Utc::now();
    let at = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    (at(now - TimeDelta::days(1)), at(now + TimeDelta::hours(1)))
}

const MINE: &str = "query($from: DateTime!, $to: DateTime!, $keys: [ID!]) {
  me { userId } myAccount { id }
  myKeys { nodes { id } } mySubscriptions { id userId } mySessions { id current } myTokens { id }
  models { nodes { name mySubscriptionStatus } }
  usage(input: {from: $from, to: $to}) {
    totals { requests }
    byKey: series(groupBy: KEY) { group } byUser: series(groupBy: USER) { group } }
  filtered: usage(input: {from: $from, to: $to, keyIds: $keys}) {
    totals { requests } series(groupBy: KEY) { group } } }";

const EVERYONE: &str = "query($from: DateTime!, $to: DateTime!) {
  keys { nodes { id } } subscriptionQueue { nodes { id } } users { nodes { id } }
  models { nodes { name mySubscriptionStatus } }
  usage(input: {from: $from, to: $to, allUsers: true}) {
    totals { requests }
    byKey: series(groupBy: KEY) { group } byUser: series(groupBy: USER) { group } } }";

/// How an export is asked for.
enum Asker<'a> {
    Anonymous,
    /// A browser's session cookie, from the portal's own origin or from `origin`.
    Cookie(&'a TestUser, Option<&'a str>),
    Bearer(&'a str),
}

/// `GET path` as `asker`: the status and the body.
async fn get_as(app: &TestApp, asker: &Asker<'_>, path: &str) -> (u16, String) {
    let url = app.url(path);
    let request = match asker {
        Asker::Anonymous => app.client.get(url),
        Asker::Cookie(user, None) => user.browser.client.get(url),
        Asker::Cookie(user, Some(origin)) => user.browser.client.get(url).header("origin", *origin),
        Asker::Bearer(token) => app.client.get(url).bearer_auth(token),
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Column `column` of every row of a CSV answer, when it is a 200 (else nothing).
fn column(status: u16, csv: &str, column: usize) -> BTreeSet<String> {
    if status != 200 {
        return BTreeSet::new();
    }
    csv.lines()
        .skip(1)
        .map(|line| line.split(',').nth(column).unwrap().to_owned())
        .collect()
}

/// `GET /usage.csv?from=…&to=…&{query}`: the status and the `group` column of its rows.
async fn export(app: &TestApp, asker: &Asker<'_>, query: &str) -> (u16, BTreeSet<String>) {
    let (from, to) = period();
    let (status, text) = get_as(
        app,
        asker,
        &format!("/usage.csv?from={from}&to={to}&{query}"),
    )
    .await;
    (status, column(status, &text, 1))
}

#[tokio::test]
async fn every_list_and_export_holds_the_callers_rows_and_no_one_elses() {
    let mock = MockUpstream::start("aws", &["granite", "llama"], &[]).await;
    let app = TestApp::builder()
        .config_toml(&config(
            "",
            &[
                ModelSpec::new("granite", "granite", &[&mock]),
                ModelSpec::new("llama", "llama", &[&mock]),
            ],
        ))
        .start()
        .await;
    let ana = holder(&app, "ana@example.com", "granite", 3).await;
    let bob = holder(&app, "bob@example.com", "llama", 2).await;
    let auditor = app
        .sign_in_as("audit@example.com", &["admin-readonly", "user"])
        .await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let (from, to) = period();

    // The ledger has written all five requests.
    let mut everyone = Value::Null;
    for _ in 0..100 {
        everyone = admin
            .graphql(EVERYONE, json!({ "from": from, "to": to }))
            .await;
        if everyone["data"]["usage"]["totals"]["requests"] == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        everyone["data"]["usage"]["totals"]["requests"], 5,
        "{everyone}"
    );

    // Each user's lists: their own rows, all of them, and nothing of the other's.
    for (me, other) in [(&ana, &bob), (&bob, &ana)] {
        let variables = json!({ "from": from, "to": to, "keys": [other.keys[0]] });
        let mine = me.user.graphql(MINE, variables).await;
        let who = &me.user.id;
        assert!(mine["errors"].is_null(), "{mine}");
        let data = &mine["data"];
        assert_eq!(data["me"]["userId"], *who);
        assert_eq!(data["myAccount"]["id"], *who);
        assert_eq!(
            ids(&data["myKeys"]["nodes"]),
            set([&me.keys[0], &me.keys[1]])
        );
        assert_eq!(ids(&data["mySubscriptions"]), set([&me.subscription]));
        assert_eq!(data["mySubscriptions"][0]["userId"], *who, "{mine}");
        assert_eq!(ids(&data["myTokens"]), set([&me.tokens[0], &me.tokens[1]]));
        let sessions = data["mySessions"].as_array().unwrap();
        assert_eq!(sessions.len(), 1, "{mine}");
        assert_eq!(sessions[0]["current"], true);
        for model in data["models"]["nodes"].as_array().unwrap() {
            let expected = if model["name"] == me.model {
                json!("ACTIVE")
            } else {
                Value::Null
            };
            assert_eq!(model["mySubscriptionStatus"], expected, "{model}");
        }
        let usage = &data["usage"];
        assert_eq!(usage["totals"]["requests"], me.requests, "{mine}");
        assert_eq!(groups(&usage["byKey"]), set([&me.keys[0], &me.keys[1]]));
        assert_eq!(groups(&usage["byUser"]), set([who.as_str()]));
        // Asking for the other's key by id narrows my usage to nothing.
        assert_eq!(data["filtered"]["totals"]["requests"], 0, "{mine}");
        assert_eq!(data["filtered"]["series"], json!([]), "{mine}");
    }

    // Administrators, read-only ones included, see both users' rows.
    let all_keys = set([&ana.keys[0], &ana.keys[1], &bob.keys[0], &bob.keys[1]]);
    for viewer in [&admin, &auditor] {
        let seen = viewer
            .graphql(EVERYONE, json!({ "from": from, "to": to }))
            .await;
        let data = &seen["data"];
        assert!(ids(&data["keys"]["nodes"]).is_superset(&all_keys), "{seen}");
        assert!(
            ids(&data["subscriptionQueue"]["nodes"])
                .is_superset(&set([&ana.subscription, &bob.subscription])),
            "{seen}"
        );
        assert!(
            ids(&data["users"]["nodes"]).is_superset(&set([&ana.user.id, &bob.user.id])),
            "{seen}"
        );
        // Nobody else's subscription shows as the viewer's.
        for model in data["models"]["nodes"].as_array().unwrap() {
            assert_eq!(model["mySubscriptionStatus"], Value::Null, "{model}");
        }
        let usage = &data["usage"];
        assert_eq!(usage["totals"]["requests"], 5);
        assert_eq!(groups(&usage["byKey"]), all_keys);
        assert_eq!(groups(&usage["byUser"]), set([&ana.user.id, &bob.user.id]));
    }

    // The export: the same scope as the report, for every way of asking.
    let (revoked_id, revoked) = ana.user.access_token(false, None).await;
    let done = ana
        .user
        .graphql(
            "mutation($id: ID!) { revokeAccessToken(id: $id) { revokedAt } }",
            json!({ "id": revoked_id }),
        )
        .await;
    assert!(
        done["data"]["revokeAccessToken"]["revokedAt"].is_string(),
        "{done}"
    );
    let ana_keys = set([&ana.keys[0], &ana.keys[1]]);
    let bob_keys = set([&bob.keys[0], &bob.keys[1]]);
    let both = set([&ana.user.id, &bob.user.id]);
    let nothing = BTreeSet::new();
    let bob_only = format!("group_by=key&user_id={}", bob.user.id);
    let bobs_key = format!("group_by=key&key_ids={}", bob.keys[0]);
    let cases: Vec<(&str, Asker<'_>, &str, u16, BTreeSet<String>)> = vec![
        (
            "Ana by key",
            Asker::Cookie(&ana.user, None),
            "group_by=key",
            200,
            ana_keys.clone(),
        ),
        (
            "Ana by user",
            Asker::Cookie(&ana.user, None),
            "group_by=user",
            200,
            set([&ana.user.id]),
        ),
        (
            "Bob by key",
            Asker::Cookie(&bob.user, None),
            "group_by=key",
            200,
            bob_keys.clone(),
        ),
        (
            "Ana's read-only token",
            Asker::Bearer(&ana.read_only),
            "group_by=key",
            200,
            ana_keys.clone(),
        ),
        (
            "Ana asking for Bob's key",
            Asker::Cookie(&ana.user, None),
            &bobs_key,
            200,
            nothing.clone(),
        ),
        (
            "Ana asking for Bob",
            Asker::Cookie(&ana.user, None),
            &bob_only,
            403,
            nothing.clone(),
        ),
        (
            "Ana asking for everyone",
            Asker::Cookie(&ana.user, None),
            "group_by=user&all_users=true",
            403,
            nothing.clone(),
        ),
        (
            "an administrator, everyone",
            Asker::Cookie(&admin, None),
            "group_by=user&all_users=true",
            200,
            both.clone(),
        ),
        (
            "an administrator, by key",
            Asker::Cookie(&admin, None),
            "group_by=key&all_users=true",
            200,
            all_keys.clone(),
        ),
        (
            "an administrator, Bob",
            Asker::Cookie(&admin, None),
            &bob_only,
            200,
            bob_keys.clone(),
        ),
        (
            "a read-only administrator, everyone",
            Asker::Cookie(&auditor, None),
            "group_by=user&all_users=true",
            200,
            both.clone(),
        ),
        (
            "the master key, everyone",
            Asker::Bearer(MASTER_KEY),
            "group_by=user&all_users=true",
            200,
            both.clone(),
        ),
        // The master key is no user: it has no usage of its own to export.
        (
            "the master key, its own",
            Asker::Bearer(MASTER_KEY),
            "group_by=user",
            400,
            nothing.clone(),
        ),
        (
            "anonymous",
            Asker::Anonymous,
            "group_by=user",
            401,
            nothing.clone(),
        ),
        (
            "Ana's revoked token",
            Asker::Bearer(&revoked),
            "group_by=user",
            401,
            nothing.clone(),
        ),
        (
            "Ana's virtual key",
            Asker::Bearer(&ana.secret),
            "group_by=user",
            401,
            nothing.clone(),
        ),
        (
            "Ana's cookie from another site",
            Asker::Cookie(&ana.user, Some("http://evil.example")),
            "group_by=user",
            401,
            nothing.clone(),
        ),
    ];
    let mut failures = Vec::new();
    for (label, asker, query, status, rows) in &cases {
        let got = export(&app, asker, query).await;
        if got != (*status, rows.clone()) {
            failures.push(format!(
                "{label} ({query}): expected {status} {rows:?}, got {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The logo in the login slot as anyone fetches it: status, ETag and bytes.
async fn login_logo(app: &TestApp) -> (u16, Option<String>, Vec<u8>) {
    let response = app.get("/branding/logo/login").await;
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned());
    (
        response.status().as_u16(),
        etag,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// `uploadLogo` of `bytes` (a PNG) into the login slot, spelled out in the document (so it
/// may be sent without variables, as a forged request would be).
fn upload_of(bytes: &[u8]) -> String {
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!(
        "mutation {{ uploadLogo(slot: LOGIN, contentType: \"image/png\", dataBase64: \"{data}\") {{ url }} }}"
    )
}

#[tokio::test]
async fn logos_are_public_to_read_and_only_administrators_change_them() {
    let app = TestApp::start().await;
    let base = app.url("");
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let auditor = app
        .sign_in_as("audit@example.com", &["admin-readonly", "user"])
        .await;
    let (_, admin_read_only) = admin.access_token(false, None).await;
    let (_, admin_read_write) = admin.access_token(true, None).await;
    let (_, ana_read_write) = ana.access_token(true, None).await;
    let png = |fill: u8| [b"\x89PNG\r\n\x1a\n".as_slice(), &[fill; 64]].concat();

    let uploaded = admin.graphql(&upload_of(&png(1)), json!({})).await;
    assert!(uploaded["errors"].is_null(), "{uploaded}");
    // Public: the sign-in page shows it before anyone signs in.
    let (status, etag, bytes) = login_logo(&app).await;
    assert_eq!((status, bytes.as_slice()), (200, png(1).as_slice()));
    let response = app.get("/branding/logo/login").await;
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public"),
        "{:?}",
        response.headers()
    );
    assert_eq!(app.get("/branding/logo/nowhere").await.status(), 404);

    // Everyone else is refused, by whatever credential, and the logo stays.
    let upload = upload_of(&png(2));
    let remove = "mutation { removeLogo(slot: LOGIN) }";
    let anonymous = SessionClient::new();
    for operation in [upload.as_str(), remove] {
        let attempts: Vec<(&str, Value)> = vec![
            (
                "anonymous",
                anonymous.graphql(&base, operation, json!({})).await.1,
            ),
            ("a user", ana.graphql(operation, json!({})).await),
            (
                "a user's read-write token",
                app.graphql_bearer(&ana_read_write, operation, json!({}))
                    .await
                    .1,
            ),
            (
                "a read-only administrator",
                auditor.graphql(operation, json!({})).await,
            ),
            (
                "an administrator without the CSRF header",
                admin.browser.graphql_without_csrf(&base, operation).await.1,
            ),
            (
                "an administrator's read-only token",
                app.graphql_bearer(&admin_read_only, operation, json!({}))
                    .await
                    .1,
            ),
        ];
        for (who, body) in attempts {
            let expected = if who == "anonymous" {
                "UNAUTHENTICATED"
            } else {
                "FORBIDDEN"
            };
            assert_eq!(
                body["errors"][0]["extensions"]["code"], expected,
                "{who}: {operation}: {body}"
            );
            assert_eq!(
                login_logo(&app).await,
                (200, etag.clone(), png(1)),
                "{who} changed the logo"
            );
        }
    }

    // Administrators change it by token too, and the master key removes it.
    let (_, replaced) = app
        .graphql_bearer(&admin_read_write, &upload, json!({}))
        .await;
    assert!(replaced["errors"].is_null(), "{replaced}");
    assert_eq!(login_logo(&app).await.2, png(2));
    let (_, removed) = app.graphql_bearer(MASTER_KEY, remove, json!({})).await;
    assert!(removed["errors"].is_null(), "{removed}");
    assert_eq!(login_logo(&app).await.0, 404);
}

/// `GET path` in `browser`: the status, the cookies it set and the page.
async fn visit(app: &TestApp, browser: &SessionClient, path: &str) -> (u16, Vec<String>, String) {
    let response = browser.client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    let cookies = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    (status, cookies, response.text().await.unwrap())
}

/// How many sessions the database holds.
async fn sessions(app: &TestApp) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = app
        .database()
        .await
        .query_one(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT count(*) AS n FROM sessions",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

#[tokio::test]
async fn without_single_sign_on_the_sign_in_routes_say_so_and_sign_no_one_in() {
    let app = TestApp::start().await;
    let browser = SessionClient::new();
    for path in [
        "/auth/login",
        "/auth/login?redirect=/keys",
        "/auth/callback?code=made-up&state=made-up",
        "/auth/callback?error=access_denied",
    ] {
        let (status, cookies, page) = visit(&app, &browser, path).await;
        assert_eq!(status, 404, "{path}: {page}");
        assert!(cookies.is_empty(), "{path}: {cookies:?}");
        assert!(
            page.contains("single sign-on is not configured here"),
            "{path}: {page}"
        );
    }
    let (_, me) = browser
        .graphql(&app.url(""), "{ me { name } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"], Value::Null);
    assert_eq!(sessions(&app).await, 0);
}

#[tokio::test]
async fn made_up_callbacks_sign_no_one_in_and_an_unreachable_provider_is_explained() {
    // Single sign-on configured against a provider that is not there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = TestApp::builder()
        .config_toml(&format!(
            "[auth]\npublic_url = \"http://portal.example\"\n\n[auth.oidc]\n\
             issuer_url = \"{issuer}\"\nclient_id = \"switchyard\"\nclient_secret = \"s\"\n"
        ))
        .start()
        .await;
    let browser = SessionClient::new();

    let (status, cookies, page) = visit(&app, &browser, "/auth/login").await;
    assert_eq!(status, 503, "{page}");
    assert!(page.contains("cannot be reached"), "{page}");
    assert!(cookies.is_empty(), "{cookies:?}");

    // Made-up answers, with and without a binding cookie of the browser's: refused with a
    // page that says why, and (the provider's own words) escaped.
    let forged = SessionClient::new();
    forged.set_cookie(&app.url("/auth"), "sy_login=made-up; Path=/auth");
    let cases = [
        (
            &browser,
            "/auth/callback?code=c&state=made-up",
            400,
            "start again",
        ),
        (
            &forged,
            "/auth/callback?code=c&state=made-up",
            400,
            "start again",
        ),
        (
            &browser,
            "/auth/callback?state=made-up",
            400,
            "lacks `code`",
        ),
        (
            &browser,
            "/auth/callback?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C/script%3E",
            401,
            "&lt;script&gt;alert(1)",
        ),
    ];
    for (client, path, expected, says) in cases {
        let (status, cookies, page) = visit(&app, client, path).await;
        assert_eq!(status, expected, "{path}: {page}");
        assert!(page.contains(says), "{path}: {page}");
        assert!(!page.contains("<script>"), "{path}: {page}");
        assert!(
            cookies.iter().all(|c| !c.starts_with("sy_session=")),
            "{path}: {cookies:?}"
        );
    }
    for client in [&browser, &forged] {
        let (_, me) = client
            .graphql(&app.url(""), "{ me { name } }", json!({}))
            .await;
        assert_eq!(me["data"]["me"], Value::Null);
    }
    assert_eq!(sessions(&app).await, 0);
}

#[tokio::test]
async fn the_audit_export_is_for_administrators_and_narrowed_by_its_filters() {
    let app = TestApp::start().await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let auditor = app
        .sign_in_as("audit@example.com", &["admin-readonly", "user"])
        .await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let banner = admin
        .graphql(
            "mutation { createBanner(input: {markdown: \"Upgrade, tonight\"}) { id } }",
            json!({}),
        )
        .await;
    assert!(banner["errors"].is_null(), "{banner}");
    let (_, ana_token) = ana.access_token(false, None).await;
    let (_, auditor_token) = auditor.access_token(false, None).await;

    // Who may export: the action column of what each gets.
    let everything = set(["createBanner", "createAccessToken"]);
    let nothing = BTreeSet::new();
    let cases: Vec<(&str, Asker<'_>, u16, BTreeSet<String>)> = vec![
        (
            "an administrator",
            Asker::Cookie(&admin, None),
            200,
            everything.clone(),
        ),
        (
            "a read-only administrator",
            Asker::Cookie(&auditor, None),
            200,
            everything.clone(),
        ),
        (
            "a read-only administrator's token",
            Asker::Bearer(&auditor_token),
            200,
            everything.clone(),
        ),
        (
            "the master key",
            Asker::Bearer(MASTER_KEY),
            200,
            everything.clone(),
        ),
        ("a user", Asker::Cookie(&ana, None), 403, nothing.clone()),
        (
            "a user's token",
            Asker::Bearer(&ana_token),
            403,
            nothing.clone(),
        ),
        ("anonymous", Asker::Anonymous, 401, nothing.clone()),
        (
            "an administrator's cookie from another site",
            Asker::Cookie(&admin, Some("http://evil.example")),
            401,
            nothing.clone(),
        ),
    ];
    let mut failures = Vec::new();
    for (label, asker, expected, actions) in &cases {
        let (status, text) = get_as(&app, asker, "/audit.csv").await;
        let got = (status, column(status, &text, 4));
        if got != (*expected, actions.clone()) {
            failures.push(format!(
                "{label}: expected {expected} {actions:?}, got {got:?}: {text}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The filters are the page's; a cell holding a comma is quoted.
    let (status, text) = get_as(
        &app,
        &Asker::Cookie(&auditor, None),
        "/audit.csv?action=createBanner&text=UPGRADE%2C&actor=root&since=2000-01-01T00:00:00Z",
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "id,at,actor,actor_user_id,action,target_type,target_id,request_id,before,after"
    );
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].contains(",root@example.com,"), "{text}");
    assert!(
        lines[1].contains("\"\"markdown\"\":\"\"Upgrade, tonight\"\""),
        "{text}"
    );
    for narrower in [
        "action=subscribe",
        "actor=nobody",
        "until=2000-01-01T00:00:00Z",
    ] {
        let (status, text) = get_as(
            &app,
            &Asker::Bearer(MASTER_KEY),
            &format!("/audit.csv?{narrower}"),
        )
        .await;
        assert_eq!(
            (status, text.lines().count()),
            (200, 1),
            "{narrower}: {text}"
        );
    }
    let (status, _) = get_as(
        &app,
        &Asker::Bearer(MASTER_KEY),
        "/audit.csv?actor_user_id=nope",
    )
    .await;
    assert_eq!(status, 400);
}
