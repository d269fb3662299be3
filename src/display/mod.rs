//! Rich display: one toolbox every concept's module uses to render itself.
//!
//! evcxr calls an inherent `evcxr_display(&self)` when a cell ends in a value
//! whose type has one. That method prints content blocks which the kernel
//! gathers into a single MIME bundle for the cell. [`Bundle`] builds such a
//! bundle: an HTML view (summary table and/or figure, rendering offline), the
//! plotly JSON (for JupyterLab's plotly renderer), an optional static SVG
//! fallback and a plain-text line.
//!
//! This module knows no model, task or analysis: each type writes its own
//! plots with the builders here.

pub(crate) mod animation;
mod figure;
mod scatter;
mod svg;
mod table;

pub use animation::{animated_heatmap, animated_lines};
pub use figure::{compact, compact_matrix, heatmap, layout, lines, plot_height, Series};
pub use scatter::scatter;
pub use svg::plot_to_svg;
pub use table::{html_escape, KeyValues, Table};

use crate::error::{Error, Result};
use plotly::Plot;
use std::path::Path;

/// Environment variable marking that plotly.js was already sent to this
/// kernel. Crate statics do not survive from one evcxr cell to the next; the
/// process environment does.
pub const PLOTLY_LOADED_ENV: &str = "CANNS_PLOTLY_JS_LOADED";

/// Default figure height in pixels (explicit heights keep exported HTML stable).
pub const DEFAULT_HEIGHT: usize = 420;

/// Something that renders itself in a notebook.
///
/// Types implement [`Render::bundle`]; their inherent `evcxr_display` emits it.
pub trait Render {
    /// The MIME bundle for this value.
    fn bundle(&self) -> Bundle;
}

/// One notebook output: HTML, optional plotly JSON, optional SVG and text.
#[derive(Debug, Clone, Default)]
pub struct Bundle {
    /// Offline-renderable HTML (tables, figures with inline plotly.js).
    pub html: String,
    /// `application/vnd.plotly.v1+json` of the main figure, if any.
    pub plotly_json: Option<String>,
    /// Static `image/svg+xml` fallback of the main figure, if any.
    pub svg: Option<String>,
    /// One-line plain-text summary.
    pub text: String,
}

impl Bundle {
    /// A bundle with an HTML body and a text line.
    pub fn html(html: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            html: html.into(),
            text: text.into(),
            ..Self::default()
        }
    }

    /// A bundle for a figure, preceded by optional HTML (e.g. a summary table).
    pub fn figure(plot: &Plot, before: &str, text: impl Into<String>) -> Self {
        let mut html = String::from(before);
        html.push_str(&plot_html(plot));
        Self {
            html,
            plotly_json: Some(plot.to_json()),
            svg: Some(plot_to_svg(plot)),
            text: text.into(),
        }
    }

    /// Prints the bundle in evcxr's content protocol.
    pub fn emit(&self) {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let mut block = |mime: &str, body: &str| {
            // A write error means the kernel is gone; nothing useful to do.
            let _ = writeln!(out, "EVCXR_BEGIN_CONTENT {mime}\n{body}\nEVCXR_END_CONTENT");
        };
        block("text/html", &self.html);
        if let Some(j) = &self.plotly_json {
            block("application/vnd.plotly.v1+json", j);
        }
        if let Some(s) = &self.svg {
            block("image/svg+xml", s);
        }
        block("text/plain", &self.text);
    }
}

/// plotly.js as a `<script>` tag, the first time it is asked for in this
/// process (kernel), and an empty string afterwards.
pub fn plotly_js_once() -> String {
    if std::env::var_os(PLOTLY_LOADED_ENV).is_some() {
        return String::new();
    }
    // SAFETY-free: set_var is safe in edition 2021; the kernel runs cells on one thread.
    std::env::set_var(PLOTLY_LOADED_ENV, "1");
    plotly_js()
}

/// plotly.js (bundled with the `plotly` crate) as one `<script>` tag, without
/// MathJax.
pub fn plotly_js() -> String {
    let all = Plot::offline_js_sources();
    match all.find("</script>") {
        Some(end) => all[..end + "</script>".len()].to_string(),
        None => all,
    }
}

/// A figure as an embeddable `<div>` with its script, preceded by plotly.js the
/// first time in this kernel. The figure has an explicit height.
pub fn plot_html(plot: &Plot) -> String {
    let mut html = plotly_js_once();
    html.push_str(&plot.to_inline_html(None));
    html
}

/// A full standalone HTML page (plotly.js inlined, works offline).
pub fn standalone_html(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title>{}<style>{}</style></head><body>{}</body></html>\n",
        html_escape(title),
        plotly_js(),
        table::CSS,
        body
    )
}

/// Writes a figure as a standalone offline HTML file.
///
/// # Errors
/// [`Error::Io`] when the file cannot be written.
pub fn save_html(plot: &Plot, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let body = plot.to_inline_html(Some("figure"));
    std::fs::write(path, standalone_html("canns figure", &body)).map_err(|e| Error::io(path, e))
}

/// Writes a figure as a static SVG file.
///
/// # Errors
/// [`Error::Io`] when the file cannot be written.
pub fn save_svg(plot: &Plot, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    std::fs::write(path, plot_to_svg(plot)).map_err(|e| Error::io(path, e))
}

/// Implements the inherent `evcxr_display` for types that implement [`Render`].
macro_rules! evcxr_display_via_render {
    ($($t:ty),* $(,)?) => {$(
        impl $t {
            /// Renders this value in an evcxr notebook (HTML, plotly JSON, SVG, text).
            pub fn evcxr_display(&self) {
                $crate::display::Render::bundle(self).emit()
            }
        }
    )*};
}
pub(crate) use evcxr_display_via_render;

/// A plotly figure that renders with this crate's offline bundle (inline
/// plotly.js once per kernel, explicit height, SVG fallback), where a bare
/// `plotly::Plot` in a cell would only emit plotly's JSON.
///
/// # Examples
/// ```
/// use canns::display::{lines, show, Series};
/// let fig = show(lines("t", "x", "y", vec![Series::line("a", vec![0.0, 1.0], vec![1.0, 2.0])]));
/// assert!(fig.plot().to_json().contains("\"a\""));
/// ```
#[derive(Clone)]
pub struct Figure(Plot);

impl Figure {
    /// The wrapped plot, to restyle or save.
    pub fn plot(&self) -> &Plot {
        &self.0
    }
    /// Unwraps the plot.
    pub fn into_plot(self) -> Plot {
        self.0
    }
    /// Saves the figure as a standalone offline HTML file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be written.
    pub fn save_html(&self, path: impl AsRef<Path>) -> Result<()> {
        save_html(&self.0, path)
    }
}

impl std::fmt::Debug for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Figure({} traces)", self.0.data().len())
    }
}

impl From<Plot> for Figure {
    fn from(p: Plot) -> Self {
        Figure(p)
    }
}

/// Wraps a plot for display in a notebook: end a cell with `show(plot)`.
pub fn show(plot: Plot) -> Figure {
    Figure(plot)
}

impl Render for Figure {
    fn bundle(&self) -> Bundle {
        Bundle::figure(&self.0, "", format!("{self:?}"))
    }
}

evcxr_display_via_render!(Figure);
