//! The authorization matrix: every query, mutation and subscription of the schema, as an
//! anonymous caller, a user, another user, a read-only administrator and an administrator,
//! with the outcome each must get. A new operation without a row here fails the test.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::Duration;

use harness::{GraphqlSocket, TestApp, TestUser};
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
}
use Outcome::{Forbidden as F, Hidden as H, Ok as O, Unauthenticated as U};

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

    let anonymous = harness::SessionClient::new();
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
            // Only the variables the operation declares are sent.
            let used: serde_json::Map<String, Value> = variables
                .as_object()
                .unwrap()
                .iter()
                .filter(|(name, _)| operation.contains(&format!("${name}")))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let used = Value::Object(used);
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
