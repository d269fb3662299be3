//! The recording walkthrough end to end on the bundled real recording: load
//! by name, DataFrames, HD tuning and classification, decoding, ripple PSTH.

use canns::prelude::*;

#[test]
fn notebook_06_recordings() -> canns::Result<()> {
    let rec = Recording::dataset("A2929-200711")?;
    assert_eq!(rec.n_units(), 15);
    let _ = rec.bundle();

    let units = Table::from_dataframe("units", rec.units());
    assert_eq!(units.n_rows, 15);

    let wake = rec.restrict("wake")?;
    let per_unit = wake
        .spikes()
        .group_by(["unit"])?
        .select(["t"])
        .count()?
        .sort(["unit"], Default::default())?;
    assert_eq!(per_unit.height(), 15);
    let _ = Table::from_dataframe("spikes per unit in the wake epoch", &per_unit);

    let _ = wake.plot_raster(700.0, 710.0).bundle();

    let tuning = wake.hd_tuning(&HdTuningParams::default())?;
    assert_eq!(tuning.n_hd_cells(), 7);
    for u in &tuning.units {
        assert_eq!(u.is_hd_cell, u.unit.ends_with("adn"), "{u:?}");
    }
    let _ = tuning.bundle();
    let _ = tuning.plot_polar();

    let summary = tuning.summary()?;
    let not_hd = !summary.column("is_hd_cell")?.bool()?.clone();
    let rejected = summary.filter(&not_hd)?;
    assert_eq!(rejected.height(), 8);
    let borderline: Vec<(String, f64)> = tuning
        .units
        .iter()
        .filter(|u| {
            !u.is_hd_cell
                && u.rayleigh > u.rayleigh_threshold
                && u.mutual_info > u.mutual_info_threshold
        })
        .map(|u| (u.unit.clone(), u.stability))
        .collect();
    assert_eq!(borderline.len(), 4);
    assert!(borderline.iter().all(|(_, s)| *s < 0.8));
    assert!(tuning
        .units
        .iter()
        .filter(|u| u.is_hd_cell)
        .all(|u| u.stability > 0.9));

    let adn = wake.select_units("location", "adn")?;
    let decoded = adn.decode_head_direction(0.1, &DecodingParams::default())?;
    assert!(decoded.median_error_deg() < 15.0);
    assert!(decoded.shuffled_median_error_deg() > 60.0);
    let pv = adn.decode_head_direction(
        0.1,
        &DecodingParams::default().decoder(Decoder::PopulationVector),
    )?;
    assert!(pv.median_error_deg() > decoded.median_error_deg());

    let sleep = rec.restrict("sleep")?;
    let ripples = sleep
        .select_units("location", "ca1")?
        .psth("sleep_ripples", -0.5, 0.5, 0.01)?;
    let centre = |u: usize| (48..52).map(|b| ripples.mean[[u, b]]).sum::<f64>() / 4.0;
    let base = |u: usize| {
        (0..20)
            .chain(80..100)
            .map(|b| ripples.mean[[u, b]])
            .sum::<f64>()
            / 40.0
    };
    assert!((0..8).all(|u| centre(u) > 2.0 * base(u)));
    let _ = ripples.bundle();
    Ok(())
}
