use super::linalg::sym_eigen;
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render, Series};
use crate::error::{Error, ParamError, Result};
use crate::params::Params;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// Parameters of [`Pca`].
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // 50 points spread along the diagonal of the plane, with a little width.
/// let x = Array2::from_shape_fn((50, 2), |(i, j)| {
///     let across = if j == 0 { 0.3 } else { -0.3 };
///     i as f64 + across * (i % 2) as f64
/// });
/// let (pca, y) = Pca::params().n_components(1).whiten(true).fit_transform(&x.view())?;
/// assert_eq!((pca.n_components(), y.dim()), (1, (50, 1)));
/// assert!(pca.explained_variance_ratio()[0] > 0.99);
/// // Whitened: the projection has unit (sample) variance.
/// let var = y.column(0).var(1.0);
/// assert!((var - 1.0).abs() < 1e-9, "{var}");
/// // More components than features is an error naming the field.
/// let err = Pca::params().n_components(3).fit(&x.view()).unwrap_err();
/// assert!(err.to_string().contains("n_components"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PcaParams {
    /// Number of components kept; `None` keeps `min(n_samples, n_features)`.
    /// Default `None`.
    pub n_components: Option<usize>,
    /// Scale each projected component to unit variance (divide by
    /// `sqrt(explained_variance)`), as scikit-learn's `whiten=True`. Default false.
    pub whiten: bool,
}

#[allow(clippy::derivable_impls)] // defaults live in one visible place
impl Default for PcaParams {
    fn default() -> Self {
        Self {
            n_components: None,
            whiten: false,
        }
    }
}

impl PcaParams {
    /// Sets `n_components`.
    pub fn n_components(mut self, k: usize) -> Self {
        self.n_components = Some(k);
        self
    }
    /// Sets `whiten`.
    pub fn whiten(mut self, whiten: bool) -> Self {
        self.whiten = whiten;
        self
    }

    /// Fits the principal components of `data`.
    ///
    /// # Shapes
    /// `data`: `(n_samples, n_features)`, time-major for recordings.
    ///
    /// # Errors
    /// [`Error::Shape`] with fewer than 2 samples or no feature,
    /// [`Error::Param`] when `n_components` is 0 or exceeds
    /// `min(n_samples, n_features)`, [`Error::Invalid`] for non-finite data.
    pub fn fit(&self, data: &ArrayView2<f64>) -> Result<Pca> {
        self.validate()?;
        let (n, p) = data.dim();
        if n < 2 || p == 0 {
            return Err(Error::shape(
                "PCA data",
                ">= 2 samples and >= 1 feature",
                format!("{n} x {p}"),
            ));
        }
        check_finite(data)?;
        let max_k = n.min(p);
        let k = self.n_components.unwrap_or(max_k);
        if k == 0 || k > max_k {
            return Err(ParamError::new(
                "n_components",
                format!("in 1..={max_k} (min(n_samples, n_features))"),
                k,
            )
            .into());
        }
        let mean = data.mean_axis(Axis(0)).expect("n >= 2");
        let xc = data - &mean.view().insert_axis(Axis(0));
        let denom = (n - 1) as f64;
        let (vals, mut comps) = if p <= n {
            let cov = xc.t().dot(&xc) / denom;
            let (vals, vecs) = sym_eigen(&cov);
            // Descending order, first k.
            let vals: Vec<f64> = (0..k).map(|i| vals[p - 1 - i].max(0.0)).collect();
            let comps = Array2::from_shape_fn((k, p), |(c, f)| vecs[[f, p - 1 - c]]);
            (vals, comps)
        } else {
            let gram = xc.dot(&xc.t()) / denom;
            let (vals, vecs) = sym_eigen(&gram);
            let vals: Vec<f64> = (0..k).map(|i| vals[n - 1 - i].max(0.0)).collect();
            let mut comps = Array2::zeros((k, p));
            for c in 0..k {
                let u = vecs.column(n - 1 - c);
                let v = xc.t().dot(&u);
                let scale = v.dot(&v).sqrt();
                // A zero-variance direction has no image in feature space;
                // any unit vector orthogonal to the earlier components will do.
                let candidates = std::iter::once(v).chain((0..p).map(|f| {
                    let mut e = Array1::zeros(p);
                    e[f] = 1.0;
                    e
                }));
                for (attempt, mut v) in candidates.enumerate() {
                    for prev in 0..c {
                        let w = comps.row(prev).to_owned();
                        let proj = v.dot(&w);
                        v.scaled_add(-proj, &w);
                    }
                    let norm = v.dot(&v).sqrt();
                    let tiny = if attempt == 0 {
                        1e-9 * scale.max(f64::MIN_POSITIVE)
                    } else {
                        1e-6
                    };
                    if attempt == 0 && vals[c] <= 1e-12 * vals[0].max(f64::MIN_POSITIVE) {
                        continue;
                    }
                    if norm > tiny {
                        comps.row_mut(c).assign(&(v / norm));
                        break;
                    }
                }
            }
            (vals, comps)
        };
        for mut row in comps.rows_mut() {
            let big = row
                .iter()
                .copied()
                .fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
            if big < 0.0 {
                row.mapv_inplace(|x| -x);
            }
        }
        let total: f64 = xc.iter().map(|x| x * x).sum::<f64>() / denom;
        let explained_variance = Array1::from(vals);
        let explained_variance_ratio = if total > 0.0 {
            &explained_variance / total
        } else {
            Array1::zeros(k)
        };
        let singular_values = explained_variance.mapv(|v| (v * denom).sqrt());
        Ok(Pca {
            components: comps,
            explained_variance,
            explained_variance_ratio,
            singular_values,
            mean,
            total_variance: total,
            n_samples: n,
            whiten: self.whiten,
        })
    }

    /// Fits on `data` and returns the model with the projected data
    /// (`n_samples x n_components`).
    ///
    /// # Errors
    /// As [`PcaParams::fit`].
    pub fn fit_transform(&self, data: &ArrayView2<f64>) -> Result<(Pca, Array2<f64>)> {
        let pca = self.fit(data)?;
        let y = pca.transform(data)?;
        Ok((pca, y))
    }
}

impl Params for PcaParams {
    const NAME: &'static str = "PcaParams";

    /// `n_components`, when given, must be at least 1 (its upper bound,
    /// `min(n_samples, n_features)`, depends on the data and is checked by
    /// [`PcaParams::fit`]).
    fn validate(&self) -> Result<()> {
        if self.n_components == Some(0) {
            return Err(ParamError::new("n_components", ">= 1", 0).into());
        }
        Ok(())
    }
}

fn check_finite(data: &ArrayView2<f64>) -> Result<()> {
    if let Some(((r, c), v)) = data.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::Invalid(format!(
            "data[{r}, {c}] is not finite ({v})"
        )));
    }
    Ok(())
}

/// Principal component analysis.
///
/// The data `X` (`n_samples x n_features`) is centred, `Xc = X - mean`, and
/// the components are the leading eigenvectors of the sample covariance
/// `C = Xc^T Xc / (n - 1)` (or, when there are more features than samples,
/// of the Gram matrix `Xc Xc^T / (n - 1)`, mapped back by `Xc^T u / sqrt((n-1) lambda)`).
/// The explained variance of component `k` is its eigenvalue `lambda_k`; its
/// ratio divides by the total variance `trace(C)`. These equal
/// scikit-learn's `PCA` (`S^2 / (n - 1)` from the SVD of `Xc`), and the sign
/// of each component follows scikit-learn's `svd_flip`: its entry of largest
/// magnitude is positive.
///
/// ## References
/// - K. Pearson (1901), On lines and planes of closest fit to systems of
///   points in space, Phil. Mag. 2:559-572.
/// - I. T. Jolliffe (2002), Principal Component Analysis, 2nd ed., Springer.
///
/// A fitted principal component analysis.
///
/// # Examples
/// ```
/// use canns::embed::Pca;
/// use canns::ndarray::array;
/// let x = array![[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.1]];
/// let pca = Pca::params().n_components(1).fit(&x.view())?;
/// assert!(pca.explained_variance_ratio()[0] > 0.99);
/// let y = pca.transform(&x.view())?;
/// assert_eq!(y.dim(), (4, 1));
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Pca {
    components: Array2<f64>,
    explained_variance: Array1<f64>,
    explained_variance_ratio: Array1<f64>,
    singular_values: Array1<f64>,
    mean: Array1<f64>,
    total_variance: f64,
    n_samples: usize,
    whiten: bool,
}

impl Pca {
    /// Default parameters, to set and `fit`.
    pub fn params() -> PcaParams {
        PcaParams::default()
    }

    /// Principal axes, one per row (`n_components x n_features`), unit norm,
    /// ordered by decreasing explained variance.
    pub fn components(&self) -> &Array2<f64> {
        &self.components
    }
    /// Variance along each component (sample variance, `n - 1` denominator).
    pub fn explained_variance(&self) -> &Array1<f64> {
        &self.explained_variance
    }
    /// Fraction of the total variance along each component.
    pub fn explained_variance_ratio(&self) -> &Array1<f64> {
        &self.explained_variance_ratio
    }
    /// Singular values of the centred data along each component.
    pub fn singular_values(&self) -> &Array1<f64> {
        &self.singular_values
    }
    /// Per-feature mean removed before projecting.
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }
    /// Number of components kept.
    pub fn n_components(&self) -> usize {
        self.components.nrows()
    }
    /// Number of features of the fitted data.
    pub fn n_features(&self) -> usize {
        self.components.ncols()
    }
    /// Whether `transform` whitens.
    pub fn whiten(&self) -> bool {
        self.whiten
    }

    /// Projects `data` (`n x n_features`) onto the components:
    /// `(X - mean) W^T`, divided by `sqrt(explained_variance)` when whitening.
    ///
    /// # Errors
    /// [`Error::Shape`] when the number of features differs from the fit.
    pub fn transform(&self, data: &ArrayView2<f64>) -> Result<Array2<f64>> {
        if data.ncols() != self.n_features() {
            return Err(Error::shape(
                "PCA transform",
                format!("{} features", self.n_features()),
                data.ncols(),
            ));
        }
        let xc = data - &self.mean.view().insert_axis(Axis(0));
        let mut y = xc.dot(&self.components.t());
        if self.whiten {
            for (mut col, v) in y.columns_mut().into_iter().zip(&self.explained_variance) {
                let sd = v.sqrt();
                if sd > 0.0 {
                    col /= sd;
                }
            }
        }
        Ok(y)
    }

    /// Maps projected points (`n x n_components`) back to feature space.
    ///
    /// # Errors
    /// [`Error::Shape`] when the number of columns is not `n_components`.
    pub fn inverse_transform(&self, projected: &ArrayView2<f64>) -> Result<Array2<f64>> {
        if projected.ncols() != self.n_components() {
            return Err(Error::shape(
                "PCA inverse_transform",
                format!("{} columns", self.n_components()),
                projected.ncols(),
            ));
        }
        let mut y = projected.to_owned();
        if self.whiten {
            for (mut col, v) in y.columns_mut().into_iter().zip(&self.explained_variance) {
                col *= v.sqrt();
            }
        }
        Ok(y.dot(&self.components) + self.mean.view().insert_axis(Axis(0)))
    }

    /// Explained variance ratio per component (bars as markers and line) and
    /// its cumulative sum.
    pub fn plot_explained_variance(&self) -> Figure {
        let k = self.n_components();
        let x: Vec<f64> = (1..=k).map(|i| i as f64).collect();
        let ratio = self.explained_variance_ratio.to_vec();
        let mut cum = Vec::with_capacity(k);
        let mut acc = 0.0;
        for r in &ratio {
            acc += r;
            cum.push(acc);
        }
        let mut per = Series::line("per component", x.clone(), ratio);
        per.markers = true;
        display::lines(
            "PCA explained variance",
            "component",
            "fraction of variance",
            vec![per, Series::dashed("cumulative", x, cum)],
        )
    }

    /// Scatter of the first two (or three) principal components of `data`,
    /// coloured by `color` (one value per row) when given.
    ///
    /// # Errors
    /// As [`Pca::transform`]; [`Error::Shape`] when `color` has the wrong length.
    pub fn plot_projection(&self, data: &ArrayView2<f64>, color: Option<&[f64]>) -> Result<Figure> {
        let y = self.transform(data)?;
        let d = y.ncols().min(3);
        display::scatter("PCA projection", &y.slice(s![.., ..d]), color, "PC")
    }
}

impl Render for Pca {
    fn bundle(&self) -> Bundle {
        let k = self.n_components();
        let top = self
            .explained_variance_ratio
            .iter()
            .take(3)
            .map(|r| format!("{r:.4}"))
            .collect::<Vec<_>>()
            .join(", ");
        let kv = KeyValues::new("PCA")
            .row("samples", self.n_samples, "")
            .row("features", self.n_features(), "")
            .row("components", k, if self.whiten { "whitened" } else { "" })
            .row(
                "variance explained",
                format!("{:.4}", self.explained_variance_ratio.sum()),
                "by the kept components",
            )
            .row("first ratios", top, "");
        Bundle::figure(
            &self.plot_explained_variance(),
            &kv.to_html(),
            format!("{self}"),
        )
    }
}

crate::display::debug_via_display!(Pca);

impl std::fmt::Display for Pca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Pca({} features -> {} components, {:.1}% of variance)",
            self.n_features(),
            self.n_components(),
            100.0 * self.explained_variance_ratio.sum()
        )
    }
}

display::evcxr_display_via_render!(Pca);

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn gram_path_equals_covariance_path() {
        // 4 samples, 6 features: the Gram path; compare with the transpose trick
        // via a wide copy padded to be tall.
        let x = array![
            [1.0, 2.0, 0.5, -1.0, 3.0, 0.0],
            [0.0, 1.0, 1.5, 2.0, -1.0, 1.0],
            [2.0, -1.0, 0.0, 1.0, 0.5, 2.0],
            [1.5, 0.5, -2.0, 0.0, 1.0, -1.0]
        ];
        let wide = Pca::params().fit(&x.view()).unwrap();
        assert_eq!(wide.n_components(), 4);
        // Reconstruction with all components is exact.
        let y = wide.transform(&x.view()).unwrap();
        let back = wide.inverse_transform(&y.view()).unwrap();
        for (a, b) in back.iter().zip(x.iter()) {
            assert!((a - b).abs() < 1e-10);
        }
        // Total variance: the last component of 4 centred samples is 0.
        assert!(wide.explained_variance()[3].abs() < 1e-10);
        let tot: f64 = wide.explained_variance_ratio().sum();
        assert!((tot - 1.0).abs() < 1e-10);
    }

    #[test]
    fn whitened_projection_has_unit_variance() {
        let x = array![[0.0, 1.0], [2.0, 0.5], [4.0, 3.0], [1.0, -2.0], [3.0, 0.0]];
        let (_, y) = Pca::params().whiten(true).fit_transform(&x.view()).unwrap();
        for col in y.columns() {
            let v = col.mapv(|a| a * a).sum() / 4.0;
            assert!((v - 1.0).abs() < 1e-10);
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        let x = array![[0.0, 1.0], [2.0, f64::NAN]];
        assert!(Pca::params().fit(&x.view()).is_err());
        let x = array![[0.0, 1.0], [2.0, 3.0]];
        assert!(Pca::params().n_components(3).fit(&x.view()).is_err());
        assert!(Pca::params().n_components(0).fit(&x.view()).is_err());
    }
}
