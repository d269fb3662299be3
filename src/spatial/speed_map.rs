//! The map between a Rayleigh-distributed speed and a standard normal
//! variable, through which RatInABox's random motion model runs its speed
//! Ornstein-Uhlenbeck process: a speed `s` with Rayleigh(σ) stationary law is
//! carried to `z = Φ⁻¹(1 - exp(-s²/2σ²))`, the OU step acts on `z`, and the
//! new speed is `σ √(-2 ln(1 - Φ(z)))`.
//!
//! The exact maps ([`rayleigh_to_normal`], [`normal_to_rayleigh`]) cost an
//! exponential, a logarithm and a quantile or a complementary error function
//! each. The agent's step uses [`SpeedMap`] instead: both maps tabulated once
//! at 4096 nodes (the steep part of the speed-to-normal map at 4096 more) and interpolated by cubic Hermite polynomials through the
//! exact values and derivatives, within 1e-12 σ of the exact maps (tested
//! below) and falling back to them outside the tabulated range.

/// `Φ⁻¹(1e-6)`: RatInABox clips the uniform variable to `[1e-6, 1 - 1e-6]`.
pub(crate) const Z_CLIP: f64 = 4.753_424_308_822_899;

/// Maps a Rayleigh(σ) speed to a standard normal (RatInABox's
/// `rayleigh_to_normal`, with its clip of the uniform to `[1e-6, 1 - 1e-6]`).
pub(crate) fn rayleigh_to_normal(speed: f64, sigma: f64) -> f64 {
    let e = -(speed * speed) / (2.0 * sigma * sigma);
    // u = 1 - exp(e); keep 1 - u exactly for the upper tail.
    let q = e.exp().clamp(1e-6, 1.0 - 1e-6);
    let u = (-e.exp_m1()).clamp(1e-6, 1.0 - 1e-6);
    norm_ppf(u, q)
}

/// Maps a standard normal to a Rayleigh(σ) speed: `σ √(-2 ln(1 - Φ(z)))`.
#[inline]
pub(crate) fn normal_to_rayleigh(z: f64, sigma: f64) -> f64 {
    let x = z * std::f64::consts::FRAC_1_SQRT_2;
    // -ln(1 - Φ(z)), through ln(1 + x) when 1 - Φ(z) is close to 1.
    let minus_ln_tail = if z < 0.0 {
        -(-0.5 * libm::erfc(-x)).ln_1p()
    } else {
        -(0.5 * libm::erfc(x)).ln()
    };
    sigma * (2.0 * minus_ln_tail).sqrt()
}

/// Standard normal quantile of `p` (with `q = 1 - p` given exactly), by
/// Wichura's algorithm AS 241 (relative error below 1e-16).
///
/// # References
/// Wichura, M. J. (1988). Algorithm AS 241: the percentage points of the
/// normal distribution. Applied Statistics 37:477-484.
// The coefficients are printed as published (AS 241).
#[allow(clippy::inconsistent_digit_grouping, clippy::excessive_precision)]
pub(crate) fn norm_ppf(p: f64, q: f64) -> f64 {
    let dq = p - 0.5;
    if dq.abs() <= 0.425 {
        let r = 0.180625 - dq * dq;
        return dq
            * (((((((2509.080_928_730_122_7 * r + 33430.575_583_588_128) * r
                + 67265.770_927_008_7)
                * r
                + 45921.953_931_549_87)
                * r
                + 13731.693_765_509_461)
                * r
                + 1971.590_950_306_551_4)
                * r
                + 133.141_667_891_784_38)
                * r
                + 3.387_132_872_796_366_6)
            / (((((((5226.495_278_852_546 * r + 28729.085_735_721_943) * r
                + 39307.895_800_092_71)
                * r
                + 21213.794_301_586_596)
                * r
                + 5394.196_021_424_751)
                * r
                + 687.187_007_492_057_9)
                * r
                + 42.313_330_701_600_91)
                * r
                + 1.0);
    }
    let tail = if dq < 0.0 { p } else { q };
    let mut r = (-tail.ln()).sqrt();
    let val = if r <= 5.0 {
        r -= 1.6;
        (((((((7.745_450_142_783_414e-4 * r + 0.022_723_844_989_269_185) * r
            + 0.241_780_725_177_450_6)
            * r
            + 1.270_458_252_452_368_4)
            * r
            + 3.647_848_324_763_204_6)
            * r
            + 5.769_497_221_460_691)
            * r
            + 4.630_337_846_156_545)
            * r
            + 1.423_437_110_749_683_6)
            / (((((((1.050_750_071_644_416_8e-9 * r + 5.475_938_084_995_345e-4) * r
                + 0.015_198_666_563_616_457)
                * r
                + 0.148_103_976_427_480_07)
                * r
                + 0.689_767_334_985_1)
                * r
                + 1.676_384_830_183_803_8)
                * r
                + 2.053_191_626_637_759)
                * r
                + 1.0)
    } else {
        r -= 5.0;
        (((((((2.010_334_399_292_288e-7 * r + 2.711_555_568_743_487_6e-5) * r
            + 0.001_242_660_947_388_078_4)
            * r
            + 0.026_532_189_526_576_124)
            * r
            + 0.296_560_571_828_504_9)
            * r
            + 1.784_826_539_917_291_3)
            * r
            + 5.463_784_911_164_114)
            * r
            + 6.657_904_643_501_103)
            / (((((((2.044_263_103_389_939_8e-15 * r + 1.421_511_758_316_446e-7) * r
                + 1.846_318_317_510_054_8e-5)
                * r
                + 7.868_691_311_456_133e-4)
                * r
                + 0.014_875_361_290_850_615)
                * r
                + 0.136_929_880_922_735_8)
                * r
                + 0.599_832_206_555_887_9)
                * r
                + 1.0)
    };
    if dq < 0.0 {
        -val
    } else {
        val
    }
}

/// A smooth function tabulated on a uniform grid of `[lo, hi]`, evaluated by
/// cubic Hermite interpolation of its values and derivatives.
#[derive(Debug)]
struct Table {
    lo: f64,
    hi: f64,
    inv_h: f64,
    /// Per node: value, derivative times the node spacing.
    nodes: Vec<[f64; 2]>,
}

impl Table {
    fn new(lo: f64, hi: f64, n: usize, f: impl Fn(f64) -> (f64, f64)) -> Self {
        let h = (hi - lo) / n as f64;
        let nodes = (0..=n)
            .map(|i| {
                let (y, d) = f(lo + i as f64 * h);
                [y, d * h]
            })
            .collect();
        Self {
            lo,
            hi,
            inv_h: 1.0 / h,
            nodes,
        }
    }

    /// The interpolated value at `x`, or `None` outside `[lo, hi)`.
    #[inline]
    fn get(&self, x: f64) -> Option<f64> {
        if !(x >= self.lo && x < self.hi) {
            return None;
        }
        let t = (x - self.lo) * self.inv_h;
        let i = (t as usize).min(self.nodes.len() - 2);
        let u = t - i as f64;
        let [y0, m0] = self.nodes[i];
        let [y1, m1] = self.nodes[i + 1];
        // Hermite basis in Horner form: y0 + u (m0 + u (c2 + u c3)).
        let c2 = 3.0 * (y1 - y0) - 2.0 * m0 - m1;
        let c3 = 2.0 * (y0 - y1) + m0 + m1;
        Some(y0 + u * (m0 + u * (c2 + u * c3)))
    }
}

/// Standard normal density.
fn phi(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Tabulated Rayleigh ↔ normal maps for unit σ (see the [module docs](self)).
#[derive(Debug)]
pub(crate) struct SpeedMap {
    /// `z ↦ √(-2 ln Q(z))` on `[-6.5, 6.5)`.
    to_speed: Table,
    /// `s ↦ Φ⁻¹(1 - exp(-s²/2))` on `[0.1, 1)` and `[1, 5.25)`: finer
    /// where it is steep (the clip binds below 0.0015 and above 5.256).
    to_normal_low: Table,
    to_normal: Table,
}

impl SpeedMap {
    /// The shared tables (built on first use, about 0.1 ms).
    pub(crate) fn get() -> &'static SpeedMap {
        static MAP: std::sync::OnceLock<SpeedMap> = std::sync::OnceLock::new();
        MAP.get_or_init(|| SpeedMap {
            to_speed: Table::new(-6.5, 6.5, 4096, |z| {
                let g = normal_to_rayleigh(z, 1.0);
                let q = 0.5 * libm::erfc(z * std::f64::consts::FRAC_1_SQRT_2);
                (g, phi(z) / (q * g))
            }),
            to_normal_low: Table::new(0.1, 1.0, 4096, to_normal_with_slope),
            to_normal: Table::new(1.0, 5.25, 4096, to_normal_with_slope),
        })
    }

    /// [`normal_to_rayleigh`]`(z, 1)`.
    #[inline]
    pub(crate) fn speed(&self, z: f64) -> f64 {
        self.to_speed
            .get(z)
            .unwrap_or_else(|| normal_to_rayleigh(z, 1.0))
    }

    /// [`rayleigh_to_normal`]`(s, 1)`.
    #[inline]
    pub(crate) fn normal(&self, s: f64) -> f64 {
        let table = if s < 1.0 {
            &self.to_normal_low
        } else {
            &self.to_normal
        };
        table.get(s).unwrap_or_else(|| rayleigh_to_normal(s, 1.0))
    }
}

/// `rayleigh_to_normal(s, 1)` and its derivative.
fn to_normal_with_slope(s: f64) -> (f64, f64) {
    let z = rayleigh_to_normal(s, 1.0);
    (z, s * (-0.5 * s * s).exp() / phi(z))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ppf_inverts_the_normal_cdf() {
        assert!((norm_ppf(0.975, 0.025) - 1.959_963_984_540_054).abs() < 1e-14);
        for &z in &[-6.0, -3.0, -1.0, -0.2, 0.0, 0.3, 1.5, 4.0, 7.0] {
            let q = 0.5 * libm::erfc(z / std::f64::consts::SQRT_2);
            let p = 0.5 * libm::erfc(-z / std::f64::consts::SQRT_2);
            assert!((norm_ppf(p, q) - z).abs() < 1e-9 * (1.0 + z.abs()), "{z}");
        }
        assert!((Z_CLIP - norm_ppf(1.0 - 1e-6, 1e-6)).abs() < 1e-12);
    }

    #[test]
    fn rayleigh_round_trip() {
        for &s in &[0.01, 0.08, 0.2, 0.3] {
            let z = rayleigh_to_normal(s, 0.08);
            assert!((normal_to_rayleigh(z, 0.08) - s).abs() < 1e-9, "{s}");
        }
    }

    #[test]
    fn tables_match_the_exact_maps() {
        let m = SpeedMap::get();
        let (mut e_speed, mut e_normal) = (0.0f64, 0.0f64);
        for i in 0..=200_000 {
            let z = -8.0 + 16.0 * i as f64 / 200_000.0;
            e_speed = e_speed.max((m.speed(z) - normal_to_rayleigh(z, 1.0)).abs());
            let s = 6.0 * i as f64 / 200_000.0;
            e_normal = e_normal.max((m.normal(s) - rayleigh_to_normal(s, 1.0)).abs());
        }
        assert!(e_speed < 1e-12, "speed {e_speed:e}");
        assert!(e_normal < 1e-12, "normal {e_normal:e}");
    }
}
