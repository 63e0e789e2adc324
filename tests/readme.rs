//! The README's Rust examples are code the suite compiles: the first is the body of
//! `examples/verify_bundle.rs` (which `scripts/test.sh` also runs), the second a doctest of the
//! crate's documentation (`src/lib.rs`).

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The ```rust blocks of the README's "Rust API" section.
fn readme_examples() -> Vec<String> {
    let readme = std::fs::read_to_string(format!("{ROOT}/README.md")).unwrap();
    let section = readme.split("\n## Rust API\n").nth(1).unwrap().split("\n## ").next().unwrap();
    section.split("```rust\n").skip(1).map(|block| block.split("```").next().unwrap().to_owned()).collect()
}

/// Whether every line of `example` is in `code`, in the same order (the code may have more).
fn holds_in_order(example: &str, code: &str) -> Result<(), String> {
    let mut rest = code;
    for line in example.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match rest.find(line) {
            Some(at) => rest = &rest[at + line.len()..],
            None => return Err(format!("not found (in order): {line}")),
        }
    }
    Ok(())
}

#[test]
fn the_readme_shows_the_example_program() {
    let examples = readme_examples();
    assert_eq!(examples.len(), 2, "the README's Rust API section has two Rust examples");
    let program = std::fs::read_to_string(format!("{ROOT}/examples/verify_bundle.rs")).unwrap();
    holds_in_order(&examples[0], &program).unwrap();
}

#[test]
fn the_readme_shows_the_crates_session_doctest() {
    let lib = std::fs::read_to_string(format!("{ROOT}/src/lib.rs")).unwrap();
    let doc: String = lib.lines().filter_map(|l| l.strip_prefix("//! ")).collect::<Vec<_>>().join("\n");
    holds_in_order(&readme_examples()[1], &doc).unwrap();
}
