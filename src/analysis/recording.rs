//! The analyses applied to a [`Recording`] in one call: tuning curves, rate (documented in the parent module)

use super::decoding::{decode_head_direction, resample, Decoding, DecodingParams};
use super::head_direction::{hd_tuning, HdTuning, HdTuningParams};
use super::place::{rate_maps, RateMap, RateMapParams};
use super::raster::{psth, Psth};
use crate::data::{col, BinnedSpikes, Recording};
use crate::error::{Error, Result};
use polars::prelude::*;

fn column(df: &DataFrame, name: &str, source: &str) -> Result<Vec<f64>> {
    let c = crate::data::frame_column(df, name).ok_or_else(|| {
        Error::data(
            source,
            format!(
                "behaviour: no channel `{name}` (columns: {})",
                df.get_column_names()
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    let c = c.cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

impl Recording {
    /// Unit labels for figures and tables: `"id"`, or `"id location"` when
    /// the units table has a `location` column.
    pub fn unit_labels(&self) -> Vec<String> {
        let ids = self.unit_ids();
        let loc = crate::data::frame_column(self.units(), col::LOCATION)
            .and_then(|c| c.str().ok().cloned());
        ids.iter()
            .enumerate()
            .map(|(i, id)| match loc.as_ref().and_then(|l| l.get(i)) {
                Some(l) => format!("{id} {l}"),
                None => id.to_string(),
            })
            .collect()
    }

    /// A behaviour channel as a vector, with the behaviour timestamps.
    ///
    /// # Errors
    /// [`Error::Data`] when the channel does not exist.
    pub fn channel_values(&self, name: &str) -> Result<(Vec<f64>, Vec<f64>)> {
        let t = column(self.behaviour(), col::T, self.source())?;
        let v = column(self.behaviour(), name, self.source())?;
        Ok((t, v))
    }

    /// Head-direction tuning of every unit against the `head_direction`
    /// channel, classified against circular-shift shuffles (see
    /// [`hd_tuning`]); units are labelled by [`Recording::unit_labels`].
    ///
    /// # Examples
    /// ```no_run
    /// use canns::analysis::HdTuningParams;
    /// let rec = canns::data::Recording::dataset("A2929-200711")?.restrict("wake")?;
    /// let tuning = rec.hd_tuning(&HdTuningParams::default())?;
    /// assert_eq!(tuning.n_units(), 15);
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Data`] without a `head_direction` channel; as [`hd_tuning`].
    pub fn hd_tuning(&self, params: &HdTuningParams) -> Result<HdTuning> {
        let (t, hd) = self.channel_values(col::HEAD_DIRECTION)?;
        let trains: Vec<Vec<f64>> = self.spike_trains().into_iter().map(|(_, s)| s).collect();
        hd_tuning(&t, &hd, &trains, params)?.with_labels(&self.unit_labels())
    }

    /// Rate maps of every unit over the channels `x` and `y` (see [`rate_maps`]).
    ///
    /// # Errors
    /// [`Error::Data`] when a channel does not exist; as [`rate_maps`].
    pub fn rate_maps(&self, x: &str, y: &str, params: &RateMapParams) -> Result<Vec<RateMap>> {
        let (t, xs) = self.channel_values(x)?;
        let (_, ys) = self.channel_values(y)?;
        let trains: Vec<Vec<f64>> = self.spike_trains().into_iter().map(|(_, s)| s).collect();
        rate_maps(&t, &xs, &ys, &trains, params)
    }

    /// Cross-validated decoding of head direction from every unit, in bins
    /// of `bin_size` seconds over the tracked span of `head_direction` (see
    /// [`decode_head_direction`]).
    ///
    /// # Errors
    /// [`Error::Data`] without a `head_direction` channel; as
    /// [`decode_head_direction`].
    pub fn decode_head_direction(
        &self,
        bin_size: f64,
        params: &DecodingParams,
    ) -> Result<Decoding> {
        let (t, hd) = self.channel_values(col::HEAD_DIRECTION)?;
        let trains: Vec<Vec<f64>> = self.spike_trains().into_iter().map(|(_, s)| s).collect();
        let t0 = t[0];
        let t1 = t[t.len() - 1];
        let b = BinnedSpikes::from_spike_times(&trains, bin_size, t0, t1)?;
        let angle = resample(&t, &hd, &b.centres, bin_size, true);
        decode_head_direction(&b.counts.view(), &angle, bin_size, params)?.with_times(b.centres)
    }

    /// Event times (s) of the events called `name`.
    ///
    /// # Errors
    /// [`Error::Data`] when no event has that name (the message lists them).
    pub fn event_times(&self, name: &str) -> Result<Vec<f64>> {
        let ev = self.events();
        let names = crate::data::frame_column(ev, col::NAME)
            .ok_or_else(|| Error::data(self.source(), "events: missing column `name`"))?
            .str()?
            .clone();
        let t = column(ev, col::T, self.source())?;
        let out: Vec<f64> = names
            .iter()
            .zip(&t)
            .filter(|(n, _)| *n == Some(name))
            .map(|(_, &t)| t)
            .collect();
        if out.is_empty() {
            let mut all: Vec<String> = names.iter().flatten().map(String::from).collect();
            all.sort();
            all.dedup();
            return Err(Error::data(
                self.source(),
                format!(
                    "events: no event named `{name}` (events: {})",
                    all.join(", ")
                ),
            ));
        }
        Ok(out)
    }

    /// PSTH of every unit around the events called `event`, over
    /// `[start, end)` seconds from each event in bins of `bin_size` (see [`psth`]).
    ///
    /// # Errors
    /// [`Error::Data`] for an unknown event name; as [`psth`].
    pub fn psth(&self, event: &str, start: f64, end: f64, bin_size: f64) -> Result<Psth> {
        let events = self.event_times(event)?;
        let trains: Vec<Vec<f64>> = self.spike_trains().into_iter().map(|(_, s)| s).collect();
        psth(&trains, &events, start, end, bin_size, &self.unit_labels())
    }
}
