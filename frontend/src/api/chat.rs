//! Streaming chat against the gateway's `/v1/chat/completions` from the browser, for the
//! playground: `fetch` with the session's CSRF token (or a pasted key), the answer read as
//! server-sent events while it arrives, token by token.

use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::Callback;

/// One message of a conversation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Message {
    pub role: &'static str,
    pub content: String,
}

/// What to send.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<Message>,
    pub temperature: f64,
    pub max_tokens: i64,
    pub stream: bool,
    pub stream_options: Value,
}

impl ChatRequest {
    /// A streamed request that asks for the usage at the end.
    pub fn new(model: &str, messages: Vec<Message>, temperature: f64, max_tokens: i64) -> Self {
        Self {
            model: model.to_owned(),
            messages,
            temperature,
            max_tokens,
            stream: true,
            stream_options: serde_json::json!({ "include_usage": true }),
        }
    }
}

/// Something the stream said.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// More of the answer.
    Delta(String),
    /// The tokens it took (the last chunk).
    Usage { prompt: i64, completion: i64 },
    /// The end.
    Done,
    /// An error the gateway or the model server sent in the stream.
    Error(String),
}

/// Takes every complete event out of `buffer` (what arrived so far), leaving a partial one.
pub fn take_events(buffer: &mut String) -> Vec<Event> {
    let mut events = Vec::new();
    while let Some(end) = buffer.find("\n\n") {
        let block: String = buffer.drain(..end + 2).collect();
        for line in block.lines() {
            let Some(data) = line.strip_prefix("data:").map(str::trim) else {
                continue;
            };
            if data == "[DONE]" {
                events.push(Event::Done);
                continue;
            }
            let Ok(chunk) = serde_json::from_str::<Value>(data) else {
                continue;
            };
            if let Some(message) = chunk["error"]["message"].as_str() {
                events.push(Event::Error(message.to_owned()));
            }
            if let Some(text) = chunk["choices"][0]["delta"]["content"].as_str()
                && !text.is_empty()
            {
                events.push(Event::Delta(text.to_owned()));
            }
            if let (Some(prompt), Some(completion)) = (
                chunk["usage"]["prompt_tokens"].as_i64(),
                chunk["usage"]["completion_tokens"].as_i64(),
            ) {
                events.push(Event::Usage { prompt, completion });
            }
        }
    }
    events
}

/// The message of an error answer (the OpenAI envelope), or the status.
pub fn error_message(status: u16, body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("HTTP {status}"))
}

fn js_error(value: wasm_bindgen::JsValue) -> String {
    value
        .as_string()
        .or_else(|| {
            value
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "the request failed".to_owned())
}

/// Sends `request` and calls `on_event` for each event as it arrives. With `key`, the key
/// authenticates; without, the session (cookie and CSRF token).
pub async fn stream(request: &ChatRequest, key: Option<&str>, on_event: &Callback<Event>) {
    if let Err(message) = stream_inner(request, key, on_event).await {
        on_event.emit(Event::Error(message));
    }
}

async fn stream_inner(
    request: &ChatRequest,
    key: Option<&str>,
    on_event: &Callback<Event>,
) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let headers = web_sys::Headers::new().map_err(js_error)?;
    headers
        .set("content-type", "application/json")
        .map_err(js_error)?;
    match key {
        Some(key) => headers
            .set("authorization", &format!("Bearer {key}"))
            .map_err(js_error)?,
        None => {
            if let Some(token) = super::csrf_token() {
                headers.set(super::CSRF_HEADER, &token).map_err(js_error)?;
            }
        }
    }
    let body = serde_json::to_string(request).map_err(|e| e.to_string())?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&wasm_bindgen::JsValue::from_str(&body));
    // A pasted key must be the only credential: the session cookie stays home.
    init.set_credentials(if key.is_some() {
        web_sys::RequestCredentials::Omit
    } else {
        web_sys::RequestCredentials::SameOrigin
    });
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str_and_init("/v1/chat/completions", &init))
            .await
            .map_err(js_error)?
            .dyn_into()
            .map_err(js_error)?;
    if !response.ok() {
        let text = JsFuture::from(response.text().map_err(js_error)?)
            .await
            .map_err(js_error)?
            .as_string()
            .unwrap_or_default();
        return Err(error_message(response.status(), &text));
    }
    let reader: web_sys::ReadableStreamDefaultReader = response
        .body()
        .ok_or("the answer has no body")?
        .get_reader()
        .dyn_into()
        .map_err(|reader| js_error(reader.into()))?;
    let mut buffer = String::new();
    let mut bytes = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(js_error)?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .map_err(js_error)?
            .as_bool()
            .unwrap_or(true);
        if done {
            break;
        }
        let value = js_sys::Reflect::get(&chunk, &"value".into()).map_err(js_error)?;
        bytes.extend(js_sys::Uint8Array::new(&value).to_vec());
        // Decode only whole UTF-8 sequences; a split character waits for the next chunk.
        let valid = match std::str::from_utf8(&bytes) {
            Ok(text) => text.len(),
            Err(e) => e.valid_up_to(),
        };
        buffer.push_str(&String::from_utf8_lossy(&bytes[..valid]));
        bytes.drain(..valid);
        for event in take_events(&mut buffer) {
            on_event.emit(event);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_taken_whole_and_a_partial_one_waits() {
        let mut buffer = String::from(
            "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n\
             data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n\
             data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\ndata: {\"choi",
        );
        assert_eq!(
            take_events(&mut buffer),
            vec![Event::Delta("Hel".into()), Event::Delta("lo".into())]
        );
        assert_eq!(buffer, "data: {\"choi");
        buffer.push_str(
            "ces\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n",
        );
        assert_eq!(
            take_events(&mut buffer),
            vec![
                Event::Usage {
                    prompt: 7,
                    completion: 2
                },
                Event::Done
            ]
        );
        assert!(buffer.is_empty());
    }

    #[test]
    fn errors_in_the_stream_and_in_answers_are_read() {
        let mut buffer = String::from("data: {\"error\":{\"message\":\"upstream died\"}}\n\n");
        assert_eq!(
            take_events(&mut buffer),
            vec![Event::Error("upstream died".into())]
        );
        assert_eq!(
            error_message(403, r#"{"error":{"message":"not subscribed"}}"#),
            "not subscribed"
        );
        assert_eq!(error_message(502, "<html>"), "HTTP 502");
    }
}
