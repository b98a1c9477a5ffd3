//! Branding: the portal's titles, colours, sign-in and footer texts and logos, with a live
//! preview of the masthead and the sign-in card that follows the form as it is typed, and a
//! contrast check of the primary colour against the text PatternFly writes on it. Nothing is
//! stored until Save, which sends the texts and colours, then each logo chosen or removed;
//! the portal around the page takes the new branding at once.

mod logos;

use std::collections::BTreeMap;

use yew::prelude::*;

use crate::api::{
    self, AdminBranding, ApiError, RemoveLogo, UpdateBranding, UploadLogo, admin_branding,
    update_branding,
};
use crate::components::layout::brand_style;
use crate::components::states::render;
use crate::contrast::{self, AA_TEXT, Rgb};
use crate::hooks::{use_portal, use_query, use_theme};
use crate::i18n::{I18n, use_i18n};
use crate::pages::admin::{Rights, admin_header, use_rights, use_saved_toast, use_saving};
use crate::pages::event_value;
use logos::{LogoChange, LogoField, Slot};

type Stored = admin_branding::AdminBrandingBranding;

/// The text fields, in the form's order: id (also the message id; `{id}-help` explains it)
/// and whether it takes several lines.
const TEXTS: &[(&str, bool)] = &[
    ("brand-title", false),
    ("brand-subtitle", false),
    ("brand-login-title", false),
    ("brand-login-text", true),
    ("brand-footer-text", true),
];
/// The colour fields.
const COLOURS: &[&str] = &["brand-primary", "brand-accent"];
/// What a colour picker shows while its field is empty: PatternFly's own brand blue.
const PICKER_DEFAULT: &str = "#0066cc";

/// The form as typed: every text and colour by field id, and the logo changes not yet saved.
#[derive(Clone, PartialEq, Default)]
struct Draft {
    texts: BTreeMap<&'static str, String>,
    logos: BTreeMap<Slot, LogoChange>,
}

/// Why the form cannot be saved: the message id, and the field it names.
#[derive(Debug, PartialEq)]
struct Invalid(&'static str, &'static str);

/// A colour as typed: `Ok(None)` when empty (PatternFly's own), `#rrggbb` in lower case
/// (the `#` may be left out), or `Err` when it is not a colour.
fn colour(typed: &str) -> Result<Option<String>, ()> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let hex = format!("#{}", typed.trim_start_matches('#').to_ascii_lowercase());
    Rgb::parse(&hex).map(|_| Some(hex)).ok_or(())
}

impl Draft {
    fn of(stored: &Stored) -> Self {
        let some = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            texts: BTreeMap::from([
                ("brand-title", stored.title.clone()),
                ("brand-subtitle", stored.subtitle.clone()),
                ("brand-primary", some(&stored.primary_color)),
                ("brand-accent", some(&stored.accent_color)),
                ("brand-login-title", some(&stored.login_title)),
                ("brand-login-text", some(&stored.login_text)),
                ("brand-footer-text", some(&stored.footer_text)),
            ]),
            logos: BTreeMap::new(),
        }
    }

    fn text(&self, id: &str) -> &str {
        self.texts.get(id).map(String::as_str).unwrap_or_default()
    }

    /// A colour field's colour, when it holds one.
    fn colour(&self, id: &str) -> Option<String> {
        colour(self.text(id)).ok().flatten()
    }

    /// The form as the API's input: an empty optional text or colour is cleared (`null`).
    fn input(&self) -> Result<update_branding::BrandingInput, Invalid> {
        let title = self.text("brand-title").trim();
        if title.is_empty() {
            return Err(Invalid("brand-title-required", "brand-title"));
        }
        let optional = |id: &str| Some(self.text(id).trim().to_owned()).filter(|t| !t.is_empty());
        let colour_of =
            |id: &'static str| colour(self.text(id)).map_err(|()| Invalid("brand-bad-colour", id));
        Ok(update_branding::BrandingInput {
            title: Some(title.to_owned()),
            subtitle: Some(self.text("brand-subtitle").trim().to_owned()),
            primary_color: colour_of("brand-primary")?,
            accent_color: colour_of("brand-accent")?,
            login_title: optional("brand-login-title"),
            login_text: optional("brand-login-text"),
            footer_text: optional("brand-footer-text"),
        })
    }

    /// Where the logo in `slot` is loaded from as the form stands: the image chosen, none
    /// when removed, else the stored one.
    fn logo(&self, slot: Slot, stored: &Stored) -> Option<String> {
        match self.logos.get(&slot) {
            Some(LogoChange::Replace(picked)) => Some(picked.data_url.clone()),
            Some(LogoChange::Remove) => None,
            None => stored
                .logos
                .iter()
                .find(|l| Slot::of(&l.slot) == slot)
                .map(|l| l.url.clone()),
        }
    }
}

/// Stores the branding, then each logo change; stops at the first refusal.
async fn save(
    input: update_branding::BrandingInput,
    logos: BTreeMap<Slot, LogoChange>,
) -> Result<(), ApiError> {
    api::run::<UpdateBranding>(update_branding::Variables { input }).await?;
    for (slot, change) in logos {
        match change {
            LogoChange::Replace(picked) => {
                api::run::<UploadLogo>(api::upload_logo::Variables {
                    slot: slot.upload(),
                    content_type: picked.content_type.clone(),
                    data_base64: picked.base64().to_owned(),
                })
                .await?;
            }
            LogoChange::Remove => {
                api::run::<RemoveLogo>(api::remove_logo::Variables {
                    slot: slot.remove(),
                })
                .await?;
            }
        }
    }
    Ok(())
}

/// A PatternFly helper text with one item of `variant` (`pf-m-warning`, …).
fn helper(id: String, variant: &'static str, text: String) -> Html {
    let icon = match variant {
        "pf-m-success" => "✓",
        "pf-m-warning" | "pf-m-error" => "⚠",
        _ => "",
    };
    html! {
        <div class="pf-v6-c-helper-text" {id} aria-live="polite">
            <div class={classes!("pf-v6-c-helper-text__item", variant)}>
                <span class="pf-v6-c-helper-text__item-icon" aria-hidden="true">{ icon }</span>
                <span class="pf-v6-c-helper-text__item-text">{ text }</span>
            </div>
        </div>
    }
}

/// What the primary colour's field says under it: whether text on it is readable enough.
fn primary_contrast(i18n: &I18n, typed: &str) -> Html {
    let id = "brand-primary-contrast".to_owned();
    match colour(typed) {
        Ok(None) => helper(id, "", i18n.t("brand-primary-default")),
        Err(()) => helper(id, "pf-m-error", i18n.t("brand-bad-colour-here")),
        Ok(Some(hex)) => {
            let Some(fill) = Rgb::parse(&hex) else {
                return html! {};
            };
            let (text, ratio) = contrast::text_on(fill);
            let readable = ratio >= AA_TEXT;
            let ratio = format!("{ratio:.1}");
            if readable {
                let text = if text == contrast::ON_BRAND_LIGHT_THEME {
                    i18n.t("brand-text-light")
                } else {
                    i18n.t("brand-text-dark")
                };
                helper(
                    id,
                    "pf-m-success",
                    i18n.t_with(
                        "brand-contrast-ok",
                        &[("text", text.into()), ("ratio", ratio.into())],
                    ),
                )
            } else {
                helper(
                    id,
                    "pf-m-warning",
                    i18n.t_with("brand-contrast-low", &[("ratio", ratio.into())]),
                )
            }
        }
    }
}

/// The masthead and the sign-in card as the form stands.
fn preview(i18n: &I18n, draft: &Draft, stored: &Stored, dark: bool) -> Html {
    let primary = draft.colour("brand-primary");
    let style = brand_style(primary.as_ref(), draft.colour("brand-accent").as_ref());
    let header = draft.logo(
        if dark {
            Slot::HeaderDark
        } else {
            Slot::HeaderLight
        },
        stored,
    );
    let title = draft.text("brand-title").to_owned();
    let optional = |id: &str| Some(draft.text(id).to_owned()).filter(|t| !t.trim().is_empty());
    html! {
        <div class={classes!("sy-preview", primary.is_none().then_some("sy-preview--pf-brand"))}
            {style} id="branding-preview" role="group" aria-labelledby="branding-preview-title">
            <h2 class="pf-v6-c-title pf-m-lg" id="branding-preview-title">{ i18n.t("brand-preview") }</h2>
            <p class="sy-muted">{ i18n.t("brand-preview-lead") }</p>
            <div class="sy-preview__masthead" id="preview-masthead">
                if let Some(src) = header {
                    <img class="sy-logo" id="preview-header-logo" {src} alt={title.clone()} />
                } else {
                    <strong class="sy-brand" id="preview-title">{ title.clone() }</strong>
                }
                <span class="pf-v6-c-button pf-m-primary pf-m-small" id="preview-button">{ i18n.t("brand-preview-button") }</span>
            </div>
            <div class="pf-v6-c-card sy-preview__login" id="preview-login">
                <div class="pf-v6-c-card__body">
                    if let Some(src) = draft.logo(Slot::Login, stored) {
                        <img class="sy-login__logo" id="preview-login-logo" {src} alt="" />
                    }
                    <p class="pf-v6-c-title pf-m-xl">{ title }</p>
                    <p>{ draft.text("brand-subtitle") }</p>
                    <p class="pf-v6-c-title pf-m-md" id="preview-login-title">
                        { optional("brand-login-title").unwrap_or_else(|| i18n.t("sign-in")) }
                    </p>
                    if let Some(text) = optional("brand-login-text") {
                        <p id="preview-login-text">{ text }</p>
                    }
                    <span class="pf-v6-c-button pf-m-primary" id="preview-sign-in">{ i18n.t("sign-in") }</span>
                </div>
                if let Some(text) = optional("brand-footer-text") {
                    <div class="pf-v6-c-card__footer sy-footer" id="preview-footer">{ text }</div>
                }
            </div>
        </div>
    }
}

/// Keeps what is typed into field `id`.
fn set_text(draft: &UseStateHandle<Draft>, id: &'static str) -> Callback<InputEvent> {
    let draft = draft.clone();
    Callback::from(move |e: InputEvent| {
        let mut next = (*draft).clone();
        next.texts.insert(id, event_value(&e));
        draft.set(next);
    })
}

/// One text field of the form.
fn text_field(
    i18n: &I18n,
    rights: &Rights,
    draft: &UseStateHandle<Draft>,
    id: &'static str,
    multiline: bool,
) -> Html {
    let value = draft.text(id).to_owned();
    let oninput = set_text(draft, id);
    let help = format!("{id}-help");
    html! {
        <div class="pf-v6-c-form__group">
            <label class="pf-v6-c-form__label" for={id}>{ i18n.t(id) }</label>
            <span class="pf-v6-c-form-control">
                if multiline {
                    <textarea {id} rows="3" {value} {oninput} readonly={!rights.write} aria-describedby={help.clone()} />
                } else {
                    <input {id} type="text" {value} {oninput} readonly={!rights.write} aria-describedby={help.clone()} />
                }
            </span>
            <p class="pf-v6-c-form__helper-text" id={help.clone()}>{ i18n.t(&help) }</p>
        </div>
    }
}

/// One colour field: the `#rrggbb` text and a picker, both editing it.
fn colour_field(
    i18n: &I18n,
    rights: &Rights,
    draft: &UseStateHandle<Draft>,
    id: &'static str,
) -> Html {
    let typed = draft.text(id).to_owned();
    let set = set_text(draft, id);
    let picked = draft
        .colour(id)
        .unwrap_or_else(|| PICKER_DEFAULT.to_owned());
    let help = format!("{id}-help");
    html! {
        <div class="pf-v6-c-form__group">
            <label class="pf-v6-c-form__label" for={id}>{ i18n.t(id) }</label>
            <div class="sy-colour">
                <span class="pf-v6-c-form-control">
                    <input {id} type="text" value={typed.clone()} oninput={set.clone()} placeholder="#0066cc"
                        readonly={!rights.write} aria-describedby={format!("{help} {id}-contrast")} />
                </span>
                <input type="color" id={format!("{id}-picker")} value={picked} oninput={set}
                    disabled={!rights.write} title={rights.why_not.clone()}
                    aria-label={i18n.t_with("brand-pick-colour", &[("field", i18n.t(id).into())])} />
            </div>
            <p class="pf-v6-c-form__helper-text" id={help.clone()}>{ i18n.t(&help) }</p>
            if id == "brand-primary" {
                { primary_contrast(i18n, &typed) }
            } else if colour(&typed).is_err() {
                { helper(format!("{id}-contrast"), "pf-m-error", i18n.t("brand-bad-colour-here")) }
            }
        </div>
    }
}

/// Properties of [`BrandingForm`].
#[derive(Properties, PartialEq)]
struct BrandingFormProps {
    stored: Stored,
    on_saved: Callback<()>,
}

/// The branding form over what is stored, and its preview.
#[component]
fn BrandingForm(props: &BrandingFormProps) -> Html {
    let i18n = use_i18n();
    let rights = use_rights();
    let theme = use_theme();
    let draft = use_state(|| Draft::of(&props.stored));
    let saving = use_saving();
    let saved = use_saved_toast("brand-saved", props.on_saved.clone());
    let onsubmit = {
        let (draft, saving, saved, i18n) =
            (draft.clone(), saving.clone(), saved.clone(), i18n.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match draft.input() {
                Ok(input) => saving.run_all(save(input, draft.logos.clone()), saved.clone()),
                Err(Invalid(message, field)) => {
                    saving.refuse(i18n.t_with(message, &[("field", i18n.t(field).into())]))
                }
            }
        })
    };
    let logo_change = |slot: Slot| {
        let draft = draft.clone();
        Callback::from(move |change: Option<LogoChange>| {
            let mut next = (*draft).clone();
            match change {
                Some(change) => next.logos.insert(slot, change),
                None => next.logos.remove(&slot),
            };
            draft.set(next);
        })
    };
    let stored_logo = |slot: Slot| {
        props
            .stored
            .logos
            .iter()
            .find(|l| Slot::of(&l.slot) == slot)
            .map(|l| l.url.clone())
    };
    html! {
        <form class="pf-v6-c-form" id="branding-form" {onsubmit} novalidate=true>
            { saving.error("branding") }
            <div class="sy-branding">
                <div class="sy-branding__fields">
                    <fieldset class="sy-fieldset" id="branding-texts">
                        <legend>{ i18n.t("brand-texts") }</legend>
                        { for TEXTS.iter().map(|(id, multiline)| text_field(&i18n, &rights, &draft, id, *multiline)) }
                    </fieldset>
                    <fieldset class="sy-fieldset" id="branding-colours">
                        <legend>{ i18n.t("brand-colours") }</legend>
                        { for COLOURS.iter().map(|id| colour_field(&i18n, &rights, &draft, id)) }
                    </fieldset>
                    <fieldset class="sy-fieldset" id="branding-logos">
                        <legend>{ i18n.t("brand-logos") }</legend>
                        <p class="sy-muted">{ i18n.t("brand-logos-lead") }</p>
                        { for Slot::ALL.into_iter().map(|slot| html! {
                            <LogoField {slot} stored={stored_logo(slot)} change={draft.logos.get(&slot).cloned()}
                                on_change={logo_change(slot)} />
                        }) }
                    </fieldset>
                </div>
                { preview(&i18n, &draft, &props.stored, theme.dark) }
            </div>
            { saving.actions("branding", &rights, i18n.t("save")) }
        </form>
    }
}

/// The branding page.
#[component]
pub fn AdminBrandingPage() -> Html {
    let i18n = use_i18n();
    let rights = use_rights();
    let portal = use_portal();
    let query = use_query::<AdminBranding>(admin_branding::Variables);
    let saved = {
        let (reload, refresh) = (query.reload.clone(), portal.refresh.clone());
        // The form starts again from what was stored, and the masthead around it follows.
        Callback::from(move |()| {
            reload.emit(());
            refresh.emit(());
        })
    };
    let content = render(&query, |data| {
        let stored = data.branding.clone();
        let draft = Draft::of(&stored);
        // A new key after each save, so the form starts again from what was stored.
        let mut key: Vec<String> = draft.texts.into_values().collect();
        key.extend(stored.logos.iter().map(|l| l.url.clone()));
        html! { <BrandingForm key={key.join("\u{1f}")} {stored} on_saved={saved.clone()} /> }
    });
    html! {
        <>
            { admin_header("branding-title", i18n.t("nav-admin-branding"), i18n.t("brand-lead"), &rights) }
            <section class="pf-v6-c-page__main-section">{ content }</section>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> Stored {
        serde_json::from_value(serde_json::json!({
            "title": "Acme AI", "subtitle": "Models for everyone", "primaryColor": "#0066cc",
            "accentColor": null, "loginTitle": null, "loginText": "Use your badge.",
            "footerText": null,
            "logos": [{ "slot": "HEADER_LIGHT", "url": "/branding/logo/header-light?v=1",
                        "contentType": "image/png", "size": 10 }]
        }))
        .unwrap()
    }

    #[test]
    fn the_stored_branding_survives_the_form_unchanged() {
        let input = Draft::of(&stored()).input().unwrap();
        assert_eq!(input.title.as_deref(), Some("Acme AI"));
        assert_eq!(input.subtitle.as_deref(), Some("Models for everyone"));
        assert_eq!(input.primary_color.as_deref(), Some("#0066cc"));
        assert_eq!(input.accent_color, None);
        assert_eq!(input.login_title, None);
        assert_eq!(input.login_text.as_deref(), Some("Use your badge."));
    }

    #[test]
    fn emptied_fields_are_cleared_and_colours_are_normalised() {
        let mut draft = Draft::of(&stored());
        draft.texts.insert("brand-login-text", "  ".into());
        draft.texts.insert("brand-primary", "".into());
        draft.texts.insert("brand-accent", "A1B2C3".into());
        let input = draft.input().unwrap();
        assert_eq!(input.login_text, None, "null clears it");
        assert_eq!(input.primary_color, None, "PatternFly's own colour");
        assert_eq!(input.accent_color.as_deref(), Some("#a1b2c3"));
    }

    #[test]
    fn a_bad_colour_or_no_title_is_named() {
        let mut draft = Draft::of(&stored());
        draft.texts.insert("brand-accent", "blue".into());
        assert_eq!(
            draft.input().err(),
            Some(Invalid("brand-bad-colour", "brand-accent"))
        );
        draft.texts.insert("brand-title", " ".into());
        assert_eq!(
            draft.input().err(),
            Some(Invalid("brand-title-required", "brand-title"))
        );
    }

    #[test]
    fn the_preview_shows_the_logo_as_the_form_stands() {
        let stored = stored();
        let mut draft = Draft::of(&stored);
        assert_eq!(
            draft.logo(Slot::HeaderLight, &stored).as_deref(),
            Some("/branding/logo/header-light?v=1")
        );
        assert_eq!(draft.logo(Slot::Login, &stored), None);
        draft.logos.insert(Slot::HeaderLight, LogoChange::Remove);
        assert_eq!(draft.logo(Slot::HeaderLight, &stored), None);
    }
}
