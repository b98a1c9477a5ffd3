//! Speech to text (`/v1/audio/transcriptions` and `/v1/audio/translations`, Whisper on
//! vLLM): a multipart upload within the upload size limit, its `model` field naming the
//! model. The caller's access, pre-call guardrails (on the `prompt` field, the only text sent),
//! limits and accounting apply as to chat; the form goes on encoded again from what was read
//! (the deployment's name for the model, a masked prompt), never as the client's bytes, so no
//! part can be read one way here and another way by the model server.

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
        let mut form = Form::read(body, &content_type).await?;
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
        // Plain text and subtitles say neither how long the audio was nor anything a post-call
        // guardrail could read reliably: where either matters, the model server is asked for
        // `verbose_json` and the asked-for format is written here from it.
        let format = Format::of(form.text("response_format"))?;
        let rendered = (model.second_price_nanos > 0 || !post_call.is_empty())
            && format != Format::Json
            && format != Format::VerboseJson;
        if rendered {
            form.set("response_format", "verbose_json");
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
                // Always the form as read here, encoded again: what the gateway authorized,
                // priced and checked is exactly what the model server reads, however its
                // parser would have read the original.
                let (body, content_type) = renamed(&deployment.backend_model);
                outgoing(
                    deployment,
                    format!("{}/{}", deployment.base, task.path()),
                    content_type,
                    body,
                )
            })
            .await?;
        let reply = whole(answer, accounting, trace, &post_call).await?;
        Ok(if rendered {
            format.render(reply)
        } else {
            reply
        })
    }
}

/// A transcript's `response_format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    VerboseJson,
    Text,
    Srt,
    Vtt,
}

impl Format {
    fn of(asked: Option<&str>) -> Result<Self, ApiError> {
        Ok(match asked.unwrap_or("json") {
            "json" => Self::Json,
            "verbose_json" => Self::VerboseJson,
            "text" => Self::Text,
            "srt" => Self::Srt,
            "vtt" => Self::Vtt,
            other => {
                return Err(ApiError::BadParam {
                    message: format!(
                        "`response_format` `{other}` is not one of json, verbose_json, text, \
                         srt, vtt"
                    ),
                    param: "response_format",
                });
            }
        })
    }

    /// A successful `verbose_json` answer written in this format (anything else as it came).
    fn render(self, reply: Reply) -> Reply {
        let Reply::Whole {
            status,
            content_type,
            body,
        } = reply
        else {
            return reply;
        };
        let verbose = status
            .is_success()
            .then(|| serde_json::from_slice::<Verbose>(&body).ok())
            .flatten();
        let Some(verbose) = verbose else {
            // An error passes as it came; a success that is no transcript is the server's
            // fault, not an answer in a format the client did not ask for.
            if !status.is_success() {
                return Reply::Whole {
                    status,
                    content_type,
                    body,
                };
            }
            return Reply::Whole {
                status: axum::http::StatusCode::BAD_GATEWAY,
                content_type: HeaderValue::from_static("application/json"),
                body: Bytes::from(
                    serde_json::json!({"error": {
                        "message": "the model server's transcript could not be read",
                        "type": "upstream_error", "param": null, "code": "502"}})
                    .to_string(),
                ),
            };
        };
        let (text, kind) = match self {
            Self::Text => (
                format!("{}\n", verbose.text.trim()),
                "text/plain; charset=utf-8",
            ),
            Self::Srt => (verbose.cues(','), "text/plain; charset=utf-8"),
            Self::Vtt => (
                format!("WEBVTT\n\n{}", verbose.cues('.')),
                "text/vtt; charset=utf-8",
            ),
            Self::Json | Self::VerboseJson => {
                return Reply::Whole {
                    status,
                    content_type,
                    body,
                };
            }
        };
        Reply::Whole {
            status,
            content_type: HeaderValue::from_static(kind),
            body: Bytes::from(text),
        }
    }
}

/// What a `verbose_json` transcript says.
#[derive(serde::Deserialize)]
struct Verbose {
    text: String,
    #[serde(default, deserialize_with = "super::usage::seconds")]
    duration: Option<f64>,
    /// vLLM may send `null`.
    #[serde(default)]
    segments: Option<Vec<Segment>>,
}

#[derive(serde::Deserialize)]
struct Segment {
    start: f64,
    end: f64,
    text: String,
}

impl Verbose {
    /// Subtitle cues, one per segment (the whole text as one when there are none), numbered
    /// as SubRip numbers them when `decimal` is `,`.
    fn cues(&self, decimal: char) -> String {
        let whole = [Segment {
            start: 0.0,
            end: self.duration.unwrap_or(0.0),
            text: self.text.clone(),
        }];
        let segments = match self.segments.as_deref() {
            Some(segments) if !segments.is_empty() => segments,
            _ => &whole[..],
        };
        let mut out = String::new();
        for (i, segment) in segments.iter().enumerate() {
            if decimal == ',' {
                out.push_str(&format!("{}\n", i + 1));
            }
            out.push_str(&format!(
                "{} --> {}\n{}\n\n",
                timestamp(segment.start, decimal),
                timestamp(segment.end, decimal),
                segment.text.trim()
            ));
        }
        out
    }
}

/// `HH:MM:SS,mmm` (or with `.`) for `seconds`.
fn timestamp(seconds: f64, decimal: char) -> String {
    let ms = if seconds.is_finite() && seconds > 0.0 {
        (seconds * 1000.0).round() as u64
    } else {
        0
    };
    format!(
        "{:02}:{:02}:{:02}{decimal}{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
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

    #[test]
    fn transcripts_are_written_as_text_and_subtitles() {
        let verbose = br#"{"text": " Hello there. General Kenobi.", "duration": 3725.5,
            "segments": [{"start": 0.0, "end": 1.25, "text": " Hello there."},
                         {"start": 3723.0, "end": 3725.5, "text": " General Kenobi."}]}"#;
        let reply = |body: &'static [u8]| Reply::Whole {
            status: axum::http::StatusCode::OK,
            content_type: HeaderValue::from_static("application/json"),
            body: Bytes::from_static(body),
        };
        let text = |reply: Reply| match reply {
            Reply::Whole { body, .. } => String::from_utf8(body.to_vec()).unwrap(),
            Reply::Stream { .. } => unreachable!(),
        };
        assert_eq!(
            text(Format::Text.render(reply(verbose))),
            "Hello there. General Kenobi.\n"
        );
        assert_eq!(
            text(Format::Srt.render(reply(verbose))),
            "1\n00:00:00,000 --> 00:00:01,250\nHello there.\n\n\
             2\n01:02:03,000 --> 01:02:05,500\nGeneral Kenobi.\n\n"
        );
        assert_eq!(
            text(Format::Vtt.render(reply(verbose))),
            "WEBVTT\n\n00:00:00.000 --> 00:00:01.250\nHello there.\n\n\
             01:02:03.000 --> 01:02:05.500\nGeneral Kenobi.\n\n"
        );
        // No segments: one cue for the whole; an answer that is not a transcript as it came.
        let short = br#"{"text": "Hi", "duration": 2.0}"#;
        assert_eq!(
            text(Format::Srt.render(reply(short))),
            "1\n00:00:00,000 --> 00:00:02,000\nHi\n\n"
        );
        // vLLM's shape: the duration a string, the segments null.
        let vllm = br#"{"text": "Hi", "duration": "2.0", "segments": null, "language": "en"}"#;
        assert_eq!(
            text(Format::Vtt.render(reply(vllm))),
            "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHi\n\n"
        );
        let broken = Format::Text.render(reply(b"oops"));
        let Reply::Whole { status, .. } = &broken else {
            unreachable!()
        };
        assert_eq!(status.as_u16(), 502);
        assert!(Format::of(Some("mp3")).is_err());
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
