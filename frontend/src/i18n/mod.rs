//! Translations with Project Fluent: every string a person reads comes from
//! `frontend/locales/<lang>.ftl`, compiled into the wasm (a few kilobytes each, so switching
//! language needs no request). The browser's languages pick the default; the account menu's
//! picker overrides it and is remembered in `localStorage`.

use std::rc::Rc;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use yew::prelude::*;

/// The languages the portal speaks: tag and the language's own name.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("it", "Italiano"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("zh-CN", "简体中文"),
];

/// Each language's message file.
pub const SOURCES: &[(&str, &str)] = &[
    ("en", include_str!("../../locales/en.ftl")),
    ("es", include_str!("../../locales/es.ftl")),
    ("fr", include_str!("../../locales/fr.ftl")),
    ("de", include_str!("../../locales/de.ftl")),
    ("it", include_str!("../../locales/it.ftl")),
    ("ja", include_str!("../../locales/ja.ftl")),
    ("ko", include_str!("../../locales/ko.ftl")),
    ("zh-CN", include_str!("../../locales/zh-CN.ftl")),
];

/// Where the chosen language is remembered.
const STORAGE_KEY: &str = "sy-language";

/// The supported language closest to the first of `preferred` that matches one (a region
/// variant matches its language: `de-AT` → `de`; any Chinese → `zh-CN`), else English.
pub fn pick_language(preferred: &[String]) -> &'static str {
    for wanted in preferred {
        let wanted = wanted.to_ascii_lowercase();
        let base = wanted.split(['-', '_']).next().unwrap_or_default();
        if let Some((tag, _)) = LANGUAGES
            .iter()
            .find(|(tag, _)| tag.to_ascii_lowercase() == wanted)
            .or_else(|| {
                LANGUAGES
                    .iter()
                    .find(|(tag, _)| tag.split('-').next() == Some(base))
            })
        {
            return tag;
        }
    }
    "en"
}

/// One language's messages, ready to format.
pub struct Translator {
    language: &'static str,
    bundle: FluentBundle<FluentResource>,
}

impl Translator {
    /// The translator for `language` (English for a tag the portal does not speak).
    pub fn new(language: &str) -> Self {
        let (language, source) = SOURCES
            .iter()
            .find(|(tag, _)| *tag == language)
            .copied()
            .unwrap_or(SOURCES[0]);
        let id = language.parse().unwrap_or_default();
        let mut bundle = FluentBundle::new(vec![id]);
        // No bidi isolation marks around arguments: the portal's languages are all LTR.
        bundle.set_use_isolating(false);
        let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
        // A message defined twice keeps its first definition; the locale test catches it.
        let _ = bundle.add_resource(resource);
        Self { language, bundle }
    }

    /// The language tag.
    pub fn language(&self) -> &'static str {
        self.language
    }

    /// Message `id` (the id itself when missing, so a gap shows rather than hides).
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// Message `id` with arguments.
    pub fn t_with(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        self.format(id, Some(&fluent_args))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }
}

/// The current language, shared through context; cheap to clone.
#[derive(Clone)]
pub struct I18n {
    translator: Rc<Translator>,
    /// Switches the portal to another language (and remembers it).
    pub set_language: Callback<&'static str>,
}

impl PartialEq for I18n {
    fn eq(&self, other: &Self) -> bool {
        self.translator.language == other.translator.language
    }
}

impl std::ops::Deref for I18n {
    type Target = Translator;
    fn deref(&self) -> &Translator {
        &self.translator
    }
}

/// The language to start with: the remembered choice, else the browser's.
fn initial_language() -> &'static str {
    let window = web_sys::window();
    let stored = window
        .as_ref()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    if let Some(stored) = stored
        && let Some((tag, _)) = LANGUAGES.iter().find(|(tag, _)| *tag == stored)
    {
        return tag;
    }
    let preferred: Vec<String> = window
        .map(|w| w.navigator().languages())
        .map(|list| list.iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default();
    pick_language(&preferred)
}

/// Properties of [`I18nProvider`].
#[derive(Properties, PartialEq)]
pub struct I18nProviderProps {
    pub children: Html,
}

/// Provides [`I18n`] to everything inside it and keeps `<html lang>` in step.
#[component]
pub fn I18nProvider(props: &I18nProviderProps) -> Html {
    let language = use_state(initial_language);
    let translator = use_memo(*language, |language| Translator::new(language));
    let set_language = {
        let language = language.clone();
        Callback::from(move |tag: &'static str| {
            if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten())
            {
                // Not remembering (private mode) still switches for this page.
                let _ = storage.set_item(STORAGE_KEY, tag);
            }
            language.set(tag);
        })
    };
    use_effect_with(*language, |language| {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", language);
        }
    });
    let i18n = I18n {
        translator,
        set_language,
    };
    html! {
        <ContextProvider<I18n> context={i18n}>{ props.children.clone() }</ContextProvider<I18n>>
    }
}

/// The current language's translator.
#[hook]
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n {
        translator: Rc::new(Translator::new("en")),
        set_language: Callback::noop(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use fluent_bundle::FluentResource;
    use fluent_syntax::ast::Entry;

    use super::*;

    /// Message ids and, for each, its attribute names.
    fn keys(source: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source.to_owned())
            .unwrap_or_else(|(_, errors)| panic!("the file does not parse: {errors:?}"));
        let mut keys = BTreeSet::new();
        for entry in resource.entries() {
            if let Entry::Message(message) = entry {
                keys.insert(message.id.name.to_owned());
                for attribute in &message.attributes {
                    keys.insert(format!("{}.{}", message.id.name, attribute.id.name));
                }
            }
        }
        keys
    }

    #[test]
    fn every_language_has_exactly_the_messages_english_has() {
        let english = keys(SOURCES[0].1);
        assert!(
            english.len() > 100,
            "English has {} messages",
            english.len()
        );
        for (tag, source) in SOURCES {
            let other = keys(source);
            let missing: Vec<_> = english.difference(&other).collect();
            let extra: Vec<_> = other.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{tag}: missing {missing:?}, not in English {extra:?}"
            );
        }
        assert_eq!(LANGUAGES.len(), SOURCES.len());
    }

    #[test]
    fn every_message_formats_without_errors_in_every_language() {
        for (tag, _) in SOURCES {
            let translator = Translator::new(tag);
            assert_eq!(translator.language(), *tag);
            for id in keys(SOURCES[0].1).iter().filter(|k| !k.contains('.')) {
                let text = translator.t(id);
                assert!(!text.is_empty(), "{tag}: {id} is empty");
            }
        }
    }

    #[test]
    fn the_browser_languages_pick_the_closest_supported_one() {
        let langs = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(pick_language(&langs(&["de-AT", "en"])), "de");
        assert_eq!(pick_language(&langs(&["pt-BR", "fr-CA"])), "fr");
        assert_eq!(pick_language(&langs(&["zh-TW"])), "zh-CN");
        assert_eq!(pick_language(&langs(&["zh-cn"])), "zh-CN");
        assert_eq!(pick_language(&langs(&["ru"])), "en");
        assert_eq!(pick_language(&[]), "en");
    }

    #[test]
    fn arguments_and_plurals_are_filled_in() {
        let english = Translator::new("en");
        assert_eq!(
            english.t_with("keys-count", &[("count", FluentValue::from(1))]),
            "1 key"
        );
        assert_eq!(
            english.t_with("keys-count", &[("count", FluentValue::from(3))]),
            "3 keys"
        );
        assert_eq!(english.t("no-such-message"), "no-such-message");
        assert_eq!(Translator::new("xx").language(), "en");
    }
}
