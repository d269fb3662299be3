//! Conventions that keep the notebooks native: every figure a public method
//! returns shows itself, and a notebook needs the prelude only.

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
