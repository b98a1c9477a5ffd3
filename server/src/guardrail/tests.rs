//! The guardrail engine's own rules: which guardrails run, what blocks, what is masked, and
//! that a stream cut anywhere comes out as the whole text would.

use figment::providers::Format;
use serde_json::{Value, json};

use super::*;
use crate::config::{BlockedWordConfig, PatternConfig};

fn prebuilt(name: &str, action: &str) -> PatternConfig {
    PatternConfig {
        pattern_type: "prebuilt".into(),
        pattern_name: Some(name.into()),
        pattern: None,
        name: None,
        action: action.into(),
        stream_hold_chars: None,
    }
}

fn rail(name: &str, mode: &str, patterns: Vec<PatternConfig>) -> GuardrailConfig {
    GuardrailConfig {
        guardrail_name: name.into(),
        guardrail: "litellm_content_filter".into(),
        mode: mode.into(),
        default_on: true,
        models: Vec::new(),
        patterns,
        blocked_words: Vec::new(),
        model: None,
    }
}

fn object(value: Value) -> serde_json::Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("an object"),
    }
}

fn scanner(configs: &[GuardrailConfig], mode: Mode) -> Scanner {
    Guardrails::build(configs)
        .expect("valid guardrails")
        .active(mode, "granite", &[])
}

#[test]
fn a_blocking_pattern_anywhere_in_the_request_refuses_it_by_name() {
    let pre = scanner(
        &[
            rail("mask-mail", "pre_call", vec![prebuilt("email", "MASK")]),
            rail("no-ssn", "pre_call", vec![prebuilt("us_ssn", "BLOCK")]),
        ],
        Mode::PreCall,
    );
    let mut request = object(json!({"model": "granite", "messages": [
        {"role": "system", "content": "mail ada@example.org"},
        {"role": "user", "content": [{"type": "text", "text": "My SSN is 123-45-6789"}]},
    ]}));
    let blocked = pre.request(&mut request).expect_err("blocked");
    assert_eq!(blocked.guardrail, "no-ssn");
    assert_eq!(blocked.pattern, "us_ssn");
    assert!(!blocked.message().contains("6789"));

    for prompt in [json!("SSN 123-45-6789"), json!(["fine", "SSN 123-45-6789"])] {
        let mut completion = object(json!({"model": "granite", "prompt": prompt}));
        assert!(pre.request(&mut completion).is_err());
    }
    let mut embeddings = object(json!({"model": "granite", "input": ["a", "123-45-6789"]}));
    assert!(pre.request(&mut embeddings).is_err());
    // Unassigned numbers are not SSNs.
    let mut fine = object(json!({"model": "granite", "input": ["000-12-3456"]}));
    assert_eq!(pre.request(&mut fine), Ok(Masked::default()));
    // Token ids cannot be read, so they are refused while a guardrail runs.
    for ids in [json!([1, 2]), json!([[1, 2], [3]])] {
        let mut tokens = object(json!({"model": "granite", "prompt": ids}));
        assert_eq!(
            pre.request(&mut tokens).expect_err("refused").pattern,
            "a prompt given as token ids"
        );
    }
    // Every field whose text reaches the model is read, identifiers are not.
    let hidden = [
        json!({"messages": [{"role": "assistant", "tool_calls": [{"id": "123-45-6789",
            "type": "function", "function": {"name": "f", "arguments": "{\"ssn\": \"123-45-6789\"}"}}]}]}),
        json!({"messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "function",
            "function": {"name": "f", "description": "SSN 123-45-6789"}}]}),
        json!({"input": [{"type": "function_call_output", "call_id": "c", "output": "123-45-6789"}]}),
        json!({"query": "123-45-6789", "documents": ["a"]}),
        json!({"query": "q", "documents": [{"text": "123-45-6789"}]}),
        json!({"text_1": "a", "text_2": ["b", "123-45-6789"]}),
        json!({"prompt": "a", "suffix": "123-45-6789"}),
    ];
    for body in hidden {
        assert!(pre.request(&mut object(body.clone())).is_err(), "{body}");
    }
    let ids_only =
        json!({"messages": [{"role": "tool", "tool_call_id": "123-45-6789", "content": "ok"}]});
    assert!(pre.request(&mut object(ids_only)).is_ok());
}

#[test]
fn masking_replaces_matches_in_every_text_and_names_the_guardrail() {
    let pre = scanner(
        &[rail(
            "pii",
            "pre_call",
            vec![prebuilt("email", "MASK"), prebuilt("credit_card", "MASK")],
        )],
        Mode::PreCall,
    );
    let mut request = object(json!({"model": "granite", "messages": [
        {"role": "user", "content": "I am ada@example.org, card 4111 1111 1111 1111, not 4111 1111 1111 1112"},
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}},
                                     {"type": "text", "text": "or bob@example.com"}]},
    ]}));
    let masked = pre.request(&mut request).expect("not blocked");
    assert_eq!(masked.guardrails, vec!["pii".to_string()]);
    assert_eq!(
        request["messages"][0]["content"],
        "I am [EMAIL_REDACTED], card [CREDIT_CARD_REDACTED], not 4111 1111 1111 1112"
    );
    assert_eq!(
        request["messages"][1]["content"][1]["text"],
        "or [EMAIL_REDACTED]"
    );
}

#[test]
fn guardrails_run_by_default_for_their_models_or_for_keys_that_name_them() {
    let mut on = rail("on", "pre_call", vec![prebuilt("email", "MASK")]);
    let mut for_model = on.clone();
    for_model.guardrail_name = "for-model".into();
    for_model.default_on = false;
    for_model.models = vec!["granite".into()];
    let mut by_key = on.clone();
    by_key.guardrail_name = "by-key".into();
    by_key.default_on = false;
    let mut after = on.clone();
    after.guardrail_name = "after".into();
    after.mode = "post_call".into();
    on.default_on = true;
    let all = Guardrails::build(&[on, for_model, by_key, after]).expect("valid");
    let names = |scanner: Scanner| -> Vec<String> {
        scanner.rails.iter().map(|r| r.name.clone()).collect()
    };
    assert_eq!(names(all.active(Mode::PreCall, "llama", &[])), ["on"]);
    assert_eq!(
        names(all.active(Mode::PreCall, "granite", &[])),
        ["on", "for-model"]
    );
    assert_eq!(
        names(all.active(Mode::PreCall, "llama", &["by-key".into()])),
        ["on", "by-key"]
    );
    assert_eq!(names(all.active(Mode::PostCall, "llama", &[])), ["after"]);
}

#[test]
fn moderation_guardrails_are_named_with_their_models_and_scan_nothing_themselves() {
    let moderation = GuardrailConfig {
        guardrail: "moderation".into(),
        model: Some("llama-guard".into()),
        ..rail("guard", "pre_call", Vec::new())
    };
    let filter = rail("mail", "pre_call", vec![prebuilt("email", "MASK")]);
    let pre = scanner(&[moderation, filter], Mode::PreCall);
    assert_eq!(
        pre.moderators().collect::<Vec<_>>(),
        [("guard", "llama-guard")]
    );
    let mut request = object(json!({"prompt": "mail ada@example.org"}));
    assert_eq!(
        pre.request(&mut request).expect("masked").guardrails,
        ["mail"]
    );
}

#[test]
fn custom_expressions_and_blocked_words_block_or_mask() {
    let mut config = rail(
        "house",
        "pre_call",
        vec![PatternConfig {
            pattern_type: "regex".into(),
            pattern_name: None,
            pattern: Some(r"\bPRJ-\d{4}\b".into()),
            name: Some("project_code".into()),
            action: "mask".into(),
            stream_hold_chars: None,
        }],
    );
    config.blocked_words = vec![BlockedWordConfig {
        keyword: "Falcon".into(),
        action: "BLOCK".into(),
        description: None,
    }];
    let pre = scanner(&[config], Mode::PreCall);
    let mut request = object(json!({"messages": [{"role": "user", "content": "see PRJ-1234"}]}));
    pre.request(&mut request).expect("masked");
    assert_eq!(
        request["messages"][0]["content"],
        "see [PROJECT_CODE_REDACTED]"
    );
    let mut words = object(json!({"prompt": "project FALCON is"}));
    assert_eq!(
        pre.request(&mut words).expect_err("blocked").pattern,
        "blocked_word"
    );
    let mut inside = object(json!({"prompt": "falconry is a word of its own"}));
    assert!(pre.request(&mut inside).is_ok());
}

#[test]
fn bad_declarations_are_refused_before_start() {
    let cases = [
        (
            rail("a", "pre_call", vec![prebuilt("passport", "BLOCK")]),
            "no prebuilt pattern `passport`",
        ),
        (
            rail("b", "during_call", vec![prebuilt("email", "BLOCK")]),
            "mode",
        ),
        (
            rail("c", "pre_call", vec![prebuilt("email", "REDACT")]),
            "action",
        ),
        (rail("d", "pre_call", Vec::new()), "no `patterns`"),
        (
            GuardrailConfig {
                guardrail: "moderation".into(),
                ..rail("f", "pre_call", Vec::new())
            },
            "needs `model`",
        ),
        (
            GuardrailConfig {
                guardrail: "moderation".into(),
                model: Some("llama-guard".into()),
                ..rail("g", "post_call", Vec::new())
            },
            "runs `pre_call`",
        ),
        (
            GuardrailConfig {
                model: Some("llama-guard".into()),
                ..rail("h", "pre_call", vec![prebuilt("email", "MASK")])
            },
            "has no `model`",
        ),
        (
            GuardrailConfig {
                guardrail: "presidio".into(),
                ..rail("i", "pre_call", vec![prebuilt("email", "MASK")])
            },
            "unknown kind `presidio`",
        ),
        (
            rail(
                "e",
                "pre_call",
                vec![PatternConfig {
                    pattern_type: "regex".into(),
                    pattern_name: None,
                    pattern: Some("(unclosed".into()),
                    name: None,
                    action: "BLOCK".into(),
                    stream_hold_chars: None,
                }],
            ),
            "cannot compile",
        ),
    ];
    for (config, expected) in cases {
        let error = Guardrails::build(&[config])
            .expect_err("refused")
            .to_string();
        assert!(error.contains(expected), "{error}");
    }
}

#[test]
fn a_whole_answer_is_masked_or_refused() {
    let post = scanner(
        &[rail(
            "out",
            "post_call",
            vec![
                prebuilt("aws_access_key", "MASK"),
                prebuilt("us_ssn", "BLOCK"),
            ],
        )],
        Mode::PostCall,
    );
    let chat = br#"{"choices":[{"index":0,"message":{"role":"assistant","content":"use AKIAIOSFODNN7EXAMPLE"}}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#;
    let (body, masked) = post.answer(chat).expect("not blocked").expect("masked");
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(
        body["choices"][0]["message"]["content"],
        "use [AWS_ACCESS_KEY_REDACTED]"
    );
    assert_eq!(body["usage"]["completion_tokens"], 2);
    assert_eq!(masked.guardrails, ["out"]);
    let completion = br#"{"choices":[{"index":0,"text":"it is 123-45-6789"}]}"#;
    assert_eq!(
        post.answer(completion).expect_err("blocked").guardrail,
        "out"
    );
    assert_eq!(post.answer(br#"{"choices":[]}"#), Ok(None));
}

/// Sends `parts` through a masker as one choice's chunks and gives what the client reads.
fn streamed(masker: &mut StreamMasker, parts: &[&str]) -> Result<String, Blocked> {
    let mut out = String::new();
    for part in parts {
        out.push_str(&masker.push(0, part)?);
    }
    out.push_str(&masker.finish(0)?);
    Ok(out)
}

#[test]
fn a_stream_cut_anywhere_reads_as_the_whole_answer_masked() {
    let configs = [rail(
        "out",
        "post_call",
        vec![
            prebuilt("github_token", "MASK"),
            prebuilt("email", "MASK"),
            prebuilt("credit_card", "MASK"),
            prebuilt("private_key", "MASK"),
        ],
    )];
    let text = "Token ghp_abcdefghijklmnopqrstuvwxyz0123456789, mail ada@example.org, \
                card 4111 1111 1111 1111.\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n\
                -----END OPENSSH PRIVATE KEY-----\nThat is all, ünïcödé included.";
    let whole = {
        let post = scanner(&configs, Mode::PostCall);
        let hits = Scanner::resolve(&post.all_hits(text));
        post.masked(text, &hits, &mut Masked::default())
    };
    assert_eq!(
        whole,
        "Token [GITHUB_TOKEN_REDACTED], mail [EMAIL_REDACTED], card [CREDIT_CARD_REDACTED].\n\
         [PRIVATE_KEY_REDACTED]\nThat is all, ünïcödé included."
    );
    let all = Guardrails::build(&configs).expect("valid");
    let bounds: Vec<usize> = text.char_indices().map(|(at, _)| at).collect();
    for (i, &first) in bounds.iter().enumerate().step_by(3) {
        for &second in bounds[i..].iter().step_by(7) {
            let mut masker =
                StreamMasker::new(all.active(Mode::PostCall, "granite", &[])).expect("runs");
            let parts = [&text[..first], &text[first..second], &text[second..]];
            assert_eq!(
                streamed(&mut masker, &parts),
                Ok(whole.clone()),
                "{parts:?}"
            );
        }
    }
}

#[test]
fn a_stream_sends_text_early_and_holds_only_what_a_match_may_need() {
    let configs = [rail("out", "post_call", vec![prebuilt("us_ssn", "MASK")])];
    let mut masker = StreamMasker::new(scanner(&configs, Mode::PostCall)).expect("runs");
    // Eleven characters (an SSN's length) are held; the rest goes at once.
    assert_eq!(masker.push(0, "The number is 123-4"), Ok("The numb".into()));
    assert_eq!(masker.push(0, "5-6789"), Ok("er is ".into()));
    assert_eq!(masker.held(), vec![0]);
    assert_eq!(masker.push(0, " and more"), Ok("[US_SSN_REDACTED]".into()));
    assert_eq!(masker.finish(0), Ok(" and more".into()));
    assert!(masker.held().is_empty());
    assert_eq!(masker.masked().guardrails, ["out"]);

    // Choices are held apart; a blocking pattern refuses the stream when it is found.
    let configs = [rail("stop", "post_call", vec![prebuilt("us_ssn", "BLOCK")])];
    let mut masker = StreamMasker::new(scanner(&configs, Mode::PostCall)).expect("runs");
    masker.push(1, "123-45-").expect("not yet");
    masker.push(0, "6789 is not one").expect("another choice");
    assert_eq!(
        masker.push(1, "6789 done").expect_err("blocked").guardrail,
        "stop"
    );
    assert!(StreamMasker::new(Scanner::default()).is_none());
}

#[test]
fn the_example_configuration_declares_guardrails_that_build() {
    let example = include_str!("../../../deploy/switchyard.example.toml");
    let declared: String = example
        .lines()
        .skip_while(|line| !line.starts_with("# [[guardrails]]"))
        .map(|line| {
            line.strip_prefix("# ")
                .unwrap_or(line.trim_start_matches('#'))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let configs: Vec<GuardrailConfig> =
        figment::Figment::from(figment::providers::Toml::string(&declared))
            .extract_inner("guardrails")
            .expect("the example parses");
    let built = Guardrails::build(&configs).expect("the example builds");
    let rail = &built.all()[0];
    assert_eq!(
        rail.pattern_names().collect::<Vec<_>>(),
        ["us_ssn", "project_code", "blocked_word"]
    );
    assert_eq!(
        built.all()[1].moderation_model.as_deref(),
        Some("llama-guard-3-8b")
    );
}

#[test]
fn a_word_split_across_chunks_is_judged_with_what_came_before_it() {
    let mut config = rail("words", "post_call", Vec::new());
    config.blocked_words = vec![BlockedWordConfig {
        keyword: "ass".into(),
        action: "BLOCK".into(),
        description: None,
    }];
    let all = Guardrails::build(&[config]).expect("valid");
    let mut masker = StreamMasker::new(all.active(Mode::PostCall, "m", &[])).expect("runs");
    // "class" is not the word "ass", wherever the chunks are cut.
    assert_eq!(
        streamed(&mut masker, &["the cl", "ass is", " full"]),
        Ok("the class is full".into())
    );
    let mut masker = StreamMasker::new(all.active(Mode::PostCall, "m", &[])).expect("runs");
    assert!(streamed(&mut masker, &["you ", "ass"]).is_err());
}

#[test]
fn a_blocking_match_blocks_even_where_a_mask_overlaps_it() {
    let block = PatternConfig {
        pattern_type: "regex".into(),
        pattern_name: None,
        pattern: Some(r"acme\.com/\S+".into()),
        name: Some("acme_link".into()),
        action: "BLOCK".into(),
        stream_hold_chars: None,
    };
    let pre = scanner(
        &[rail(
            "mixed",
            "pre_call",
            vec![prebuilt("email", "MASK"), block],
        )],
        Mode::PreCall,
    );
    let mut request = object(json!({"prompt": "see x@acme.com/secret-plan"}));
    assert_eq!(
        pre.request(&mut request).expect_err("blocked").pattern,
        "acme_link"
    );
}

#[test]
fn a_key_that_never_ends_is_masked_once_too_much_is_held() {
    let configs = [rail(
        "out",
        "post_call",
        vec![prebuilt("private_key", "MASK")],
    )];
    let mut masker = StreamMasker::new(scanner(&configs, Mode::PostCall)).expect("runs");
    let mut sent = masker
        .push(0, "key: -----BEGIN RSA PRIVATE KEY-----\n")
        .expect("held");
    let body = "A".repeat(1000);
    for _ in 0..80 {
        sent.push_str(&masker.push(0, &body).expect("masked, not blocked"));
    }
    // Past 64 KiB what was held went out masked whole; nothing of the key leaked.
    assert!(
        sent.starts_with("key: [PRIVATE_KEY_REDACTED]"),
        "{}",
        &sent[..40]
    );
    assert!(!sent.contains("BEGIN") && !sent.contains("AAAA"));
    // Once the key ends, what follows is sent as it comes again.
    sent.push_str(
        &masker
            .push(0, "AAAA\n-----END RSA PRIVATE KEY-----\n")
            .expect("masked"),
    );
    sent.push_str(
        &masker
            .push(0, "That was the key; now some ordinary text follows.")
            .expect("text"),
    );
    sent.push_str(&masker.finish(0).expect("the rest"));
    assert!(
        !sent.contains("AAAA") && !sent.contains("END"),
        "{}",
        &sent[sent.len() - 80..]
    );
    assert!(
        sent.ends_with("That was the key; now some ordinary text follows."),
        "{}",
        &sent[sent.len() - 80..]
    );
}

#[test]
fn reasoning_and_tool_arguments_are_masked_and_unreadable_answers_refused() {
    let post = scanner(
        &[rail(
            "out",
            "post_call",
            vec![prebuilt("aws_access_key", "MASK")],
        )],
        Mode::PostCall,
    );
    let answer = json!({"choices": [{"index": 0, "message": {"role": "assistant",
        "content": null, "reasoning_content": "key AKIAIOSFODNN7EXAMPLE",
        "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f",
            "arguments": "{\"key\": \"AKIAIOSFODNN7EXAMPLE\"}"}}]}}]});
    let (body, _) = post
        .answer(answer.to_string().as_bytes())
        .expect("not blocked")
        .expect("masked");
    let body = String::from_utf8(body).expect("text");
    assert!(!body.contains("AKIA"), "{body}");
    assert_eq!(
        body.matches("[AWS_ACCESS_KEY_REDACTED]").count(),
        2,
        "{body}"
    );
    let refused = post
        .answer(b"data: {\"choices\": []}\n\n")
        .expect_err("refused");
    assert_eq!(refused.pattern, "an answer it cannot read");
}
