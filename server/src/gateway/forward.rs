//! The forwarding pipeline of one request, start to end: find the model, check that the
//! caller may use it, run the pre-call guardrails, reserve its worst-case cost (admit),
//! dispatch it to a deployment, and account for the answer (post-call guardrails applied). It returns what the answer is; the HTTP surface (`routes::v1`)
//! turns that into a response.

use std::ops::Range;
use std::sync::Arc;
use std::time::Instant;

use axum::http::{HeaderValue, StatusCode, header};
use bytes::Bytes;
use chrono::Utc;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::Gateway;
use super::accounting::Accounting;
use super::auth::Caller;
use super::client::{BodyError, Outgoing, UpstreamBody};
use super::deployment::{Deployment, ModelRoute};
use super::relay::{RelayStream, relay, whole_usage};
use super::request::RequestBody;
use super::sse::Usage;
use super::upstream::{self, Answer};
use super::usage::audio_ms;
use super::usage::{cost_nanos, estimate_tokens};
use crate::error::ApiError;
use crate::guardrail::{Action, Blocked, Mode, Scanner, StreamMasker};
use crate::quota::Permit;
use crate::spend::Outcome;

/// The OpenAI operations the gateway forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Chat,
    Completion,
    Embeddings,
    Tokenize,
    /// Detokenizing (vLLM's `/detokenize`): free, like tokenizing.
    Detokenize,
    /// Ranking documents against a query (vLLM's and Cohere's `/rerank`).
    Rerank,
    /// Scoring text pairs (vLLM's `/score`).
    Score,
    /// The Responses API (`/v1/responses`), which vLLM serves.
    Responses,
    /// The Anthropic Messages API (`/v1/messages`), translated to a chat completion.
    Messages,
    /// The Anthropic Messages API passed through to a model server that speaks it.
    NativeMessages,
}

impl Operation {
    fn call_type(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Completion => "completion",
            Self::Embeddings => "embeddings",
            Self::Tokenize => "tokenize",
            Self::Detokenize => "detokenize",
            Self::Rerank => "rerank",
            Self::Score => "score",
            Self::Responses => "responses",
            Self::Messages | Self::NativeMessages => "messages",
        }
    }

    pub(super) fn url(self, deployment: &Deployment) -> String {
        // Joined, not formatted: this runs for every request.
        let (root, path) = match self {
            Self::Chat | Self::Messages => (&deployment.base, "/chat/completions"),
            Self::Completion => (&deployment.base, "/completions"),
            Self::Embeddings => (&deployment.base, "/embeddings"),
            Self::Rerank => (&deployment.base, "/rerank"),
            Self::Score => (&deployment.base, "/score"),
            Self::Responses => (&deployment.base, "/responses"),
            Self::NativeMessages => (&deployment.base, "/messages"),
            // vLLM serves tokenize and detokenize at its root, not under /v1.
            Self::Tokenize => (&deployment.origin, "/tokenize"),
            Self::Detokenize => (&deployment.origin, "/detokenize"),
        };
        [root.as_str(), path].concat()
    }

    fn streams(self) -> bool {
        matches!(
            self,
            Self::Chat | Self::Completion | Self::Responses | Self::Messages | Self::NativeMessages
        )
    }

    /// Whether a stream reports usage only when asked (`stream_options.include_usage`);
    /// the Responses API always reports it in `response.completed`.
    fn usage_on_request(self) -> bool {
        matches!(self, Self::Chat | Self::Completion | Self::Messages)
    }

    /// The field that bounds the tokens an answer may make.
    fn max_tokens_field(self) -> &'static str {
        match self {
            Self::Responses => "max_output_tokens",
            _ => "max_tokens",
        }
    }
}

/// One request as the pipeline sees it, and what it learns on the way (which the answer's
/// headers report, whether it succeeds or not).
#[derive(Debug)]
pub struct Trace {
    /// The server-minted id of this request.
    pub request_id: String,
    pub started: Instant,
    /// The model's public name, once known.
    pub model: Option<String>,
    /// The cluster of the deployment that answered.
    pub cluster: Option<String>,
    /// How long the model server took, once it answered.
    pub upstream_ms: Option<u128>,
    /// The caller's rate-limit headroom as `x-ratelimit-*` header values.
    pub rate_headers: crate::quota::RateHeaders,
}

impl Trace {
    /// A request starting now.
    pub fn new(request_id: String) -> Self {
        Self {
            request_id,
            started: Instant::now(),
            model: None,
            cluster: None,
            upstream_ms: None,
            rate_headers: Vec::new(),
        }
    }
}

/// What the model server answered.
pub enum Reply {
    /// A whole answer, passed on unchanged.
    Whole {
        status: StatusCode,
        content_type: HeaderValue,
        body: Bytes,
    },
    /// Server-Sent Events, relayed as they arrive.
    Stream {
        status: StatusCode,
        events: RelayStream,
    },
}

/// Why a pre-call guardrail stopped a request.
pub enum Refusal {
    /// A content filter blocked it, or a moderation model judged it unsafe.
    Blocked(Blocked),
    /// A moderation model could not give a verdict.
    Unavailable(ApiError),
}

/// The error for a model name that is not in the catalog.
pub fn unknown_model(name: &str) -> ApiError {
    let shown: String = name.chars().take(200).collect();
    ApiError::NotFound(format!(
        "model `{shown}` does not exist; GET /v1/models lists the models you can use"
    ))
}

/// 403 unless the caller's key lists the model (or reaches every model).
pub(super) fn allowed(caller: &Caller, model: &ModelRoute) -> Result<(), ApiError> {
    if caller.may_use(model) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "this API key may not use model `{}`; GET /v1/models lists the models it can use",
            model.name
        )))
    }
}

/// The completion tokens a request asks for at most, if it says, in the fields `operation`
/// honours (a field the model server ignores must not lower the reservation).
fn asked_max_tokens(operation: Operation, request: &serde_json::Map<String, Value>) -> Option<u64> {
    let fields: &[&str] = match operation {
        Operation::Chat => &["max_completion_tokens", "max_tokens"],
        Operation::Responses => &["max_output_tokens"],
        _ => &["max_tokens"],
    };
    fields
        .iter()
        .find_map(|field| request.get(*field).and_then(Value::as_u64))
}

/// Bodies shorter than this are copied after the added members into one buffer; longer ones
/// are sent as they are after them. A second piece costs hyper a few hundred instructions
/// more than copying a short body; copying a 20 KB conversation cost about 20,000.
const SPLICE_FROM: usize = 4096;

/// `object`, the bytes of a JSON object, with `members` (names it does not hold) added at its
/// start and the value at `model.0` (its `model` member's) replaced by the name `model.1`: the
/// client's own encoding kept, with no second parse or whole re-encoding, and a long body's
/// bytes not copied when the name stays.
fn with_members<'a>(
    object: &Bytes,
    members: impl Iterator<Item = (&'a str, &'a Value)>,
    model: Option<(Range<usize>, &str)>,
) -> UpstreamBody {
    let open = object
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let rest = object.slice((open + 1).min(object.len())..);
    let empty = rest.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'}');
    // A short body, or one renamed, is copied after the added members; a long one follows
    // them as it is.
    let copied = rest.len() < SPLICE_FROM || model.is_some();
    let mut head = Vec::with_capacity(64 + if copied { rest.len() } else { 0 });
    head.push(b'{');
    for (i, (name, value)) in members.enumerate() {
        if i > 0 {
            head.push(b',');
        }
        // Writing a string or a `Value` into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut head, name);
        head.push(b':');
        let _ = serde_json::to_writer(&mut head, value);
    }
    if !empty && head.len() > 1 {
        head.push(b',');
    }
    if let Some((at, name)) = model {
        head.extend_from_slice(object.get(open + 1..at.start).unwrap_or_default());
        let _ = serde_json::to_writer(&mut head, name);
        head.extend_from_slice(object.get(at.end..).unwrap_or_default());
        return Bytes::from(head).into();
    }
    if copied {
        head.extend_from_slice(&rest);
        return Bytes::from(head).into();
    }
    UpstreamBody::spliced(Bytes::from(head), rest)
}

/// Request fields that make a model server return the answer other than as text (token
/// log-probabilities, token ids), which post-call guardrails could not read: the first one
/// set, when such guardrails run.
fn answer_elsewhere(
    post_call: &Scanner,
    request: &serde_json::Map<String, Value>,
) -> Option<&'static str> {
    if post_call.is_empty() {
        return None;
    }
    [
        "logprobs",
        "top_logprobs",
        "prompt_logprobs",
        "return_token_ids",
        "return_tokens_as_token_ids",
    ]
    .into_iter()
    .find(|field| {
        request.get(*field).is_some_and(|v| {
            !matches!(v, Value::Null | Value::Bool(false)) && v.as_u64() != Some(0)
        })
    })
}

/// How many completions a request makes: `n` choices, or for a completion with `best_of`,
/// that many generated (and charged) to pick from.
fn completions_made(request: &serde_json::Map<String, Value>) -> u64 {
    ["n", "best_of"]
        .iter()
        .filter_map(|field| request.get(*field).and_then(Value::as_u64))
        .max()
        .unwrap_or(1)
        .max(1)
}

/// The most a request can cost: its estimated prompt and the completion tokens it may make.
fn worst_case_cost(model: &ModelRoute, prompt_estimate: u64, completion_tokens: u64) -> i64 {
    cost_nanos(
        prompt_estimate,
        completion_tokens,
        model.input_price_nanos,
        model.output_price_nanos,
    )
}

/// The request for `deployment`: its URL and credential with `body`.
pub(super) fn outgoing(
    deployment: &Deployment,
    url: String,
    content_type: HeaderValue,
    body: impl Into<UpstreamBody>,
) -> Outgoing<'_> {
    Outgoing {
        url,
        host: deployment.host.clone(),
        content_type,
        bearer: deployment.api_key.as_ref().map(|key| key.expose_secret()),
        body: body.into(),
        pool: deployment.pool.as_ref(),
    }
}

impl Gateway {
    /// Forwards an OpenAI request (`body`, a JSON object already read) for `caller`.
    pub async fn forward(
        &self,
        caller: Caller,
        body: Bytes,
        operation: Operation,
        trace: &mut Trace,
    ) -> Result<Reply, ApiError> {
        let mut request = self.request_body(&body)?;
        let name = request
            .members
            .get("model")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ApiError::BadRequest("`model` is required: name a model from GET /v1/models".into())
            })?;
        let model = self.registry.get(name).ok_or_else(|| unknown_model(name))?;
        trace.model = Some(model.name.clone());
        allowed(&caller, &model)?;
        let named = caller
            .key()
            .map_or(&[][..], |key| key.guardrails.as_slice());
        let pre_call = self.guardrails.active(Mode::PreCall, &model.name, named);
        let post_call = self.guardrails.active(Mode::PostCall, &model.name, named);
        // Pre-call guardrails read (and mask) the request before anything is reserved or
        // sent; a refused request is recorded, at no cost, with the guardrail's name. They and
        // moderation read the prompt's texts, so the request is parsed whole for them.
        if !pre_call.is_empty() {
            request.parse_whole(&body)?;
        }
        let masked = match pre_call.request(&mut request.members) {
            Ok(masked) => masked,
            Err(blocked) => {
                let accounting =
                    self.accounting(caller, &model, operation.call_type(), 0, None, trace);
                return Err(refused(&accounting, blocked, None));
            }
        };
        if request
            .members
            .get("stream")
            .is_some_and(|s| !s.is_boolean() && !s.is_null())
        {
            return Err(ApiError::BadParam {
                message: "`stream` must be true or false".into(),
                param: "stream",
            });
        }
        if let Some(field) = answer_elsewhere(&post_call, &request.members) {
            return Err(ApiError::BadParam {
                message: format!(
                    "post-call guardrails read this model's answers as text; `{field}` would \
                     return them another way: leave it out"
                ),
                param: field,
            });
        }

        let streaming = operation.streams()
            && request.members.get("stream").and_then(Value::as_bool) == Some(true);
        let client_wants_usage = !operation.usage_on_request()
            || request
                .members
                .get("stream_options")
                .and_then(|o| o.get("include_usage"))
                .and_then(Value::as_bool)
                == Some(true);
        // Members the gateway adds that the client's body does not hold are spliced into its
        // bytes; a member it changes makes the body re-encoded.
        let mut added: Vec<&'static str> = Vec::new();
        let mut reencode = false;
        if streaming && !client_wants_usage {
            // Ask for usage; the relay strips the usage-only chunk the client did not ask for.
            match request.members.entry("stream_options") {
                serde_json::map::Entry::Vacant(absent) => {
                    absent.insert(json!({"include_usage": true}));
                    added.push("stream_options");
                }
                serde_json::map::Entry::Occupied(mut present) => {
                    reencode = true;
                    match present.get_mut() {
                        Value::Object(map) => {
                            map.insert("include_usage".into(), Value::Bool(true));
                        }
                        other => *other = json!({"include_usage": true}),
                    }
                }
            }
        }
        // A stream's place is taken before anything is reserved: a refusal costs no quota.
        let stream_place = streaming.then(|| self.stream_place()).transpose()?;
        let prompt_estimate = estimate_tokens(request.prompt_chars());
        let asked = asked_max_tokens(operation, &request.members);
        let per_completion = match (operation.streams(), asked) {
            (false, _) => 0,
            (true, Some(asked)) => asked,
            (true, None) => self.quotas.default_max_tokens(),
        };
        let reserve = worst_case_cost(
            &model,
            prompt_estimate,
            per_completion.saturating_mul(completions_made(&request.members)),
        );
        let permit = self.admit(&caller, &model, reserve, trace).await?;
        // Under a budget, the reservation must bound what the answer can cost: a request that
        // names no `max_tokens` gets the one it was reserved for (a model server would
        // otherwise generate up to its context length).
        let bound =
            operation.streams() && asked.is_none() && permit.as_ref().is_some_and(Permit::budgeted);
        if bound {
            let field = operation.max_tokens_field();
            match request
                .members
                .insert(field.into(), Value::from(per_completion))
            {
                None => added.push(field),
                // Present but not a count (null, -1): replaced.
                Some(_) => reencode = true,
            }
        }
        let accounting = self.accounting(
            caller,
            &model,
            operation.call_type(),
            prompt_estimate,
            permit,
            trace,
        );
        // Moderation models are asked once the request is admitted: a refused key costs the
        // platform no moderation call.
        self.moderated(&pre_call, &request.members, trace, &accounting)
            .await?;

        // The body each deployment gets: the client's bytes untouched when nothing changes
        // (the common case), the client's bytes with the added members when only members were
        // added, else re-serialised; made once per backend model name.
        for guardrail in &masked.guardrails {
            accounting.guardrail(guardrail, Action::Mask);
        }
        let reencode = reencode || masked.any();
        // A deployment that knows the model by another name gets that name spliced into the
        // client's bytes too, where its `model` member can be found on them (not when the
        // name is written with escapes or the member named twice).
        let renames = model
            .deployments
            .iter()
            .any(|deployment| deployment.backend_model != model.name);
        let model_at = if renames && !reencode {
            super::json_values::top_level_member_at(&body, b"model")
                .ok()
                .flatten()
        } else {
            None
        };
        if reencode || (renames && model_at.is_none()) {
            // Every body re-encoded below is made from the whole request.
            request.parse_whole(&body)?;
        }
        let rewrite = reencode || !added.is_empty();
        let bodies: std::sync::Mutex<Vec<(String, UpstreamBody)>> =
            std::sync::Mutex::new(Vec::new());
        let body_for = |deployment: &Deployment| -> UpstreamBody {
            let renamed = deployment.backend_model != model.name;
            if !rewrite && !renamed {
                return body.clone().into();
            }
            let cached = |cache: &[(String, UpstreamBody)]| {
                cache
                    .iter()
                    .find(|(name, _)| *name == deployment.backend_model)
                    .map(|(_, b)| b.clone())
            };
            if let Some(body) = bodies.lock().ok().and_then(|cache| cached(&cache)) {
                return body;
            }
            let body = if !reencode && (!renamed || model_at.is_some()) {
                with_members(
                    &body,
                    added
                        .iter()
                        .filter_map(|name| Some((*name, request.members.get(*name)?))),
                    model_at
                        .clone()
                        .filter(|_| renamed)
                        .map(|at| (at, deployment.backend_model.as_str())),
                )
            } else {
                let mut outgoing = request.members.clone();
                outgoing.insert(
                    "model".into(),
                    Value::String(deployment.backend_model.clone()),
                );
                Bytes::from(serde_json::to_vec(&outgoing).unwrap_or_default()).into()
            };
            if let Ok(mut cache) = bodies.lock() {
                cache.push((deployment.backend_model.clone(), body.clone()));
            }
            body
        };
        let json = HeaderValue::from_static("application/json");
        let answer = self
            .dispatch(&model, &accounting, trace, |deployment| {
                outgoing(
                    deployment,
                    operation.url(deployment),
                    json.clone(),
                    body_for(deployment),
                )
            })
            .await?;

        if let Some(place) = stream_place {
            trace.upstream_ms = Some(answer.sent.elapsed().as_millis());
            return Ok(Reply::Stream {
                status: answer.response.status,
                events: relay(
                    answer,
                    accounting,
                    !client_wants_usage,
                    StreamMasker::new(post_call),
                    place,
                ),
            });
        }
        whole(answer, accounting, trace, &post_call).await
    }

    /// One of the `max_streams` places for a streamed answer, held until the stream ends;
    /// none left is a 503 at once (a wait would hold the client's connection all the same).
    fn stream_place(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        self.streams.clone().try_acquire_owned().map_err(|_| {
            ApiError::Unavailable(
                "too many streamed answers are open right now; retry in a few seconds".into(),
            )
        })
    }

    /// Asks the moderation guardrails among `pre_call` about `request`; a refusal is
    /// recorded (at no cost) and answered.
    pub(super) async fn moderated(
        &self,
        pre_call: &Scanner,
        request: &serde_json::Map<String, Value>,
        trace: &Trace,
        accounting: &Accounting,
    ) -> Result<(), ApiError> {
        if pre_call.moderators().next().is_none() {
            return Ok(());
        }
        // Boxed: asking a model server takes kilobytes of future, which every request's
        // future would otherwise carry (and move) though few have moderation guardrails.
        match Box::pin(self.moderate(pre_call, request, trace)).await {
            Ok(()) => Ok(()),
            Err(Refusal::Blocked(blocked)) => Err(refused(accounting, blocked, None)),
            Err(Refusal::Unavailable(error)) => {
                accounting.record(None, None, 0, Outcome::Failure, 503, None);
                Err(error)
            }
        }
    }

    /// A request body as a JSON object, refused before it is parsed when it holds more JSON
    /// values than allowed (parsing a small body of many values takes far more memory).
    pub(super) fn request_object(
        &self,
        body: &[u8],
    ) -> Result<serde_json::Map<String, Value>, ApiError> {
        self.values_allowed(body)?;
        crate::error::json_object(body)
    }

    /// A `/v1` request body read for what the gateway decides with (see [`RequestBody`]),
    /// refused as [`Self::request_object`] refuses one.
    fn request_body(&self, body: &[u8]) -> Result<RequestBody, ApiError> {
        self.values_allowed(body)?;
        RequestBody::read(body)
    }

    /// Refuses a body of more JSON values than allowed, before anything parses it.
    fn values_allowed(&self, body: &[u8]) -> Result<(), ApiError> {
        if super::json_values::at_most(body, self.max_json_values) {
            return Ok(());
        }
        Err(ApiError::PayloadTooLarge(format!(
            "the request body holds more than {} JSON values (array items and object \
             members); split it into smaller requests",
            self.max_json_values
        )))
    }

    /// Forwards a Docling conversion (`POST /{version}/convert/{kind}`) to `model` (or the one
    /// document-conversion model), JSON or multipart, the body untouched.
    pub async fn convert(
        &self,
        caller: Caller,
        body: Bytes,
        content_type: HeaderValue,
        path: &str,
        model: Option<&str>,
        trace: &mut Trace,
    ) -> Result<Reply, ApiError> {
        let model = self.docling_model(model)?;
        trace.model = Some(model.name.clone());
        allowed(&caller, &model)?;
        let permit = self.admit(&caller, &model, 0, trace).await?;
        let accounting = self.accounting(caller, &model, "convert", 0, permit, trace);
        let answer = self
            .dispatch(&model, &accounting, trace, |deployment| {
                outgoing(
                    deployment,
                    format!("{}/{path}", deployment.origin),
                    content_type.clone(),
                    body.clone(),
                )
            })
            .await?;
        whole(answer, accounting, trace, &Scanner::default()).await
    }

    fn docling_model(&self, wanted: Option<&str>) -> Result<Arc<ModelRoute>, ApiError> {
        if let Some(name) = wanted {
            let model = self.registry.get(name).ok_or_else(|| unknown_model(name))?;
            return if model.converts_documents() {
                Ok(model)
            } else {
                Err(ApiError::BadRequest(format!(
                    "model `{name}` does not convert documents"
                )))
            };
        }
        let snapshot = self.registry.snapshot();
        let mut docling = snapshot.models.values().filter(|m| m.converts_documents());
        match (docling.next(), docling.next()) {
            (Some(model), None) => Ok(model.clone()),
            (None, _) => Err(ApiError::NotFound(
                "no document-conversion model is registered".into(),
            )),
            (Some(_), Some(_)) => Err(ApiError::BadRequest(
                "several document-conversion models exist: choose one with `?model=`".into(),
            )),
        }
    }

    /// Checks the caller's quotas for one request on `model`, reserving `reserve_nanos` of its
    /// budgets; the permit (none for the master key or an unlimited key) is settled when the
    /// request is recorded.
    pub(super) async fn admit(
        &self,
        caller: &Caller,
        model: &ModelRoute,
        reserve_nanos: i64,
        trace: &mut Trace,
    ) -> Result<Option<Permit>, ApiError> {
        if !self.ledger.has_room() {
            return Err(ApiError::Unavailable(
                "spend cannot be recorded right now (the database is unavailable and the buffer \
                 is full); retry in a few seconds"
                    .into(),
            ));
        }
        let Some(key) = caller.key() else {
            return Ok(None);
        };
        let priced = model.input_price_nanos > 0
            || model.output_price_nanos > 0
            || model.second_price_nanos > 0;
        let permit = self
            .quotas
            .admit(&trace.request_id, key, &model.name, priced, reserve_nanos)
            .await?;
        if let Some(permit) = &permit {
            trace.rate_headers = permit.headroom.headers();
        }
        Ok(permit)
    }

    pub(super) fn accounting(
        &self,
        caller: Caller,
        model: &Arc<ModelRoute>,
        call_type: &'static str,
        prompt_estimate: u64,
        permit: Option<Permit>,
        trace: &Trace,
    ) -> Accounting {
        Accounting {
            ledger: self.ledger.clone(),
            live: self.live.clone(),
            metrics: self.metrics.clone(),
            caller,
            request_id: trace.request_id.clone(),
            model: model.clone(),
            call_type,
            started: trace.started,
            started_at: Utc::now(),
            prompt_estimate,
            permit: std::sync::Mutex::new(permit),
            sent: std::sync::OnceLock::new(),
            guardrails: std::sync::Mutex::new(None),
            answer_refused: std::sync::atomic::AtomicBool::new(false),
            audio_ms: std::sync::OnceLock::new(),
            audio_estimate_ms: None,
        }
    }

    /// Sends to the model's deployments; a request that finds none answering is accounted as
    /// a failure, one that does is marked with its cluster.
    pub(super) async fn dispatch(
        &self,
        model: &ModelRoute,
        accounting: &Accounting,
        trace: &mut Trace,
        build: impl Fn(&Deployment) -> Outgoing<'_>,
    ) -> Result<Answer, ApiError> {
        let sent = upstream::send(
            &self.upstream,
            model,
            &self.balancer,
            &self.metrics,
            self.max_retries,
            build,
        );
        match sent.await {
            Ok(answer) => {
                // Set once: this is the only answer a request gets.
                let _ = accounting.sent.set(answer.sent);
                trace.cluster = Some(answer.deployment.cluster.clone());
                Ok(answer)
            }
            Err(error) => {
                let status = error.status_code().as_u16();
                accounting.record(None, None, 0, Outcome::Failure, status, None);
                Err(error)
            }
        }
    }
}

/// The 403 for a request or an answer a guardrail refused, recorded (with what the answer
/// cost, when the model server gave one: the model did the work).
pub(super) fn refused(
    accounting: &Accounting,
    blocked: Blocked,
    answered: Option<(&Deployment, Option<Usage>, u64)>,
) -> ApiError {
    accounting.guardrail(&blocked.guardrail, Action::Block);
    if answered.is_some() {
        accounting
            .answer_refused
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let (deployment, usage, estimate) =
        answered.map_or((None, None, 0), |(d, u, e)| (Some(d), u, e));
    accounting.record(deployment, usage, estimate, Outcome::Failure, 403, None);
    ApiError::Forbidden(blocked.message())
}

/// Reads a whole answer and accounts for it; with `post_call` guardrails, a successful
/// answer is masked or refused (refused answers are still charged: the model did the work).
pub(super) async fn whole(
    answer: Answer,
    accounting: Accounting,
    trace: &mut Trace,
    post_call: &Scanner,
) -> Result<Reply, ApiError> {
    let Answer {
        deployment,
        slot,
        response,
        sent,
    } = answer;
    let status = response.status;
    let content_type = response.headers.get(header::CONTENT_TYPE).cloned();
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(error) => {
            let error = if error == BodyError::Timeout {
                ApiError::Timeout("the model server did not finish in time".into())
            } else {
                ApiError::BadGateway("the model server's answer broke off".into())
            };
            accounting.record(
                Some(&deployment),
                None,
                0,
                Outcome::Failure,
                error.status_code().as_u16(),
                None,
            );
            return Err(error);
        }
    };
    drop(slot);
    trace.upstream_ms = Some(sent.elapsed().as_millis());
    let (usage, completion_estimate) = whole_usage(&body);
    if let Some(ms) = accounting.audio_estimate_ms.and_then(|_| audio_ms(&body)) {
        // Only speech to text hears audio; set once: a request has one answer.
        let _ = accounting.audio_ms.set(ms);
    }
    let usage = match (accounting.call_type, usage) {
        // Tokenizing costs nothing and reports counts, not usage.
        ("tokenize" | "detokenize", _) => Some(Default::default()),
        (_, usage) => usage,
    };
    let checked = if status.is_success() {
        post_call.answer(&body)
    } else {
        Ok(None)
    };
    let body = match checked {
        Ok(None) => body,
        Ok(Some((masked, by))) => {
            for guardrail in &by.guardrails {
                accounting.guardrail(guardrail, Action::Mask);
            }
            Bytes::from(masked)
        }
        Err(blocked) => {
            let answered = (&*deployment, usage, completion_estimate);
            return Err(refused(&accounting, blocked, Some(answered)));
        }
    };
    accounting.record(
        Some(&deployment),
        usage,
        completion_estimate,
        Outcome::Success,
        status.as_u16(),
        None,
    );
    Ok(Reply::Whole {
        status,
        content_type: content_type.unwrap_or_else(|| HeaderValue::from_static("application/json")),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> serde_json::Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("an object"),
        }
    }

    #[test]
    fn added_members_go_first_into_the_clients_own_bytes() {
        let max = Value::from(64);
        let usage = json!({"include_usage": true});
        let members = || [("max_tokens", &max), ("stream_options", &usage)].into_iter();
        // The client's bytes go on as they are, after the added members.
        let spliced =
            |body: &'static [u8]| with_members(&Bytes::from_static(body), members(), None).to_vec();
        let body = br#" {"model":"granite", "messages": []} "#;
        assert_eq!(
            String::from_utf8_lossy(&spliced(body)),
            r#"{"max_tokens":64,"stream_options":{"include_usage":true},"model":"granite", "messages": []} "#
        );
        assert_eq!(
            String::from_utf8_lossy(&spliced(b"{ }")),
            r#"{"max_tokens":64,"stream_options":{"include_usage":true} }"#
        );
        assert_eq!(
            serde_json::from_slice::<Value>(&spliced(b"\n{\n}\n")).ok(),
            Some(json!({"max_tokens": 64, "stream_options": {"include_usage": true}}))
        );
        // A long body is not copied: the added members go first, in a piece of their own.
        let long = json!({"model": "granite", "prompt": "word ".repeat(SPLICE_FROM)});
        let bytes = Bytes::from(serde_json::to_vec(&long).unwrap());
        let body = with_members(&bytes, members(), None);
        let mut expected = long.clone();
        expected["max_tokens"] = max.clone();
        expected["stream_options"] = usage.clone();
        assert_eq!(
            serde_json::from_slice::<Value>(&body.to_vec()).unwrap(),
            expected
        );
        assert_eq!(
            body,
            UpstreamBody::spliced(
                Bytes::from_static(br#"{"max_tokens":64,"stream_options":{"include_usage":true},"#),
                bytes.slice(1..)
            )
        );
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;
        use crate::arbitrary::json_object;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// Splicing reads as inserting into the parsed body, whatever its spacing, and
            /// as setting its `model` when it renames the model.
            #[test]
            fn splicing_equals_inserting(
                mut body in json_object(),
                pretty in any::<bool>(),
                tokens in any::<u64>(),
                rename in any::<bool>(),
            ) {
                if rename {
                    body.insert("model".into(), json!("the client's name"));
                }
                let bytes = if pretty {
                    serde_json::to_vec_pretty(&body)
                } else {
                    serde_json::to_vec(&body)
                };
                let bytes = bytes.map_err(|e| TestCaseError::fail(e.to_string()))?;
                // Parsed from the same bytes: a float's last digit may not survive a round trip.
                let mut expected: serde_json::Map<String, Value> = serde_json::from_slice(&bytes)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let added: Vec<(&str, Value)> = [
                    ("max_tokens", Value::from(tokens)),
                    ("stream_options", json!({"include_usage": true})),
                ]
                .into_iter()
                .filter(|(name, _)| !body.contains_key(*name))
                .collect();
                for (name, value) in &added {
                    expected.insert((*name).into(), value.clone());
                }
                let backend = "org/model \"v2\"";
                let model = if rename {
                    expected.insert("model".into(), json!(backend));
                    let at = crate::gateway::json_values::top_level_member_at(&bytes, b"model");
                    let Ok(Some(at)) = at else {
                        // Not found on the bytes only when a name is written with escapes
                        // (the gateway then re-encodes the body).
                        let escaped = |name: &String| {
                            serde_json::to_string(name).is_ok_and(|n| n.contains('\\'))
                        };
                        prop_assert!(body.keys().any(escaped), "{at:?}");
                        return Ok(());
                    };
                    Some((at, backend))
                } else {
                    None
                };
                let spliced =
                    with_members(&Bytes::from(bytes), added.iter().map(|(n, v)| (*n, v)), model)
                        .to_vec();
                let parsed: serde_json::Map<String, Value> = serde_json::from_slice(&spliced)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(parsed, expected);
            }
        }
    }

    #[test]
    fn a_request_makes_n_or_best_of_completions_and_asks_for_its_max_tokens() {
        assert_eq!(completions_made(&object(json!({}))), 1);
        assert_eq!(completions_made(&object(json!({"n": 3}))), 3);
        assert_eq!(completions_made(&object(json!({"n": 2, "best_of": 5}))), 5);
        assert_eq!(completions_made(&object(json!({"n": 0}))), 1);
        assert_eq!(completions_made(&object(json!({"n": "many"}))), 1);
        let chat = Operation::Chat;
        assert_eq!(
            asked_max_tokens(chat, &object(json!({"max_tokens": 7}))),
            Some(7)
        );
        assert_eq!(
            asked_max_tokens(
                chat,
                &object(json!({"max_completion_tokens": 9, "max_tokens": 7}))
            ),
            Some(9)
        );
        assert_eq!(
            asked_max_tokens(chat, &object(json!({"max_tokens": -1}))),
            None
        );
        // A field the operation does not honour does not count.
        let responses = Operation::Responses;
        let ignored = object(json!({"max_output_tokens": 1}));
        assert_eq!(asked_max_tokens(chat, &ignored), None);
        assert_eq!(asked_max_tokens(responses, &ignored), Some(1));
        assert_eq!(
            asked_max_tokens(responses, &object(json!({"max_tokens": 1}))),
            None
        );
        assert_eq!(
            asked_max_tokens(
                Operation::Completion,
                &object(json!({"max_completion_tokens": 1}))
            ),
            None
        );
    }
}
