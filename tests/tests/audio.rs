//! Speech to text through the gateway with a plain HTTP client, beside the SDK test in
//! `sdk.rs`: the upload limit, forms that are not forms, the deployment's own model name,
//! and guardrails on the prompt and the transcript.

use harness::gateway::{ModelSpec, config, key_with, spend_rows};
use harness::{MockUpstream, TestApp};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

const TRANSCRIBE: &str = "/v1/audio/transcriptions";

fn upload(model: &str, bytes: usize, prompt: Option<&str>) -> Form {
    let file = Part::bytes(vec![0u8; bytes])
        .file_name("speech.wav")
        .mime_str("audio/wav")
        .unwrap();
    let form = Form::new()
        .text("model", model.to_owned())
        .part("file", file);
    match prompt {
        Some(prompt) => form.text("prompt", prompt.to_owned()),
        None => form,
    }
}

async fn send(app: &TestApp, key: &str, path: &str, form: Form) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(path))
        .bearer_auth(key)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// A gateway with `preamble` in front of a mock serving `whisper` as `openai/whisper-large-v3`,
/// and a key for it.
async fn gateway(preamble: &str) -> (MockUpstream, TestApp, String) {
    let mock = MockUpstream::start("aws", &["openai/whisper-large-v3"], &[]).await;
    let toml = config(
        preamble,
        &[ModelSpec::new(
            "whisper",
            "openai/whisper-large-v3",
            &[&mock],
        )],
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    let key = key_with(&app, serde_json::json!({"models": ["whisper"]})).await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    (mock, app, key)
}

#[tokio::test]
async fn uploads_are_renamed_for_the_deployment_and_bounded_in_size() {
    let (mock, app, key) = gateway("[gateway]\nmax_upload_bytes = 100000\n").await;
    let answer = send(&app, &key, TRANSCRIBE, upload("whisper", 64_000, None)).await;
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["text"], "transcribed speech.wav 64000 bytes");
    // The deployment knows the model by its own name, and got the whole file.
    let forwarded = mock.last_request().await;
    assert_eq!(forwarded["model"], "openai/whisper-large-v3", "{forwarded}");
    assert_eq!(forwarded["file_bytes"], 64000, "{forwarded}");

    // Without `/v1`, as LiteLLM also serves it.
    let translated = send(
        &app,
        &key,
        "/audio/translations",
        upload("whisper", 100, None),
    )
    .await;
    assert_eq!(translated.status(), 200);

    let too_big = send(&app, &key, TRANSCRIBE, upload("whisper", 200_000, None)).await;
    assert_eq!(too_big.status(), 413);
    let not_a_form = app
        .post_with_key(TRANSCRIBE, &serde_json::json!({"model": "whisper"}), &key)
        .await;
    assert_eq!(not_a_form.status(), 400);
    let error: Value = not_a_form.json().await.unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("multipart/form-data"),
        "{error}"
    );
    let no_model = send(&app, &key, TRANSCRIBE, Form::new().text("language", "en")).await;
    assert_eq!(no_model.status(), 400);
    let streamed = send(
        &app,
        &key,
        TRANSCRIBE,
        upload("whisper", 10, None).text("stream", "true"),
    )
    .await;
    assert_eq!(streamed.status(), 400);
    let streamed_as_one = send(
        &app,
        &key,
        TRANSCRIBE,
        upload("whisper", 10, None).text("stream", "1"),
    )
    .await;
    assert_eq!(
        streamed_as_one.status(),
        400,
        "`1` is true to a form parser"
    );
    // A field given twice could be read one way here and another at the model server.
    let twice = send(
        &app,
        &key,
        TRANSCRIBE,
        upload("whisper", 10, None).text("model", "other"),
    )
    .await;
    assert_eq!(twice.status(), 400);
    let error: Value = twice.json().await.unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("given twice"),
        "{error}"
    );
    let latin1 = Part::bytes(b"caf\xe9".to_vec());
    let not_utf8 = send(
        &app,
        &key,
        TRANSCRIBE,
        upload("whisper", 10, None).part("prompt", latin1),
    )
    .await;
    assert_eq!(not_utf8.status(), 400);
    let no_file = send(&app, &key, TRANSCRIBE, Form::new().text("model", "whisper")).await;
    assert_eq!(no_file.status(), 400);
    assert_eq!(
        mock.stats().await["requests"],
        2,
        "refused uploads never reach the model server"
    );

    let rows = spend_rows(&app.database().await, 2).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["call_type"], "transcription");
    assert_eq!(rows[1]["call_type"], "translation");
}

/// Uploads reserve their length from the memory all uploads may hold before they are read:
/// one that would not fit is refused at once with 503, and the reservation ends with it.
#[tokio::test]
async fn uploads_beyond_the_memory_for_uploads_are_refused_at_once() {
    let (mock, app, key) =
        gateway("[gateway]\nmax_upload_bytes = 100000\nmax_upload_bytes_in_flight = 50000\n").await;
    let big = send(&app, &key, TRANSCRIBE, upload("whisper", 64_000, None)).await;
    assert_eq!(big.status(), 503);
    let error: Value = big.json().await.unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too many uploads"),
        "{error}"
    );
    for _ in 0..3 {
        let small = send(&app, &key, TRANSCRIBE, upload("whisper", 30_000, None)).await;
        assert_eq!(small.status(), 200, "each returns its reservation");
    }
    assert_eq!(mock.stats().await["requests"], 3);
}

#[tokio::test]
async fn guardrails_read_the_prompt_and_the_transcript() {
    let (mock, app, key) = gateway(
        "[[guardrails]]\nguardrail_name = \"pii\"\nmode = \"pre_call\"\ndefault_on = true\n\
         patterns = [{ pattern_type = \"prebuilt\", pattern_name = \"us_ssn\", action = \"BLOCK\" }]\n\
         [[guardrails]]\nguardrail_name = \"names\"\nmode = \"post_call\"\ndefault_on = true\n\
         blocked_words = [{ keyword = \"speech.wav\", action = \"MASK\" }]\n",
    )
    .await;
    let blocked = send(
        &app,
        &key,
        TRANSCRIBE,
        upload("whisper", 10, Some("SSN 123-45-6789")),
    )
    .await;
    assert_eq!(blocked.status(), 403);
    let error: Value = blocked.json().await.unwrap();
    assert!(
        error["error"]["message"].as_str().unwrap().contains("pii"),
        "{error}"
    );
    assert_eq!(mock.stats().await["requests"], 0);

    let masked = send(&app, &key, TRANSCRIBE, upload("whisper", 10, Some("hello"))).await;
    assert_eq!(masked.status(), 200);
    let body: Value = masked.json().await.unwrap();
    let text = body["text"].as_str().unwrap();
    assert!(!text.contains("speech.wav"), "{text}");
    assert!(
        text.starts_with("transcribed ") && text.ends_with("hello"),
        "{text}"
    );

    // Subtitles are written from the masked JSON transcript.
    let vtt = send(
        &app,
        &key,
        TRANSCRIBE,
        upload("whisper", 10, None).text("response_format", "vtt"),
    )
    .await;
    assert_eq!(vtt.status(), 200);
    let vtt = vtt.text().await.unwrap();
    assert!(vtt.starts_with("WEBVTT\n\n00:00:00.000 --> "), "{vtt}");
    assert!(!vtt.contains("speech.wav"), "{vtt}");
    assert_eq!(
        mock.last_request().await["response_format"],
        "verbose_json",
        "asked of the model server"
    );

    // Word timestamps would spell the transcript out past the masks.
    let words = upload("whisper", 10, None)
        .text("response_format", "verbose_json")
        .text("timestamp_granularities[]", "word");
    assert_eq!(send(&app, &key, TRANSCRIBE, words).await.status(), 400);

    let rows = spend_rows(&app.database().await, 3).await;
    assert_eq!(rows[0]["guardrail"], "pii", "{rows:?}");
    assert_eq!(rows[0]["cost_nanos"], 0, "{rows:?}");
    assert_eq!(rows[1]["guardrail"], "names", "{rows:?}");
}

/// A model priced per second of audio is billed for the seconds its answers report, whether
/// configured (`input_cost_per_second` in `[[models]]`) or registered through `/model/new`
/// (`model_info.input_cost_per_second`, LiteLLM's field), and the catalog shows its price
/// per minute.
#[tokio::test]
async fn models_priced_per_second_are_billed_for_what_they_heard() {
    let mock = MockUpstream::start("aws", &["whisper-large-v3"], &[]).await;
    let toml = format!(
        "[[models]]\nname = \"whisper\"\ninput_cost_per_second = 0.0002\n\
         capabilities = [\"audio_transcription\"]\n\
         [[models.deployments]]\ncluster = \"aws\"\napi_base = \"{}/v1\"\n\
         backend_model = \"whisper-large-v3\"\n",
        mock.base
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    let registered = app
        .post_as_master(
            "/model/new",
            &serde_json::json!({
                "model_name": "speech",
                "litellm_params": {"model": "hosted_vllm/whisper-large-v3",
                                   "api_base": format!("{}/v1", mock.base)},
                "model_info": {"mode": "audio_transcription", "input_cost_per_second": 1e-4},
            }),
        )
        .await;
    assert_eq!(registered.status(), 200);
    let info: Value = app.get_as_master("/model/info").await.json().await.unwrap();
    let speech = info["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model_name"] == "speech")
        .unwrap()
        .clone();
    assert_eq!(
        speech["model_info"]["input_cost_per_second"], 1e-4,
        "{speech}"
    );
    assert_eq!(
        speech["model_info"]["mode"], "audio_transcription",
        "{speech}"
    );
    let bad_price = app
        .post_as_master(
            "/model/new",
            &serde_json::json!({"model_name": "x", "litellm_params": {"model": "openai/x",
                "api_base": "http://127.0.0.1:9/v1"}, "model_info": {"input_cost_per_second": "free"}}),
        )
        .await;
    assert_eq!(bad_price.status(), 400);
    let error: Value = bad_price.json().await.unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("price per second"),
        "{error}"
    );

    let key = key_with(&app, serde_json::json!({"models": ["*"]})).await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    // 64,000 bytes: two seconds of audio at the mock's rate.
    for model in ["whisper", "speech"] {
        let answer = send(&app, &key, TRANSCRIBE, upload(model, 64_000, None)).await;
        assert_eq!(answer.status(), 200, "{model}");
    }
    let rows = spend_rows(&app.database().await, 2).await;
    assert_eq!(rows[0]["model"], "whisper", "{rows:?}");
    assert_eq!(rows[0]["cost_nanos"], 400_000, "2 s at $0.0002: {rows:?}");
    assert_eq!(rows[1]["model"], "speech", "{rows:?}");
    assert_eq!(rows[1]["cost_nanos"], 200_000, "2 s at $0.0001: {rows:?}");

    let (status, catalog) = app
        .graphql_bearer(
            harness::MASTER_KEY,
            "query { model(name: \"speech\") { pricePerAudioMinute capabilities } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 200, "{catalog}");
    let model = &catalog["data"]["model"];
    assert!(
        (model["pricePerAudioMinute"].as_f64().unwrap() - 0.006).abs() < 1e-9,
        "{catalog}"
    );
    assert_eq!(
        model["capabilities"],
        serde_json::json!(["AUDIO_TRANSCRIPTION"]),
        "{catalog}"
    );

    // Asked for plain text, which says no duration: the gateway asks the model server for
    // `verbose_json`, bills the seconds it reports, and writes the text itself.
    let as_text = |file: Part| {
        Form::new()
            .text("model", "whisper")
            .text("response_format", "text")
            .part("file", file)
    };
    let wav = || {
        Part::bytes(wav(32_000, 64_000))
            .file_name("speech.wav")
            .mime_str("audio/wav")
            .unwrap()
    };
    let answer = send(&app, &key, TRANSCRIBE, as_text(wav())).await;
    assert_eq!(answer.status(), 200);
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "{:?}",
        answer.headers()
    );
    assert_eq!(
        answer.text().await.unwrap(),
        "transcribed speech.wav 64044 bytes\n"
    );
    let srt = send(
        &app,
        &key,
        TRANSCRIBE,
        Form::new()
            .text("model", "whisper")
            .text("response_format", "srt")
            .part("file", wav()),
    )
    .await;
    assert_eq!(
        srt.text().await.unwrap(),
        "1\n00:00:00,000 --> 00:00:02,000\ntranscribed speech.wav 64044 bytes\n\n"
    );
    // A model server that reports no duration even then: the upload's own length is billed,
    // exactly from a WAV header, else by size at 16,000 bytes a second, marked an estimate.
    mock.set_knobs(serde_json::json!({"omit_usage": true}))
        .await;
    let answer = send(&app, &key, TRANSCRIBE, as_text(wav())).await;
    assert_eq!(answer.status(), 200);
    let raw = Part::bytes(vec![1u8; 64_000]).file_name("speech.mp3");
    let answer = send(&app, &key, TRANSCRIBE, as_text(raw)).await;
    assert_eq!(answer.status(), 200);
    let rows = spend_rows(&app.database().await, 6).await;
    for row in &rows[2..4] {
        assert_eq!(row["cost_nanos"], 400_000, "2 s as reported: {rows:?}");
        assert_eq!(row["estimated"], false, "{rows:?}");
    }
    assert_eq!(
        rows[4]["cost_nanos"], 400_000,
        "2 s by the header: {rows:?}"
    );
    assert_eq!(rows[4]["estimated"], true, "{rows:?}");
    assert_eq!(rows[5]["cost_nanos"], 800_000, "4 s by size: {rows:?}");
}

/// A WAV file of `data` bytes of silence at `byte_rate` bytes a second.
fn wav(byte_rate: u32, data: u32) -> Vec<u8> {
    let mut file = b"RIFF".to_vec();
    file.extend((36 + data).to_le_bytes());
    file.extend(b"WAVEfmt ");
    file.extend(16u32.to_le_bytes());
    file.extend([1, 0, 1, 0]);
    file.extend((byte_rate / 2).to_le_bytes());
    file.extend(byte_rate.to_le_bytes());
    file.extend([2, 0, 16, 0]);
    file.extend(b"data");
    file.extend(data.to_le_bytes());
    file.resize(file.len() + data as usize, 0);
    file
}
