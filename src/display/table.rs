//! HTML tables: key/value summaries and truncated data tables.

use std::fmt::Write;

/// Stylesheet shared by every table this crate renders.
pub const CSS: &str = "table.canns{border-collapse:collapse;font-family:sans-serif;font-size:13px;margin:4px 0}\
table.canns th,table.canns td{border:1px solid #ccc;padding:2px 8px;text-align:right}\
table.canns th{background:#f3f3f3}table.canns caption{font-weight:bold;text-align:left;padding:2px 0}";

/// Escapes text for HTML.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// A two-column table: name, value (and an optional unit/meaning column).
///
/// # Example
/// ```
/// use canns::display::KeyValues;
/// let html = KeyValues::new("Cann1d").row("tau", 1.0, "ms").row("k", "8.1", "inhibition <1").to_html();
/// assert!(html.contains("<caption>Cann1d</caption>") && html.contains("<code>tau</code>"));
/// // Text is escaped for HTML.
/// assert!(html.contains("inhibition &lt;1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyValues {
    title: String,
    rows: Vec<(String, String, String)>,
}

impl KeyValues {
    /// An empty table with a caption.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            rows: Vec::new(),
        }
    }
    /// Adds a row: name, value and a short note (unit or meaning).
    pub fn row(
        mut self,
        name: impl Into<String>,
        value: impl std::fmt::Display,
        note: impl Into<String>,
    ) -> Self {
        self.rows
            .push((name.into(), value.to_string(), note.into()));
        self
    }
    /// The table as HTML.
    pub fn to_html(&self) -> String {
        let mut s = format!(
            "<style>{CSS}</style><table class=\"canns\"><caption>{}</caption>",
            html_escape(&self.title)
        );
        s.push_str("<tr><th>name</th><th>value</th><th>meaning</th></tr>");
        for (k, v, n) in &self.rows {
            let _ = write!(
                s,
                "<tr><td style=\"text-align:left\"><code>{}</code></td><td>{}</td><td style=\"text-align:left\">{}</td></tr>",
                html_escape(k),
                html_escape(v),
                html_escape(n)
            );
        }
        s.push_str("</table>");
        s
    }
}

/// A truncated data table (header + rows of strings), e.g. a view of a DataFrame.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// let df = canns::polars::df!("unit" => (0..100u32).collect::<Vec<_>>(), "rate" => vec![1.5; 100]).unwrap();
/// let t = Table::from_dataframe("rates", &df);
/// // 100 rows shown as the first and last five.
/// assert_eq!((t.n_rows, t.rows.len(), t.columns.clone()), (100, 10, vec!["unit".to_string(), "rate".into()]));
/// assert_eq!(t.rows[9][0], "99");
/// assert_eq!(t.bundle().text, "Table rates (100 rows x 2 columns)");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Caption.
    pub title: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Shown rows (already truncated).
    pub rows: Vec<Vec<String>>,
    /// Total number of rows in the data.
    pub n_rows: usize,
}

/// Rows shown at each end of a long table.
pub const EDGE_ROWS: usize = 5;

impl Table {
    /// A table view of a polars DataFrame: the first and last rows, all columns
    /// (up to 20), with the shape in the caption.
    pub fn from_dataframe(title: impl Into<String>, df: &polars::prelude::DataFrame) -> Self {
        let n = df.height();
        let idx = shown_rows(n);
        let cols: Vec<_> = df.columns().iter().take(20).collect();
        let columns = cols.iter().map(|c| c.name().to_string()).collect();
        let rows = idx
            .iter()
            .map(|&i| {
                cols.iter()
                    .map(|c| match c.get(i) {
                        Ok(v) => fmt_any(&v),
                        Err(_) => String::new(),
                    })
                    .collect()
            })
            .collect();
        Self {
            title: title.into(),
            columns,
            rows,
            n_rows: n,
        }
    }

    /// A table view of a matrix: the first and last rows, up to 20 columns.
    ///
    /// # Examples
    /// ```
    /// let a = ndarray::Array2::<f64>::zeros((100, 3));
    /// let t = canns::display::Table::from_array("u", &a);
    /// assert_eq!((t.n_rows, t.columns.len(), t.rows.len()), (100, 3, 10));
    /// ```
    pub fn from_array(title: impl Into<String>, a: &ndarray::Array2<f64>) -> Self {
        let (n, m) = a.dim();
        let idx = shown_rows(n);
        let columns = (0..m.min(20)).map(|j| j.to_string()).collect();
        let rows = idx
            .iter()
            .map(|&i| {
                (0..m.min(20))
                    .map(|j| format!("{:.6}", a[[i, j]]))
                    .collect()
            })
            .collect();
        Self {
            title: title.into(),
            columns,
            rows,
            n_rows: n,
        }
    }

    /// The table as HTML.
    pub fn to_html(&self) -> String {
        let mut s = format!(
            "<style>{CSS}</style><table class=\"canns\"><caption>{} ({} rows &times; {} columns)</caption><tr>",
            html_escape(&self.title),
            self.n_rows,
            self.columns.len()
        );
        for c in &self.columns {
            let _ = write!(s, "<th>{}</th>", html_escape(c));
        }
        s.push_str("</tr>");
        for (k, r) in self.rows.iter().enumerate() {
            if k == EDGE_ROWS && self.n_rows > 2 * EDGE_ROWS {
                let _ = write!(
                    s,
                    "<tr><td colspan=\"{}\" style=\"text-align:center\">&hellip;</td></tr>",
                    self.columns.len()
                );
            }
            s.push_str("<tr>");
            for v in r {
                let _ = write!(s, "<td>{}</td>", html_escape(v));
            }
            s.push_str("</tr>");
        }
        s.push_str("</table>");
        s
    }
}

/// The rows a truncated table shows: all, or the first and last [`EDGE_ROWS`].
fn shown_rows(n: usize) -> Vec<usize> {
    if n <= 2 * EDGE_ROWS {
        (0..n).collect()
    } else {
        (0..EDGE_ROWS).chain(n - EDGE_ROWS..n).collect()
    }
}

fn fmt_any(v: &polars::prelude::AnyValue) -> String {
    use polars::prelude::AnyValue;
    match v {
        AnyValue::Float64(x) => format!("{x:.6}"),
        AnyValue::Float32(x) => format!("{x:.6}"),
        AnyValue::Null => "null".into(),
        AnyValue::String(s) => s.to_string(),
        other => other.to_string(),
    }
}

impl super::Render for Table {
    fn bundle(&self) -> super::Bundle {
        super::Bundle::html(
            self.to_html(),
            format!(
                "Table {} ({} rows x {} columns)",
                self.title,
                self.n_rows,
                self.columns.len()
            ),
        )
    }
}

super::evcxr_display_via_render!(Table);

/// Shows a polars `DataFrame` in a notebook as the crate's [`Table`] (first
/// and last rows, every column up to 20, the shape in the caption) instead
/// of polars' text table, which hides columns.
///
/// The prelude brings it into scope, so a cell ending in `df` or
/// `df.head(Some(5))` renders the table.
///
/// # Examples
/// ```
/// use canns::prelude::*;
/// let df = canns::polars::df!("t" => [0.0, 0.1], "x" => [1.0, 2.0]).unwrap();
/// df.evcxr_display(); // what a notebook cell ending in `df` calls
/// // It shows the crate's table of the frame: every column, the shape in the text.
/// let shown = Table::from_dataframe("DataFrame", &df);
/// assert_eq!((shown.columns.len(), shown.n_rows), (2, 2));
/// assert_eq!(shown.bundle().text, "Table DataFrame (2 rows x 2 columns)");
/// ```
pub trait ShowDataFrame {
    /// Renders the DataFrame in an evcxr notebook.
    fn evcxr_display(&self);
}

impl ShowDataFrame for polars::prelude::DataFrame {
    fn evcxr_display(&self) {
        super::Render::bundle(&Table::from_dataframe("DataFrame", self)).emit()
    }
}
