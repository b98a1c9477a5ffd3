//! Administering users through GraphQL: who may list and change them, roles taking effect at
//! once, deactivation stopping sessions and keys, ending a user's session, revoking their
//! token and changing their keys' limits, and nobody locking themselves out.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use harness::gateway::{ModelSpec, config};
use harness::{MockUpstream, TestApp};
use serde_json::{Value, json};

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

const UPDATE: &str = "mutation($id: ID!, $in: UpdateUserInput!) { updateUser(id: $id, input: $in) {
  roles active maxBudget rpmLimit spend } }";

/// A server with one model, `granite`, served by the mock model server it runs beside.
async fn with_granite() -> (MockUpstream, TestApp) {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = TestApp::builder()
        .config_toml(&config(
            "",
            &[ModelSpec::new("granite", "granite", &[&mock])],
        ))
        .start()
        .await;
    (mock, app)
}

#[tokio::test]
async fn administrators_manage_users_and_changes_take_effect_at_once() {
    let (_mock, app) = with_granite().await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let auditor = app
        .sign_in_as("audit@example.com", &["admin-readonly", "user"])
        .await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let key: Value = app
        .post_as_master(
            "/key/generate",
            &json!({"models": ["granite"], "user_id": "ana@example.com"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let key = key["key"].as_str().unwrap().to_owned();
    let chat = json!({"model": "granite", "messages": [{"role": "user", "content": "hi"}]});
    assert_eq!(
        app.post_with_key("/v1/chat/completions", &chat, &key)
            .await
            .status(),
        200
    );

    let list = "query($s: String, $r: Role) { users(search: $s, role: $r) { edges { node { id externalId roles } } } }";
    assert_eq!(code(&ana.graphql(list, json!({})).await), "FORBIDDEN");
    let found = auditor.graphql(list, json!({"s": "ANA@"})).await;
    let edges = found["data"]["users"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1, "{found}");
    assert_eq!(edges[0]["node"]["id"], ana.id.as_str());
    let admins = auditor.graphql(list, json!({"r": "ADMIN"})).await;
    let admins: Vec<&str> = admins["data"]["users"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["externalId"].as_str().unwrap())
        .collect();
    assert_eq!(
        admins,
        ["admin", "root@example.com"],
        "the bootstrap administrator and root"
    );
    let tried = auditor
        .graphql(UPDATE, json!({"id": ana.id, "in": {"active": false}}))
        .await;
    assert_eq!(
        code(&tried),
        "FORBIDDEN",
        "read-only administrators change nothing"
    );

    // Roles and limits take effect on the next request.
    let promoted = admin
        .graphql(
            UPDATE,
            json!({"id": ana.id, "in": {"roles": ["ADMIN_READONLY"],
                                  "limits": {"maxBudget": 5.0, "rpmLimit": 60}}}),
        )
        .await;
    // The spend is whatever the ledger has written of the request above by now (it writes
    // every 250 ms): a race, so it is not compared; the rest is.
    let mut changed = promoted["data"]["updateUser"].clone();
    assert!(changed["spend"].as_f64().is_some(), "{promoted}");
    changed.as_object_mut().unwrap().remove("spend");
    assert_eq!(
        changed,
        json!({"roles": ["ADMIN_READONLY", "USER"], "active": true, "maxBudget": 5.0, "rpmLimit": 60})
    );
    let me = ana.graphql("{ me { roles } }", json!({})).await;
    assert_eq!(me["data"]["me"]["roles"], json!(["ADMIN_READONLY", "USER"]));
    let cleared = admin
        .graphql(
            UPDATE,
            json!({"id": ana.id, "in": {"limits": {"maxBudget": null}}}),
        )
        .await;
    assert_eq!(cleared["data"]["updateUser"]["maxBudget"], Value::Null);
    assert_eq!(
        cleared["data"]["updateUser"]["rpmLimit"], 60,
        "what is left out stays"
    );
    let negative = admin
        .graphql(
            UPDATE,
            json!({"id": ana.id, "in": {"limits": {"rpmLimit": -1}}}),
        )
        .await;
    assert_eq!(code(&negative), "BAD_USER_INPUT");

    // Nobody locks themselves out.
    let me_admin = admin
        .graphql(UPDATE, json!({"id": admin.id, "in": {"roles": ["USER"]}}))
        .await;
    assert_eq!(code(&me_admin), "CONFLICT");

    // Deactivation ends Ana's session and stops her keys on every replica's next reload.
    admin
        .graphql(UPDATE, json!({"id": ana.id, "in": {"active": false}}))
        .await;
    assert_eq!(
        ana.graphql("{ me { name } }", json!({})).await["data"]["me"],
        Value::Null
    );
    let mut status = 0;
    for _ in 0..50 {
        status = app
            .post_with_key("/v1/chat/completions", &chat, &key)
            .await
            .status()
            .as_u16();
        if status == 401 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 401, "a deactivated user's keys stop");

    let reset = admin
        .graphql(
            "mutation($id: ID!) { resetUserSpend(id: $id) { spend } }",
            json!({"id": ana.id}),
        )
        .await;
    assert_eq!(reset["data"]["resetUserSpend"]["spend"], 0.0);
}

#[tokio::test]
async fn new_users_start_with_the_platform_defaults() {
    let app = TestApp::start().await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let set =
        "mutation($s: PlatformSettingsInput!) { setPlatformSettings(settings: $s) { currency } }";
    let bad = admin.graphql(set, json!({"s": {"currency": "euro"}})).await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
    let saved = admin
        .graphql(
            set,
            json!({"s": {"currency": "EUR", "newUserMaxBudget": 2.5, "newUserBudgetDuration": "monthly",
                         "newUserRpmLimit": 30}}),
        )
        .await;
    assert_eq!(saved["data"]["setPlatformSettings"]["currency"], "EUR");
    assert_eq!(
        app.graphql("{ currency }").await["data"]["currency"],
        "EUR",
        "public"
    );

    // A user first seen by the admin API gets them.
    let made = app
        .post_as_master("/key/generate", &json!({"user_id": "new@example.com"}))
        .await;
    assert_eq!(made.status(), 200);
    let found = admin
        .graphql(
            "{ users(search: \"new@\") { edges { node { maxBudget budgetDuration rpmLimit tpmLimit budgetResetsAt } } } }",
            json!({}),
        )
        .await;
    let user = &found["data"]["users"]["edges"][0]["node"];
    assert_eq!(user["maxBudget"], 2.5, "{found}");
    assert_eq!(user["budgetDuration"], "monthly");
    assert_eq!(user["rpmLimit"], 30);
    assert_eq!(user["tpmLimit"], Value::Null);
    assert!(user["budgetResetsAt"].is_string());
}

#[tokio::test]
async fn administrators_grant_and_withdraw_access_and_see_a_users_sessions_and_tokens() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = TestApp::builder()
        .config_toml(&format!(
            "{}[[models]]\nname = \"locked\"\nrestricted = true\n[[models.deployments]]\n\
             cluster = \"aws\"\napi_base = \"{}/v1\"\nbackend_model = \"granite\"\n",
            config("", &[ModelSpec::new("granite", "granite", &[&mock])]),
            mock.base
        ))
        .start()
        .await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let locked =
        app.graphql("{ model(name: \"locked\") { id } }").await["data"]["model"]["id"].clone();

    // A grant makes a restricted model active at once, recorded as the administrator's.
    let grant = "mutation($u: ID!, $m: ID!) { grantSubscription(userId: $u, modelId: $m, reason: \"pilot\") {
        id status history { toStatus actorUserId reason } } }";
    let granted = admin
        .graphql(grant, json!({"u": ana.id, "m": locked}))
        .await;
    let granted = &granted["data"]["grantSubscription"];
    assert_eq!(granted["status"], "ACTIVE", "{granted}");
    assert_eq!(
        granted["history"],
        json!([{"toStatus": "ACTIVE", "actorUserId": admin.id, "reason": "pilot"}])
    );
    let again = admin
        .graphql(grant, json!({"u": ana.id, "m": locked}))
        .await;
    assert_eq!(
        again["data"]["grantSubscription"]["id"], granted["id"],
        "idempotent"
    );
    let nobody = admin
        .graphql(grant, json!({"u": locked, "m": locked}))
        .await;
    assert_eq!(code(&nobody), "NOT_FOUND");

    // Ana's key reaches it; withdrawn, the key loses it.
    let made = ana
        .graphql(
            "mutation($m: ID!) { createKey(input: {name: \"k\", modelIds: [$m]}) { secret } }",
            json!({"m": locked}),
        )
        .await;
    let key = made["data"]["createKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let chat = json!({"model": "locked", "messages": [{"role": "user", "content": "hi"}]});
    assert_eq!(
        app.post_with_key("/v1/chat/completions", &chat, &key)
            .await
            .status(),
        200
    );
    let withdraw = "mutation($id: ID!) { withdrawSubscription(id: $id, reason: \"pilot over\") { status reason } }";
    let withdrawn = admin.graphql(withdraw, json!({"id": granted["id"]})).await;
    assert_eq!(
        withdrawn["data"]["withdrawSubscription"],
        json!({"status": "DENIED", "reason": "pilot over"})
    );
    // Subscribing again does not undo it: the way back is a review.
    let resubscribe = ana
        .graphql(
            "mutation($m: ID!) { subscribe(modelId: $m) { status } }",
            json!({"m": locked}),
        )
        .await;
    assert_eq!(code(&resubscribe), "CONFLICT", "{resubscribe}");
    let mut status = 0;
    for _ in 0..50 {
        status = app
            .post_with_key("/v1/chat/completions", &chat, &key)
            .await
            .status()
            .as_u16();
        if status != 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_ne!(status, 200, "the withdrawn model left the key");
    let twice = admin.graphql(withdraw, json!({"id": granted["id"]})).await;
    assert_eq!(code(&twice), "CONFLICT");

    // A user's sessions and tokens, for administrators only; the active filter.
    ana.access_token(false, None).await;
    let seen = admin
        .graphql(
            "query($u: ID!) { userSessions(userId: $u) { id } userTokens(userId: $u) { name } }",
            json!({"u": ana.id}),
        )
        .await;
    assert_eq!(
        seen["data"]["userSessions"].as_array().unwrap().len(),
        1,
        "{seen}"
    );
    assert_eq!(seen["data"]["userTokens"], json!([{"name": "test"}]));
    let deactivate =
        "mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { active } }";
    admin.graphql(deactivate, json!({"id": ana.id})).await;
    let active = "query($a: Boolean) { users(active: $a) { nodes { externalId } } }";
    let inactive = admin.graphql(active, json!({"a": false})).await;
    assert_eq!(
        inactive["data"]["users"]["nodes"],
        json!([{"externalId": "ana@example.com"}])
    );
    let everyone = admin.graphql(active, json!({})).await;
    let names = everyone["data"]["users"]["nodes"].to_string();
    assert!(
        names.contains("ana@example.com") && names.contains("root@example.com"),
        "{names}"
    );
    let active_only = admin.graphql(active, json!({"a": true})).await;
    assert!(
        !active_only.to_string().contains("ana@example.com"),
        "{active_only}"
    );
}

#[tokio::test]
async fn administrators_end_a_users_sessions_revoke_their_tokens_and_edit_their_keys() {
    let (_mock, app) = with_granite().await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    // Ana on a second device: the session an administrator ends.
    let laptop = app.sign_in_as("ana@example.com", &["user"]).await;
    let bob = app.sign_in_as("bob@example.com", &["user"]).await;
    let auditor = app
        .sign_in_as("audit@example.com", &["admin-readonly", "user"])
        .await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let laptop_session = json!(laptop.session_id());
    let (token_id, token) = ana.access_token(true, None).await;
    let account = "{ myAccount { externalId } }";
    let signed_in = |body: &Value| body["data"]["myAccount"]["externalId"] == "ana@example.com";

    // Only administrators end someone else's session or revoke their token.
    let end = "mutation($u: ID!, $id: ID!) { endUserSession(userId: $u, id: $id) { id } }";
    let revoke =
        "mutation($u: ID!, $id: ID!) { revokeUserToken(userId: $u, id: $id) { revokedAt } }";
    for refused in [&bob, &auditor, &ana] {
        let tried = refused
            .graphql(end, json!({"u": ana.id, "id": laptop_session}))
            .await;
        assert_eq!(code(&tried), "FORBIDDEN", "{tried}");
        let tried = refused
            .graphql(revoke, json!({"u": ana.id, "id": token_id}))
            .await;
        assert_eq!(code(&tried), "FORBIDDEN", "{tried}");
    }
    assert!(signed_in(&laptop.graphql(account, json!({})).await));
    let (status, me) = app.graphql_bearer(&token, account, json!({})).await;
    assert_eq!(status, 200);
    assert!(signed_in(&me), "{me}");
    // The user named must be the owner: Bob has no such session or token.
    let elsewhere = admin
        .graphql(end, json!({"u": bob.id, "id": laptop_session}))
        .await;
    assert_eq!(code(&elsewhere), "NOT_FOUND", "{elsewhere}");
    let elsewhere = admin
        .graphql(revoke, json!({"u": bob.id, "id": token_id}))
        .await;
    assert_eq!(code(&elsewhere), "NOT_FOUND", "{elsewhere}");
    assert!(signed_in(&laptop.graphql(account, json!({})).await));

    // Ended: that cookie is signed out, her other session is not.
    let ended = admin
        .graphql(end, json!({"u": ana.id, "id": laptop_session}))
        .await;
    assert_eq!(
        ended["data"]["endUserSession"]["id"], laptop_session,
        "{ended}"
    );
    let after = laptop.graphql(account, json!({})).await;
    assert_eq!(code(&after), "UNAUTHENTICATED", "{after}");
    assert!(signed_in(&ana.graphql(account, json!({})).await));
    let listed = admin
        .graphql(
            "query($u: ID!) { userSessions(userId: $u) { id } }",
            json!({"u": ana.id}),
        )
        .await;
    assert!(
        !listed
            .to_string()
            .contains(laptop_session.as_str().unwrap()),
        "{listed}"
    );

    // Revoked: the token stops working at once.
    let revoked = admin
        .graphql(revoke, json!({"u": ana.id, "id": token_id}))
        .await;
    assert!(
        revoked["data"]["revokeUserToken"]["revokedAt"].is_string(),
        "{revoked}"
    );
    let (status, refused) = app.graphql_bearer(&token, account, json!({})).await;
    assert_eq!(status, 401, "{refused}");
    assert_eq!(code(&refused), "UNAUTHENTICATED", "{refused}");

    // Both are in the audit log as the administrator's.
    let log =
        "query($a: String) { auditLog(filter: {action: $a}) { nodes { actor targetId after } } }";
    for (action, target) in [
        ("endUserSession", laptop_session.clone()),
        ("revokeUserToken", json!(token_id)),
    ] {
        let entries = admin.graphql(log, json!({"a": action})).await;
        let entries = &entries["data"]["auditLog"]["nodes"];
        assert!(
            entries
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["actor"] == "root@example.com"
                    && e["targetId"] == target
                    && e["after"]["refused"].is_null()
                    && e["after"]["result"].is_object()),
            "{action}: {entries}"
        );
    }

    // A key's limits: administrators change anyone's, within the key policy; nobody else.
    ana.key_for("granite", "notebook").await;
    let key = ana.graphql("{ myKeys { nodes { id } } }", json!({})).await["data"]["myKeys"]
        ["nodes"][0]["id"]
        .clone();
    let limits = "mutation($id: ID!, $l: KeyLimitsInput!) { updateKey(id: $id, input: {limits: $l}) { rpmLimit tpmLimit } }";
    for refused in [&bob, &auditor] {
        let tried = refused
            .graphql(limits, json!({"id": key, "l": {"rpmLimit": 5}}))
            .await;
        assert!(matches!(code(&tried), "FORBIDDEN" | "NOT_FOUND"), "{tried}");
    }
    let set = admin
        .graphql(
            limits,
            json!({"id": key, "l": {"rpmLimit": 30, "tpmLimit": 9000}}),
        )
        .await;
    assert_eq!(
        set["data"]["updateKey"],
        json!({"rpmLimit": 30, "tpmLimit": 9000}),
        "{set}"
    );
    admin
        .set_key_policy(json!({ "maxKeysPerUser": 10, "maxRpmLimit": 100 }))
        .await;
    let above = admin
        .graphql(limits, json!({"id": key, "l": {"rpmLimit": 500}}))
        .await;
    assert_eq!(code(&above), "BAD_USER_INPUT", "{above}");
    let stored = ana
        .graphql("{ myKeys { nodes { rpmLimit } } }", json!({}))
        .await;
    assert_eq!(
        stored["data"]["myKeys"]["nodes"][0]["rpmLimit"], 30,
        "refusals changed nothing: {stored}"
    );
}
