//! Which models a key reaches. Portal keys list model names (narrowed to their owner's
//! subscriptions); admin-API keys list what LiteLLM's `models` field holds, unvalidated:
//! public names, `"*"` or `"all-proxy-models"` for every model, `"openai/*"`-style patterns,
//! and access-group names (`model_info.access_groups`). The gateway asks [`ModelAccess::allows`]
//! with a model's name and groups, so a name that matches nothing today takes effect when such
//! a model appears.

use std::collections::HashSet;

/// The `models` entries that mean every model.
const EVERY_MODEL: [&str; 2] = ["*", "all-proxy-models"];

/// The models a key may call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelAccess {
    every: bool,
    names: HashSet<String>,
    groups: HashSet<String>,
    /// Patterns in which `*` matches any run of characters.
    patterns: Vec<String>,
}

impl ModelAccess {
    /// Every model.
    pub fn every() -> Self {
        Self {
            every: true,
            ..Self::default()
        }
    }

    /// Exactly the models called `names` (no patterns, no groups).
    pub fn named(names: impl IntoIterator<Item = String>) -> Self {
        Self {
            names: names.into_iter().collect(),
            ..Self::default()
        }
    }

    /// A LiteLLM `models` list as given. An empty list reaches nothing here; whether it means
    /// every model is the key's `all_models` flag, set when the key is made.
    pub fn litellm(given: &[String]) -> Self {
        let mut access = Self::default();
        for entry in given {
            let entry = entry.trim();
            if EVERY_MODEL.contains(&entry) {
                access.every = true;
            } else if entry.contains('*') {
                access.patterns.push(entry.to_owned());
            } else {
                // LiteLLM reads a listed name as a model or as an access group.
                access.names.insert(entry.to_owned());
                access.groups.insert(entry.to_owned());
            }
        }
        access
    }

    /// This access, or every model when `every` is set.
    pub fn or_every(mut self, every: bool) -> Self {
        self.every |= every;
        self
    }

    /// Whether every model is reachable.
    pub fn reaches_every_model(&self) -> bool {
        self.every
    }

    /// Whether the model called `name`, in access groups `groups`, may be called.
    pub fn allows(&self, name: &str, groups: &[String]) -> bool {
        self.every
            || self.names.contains(name)
            || groups.iter().any(|group| self.groups.contains(group))
            || self.patterns.iter().any(|pattern| glob(pattern, name))
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters (LiteLLM turns
/// `*` into `.*` and matches the whole name). Linear in practice: the last `*` seen is the only
/// place to back up to.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((star_p, star_t)) = star {
            pi = star_p + 1;
            ti = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(list: &[&str]) -> ModelAccess {
        ModelAccess::litellm(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn patterns_match_whole_names_with_stars_anywhere() {
        assert!(glob("openai/*", "openai/granite"));
        assert!(glob("openai/*", "openai/"));
        assert!(!glob("openai/*", "hosted_vllm/granite"));
        assert!(!glob("openai/*", "openai"));
        assert!(glob("*-instruct", "granite-3-2-8b-instruct"));
        assert!(!glob("*-instruct", "granite-3-2-8b-instruct-v2"));
        assert!(glob("gran*8b*", "granite-3-2-8b-instruct"));
        assert!(glob("a*b*c", "aXbYbZc"));
        assert!(!glob("a*b*c", "aXbYbZ"));
        assert!(glob("**", ""));
        assert!(!glob("exact", "exact2"));
        assert!(glob("ünï*", "ünïcode"));
    }

    #[test]
    fn litellm_lists_reach_names_groups_patterns_and_everything() {
        let key = given(&["openai/granite-3-2-8b-instruct", "mistral-*", "team-a"]);
        assert!(key.allows("openai/granite-3-2-8b-instruct", &[]));
        assert!(!key.allows("granite-3-2-8b-instruct", &[]));
        assert!(key.allows("mistral-small", &[]));
        assert!(key.allows("llama", &["team-b".into(), "team-a".into()]));
        assert!(!key.allows("llama", &["team-b".into()]));
        assert!(!key.reaches_every_model());

        for every in ["*", "all-proxy-models", " * "] {
            assert!(given(&[every]).allows("anything", &[]));
        }
        assert!(
            !given(&[]).allows("anything", &[]),
            "empty reaches nothing by itself"
        );
        assert!(given(&[]).or_every(true).allows("anything", &[]));
    }

    #[test]
    fn portal_names_are_not_groups() {
        let key = ModelAccess::named(["granite".to_string()]);
        assert!(key.allows("granite", &[]));
        assert!(!key.allows("llama", &["granite".into()]));
        assert!(!key.allows("gran*", &[]));
    }
}
