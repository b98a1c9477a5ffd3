//! The checked-in SDL (`schema/schema.graphql`) is what the frontend's typed operations are
//! generated from, so it must equal the live schema. Regenerate it with
//! `UPDATE_SDL=1 cargo test -p switchyard-schema --test sdl`.

#[test]
fn checked_in_sdl_matches_the_live_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let live = schema::sdl();
    if std::env::var_os("UPDATE_SDL").is_some() {
        std::fs::write(path, &live).unwrap();
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == live,
        "schema/schema.graphql differs from the live schema; regenerate it with \
         `UPDATE_SDL=1 cargo test -p switchyard-schema --test sdl` and commit it"
    );
}
