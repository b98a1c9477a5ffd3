//! Banners: every announcement (current, scheduled, past and switched off), and an editor
//! with the preview the server renders (the same sanitised HTML people will see), the
//! variant, who sees it (by role), when, and whether people may dismiss it. The text has a
//! tab per portal language: English is required and shown to readers whose language the
//! banner has no text in; the others are optional.

use std::collections::BTreeMap;

use yew::prelude::*;

use crate::api::{
    self, AdminBanners, CreateBanner, DeleteBanner, PreviewBanner, UpdateBanner, admin_banners,
};
use crate::components::modal::{Confirm, Modal};
use crate::components::states::{Empty, render};
use crate::format;
use crate::hooks::{Toast, use_error_toast, use_mutation, use_query, use_toasts};
use crate::i18n::{LANGUAGES, use_i18n};
use crate::pages::admin::{admin_header, checks, toggled, use_rights, use_saving};
use crate::pages::catalog::{label, tag};
use crate::pages::{event_checked, event_value};

type Banner = admin_banners::AdminBannersAllBanners;
type Variant = admin_banners::BannerVariant;

/// How long the editor waits after the last keystroke before asking for a preview.
const PREVIEW_DELAY_MS: u32 = 300;
/// The language of a banner's main text, the one readers without theirs get.
const MAIN_LANGUAGE: &str = "en";

/// The editor's fields, as typed.
#[derive(Clone, PartialEq)]
struct Draft {
    /// The English text.
    markdown: String,
    /// The text in other languages, by tag; empty text counts as none.
    translations: BTreeMap<String, String>,
    variant: String,
    /// Role names (`USER`, `ADMIN`, `ADMIN_READONLY`); none: everyone.
    audience: Vec<String>,
    /// `YYYY-MM-DDTHH:MM` in UTC, or empty.
    starts_at: String,
    ends_at: String,
    active: bool,
    dismissible: bool,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            markdown: String::new(),
            translations: BTreeMap::new(),
            variant: "INFO".into(),
            audience: Vec::new(),
            starts_at: String::new(),
            ends_at: String::new(),
            active: true,
            dismissible: true,
        }
    }
}

/// `2026-12-01T09:30:00Z` → `2026-12-01T09:30` (what a `datetime-local` field holds).
fn local_field(at: Option<&String>) -> String {
    at.map(|t| t.chars().take(16).collect()).unwrap_or_default()
}

fn variant_of(name: &str) -> Variant {
    match name {
        "SUCCESS" => Variant::SUCCESS,
        "WARNING" => Variant::WARNING,
        "DANGER" => Variant::DANGER,
        _ => Variant::INFO,
    }
}

fn role_of(name: &str) -> Option<api::create_banner::Role> {
    match name {
        "USER" => Some(api::create_banner::Role::USER),
        "ADMIN" => Some(api::create_banner::Role::ADMIN),
        "ADMIN_READONLY" => Some(api::create_banner::Role::ADMIN_READONLY),
        _ => None,
    }
}

impl Draft {
    fn of(banner: &Banner) -> Self {
        Self {
            markdown: banner.markdown.clone(),
            translations: banner
                .translations
                .iter()
                .map(|t| (t.language.clone(), t.markdown.clone()))
                .collect(),
            variant: tag(&banner.variant),
            audience: banner.audience.iter().map(tag).collect(),
            starts_at: local_field(banner.starts_at.as_ref()),
            ends_at: local_field(banner.ends_at.as_ref()),
            active: banner.active,
            dismissible: banner.dismissible,
        }
    }

    /// The text in `language` (a tag of [`LANGUAGES`]).
    fn text(&self, language: &str) -> &str {
        if language == MAIN_LANGUAGE {
            &self.markdown
        } else {
            self.translations.get(language).map_or("", String::as_str)
        }
    }

    fn set_text(&mut self, language: &str, text: String) {
        if language == MAIN_LANGUAGE {
            self.markdown = text;
        } else {
            self.translations.insert(language.to_owned(), text);
        }
    }

    /// Whether there is text in `language`.
    fn has_text(&self, language: &str) -> bool {
        !self.text(language).trim().is_empty()
    }

    /// The draft as the API's input (times are UTC); every translation is sent, so the
    /// banner has exactly the languages with text.
    fn input(&self) -> api::create_banner::BannerInput {
        let at = |field: &str| (!field.is_empty()).then(|| format!("{field}:00Z"));
        let translations = LANGUAGES
            .iter()
            .filter(|(tag, _)| *tag != MAIN_LANGUAGE && self.has_text(tag))
            .map(|(tag, _)| api::create_banner::BannerTextInput {
                language: (*tag).to_owned(),
                markdown: self.text(tag).to_owned(),
            })
            .collect();
        api::create_banner::BannerInput {
            markdown: self.markdown.clone(),
            translations: Some(translations),
            variant: match variant_of(&self.variant) {
                Variant::SUCCESS => api::create_banner::BannerVariant::SUCCESS,
                Variant::WARNING => api::create_banner::BannerVariant::WARNING,
                Variant::DANGER => api::create_banner::BannerVariant::DANGER,
                _ => api::create_banner::BannerVariant::INFO,
            },
            audience: self.audience.iter().filter_map(|r| role_of(r)).collect(),
            starts_at: at(&self.starts_at),
            ends_at: at(&self.ends_at),
            active: self.active,
            dismissible: self.dismissible,
        }
    }
}

/// The PatternFly alert class of a variant.
fn variant_class(variant: &str) -> &'static str {
    match variant {
        "SUCCESS" => "pf-m-success",
        "WARNING" => "pf-m-warning",
        "DANGER" => "pf-m-danger",
        _ => "pf-m-info",
    }
}

/// The roles a banner may be shown to, with their message ids, in the editor's order.
const AUDIENCE: [(&str, &str); 3] = [
    ("USER", "role-user"),
    ("ADMIN", "role-admin"),
    ("ADMIN_READONLY", "role-admin-readonly"),
];

/// The message id of a role's name.
fn role_message(role: &str) -> &'static str {
    match role {
        "ADMIN" => "role-admin",
        "ADMIN_READONLY" => "role-admin-readonly",
        _ => "role-user",
    }
}

/// A language's own name (`Deutsch`), or its tag when the portal does not speak it.
fn language_name(tag: &str) -> &str {
    LANGUAGES
        .iter()
        .find(|(t, _)| *t == tag)
        .map_or(tag, |(_, name)| name)
}

/// Properties of [`BannerEditor`].
#[derive(Properties, PartialEq)]
struct BannerEditorProps {
    /// The banner being edited; none for a new one.
    editing: Option<Banner>,
    on_close: Callback<()>,
    on_saved: Callback<()>,
}

/// Write or change a banner, with the server's preview.
#[component]
fn BannerEditor(props: &BannerEditorProps) -> Html {
    let i18n = use_i18n();
    let draft = use_state(|| props.editing.as_ref().map(Draft::of).unwrap_or_default());
    // The language tab open: its text is in the text field and the preview.
    let language = use_state(|| MAIN_LANGUAGE);
    // The server's rendering and the text it is of, so another tab's never shows.
    let preview = use_state(|| None::<(String, String)>);
    let saving = use_saving();
    let text = draft.text(*language).to_owned();
    {
        // Ask the server to render the text once typing pauses; only the newest answer counts.
        let preview = preview.clone();
        use_effect_with(text.clone(), move |markdown| {
            let markdown = markdown.clone();
            let timer = (!markdown.trim().is_empty()).then(|| {
                gloo_timers::callback::Timeout::new(PREVIEW_DELAY_MS, move || {
                    wasm_bindgen_futures::spawn_local(async move {
                        let rendered = api::run::<PreviewBanner>(api::preview_banner::Variables {
                            markdown: markdown.clone(),
                        })
                        .await;
                        preview.set(rendered.ok().map(|d| (markdown, d.banner_preview)));
                    });
                })
            });
            move || drop(timer)
        });
    }
    let set = |apply: fn(&mut Draft, String)| {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            let mut next = (*draft).clone();
            apply(&mut next, event_value(&e));
            draft.set(next);
        })
    };
    let flag = |apply: fn(&mut Draft, bool)| {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            let mut next = (*draft).clone();
            apply(&mut next, event_checked(&e));
            draft.set(next);
        })
    };
    let on_text = {
        let (draft, language) = (draft.clone(), *language);
        Callback::from(move |e: InputEvent| {
            let mut next = (*draft).clone();
            next.set_text(language, event_value(&e));
            draft.set(next);
        })
    };
    let tabs = LANGUAGES.iter().map(|(tag, name)| {
        let selected = *language == *tag;
        let choose = {
            let language = language.clone();
            Callback::from(move |_: MouseEvent| language.set(tag))
        };
        html! {
            <li class={classes!("pf-v6-c-tabs__item", selected.then_some("pf-m-current"))} role="presentation">
                <button class="pf-v6-c-tabs__link" type="button" role="tab" aria-selected={selected.to_string()}
                    aria-controls="banner-text-panel" id={format!("banner-lang-{tag}")} onclick={choose}>
                    <span class="pf-v6-c-tabs__item-text" lang={*tag}>{ *name }</span>
                    if draft.has_text(tag) {
                        <span class="sy-muted" aria-hidden="true">{ " ✓" }</span>
                        <span class="pf-v6-screen-reader">{ i18n.t("banner-language-written") }</span>
                    }
                </button>
            </li>
        }
    });
    let language_name = language_name(*language);
    let text_help = if *language == MAIN_LANGUAGE {
        i18n.t("banner-text-english-help")
    } else {
        i18n.t_with(
            "banner-text-translation-help",
            &[("language", language_name.to_owned().into())],
        )
    };
    let save = {
        let (draft, saving, on_saved) = (draft.clone(), saving.clone(), props.on_saved.clone());
        let (editing, i18n) = (props.editing.as_ref().map(|b| b.id.clone()), i18n.clone());
        Callback::from(move |_: MouseEvent| {
            if draft.markdown.trim().is_empty() {
                return saving.refuse(i18n.t("banner-text-required"));
            }
            let input = draft.input();
            match editing.clone() {
                Some(id) => saving.run::<UpdateBanner>(
                    api::update_banner::Variables {
                        id,
                        input: convert_input(input),
                    },
                    on_saved.reform(|_| ()),
                ),
                None => saving.run::<CreateBanner>(
                    api::create_banner::Variables { input },
                    on_saved.reform(|_| ()),
                ),
            }
        })
    };
    let title = if props.editing.is_some() {
        i18n.t("banner-edit")
    } else {
        i18n.t("banner-create")
    };
    let footer = saving.footer(&i18n, "banner", i18n.t("save"), save, &props.on_close);
    let on_audience = {
        let draft = draft.clone();
        Callback::from(move |(role, on): (String, bool)| {
            let mut next = (*draft).clone();
            next.audience = toggled(&next.audience, &role, on);
            draft.set(next);
        })
    };
    html! {
        <Modal id="banner-dialog" {title} on_close={props.on_close.clone()} {footer} wide=true>
            <div class="pf-v6-c-form">
                { saving.error("banner") }
                <div class="pf-v6-c-tabs pf-m-box" role="region" aria-label={i18n.t("banner-languages")} id="banner-languages">
                    <ul class="pf-v6-c-tabs__list" role="tablist">{ for tabs }</ul>
                </div>
                <div class="sy-banner-language" role="tabpanel" id="banner-text-panel" aria-labelledby={format!("banner-lang-{}", *language)}>
                    <div class="pf-v6-c-form__group">
                        <label class="pf-v6-c-form__label" for="banner-text">
                            { i18n.t_with("banner-text-in", &[("language", language_name.to_owned().into())]) }
                        </label>
                        <span class="pf-v6-c-form-control">
                            <textarea id="banner-text" rows="4" lang={*language} value={text.clone()} oninput={on_text}
                                aria-describedby="banner-text-language-help banner-text-help" />
                        </span>
                        <p class="pf-v6-c-form__helper-text" id="banner-text-language-help">{ text_help }</p>
                        <p class="pf-v6-c-form__helper-text" id="banner-text-help">{ i18n.t("banner-text-help") }</p>
                    </div>
                    <div class="pf-v6-c-form__group">
                        <span class="pf-v6-c-form__label">{ i18n.t("banner-preview") }</span>
                        <div class={classes!("pf-v6-c-alert", "pf-m-inline", variant_class(&draft.variant), "sy-banner")} id="banner-preview">
                            <div class="pf-v6-c-alert__description">
                                { match &*preview {
                                    // The server rendered and sanitised it, as it does for saved banners.
                                    Some((of, html)) if *of == text && !text.trim().is_empty() => html! {
                                        <div lang={*language}>{ Html::from_html_unchecked(AttrValue::from(html.clone())) }</div>
                                    },
                                    _ => html! { <p class="sy-muted">{ i18n.t("banner-preview-empty") }</p> },
                                } }
                            </div>
                        </div>
                    </div>
                </div>
                <div class="pf-v6-c-form__group">
                    <label class="pf-v6-c-form__label" for="banner-variant">{ i18n.t("banner-variant") }</label>
                    <span class="pf-v6-c-form-control">
                        <select id="banner-variant" onchange={set(|d, v| d.variant = v)}>
                            { for [("INFO", "banner-variant-info"), ("SUCCESS", "banner-variant-success"), ("WARNING", "banner-variant-warning"), ("DANGER", "banner-variant-danger")].into_iter().map(|(value, text)| html! {
                                <option {value} selected={draft.variant == value}>{ i18n.t(text) }</option>
                            }) }
                        </select>
                    </span>
                </div>
                <fieldset class="sy-fieldset" id="banner-audience">
                    <legend>{ i18n.t("banner-audience") }</legend>
                    <p class="sy-muted">{ i18n.t("banner-audience-help") }</p>
                    { checks(&i18n, "banner-audience", &AUDIENCE, &draft.audience, false, &on_audience) }
                </fieldset>
                <div class="sy-toolbar">
                    <div class="pf-v6-c-form__group">
                        <label class="pf-v6-c-form__label" for="banner-starts">{ i18n.t("banner-starts") }</label>
                        <span class="pf-v6-c-form-control">
                            <input id="banner-starts" type="datetime-local" value={draft.starts_at.clone()} onchange={set(|d, v| d.starts_at = v)} />
                        </span>
                    </div>
                    <div class="pf-v6-c-form__group">
                        <label class="pf-v6-c-form__label" for="banner-ends">{ i18n.t("banner-ends") }</label>
                        <span class="pf-v6-c-form-control">
                            <input id="banner-ends" type="datetime-local" value={draft.ends_at.clone()} onchange={set(|d, v| d.ends_at = v)} />
                        </span>
                    </div>
                </div>
                <p class="sy-muted">{ i18n.t("banner-schedule-help") }</p>
                <div class="pf-v6-c-check">
                    <input class="pf-v6-c-check__input" type="checkbox" id="banner-active" checked={draft.active} onchange={flag(|d, v| d.active = v)} />
                    <label class="pf-v6-c-check__label" for="banner-active">{ i18n.t("banner-active") }</label>
                </div>
                <div class="pf-v6-c-check">
                    <input class="pf-v6-c-check__input" type="checkbox" id="banner-dismissible" checked={draft.dismissible} onchange={flag(|d, v| d.dismissible = v)} />
                    <label class="pf-v6-c-check__label" for="banner-dismissible">{ i18n.t("banner-dismissible") }</label>
                </div>
            </div>
        </Modal>
    }
}

/// The create input as the update operation's own generated type.
fn convert_input(input: api::create_banner::BannerInput) -> api::update_banner::BannerInput {
    use api::update_banner::{BannerTextInput as T, BannerVariant as V, Role as R};
    api::update_banner::BannerInput {
        markdown: input.markdown,
        translations: input.translations.map(|list| {
            list.into_iter()
                .map(|t| T {
                    language: t.language,
                    markdown: t.markdown,
                })
                .collect()
        }),
        variant: match input.variant {
            api::create_banner::BannerVariant::SUCCESS => V::SUCCESS,
            api::create_banner::BannerVariant::WARNING => V::WARNING,
            api::create_banner::BannerVariant::DANGER => V::DANGER,
            _ => V::INFO,
        },
        audience: input
            .audience
            .into_iter()
            .map(|r| match r {
                api::create_banner::Role::ADMIN => R::ADMIN,
                api::create_banner::Role::ADMIN_READONLY => R::ADMIN_READONLY,
                _ => R::USER,
            })
            .collect(),
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        active: input.active,
        dismissible: input.dismissible,
    }
}

/// Where a banner stands now: message id and label colour.
fn banner_state(banner: &Banner, now_ms: f64) -> (&'static str, &'static str) {
    let at = |time: Option<&String>| time.map(|t| js_sys::Date::parse(t));
    if !banner.active {
        ("banner-state-off", "pf-m-grey")
    } else if at(banner.starts_at.as_ref()).is_some_and(|s| s > now_ms) {
        ("banner-state-scheduled", "pf-m-blue")
    } else if at(banner.ends_at.as_ref()).is_some_and(|e| e <= now_ms) {
        ("banner-state-ended", "pf-m-grey")
    } else {
        ("banner-state-showing", "pf-m-green")
    }
}

#[derive(Clone, PartialEq)]
enum Dialog {
    None,
    Edit(Option<Banner>),
    Delete(Banner),
}

/// The banners page.
#[component]
pub fn AdminBannersPage() -> Html {
    let i18n = use_i18n();
    let rights = use_rights();
    let toasts = use_toasts();
    let query = use_query::<AdminBanners>(admin_banners::Variables);
    let dialog = use_state(|| Dialog::None);
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |()| dialog.set(Dialog::None))
    };
    let saved = {
        let (dialog, toasts, reload, i18n) = (
            dialog.clone(),
            toasts.clone(),
            query.reload.clone(),
            i18n.clone(),
        );
        Callback::from(move |()| {
            dialog.set(Dialog::None);
            toasts.push.emit(Toast {
                variant: "success",
                title: i18n.t("banner-saved"),
            });
            reload.emit(());
        })
    };
    let delete = use_mutation::<DeleteBanner>(saved.reform(|_| ()));
    use_error_toast(delete.error.clone());
    let open = |d: Dialog| {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| dialog.set(d.clone()))
    };
    let now = js_sys::Date::now();
    let content = render(&query, |data: &admin_banners::ResponseData| {
        if data.all_banners.is_empty() {
            return html! { <Empty title="banners-empty-title" body={Some(AttrValue::from("banners-empty-body"))} /> };
        }
        html! {
            <div class="sy-table-wrap">
                <table class="pf-v6-c-table" id="banners-table" aria-label={i18n.t("nav-admin-banners")}>
                    <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("banner-text") }</th>
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("banner-languages") }</th>
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-status") }</th>
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("banner-audience") }</th>
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("banner-schedule") }</th>
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-actions") }</th>
                    </tr></thead>
                    <tbody class="pf-v6-c-table__tbody">
                        { for data.all_banners.iter().map(|b| {
                            let (state, colour) = banner_state(b, now);
                            let languages = std::iter::once(MAIN_LANGUAGE)
                                .chain(b.translations.iter().map(|t| t.language.as_str()))
                                .enumerate()
                                .map(|(i, tag)| html! {
                                    <>{ if i > 0 { ", " } else { "" } }<span lang={tag.to_owned()}>{ language_name(tag) }</span></>
                                });
                            let audience = if b.audience.is_empty() {
                                i18n.t("banner-audience-everyone")
                            } else {
                                b.audience.iter().map(|r| i18n.t(role_message(&tag(r)))).collect::<Vec<_>>().join(", ")
                            };
                            let schedule = match (&b.starts_at, &b.ends_at) {
                                (None, None) => i18n.t("banner-always"),
                                (start, end) => format!("{} – {}",
                                    start.as_deref().map(format::datetime).unwrap_or_default(),
                                    end.as_deref().map(format::datetime).unwrap_or_default()),
                            };
                            html! {
                                <tr class="pf-v6-c-table__tr" key={b.id.clone()} id={format!("banner-row-{}", b.id)}>
                                    <td class="pf-v6-c-table__td">
                                        // Rendered and sanitised by the server.
                                        <div class="sy-banner-text" lang={MAIN_LANGUAGE}>{ Html::from_html_unchecked(AttrValue::from(b.html.clone())) }</div>
                                    </td>
                                    <td class="pf-v6-c-table__td" id={format!("banner-languages-{}", b.id)}>
                                        { for languages }
                                    </td>
                                    <td class="pf-v6-c-table__td">{ label(i18n.t(state), colour) }</td>
                                    <td class="pf-v6-c-table__td">{ audience }</td>
                                    <td class="pf-v6-c-table__td">{ schedule }</td>
                                    <td class="pf-v6-c-table__td">
                                        <div class="sy-actions">
                                            <button class="pf-v6-c-button pf-m-secondary pf-m-small" type="button"
                                                id={format!("banner-edit-{}", b.id)} disabled={!rights.write} title={rights.why_not.clone()}
                                                onclick={open(Dialog::Edit(Some(b.clone())))}>{ i18n.t("edit") }</button>
                                            <button class="pf-v6-c-button pf-m-danger pf-m-small" type="button"
                                                id={format!("banner-delete-{}", b.id)} disabled={!rights.write} title={rights.why_not.clone()}
                                                onclick={open(Dialog::Delete(b.clone()))}>{ i18n.t("delete") }</button>
                                        </div>
                                    </td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        }
    });
    let confirm_delete = {
        let (run, dialog) = (delete.run.clone(), dialog.clone());
        Callback::from(move |()| {
            if let Dialog::Delete(banner) = &*dialog {
                run.emit(api::delete_banner::Variables {
                    id: banner.id.clone(),
                });
            }
        })
    };
    html! {
        <>
            { admin_header("banners-title", i18n.t("nav-admin-banners"), i18n.t("banners-lead"), &rights) }
            <section class="pf-v6-c-page__main-section">
                <div class="sy-toolbar">
                    <button class="pf-v6-c-button pf-m-primary" type="button" id="banner-new"
                        disabled={!rights.write} title={rights.why_not.clone()} onclick={open(Dialog::Edit(None))}>
                        { i18n.t("banner-create") }
                    </button>
                </div>
                { content }
            </section>
            if let Dialog::Edit(editing) = &*dialog {
                <BannerEditor editing={editing.clone()} on_close={close.clone()} on_saved={saved.clone()} />
            }
            if let Dialog::Delete(banner) = &*dialog {
                <Confirm id="banner-delete-dialog" title={i18n.t("banner-delete")} danger=true busy={delete.busy}
                    body={i18n.t_with("banner-delete-body", &[("text", banner.markdown.chars().take(80).collect::<String>().into())])}
                    confirm={i18n.t("delete")} on_confirm={confirm_delete} on_cancel={close.clone()} />
            }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_becomes_the_banner_input_in_utc() {
        let draft = Draft {
            markdown: "**Maintenance** tonight".into(),
            translations: [("fr", " "), ("de", "**Wartung** heute")]
                .into_iter()
                .map(|(l, t)| (l.to_owned(), t.to_owned()))
                .collect(),
            variant: "WARNING".into(),
            audience: vec!["USER".into()],
            starts_at: "2026-12-01T18:00".into(),
            ends_at: String::new(),
            active: true,
            dismissible: false,
        };
        let input = draft.input();
        assert_eq!(input.variant, api::create_banner::BannerVariant::WARNING);
        assert_eq!(input.audience, vec![api::create_banner::Role::USER]);
        assert_eq!(input.starts_at.as_deref(), Some("2026-12-01T18:00:00Z"));
        assert_eq!(input.ends_at, None);
        assert!(!input.dismissible);
        let languages = |list: &[api::create_banner::BannerTextInput]| -> Vec<String> {
            list.iter().map(|t| t.language.clone()).collect()
        };
        assert_eq!(
            languages(input.translations.as_deref().unwrap_or_default()),
            ["de"],
            "blank text is no translation"
        );
        assert_eq!(draft.text("de"), "**Wartung** heute");
        assert_eq!(draft.text("ja"), "");
        assert!(draft.has_text("en") && !draft.has_text("fr"));
        let update = convert_input(input);
        assert_eq!(update.variant, api::update_banner::BannerVariant::WARNING);
        assert_eq!(update.translations.map(|t| t.len()), Some(1));
        assert_eq!(update.audience, vec![api::update_banner::Role::USER]);
    }

    #[test]
    fn stored_times_fill_the_time_fields() {
        assert_eq!(
            local_field(Some(&"2026-12-01T09:30:00Z".to_owned())),
            "2026-12-01T09:30"
        );
        assert_eq!(local_field(None), "");
    }
}
