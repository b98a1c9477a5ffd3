//! Speech to text (`/v1/audio/transcriptions` and `/v1/audio/translations`, Whisper on
//! vLLM): a multipart upload within the upload size limit, its `model` field naming the
//! model. The caller's access, pre-call guardrails (on the `prompt` field, the only text sent),
//! limits and accounting apply as to chat; the form goes on untouched unless the deployment
//! knows the model by another name or a guardrail masked the prompt.

use axum::http::HeaderValue;
use bytes::{BufMut, Bytes, BytesMut};
use serde_json::Value;

use super::Gateway;
use super::auth::Caller;
use super::forward::{Reply, Trace, allowed, outgoing, refused, unknown_model, whole};
use super::usage::{audio_cost_nanos, upload_audio_ms};
use crate::error::ApiError;
use crate::guardrail::{Action, Mode};

/// Which way the audio becomes text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioTask {
    /// Text in the audio's own language.
    Transcription,
    /// English text, whatever the audio's language.
    Translation,
}

impl AudioTask {
    fn path(self) -> &'static str {
        match self {
            Self::Transcription => "audio/transcriptions",
            Self::Translation => "audio/translations",
        }
    }

    fn call_type(self) -> &'static str {
        match self {
            Self::Transcription => "transcription",
            Self::Translation => "translation",
        }
    }
}

/// The most parts a form may have (an upload has a handful: the file, the model, options).
const MAX_PARTS: usize = 64;

/// One part of a multipart form.
#[derive(Debug, Clone)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    data: Bytes,
}

/// Whether a form field's name is one the gateway and every model server read alike.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.[]".contains(&b))
}

/// Checks a text field: UTF-8, typed as plain text in UTF-8 if typed at all, so that no
/// reader decodes it otherwise.
fn text_field(name: &str, content_type: Option<&str>, data: &[u8]) -> Result<(), ApiError> {
    let plain = content_type.is_none_or(|t| {
        let t = t.to_ascii_lowercase().replace(' ', "");
        t == "text/plain" || t == "text/plain;charset=utf-8"
    });
    if !plain || std::str::from_utf8(data).is_err() {
        return Err(ApiError::BadRequest(format!(
            "form field `{name}` must be text in UTF-8"
        )));
    }
    Ok(())
}

/// A multipart form, read whole (the body is already within the upload limit).
#[derive(Debug)]
struct Form {
    parts: Vec<Part>,
}

impl Form {
    async fn read(body: Bytes, content_type: &HeaderValue) -> Result<Self, ApiError> {
        let boundary = content_type
            .to_str()
            .ok()
            .and_then(|value| multer::parse_boundary(value).ok())
            .ok_or_else(|| {
                ApiError::BadRequest(
                    "send the audio as multipart/form-data with a `file` and a `model`".into(),
                )
            })?;
        let unreadable =
            |e: multer::Error| ApiError::BadRequest(format!("the form cannot be read: {e}"));
        let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(body) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        let mut parts = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            if parts.len() == MAX_PARTS {
                return Err(ApiError::BadRequest(format!(
                    "the form has more than {MAX_PARTS} parts"
                )));
            }
            let name = field.name().unwrap_or_default().to_owned();
            if !plain_name(&name) {
                return Err(ApiError::BadRequest(format!(
                    "form field {name:?}: name fields with letters, digits, `_`, `-`, `.` and `[]`"
                )));
            }
            // A list field (`timestamp_granularities[]`) may repeat; any other field is read
            // once, so the gateway and the model server cannot read different values.
            if !name.ends_with("[]") && parts.iter().any(|p: &Part| p.name == name) {
                return Err(ApiError::BadRequest(format!(
                    "form field `{name}` is given twice; give it once"
                )));
            }
            let file_name = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(ToString::to_string);
            let data = field.bytes().await.map_err(unreadable)?;
            if file_name.is_none() {
                text_field(&name, content_type.as_deref(), &data)?;
            }
            parts.push(Part {
                name,
                file_name,
                content_type,
                data,
            });
        }
        Ok(Self { parts })
    }

    /// The text of field `name` (not a file).
    fn text(&self, name: &str) -> Option<&str> {
        self.parts
            .iter()
            .find(|p| p.name == name && p.file_name.is_none())
            .and_then(|p| std::str::from_utf8(&p.data).ok())
    }

    /// Sets text field `name` to `value`.
    fn set(&mut self, name: &str, value: &str) {
        let data = Bytes::copy_from_slice(value.as_bytes());
        match self
            .parts
            .iter_mut()
            .find(|p| p.name == name && p.file_name.is_none())
        {
            Some(part) => part.data = data,
            None => self.parts.push(Part {
                name: name.to_owned(),
                file_name: None,
                content_type: None,
                data,
            }),
        }
    }

    /// The form encoded again, with a boundary of its own; and its content type.
    fn encode(&self) -> (Bytes, HeaderValue) {
        let boundary = format!("switchyard-{:032x}", rand::random::<u128>());
        // Names are plain (checked on reading); a file's name keeps its printable characters
        // but quotes and backslashes, which no two parsers read alike.
        let quoted = |text: &str| -> String {
            text.chars()
                .map(|c| {
                    if c.is_control() || c == '"' || c == '\\' {
                        '_'
                    } else {
                        c
                    }
                })
                .collect()
        };
        let mut body = BytesMut::new();
        for part in &self.parts {
            body.put_slice(format!("--{boundary}\r\n").as_bytes());
            let mut disposition = format!(
                "Content-Disposition: form-data; name=\"{}\"",
                quoted(&part.name)
            );
            if let Some(file_name) = &part.file_name {
                disposition.push_str(&format!("; filename=\"{}\"", quoted(file_name)));
            }
            body.put_slice(disposition.as_bytes());
            body.put_slice(b"\r\n");
            if let Some(content_type) = &part.content_type {
                let content_type: String =
                    content_type.chars().filter(|c| !c.is_control()).collect();
                body.put_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
            }
            body.put_slice(b"\r\n");
            body.put_slice(&part.data);
            body.put_slice(b"\r\n");
        }
        body.put_slice(format!("--{boundary}--\r\n").as_bytes());
        let content_type =
            HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}"))
                .unwrap_or_else(|_| HeaderValue::from_static("multipart/form-data"));
        (body.freeze(), content_type)
    }
}

impl Gateway {
    /// Transcribes or translates the audio in a multipart upload for `caller`.
    pub async fn audio(
        &self,
        caller: Caller,
        body: Bytes,
        content_type: HeaderValue,
        task: AudioTask,
        trace: &mut Trace,
    ) -> Result<Reply, ApiError> {
        let mut form = Form::read(body.clone(), &content_type).await?;
        let name = form.text("model").ok_or_else(|| {
            ApiError::BadRequest("`model` is required: name a model from GET /v1/models".into())
        })?;
        let model = self.registry.get(name).ok_or_else(|| unknown_model(name))?;
        trace.model = Some(model.name.clone());
        allowed(&caller, &model)?;
        // Read as the model servers' form parsers read a boolean.
        let truthy = |s: &str| {
            ["true", "1", "yes", "on", "t", "y"]
                .iter()
                .any(|t| s.trim().eq_ignore_ascii_case(t))
        };
        if form.text("stream").is_some_and(truthy) {
            return Err(ApiError::BadParam {
                message: "streamed transcriptions are not offered here; leave `stream` out to \
                          get the whole text"
                    .into(),
                param: "stream",
            });
        }
        let named = caller
            .key()
            .map_or(&[][..], |key| key.guardrails.as_slice());
        let pre_call = self.guardrails.active(Mode::PreCall, &model.name, named);
        let post_call = self.guardrails.active(Mode::PostCall, &model.name, named);
        // The prompt (a hint of words to expect) is the only text the model is given.
        let mut prompt = serde_json::Map::new();
        if let Some(text) = form.text("prompt") {
            prompt.insert("prompt".into(), Value::String(text.to_owned()));
        }
        let masked = match pre_call.request(&mut prompt) {
            Ok(masked) => masked,
            Err(blocked) => {
                let accounting = self.accounting(caller, &model, task.call_type(), 0, None, trace);
                return Err(refused(&accounting, blocked, None));
            }
        };
        let words = form
            .parts
            .iter()
            .any(|p| p.name.starts_with("timestamp_granularities") && &p.data[..] == b"word");
        let format = form.text("response_format").unwrap_or("json");
        if !post_call.is_empty() && !matches!(format, "json" | "verbose_json") {
            return Err(ApiError::BadParam {
                message: format!(
                    "post-call guardrails read the transcript as JSON: ask for `json` or \
                     `verbose_json`, not `{format}`"
                ),
                param: "response_format",
            });
        }
        if !post_call.is_empty() && words {
            return Err(ApiError::BadParam {
                message: "post-call guardrails read the transcript's text and segments; word \
                          timestamps would spell it out again: leave them out"
                    .into(),
                param: "timestamp_granularities",
            });
        }
        // How long the audio is, as far as the upload tells: reserved ahead, and billed when
        // the answer does not say.
        let heard = form
            .parts
            .iter()
            .find(|p| p.name == "file" && p.file_name.is_some())
            .map(|file| upload_audio_ms(&file.data))
            .ok_or_else(|| ApiError::BadParam {
                message: "`file` is required: upload the audio as a file part".into(),
                param: "file",
            })?;
        let reserve = audio_cost_nanos(heard, model.second_price_nanos);
        let permit = self.admit(&caller, &model, reserve, trace).await?;
        let mut accounting = self.accounting(caller, &model, task.call_type(), 0, permit, trace);
        accounting.audio_estimate_ms = Some(heard);
        if !prompt.is_empty() {
            self.moderated(&pre_call, &prompt, trace, &accounting)
                .await?;
        }
        for guardrail in &masked.guardrails {
            accounting.guardrail(guardrail, Action::Mask);
        }
        if let Some(Value::String(text)) = prompt.get("prompt").filter(|_| masked.any()) {
            form.set("prompt", text);
        }
        let renamed = |backend: &str| {
            let mut form = Form {
                parts: form.parts.clone(),
            };
            form.set("model", backend);
            form.encode()
        };
        let answer = self
            .dispatch(&model, &accounting, trace, |deployment| {
                // What a pre-call guardrail read is exactly what is sent.
                let (body, content_type) =
                    if deployment.backend_model == model.name && pre_call.is_empty() {
                        (body.clone(), content_type.clone())
                    } else {
                        renamed(&deployment.backend_model)
                    };
                outgoing(
                    deployment,
                    format!("{}/{}", deployment.base, task.path()),
                    content_type,
                    body,
                )
            })
            .await?;
        whole(answer, accounting, trace, &post_call).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_form_reads_and_encodes_again_with_a_field_changed() {
        let body = Bytes::from_static(
            b"--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper\r\n\
              --b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".wav\"\r\n\
              Content-Type: audio/wav\r\n\r\nRIFF\x00\x01\r\n--b--\r\n",
        );
        let mut form = Form::read(
            body,
            &HeaderValue::from_static("multipart/form-data; boundary=b"),
        )
        .await
        .unwrap();
        assert_eq!(form.text("model"), Some("whisper"));
        assert_eq!(form.text("file"), None, "a file is not a text field");
        form.set("model", "openai/whisper-large-v3");
        let (encoded, content_type) = form.encode();
        let again = Form::read(encoded, &content_type).await.unwrap();
        assert_eq!(again.text("model"), Some("openai/whisper-large-v3"));
        let file = again.parts.iter().find(|p| p.name == "file").unwrap();
        assert_eq!(&file.data[..], b"RIFF\x00\x01");
        assert_eq!(file.content_type.as_deref(), Some("audio/wav"));
    }

    #[tokio::test]
    async fn what_is_not_a_form_is_refused_with_a_reason() {
        let json = HeaderValue::from_static("application/json");
        let error = Form::read(Bytes::from_static(b"{}"), &json)
            .await
            .unwrap_err();
        assert!(error.to_string().contains("multipart/form-data"), "{error}");
        let form = HeaderValue::from_static("multipart/form-data; boundary=b");
        let error = Form::read(Bytes::from_static(b"--b\r\nnonsense"), &form)
            .await
            .unwrap_err();
        assert!(error.to_string().contains("cannot be read"), "{error}");
        let many: String = (0..=MAX_PARTS)
            .map(|i| format!("--b\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nx\r\n"))
            .collect::<String>()
            + "--b--\r\n";
        let error = Form::read(Bytes::from(many), &form).await.unwrap_err();
        assert!(error.to_string().contains("more than"), "{error}");
    }
}
