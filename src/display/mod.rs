//! Rich display: one toolbox every concept's module uses to render itself.
//!
//! evcxr calls an inherent `evcxr_display(&self)` when a cell ends in a value
//! whose type has one. That method prints content blocks which the kernel
//! gathers into a single MIME bundle: one output per cell. JupyterLab shows
//! one MIME type of a bundle (and ranks plotly's JSON above HTML), so
//! [`Bundle`] sends one HTML view holding everything a value shows (summary
//! tables and figures) plus a plain-text line.
//!
//! Each figure in that HTML carries its plotly JSON, a static SVG (shown where
//! scripts do not run) and a small loader that draws it with plotly.js once
//! plotly.js is on the page. Where plotly.js comes from is set by
//! [`PLOTLY_JS_ENV`]: inlined into the first figure of each kernel (default),
//! or fetched from the Jupyter server (the project's kernel and JupyterLab;
//! exports then inline it through the `canns` nbconvert template), so a saved
//! notebook draws its figures whatever order its cells ran in.
//!
//! This module knows no model, task or analysis: each type writes its own
//! plots with the builders here.

pub(crate) mod animation;
mod figure;
mod scatter;
mod svg;
mod table;

pub use animation::{animated_heatmap, animated_lines};
pub(crate) use figure::fit_title;
pub use figure::{compact, compact_matrix, heatmap, layout, lines, plot_height, Series};
pub use scatter::scatter;
pub use svg::plot_to_svg;
pub use table::{html_escape, KeyValues, ShowDataFrame, Table};

use crate::error::{Error, Result};
use plotly::Plot;
use std::path::Path;

/// The colours of successive series in figures drawn by this crate
/// (plotly's default qualitative palette), as RGB.
pub(crate) const PALETTE: [(u8, u8, u8); 8] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
];

/// The colour of series `k` as `#rrggbb` (the palette repeats).
pub(crate) fn series_color(k: usize) -> String {
    let (r, g, b) = PALETTE[k % PALETTE.len()];
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Environment variable marking that plotly.js was already sent to this
/// kernel. Crate statics do not survive from one evcxr cell to the next; the
/// process environment does.
pub const PLOTLY_LOADED_ENV: &str = "CANNS_PLOTLY_JS_LOADED";

/// Environment variable saying where notebook figures get plotly.js from.
///
/// Unset (or any other value): inlined into the first figure shown by each
/// kernel ([`plotly_js_once`]), which works in any viewer that runs scripts,
/// as long as that output is kept. `server`: never inlined; each figure loads
/// [`PLOTLY_JS_SERVER_PATH`] from the Jupyter server it is shown by (set by
/// the project's kernel, `scripts/kernel`; `scripts/setup-notebooks` and
/// `binder/postBuild` put plotly.js there and make HTML exports inline it).
pub const PLOTLY_JS_ENV: &str = "CANNS_PLOTLY_JS";

/// Where a figure loads plotly.js from, relative to the Jupyter server's base
/// URL, when [`PLOTLY_JS_ENV`] is `server`.
pub const PLOTLY_JS_SERVER_PATH: &str = "static/canns/plotly.min.js";

/// Default figure height in pixels (explicit heights keep exported HTML stable).
pub const DEFAULT_HEIGHT: usize = 420;

/// Something that renders itself in a notebook.
///
/// Types implement [`Render::bundle`]; their inherent `evcxr_display` emits it.
///
/// # Example
/// ```
/// use canns::display::{Bundle, KeyValues, Render};
/// // A type of one's own renders through the same toolbox as the crate's types.
/// struct Trial { steps: usize }
/// impl Render for Trial {
///     fn bundle(&self) -> Bundle {
///         let table = KeyValues::new("Trial").row("steps", self.steps, "time steps");
///         Bundle::html(table.to_html(), format!("Trial({} steps)", self.steps))
///     }
/// }
/// let b = Trial { steps: 300 }.bundle();
/// assert_eq!(b.text, "Trial(300 steps)");
/// assert!(b.html.contains("<td>300</td>") && b.svg.is_none());
/// ```
pub trait Render {
    /// The MIME bundle for this value.
    fn bundle(&self) -> Bundle;
}

/// One notebook output: an HTML view (tables and figures) and a text line.
///
/// # Example
/// ```
/// use canns::display::Bundle;
/// // Text only: an HTML view and the plain-text line a terminal shows.
/// let b = Bundle::html("<b>4 units</b>", "4 units");
/// assert_eq!((b.html.as_str(), b.text.as_str()), ("<b>4 units</b>", "4 units"));
/// assert!(b.plotly_json.is_none() && b.svg.is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Bundle {
    /// Offline-renderable HTML: summary tables and figures (see [`plot_html`]).
    pub html: String,
    /// The plotly JSON of the main figure, if any. It is inside `html` too and
    /// not sent as its own MIME type: JupyterLab would show it instead of the
    /// HTML and drop the tables.
    pub plotly_json: Option<String>,
    /// Static SVG of the main figure, if any; `html` shows it until plotly.js
    /// draws the figure.
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
    ///
    /// # Examples
    /// ```
    /// use canns::display::{lines, Bundle, KeyValues, Series};
    /// let plot = lines("t", "x", "y", vec![Series::line("a", vec![0.0, 1.0], vec![1.0, 2.0])]);
    /// let b = Bundle::figure(&plot, &KeyValues::new("summary").row("n", 2, "points").to_html(), "2 points");
    /// // One HTML view holds the table and the figure (with its static SVG).
    /// assert!(b.html.contains("<table") && b.html.contains("canns-figure") && b.html.contains("<svg"));
    /// ```
    pub fn figure(plot: &Plot, before: &str, text: impl Into<String>) -> Self {
        let svg = plot_to_svg(plot);
        let mut html = String::from(before);
        html.push_str(&figure_html(plot, &svg));
        Self {
            html,
            plotly_json: Some(plot.to_json()),
            svg: Some(svg),
            text: text.into(),
        }
    }

    /// Prints the bundle in evcxr's content protocol: `text/html` and
    /// `text/plain`.
    pub fn emit(&self) {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let mut block = |mime: &str, body: &str| {
            // A write error means the kernel is gone; nothing useful to do.
            let _ = writeln!(out, "EVCXR_BEGIN_CONTENT {mime}\n{body}\nEVCXR_END_CONTENT");
        };
        block("text/html", &self.html);
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

/// Draws figure `id` from its plotly JSON once plotly.js is on the page (at
/// once when `window.Plotly` exists, else after loading it from the Jupyter
/// server, [`PLOTLY_JS_SERVER_PATH`]; with neither, the static SVG stays) and
/// the figure is laid out (JupyterLab renders outputs before attaching them
/// and skips cells out of view). A figure never gets wider than its output
/// area.
const LOADER: &str = r#"(function(id,fig){var el=document.getElementById(id),w=window;if(!el)return;
function sized(f){if(el.isConnected&&el.clientWidth){f();return;}if(!w.ResizeObserver){setTimeout(f,500);return;}
var ro=new ResizeObserver(function(){if(el.clientWidth){ro.disconnect();f();}});ro.observe(el);}
function draw(P){sized(function(){var lay=fig.layout||{};
if(lay.width&&lay.width>el.clientWidth){delete lay.width;lay.autosize=true;}
el.innerHTML="";P.newPlot(el,{data:fig.data||[],layout:lay,frames:fig.frames,
config:Object.assign({responsive:true},fig.config||{})});});}
if(w.Plotly){draw(w.Plotly);return;}
if(!w.cannsPlotly){w.cannsPlotly=new Promise(function(ok,no){var base;
try{base=JSON.parse(document.getElementById("jupyter-config-data").textContent).baseUrl;}catch(e){no(e);return;}
var s=document.createElement("script");s.src=base.replace(/\/?$/,"/")+"static/canns/plotly.min.js";
s.onload=function(){w.Plotly?ok(w.Plotly):no();};s.onerror=no;document.head.appendChild(s);});
w.cannsPlotly.catch(function(){w.cannsPlotly=null;});}
w.cannsPlotly.then(draw,function(){});})"#;

/// Scales the static SVG of a figure to its output area.
const FIGURE_CSS: &str = ".canns-static svg{max-width:100%;height:auto}";

/// Whether figures load plotly.js from the Jupyter server ([`PLOTLY_JS_ENV`]).
fn plotly_js_from_server() -> bool {
    std::env::var(PLOTLY_JS_ENV).is_ok_and(|v| v == "server")
}

/// An element id no other figure on the page has (several kernels' outputs
/// can share one JupyterLab page).
fn unique_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "canns-fig-{nanos:x}-{:x}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    )
}

/// plotly JSON made safe inside a `<script>` element (`<`, `>` and `&` only
/// occur inside JSON strings, where the escapes mean the same).
fn script_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The figure's JSON with room below the plot for animation controls, so that
/// a slider never covers the x-axis title (whichever module built the layout).
fn figure_json(plot: &Plot) -> String {
    let json = plot.to_json();
    let Ok(mut fig) = serde_json::from_str::<serde_json::Value>(&json) else {
        return json;
    };
    let layout = &mut fig["layout"];
    if layout["sliders"].as_array().is_none_or(|s| s.is_empty()) {
        return json;
    }
    let bottom = layout["margin"]["b"].as_u64().unwrap_or(80);
    let room = animation::CONTROLS_MARGIN as u64;
    if bottom >= room {
        return json;
    }
    if !layout["margin"].is_object() {
        layout["margin"] = serde_json::json!({});
    }
    layout["margin"]["b"] = room.into();
    if let Some(h) = layout["height"].as_u64() {
        layout["height"] = (h + room - bottom).into();
    }
    fig.to_string()
}

fn figure_html(plot: &Plot, svg: &str) -> String {
    let mut html = if plotly_js_from_server() {
        String::new()
    } else {
        plotly_js_once()
    };
    let id = unique_id();
    html.push_str(&format!(
        "<style>{FIGURE_CSS}</style><div id=\"{id}\" class=\"plotly-graph-div canns-figure\"><div class=\"canns-static\">{svg}</div></div>\
         <script type=\"text/javascript\">{LOADER}(\"{id}\",{});</script>",
        script_json(&figure_json(plot))
    ));
    html
}

/// A figure as an embeddable `<div>` with its static SVG and its script
/// (preceded by plotly.js the first time in this kernel, unless
/// [`PLOTLY_JS_ENV`] is `server`). The figure has an explicit height.
///
/// # Examples
/// ```
/// use canns::display::{lines, plot_html, Series};
/// let html = plot_html(&lines("t", "x", "y", vec![Series::line("a", vec![0.0, 1.0], vec![1.0, 2.0])]));
/// assert!(html.contains("class=\"plotly-graph-div canns-figure\"") && html.contains("<svg"));
/// ```
pub fn plot_html(plot: &Plot) -> String {
    figure_html(plot, &plot_to_svg(plot))
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
            /// Renders this value in an evcxr notebook (one HTML view and a text line).
            pub fn evcxr_display(&self) {
                $crate::display::Render::bundle(self).emit()
            }
        }
    )*};
}
pub(crate) use evcxr_display_via_render;

/// Implements `Debug` as the type's one-line `Display` summary, for types
/// that hold arrays: a notebook cell ending in a tuple or a `Vec` of them
/// prints one line each, not megabytes of numbers.
macro_rules! debug_via_display {
    ($($t:ty),* $(,)?) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(self, f)
            }
        }
    )*};
}
pub(crate) use debug_via_display;

/// A plotly figure that renders with this crate's offline bundle (HTML with
/// a static SVG until plotly.js draws it, explicit height), where a bare
/// `plotly::Plot` in a cell would only emit plotly's JSON.
///
/// Every `plot_*` method of the crate returns one, so a notebook cell that
/// ends in `sim.plot_activity()` shows the figure. It dereferences to the
/// wrapped [`Plot`], so plotly's methods restyle it in place.
///
/// # Examples
/// ```
/// use canns::display::{lines, Series};
/// use plotly::layout::Layout;
/// let mut fig = lines("t", "x", "y", vec![Series::line("a", vec![0.0, 1.0], vec![1.0, 2.0])]);
/// fig.set_layout(Layout::new().height(300)); // a plotly::Plot method, through DerefMut
/// assert!(fig.to_json().contains("\"a\""));
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

impl std::ops::Deref for Figure {
    type Target = Plot;
    fn deref(&self) -> &Plot {
        &self.0
    }
}

impl std::ops::DerefMut for Figure {
    fn deref_mut(&mut self) -> &mut Plot {
        &mut self.0
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

/// Wraps a plot for display in a notebook.
///
/// Only needed for a `plotly::Plot` built by hand: the crate's plot methods
/// already return a [`Figure`], which a cell shows by ending in it.
pub fn show(plot: impl Into<Figure>) -> Figure {
    plot.into()
}

impl Render for Figure {
    fn bundle(&self) -> Bundle {
        Bundle::figure(&self.0, "", format!("{self:?}"))
    }
}

evcxr_display_via_render!(Figure);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn layout_of(json: &str) -> Value {
        serde_json::from_str::<Value>(json).unwrap()["layout"].clone()
    }

    #[test]
    fn animation_controls_get_room_below_the_axis_title() {
        let names = vec!["0".to_string(), "1".to_string()];
        let (sliders, menus) = animation::controls(&names, "t = ", 50, false);
        let mut plot = lines(
            "a",
            "x",
            "y",
            vec![Series::line("s", vec![0.0, 1.0], vec![0.0, 1.0])],
        );
        // A layout with the default 50 px bottom margin, as a caller may build it.
        plot.set_layout(layout("a", "x", "y").sliders(sliders).update_menus(menus));
        let before = layout_of(&plot.to_json());
        let after = layout_of(&figure_json(&plot));
        assert_eq!(before["margin"]["b"], 50);
        assert_eq!(after["margin"]["b"], animation::CONTROLS_MARGIN as u64);
        assert_eq!(
            after["height"].as_u64().unwrap(),
            before["height"].as_u64().unwrap() + animation::CONTROLS_MARGIN as u64 - 50
        );
        // Figures without controls are left alone.
        let still = lines("a", "x", "y", vec![]);
        assert_eq!(figure_json(&still), still.to_json());
    }

    #[test]
    fn figure_json_cannot_close_its_script_element() {
        let json = r#"{"title":"</script><b>a & b</b>"}"#;
        let safe = script_json(json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(json).unwrap());
    }

    #[test]
    fn each_figure_has_its_own_element_and_static_svg() {
        let plot = lines(
            "a",
            "x",
            "y",
            vec![Series::line("s", vec![0.0, 1.0], vec![0.0, 1.0])],
        );
        let (a, b) = (plot_html(&plot), plot_html(&plot));
        let id = |h: &str| {
            let start = h.find("id=\"canns-fig-").unwrap() + 4;
            h[start..start + h[start..].find('"').unwrap()].to_string()
        };
        assert_ne!(id(&a), id(&b));
        assert!(b.contains("<svg") && b.contains(&format!("(\"{}\",{{", id(&b))));
    }
}
