//! The playground: chat with a model I am subscribed to, streamed token by token, with a
//! system prompt, temperature and max tokens; each answer's tokens and cost; the same request
//! as code; the same prompt to two models side by side. The browser needs no key: the session
//! calls `/v1` as my playground key (my subscriptions, limits and budget; recorded as
//! "Playground" in my usage). A pasted key of mine, kept in this page's memory only, tests
//! that key instead.

use std::rc::Rc;

use yew::prelude::*;

use crate::api::chat::{self, ChatRequest, Event as StreamEvent, Message};
use crate::api::{Playground as PlaygroundQuery, playground};
use crate::components::modal::Modal;
use crate::components::snippets::api_base;
use crate::components::states::{Empty, render};
use crate::format;
use crate::hooks::{use_portal, use_query};
use crate::i18n::use_i18n;
use crate::pages::catalog::tag;
use crate::pages::{bind, event_checked, event_value, page_header};

/// A model I may chat with, and its prices per million tokens.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatModel {
    pub name: String,
    pub input_price: f64,
    pub output_price: f64,
}

/// What an answer of `prompt` and `completion` tokens cost.
pub fn cost(model: &ChatModel, prompt: i64, completion: i64) -> f64 {
    (prompt as f64 * model.input_price + completion as f64 * model.output_price) / 1e6
}

/// One side of the playground: a conversation with one model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Column {
    pub history: Vec<Message>,
    /// The answer arriving now.
    pub current: String,
    pub usage: Option<(i64, i64)>,
    pub error: Option<String>,
    pub busy: bool,
}

/// Both sides.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Conversations {
    pub columns: [Column; 2],
}

/// What happens to a side.
pub enum Action {
    /// I asked something.
    Ask(usize, String),
    /// The stream said something.
    Stream(usize, StreamEvent),
    /// The stream ended (whether or not it said so).
    Finished(usize),
    /// Start over.
    Clear,
}

impl Reducible for Conversations {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Ask(i, text) => {
                let column = &mut next.columns[i];
                column.history.push(Message {
                    role: "user",
                    content: text,
                });
                column.current.clear();
                column.usage = None;
                column.error = None;
                column.busy = true;
            }
            Action::Stream(i, event) => {
                let column = &mut next.columns[i];
                match event {
                    StreamEvent::Delta(text) => column.current.push_str(&text),
                    StreamEvent::Usage { prompt, completion } => {
                        column.usage = Some((prompt, completion))
                    }
                    StreamEvent::Error(message) => column.error = Some(message),
                    StreamEvent::Done => {}
                }
            }
            Action::Finished(i) => {
                let column = &mut next.columns[i];
                if !column.current.is_empty() {
                    let content = std::mem::take(&mut column.current);
                    column.history.push(Message {
                        role: "assistant",
                        content,
                    });
                }
                column.busy = false;
            }
            Action::Clear => next = Conversations::default(),
        }
        Rc::new(next)
    }
}

/// The messages to send: the system prompt, then the conversation.
pub fn messages(system: &str, history: &[Message]) -> Vec<Message> {
    let mut all = Vec::with_capacity(history.len() + 1);
    if !system.trim().is_empty() {
        all.push(Message {
            role: "system",
            content: system.to_owned(),
        });
    }
    all.extend(history.iter().cloned());
    all
}

/// `request` as curl and Python, with the key left to the environment.
pub fn request_code(request: &ChatRequest, base: &str) -> (String, String) {
    let mut plain = request.clone();
    plain.stream = false;
    plain.stream_options = serde_json::Value::Null;
    let mut json = serde_json::to_value(&plain).unwrap_or_default();
    if let Some(object) = json.as_object_mut() {
        object.remove("stream_options");
        object.remove("stream");
    }
    let body = serde_json::to_string_pretty(&json).unwrap_or_default();
    let curl = format!(
        "curl {base}/chat/completions \\\n  -H \"Authorization: Bearer $OPENAI_API_KEY\" \\\n  -H \"Content-Type: application/json\" \\\n  -d '{}'\n",
        body.replace('\'', "'\\''")
    );
    let messages = serde_json::to_string(&json["messages"]).unwrap_or_default();
    let python = format!(
        "from openai import OpenAI\n\nclient = OpenAI(base_url=\"{base}\")  # the key from OPENAI_API_KEY\nreply = client.chat.completions.create(\n    model={model},\n    messages={messages},\n    temperature={temperature},\n    max_tokens={max_tokens},\n)\nprint(reply.choices[0].message.content)\n",
        model = serde_json::to_string(&request.model).unwrap_or_default(),
        temperature = request.temperature,
        max_tokens = request.max_tokens,
    );
    (curl, python)
}

/// Properties of [`Answer`].
#[derive(Properties, PartialEq)]
struct AnswerProps {
    index: usize,
    model: Option<ChatModel>,
    column: Column,
    currency: AttrValue,
}

/// One side's conversation.
#[component]
fn Answer(props: &AnswerProps) -> Html {
    let i18n = use_i18n();
    let column = &props.column;
    let usage = column.usage.map(|(prompt, completion)| {
        let money = props
            .model
            .as_ref()
            .map(|m| format::money(cost(m, prompt, completion), &props.currency))
            .unwrap_or_default();
        i18n.t_with(
            "playground-usage",
            &[
                ("input", prompt.into()),
                ("output", completion.into()),
                ("cost", money.into()),
            ],
        )
    });
    html! {
        <div class="pf-v6-c-card sy-chat" id={format!("answer-{}", props.index)}>
            <div class="pf-v6-c-card__title">
                <h2 class="pf-v6-c-card__title-text">{ props.model.as_ref().map(|m| m.name.clone()).unwrap_or_default() }</h2>
            </div>
            <div class="pf-v6-c-card__body" aria-live="polite" aria-busy={column.busy.to_string()}>
                { for column.history.iter().map(|m| html! {
                    <div class={classes!("sy-chat__message", format!("sy-chat__message--{}", m.role))}>
                        <span class="pf-v6-screen-reader">{ if m.role == "user" { i18n.t("playground-you") } else { i18n.t("playground-model") } }</span>
                        <p>{ &m.content }</p>
                    </div>
                }) }
                if column.busy {
                    <div class="sy-chat__message sy-chat__message--assistant" id={format!("streaming-{}", props.index)}>
                        <p>{ &column.current }<span class="sy-caret" aria-hidden="true">{ "▍" }</span></p>
                    </div>
                }
                if let Some(error) = &column.error {
                    <div class="pf-v6-c-alert pf-m-danger pf-m-inline" role="alert"><p class="pf-v6-c-alert__title">{ error }</p></div>
                }
                if let Some(usage) = usage {
                    <p class="sy-muted" id={format!("usage-{}", props.index)}>{ usage }</p>
                }
            </div>
        </div>
    }
}

/// The playground page.
#[component]
pub fn PlaygroundPage() -> Html {
    let i18n = use_i18n();
    let currency = use_portal().currency();
    let query = use_query::<PlaygroundQuery>(playground::Variables);
    let conversations = use_reducer(Conversations::default);
    let model_a = use_state(String::new);
    let model_b = use_state(String::new);
    let compare = use_state(|| false);
    let system = use_state(String::new);
    let prompt = use_state(String::new);
    let temperature = use_state(|| "0.7".to_owned());
    let max_tokens = use_state(|| "512".to_owned());
    let key = use_state(String::new);
    let show_code = use_state(|| false);

    let models: Vec<ChatModel> = query
        .data
        .as_ref()
        .map(|data| {
            data.my_subscriptions
                .iter()
                .filter(|s| s.status == playground::SubscriptionStatus::ACTIVE)
                .filter_map(|s| s.model.as_ref())
                .filter(|m| m.capabilities.iter().any(|c| tag(c) == "CHAT"))
                .map(|m| ChatModel {
                    name: m.name.clone(),
                    input_price: m.input_price_per_million,
                    output_price: m.output_price_per_million,
                })
                .collect()
        })
        .unwrap_or_default();
    let pick = |chosen: &str, fallback: usize| {
        models
            .iter()
            .find(|m| m.name == chosen)
            .or_else(|| models.get(fallback))
            .or_else(|| models.first())
            .cloned()
    };
    let chosen = [pick(&model_a, 0), pick(&model_b, 1)];
    let temperature_value = temperature.parse::<f64>().unwrap_or(0.7).clamp(0.0, 2.0);
    let max_tokens_value = max_tokens.parse::<i64>().unwrap_or(512).max(1);
    let request_for = |i: usize, history: &[Message]| {
        chosen[i].as_ref().map(|m| {
            ChatRequest::new(
                &m.name,
                messages(&system, history),
                temperature_value,
                max_tokens_value,
            )
        })
    };
    let busy = conversations.columns.iter().any(|c| c.busy);

    let onsubmit = {
        let (conversations, prompt, key, compare) =
            (conversations.clone(), prompt.clone(), key.clone(), *compare);
        let requests: Vec<(usize, Option<ChatRequest>)> = (0..2)
            .map(|i| {
                let mut history = conversations.columns[i].history.clone();
                history.push(Message {
                    role: "user",
                    content: (*prompt).clone(),
                });
                (i, request_for(i, &history))
            })
            .collect();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = prompt.trim().to_owned();
            if text.is_empty() {
                return;
            }
            prompt.set(String::new());
            let key = Some((*key).trim().to_owned()).filter(|k| !k.is_empty());
            for (i, request) in requests.iter().take(if compare { 2 } else { 1 }) {
                let Some(request) = request.clone() else {
                    continue;
                };
                let dispatcher = conversations.dispatcher();
                dispatcher.dispatch(Action::Ask(*i, text.clone()));
                let (i, key) = (*i, key.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let on_event = {
                        let dispatcher = dispatcher.clone();
                        Callback::from(move |event| dispatcher.dispatch(Action::Stream(i, event)))
                    };
                    chat::stream(&request, key.as_deref(), &on_event).await;
                    dispatcher.dispatch(Action::Finished(i));
                });
            }
        })
    };

    let model_select = |id: &str,
                        label: String,
                        state: &UseStateHandle<String>,
                        current: &Option<ChatModel>| {
        let state = state.clone();
        html! {
            <div class="pf-v6-c-form__group sy-filter">
                <label class="pf-v6-c-form__label" for={id.to_owned()}>{ label }</label>
                <span class="pf-v6-c-form-control">
                    <select id={id.to_owned()} onchange={move |e: Event| state.set(event_value(&e))}>
                        { for models.iter().map(|m| html! {
                            <option value={m.name.clone()} selected={current.as_ref().is_some_and(|c| c.name == m.name)}>{ &m.name }</option>
                        }) }
                    </select>
                </span>
            </div>
        }
    };
    let code_dialog = if *show_code {
        let history = {
            let mut h = conversations.columns[0].history.clone();
            if !prompt.trim().is_empty() {
                h.push(Message {
                    role: "user",
                    content: (*prompt).clone(),
                });
            }
            h
        };
        request_for(0, &history).map(|request| {
            let (curl, python) = request_code(&request, &api_base());
            let close = show_code.clone();
            html! {
                <Modal id="code-dialog" title={i18n.t("playground-code")} wide=true on_close={Callback::from(move |()| close.set(false))}>
                    <h2 class="pf-v6-c-title pf-m-md">{ "curl" }</h2>
                    <pre class="sy-code" id="code-curl" tabindex="0"><code>{ curl }</code></pre>
                    <h2 class="pf-v6-c-title pf-m-md">{ "Python" }</h2>
                    <pre class="sy-code" id="code-python" tabindex="0"><code>{ python }</code></pre>
                </Modal>
            }
        })
    } else {
        None
    };
    let columns = if *compare { 2 } else { 1 };
    let content = render(&query, |_| {
        if models.is_empty() {
            return html! { <Empty title="playground-empty-title" body={Some(AttrValue::from("playground-empty-body"))} /> };
        }
        html! {
            <>
                <form class="pf-v6-c-form" id="playground-form" onsubmit={onsubmit.clone()}>
                    <div class="sy-toolbar">
                        { model_select("playground-model", i18n.t("col-model"), &model_a, &chosen[0]) }
                        <div class="pf-v6-c-check sy-filter">
                            <input class="pf-v6-c-check__input" type="checkbox" id="playground-compare" checked={*compare}
                                onchange={let c = compare.clone(); move |e: Event| c.set(event_checked(&e))} />
                            <label class="pf-v6-c-check__label" for="playground-compare">{ i18n.t("playground-compare") }</label>
                        </div>
                        if *compare {
                            { model_select("playground-model-b", i18n.t("playground-second-model"), &model_b, &chosen[1]) }
                        }
                    </div>
                    <details class="sy-settings">
                        <summary>{ i18n.t("playground-settings") }</summary>
                        <div class="pf-v6-c-form__group">
                            <label class="pf-v6-c-form__label" for="playground-system">{ i18n.t("playground-system") }</label>
                            <span class="pf-v6-c-form-control">
                                <textarea id="playground-system" rows="2" value={(*system).clone()}
                                    oninput={let s = system.clone(); move |e: InputEvent| s.set(event_value(&e))} />
                            </span>
                        </div>
                        <div class="sy-toolbar">
                            <div class="pf-v6-c-form__group sy-filter">
                                <label class="pf-v6-c-form__label" for="playground-temperature">{ i18n.t("playground-temperature") }</label>
                                <span class="pf-v6-c-form-control"><input id="playground-temperature" type="number" min="0" max="2" step="0.1"
                                    value={(*temperature).clone()} oninput={bind(&temperature)} /></span>
                            </div>
                            <div class="pf-v6-c-form__group sy-filter">
                                <label class="pf-v6-c-form__label" for="playground-max-tokens">{ i18n.t("playground-max-tokens") }</label>
                                <span class="pf-v6-c-form-control"><input id="playground-max-tokens" type="number" min="1" step="1"
                                    value={(*max_tokens).clone()} oninput={bind(&max_tokens)} /></span>
                            </div>
                            <div class="pf-v6-c-form__group sy-filter sy-filter--search">
                                <label class="pf-v6-c-form__label" for="playground-key">{ i18n.t("playground-key") }</label>
                                <span class="pf-v6-c-form-control"><input id="playground-key" type="password" autocomplete="off"
                                    value={(*key).clone()} oninput={bind(&key)} aria-describedby="playground-key-help" /></span>
                                <p class="pf-v6-c-form__helper-text" id="playground-key-help">{ i18n.t("playground-key-help") }</p>
                            </div>
                        </div>
                    </details>
                    <div class="pf-v6-c-form__group">
                        <label class="pf-v6-c-form__label" for="playground-prompt">{ i18n.t("playground-prompt") }</label>
                        <span class="pf-v6-c-form-control">
                            <textarea id="playground-prompt" rows="3" value={(*prompt).clone()}
                                oninput={let p = prompt.clone(); move |e: InputEvent| p.set(event_value(&e))} />
                        </span>
                    </div>
                    <div class="pf-v6-c-form__actions">
                        <button class="pf-v6-c-button pf-m-primary" type="submit" id="playground-send" disabled={busy}>{ i18n.t("send") }</button>
                        <button class="pf-v6-c-button pf-m-secondary" type="button" id="playground-view-code"
                            onclick={let s = show_code.clone(); move |_| s.set(true)}>{ i18n.t("playground-code") }</button>
                        <button class="pf-v6-c-button pf-m-link" type="button" id="playground-clear" disabled={busy}
                            onclick={let c = conversations.dispatcher(); move |_| c.dispatch(Action::Clear)}>{ i18n.t("playground-clear") }</button>
                    </div>
                </form>
                <div class={classes!("sy-chats", (columns == 2).then_some("sy-chats--two"))}>
                    { for (0..columns).map(|i| html! {
                        <Answer index={i} model={chosen[i].clone()} column={conversations.columns[i].clone()} currency={currency.clone()} />
                    }) }
                </div>
            </>
        }
    });
    html! {
        <>
            { page_header("playground-title", i18n.t("nav-playground"), Some(i18n.t("playground-lead"))) }
            <section class="pf-v6-c-page__main-section">{ content }</section>
            { code_dialog.unwrap_or_default() }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> ChatModel {
        ChatModel {
            name: "granite".into(),
            input_price: 0.2,
            output_price: 0.6,
        }
    }

    #[test]
    fn cost_is_priced_per_million_tokens() {
        assert!((cost(&model(), 1_000_000, 0) - 0.2).abs() < 1e-12);
        assert!((cost(&model(), 500, 1000) - 0.0007).abs() < 1e-12);
    }

    #[test]
    fn a_conversation_streams_into_its_history() {
        let state = Rc::new(Conversations::default());
        let state = state.reduce(Action::Ask(1, "Hi".into()));
        assert!(state.columns[1].busy && !state.columns[0].busy);
        let state = state.reduce(Action::Stream(1, StreamEvent::Delta("Hel".into())));
        let state = state.reduce(Action::Stream(1, StreamEvent::Delta("lo".into())));
        assert_eq!(state.columns[1].current, "Hello");
        let state = state.reduce(Action::Stream(
            1,
            StreamEvent::Usage {
                prompt: 3,
                completion: 2,
            },
        ));
        let state = state.reduce(Action::Finished(1));
        let column = &state.columns[1];
        assert!(!column.busy && column.current.is_empty());
        assert_eq!(column.usage, Some((3, 2)));
        assert_eq!(
            column.history,
            vec![
                Message {
                    role: "user",
                    content: "Hi".into()
                },
                Message {
                    role: "assistant",
                    content: "Hello".into()
                }
            ]
        );
        assert_eq!(state.reduce(Action::Clear).columns[1], Column::default());
    }

    #[test]
    fn the_system_prompt_leads_and_code_shows_the_same_request() {
        let history = vec![Message {
            role: "user",
            content: "It's me".into(),
        }];
        assert_eq!(messages("  ", &history).len(), 1);
        let all = messages("Be brief", &history);
        assert_eq!(all[0].role, "system");
        let request = ChatRequest::new("ibm/granite", all, 0.5, 64);
        let (curl, python) = request_code(&request, "https://ai.example.com/v1");
        assert!(
            curl.contains("https://ai.example.com/v1/chat/completions"),
            "{curl}"
        );
        assert!(curl.contains("It'\\''s me"), "{curl}");
        assert!(!curl.contains("stream"), "{curl}");
        assert!(python.contains("model=\"ibm/granite\""), "{python}");
        assert!(
            python.contains("temperature=0.5") && python.contains("max_tokens=64"),
            "{python}"
        );
    }
}
