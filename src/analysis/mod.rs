//! Analyses of activity and behaviour. Analyses take arrays, tables or
//! results, never a model, and never change what they are given.
//!
//! ## Bump statistics
//!
//! Centre (population vector), height and width.
//!
//! ### Shapes
//! Activity vectors are flat, one value per neuron; on the torus they are
//! row-major `N x N` with neuron `(i, j)` preferring `(x_j, x_i)`, where
//! `x_k = -pi + k * 2pi/N`.
//!
//! ## Circular statistics
//!
//! Comparing a decoded angle with a measured one.
//!
//! ### References
//! K. V. Mardia, P. E. Jupp (2000), Directional Statistics, section 2.3.1
//! (mean resultant length).
//!
//! ## Decoding
//!
//! Decoding head direction or position from binned population activity,
//! cross-validated, with a shuffled control.
//!
//! Time is cut into bins of `tau` seconds; `n_ti` is the spike count of unit
//! `i` in bin `t`. Tuning `f_i(s)` (expected count per bin in state `s`: a
//! direction bin or a spatial bin) is estimated on training bins only. Two
//! decoders (Zhang, Ginzburg, McNaughton & Sejnowski 1998):
//!
//! ```text
//! Bayesian (Poisson, uniform prior, eq. 36):
//!     s_hat(t) = argmax_s  sum_i n_ti log f_i(s) - sum_i f_i(s)
//! population vector (eq. 16):
//!     direction  theta_hat(t) = arg sum_i n_ti exp(j phi_i)     (phi_i: preferred direction)
//!     position   x_hat(t)     = sum_i n_ti c_i / sum_i n_ti     (c_i: rate-weighted field centre)
//! ```
//!
//! Cross-validation: the bins are cut into `n_folds` contiguous blocks; each
//! block is decoded by a decoder trained on all the others. The shuffled
//! control trains on counts in which each unit's train is circularly shifted
//! in time by its own random offset, and decodes the real test counts: its
//! error is chance level (about 90 degrees for head direction).
//!
//! ### References
//! Zhang, Ginzburg, McNaughton & Sejnowski (1998) J Neurophysiol 79:1017,
//! "Interpreting neuronal population activity by reconstruction".
//!
//! ## Head-direction tuning
//!
//! Head-direction tuning: occupancy-normalised tuning curves, preferred
//! direction, Rayleigh mean vector length, Skaggs mutual information, and
//! classification of head-direction (HD) cells against a shuffle control.
//!
//! For unit `i` and direction bin `k` (centre `theta_k`), with `c_ik` spikes
//! while the animal faced bin `k` and occupancy `o_k` seconds there:
//!
//! ```text
//! rate       r_ik = c_ik / o_k                                   (Hz)
//! Rayleigh   R_i  = | sum_k r_ik exp(j theta_k) | / sum_k r_ik    (0..1)
//! preferred  phi_i = arg sum_k r_ik exp(j theta_k)
//! Skaggs MI  I_i  = sum_k p_k (r_ik / l_i) log2(r_ik / l_i),  p_k = o_k / sum o,  l_i = sum_k p_k r_ik
//! ```
//!
//! `I` is in bits per spike (Skaggs et al. 1993). A unit is an HD cell when
//! both `R` and `I` exceed the chosen percentile (default 99th) of their values
//! over shuffles in which the unit's spike train is circularly shifted in time
//! by a random offset within the epoch (which keeps its spike count and
//! temporal structure but breaks its relation to behaviour), and its tuning
//! is stable: the curves of the first and second halves of the tracked time
//! correlate at least `min_stability` (default 0.8). The stability criterion
//! rejects units whose apparent direction tuning comes from elsewhere, e.g.
//! place cells in an arena where heading and position are coupled, which can
//! pass the shuffle test.
//!
//! ### References
//! - Taube, Muller & Ranck (1990) J Neurosci 10:420, head-direction cells.
//! - Skaggs, McNaughton, Gothard & Markus (1993) NIPS 5, "An information-theoretic
//!   approach to deciphering the hippocampal code".
//! - Peyrache, Lacroix, Petersen & Buzsaki (2015) Nat Neurosci 18:569 (shuffle
//!   criterion for HD cells).
//!
//! ## Rate maps and spatial scores
//!
//! Spatial rate maps and their scores: Skaggs spatial information,
//! sparsity, spatial autocorrelogram, grid score and border score.
//!
//! With `o_k` the (smoothed) time spent in spatial bin `k`, `p_k = o_k / sum o`
//! and `r_k` the smoothed spike count divided by `o_k` (Hz):
//!
//! ```text
//! spatial information  I = sum_k p_k (r_k / l) log2(r_k / l),  l = sum_k p_k r_k   (bits/spike; Skaggs et al. 1993)
//! sparsity             s = (sum_k p_k r_k)^2 / sum_k p_k r_k^2                      (Skaggs et al. 1996)
//! autocorrelogram      A(dx, dy) = Pearson correlation of r(x, y) and r(x + dx, y + dy) over bins where both are defined
//! grid score           g = min(c60, c120) - max(c30, c90, c150)                      (Sargolini et al. 2006)
//!                      c_a: correlation of A with A rotated by a degrees, over an annulus around the centre
//!                      that excludes the central peak; g is the largest over expanding outer radii (Langston et al. 2010)
//! border score         b = (cM - dm) / (cM + dm)                                     (Solstad et al. 2008)
//!                      cM: largest fraction of one wall covered by one field (bins >= 30% of the peak);
//!                      dm: rate-weighted mean distance of field bins to the nearest wall, over half the shorter side
//! ```
//!
//! ### References
//! - Skaggs, McNaughton, Gothard & Markus (1993) NIPS 5; Skaggs, McNaughton, Wilson
//!   & Barnes (1996) Hippocampus 6:149.
//! - Sargolini et al. (2006) Science 312:758; Langston et al. (2010) Science 328:1576.
//! - Solstad, Boccara, Kropff, Moser & Moser (2008) Science 322:1865.
//!
//! ## Rasters and PSTHs
//!
//! Spike rasters, peri-stimulus time histograms (PSTH) around events, and
//! rate heatmaps, as plotly figures.
//!
//! The PSTH of unit `i` around events `e_1..e_M`, in bins `b` of width `w`
//! over a window `[start, end)` relative to each event:
//!
//! ```text
//! r_ib(m) = #{spikes of i in e_m + [start + b w, start + (b + 1) w)} / w      (Hz)
//! mean_ib = (1/M) sum_m r_ib(m),   sem_ib = sd_m(r_ib(m)) / sqrt(M)
//! ```
//!
//! ### References
//! Gerstein & Kiang (1960) Biophys J 1:15, "An approach to the quantitative
//! analysis of electrophysiological data from single neurons".
//!
//! ## Analyses of a recording
//!
//! The analyses applied to a [`Recording`](crate::data::Recording) in one call: tuning curves, rate
//! maps, decoding and PSTH on the recording's own spikes, behaviour and
//! events. Restrict the recording first (`rec.restrict("wake")?`,
//! `rec.select_units("location", "adn")?`) to choose the epoch and units.
//!
//! ## Replay statistics
//!
//! Replay statistics of decoded bump trajectories: mean squared displacement
//! over lags and its log-log exponent, net displacement, speed, the
//! distribution of step sizes and a Levy (stable-law) exponent.
//!
//! ```text
//! MSD(L)  = < |c(t + L) - c(t)|^2 >          (over t and trials; c unwrapped)
//! MSD(L) ~ L^beta                            beta = 1 diffusive, 1 < beta < 2 super-diffusive, 2 ballistic
//! steps   Delta c over `step_lag`; symmetric stable law with |phi(t)| = exp(-|sigma t|^alpha)
//! ```
//!
//! **Levy alpha.** The exponent of a symmetric stable law is fitted to the
//! signed steps (each coordinate of a 2-D step pooled: every projection of
//! an isotropic stable vector is stable with the same alpha) by the
//! characteristic-function regression of Koutrouvelis (1980): standardise
//! the steps by half their interquartile range, compute the empirical
//! characteristic function `phi(t_k)` at `t_k = pi k / 25`, `k = 1..10`, and
//! regress `ln(-ln |phi(t_k)|^2)` on `ln t_k`: the slope is alpha (clamped
//! to (0, 2]). alpha = 2 is Gaussian (Brownian steps), alpha < 2 heavy-tailed
//! (Levy flights). Ji et al. (2026) instead fit with the `levy` package and a
//! transform `(2 - alpha_fit)/1.5 + 1`; the regression needs no tables and
//! has no free transform.
//!
//! **Which steps.** The steps are displacements over `step_lag` (default
//! 1 time unit, i.e. 1 ms in Ji et al.'s units), taken without overlap.
//! Ji et al.'s code (`TwoD_fun.get_alpha`) uses the displacement between
//! consecutive samples, one integration step of 0.1 ms (`step_lag = dt`
//! here), and fits its square. When the bump is driven by additive input
//! noise the steps are Gaussian at every lag, and alpha is about 2 in every
//! regime of the 1-D model: adaptation changes how far the bump goes (the
//! MSD exponent), not the shape of its short steps.
//! [`plot_step_distributions`] shows the distributions themselves.
//!
//! ### Shapes
//! A trial is `(n_steps, dim)`, time-major, dim 1 (ring) or 2 (torus),
//! holding wrapped angles (they are unwrapped here with `period`).
//!
//! ### Examples
//! ```
//! use canns::analysis::{replay_stats, ReplayStats};
//! use canns::ndarray::Array2;
//! // A bump moving at constant speed: ballistic, MSD ~ lag^2.
//! let c = Array2::from_shape_fn((2000, 1), |(t, _)| canns::space::wrap(0.01 * t as f64));
//! let s = replay_stats(&[c], 0.1)?;
//! assert!((s.msd_exponent - 2.0).abs() < 1e-6);
//! assert!((s.speed - 0.1).abs() < 1e-9); // 0.01 rad per step of 0.1
//! # Ok::<(), canns::Error>(())
//! ```
//!
//! ### References
//! - Ji, Chu, Dong, Yu, Bush, Burgess & Wu (2026), Nat Commun,
//!   doi:10.1038/s41467-025-68042-3 (MSD slope, step histograms, alpha).
//! - Koutrouvelis (1980), Regression-type estimation of the parameters of
//!   stable laws, JASA 75(372):918-928.
//! ## Theta sweeps, cycle by cycle
//!
//! Theta sweeps, cycle by cycle: how far and to which side a decoded
//! direction or position sweeps from the animal's in each theta cycle.
//!
//! The functions take arrays, one value per network step, and cut them into
//! whole theta cycles of `cycle_len` steps from the first value (slice the
//! series so that it starts at a cycle's start, phase `-pi`). Steps where the
//! network is silent (its largest rate below a fraction of the largest over
//! the series, see [`active_steps`]) carry no decoded value and are skipped.
//!
//! * [`direction_sweeps`]: signed offsets of a decoded angle (internal minus
//!   true heading): per-cycle peak (the offset of largest magnitude), half
//!   range, silent fraction, and the left/right alternation of the peaks;
//! * [`position_sweeps`]: decoded minus true position, split along and
//!   across the heading: egocentric and allocentric sweep length, how far
//!   ahead, lateral range and its alternation;
//! * [`offset_vs_phase`]: the mean offset in theta-phase bins;
//! * [`alternation_fraction`]: the fraction of successive values of opposite sign;
//! * [`circular_linear_fit`]: phase precession, the slope of firing phase
//!   against position by circular-linear regression (Kempter et al. 2012).
//!
//! ### Examples
//! ```
//! use canns::analysis::{active_steps, direction_sweeps};
//! // Two cycles of 4 steps sweeping right (+) then left (-).
//! let off = [0.0, 0.5, 1.0, 0.2, 0.0, -0.4, -0.9, -0.1];
//! let rmax = [1.0; 8];
//! let s = direction_sweeps(&off, &active_steps(&rmax, 0.1), 4)?;
//! assert_eq!(s.peaks(), vec![1.0, -0.9]);
//! assert_eq!(s.alternation, Some(1.0));
//! assert!((s.mean_abs_peak.unwrap() - 0.95).abs() < 1e-12);
//! # Ok::<(), canns::Error>(())
//! ```
//!
//! ### References
//! - Ji, Z., Chu, T., Wu, S. & Burgess, N. (2025). A systems model of
//!   alternating theta sweeps via firing rate adaptation. Curr Biol
//!   35(4):709-722.
//! - Vollan, A. Z., Gardner, R. J., Moser, M.-B. & Moser, E. I. (2025).
//!   Left-right-alternating theta sweeps in entorhinal-hippocampal maps of
//!   space. Nature 639:995-1005.
//! - Kempter, R., Leibold, C., Buzsaki, G., Diba, K. & Schmidt, R. (2012).
//!   Quantifying circular-linear associations: hippocampal phase precession.
//!   J Neurosci Methods 207:113-124.
//!
//! ## Tracking
//!
//! How well a decoded bump follows a target: error, offset and lag.
//!

pub(crate) mod bump;
pub(crate) mod circular;
pub(crate) mod decoding;
pub(crate) mod fixed_points;
pub(crate) mod head_direction;
pub(crate) mod place;
pub(crate) mod raster;
pub(crate) mod recording;
pub(crate) mod replay;
mod sampling;
pub mod sheet;
pub(crate) mod theta;
pub(crate) mod tracking;

pub use bump::{centre_1d, centre_2d, height, width_1d, width_2d, RingGrid};
pub use circular::{compare_angles, CircularComparison};
pub use decoding::{
    decode_head_direction, decode_position, resample, Decoder, Decoding, DecodingParams, Variable,
};
pub use fixed_points::{
    eigenvalues_of, FixedPointFinder, FixedPointFinderParams, FixedPoints, Stability,
};
pub use head_direction::{hd_tuning, HdTuning, HdTuningParams, HdUnit};
pub use place::{
    activity_rate_maps, autocorrelogram, border_score, grid_score, grid_spacing, rate_map,
    rate_maps, RateMap, RateMapParams,
};
pub use raster::{psth, raster, rate_heatmap, Psth};
pub use replay::{
    levy_alpha, plot_step_distributions, replay_stats, ReplayStats, ReplayStatsParams,
};
pub use theta::{
    active_steps, alternation_fraction, circular_linear_fit, direction_sweeps, offset_vs_phase,
    phase_bin_centres, position_sweeps, CircularLinearFit, DirectionCycle, DirectionSweeps,
    PositionCycle, PositionSweeps,
};
pub use tracking::{tracking_summary, TrackingSummary};
