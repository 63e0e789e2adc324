//! Every error code exists once, in the core (`ErrorCode::as_str`), and everything else that names
//! one names one of those: the TypeScript types of the package, the README's table, the codes the
//! package's JavaScript throws and the page's hints. Read from the files themselves.

use std::collections::BTreeSet;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/{path}")).unwrap()
}

/// The strings between the quotes that follow each occurrence of `before` in `text`.
fn quoted_after(text: &str, before: &str, quote: char) -> Vec<String> {
    text.match_indices(before)
        .filter_map(|(at, _)| {
            let rest = &text[at + before.len()..];
            let rest = rest.strip_prefix(quote)?;
            Some(rest[..rest.find(quote)?].to_owned())
        })
        .collect()
}

/// The codes `ErrorCode::as_str` gives: `Self::X => "CODE"` arms, exhaustive because it compiles.
fn core_codes() -> BTreeSet<String> {
    let source = read("src/error.rs");
    let body = source.split("pub const fn as_str").nth(1).unwrap().split("\n    }\n").next().unwrap();
    let codes: BTreeSet<String> = quoted_after(body, "=> ", '"').into_iter().collect();
    assert!(codes.len() > 30 && codes.contains("TUF"), "the reader found {codes:?}");
    codes
}

#[test]
fn the_typescript_types_list_exactly_the_cores_codes() {
    let types = read("pkg/index.d.ts");
    let union = types.split("export type VerificationErrorCode =").nth(1).unwrap().split(';').next().unwrap();
    let declared: BTreeSet<String> = quoted_after(union, "| ", '\'').into_iter().collect();
    assert_eq!(declared, core_codes());
}

#[test]
fn the_readme_explains_exactly_the_cores_codes() {
    let readme = read("README.md");
    let table = readme.split("\n## Error codes\n").nth(1).unwrap().split("\n## ").next().unwrap();
    let explained: BTreeSet<String> = quoted_after(table, "\n| ", '`').into_iter().collect();
    assert_eq!(explained, core_codes());
}

#[test]
fn the_package_and_the_page_name_only_the_cores_codes() {
    let codes = core_codes();
    let mut named = Vec::new();
    for file in std::fs::read_dir(format!("{ROOT}/pkg")).unwrap() {
        let path = file.unwrap().path();
        if path.extension().is_some_and(|e| e == "js") {
            let text = std::fs::read_to_string(&path).unwrap();
            let found = quoted_after(&text, "new VerificationError(", '\'');
            named.extend(found.into_iter().map(|code| (path.display().to_string(), code)));
        }
    }
    let page = read("www/app.js");
    let hints = page.split("const CODE_HINTS = {").nth(1).unwrap().split("\n};").next().unwrap();
    for line in hints.lines().filter_map(|l| l.trim().split_once(':')) {
        named.push(("www/app.js CODE_HINTS".to_owned(), line.0.to_owned()));
    }
    named.extend(quoted_after(&page, "error?.code === ", '\'').into_iter().map(|code| ("www/app.js".to_owned(), code)));
    assert!(named.len() > 30, "the reader found {named:?}");
    let unknown: Vec<_> = named.iter().filter(|(_, code)| !codes.contains(code)).collect();
    assert!(unknown.is_empty(), "codes the core does not have: {unknown:?}");
}
