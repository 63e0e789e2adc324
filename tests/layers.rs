//! The core's layers, as the README's "Layers" table draws them: every file of `src/` is in one
//! layer, imports only from its own layer or those below it, and no files import each other
//! around a circle. Read from the code itself: its `use` lines and its `crate::` and `super::`
//! paths (comments and `#[cfg(test)]` modules left out), an item that a `mod.rs` re-exports
//! counted for the file that defines it. A new file must be given its layer in the README; a new
//! import must look down.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");

/// The README's table: `| layer | files |` rows under `### Layers`, the top layer first. A file
/// is a path under `src/` in backquotes; `wasm/*` is every file of the folder.
fn layers() -> Vec<(String, Vec<String>)> {
    let readme = std::fs::read_to_string(README).unwrap();
    let section = readme.split("\n### Layers\n").nth(1).expect("README: no ### Layers section");
    let mut layers = Vec::new();
    for line in section.lines().skip_while(|l| !l.starts_with('|')).take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [name, files] = cells[..] else { panic!("README layers: a row of two cells expected: {line}") };
        if name == "layer" || name.starts_with('-') {
            continue;
        }
        let files = files.split('`').skip(1).step_by(2).map(str::to_owned).collect();
        layers.push((name.to_owned(), files));
    }
    assert!(layers.len() > 2, "README layers: the table was not found");
    layers
}

/// Every `.rs` file under `src/`, as paths relative to it (`x509/chain.rs`).
fn sources(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path.strip_prefix(SRC).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The code of a file without its comments and its `#[cfg(test)]` module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines().map(|line| line.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// The module path of a file (`x509/chain.rs` → `["x509", "chain"]`; `lib.rs` → `[]`).
fn module_of(file: &str) -> Vec<String> {
    let trimmed = file.trim_end_matches(".rs");
    let mut parts: Vec<String> = trimmed.split('/').map(str::to_owned).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// A use tree without its renames (`a::B as C` is `a::B`).
fn without_renames(tree: &str) -> String {
    let words: Vec<&str> = tree.split_whitespace().collect();
    let mut out = Vec::new();
    let mut skip = false;
    for word in words {
        if skip {
            // The new name, and what follows it (a comma or a brace).
            out.push(word.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_'));
            skip = false;
        } else if word == "as" {
            skip = true;
        } else {
            out.push(word);
        }
    }
    out.join(" ")
}

/// Expands a use tree (`crate::a::{b, c::{d, self}}`) into its paths.
fn expand(tree: &str) -> Vec<String> {
    let renamed = without_renames(tree);
    let tree: String = renamed.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else { return vec![tree] };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.len() - 1];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(&format!("{prefix}{p}")))
        .map(|p| p.trim_end_matches("::self").to_owned())
        .collect()
}

/// The trees of the statements that start with `keyword` (`use `, `pub use `), each read to its
/// `;` whatever lines it spans.
fn statements(code: &str, keyword: &str) -> Vec<String> {
    let mut trees = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(keyword) {
        let before = rest[..at].chars().last();
        let statement_start = before.is_none_or(|c| c == '\n' || c == ' ' || c == ';' || c == '{');
        let after = &rest[at + keyword.len()..];
        let end = after.find(';').unwrap_or(after.len());
        if statement_start {
            trees.push(after[..end].to_owned());
        }
        rest = &after[end..];
    }
    trees
}

/// The paths a file's code names: its `use` trees, expanded, and `crate::`/`super::` paths
/// written inline; each as absolute module segments from the crate root.
fn named_paths(file: &str, code: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let module = module_of(file);
    let mut raw: Vec<String> = statements(code, "use ").iter().flat_map(|tree| expand(tree)).collect();
    let mut inline = code;
    while let Some(at) = inline.find("crate::").into_iter().chain(inline.find("super::")).min() {
        let tail = &inline[at..];
        let len = tail.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(tail.len());
        raw.push(tail[..len].trim_end_matches(':').to_owned());
        inline = &tail[len..];
    }
    raw.into_iter()
        .filter_map(|path| {
            let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
            let (first, tail) = segments.split_first()?;
            let mut absolute = match *first {
                "crate" => Vec::new(),
                "super" => module[..module.len().saturating_sub(1)].to_vec(),
                "self" => module.clone(),
                child if children.contains(child) => [module.clone(), vec![child.to_owned()]].concat(),
                _ => return None,
            };
            let mut tail = tail;
            // `super::super::x`
            while let Some((&"super", more)) = tail.split_first() {
                absolute.pop();
                tail = more;
            }
            absolute.extend(tail.iter().map(|s| (*s).to_owned()));
            Some(absolute)
        })
        .collect()
}

/// The file a path names: the deepest module file along it, or, for an item a `mod.rs`
/// re-exports from one of its children, that child's file.
fn file_of(path: &[String], reexports: &BTreeMap<(String, String), String>) -> Option<String> {
    let mut found = None;
    let mut dir = PathBuf::new();
    let mut consumed = 0;
    for segment in path {
        let as_file = dir.join(format!("{segment}.rs"));
        let as_dir = dir.join(segment).join("mod.rs");
        if Path::new(SRC).join(&as_file).exists() {
            found = Some(as_file.to_string_lossy().replace('\\', "/"));
        } else if Path::new(SRC).join(&as_dir).exists() {
            found = Some(as_dir.to_string_lossy().replace('\\', "/"));
        } else {
            break;
        }
        dir = dir.join(segment);
        consumed += 1;
    }
    let found = found.or_else(|| Some("lib.rs".to_owned()))?;
    match path.get(consumed) {
        Some(item) => Some(reexports.get(&(found.clone(), item.clone())).cloned().unwrap_or(found)),
        None => Some(found),
    }
}

struct Graph {
    files: Vec<String>,
    edges: BTreeMap<String, BTreeSet<String>>,
}

fn graph() -> Graph {
    let mut files = Vec::new();
    sources(Path::new(SRC), &mut files);
    files.sort();
    let texts: BTreeMap<String, String> =
        files.iter().map(|f| (f.clone(), code(&std::fs::read_to_string(Path::new(SRC).join(f)).unwrap()))).collect();
    // `mod x;` children of each module file, and what its `pub use x::{A, B}` re-exports.
    let mut children: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut reexports = BTreeMap::new();
    for (file, text) in &texts {
        let kids: BTreeSet<String> = text
            .lines()
            .filter_map(|l| l.trim().trim_start_matches("pub ").strip_prefix("mod "))
            .map(|l| l.trim_end_matches(';').trim().to_owned())
            .collect();
        for statement in statements(text, "pub use ") {
            for path in expand(&statement) {
                let segments: Vec<&str> = path.split("::").collect();
                if let (Some(child), Some(item)) = (segments.first(), segments.last()) {
                    if kids.contains(*child) && segments.len() > 1 {
                        let module = module_of(file);
                        let target = file_of(&[module, vec![(*child).to_owned()]].concat(), &BTreeMap::new()).unwrap();
                        reexports.insert((file.clone(), (*item).to_owned()), target);
                    }
                }
            }
        }
        children.insert(file.clone(), kids);
    }
    let mut edges = BTreeMap::new();
    for (file, text) in &texts {
        let targets: BTreeSet<String> = named_paths(file, text, &children[file])
            .iter()
            .filter_map(|path| file_of(path, &reexports))
            .filter(|target| target != file && target != "lib.rs")
            // A module file's own `pub use child::X` is a re-export, not a dependency.
            .filter(|target| !(module_of(target).starts_with(&module_of(file)) && file.ends_with("mod.rs")))
            .collect();
        edges.insert(file.clone(), targets);
    }
    Graph { files, edges }
}

#[test]
fn every_file_imports_only_from_its_own_layer_or_below() {
    let layers = layers();
    let graph = graph();
    let mut layer_of = BTreeMap::new();
    for (rank, (name, files)) in layers.iter().rev().enumerate() {
        for file in files {
            let matched: Vec<&String> = match file.strip_suffix('*') {
                Some(folder) => graph.files.iter().filter(|f| f.starts_with(folder)).collect(),
                None => graph.files.iter().filter(|f| *f == file).collect(),
            };
            assert!(!matched.is_empty(), "README layers: {file} ({name}) is no file of src/");
            for f in matched {
                assert!(
                    layer_of.insert(f.clone(), (rank, name.clone())).is_none(),
                    "README layers: {f} is in two layers"
                );
            }
        }
    }
    let unplaced: Vec<&String> = graph.files.iter().filter(|f| *f != "lib.rs" && !layer_of.contains_key(*f)).collect();
    assert!(unplaced.is_empty(), "README layers: these files of src/ are in no layer: {unplaced:?}");
    let mut upward = Vec::new();
    for (file, targets) in &graph.edges {
        let Some((rank, name)) = layer_of.get(file) else { continue };
        for target in targets {
            let (target_rank, target_name) = &layer_of[target];
            if target_rank > rank {
                upward.push(format!("{file} ({name}) imports {target} ({target_name})"));
            }
        }
    }
    assert!(upward.is_empty(), "imports that look up:\n  {}", upward.join("\n  "));
}

#[test]
fn no_files_import_each_other_around_a_circle() {
    let graph = graph();
    // Depth-first search; a file met again while it is on the path closes a circle.
    fn visit<'a>(
        file: &'a str,
        graph: &'a Graph,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
        circles: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|f| *f == file) {
            circles.push([&path[at..], &[file]].concat().join(" -> "));
            return;
        }
        if !done.insert(file) {
            return;
        }
        path.push(file);
        for next in &graph.edges[file] {
            visit(next, graph, path, done, circles);
        }
        path.pop();
    }
    let (mut done, mut circles) = (BTreeSet::new(), Vec::new());
    for file in &graph.files {
        visit(file, &graph, &mut Vec::new(), &mut done, &mut circles);
    }
    assert!(circles.is_empty(), "files that import each other:\n  {}", circles.join("\n  "));
}

#[test]
fn the_reader_finds_what_it_must() {
    // The parser above is what the two tests stand on: it must see the imports it is shown.
    let graph = graph();
    let claimed = &graph.edges["claimed.rs"];
    for target in ["artifact.rs", "bundle.rs", "dsse.rs", "tlog/body.rs", "crypto/hash.rs", "error.rs"] {
        assert!(claimed.contains(target), "claimed.rs -> {target} not seen: {claimed:?}");
    }
    // `use super::keys::{...}` in tuf/metadata.rs, and a re-exported item (crate::crypto::RustCrypto).
    assert!(graph.edges["tuf/metadata.rs"].contains("tuf/keys.rs"));
    assert!(graph.edges["verify.rs"].contains("crypto/backend.rs"), "{:?}", graph.edges["verify.rs"]);
    assert_eq!(expand("crate::a::{b, c::{d, self}}"), ["crate::a::b", "crate::a::c::d", "crate::a::c"]);
    assert_eq!(expand("crate::a::{B as C, d}"), ["crate::a::B", "crate::a::d"]);
    assert_eq!(statements("pub use a::{\n    b,\n    c,\n};", "pub use "), ["a::{\n    b,\n    c,\n}"]);
}
