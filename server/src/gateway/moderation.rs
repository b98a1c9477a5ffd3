//! Moderation guardrails, sent: each one that runs for a request puts the request's
//! conversation to its model through this gateway (routing, retries and health as for any
//! request) and reads the verdict. The call is recorded on its own spend row (call type
//! `guardrail`, request id `<request>:<guardrail>`, no key: the platform's check, not the
//! caller's spend). A model that cannot answer, or answers unlike a moderation model, fails
//! the request closed with a 503: an unchecked request is not let through.

use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::Gateway;
use super::auth::Caller;
use super::forward::{Operation, Refusal, Reply, Trace, outgoing, whole};
use crate::error::ApiError;
use crate::guardrail::{Blocked, Scanner, Verdict, conversation};

/// The most a verdict may be (Llama Guard's is a word and a line of codes).
const VERDICT_TOKENS: u64 = 20;

impl Gateway {
    /// Asks each moderation guardrail of `scanner` about `request`, in order.
    pub(super) async fn moderate(
        &self,
        scanner: &Scanner,
        request: &Map<String, Value>,
        trace: &Trace,
    ) -> Result<(), Refusal> {
        for (guardrail, model) in scanner.moderators() {
            match self.verdict(guardrail, model, request, trace).await {
                Ok(Verdict::Safe) => {}
                Ok(Verdict::Unsafe(categories)) => {
                    let pattern = if categories.is_empty() {
                        "unsafe content".to_owned()
                    } else {
                        format!("unsafe content ({categories})")
                    };
                    return Err(Refusal::Blocked(Blocked {
                        guardrail: guardrail.to_owned(),
                        pattern,
                    }));
                }
                Ok(Verdict::Unclear) | Err(()) => {
                    self.metrics.guardrail(guardrail, "error");
                    return Err(Refusal::Unavailable(ApiError::Unavailable(format!(
                        "guardrail `{guardrail}` could not check the request (its moderation \
                         model `{model}` gave no verdict); retry in a while"
                    ))));
                }
            }
        }
        Ok(())
    }

    /// One moderation model's verdict on `request`; `Err` when it gave none.
    async fn verdict(
        &self,
        guardrail: &str,
        model: &str,
        request: &Map<String, Value>,
        trace: &Trace,
    ) -> Result<Verdict, ()> {
        let route = self.registry.get(model).ok_or_else(|| {
            tracing::warn!(%guardrail, %model, "the moderation model is not registered");
        })?;
        let messages = conversation(request);
        let mut side = Trace::new(format!("{}:{guardrail}", trace.request_id));
        let accounting = self.accounting(Caller::Master, &route, "guardrail", 0, None, &side);
        let json = axum::http::HeaderValue::from_static("application/json");
        let answer = self
            .dispatch(&route, &accounting, &mut side, |deployment| {
                let body = json!({
                    "model": deployment.backend_model,
                    "messages": messages,
                    "max_tokens": VERDICT_TOKENS,
                    "temperature": 0,
                });
                outgoing(
                    deployment,
                    Operation::Chat.url(deployment),
                    json.clone(),
                    Bytes::from(body.to_string()),
                )
            })
            .await
            .map_err(|_| ())?;
        let reply = whole(answer, accounting, &mut side, &Scanner::default())
            .await
            .map_err(|_| ())?;
        let Reply::Whole { status, body, .. } = reply else {
            return Err(());
        };
        if !status.is_success() {
            return Err(());
        }
        let answer: Value = serde_json::from_slice(&body).map_err(|_| ())?;
        let text = answer["choices"][0]["message"]["content"]
            .as_str()
            .unwrap_or_default();
        let verdict = Verdict::read(text);
        if matches!(verdict, Verdict::Unsafe(_)) {
            tracing::info!(%guardrail, "the moderation model judged a request unsafe");
        }
        Ok(verdict)
    }
}
