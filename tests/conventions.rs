//! Conventions that keep the notebooks native: every figure a public method
//! returns shows itself, a notebook needs the prelude only, and every
//! parameter type ends in one verb.

use std::fs;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// Public functions whose return type names a bare `Plot` (a cell ending in
/// one would only emit plotly's JSON, blank in exports and in JupyterLab
/// without plotly's extension).
#[test]
fn public_plot_methods_return_figures() {
    let mut files = Vec::new();
    files_under(Path::new("src"), "rs", &mut files);
    let mut offenders = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            if !t.starts_with("pub fn ") {
                continue;
            }
            // The signature runs to the line that opens the body.
            let mut sig = String::new();
            for l in &lines[i..(i + 12).min(lines.len())] {
                sig.push_str(l);
                if l.contains('{') || l.trim_end().ends_with(';') {
                    break;
                }
            }
            let Some(ret) = sig.split("->").nth(1) else {
                continue;
            };
            let ret = ret.split(['{', ';']).next().unwrap_or("");
            let names_plot = ret
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| w == "Plot");
            // `Figure`'s own accessors hand out the plot it wraps.
            let accessor = ret.trim_start().starts_with('&') || sig.contains("fn into_plot");
            if names_plot && !accessor {
                offenders.push(format!("{}:{}: {}", file.display(), i + 1, t));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "return `Figure`, not a bare plotly `Plot`:\n{}",
        offenders.join("\n")
    );
}

/// The bodies of every `impl ... Name` block in `text` (brace-matched).
fn impl_bodies<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("impl") {
        let start = from + at;
        from = start + 4;
        let Some(open) = text[start..].find('{').map(|o| start + o) else {
            break;
        };
        let head = &text[start..open];
        let word_start =
            start == 0 || !text[..start].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        let keyword = head[4..].starts_with([' ', '<']);
        let last_word = head
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .rfind(|w| !w.is_empty());
        if !word_start || !keyword || last_word != Some(name) || head.contains([';', '}']) {
            continue;
        }
        let mut depth = 0usize;
        for (k, c) in text[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        out.push(&text[open..open + k]);
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// One rule for building and running: a `*Params` type is built up by its
/// setters and ends in `build(...)` (an object that is simulated or driven),
/// `fit(&data)` (an analysis that estimates something from data) or
/// `run(...)` (an analysis or pipeline that computes a result). Free
/// functions taking a `&*Params` are thin wrappers over those methods.
#[test]
fn every_params_type_ends_in_build_fit_or_run() {
    let mut files = Vec::new();
    files_under(Path::new("src"), "rs", &mut files);
    let texts: Vec<String> = files
        .iter()
        .map(|f| fs::read_to_string(f).unwrap())
        .collect();
    let all = texts.join("\n");
    let mut names = Vec::new();
    for t in &texts {
        for line in t.lines() {
            if let Some(rest) = line.trim_start().strip_prefix("pub struct ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if name.ends_with("Params") {
                    names.push(name);
                }
            }
        }
    }
    assert!(
        names.len() > 30,
        "found only {} parameter types",
        names.len()
    );
    let mut missing = Vec::new();
    for name in &names {
        let verbs = impl_bodies(&all, name).iter().any(|body| {
            ["pub fn build", "pub fn fit", "pub fn run"]
                .iter()
                .any(|v| body.contains(&format!("{v}(")) || body.contains(&format!("{v}<")))
        });
        if !verbs {
            missing.push(name.as_str());
        }
    }
    assert!(
        missing.is_empty(),
        "parameter types without `build`, `fit` or `run`: {missing:?}"
    );
}

/// The code cells of every committed notebook.
fn notebook_cells() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in fs::read_dir("notebooks").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ipynb") {
            continue;
        }
        let nb: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        for cell in nb["cells"].as_array().unwrap() {
            if cell["cell_type"] != "code" {
                continue;
            }
            let src = match &cell["source"] {
                serde_json::Value::Array(lines) => {
                    lines.iter().filter_map(|l| l.as_str()).collect::<String>()
                }
                serde_json::Value::String(s) => s.clone(),
                _ => String::new(),
            };
            out.push((path.display().to_string(), src));
        }
    }
    assert!(!out.is_empty(), "no notebooks found");
    out
}

#[test]
fn notebooks_need_the_prelude_only_and_never_wrap_figures() {
    let mut offenders = Vec::new();
    for (nb, src) in notebook_cells() {
        for line in src.lines() {
            let t = line.trim();
            let bad_use = t.starts_with("use canns::") && t != "use canns::prelude::*;";
            let path_outside_prelude =
                t.contains("canns::") && !t.starts_with(":dep") && !t.starts_with("use canns::");
            let wraps = t.contains("show(");
            if bad_use || path_outside_prelude || wraps {
                offenders.push(format!("{nb}: {t}"));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "notebook cells should use `use canns::prelude::*;` only and end in figures \
         without `show(..)`:\n{}",
        offenders.join("\n")
    );
}

/// One public path per type: a module file defines a model, task, analysis
/// or reader privately and its parent re-exports what it defines. The only
/// public modules are the top-level ones and a few namespaces of functions
/// (their names alone would be ambiguous at the parent: `patterns::random`,
/// `datasets::find`).
#[test]
fn leaf_modules_are_private() {
    let namespaces = [
        "src/analysis/mod.rs: sheet",
        "src/data/mod.rs: datasets",
        "src/data/mod.rs: io",
        "src/data/mod.rs: synthetic",
        "src/pipeline/mod.rs: sweep",
        "src/pipeline/mod.rs: synthetic",
        "src/train/mod.rs: patterns",
    ];
    let mut files = Vec::new();
    files_under(Path::new("src"), "rs", &mut files);
    let mut public = Vec::new();
    for file in files {
        let path = file.display().to_string();
        if path == "src/lib.rs" || path.starts_with("src/bin/") {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            if let Some(name) = line
                .strip_prefix("pub mod ")
                .and_then(|r| r.strip_suffix(';'))
            {
                public.push(format!("{path}: {name}"));
            }
        }
    }
    public.sort();
    let mut expected: Vec<String> = namespaces.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(
        public, expected,
        "a module file is private (`pub(crate) mod`) and its parent re-exports its items"
    );
}

/// Every public struct, enum and trait carries a doc example that asserts
/// something (run by `cargo test --doc`), so its documentation shows a use
/// whose result is checked.
#[test]
fn every_public_type_has_an_example_that_asserts() {
    let mut files = Vec::new();
    files_under(Path::new("src"), "rs", &mut files);
    let mut total = 0;
    let mut offenders = Vec::new();
    for file in files {
        if file.starts_with("src/bin") {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(rest) = ["pub struct ", "pub enum ", "pub trait "]
                .iter()
                .find_map(|k| line.trim_start().strip_prefix(k))
            else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() {
                // A `pub struct $name` inside a macro (`cann_params!`): its doc
                // example is written there, for every type the macro makes.
                continue;
            }
            // The item's doc comment: the `///` lines above it, attributes skipped.
            let mut doc = Vec::new();
            for l in lines[..i].iter().rev() {
                let t = l.trim_start();
                if let Some(d) = t.strip_prefix("///") {
                    doc.push(d);
                } else if !(t.starts_with("#[") || t.starts_with(")]") || t.starts_with("//")) {
                    break;
                }
            }
            total += 1;
            let has_example = doc.iter().any(|d| d.trim_start().starts_with("```"));
            let asserts = doc.iter().any(|d| d.contains("assert"));
            if !(has_example && asserts) {
                offenders.push(format!("{}:{}: {name}", file.display(), i + 1));
            }
        }
    }
    assert!(total > 150, "found only {total} public types");
    assert!(
        offenders.is_empty(),
        "public types without a doc example that asserts:\n{}",
        offenders.join("\n")
    );
}
