//! A stand-in for the three parts of an OpenShift cluster that sign-in talks to, as the mock
//! model server stands in for GPUs: the OAuth server's metadata
//! (`/.well-known/oauth-authorization-server`), its authorization code flow (`/oauth/authorize`
//! with a login page, `/oauth/token` with client authentication and PKCE), and the user API
//! (`/apis/user.openshift.io/v1/users/~`). As on a cluster, the metadata and the user API are
//! served by the API server and the flow by the OAuth server, on separate ports here, so a
//! client that mixes the two up fails. It checks what OpenShift checks (registered client
//! and redirect URI, single-use codes, the PKCE verifier, bearer tokens) and has knobs to
//! change a user's groups, switch the metadata off, and reject the tokens it issues.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::TestCa;

/// The OAuth client the portal is registered as: a ServiceAccount, as the manifests use.
pub const CLIENT_ID: &str = "system:serviceaccount:maas:switchyard";
/// That client's secret (a ServiceAccount token on a real cluster).
pub const CLIENT_SECRET: &str = "sa-token-for-tests";

/// A person at the stand-in cluster.
pub struct ClusterUser<'a> {
    pub name: &'a str,
    pub password: &'a str,
    pub full_name: &'a str,
    pub groups: &'a [&'a str],
}

struct Person {
    uid: String,
    password: String,
    full_name: String,
    groups: Vec<String>,
}

struct Grant {
    user: String,
    redirect_uri: String,
    challenge: String,
}

struct Cluster {
    /// The OAuth server's URL.
    base: String,
    /// The cluster API's URL.
    api: String,
    redirect_uris: Vec<String>,
    people: Mutex<HashMap<String, Person>>,
    codes: Mutex<HashMap<String, Grant>>,
    tokens: Mutex<HashMap<String, String>>,
    metadata: AtomicBool,
    reject_tokens: AtomicBool,
    exchanges: AtomicU64,
    user_reads: AtomicU64,
}

type Shared = Arc<Cluster>;

/// A running stand-in; dropping it stops it.
pub struct OpenShiftStandIn {
    cluster: Shared,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for OpenShiftStandIn {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl OpenShiftStandIn {
    /// Starts the stand-in with the portal's client registered for `redirect_uris`, over
    /// https with a certificate from `tls` when given.
    pub async fn start(
        redirect_uris: &[String],
        users: &[ClusterUser<'_>],
        tls: Option<&TestCa>,
    ) -> Self {
        let oauth_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = |listener: &tokio::net::TcpListener| {
            format!(
                "{scheme}://localhost:{}",
                listener.local_addr().unwrap().port()
            )
        };
        let (base, api) = (url(&oauth_listener), url(&api_listener));
        let people = users
            .iter()
            .map(|u| {
                let person = Person {
                    uid: format!("uid-{}", u.name),
                    password: u.password.to_owned(),
                    full_name: u.full_name.to_owned(),
                    groups: u.groups.iter().map(|g| (*g).to_owned()).collect(),
                };
                (u.name.to_owned(), person)
            })
            .collect();
        let cluster = Arc::new(Cluster {
            base,
            api,
            redirect_uris: redirect_uris.to_vec(),
            people: Mutex::new(people),
            codes: Mutex::default(),
            tokens: Mutex::default(),
            metadata: AtomicBool::new(true),
            reject_tokens: AtomicBool::new(false),
            exchanges: AtomicU64::new(0),
            user_reads: AtomicU64::new(0),
        });
        let oauth = Router::new()
            .route("/oauth/authorize", get(authorize))
            .route("/login", post(login))
            .route("/oauth/token", post(token))
            .with_state(cluster.clone());
        let api = Router::new()
            .route("/.well-known/oauth-authorization-server", get(metadata))
            .route("/apis/user.openshift.io/v1/users/~", get(user))
            .with_state(cluster.clone());
        let serve = |listener: tokio::net::TcpListener, app: Router| match tls {
            Some(ca) => tokio::spawn(crate::tls::serve_tls(
                listener,
                app,
                ca.acceptor(),
                std::future::pending(),
            )),
            None => tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            }),
        };
        let tasks = vec![serve(oauth_listener, oauth), serve(api_listener, api)];
        Self { cluster, tasks }
    }

    /// The OAuth server's URL (the issuer).
    pub fn base(&self) -> &str {
        &self.cluster.base
    }

    /// The cluster API's URL.
    pub fn api(&self) -> &str {
        &self.cluster.api
    }

    /// The `[auth.openshift]` TOML for a Switchyard using this stand-in.
    pub fn config_toml(&self, public_url: &str, extra: &str) -> String {
        format!(
            "[auth]\npublic_url = \"{public_url}\"\n\n[auth.openshift]\nissuer_url = \"{base}\"\n\
             api_url = \"{api}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{CLIENT_SECRET}\"\n\
             {extra}\n",
            base = self.base(),
            api = self.api(),
        )
    }

    /// Changes a user's groups, as an administrator editing `Group` objects would.
    pub fn set_groups(&self, name: &str, groups: &[&str]) {
        let mut people = self.cluster.people.lock().unwrap();
        let person = people.get_mut(name).unwrap();
        person.groups = groups.iter().map(|g| (*g).to_owned()).collect();
    }

    /// Deletes a user and makes another under the same name (a new uid), as happens when
    /// another identity provider claims the name.
    pub fn recreate(&self, name: &str) {
        let mut people = self.cluster.people.lock().unwrap();
        let person = people.get_mut(name).unwrap();
        person.uid = format!("{}-again", person.uid);
    }

    /// Serves or hides the OAuth metadata document.
    pub fn serve_metadata(&self, on: bool) {
        self.cluster.metadata.store(on, Ordering::SeqCst);
    }

    /// Makes the user API refuse every access token (as after `oc delete oauthaccesstoken`).
    pub fn reject_tokens(&self, on: bool) {
        self.cluster.reject_tokens.store(on, Ordering::SeqCst);
    }

    /// Codes exchanged for tokens, and user documents read, so far.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.cluster.exchanges.load(Ordering::SeqCst),
            self.cluster.user_reads.load(Ordering::SeqCst),
        )
    }
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({"error": error}))).into_response()
}

async fn metadata(State(cluster): State<Shared>) -> Response {
    if !cluster.metadata.load(Ordering::SeqCst) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let base = &cluster.base;
    Json(json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "scopes_supported": ["user:check-access", "user:full", "user:info", "user:list-projects"],
        "response_types_supported": ["code", "token"],
        "grant_types_supported": ["authorization_code", "implicit"],
        "code_challenge_methods_supported": ["plain", "S256"],
    }))
    .into_response()
}

/// What the authorize page carries through its login form.
#[derive(Deserialize)]
struct AuthorizeParams {
    client_id: String,
    redirect_uri: String,
    response_type: String,
    #[serde(default)]
    scope: String,
    state: String,
    code_challenge: String,
    code_challenge_method: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn login_page(params: &AuthorizeParams, message: &str) -> Response {
    let hidden: String = [
        ("client_id", &params.client_id),
        ("redirect_uri", &params.redirect_uri),
        ("response_type", &params.response_type),
        ("scope", &params.scope),
        ("state", &params.state),
        ("code_challenge", &params.code_challenge),
        ("code_challenge_method", &params.code_challenge_method),
    ]
    .iter()
    .map(|(name, value)| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        )
    })
    .collect();
    Html(format!(
        "<!doctype html><html><head><title>Log in · OpenShift</title></head><body>\
         <h1>Log in to your account</h1><p id=\"message\">{}</p>\
         <form method=\"post\" action=\"/login\">{hidden}\
         <input id=\"username\" name=\"username\"><input id=\"password\" name=\"password\" \
         type=\"password\"><button id=\"sign-in\" type=\"submit\">Log in</button></form>\
         </body></html>",
        escape(message)
    ))
    .into_response()
}

/// Refuses what OpenShift refuses before showing a login page: an unknown client or an
/// unregistered redirect URI (answered here, never redirected), or a flow without S256 PKCE.
fn check_request(cluster: &Cluster, params: &AuthorizeParams) -> Result<(), &'static str> {
    let registered = cluster.redirect_uris.contains(&params.redirect_uri);
    if params.client_id != CLIENT_ID || !registered {
        return Err("unknown client or redirect URI");
    }
    let scopes_known = params
        .scope
        .split(' ')
        .all(|s| ["user:info", "user:check-access", "user:full"].contains(&s));
    if params.response_type != "code"
        || params.code_challenge_method != "S256"
        || params.code_challenge.len() < 43
        || !scopes_known
    {
        return Err("invalid authorization request");
    }
    Ok(())
}

async fn authorize(
    State(cluster): State<Shared>,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    if let Err(refused) = check_request(&cluster, &params) {
        return (StatusCode::BAD_REQUEST, refused).into_response();
    }
    login_page(&params, "")
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(flatten)]
    request: AuthorizeParams,
}

async fn login(State(cluster): State<Shared>, Form(form): Form<LoginForm>) -> Response {
    if let Err(refused) = check_request(&cluster, &form.request) {
        return (StatusCode::BAD_REQUEST, refused).into_response();
    }
    let known = cluster
        .people
        .lock()
        .unwrap()
        .get(&form.username)
        .is_some_and(|p| p.password == form.password);
    if !known {
        return login_page(
            &form.request,
            "Invalid login or password. Please try again.",
        );
    }
    let code = random_token();
    cluster.codes.lock().unwrap().insert(
        code.clone(),
        Grant {
            user: form.username,
            redirect_uri: form.request.redirect_uri.clone(),
            challenge: form.request.code_challenge.clone(),
        },
    );
    let mut back = reqwest::Url::parse(&form.request.redirect_uri).unwrap();
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &form.request.state);
    Redirect::to(back.as_str()).into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// The client's id and secret from HTTP Basic (each form-urlencoded first, as RFC 6749
/// §2.3.1 says, so a ServiceAccount's `system:serviceaccount:…` id survives), else the form.
fn client_credentials(headers: &HeaderMap, form: &TokenForm) -> Option<(String, String)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|raw| String::from_utf8(raw).ok());
    if let Some(pair) = basic {
        let (id, secret) = pair.split_once(':')?;
        let decode = |s: &str| {
            reqwest::Url::parse(&format!("http://x/?v={s}"))
                .ok()?
                .query_pairs()
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return Some((decode(id)?, decode(secret)?));
    }
    Some((form.client_id.clone()?, form.client_secret.clone()?))
}

async fn token(
    State(cluster): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    let client = client_credentials(&headers, &form);
    if client != Some((CLIENT_ID.to_owned(), CLIENT_SECRET.to_owned())) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    if form.grant_type != "authorization_code" {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    // Single use: taken out whether or not the rest checks out.
    let Some(grant) = cluster.codes.lock().unwrap().remove(&form.code) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    let verified = form.code_verifier.as_deref().is_some_and(|verifier| {
        let digest = Sha256::digest(verifier.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) == grant.challenge
    });
    if grant.redirect_uri != form.redirect_uri || !verified {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    cluster.exchanges.fetch_add(1, Ordering::SeqCst);
    let access = format!("sha256~{}", random_token());
    cluster
        .tokens
        .lock()
        .unwrap()
        .insert(access.clone(), grant.user);
    Json(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": 86400,
        "scope": "user:info user:check-access",
    }))
    .into_response()
}

async fn user(State(cluster): State<Shared>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let name = token.and_then(|t| cluster.tokens.lock().unwrap().get(t).cloned());
    let unauthorized = Json(
        json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                   "message": "Unauthorized", "reason": "Unauthorized", "code": 401}),
    );
    let Some(name) = name.filter(|_| !cluster.reject_tokens.load(Ordering::SeqCst)) else {
        return (StatusCode::UNAUTHORIZED, unauthorized).into_response();
    };
    cluster.user_reads.fetch_add(1, Ordering::SeqCst);
    let people = cluster.people.lock().unwrap();
    let person = &people[&name];
    Json(json!({
        "kind": "User",
        "apiVersion": "user.openshift.io/v1",
        "metadata": {"name": name, "uid": person.uid, "resourceVersion": "1"},
        "fullName": person.full_name,
        "identities": [format!("htpasswd:{name}")],
        "groups": person.groups,
    }))
    .into_response()
}

fn random_token() -> String {
    let bytes: [u8; 24] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
