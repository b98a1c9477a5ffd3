//! The authorization matrix: every query, mutation and subscription of the schema, as an
//! anonymous caller, a user, another user, a read-only administrator and an administrator,
//! with the outcome each must get. A new operation without a row here fails the test.
//! Beside it, the same questions for every kind of credential (sessions with and without the
//! CSRF header, tokens, the master key, and dead ones) and for keys an administrator made.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::Duration;

use harness::{GraphqlSocket, MASTER_KEY, SessionClient, TestApp, TestUser};
use serde_json::{Value, json};

/// What a caller must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// Authorized: data, or an input-level error (`BAD_USER_INPUT`, `CONFLICT`).
    Ok,
    /// Authorized to ask, but the object is not theirs to see: `NOT_FOUND`.
    Hidden,
    Unauthenticated,
    Forbidden,
    /// Taken for nobody: `me` is null (a stale session cookie counts as none).
    Nobody,
    /// The master key asking for "my" data: `BAD_USER_INPUT`, it is no user.
    NoUser,
}
use Outcome::{
    Forbidden as F, Hidden as H, NoUser as N, Nobody as A, Ok as O, Unauthenticated as U,
};

fn outcome(body: &Value) -> Outcome {
    match body["errors"][0]["extensions"]["code"].as_str() {
        None | Some("BAD_USER_INPUT" | "CONFLICT") => O,
        Some("NOT_FOUND") => H,
        Some("UNAUTHENTICATED") => U,
        Some("FORBIDDEN") => F,
        Some(other) => panic!("unexpected code {other}: {body}"),
    }
}

/// Objects Ana owns, made fresh for each caller so destructive operations do not interfere.
struct Owned {
    model: String,
    key: String,
    token: String,
    session: String,
    subscription: String,
}

async fn owned_by(app: &TestApp, ana: &TestUser, name: &str) -> Owned {
    let model = app.graphql("{ model(name: \"granite\") { id } }").await["data"]["model"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sub = ana
        .graphql(
            "mutation($m: ID!) { subscribe(modelId: $m) { id } }",
            json!({ "m": model }),
        )
        .await;
    let key = ana
        .graphql(
            "mutation($m: ID!) { createKey(input: {name: \"k\", modelIds: [$m]}) { key { id } } }",
            json!({ "m": model }),
        )
        .await;
    let token = ana
        .graphql(
            "mutation { createAccessToken(name: \"t\") { token { id } } }",
            json!({}),
        )
        .await;
    // Another of Ana's sessions (a second device) is the one to revoke.
    app.sign_in_as(name, &["user"]).await;
    let sessions = ana
        .graphql("{ mySessions { id current } }", json!({}))
        .await;
    let other_session = sessions["data"]["mySessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .expect("a second session of Ana's");
    Owned {
        subscription: sub["data"]["subscribe"]["id"].as_str().unwrap().to_owned(),
        key: key["data"]["createKey"]["key"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        token: token["data"]["createAccessToken"]["token"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        session: other_session,
        model,
    }
}

/// One row: the field, the operation (with `$m`, `$key`, `$token`, `$session`, `$sub`,
/// `$ana` bound to Ana's objects) and the outcomes for
/// [anonymous, Ana (owner), Bob (another user), read-only administrator, administrator].
struct Row {
    field: &'static str,
    operation: &'static str,
    expected: [Outcome; 5],
}

const fn row(field: &'static str, operation: &'static str, expected: [Outcome; 5]) -> Row {
    Row {
        field,
        operation,
        expected,
    }
}

fn rows() -> Vec<Row> {
    vec![
        // Public.
        row("version", "{ version }", [O, O, O, O, O]),
        row("branding", "{ branding { title } }", [O, O, O, O, O]),
        row(
            "authSettings",
            "{ authSettings { localLogin } }",
            [O, O, O, O, O],
        ),
        row("me", "{ me { name } }", [O, O, O, O, O]),
        row("banners", "{ banners { id } }", [O, O, O, O, O]),
        row("currency", "{ currency }", [O, O, O, O, O]),
        row(
            "models",
            "{ models { edges { node { name } } } }",
            [O, O, O, O, O],
        ),
        row(
            "model",
            "{ model(name: \"granite\") { name } }",
            [O, O, O, O, O],
        ),
        // One's own.
        row("myTokens", "{ myTokens { id } }", [U, O, O, O, O]),
        row("mySessions", "{ mySessions { id } }", [U, O, O, O, O]),
        row("myAccount", "{ myAccount { id spend } }", [U, O, O, O, O]),
        row(
            "mySubscriptions",
            "{ mySubscriptions { id } }",
            [U, O, O, O, O],
        ),
        row(
            "myKeys",
            "{ myKeys { edges { node { id } } } }",
            [U, O, O, O, O],
        ),
        row(
            "keyPolicy",
            "{ keyPolicy { maxKeysPerUser } }",
            [U, O, O, O, O],
        ),
        row(
            "usage",
            "{ usage(input: {from: \"2026-01-01T00:00:00Z\", to: \"2026-02-01T00:00:00Z\"}) { totals { requests } } }",
            [U, O, O, O, O],
        ),
        // Administrators read.
        row(
            "subscriptionQueue",
            "{ subscriptionQueue { edges { node { id } } } }",
            [U, F, F, O, O],
        ),
        row(
            "keys",
            "{ keys { edges { node { id } } } }",
            [U, F, F, O, O],
        ),
        row(
            "users",
            "{ users { edges { node { id } } } }",
            [U, F, F, O, O],
        ),
        row(
            "user",
            "query($ana: ID!) { user(id: $ana) { id } }",
            [U, F, F, O, O],
        ),
        row("allBanners", "{ allBanners { id } }", [U, F, F, O, O]),
        row("guardrails", "{ guardrails { name } }", [U, F, F, O, O]),
        row(
            "userTokens",
            "query($ana: ID!) { userTokens(userId: $ana) { id } }",
            [U, F, F, O, O],
        ),
        row(
            "userSessions",
            "query($ana: ID!) { userSessions(userId: $ana) { id } }",
            [U, F, F, O, O],
        ),
        row(
            "bannerPreview",
            "{ bannerPreview(markdown: \"**hi**\") }",
            [U, F, F, O, O],
        ),
        row(
            "platformSettings",
            "{ platformSettings { currency } }",
            [U, F, F, O, O],
        ),
        row(
            "auditLog",
            "{ auditLog { edges { node { id } } } }",
            [U, F, F, O, O],
        ),
        row("auditActions", "{ auditActions }", [U, F, F, O, O]),
        // Sign-in.
        row(
            "login",
            "mutation { login(name: \"nobody\", password: \"wrong\") { name } }",
            [O, O, O, O, O],
        ),
        row(
            "logout",
            "mutation { logout { redirectTo } }",
            [O, O, O, O, O],
        ),
        // One's own changes; another user's objects stay hidden.
        row(
            "createAccessToken",
            "mutation { createAccessToken(name: \"x\") { secret } }",
            [U, O, O, O, O],
        ),
        row(
            "revokeAccessToken",
            "mutation($token: ID!) { revokeAccessToken(id: $token) { id } }",
            [U, O, H, H, H],
        ),
        row(
            "revokeSession",
            "mutation($session: ID!) { revokeSession(id: $session) { id } }",
            [U, O, H, H, H],
        ),
        row(
            "subscribe",
            "mutation($m: ID!) { subscribe(modelId: $m) { id } }",
            [U, O, O, O, O],
        ),
        row(
            "cancelSubscription",
            "mutation($sub: ID!) { cancelSubscription(id: $sub) { id } }",
            [U, O, H, H, H],
        ),
        row(
            "requestReview",
            "mutation($sub: ID!) { requestReview(id: $sub) { id } }",
            [U, O, H, H, H],
        ),
        // A key needs the caller's own active subscription; only Ana holds one here.
        row(
            "createKey",
            "mutation($m: ID!) { createKey(input: {name: \"x\", modelIds: [$m]}) { secret } }",
            [U, O, F, F, F],
        ),
        // Administrators change anyone's keys; others only their own.
        row(
            "updateKey",
            "mutation($key: ID!) { updateKey(id: $key, input: {name: \"y\"}) { id } }",
            [U, O, H, H, O],
        ),
        row(
            "rotateKey",
            "mutation($key: ID!) { rotateKey(id: $key) { secret } }",
            [U, O, H, H, O],
        ),
        row(
            "revokeKey",
            "mutation($key: ID!) { revokeKey(id: $key) { id } }",
            [U, O, H, H, O],
        ),
        row(
            "restoreKey",
            "mutation($key: ID!) { restoreKey(id: $key) { id } }",
            [U, O, H, H, O],
        ),
        row(
            "deleteKey",
            "mutation($key: ID!) { deleteKey(id: $key) }",
            [U, O, H, H, O],
        ),
        // Administrators change.
        row(
            "approveSubscriptions",
            "mutation($sub: ID!) { approveSubscriptions(ids: [$sub]) { id } }",
            [U, F, F, F, O],
        ),
        row(
            "denySubscriptions",
            "mutation($sub: ID!) { denySubscriptions(ids: [$sub], reason: \"no\") { id } }",
            [U, F, F, F, O],
        ),
        row(
            "createUser",
            "mutation { createUser(input: {email: \"new-person@example.com\", roles: [USER]}) { user { id } setupSecret } }",
            [U, F, F, F, O],
        ),
        row(
            "passwordSetup",
            "mutation($ana: ID!) { passwordSetup(userId: $ana) { expiresAt } }",
            [U, F, F, F, O],
        ),
        row(
            "endUserSession",
            "mutation($ana: ID!, $session: ID!) { endUserSession(userId: $ana, id: $session) { id } }",
            [U, F, F, F, O],
        ),
        row(
            "revokeUserToken",
            "mutation($ana: ID!, $token: ID!) { revokeUserToken(userId: $ana, id: $token) { id } }",
            [U, F, F, F, O],
        ),
        // Public: the one-time secret is the credential (a made-up one is refused as input).
        row(
            "setPassword",
            "mutation { setPassword(setupSecret: \"made-up\", password: \"a long enough password\") }",
            [O, O, O, O, O],
        ),
        row(
            "grantSubscription",
            "mutation($ana: ID!, $m: ID!) { grantSubscription(userId: $ana, modelId: $m) { id } }",
            [U, F, F, F, O],
        ),
        row(
            "withdrawSubscription",
            "mutation($sub: ID!) { withdrawSubscription(id: $sub) { id } }",
            [U, F, F, F, O],
        ),
        row(
            "revertSubscription",
            "mutation($sub: ID!) { revertSubscription(id: $sub) { id } }",
            [U, F, F, F, O],
        ),
        row(
            "setModelRestricted",
            "mutation($m: ID!) { setModelRestricted(modelId: $m, restricted: false) { name } }",
            [U, F, F, F, O],
        ),
        row(
            "setKeyPolicy",
            "mutation { setKeyPolicy(policy: {maxKeysPerUser: 50}) { maxKeysPerUser } }",
            [U, F, F, F, O],
        ),
        row(
            "updateUser",
            "mutation($ana: ID!) { updateUser(id: $ana, input: {limits: {rpmLimit: 100}}) { id } }",
            [U, F, F, F, O],
        ),
        row(
            "updateBranding",
            "mutation { updateBranding(input: {subtitle: \"Models for everyone\"}) { title } }",
            [U, F, F, F, O],
        ),
        row(
            "putGuardrail",
            "mutation { putGuardrail(name: \"matrix\", definition: {mode: \"pre_call\", \
             blocked_words: [{keyword: \"matrix\", action: \"BLOCK\"}]}) { name } }",
            [U, F, F, F, O],
        ),
        row(
            "deleteGuardrail",
            "mutation { deleteGuardrail(name: \"matrix\") }",
            [U, F, F, F, O],
        ),
        row(
            "createBanner",
            "mutation { createBanner(input: {markdown: \"hi\"}) { id } }",
            [U, F, F, F, O],
        ),
        row(
            "updateBanner",
            "mutation { updateBanner(id: \"00000000-0000-0000-0000-000000000000\", input: {markdown: \"x\"}) { id } }",
            [U, F, F, F, H],
        ),
        row(
            "deleteBanner",
            "mutation { deleteBanner(id: \"00000000-0000-0000-0000-000000000000\") }",
            [U, F, F, F, H],
        ),
        row(
            "dismissBanner",
            "mutation { dismissBanner(id: \"00000000-0000-0000-0000-000000000000\") }",
            [U, H, H, H, H],
        ),
        row(
            "uploadLogo",
            "mutation { uploadLogo(slot: LOGIN, contentType: \"image/png\", dataBase64: \"iVBORw0KGgo=\") { url } }",
            [U, F, F, F, O],
        ),
        row(
            "removeLogo",
            "mutation { removeLogo(slot: LOGIN) }",
            [U, F, F, F, O],
        ),
        row(
            "addDeployment",
            "mutation { addDeployment(model: {name: \"m2\"}, deployment: {cluster: \"c\", apiBase: \"http://127.0.0.1:9/v2\"}) { name } }",
            [U, F, F, F, O],
        ),
        row(
            "updateDeployment",
            "mutation { updateDeployment(id: \"00000000-0000-0000-0000-000000000000\", changes: {backendModel: \"x\"}) }",
            [U, F, F, F, H],
        ),
        row(
            "removeDeployment",
            "mutation { removeDeployment(id: \"00000000-0000-0000-0000-000000000000\") }",
            [U, F, F, F, H],
        ),
        row(
            "testConnection",
            "mutation { testConnection(apiBase: \"http://127.0.0.1:9/v1\") { ok } }",
            [U, F, F, F, O],
        ),
        row(
            "reloadCatalog",
            "mutation { reloadCatalog { changed models } }",
            [U, F, F, F, O],
        ),
        row(
            "setPlatformSettings",
            "mutation { setPlatformSettings(settings: {currency: \"USD\"}) { currency } }",
            [U, F, F, F, O],
        ),
        row(
            "updateModel",
            "mutation { updateModel(id: \"00000000-0000-0000-0000-000000000000\", changes: {provider: \"x\"}) { name } }",
            [U, F, F, F, H],
        ),
        row(
            "deleteModel",
            "mutation { deleteModel(id: \"00000000-0000-0000-0000-000000000000\") }",
            [U, F, F, F, H],
        ),
        row(
            "resetUserSpend",
            "mutation($ana: ID!) { resetUserSpend(id: $ana) { id } }",
            [U, F, F, F, O],
        ),
    ]
}

/// Only the variables `operation` declares, of `variables`.
fn declared(operation: &str, variables: &Value) -> Value {
    let used: serde_json::Map<String, Value> = variables
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| operation.contains(&format!("${name}")))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(used)
}

/// The operation as written (each declares the variables it uses).
fn with_variables(operation: &str) -> String {
    operation.to_owned()
}

async fn names(app: &TestApp, kind: &str) -> BTreeSet<String> {
    let body = app
        .graphql(&format!(
            "{{ __schema {{ {kind} {{ fields {{ name }} }} }} }}"
        ))
        .await;
    body["data"]["__schema"][kind]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_operation_is_authorized_for_each_kind_of_caller() {
    let app = TestApp::builder()
        .config_toml(
            "[[models]]\nname = \"granite\"\n[[models.deployments]]\ncluster = \"aws\"\n\
             api_base = \"http://127.0.0.1:9/v1\"\n",
        )
        .start()
        .await;
    let rows = rows();

    // Completeness: the matrix covers the whole schema.
    let covered: BTreeSet<String> = rows.iter().map(|r| r.field.to_owned()).collect();
    let mut schema = names(&app, "queryType").await;
    schema.extend(names(&app, "mutationType").await);
    let missing: Vec<&String> = schema.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "operations without a row in the matrix: {missing:?}"
    );

    let anonymous = SessionClient::new();
    let base = app.url("");
    let mut failures = Vec::new();
    for row in &rows {
        // Fresh callers and objects per row: one row's changes never decide another's outcome.
        let ana_name = format!("ana-{}@example.com", row.field);
        let bob = app
            .sign_in_as(&format!("bob-{}@example.com", row.field), &["user"])
            .await;
        let auditor = app
            .sign_in_as(
                &format!("audit-{}@example.com", row.field),
                &["admin-readonly", "user"],
            )
            .await;
        let admin = app
            .sign_in_as(
                &format!("root-{}@example.com", row.field),
                &["admin", "user"],
            )
            .await;
        let operation = with_variables(row.operation);
        // Administrators go last, Ana just before: their allowed changes come after the refusals.
        let order: [(usize, &str); 5] = [
            (0, "anonymous"),
            (2, "bob"),
            (3, "auditor"),
            (1, "ana"),
            (4, "admin"),
        ];
        for (column, who) in order {
            // Ana's objects, fresh for every caller (an earlier caller may have deleted them),
            // from a fresh session of hers (she may have signed out in her turn).
            let ana = app.sign_in_as(&ana_name, &["user"]).await;
            let owned = owned_by(&app, &ana, &ana_name).await;
            let variables = json!({
                "m": owned.model, "key": owned.key, "token": owned.token,
                "session": owned.session, "sub": owned.subscription, "ana": ana.id,
            });
            let used = declared(&operation, &variables);
            let body = match column {
                0 => anonymous.graphql(&base, &operation, used.clone()).await.1,
                1 => ana.graphql(&operation, used.clone()).await,
                2 => bob.graphql(&operation, used.clone()).await,
                3 => auditor.graphql(&operation, used.clone()).await,
                _ => admin.graphql(&operation, used.clone()).await,
            };
            let got = outcome(&body);
            if got != row.expected[column] {
                failures.push(format!(
                    "{} as {who}: expected {:?}, got {got:?}: {body}",
                    row.field, row.expected[column]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn subscriptions_are_authorized_too() {
    let app = TestApp::start().await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let bob = app.sign_in_as("bob@example.com", &["user"]).await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let fields = names(&app, "subscriptionType").await;
    assert_eq!(
        fields,
        ["budgetAlerts", "heartbeat", "spendUpdates"]
            .map(str::to_owned)
            .into(),
        "a new subscription needs rows here"
    );
    let socket = |user: Option<&TestUser>| {
        let base = app.url("");
        let headers = match user {
            Some(user) => vec![
                (
                    "cookie",
                    format!(
                        "sy_session={}",
                        user.browser.cookie(&base, "sy_session").unwrap()
                    ),
                ),
                ("origin", base.trim_end_matches('/').to_owned()),
            ],
            None => Vec::new(),
        };
        let app = &app;
        async move { GraphqlSocket::connect(app, &headers, json!({})).await }
    };
    // (operation, caller, expected first answer: Ok(any data) or Err(code)).
    let cases: Vec<(&str, Option<&TestUser>, Option<&str>)> = vec![
        (
            "subscription { heartbeat(intervalMs: 100) { sequence } }",
            None,
            None,
        ),
        (
            "subscription { spendUpdates { requestId } }",
            None,
            Some("UNAUTHENTICATED"),
        ),
        (
            "subscription { budgetAlerts { threshold } }",
            None,
            Some("UNAUTHENTICATED"),
        ),
        (
            "subscription($u: ID) { spendUpdates(userId: $u) { requestId } }",
            Some(&bob),
            Some("FORBIDDEN"),
        ),
        (
            "subscription($u: ID) { budgetAlerts(userId: $u) { threshold } }",
            Some(&bob),
            Some("FORBIDDEN"),
        ),
    ];
    for (operation, caller, expected) in cases {
        let mut ws = socket(caller).await;
        ws.subscribe("1", operation, json!({ "u": ana.id })).await;
        let answer = ws.next_data("1", Duration::from_secs(5)).await;
        match expected {
            None => assert!(matches!(answer, Some(Ok(_))), "{operation}: {answer:?}"),
            Some(code) => {
                let errors = answer
                    .unwrap_or_else(|| panic!("{operation}: no answer"))
                    .unwrap_err();
                assert_eq!(errors[0]["extensions"]["code"], code, "{operation}");
            }
        }
    }
    // Allowed subscriptions stay open and quiet until something happens.
    for (operation, caller) in [
        (
            "subscription($u: ID) { spendUpdates(userId: $u) { requestId } }",
            &ana,
        ),
        (
            "subscription($u: ID) { budgetAlerts(userId: $u) { threshold } }",
            &admin,
        ),
    ] {
        let mut ws = socket(Some(caller)).await;
        ws.subscribe("1", operation, json!({ "u": ana.id })).await;
        assert!(
            ws.next_data("1", Duration::from_millis(500))
                .await
                .is_none(),
            "{operation}"
        );
    }
}

/// How a credential is presented.
enum Presented {
    /// A browser's cookies, with or without the session's CSRF token in `x-csrf-token`.
    Browser { browser: SessionClient, csrf: bool },
    /// `Authorization: Bearer`: a personal access token or the master key.
    Bearer(String),
}

impl Presented {
    async fn graphql(&self, app: &TestApp, query: &str, variables: Value) -> Value {
        match self {
            Self::Browser {
                browser,
                csrf: true,
            } => browser.graphql(&app.url(""), query, variables).await.1,
            Self::Browser {
                browser,
                csrf: false,
            } => browser
                .client
                .post(app.url("/graphql"))
                .json(&json!({ "query": query, "variables": variables }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap(),
            Self::Bearer(token) => app.graphql_bearer(token, query, variables).await.1,
        }
    }
}

/// A fresh browser holding `user`'s session and CSRF cookies (to replay them after the
/// session's own browser was told to forget them).
fn copy_of(app: &TestApp, user: &TestUser) -> SessionClient {
    let base = app.url("");
    let copy = SessionClient::new();
    for name in ["sy_session", "sy_csrf"] {
        let value = user.browser.cookie(&base, name).unwrap();
        copy.set_cookie(&base, &format!("{name}={value}"));
    }
    copy
}

/// What a credential got; `me` tells a caller taken for nobody from one refused.
fn credential_outcome(body: &Value) -> Outcome {
    match body["errors"][0]["extensions"]["code"].as_str() {
        Some("BAD_USER_INPUT") => N,
        None if body["data"].get("me").is_some_and(Value::is_null) => A,
        _ => outcome(body),
    }
}

/// The id of `user`'s only key.
async fn only_key_id(user: &TestUser) -> String {
    let listed = user.graphql("{ myKeys { nodes { id } } }", json!({})).await;
    let nodes = listed["data"]["myKeys"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1, "{listed}");
    nodes[0]["id"].as_str().unwrap().to_owned()
}

/// The name of key `id`, as the master key reads it.
async fn key_name(app: &TestApp, id: &str) -> Value {
    let (_, listed) = app
        .graphql_bearer(MASTER_KEY, "{ keys { nodes { id name } } }", json!({}))
        .await;
    listed["data"]["keys"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id)
        .map(|k| k["name"].clone())
        .unwrap_or_else(|| panic!("no key {id}: {listed}"))
}

/// The credential matrix's operations: reading and changing one's own data (the caller's
/// key, `$key`) and everyone's (another user, `$other`). The callers are administrators, so
/// that every permission a credential may carry is asked for.
const CREDENTIAL_OPERATIONS: [&str; 5] = [
    "{ me { name } }",
    "{ myKeys { totalCount } }",
    "mutation($key: ID!, $name: String!) { updateKey(id: $key, input: {name: $name}) { id } }",
    "{ users { totalCount } }",
    "mutation($other: ID!) { updateUser(id: $other, input: {limits: {rpmLimit: 100}}) { id } }",
];

#[tokio::test]
async fn every_kind_of_credential_reads_and_writes_as_far_as_it_may() {
    let app = TestApp::builder()
        .config_toml(
            "[[models]]\nname = \"granite\"\n[[models.deployments]]\ncluster = \"aws\"\n\
             api_base = \"http://127.0.0.1:9/v1\"\n",
        )
        .start()
        .await;
    let admin = ["admin", "user"];
    let ana = app.sign_in_as("ana@example.com", &admin).await;
    ana.key_for("granite", "notebook").await;
    let ana_key = only_key_id(&ana).await;
    let other = app.sign_in_as("bob@example.com", &["user"]).await;

    let (_, read_only) = ana.access_token(false, None).await;
    let (_, read_write) = ana.access_token(true, None).await;
    let (_, short_lived) = ana.access_token(true, Some("1s")).await;
    let expires = tokio::time::Instant::now() + Duration::from_millis(1_100);
    let (revoked_id, revoked) = ana.access_token(true, None).await;
    let done = ana
        .graphql(
            "mutation($id: ID!) { revokeAccessToken(id: $id) { revokedAt } }",
            json!({ "id": revoked_id }),
        )
        .await;
    assert!(
        done["data"]["revokeAccessToken"]["revokedAt"].is_string(),
        "{done}"
    );

    // Another device of Ana's, ended from her first one.
    let second = app.sign_in_as("ana@example.com", &admin).await;
    let second_id = second.session_id();
    let ended = ana
        .graphql(
            "mutation($id: ID!) { revokeSession(id: $id) { id } }",
            json!({ "id": second_id }),
        )
        .await;
    assert!(ended["errors"].is_null(), "{ended}");
    // A third, signed out; its cookies kept aside as a thief would keep them.
    let third = app.sign_in_as("ana@example.com", &admin).await;
    let signed_out = copy_of(&app, &third);
    let out = third
        .graphql("mutation { logout { redirectTo } }", json!({}))
        .await;
    assert_eq!(out["data"]["logout"]["redirectTo"], "/", "{out}");

    // Dee, deactivated by another administrator after making a key and a token.
    let dee = app.sign_in_as("dee@example.com", &admin).await;
    dee.key_for("granite", "dees").await;
    let dee_key = only_key_id(&dee).await;
    let (_, dee_token) = dee.access_token(true, None).await;
    let root = app.sign_in_as("root@example.com", &admin).await;
    let deactivated = root
        .graphql(
            "mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { active } }",
            json!({ "id": dee.id }),
        )
        .await;
    assert_eq!(
        deactivated["data"]["updateUser"]["active"], false,
        "{deactivated}"
    );

    // Each credential, the key that is its own (the master key's: anyone's), and what it
    // gets for [me, myKeys, updateKey, users, updateUser].
    let browser = |user: &TestUser, csrf: bool| Presented::Browser {
        browser: copy_of(&app, user),
        csrf,
    };
    let bearer = |token: &str| Presented::Bearer(token.to_owned());
    let credentials: Vec<(&str, Presented, &str, [Outcome; 5])> = vec![
        (
            "session with the CSRF header",
            browser(&ana, true),
            ana_key.as_str(),
            [O, O, O, O, O],
        ),
        (
            "session without the CSRF header",
            browser(&ana, false),
            ana_key.as_str(),
            [O, O, F, O, F],
        ),
        (
            "read-only token",
            bearer(&read_only),
            ana_key.as_str(),
            [O, O, F, O, F],
        ),
        (
            "read-write token",
            bearer(&read_write),
            ana_key.as_str(),
            [O, O, O, O, O],
        ),
        (
            "master key",
            bearer(MASTER_KEY),
            ana_key.as_str(),
            [O, N, O, O, O],
        ),
        (
            "expired token",
            bearer(&short_lived),
            ana_key.as_str(),
            [U, U, U, U, U],
        ),
        (
            "revoked token",
            bearer(&revoked),
            ana_key.as_str(),
            [U, U, U, U, U],
        ),
        (
            "revoked session",
            browser(&second, true),
            ana_key.as_str(),
            [A, U, U, U, U],
        ),
        (
            "signed-out session",
            Presented::Browser {
                browser: signed_out,
                csrf: true,
            },
            ana_key.as_str(),
            [A, U, U, U, U],
        ),
        (
            "deactivated user's session",
            browser(&dee, true),
            dee_key.as_str(),
            [A, U, U, U, U],
        ),
        (
            "deactivated user's token",
            bearer(&dee_token),
            dee_key.as_str(),
            [U, U, U, U, U],
        ),
    ];
    tokio::time::sleep_until(expires).await;

    let mut failures = Vec::new();
    for (name, presented, key, expected) in &credentials {
        for (operation, want) in CREDENTIAL_OPERATIONS.iter().zip(expected) {
            let before = key_name(&app, key).await;
            let variables = json!({ "key": key, "name": name, "other": other.id });
            let body = presented
                .graphql(&app, operation, declared(operation, &variables))
                .await;
            let got = credential_outcome(&body);
            if got != *want {
                failures.push(format!(
                    "{name}: {operation}: expected {want:?}, got {got:?}: {body}"
                ));
            }
            // A refused change changed nothing; an allowed one took.
            if operation.contains("updateKey") {
                let after = key_name(&app, key).await;
                let expected_name = if *want == O { json!(name) } else { before };
                if after != expected_name {
                    failures.push(format!(
                        "{name}: the key is named {after}, not {expected_name}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Rows for a key an administrator made for Ana through `POST /key/generate` (on granite,
/// one request a minute, for an hour), as it is (`blocked` false) or after `/key/block`.
/// `$key` is the key, `$granite` and `$llama` models Ana holds subscriptions to.
fn issued_key_rows() -> Vec<(bool, Row)> {
    let rename = "mutation($key: ID!) { updateKey(id: $key, input: {name: \"renamed\"}) { id } }";
    let rotate = "mutation($key: ID!) { rotateKey(id: $key) { secret } }";
    let revoke = "mutation($key: ID!) { revokeKey(id: $key) { id } }";
    let delete = "mutation($key: ID!) { deleteKey(id: $key) }";
    vec![
        (false, row("rename", rename, [U, O, H, H, O])),
        (
            false,
            row(
                "widen its models",
                "mutation($key: ID!, $granite: ID!, $llama: ID!) { updateKey(id: $key, input: {modelIds: [$granite, $llama]}) { id } }",
                [U, F, H, H, O],
            ),
        ),
        (
            false,
            row(
                "lift its limits",
                "mutation($key: ID!) { updateKey(id: $key, input: {limits: {rpmLimit: 1000}}) { id } }",
                [U, F, H, H, O],
            ),
        ),
        (
            false,
            row(
                "extend its expiry",
                "mutation($key: ID!) { updateKey(id: $key, input: {expiry: {expiresIn: \"30d\"}}) { id } }",
                [U, F, H, H, O],
            ),
        ),
        (false, row("rotate", rotate, [U, O, H, H, O])),
        (false, row("revoke", revoke, [U, O, H, H, O])),
        (false, row("delete", delete, [U, O, H, H, O])),
        (
            true,
            row(
                "restore after a block",
                "mutation($key: ID!) { restoreKey(id: $key) { id } }",
                [U, F, H, H, O],
            ),
        ),
        (true, row("rotate after a block", rotate, [U, F, H, H, O])),
        (true, row("rename after a block", rename, [U, O, H, H, O])),
        // Revoking leaves the block the administrator's (asserted in `attacks.rs`).
        (true, row("revoke after a block", revoke, [U, O, H, H, O])),
        // Deleting gives the owner nothing back: the key is gone, its limits with it.
        (true, row("delete after a block", delete, [U, O, H, H, O])),
    ]
}

/// Every key of Ana's as the master key sees it (the state a refused change must not move).
async fn keys_of(app: &TestApp, ana: &TestUser) -> Value {
    let (_, listed) = app
        .graphql_bearer(
            MASTER_KEY,
            "query($u: ID!) { keys(userId: $u) { nodes { id name models blocked blockedBy rpmLimit expiresAt } } }",
            json!({ "u": ana.id }),
        )
        .await;
    listed["data"]["keys"]["nodes"].clone()
}

#[tokio::test]
async fn keys_an_administrator_made_or_blocked_answer_each_caller() {
    let app = TestApp::builder()
        .config_toml(
            "[[models]]\nname = \"granite\"\n[[models.deployments]]\ncluster = \"aws\"\n\
             api_base = \"http://127.0.0.1:9/v1\"\n\
             [[models]]\nname = \"llama\"\n[[models.deployments]]\ncluster = \"aws\"\n\
             api_base = \"http://127.0.0.1:9/v1\"\n",
        )
        .start()
        .await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let bob = app.sign_in_as("bob@example.com", &["user"]).await;
    let auditor = app
        .sign_in_as("audit@example.com", &["admin-readonly", "user"])
        .await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let anonymous = SessionClient::new();
    let mut models = json!({});
    for name in ["granite", "llama"] {
        let id = app
            .graphql_with(
                "query($n: String!) { model(name: $n) { id } }",
                json!({ "n": name }),
            )
            .await["data"]["model"]["id"]
            .clone();
        let subscribed = ana
            .graphql(
                "mutation($m: ID!) { subscribe(modelId: $m) { status } }",
                json!({ "m": id }),
            )
            .await;
        assert_eq!(
            subscribed["data"]["subscribe"]["status"], "ACTIVE",
            "{subscribed}"
        );
        models[name] = id;
    }

    let mut failures = Vec::new();
    for (blocked, row) in issued_key_rows() {
        for (column, who) in [
            (0, "anonymous"),
            (2, "bob"),
            (3, "auditor"),
            (1, "ana"),
            (4, "admin"),
        ] {
            let issued = app
                .post_as_master(
                    "/key/generate",
                    &json!({"models": ["granite"], "user_id": "ana@example.com",
                            "rpm_limit": 1, "duration": "1h"}),
                )
                .await;
            assert_eq!(issued.status(), 200);
            let issued: Value = issued.json().await.unwrap();
            if blocked {
                let block = app
                    .post_as_master("/key/block", &json!({ "key": issued["token"] }))
                    .await;
                assert_eq!(block.status(), 200);
            }
            let before = keys_of(&app, &ana).await;
            assert_eq!(before.as_array().unwrap().len(), 1, "{before}");
            let key = before[0]["id"].clone();
            // Ana sees it among her keys; Bob does not.
            if column == 1 {
                let mine = ana
                    .graphql("{ myKeys { nodes { id origin } } }", json!({}))
                    .await;
                assert_eq!(
                    mine["data"]["myKeys"]["nodes"],
                    json!([{"id": key, "origin": "admin-api"}])
                );
                let his = bob.graphql("{ myKeys { nodes { id } } }", json!({})).await;
                assert_eq!(his["data"]["myKeys"]["nodes"], json!([]), "{his}");
            }

            let variables =
                json!({ "key": key, "granite": models["granite"], "llama": models["llama"] });
            let variables = declared(row.operation, &variables);
            let body = match column {
                0 => {
                    anonymous
                        .graphql(&app.url(""), row.operation, variables)
                        .await
                        .1
                }
                1 => ana.graphql(row.operation, variables).await,
                2 => bob.graphql(row.operation, variables).await,
                3 => auditor.graphql(row.operation, variables).await,
                _ => admin.graphql(row.operation, variables).await,
            };
            let got = outcome(&body);
            let label = format!("{} (blocked: {blocked}) as {who}", row.field);
            if got != row.expected[column] {
                failures.push(format!(
                    "{label}: expected {:?}, got {got:?}: {body}",
                    row.expected[column]
                ));
            }
            // The owner is refused for the administrator's say, and a refusal moves nothing.
            if got == F
                && !body["errors"][0]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("administrator")
            {
                failures.push(format!("{label}: refused for another reason: {body}"));
            }
            if got != O && keys_of(&app, &ana).await != before {
                failures.push(format!("{label}: refused, yet the key changed"));
            }
            // Whatever is left of it goes before the next caller's turn.
            for left in keys_of(&app, &ana).await.as_array().unwrap() {
                app.graphql_bearer(
                    MASTER_KEY,
                    "mutation($id: ID!) { deleteKey(id: $id) }",
                    json!({ "id": left["id"] }),
                )
                .await;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
