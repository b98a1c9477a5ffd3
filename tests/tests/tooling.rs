//! The offline build pins: Trunk runs the wasm-bindgen CLI named in Trunk.toml, which must
//! be exactly the `wasm-bindgen` crate version locked in Cargo.lock.

fn read(path: &str) -> String {
    std::fs::read_to_string(harness::workspace_root().join(path)).unwrap()
}

fn quoted_value_after<'a>(text: &'a str, key: &str) -> &'a str {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(key))
        .unwrap_or_else(|| panic!("no `{key}` line"));
    line.split('"')
        .nth(1)
        .unwrap_or_else(|| panic!("no quoted value on: {line}"))
}

#[test]
fn the_wasm_bindgen_cli_pin_equals_the_locked_crate() {
    let trunk = read("Trunk.toml");
    let pinned = quoted_value_after(&trunk, "wasm_bindgen");
    let lock = read("Cargo.lock");
    let locked = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"wasm-bindgen\"\n"))
        .map(|p| quoted_value_after(p, "version"))
        .expect("wasm-bindgen in Cargo.lock");
    assert_eq!(
        pinned, locked,
        "Trunk.toml [tools] wasm_bindgen must equal Cargo.lock"
    );
}

#[test]
fn the_frontend_pins_wasm_bindgen_exactly() {
    let manifest = read("frontend/Cargo.toml");
    let pin = quoted_value_after(&manifest, "wasm-bindgen =");
    let trunk = read("Trunk.toml");
    assert_eq!(
        pin,
        format!("={}", quoted_value_after(&trunk, "wasm_bindgen"))
    );
}
