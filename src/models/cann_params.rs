//! The parameter struct of the Wu-Amari CANNs (ring and torus differ only
//! in their size field).

/// The parameters of a Wu-Amari CANN: `$name` with the size field `$size`
/// (documented by `$size_doc`, default `$size_default`), built into `$model`.
macro_rules! cann_params {
    ($name:ident, $model:ident, $size:ident, $size_doc:literal, $size_default:expr, $size_row:literal, $sfa_doc:literal) => {
        #[doc = concat!("Parameters of [`", stringify!($model), "`]. Time is in units of `tau` unless stated.")]
        #[doc = ""]
        #[doc = "# Examples"]
        #[doc = "```"]
        #[doc = concat!("use canns::models::{", stringify!($model), ", ", stringify!($name), "};")]
        #[doc = concat!("let p = ", stringify!($name), "::default().tau(2.0).m(0.1);")]
        #[doc = "assert_eq!((p.tau, p.m, p.k), (2.0, 0.1, 8.1));"]
        #[doc = concat!("let net: ", stringify!($model), " = p.build()?;")]
        #[doc = concat!("assert_eq!(", stringify!($name), "::sfa().tau_v, 50.0);")]
        #[doc = "# Ok::<(), canns::Error>(())"]
        #[doc = "```"]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            #[doc = $size_doc]
            pub $size: usize,
            /// Synaptic time constant `tau` (time unit). Default 1.
            pub tau: f64,
            /// Global inhibition strength `k` in the divisive normalisation. Default 8.1.
            pub k: f64,
            /// Range of excitatory connections `a` (radians). Default 0.5.
            pub a: f64,
            /// Stimulus amplitude `A`. Default 10.
            pub amplitude: f64,
            /// Peak recurrent strength `J0`. Default 4.
            pub j0: f64,
            /// Adaptation time constant `tau_v` (time unit). Default 50.
            pub tau_v: f64,
            /// Adaptation strength `m` (0 disables adaptation). Default 0.
            pub m: f64,
            /// Additive noise on `u`, standard deviation per unit time
            /// (Euler-Maruyama: `sigma * sqrt(dt) * xi` per step). Default 0.
            pub noise: f64,
            /// Seed of the noise. Default 0.
            pub seed: u64,
            /// Time-stepping scheme. Default forward Euler (as `canns`).
            pub integrator: Integrator,
            /// How the recurrent input is computed. Default FFT.
            pub recurrence: Recurrence,
        }

        impl Default for $name {
            fn default() -> Self {
                Self {
                    $size: $size_default,
                    tau: 1.0,
                    k: 8.1,
                    a: 0.5,
                    amplitude: 10.0,
                    j0: 4.0,
                    tau_v: 50.0,
                    m: 0.0,
                    noise: 0.0,
                    seed: 0,
                    integrator: Integrator::Euler,
                    recurrence: Recurrence::Fft,
                }
            }
        }

        impl $name {
            #[doc = $sfa_doc]
            pub fn sfa() -> Self {
                Self { a: 0.3, amplitude: 0.2, j0: 1.0, m: 0.3, tau_v: 50.0, ..Self::default() }
            }

            $crate::params::setters! {
                #[doc = concat!("Sets `", stringify!($size), "`.")]
                $size: usize,
                /// Sets `tau`.
                tau: f64,
                /// Sets `k`.
                k: f64,
                /// Sets `a`.
                a: f64,
                /// Sets `amplitude` (A).
                amplitude: f64,
                /// Sets `j0`.
                j0: f64,
                /// Sets `tau_v`.
                tau_v: f64,
                /// Sets `m`.
                m: f64,
                /// Sets `noise`.
                noise: f64,
                /// Sets `seed`.
                seed: u64,
                /// Sets `integrator`.
                integrator: Integrator,
                /// Sets `recurrence`.
                recurrence: Recurrence,
            }

            /// The travelling-wave boundary `m* = tau / tau_v` (Mi et al. 2014):
            /// with more adaptation than this a bump moves on its own.
            pub fn m_star(&self) -> f64 {
                self.tau / self.tau_v
            }

            /// Sets the adaptation relative to the travelling-wave boundary,
            /// `m = m_bar * m*` with `m* = tau / tau_v` (Ji et al. 2026), from
            /// the current `tau` and `tau_v`: set those first.
            pub fn m_bar(mut self, m_bar: f64) -> Self {
                self.m = m_bar * self.m_star();
                self
            }

            /// Validates and builds the network.
            ///
            /// # Errors
            /// [`Error::Param`] naming the invalid field and value;
            /// [`Error::Limit`](crate::Error::Limit) when the network's state would
            /// exceed the memory budget ([`check_memory`](crate::error::check_memory)).
            pub fn build(&self) -> Result<$model> {
                self.build_with(&CannOptions::default())
            }

            /// Validates and builds the network with the dynamics `options`
            /// (rectification, order of the adaptation update, noise on `v`).
            ///
            /// # Errors
            /// As [`Self::build`]; [`Error::Param`] naming an invalid option.
            pub fn build_with(&self, options: &CannOptions) -> Result<$model> {
                self.validate()?;
                options.validate()?;
                let side = self.$size as u64;
                // `length` counts neurons per side of the torus
                let neurons = if stringify!($size) == "length" {
                    side.saturating_mul(side)
                } else {
                    side
                };
                $crate::error::check_memory(
                    &format!(
                        "{} with {} = {} ({neurons} neurons)",
                        stringify!($model),
                        stringify!($size),
                        self.$size
                    ),
                    neurons.saturating_mul($crate::models::BYTES_PER_NEURON),
                    concat!("use a smaller `", stringify!($size), "`"),
                )?;
                $model::new(self.clone())?.with_options(options.clone())
            }

            /// The constants of the shared dynamics.
            pub(crate) fn constants(&self, o: &CannOptions) -> $crate::models::dynamics::Constants {
                $crate::models::dynamics::Constants {
                    tau: self.tau,
                    k: self.k,
                    tau_v: self.tau_v,
                    m: self.m,
                    noise: self.noise,
                    seed: self.seed,
                    integrator: self.integrator,
                    rectify: o.rectify,
                    drive: o.adaptation_drive,
                    noise_v: o.noise_v,
                }
            }

            fn table(&self) -> KeyValues {
                KeyValues::new(stringify!($name))
                    .row(stringify!($size), self.$size, $size_row)
                    .row("tau", self.tau, "synaptic time constant (time unit)")
                    .row("k", self.k, "global inhibition")
                    .row("a", self.a, "connection range (rad)")
                    .row("amplitude", self.amplitude, "stimulus amplitude A")
                    .row("j0", self.j0, "peak recurrent strength J0")
                    .row("tau_v", self.tau_v, "adaptation time constant")
                    .row("m", self.m, "adaptation strength (0: none)")
                    .row("noise", self.noise, "noise std per unit time")
                    .row("seed", self.seed, "noise seed")
                    .row("integrator", format!("{:?}", self.integrator), "time stepping")
                    .row("recurrence", format!("{:?}", self.recurrence), "FFT or exact dense sum")
            }
        }

        impl $crate::params::Params for $name {
            const NAME: &'static str = stringify!($name);

            fn validate(&self) -> Result<()> {
                check::at_least(stringify!($size), self.$size, 2)?;
                check::positive("tau", self.tau)?;
                check::non_negative("k", self.k)?;
                check::positive("a", self.a)?;
                check::finite("amplitude", self.amplitude)?;
                check::finite("j0", self.j0)?;
                check::positive("tau_v", self.tau_v)?;
                check::non_negative("m", self.m)?;
                check::non_negative("noise", self.noise)?;
                Ok(())
            }
        }

        impl Render for $name {
            fn bundle(&self) -> Bundle {
                Bundle::html(self.table().to_html(), format!("{self:?}"))
            }
        }
    };
}
pub(crate) use cann_params;
