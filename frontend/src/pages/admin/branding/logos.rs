//! The logo slots of the branding page: the stored logo, or the image just chosen (read in
//! the browser and shown before anything is uploaded), or its removal; each waits for Save.

use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::api::{admin_branding, remove_logo, upload_logo};
use crate::i18n::use_i18n;
use crate::pages::admin::use_rights;

/// The largest logo the server takes (`schema::branding::MAX_LOGO_BYTES`), checked here
/// first so a person learns it before uploading.
const MAX_LOGO_BYTES: f64 = 512.0 * 1024.0;
/// The image types the server takes (it checks the bytes too).
const LOGO_TYPES: &[&str] = &["image/png", "image/jpeg", "image/webp", "image/svg+xml"];

/// Where a logo is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    Login,
    HeaderLight,
    HeaderDark,
}

impl Slot {
    /// Every slot, in the page's order.
    pub const ALL: [Self; 3] = [Self::HeaderLight, Self::HeaderDark, Self::Login];

    /// Its part of element and message ids.
    fn id(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::HeaderLight => "header-light",
            Self::HeaderDark => "header-dark",
        }
    }

    /// The slot of a stored logo.
    pub fn of(slot: &admin_branding::LogoSlot) -> Self {
        match slot {
            admin_branding::LogoSlot::LOGIN => Self::Login,
            admin_branding::LogoSlot::HEADER_DARK => Self::HeaderDark,
            _ => Self::HeaderLight,
        }
    }

    /// The slot as the upload operation names it.
    pub fn upload(self) -> upload_logo::LogoSlot {
        match self {
            Self::Login => upload_logo::LogoSlot::LOGIN,
            Self::HeaderLight => upload_logo::LogoSlot::HEADER_LIGHT,
            Self::HeaderDark => upload_logo::LogoSlot::HEADER_DARK,
        }
    }

    /// The slot as the remove operation names it.
    pub fn remove(self) -> remove_logo::LogoSlot {
        match self {
            Self::Login => remove_logo::LogoSlot::LOGIN,
            Self::HeaderLight => remove_logo::LogoSlot::HEADER_LIGHT,
            Self::HeaderDark => remove_logo::LogoSlot::HEADER_DARK,
        }
    }
}

/// An image chosen in the browser, not yet uploaded.
#[derive(Clone, Debug, PartialEq)]
pub struct Picked {
    pub content_type: String,
    /// `data:<type>;base64,<bytes>`: the preview's `src`, and the upload.
    pub data_url: String,
}

impl Picked {
    /// The image's bytes, base64-encoded (what `uploadLogo` takes).
    pub fn base64(&self) -> &str {
        self.data_url
            .split_once(',')
            .map(|(_, data)| data)
            .unwrap_or_default()
    }
}

/// A change to a slot that Save will make.
#[derive(Clone, Debug, PartialEq)]
pub enum LogoChange {
    Replace(Picked),
    Remove,
}

/// Why a chosen file is refused before upload: its message id.
fn refusal(content_type: &str, size: f64) -> Option<&'static str> {
    if !LOGO_TYPES.contains(&content_type) {
        Some("brand-logo-bad-type")
    } else if size > MAX_LOGO_BYTES || size == 0.0 {
        Some("brand-logo-too-big")
    } else {
        None
    }
}

/// Reads `file` as a `data:` URL (the browser's `FileReader`).
async fn read_data_url(file: &web_sys::File) -> Result<String, JsValue> {
    let reader = web_sys::FileReader::new()?;
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        reader.set_onload(Some(&resolve));
        reader.set_onerror(Some(&reject));
    });
    reader.read_as_data_url(file)?;
    wasm_bindgen_futures::JsFuture::from(loaded).await?;
    reader
        .result()?
        .as_string()
        .ok_or_else(|| JsValue::from_str("the file was not read as text"))
}

/// Properties of [`LogoField`].
#[derive(Properties, PartialEq)]
pub struct LogoFieldProps {
    pub slot: Slot,
    /// Where the stored logo is served, if there is one.
    pub stored: Option<String>,
    /// What Save will do to this slot.
    pub change: Option<LogoChange>,
    /// A new change, or `None` to keep what is stored.
    pub on_change: Callback<Option<LogoChange>>,
}

/// One logo slot: what it will show, a file to choose, remove and undo.
#[component]
pub fn LogoField(props: &LogoFieldProps) -> Html {
    let i18n = use_i18n();
    let rights = use_rights();
    let error = use_state(|| None::<&'static str>);
    let slot = props.slot.id();
    let file_id = format!("logo-{slot}-file");
    let onchange = {
        let (error, on_change) = (error.clone(), props.on_change.clone());
        Callback::from(move |e: Event| {
            let Some(file) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|input| input.files())
                .and_then(|files| files.get(0))
            else {
                return;
            };
            let content_type = file.type_();
            if let Some(why) = refusal(&content_type, file.size()) {
                error.set(Some(why));
                return;
            }
            let (error, on_change) = (error.clone(), on_change.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match read_data_url(&file).await {
                    Ok(data_url) => {
                        error.set(None);
                        on_change.emit(Some(LogoChange::Replace(Picked {
                            content_type,
                            data_url,
                        })));
                    }
                    Err(_) => error.set(Some("brand-logo-unreadable")),
                }
            });
        })
    };
    let (shown, state) = match &props.change {
        Some(LogoChange::Replace(picked)) => {
            (Some(picked.data_url.clone()), "brand-logo-state-new")
        }
        Some(LogoChange::Remove) => (None, "brand-logo-state-removed"),
        None if props.stored.is_some() => (props.stored.clone(), "brand-logo-state-saved"),
        None => (None, "brand-logo-state-none"),
    };
    let set = |change: Option<LogoChange>| {
        let on_change = props.on_change.clone();
        Callback::from(move |_: MouseEvent| on_change.emit(change.clone()))
    };
    let help = format!("logo-{slot}-help");
    html! {
        <div class="pf-v6-c-form__group sy-logo-slot" id={format!("logo-{slot}")}>
            <label class="pf-v6-c-form__label" for={file_id.clone()}>{ i18n.t(&format!("brand-logo-{slot}")) }</label>
            <div class="sy-logo-slot__row">
                <div class={classes!("sy-logo-slot__image", (props.slot == Slot::HeaderDark).then_some("sy-logo-slot__image--dark"))}>
                    if let Some(src) = shown {
                        <img {src} id={format!("logo-{slot}-image")} alt={i18n.t(&format!("brand-logo-{slot}"))} />
                    }
                </div>
                <div class="sy-logo-slot__controls">
                    <p class="sy-muted" id={format!("logo-{slot}-state")}>{ i18n.t(state) }</p>
                    <input type="file" id={file_id} accept={LOGO_TYPES.join(",")} {onchange}
                        disabled={!rights.write} title={rights.why_not.clone()} aria-describedby={help.clone()} />
                    <div class="sy-actions">
                        if props.stored.is_some() && props.change != Some(LogoChange::Remove) {
                            <button class="pf-v6-c-button pf-m-secondary pf-m-small" type="button" id={format!("logo-{slot}-remove")}
                                disabled={!rights.write} title={rights.why_not.clone()} onclick={set(Some(LogoChange::Remove))}>
                                { i18n.t("brand-logo-remove") }
                            </button>
                        }
                        if props.change.is_some() {
                            <button class="pf-v6-c-button pf-m-link pf-m-small" type="button" id={format!("logo-{slot}-undo")}
                                disabled={!rights.write} onclick={set(None)}>{ i18n.t("brand-logo-undo") }</button>
                        }
                    </div>
                </div>
            </div>
            <p class="pf-v6-c-form__helper-text" id={help}>{ i18n.t(&format!("brand-logo-{slot}-help")) }</p>
            if let Some(why) = *error {
                <p class="pf-v6-c-form__helper-text pf-m-error" role="alert" id={format!("logo-{slot}-error")}>{ i18n.t(why) }</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_the_server_would_refuse_are_refused_first() {
        assert_eq!(refusal("image/png", 2_048.0), None);
        assert_eq!(refusal("image/svg+xml", MAX_LOGO_BYTES), None);
        assert_eq!(
            refusal("image/png", MAX_LOGO_BYTES + 1.0),
            Some("brand-logo-too-big")
        );
        assert_eq!(refusal("image/gif", 10.0), Some("brand-logo-bad-type"));
    }

    #[test]
    fn the_upload_is_the_data_url_without_its_header() {
        let picked = Picked {
            content_type: "image/png".into(),
            data_url: "data:image/png;base64,iVBORw0KGgo=".into(),
        };
        assert_eq!(picked.base64(), "iVBORw0KGgo=");
    }
}
