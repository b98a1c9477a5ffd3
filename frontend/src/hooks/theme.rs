//! Light and dark: PatternFly's dark theme class on `<html>`, following the system setting
//! until the person picks one, which `localStorage` remembers.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

/// PatternFly 6's dark theme class.
const DARK_CLASS: &str = "pf-v6-theme-dark";
/// Where the choice is remembered.
const STORAGE_KEY: &str = "sy-theme";

/// What the person chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeChoice {
    /// Whatever the system says.
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    /// From the stored form (anything else: the system's).
    pub fn parse(text: &str) -> Self {
        match text {
            "light" => Self::Light,
            "dark" => Self::Dark,
            _ => Self::System,
        }
    }

    /// Whether pages are dark under this choice when the system prefers `system_dark`.
    pub fn is_dark(self, system_dark: bool) -> bool {
        match self {
            Self::System => system_dark,
            Self::Light => false,
            Self::Dark => true,
        }
    }
}

/// The theme in force.
#[derive(Clone, PartialEq)]
pub struct Theme {
    pub choice: ThemeChoice,
    /// Pages are dark now.
    pub dark: bool,
    /// Picks another theme (and remembers it).
    pub set: Callback<ThemeChoice>,
}

fn system_query() -> Option<web_sys::MediaQueryList> {
    web_sys::window()?
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
}

fn stored_choice() -> ThemeChoice {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .map_or(ThemeChoice::System, |v| ThemeChoice::parse(&v))
}

/// Properties of [`ThemeProvider`].
#[derive(Properties, PartialEq)]
pub struct ThemeProviderProps {
    pub children: Html,
}

/// Applies the theme and provides [`Theme`].
#[component]
pub fn ThemeProvider(props: &ThemeProviderProps) -> Html {
    let choice = use_state(stored_choice);
    let system_dark = use_state(|| system_query().is_some_and(|q| q.matches()));
    {
        let system_dark = system_dark.clone();
        use_effect_with((), move |()| {
            let query = system_query();
            let listener = Closure::<dyn Fn()>::new(move || {
                system_dark.set(system_query().is_some_and(|q| q.matches()));
            });
            if let Some(query) = &query {
                let _ = query
                    .add_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(query) = &query {
                    let _ = query.remove_event_listener_with_callback(
                        "change",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }
    let dark = choice.is_dark(*system_dark);
    use_effect_with(dark, |dark| {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let classes = root.class_list();
            let _ = if *dark {
                classes.add_1(DARK_CLASS)
            } else {
                classes.remove_1(DARK_CLASS)
            };
        }
    });
    let set = {
        let choice = choice.clone();
        Callback::from(move |next: ThemeChoice| {
            if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten())
            {
                let _ = storage.set_item(STORAGE_KEY, next.as_str());
            }
            choice.set(next);
        })
    };
    let theme = Theme {
        choice: *choice,
        dark,
        set,
    };
    html! {
        <ContextProvider<Theme> context={theme}>{ props.children.clone() }</ContextProvider<Theme>>
    }
}

/// The theme in force.
#[hook]
pub fn use_theme() -> Theme {
    use_context::<Theme>().unwrap_or_else(|| Theme {
        choice: ThemeChoice::System,
        dark: false,
        set: Callback::noop(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choice_round_trips_and_system_follows_the_system() {
        for choice in [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark] {
            assert_eq!(ThemeChoice::parse(choice.as_str()), choice);
        }
        assert_eq!(ThemeChoice::parse("purple"), ThemeChoice::System);
        assert!(ThemeChoice::System.is_dark(true));
        assert!(!ThemeChoice::System.is_dark(false));
        assert!(ThemeChoice::Dark.is_dark(false));
        assert!(!ThemeChoice::Light.is_dark(true));
    }
}
