//! Models and deployments: the catalog with every deployment per cluster, its health and
//! cooldown, weight, timeouts and cap. Administrators add a deployment after testing the
//! connection from the server (status, latency, the models the server reports), change a
//! deployment or a model (prices, capabilities, description, restricted), remove them, and
//! reload the models declared in configuration. Those are shown read-only, with where they
//! are declared. The page asks again every few seconds, so health follows the model servers.

use std::collections::BTreeMap;

use yew::prelude::*;

use crate::api::{
    self, AddDeployment, AdminModels, DeleteModel, ReloadCatalog, RemoveDeployment, TestConnection,
    UpdateDeployment, UpdateModel, admin_models, test_connection,
};
use crate::components::key_limits::{BadField, parse_number};
use crate::components::modal::{Confirm, Modal};
use crate::components::states::{Empty, render};
use crate::format;
use crate::hooks::{Toast, use_error_toast, use_mutation, use_portal, use_query, use_toasts};
use crate::i18n::{I18n, use_i18n};
use crate::pages::admin::{Rights, admin_header, checks, toggle_in, use_rights, use_saving};
use crate::pages::catalog::{capability_message, label, tag};
use crate::pages::{event_checked, event_value};

type Model = admin_models::AdminModelsModelsNodes;
type Deployment = admin_models::AdminModelsModelsNodesDeployments;

/// How often the page asks for health again.
const REFRESH_MS: u32 = 5_000;

/// Every capability, in the order the forms list them.
const CAPABILITIES: [&str; 10] = [
    "CHAT",
    "COMPLETION",
    "EMBEDDINGS",
    "DOCUMENT_CONVERSION",
    "TOKENIZE",
    "VISION",
    "TOOLS",
    "RERANK",
    "AUDIO_TRANSCRIPTION",
    "MESSAGES",
];

/// A form's text fields by id (the id is also the message id of its label).
type Fields = BTreeMap<&'static str, String>;

fn field_text(fields: &Fields, id: &str) -> String {
    fields
        .get(id)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// A field's text, or `None` when empty.
fn optional(fields: &Fields, id: &str) -> Option<String> {
    Some(field_text(fields, id)).filter(|v| !v.is_empty())
}

/// A labelled input bound to `fields[id]`; `kind` is its HTML type.
fn input(
    i18n: &I18n,
    fields: &UseStateHandle<Fields>,
    id: &'static str,
    kind: &'static str,
    help: Option<String>,
) -> Html {
    let value = fields.get(id).cloned().unwrap_or_default();
    let handle = fields.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        let mut next = (*handle).clone();
        next.insert(id, event_value(&e));
        handle.set(next);
    });
    html! {
        <div class="pf-v6-c-form__group">
            <label class="pf-v6-c-form__label" for={id}>{ i18n.t(id) }</label>
            <span class="pf-v6-c-form-control">
                <input {id} type={kind} {value} {oninput} min={(kind == "number").then_some("0")}
                    step={(kind == "number").then_some("any")} autocomplete="off"
                    aria-describedby={help.is_some().then(|| format!("{id}-help"))} />
            </span>
            if let Some(help) = help {
                <p class="pf-v6-c-form__helper-text" id={format!("{id}-help")}>{ help }</p>
            }
        </div>
    }
}

/// Capability checkboxes bound to `selected` (GraphQL names).
fn capability_checks(i18n: &I18n, selected: &UseStateHandle<Vec<String>>, prefix: &str) -> Html {
    let options: Vec<(&'static str, &'static str)> = CAPABILITIES
        .iter()
        .map(|cap| (*cap, capability_message(cap)))
        .collect();
    html! {
        <fieldset class="sy-fieldset sy-checks" id={format!("{prefix}-capabilities")}>
            <legend>{ i18n.t("col-capabilities") }</legend>
            { checks(i18n, &format!("{prefix}-cap"), &options, selected, false, &toggle_in(selected)) }
        </fieldset>
    }
}

/// The generated capability enum value of a GraphQL name (for any operation's own type).
macro_rules! capability_of {
    ($module:ident, $name:expr) => {
        match $name {
            "CHAT" => Some(api::$module::Capability::CHAT),
            "COMPLETION" => Some(api::$module::Capability::COMPLETION),
            "EMBEDDINGS" => Some(api::$module::Capability::EMBEDDINGS),
            "DOCUMENT_CONVERSION" => Some(api::$module::Capability::DOCUMENT_CONVERSION),
            "TOKENIZE" => Some(api::$module::Capability::TOKENIZE),
            "VISION" => Some(api::$module::Capability::VISION),
            "TOOLS" => Some(api::$module::Capability::TOOLS),
            "RERANK" => Some(api::$module::Capability::RERANK),
            "AUDIO_TRANSCRIPTION" => Some(api::$module::Capability::AUDIO_TRANSCRIPTION),
            "MESSAGES" => Some(api::$module::Capability::MESSAGES),
            _ => None,
        }
    };
}

/// A number field: empty is none, anything else a number ≥ 0, or the field that is wrong.
fn number<T: std::str::FromStr + PartialOrd + Default>(
    fields: &Fields,
    id: &'static str,
) -> Result<Option<T>, BadField> {
    parse_number(&field_text(fields, id), id)
}

/// Says which field is not a number.
fn bad_number(i18n: &I18n, BadField(field): BadField) -> String {
    i18n.t_with("key-bad-number", &[("field", i18n.t(field).into())])
}

/// The outcome of a connection test, in words.
fn test_result(i18n: &I18n, test: &test_connection::TestConnectionTestConnection) -> Html {
    let status = test
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "–".into());
    let latency = test
        .latency_ms
        .map(|ms| format::millis(ms as f64))
        .unwrap_or_else(|| "–".into());
    html! {
        <div class={classes!("pf-v6-c-alert", "pf-m-inline", if test.ok { "pf-m-success" } else { "pf-m-danger" })}
            id="connection-result" role="status">
            <p class="pf-v6-c-alert__title">
                { if test.ok { i18n.t("connection-ok") } else { i18n.t("connection-failed") } }
            </p>
            <div class="pf-v6-c-alert__description">
                <p>{ &test.message }</p>
                <p>{ i18n.t_with("connection-details", &[("status", status.into()), ("latency", latency.into())]) }</p>
                if !test.models.is_empty() {
                    <p>{ i18n.t("connection-models") }{ " " }<span id="connection-models">{ test.models.join(", ") }</span></p>
                }
            </div>
        </div>
    }
}

/// Properties of [`AddDeploymentDialog`].
#[derive(Properties, PartialEq)]
struct AddDeploymentProps {
    /// Names of the models already in the catalog (a new deployment may join one).
    models: Vec<String>,
    on_close: Callback<()>,
    on_done: Callback<String>,
}

/// Register a deployment: where it is, its credential, then test the connection before saving.
#[component]
fn AddDeploymentDialog(props: &AddDeploymentProps) -> Html {
    let i18n = use_i18n();
    let fields = use_state(|| {
        Fields::from([
            ("deployment-weight", "1".to_owned()),
            ("deployment-timeout", "600000".to_owned()),
            ("model-provider", "hosted_vllm".to_owned()),
        ])
    });
    let capabilities = use_state(|| vec!["CHAT".to_owned()]);
    let restricted = use_state(|| false);
    let tested = use_state(|| None::<test_connection::TestConnectionTestConnection>);
    let saving = use_saving();
    let testing = use_state(|| false);
    let name = field_text(&fields, "model-name");
    let existing = props.models.contains(&name);
    let test = {
        let (fields, tested, testing, saving) = (
            fields.clone(),
            tested.clone(),
            testing.clone(),
            saving.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let variables = api::test_connection::Variables {
                deployment_id: None,
                api_base: Some(field_text(&fields, "deployment-api-base")),
                api_key: optional(&fields, "deployment-api-key"),
            };
            let (tested, testing, saving) = (tested.clone(), testing.clone(), saving.clone());
            testing.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<TestConnection>(variables).await;
                testing.set(false);
                match result {
                    Ok(data) => tested.set(Some(data.test_connection)),
                    Err(e) => saving.refuse(e.to_string()),
                }
            });
        })
    };
    let save = {
        let (fields, capabilities, restricted, saving, on_done, i18n) = (
            fields.clone(),
            capabilities.clone(),
            restricted.clone(),
            saving.clone(),
            props.on_done.clone(),
            i18n.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let parsed = (|| {
                Ok::<_, BadField>((
                    number::<f64>(&fields, "model-input-price")?,
                    number::<f64>(&fields, "model-output-price")?,
                    number::<i64>(&fields, "model-context")?,
                    number::<i64>(&fields, "deployment-weight")?,
                    number::<i64>(&fields, "deployment-timeout")?,
                ))
            })();
            let (input_price, output_price, context, weight, timeout) = match parsed {
                Ok(values) => values,
                Err(bad) => return saving.refuse(bad_number(&i18n, bad)),
            };
            let name = field_text(&fields, "model-name");
            let cluster = field_text(&fields, "deployment-cluster");
            let api_base = field_text(&fields, "deployment-api-base");
            if name.is_empty() || cluster.is_empty() || api_base.is_empty() {
                return saving.refuse(i18n.t("deployment-required"));
            }
            let variables = api::add_deployment::Variables {
                model: api::add_deployment::ModelInput {
                    name: name.clone(),
                    description: optional(&fields, "model-description"),
                    provider: field_text(&fields, "model-provider"),
                    capabilities: capabilities
                        .iter()
                        .filter_map(|c| capability_of!(add_deployment, c.as_str()))
                        .collect(),
                    context_length: context,
                    input_price_per_million: input_price.unwrap_or_default(),
                    output_price_per_million: output_price.unwrap_or_default(),
                    restricted: *restricted,
                },
                deployment: api::add_deployment::DeploymentInput {
                    cluster,
                    api_base,
                    backend_model: optional(&fields, "deployment-backend-model"),
                    api_key: optional(&fields, "deployment-api-key"),
                    weight: weight.unwrap_or(1),
                    timeout_ms: timeout.unwrap_or(600_000),
                    first_byte_timeout_ms: None,
                    max_parallel_requests: None,
                },
            };
            saving.run::<AddDeployment>(variables, on_done.reform(move |_| name.clone()));
        })
    };
    let pick_backend = |model: &String| {
        let (fields, model) = (fields.clone(), model.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = (*fields).clone();
            next.insert("deployment-backend-model", model.clone());
            fields.set(next);
        })
    };
    let footer = saving.footer(
        &i18n,
        "deployment",
        i18n.t("deployment-add"),
        save,
        &props.on_close,
    );
    html! {
        <Modal id="deployment-dialog" title={i18n.t("deployment-add")} on_close={props.on_close.clone()} {footer} wide=true>
            <div class="pf-v6-c-form">
                { saving.error("deployment") }
                <div class="pf-v6-c-form__group">
                    <label class="pf-v6-c-form__label" for="model-name">{ i18n.t("model-name") }</label>
                    <span class="pf-v6-c-form-control">
                        <input id="model-name" list="model-names" autocomplete="off" value={name.clone()}
                            aria-describedby="model-name-help"
                            oninput={let fields = fields.clone(); move |e: InputEvent| {
                                let mut next = (*fields).clone();
                                next.insert("model-name", event_value(&e));
                                fields.set(next);
                            }} />
                    </span>
                    <datalist id="model-names">
                        { for props.models.iter().map(|m| html! { <option value={m.clone()} /> }) }
                    </datalist>
                    <p class="pf-v6-c-form__helper-text" id="model-name-help">
                        { if existing { i18n.t("model-name-existing") } else { i18n.t("model-name-new") } }
                    </p>
                </div>
                <div class="sy-settings-pairs">
                    { input(&i18n, &fields, "deployment-cluster", "text", None) }
                    { input(&i18n, &fields, "deployment-api-base", "url", Some(i18n.t("deployment-api-base-help"))) }
                    { input(&i18n, &fields, "deployment-api-key", "password", Some(i18n.t("deployment-api-key-help"))) }
                    { input(&i18n, &fields, "deployment-backend-model", "text", Some(i18n.t("deployment-backend-model-help"))) }
                    { input(&i18n, &fields, "deployment-weight", "number", Some(i18n.t("deployment-weight-help"))) }
                    { input(&i18n, &fields, "deployment-timeout", "number", None) }
                </div>
                <div class="sy-toolbar">
                    <button class="pf-v6-c-button pf-m-secondary" type="button" id="connection-test"
                        disabled={*testing || field_text(&fields, "deployment-api-base").is_empty()} onclick={test}>
                        { if *testing { i18n.t("connection-testing") } else { i18n.t("connection-test") } }
                    </button>
                </div>
                if let Some(result) = &*tested {
                    { test_result(&i18n, result) }
                    if !result.models.is_empty() {
                        <div class="sy-actions" aria-label={i18n.t("connection-use-model")}>
                            { for result.models.iter().map(|m| html! {
                                <button class="pf-v6-c-button pf-m-link pf-m-inline" type="button"
                                    id={format!("use-backend-{}", m.replace('/', "-"))} onclick={pick_backend(m)}>
                                    { i18n.t_with("connection-use", &[("model", m.clone().into())]) }
                                </button>
                            }) }
                        </div>
                    }
                }
                if !existing {
                    <fieldset class="sy-fieldset" id="new-model">
                        <legend>{ i18n.t("model-new") }</legend>
                        <div class="sy-settings-pairs">
                            { input(&i18n, &fields, "model-provider", "text", None) }
                            { input(&i18n, &fields, "model-context", "number", None) }
                            { input(&i18n, &fields, "model-input-price", "number", None) }
                            { input(&i18n, &fields, "model-output-price", "number", None) }
                        </div>
                        { input(&i18n, &fields, "model-description", "text", None) }
                        { capability_checks(&i18n, &capabilities, "new-model") }
                        <div class="pf-v6-c-check">
                            <input class="pf-v6-c-check__input" type="checkbox" id="new-model-restricted"
                                checked={*restricted} onchange={let r = restricted.clone(); move |e: Event| r.set(event_checked(&e))} />
                            <label class="pf-v6-c-check__label" for="new-model-restricted">{ i18n.t("model-restricted") }</label>
                        </div>
                    </fieldset>
                }
            </div>
        </Modal>
    }
}

/// Properties of [`EditDeploymentDialog`].
#[derive(Properties, PartialEq)]
struct EditDeploymentProps {
    deployment: Deployment,
    model: AttrValue,
    on_close: Callback<()>,
    on_done: Callback<()>,
}

/// Change a deployment's address, credential, weight, timeouts or cap.
#[component]
fn EditDeploymentDialog(props: &EditDeploymentProps) -> Html {
    let i18n = use_i18n();
    let d = &props.deployment;
    let text = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let fields = use_state(|| {
        Fields::from([
            (
                "deployment-api-base",
                d.api_base.clone().unwrap_or_default(),
            ),
            (
                "deployment-backend-model",
                d.backend_model.clone().unwrap_or_default(),
            ),
            ("deployment-weight", text(d.weight)),
            ("deployment-timeout", text(d.timeout_ms)),
            ("deployment-first-byte", text(d.first_byte_timeout_ms)),
            ("deployment-parallel", text(d.max_parallel_requests)),
        ])
    });
    let saving = use_saving();
    let save = {
        let (fields, saving, on_done, i18n, id) = (
            fields.clone(),
            saving.clone(),
            props.on_done.clone(),
            i18n.clone(),
            d.id.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let parsed = (|| {
                Ok::<_, BadField>((
                    number::<i64>(&fields, "deployment-weight")?,
                    number::<i64>(&fields, "deployment-timeout")?,
                    number::<i64>(&fields, "deployment-first-byte")?,
                    number::<i64>(&fields, "deployment-parallel")?,
                ))
            })();
            let (weight, timeout, first_byte, parallel) = match parsed {
                Ok(values) => values,
                Err(bad) => return saving.refuse(bad_number(&i18n, bad)),
            };
            let variables = api::update_deployment::Variables {
                id: id.clone(),
                changes: api::update_deployment::DeploymentChangesInput {
                    api_base: optional(&fields, "deployment-api-base"),
                    backend_model: optional(&fields, "deployment-backend-model"),
                    api_key: optional(&fields, "deployment-api-key"),
                    input_price_per_million: None,
                    output_price_per_million: None,
                    weight,
                    timeout_ms: timeout,
                    first_byte_timeout_ms: first_byte,
                    max_parallel_requests: parallel,
                },
            };
            saving.run::<UpdateDeployment>(variables, on_done.reform(|_| ()));
        })
    };
    let footer = saving.footer(
        &i18n,
        "deployment-edit",
        i18n.t("save"),
        save,
        &props.on_close,
    );
    let title = i18n.t_with(
        "deployment-edit-title",
        &[
            ("model", props.model.to_string().into()),
            ("cluster", d.cluster.clone().into()),
        ],
    );
    html! {
        <Modal id="deployment-edit-dialog" {title} on_close={props.on_close.clone()} {footer} wide=true>
            <div class="pf-v6-c-form">
                { saving.error("deployment-edit") }
                <div class="sy-settings-pairs">
                    { input(&i18n, &fields, "deployment-api-base", "url", None) }
                    { input(&i18n, &fields, "deployment-backend-model", "text", None) }
                    { input(&i18n, &fields, "deployment-api-key", "password", Some(i18n.t("deployment-api-key-keep"))) }
                    { input(&i18n, &fields, "deployment-weight", "number", Some(i18n.t("deployment-weight-help"))) }
                    { input(&i18n, &fields, "deployment-timeout", "number", None) }
                    { input(&i18n, &fields, "deployment-first-byte", "number", Some(i18n.t("deployment-first-byte-help"))) }
                    { input(&i18n, &fields, "deployment-parallel", "number", Some(i18n.t("deployment-parallel-help"))) }
                </div>
            </div>
        </Modal>
    }
}

/// Properties of [`EditModelDialog`].
#[derive(Properties, PartialEq)]
struct EditModelProps {
    model: Model,
    on_close: Callback<()>,
    on_done: Callback<()>,
}

/// Change a model's description, capabilities, context length, prices, and restriction.
#[component]
fn EditModelDialog(props: &EditModelProps) -> Html {
    let i18n = use_i18n();
    let m = &props.model;
    let fields = use_state(|| {
        Fields::from([
            (
                "model-description",
                m.description.clone().unwrap_or_default(),
            ),
            (
                "model-context",
                m.context_length.map(|c| c.to_string()).unwrap_or_default(),
            ),
            ("model-input-price", m.input_price_per_million.to_string()),
            ("model-output-price", m.output_price_per_million.to_string()),
        ])
    });
    let capabilities = use_state(|| m.capabilities.iter().map(tag).collect::<Vec<_>>());
    let restricted = use_state(|| m.restricted);
    let saving = use_saving();
    let save = {
        let (fields, capabilities, restricted, saving, on_done, i18n, id) = (
            fields.clone(),
            capabilities.clone(),
            restricted.clone(),
            saving.clone(),
            props.on_done.clone(),
            i18n.clone(),
            m.id.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let parsed = (|| {
                Ok::<_, BadField>((
                    number::<f64>(&fields, "model-input-price")?,
                    number::<f64>(&fields, "model-output-price")?,
                    number::<i64>(&fields, "model-context")?,
                ))
            })();
            let (input_price, output_price, context) = match parsed {
                Ok(values) => values,
                Err(bad) => return saving.refuse(bad_number(&i18n, bad)),
            };
            let variables = api::update_model::Variables {
                id: id.clone(),
                restricted: *restricted,
                changes: api::update_model::ModelChangesInput {
                    description: optional(&fields, "model-description"),
                    provider: None,
                    capabilities: Some(
                        capabilities
                            .iter()
                            .filter_map(|c| capability_of!(update_model, c.as_str()))
                            .collect(),
                    ),
                    context_length: context,
                    input_price_per_million: input_price,
                    output_price_per_million: output_price,
                },
            };
            saving.run::<UpdateModel>(variables, on_done.reform(|_| ()));
        })
    };
    let footer = saving.footer(&i18n, "model-edit", i18n.t("save"), save, &props.on_close);
    html! {
        <Modal id="model-edit-dialog" title={i18n.t_with("model-edit-title", &[("model", m.name.clone().into())])}
            on_close={props.on_close.clone()} {footer} wide=true>
            <div class="pf-v6-c-form">
                { saving.error("model-edit") }
                { input(&i18n, &fields, "model-description", "text", None) }
                <div class="sy-settings-pairs">
                    { input(&i18n, &fields, "model-input-price", "number", None) }
                    { input(&i18n, &fields, "model-output-price", "number", None) }
                    { input(&i18n, &fields, "model-context", "number", None) }
                </div>
                { capability_checks(&i18n, &capabilities, "edit-model") }
                <div class="pf-v6-c-check">
                    <input class="pf-v6-c-check__input" type="checkbox" id="edit-model-restricted"
                        checked={*restricted} onchange={let r = restricted.clone(); move |e: Event| r.set(event_checked(&e))} />
                    <label class="pf-v6-c-check__label" for="edit-model-restricted">{ i18n.t("model-restricted") }</label>
                </div>
                <p class="pf-v6-c-form__helper-text">{ i18n.t("model-restricted-help") }</p>
            </div>
        </Modal>
    }
}

/// What dialog is open.
#[derive(Clone, PartialEq)]
enum Dialog {
    None,
    Add,
    EditModel(Model),
    EditDeployment(Deployment, String),
    DeleteModel(Model),
    RemoveDeployment(Deployment, String),
}

/// A deployment's health in words and colour.
fn health_label(i18n: &I18n, d: &Deployment) -> Html {
    let (id, colour) = match (d.enabled, d.healthy) {
        (false, _) => ("health-disabled", "pf-m-grey"),
        (true, Some(true)) => ("health-healthy", "pf-m-green"),
        (true, Some(false)) => ("health-unhealthy", "pf-m-red"),
        (true, None) => ("health-unknown", "pf-m-grey"),
    };
    html! {
        <>
            { label(i18n.t(id), colour) }
            if let Some(until) = &d.cooling_down_until {
                <p class="sy-muted">{ i18n.t_with("deployment-cooling", &[("until", format::datetime(until).into())]) }</p>
            }
        </>
    }
}

/// One model: what it is, where it comes from, and its deployments.
fn model_section(
    i18n: &I18n,
    model: &Model,
    rights: &Rights,
    currency: &str,
    open: &dyn Fn(Dialog) -> Callback<MouseEvent>,
) -> Html {
    let slug = model.name.replace('/', "-");
    let configured = tag(&model.source) == "CONFIGURATION";
    let locked = !rights.write || configured;
    let why: Option<AttrValue> = if configured {
        Some(i18n.t("model-configured-why").into())
    } else {
        rights.why_not.clone()
    };
    let time = |ms: Option<i64>| {
        ms.map(|ms| format::millis(ms as f64))
            .unwrap_or_else(|| "–".into())
    };
    html! {
        <section class="pf-v6-c-card sy-model-admin" id={format!("admin-model-{slug}")} aria-labelledby={format!("admin-model-{slug}-name")}>
            <div class="pf-v6-c-card__header sy-model-admin__header">
                <div>
                    <h2 class="pf-v6-c-title pf-m-lg" id={format!("admin-model-{slug}-name")}>{ &model.name }</h2>
                    <div class="pf-v6-c-label-group sy-labels">
                        if configured { { label(i18n.t("model-source-configuration"), "pf-m-blue") } }
                        if model.restricted { { label(i18n.t("restricted"), "pf-m-purple") } }
                        { for model.capabilities.iter().map(|c| label(i18n.t(capability_message(&tag(c))), "pf-m-grey")) }
                    </div>
                    if let Some(file) = &model.declared_in {
                        <p class="sy-muted" id={format!("admin-model-{slug}-declared")}>{ i18n.t_with("model-declared-in", &[("file", file.clone().into())]) }</p>
                    }
                    <p class="sy-muted">
                        { i18n.t_with("model-prices", &[
                            ("input", format::money(model.input_price_per_million, currency).into()),
                            ("output", format::money(model.output_price_per_million, currency).into()),
                        ]) }
                        if let Some(description) = &model.description { { " · " }{ description } }
                    </p>
                </div>
                <div class="sy-actions">
                    <button class="pf-v6-c-button pf-m-secondary pf-m-small" type="button" id={format!("model-edit-{slug}")}
                        disabled={locked} title={why.clone()} onclick={open(Dialog::EditModel(model.clone()))}>{ i18n.t("edit") }</button>
                    <button class="pf-v6-c-button pf-m-danger pf-m-small" type="button" id={format!("model-delete-{slug}")}
                        disabled={locked} title={why.clone()} onclick={open(Dialog::DeleteModel(model.clone()))}>{ i18n.t("delete") }</button>
                </div>
            </div>
            <div class="pf-v6-c-card__body sy-table-wrap">
                <table class="pf-v6-c-table pf-m-compact" aria-label={i18n.t_with("deployments-of", &[("model", model.name.clone().into())])}>
                    <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                        <th class="pf-v6-c-table__th pf-m-wrap" scope="col">{ i18n.t("filter-cluster") }</th>
                        <th class="pf-v6-c-table__th pf-m-wrap" scope="col">{ i18n.t("deployment-api-base") }</th>
                        <th class="pf-v6-c-table__th pf-m-wrap" scope="col">{ i18n.t("health") }</th>
                        <th class="pf-v6-c-table__th pf-m-wrap" scope="col">{ i18n.t("deployment-weight") }</th>
                        <th class="pf-v6-c-table__th pf-m-wrap" scope="col">{ i18n.t("deployment-timeouts") }</th>
                        <th class="pf-v6-c-table__th pf-m-wrap" scope="col">{ i18n.t("deployment-parallel") }</th>
                        <th class="pf-v6-c-table__th pf-m-wrap" scope="col">{ i18n.t("col-actions") }</th>
                    </tr></thead>
                    <tbody class="pf-v6-c-table__tbody">
                        { for model.deployments.iter().map(|d| {
                            let row = format!("deployment-{slug}-{}", d.cluster);
                            html! {
                                <tr class="pf-v6-c-table__tr" key={d.id.clone()} id={row.clone()}>
                                    <td class="pf-v6-c-table__td">{ &d.cluster }</td>
                                    <td class="pf-v6-c-table__td">
                                        <code>{ d.api_base.clone().unwrap_or_default() }</code>
                                        if let Some(backend) = &d.backend_model { <br /><span class="sy-muted">{ backend }</span> }
                                    </td>
                                    <td class="pf-v6-c-table__td" id={format!("{row}-health")}>{ health_label(i18n, d) }</td>
                                    <td class="pf-v6-c-table__td">{ d.weight.map(|w| w.to_string()).unwrap_or_default() }</td>
                                    <td class="pf-v6-c-table__td">
                                        { time(d.timeout_ms) }
                                        <br /><span class="sy-muted">{ i18n.t_with("deployment-first-byte-short", &[("time", d.first_byte_timeout_ms.map_or_else(|| i18n.t("deployment-default"), |ms| format::millis(ms as f64)).into())]) }</span>
                                    </td>
                                    <td class="pf-v6-c-table__td">{ d.max_parallel_requests.map_or_else(|| i18n.t("key-unlimited"), |p| p.to_string()) }</td>
                                    <td class="pf-v6-c-table__td">
                                        <div class="sy-actions">
                                            <button class="pf-v6-c-button pf-m-secondary pf-m-small" type="button" id={format!("{row}-edit")}
                                                disabled={locked} title={why.clone()}
                                                onclick={open(Dialog::EditDeployment(d.clone(), model.name.clone()))}>{ i18n.t("edit") }</button>
                                            <button class="pf-v6-c-button pf-m-danger pf-m-small" type="button" id={format!("{row}-remove")}
                                                disabled={locked} title={why.clone()}
                                                onclick={open(Dialog::RemoveDeployment(d.clone(), model.name.clone()))}>{ i18n.t("deployment-remove") }</button>
                                        </div>
                                    </td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// The models and deployments page.
#[component]
pub fn AdminModelsPage() -> Html {
    let i18n = use_i18n();
    let rights = use_rights();
    let toasts = use_toasts();
    let currency = use_portal().currency();
    let query = use_query::<AdminModels>(admin_models::Variables);
    let dialog = use_state(|| Dialog::None);
    {
        let reload = query.reload.clone();
        use_effect_with((), move |()| {
            let timer = gloo_timers::callback::Interval::new(REFRESH_MS, move || reload.emit(()));
            move || drop(timer)
        });
    }
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |()| dialog.set(Dialog::None))
    };
    let done = {
        let (dialog, toasts, reload) = (dialog.clone(), toasts.clone(), query.reload.clone());
        Callback::from(move |message: String| {
            dialog.set(Dialog::None);
            toasts.push.emit(Toast {
                variant: "success",
                title: message,
            });
            reload.emit(());
        })
    };
    let saved = {
        let (done, i18n) = (done.clone(), i18n.clone());
        Callback::from(move |()| done.emit(i18n.t("models-saved")))
    };
    let added = {
        let (done, i18n) = (done.clone(), i18n.clone());
        Callback::from(move |name: String| {
            done.emit(i18n.t_with("deployment-added", &[("model", name.into())]))
        })
    };
    let delete_model = use_mutation::<DeleteModel>(saved.reform(|_| ()));
    let remove_deployment = use_mutation::<RemoveDeployment>(saved.reform(|_| ()));
    let reload_catalog = use_mutation::<ReloadCatalog>({
        let (done, i18n) = (done.clone(), i18n.clone());
        Callback::from(move |data: api::reload_catalog::ResponseData| {
            let result = data.reload_catalog;
            done.emit(i18n.t_with(
                if result.changed {
                    "models-reloaded-changed"
                } else {
                    "models-reloaded-same"
                },
                &[("count", result.models.into())],
            ))
        })
    });
    use_error_toast(
        delete_model
            .error
            .clone()
            .or(remove_deployment.error.clone())
            .or(reload_catalog.error.clone()),
    );
    let open = |d: Dialog| {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| dialog.set(d.clone()))
    };
    let names: Vec<String> = query
        .data
        .as_ref()
        .map(|d| d.models.nodes.iter().map(|m| m.name.clone()).collect())
        .unwrap_or_default();
    let content = render(&query, |data: &admin_models::ResponseData| {
        if data.models.nodes.is_empty() {
            return html! { <Empty title="models-empty-title" body={Some(AttrValue::from("models-empty-body"))} /> };
        }
        html! {
            <div class="sy-model-list">
                { for data.models.nodes.iter().map(|m| model_section(&i18n, m, &rights, &currency, &open)) }
            </div>
        }
    });
    let confirm = match &*dialog {
        Dialog::DeleteModel(model) => {
            let (run, id) = (delete_model.run.clone(), model.id.clone());
            html! {
                <Confirm id="model-delete-dialog" title={i18n.t("model-delete")} danger=true busy={delete_model.busy}
                    body={i18n.t_with("model-delete-body", &[("model", model.name.clone().into())])}
                    confirm={i18n.t("delete")} on_cancel={close.clone()}
                    on_confirm={Callback::from(move |()| run.emit(api::delete_model::Variables { id: id.clone() }))} />
            }
        }
        Dialog::RemoveDeployment(deployment, model) => {
            let (run, id) = (remove_deployment.run.clone(), deployment.id.clone());
            html! {
                <Confirm id="deployment-remove-dialog" title={i18n.t("deployment-remove")} danger=true busy={remove_deployment.busy}
                    body={i18n.t_with("deployment-remove-body", &[("model", model.clone().into()), ("cluster", deployment.cluster.clone().into())])}
                    confirm={i18n.t("deployment-remove")} on_cancel={close.clone()}
                    on_confirm={Callback::from(move |()| run.emit(api::remove_deployment::Variables { id: id.clone() }))} />
            }
        }
        _ => html! {},
    };
    html! {
        <>
            { admin_header("models-title", i18n.t("nav-admin-models"), i18n.t("models-lead"), &rights) }
            <section class="pf-v6-c-page__main-section">
                <div class="sy-toolbar">
                    <button class="pf-v6-c-button pf-m-primary" type="button" id="deployment-new"
                        disabled={!rights.write} title={rights.why_not.clone()} onclick={open(Dialog::Add)}>
                        { i18n.t("deployment-add") }
                    </button>
                    <button class="pf-v6-c-button pf-m-secondary" type="button" id="models-reload"
                        disabled={!rights.write || reload_catalog.busy} title={rights.why_not.clone()}
                        onclick={let run = reload_catalog.run.clone(); move |_| run.emit(api::reload_catalog::Variables)}>
                        { i18n.t("models-reload") }
                    </button>
                </div>
                { content }
            </section>
            { match &*dialog {
                Dialog::Add => html! { <AddDeploymentDialog models={names.clone()} on_close={close.clone()} on_done={added.clone()} /> },
                Dialog::EditModel(model) => html! { <EditModelDialog model={model.clone()} on_close={close.clone()} on_done={saved.clone()} /> },
                Dialog::EditDeployment(deployment, model) => html! {
                    <EditDeploymentDialog deployment={deployment.clone()} model={AttrValue::from(model.clone())}
                        on_close={close.clone()} on_done={saved.clone()} />
                },
                _ => confirm,
            } }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_fields_are_none_and_numbers_are_checked() {
        let fields = Fields::from([
            ("deployment-weight", " 3 ".to_owned()),
            ("deployment-timeout", String::new()),
            ("model-input-price", "-1".to_owned()),
        ]);
        assert_eq!(number::<i64>(&fields, "deployment-weight"), Ok(Some(3)));
        assert_eq!(number::<i64>(&fields, "deployment-timeout"), Ok(None));
        assert_eq!(number::<i64>(&fields, "deployment-first-byte"), Ok(None));
        assert_eq!(
            number::<f64>(&fields, "model-input-price"),
            Err(BadField("model-input-price"))
        );
        assert_eq!(optional(&fields, "deployment-timeout"), None);
        assert_eq!(optional(&fields, "deployment-weight").as_deref(), Some("3"));
    }

    #[test]
    fn every_capability_has_its_generated_value() {
        for cap in CAPABILITIES {
            assert!(capability_of!(add_deployment, cap).is_some(), "{cap}");
            assert!(capability_of!(update_model, cap).is_some(), "{cap}");
        }
        assert!(capability_of!(add_deployment, "TELEPATHY").is_none());
    }
}
