//! The layout rule of ARCHITECTURE.md, checked: inside `server/src` and `schema/src`, the
//! modules that share a parent never import each other in a circle, at any depth. Every
//! `crate::`, `super::` and `self::` path of every file (test modules aside) is resolved to
//! the module it names; an edge from a file to a module outside its own ancestry counts as an
//! edge between the two sibling modules below their common ancestor. A loop among siblings is
//! reported with the files and paths that make it.
//!
//! Run alone: `cargo test -p switchyard-tests --test layout`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use syn::visit::Visit;

type ModPath = Vec<String>;

/// One file of a crate: its module path and the module paths its code names.
struct SourceFile {
    file: String,
    module: ModPath,
    uses: Vec<ModPath>,
}

/// Every path a file names that starts at `crate`, `super` or `self`, made absolute.
struct PathCollector<'a> {
    module: &'a [String],
    found: Vec<ModPath>,
}

impl PathCollector<'_> {
    fn absolute(&self, segments: &[String]) -> Option<ModPath> {
        let mut base: ModPath = self.module.to_vec();
        let mut rest = segments;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                base.clear();
                rest = &rest[1..];
            }
            Some("self") => rest = &rest[1..],
            Some("super") => {
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
            }
            _ => return None,
        }
        base.extend(rest.iter().cloned());
        Some(base)
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => self.record(prefix, Some(name.ident.to_string())),
            syn::UseTree::Rename(rename) => self.record(prefix, Some(rename.ident.to_string())),
            syn::UseTree::Glob(_) => self.record(prefix, None),
            syn::UseTree::Group(group) => {
                for item in &group.items {
                    self.use_tree(prefix, item);
                }
            }
        }
    }

    fn record(&mut self, prefix: &[String], last: Option<String>) {
        let mut segments = prefix.to_vec();
        segments.extend(last.filter(|name| name != "self"));
        if let Some(path) = self.absolute(&segments) {
            self.found.push(path);
        }
    }
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .meta
                .require_list()
                .is_ok_and(|list| list.tokens.to_string() == "test")
    })
}

impl<'ast> Visit<'ast> for PathCollector<'_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if !is_test_only(&item.attrs) {
            syn::visit::visit_item_mod(self, item);
        }
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if !is_test_only(&item.attrs) {
            syn::visit::visit_item_fn(self, item);
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(path) = self.absolute(&segments) {
            self.found.push(path);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // Paths inside macro calls (`tracing::info!(…)`, `json!(…)`) are tokens, not syntax:
        // read the ones that start at `crate`/`super`/`self` from the token text.
        let text = mac.tokens.to_string().replace(' ', "");
        for start in ["crate::", "super::", "self::"] {
            for (at, _) in text.match_indices(start) {
                let before = text[..at].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                let segments: Vec<String> = text[at..]
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .next()
                    .unwrap_or_default()
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
                if let Some(path) = self.absolute(&segments) {
                    self.found.push(path);
                }
            }
        }
        syn::visit::visit_macro(self, mac);
    }
}

fn read_crate(root: &Path) -> Vec<SourceFile> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "rs") {
                continue;
            }
            let relative = path.strip_prefix(root).unwrap();
            let mut module: ModPath = relative
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let is_mod_rs = module.last().is_some_and(|last| last == "mod");
            if is_mod_rs || module == ["lib"] {
                module.pop();
            }
            if module == ["main"] || module.last().is_some_and(|last| last == "tests") {
                // `main.rs` is its own crate; `tests` modules are test code.
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            let syntax = syn::parse_file(&source)
                .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
            let mut collector = PathCollector {
                module: &module,
                found: Vec::new(),
            };
            collector.visit_file(&syntax);
            files.push(SourceFile {
                file: relative.display().to_string(),
                uses: collector.found,
                module,
            });
        }
    }
    files
}

/// The loops among sibling modules, each with the `file -> module` references that close it.
fn sibling_loops(files: &[SourceFile]) -> Vec<String> {
    let modules: BTreeSet<ModPath> = files.iter().map(|f| f.module.clone()).collect();
    // (parent, from child, to child) -> the references behind that edge.
    let mut edges: BTreeMap<(ModPath, String, String), BTreeSet<String>> = BTreeMap::new();
    for file in files {
        for used in &file.uses {
            // The deepest module the path names (the rest is an item inside it).
            let target = (0..=used.len())
                .rev()
                .map(|n| used[..n].to_vec())
                .find(|prefix| modules.contains(prefix))
                .unwrap_or_default();
            let common = file
                .module
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            if common == file.module.len() || common == target.len() {
                continue; // an ancestor or a descendant: the parent owns its children
            }
            let parent = target[..common].to_vec();
            edges
                .entry((parent, file.module[common].clone(), target[common].clone()))
                .or_default()
                .insert(format!("{} -> {}", file.file, target.join("::")));
        }
    }
    let parents: BTreeSet<ModPath> = edges.keys().map(|(parent, _, _)| parent.clone()).collect();
    let mut loops = Vec::new();
    for parent in parents {
        let graph: BTreeMap<&str, Vec<&str>> = edges.keys().filter(|(p, _, _)| *p == parent).fold(
            BTreeMap::new(),
            |mut graph, (_, from, to)| {
                graph
                    .entry(from.as_str())
                    .or_insert_with(Vec::new)
                    .push(to.as_str());
                graph
            },
        );
        for component in strongly_connected(&graph) {
            let members: BTreeSet<&str> = component.iter().copied().collect();
            let mut why = Vec::new();
            for ((p, from, to), refs) in &edges {
                if *p == parent && members.contains(from.as_str()) && members.contains(to.as_str())
                {
                    why.extend(refs.iter().cloned());
                }
            }
            loops.push(format!(
                "in `{}`: {} import each other:\n    {}",
                if parent.is_empty() {
                    "crate".to_owned()
                } else {
                    parent.join("::")
                },
                component.join(", "),
                why.join("\n    ")
            ));
        }
    }
    loops
}

/// Components of more than one node (Tarjan's algorithm, recursive: module graphs are small).
fn strongly_connected<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>) -> Vec<Vec<&'a str>> {
    struct State<'a> {
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(node: &'a str, graph: &BTreeMap<&'a str, Vec<&'a str>>, s: &mut State<'a>) {
        let n = s.index.len();
        s.index.insert(node, n);
        s.low.insert(node, n);
        s.stack.push(node);
        s.on_stack.insert(node);
        for &next in graph.get(node).map(Vec::as_slice).unwrap_or_default() {
            if !s.index.contains_key(next) {
                visit(next, graph, s);
                let low = s.low[node].min(s.low[next]);
                s.low.insert(node, low);
            } else if s.on_stack.contains(next) {
                let low = s.low[node].min(s.index[next]);
                s.low.insert(node, low);
            }
        }
        if s.low[node] == s.index[node] {
            let mut component = Vec::new();
            while let Some(top) = s.stack.pop() {
                s.on_stack.remove(top);
                component.push(top);
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort_unstable();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for &node in graph.keys() {
        if !state.index.contains_key(node) {
            visit(node, graph, &mut state);
        }
    }
    state.found
}

fn assert_no_loops(krate: &str) {
    let files = read_crate(&harness::workspace_root().join(krate));
    assert!(files.len() > 10, "{krate} was not read");
    let loops = sibling_loops(&files);
    assert!(
        loops.is_empty(),
        "{krate} has {} import loop(s) among sibling modules (ARCHITECTURE.md, \"Layout rules\"):\n{}",
        loops.len(),
        loops.join("\n")
    );
}

#[test]
fn the_server_has_no_import_loops() {
    assert_no_loops("server/src");
}

#[test]
fn the_schema_domains_have_no_import_loops() {
    assert_no_loops("schema/src");
}

#[test]
fn a_loop_is_found_and_explained() {
    let file = |name: &str, module: &[&str], uses: &[&[&str]]| SourceFile {
        file: name.to_owned(),
        module: module.iter().map(|s| (*s).to_owned()).collect(),
        uses: uses
            .iter()
            .map(|u| u.iter().map(|s| (*s).to_owned()).collect())
            .collect(),
    };
    let files = vec![
        file("lib.rs", &[], &[&["a"], &["b"]]),
        file("a/mod.rs", &["a"], &[&["a", "x", "Item"]]),
        file("a/x.rs", &["a", "x"], &[&["b", "Thing"], &["a", "Parent"]]),
        file("b.rs", &["b"], &[&["a", "x", "f"]]),
        file("c.rs", &["c"], &[&["a"], &["b"]]),
    ];
    let loops = sibling_loops(&files);
    assert_eq!(loops.len(), 1, "{loops:?}");
    assert!(loops[0].contains("in `crate`: a, b"), "{}", loops[0]);
    assert!(loops[0].contains("a/x.rs -> b"), "{}", loops[0]);
    assert!(loops[0].contains("b.rs -> a::x"), "{}", loops[0]);
    // Without b's reference back, the parent/child references alone make no loop.
    let files: Vec<SourceFile> = files.into_iter().filter(|f| f.file != "b.rs").collect();
    assert!(sibling_loops(&files).is_empty());
}
