//! Animated figures: frames with a slider and a play button.

use super::Figure;
use plotly::common::{Anchor, ColorScale, ColorScalePalette, Mode, Pad};
use plotly::layout::update_menu::{
    Button, ButtonMethod, UpdateMenu, UpdateMenuDirection, UpdateMenuType,
};
use plotly::layout::{Axis, Frame, Margin, Slider, SliderStep};
use plotly::{HeatMap, Plot, Scatter, Traces};
use serde_json::json;

/// Fraction of the plot width left of the slider, for the Play/Pause buttons.
const CONTROLS_X: f64 = 0.16;
/// Pixels between the bottom of the plot area and the slider's value label.
const SLIDER_TOP: usize = 58;
/// Pixels between the left end of the slider box and its rail: the label of
/// the first step, centred under the rail's start, stays clear of the Pause
/// button.
const SLIDER_LEFT: usize = 24;
/// Bottom margin in pixels that holds the x-axis title, the slider and its labels.
pub(crate) const CONTROLS_MARGIN: usize = 150;

/// A slider over the frames `names` (labelled `prefix` + name) and
/// Play/Pause buttons playing `frame_ms` milliseconds per frame; `redraw`
/// says whether each frame redraws the whole figure (needed for heatmaps,
/// not for moving markers).
pub(crate) fn controls(
    names: &[String],
    prefix: &str,
    frame_ms: u64,
    redraw: bool,
) -> (Vec<Slider>, Vec<UpdateMenu>) {
    let steps: Vec<SliderStep> = names
        .iter()
        .map(|n| {
            SliderStep::new()
                .label(n.clone())
                .method(plotly::layout::SliderMethod::Animate)
                .args(json!([[n], {"mode": "immediate", "frame": {"duration": 0, "redraw": redraw}, "transition": {"duration": 0}}]))
        })
        .collect();
    // Below the x-axis title (which sits in the bottom margin, about 40 px
    // under the axis) and right of the Play/Pause buttons, level with them.
    let slider = Slider::new()
        .active(0)
        .steps(steps)
        .x(CONTROLS_X)
        .length(1.0 - CONTROLS_X)
        .y(0.0)
        .y_anchor(Anchor::Top)
        .pad(Pad::new(SLIDER_TOP, 0, SLIDER_LEFT))
        .current_value(plotly::layout::SliderCurrentValue::new().prefix(prefix));
    let play = Button::new()
        .label("Play")
        .method(ButtonMethod::Animate)
        .args(json!([null, {"frame": {"duration": frame_ms, "redraw": redraw}, "fromcurrent": true, "transition": {"duration": 0}}]));
    let pause = Button::new()
        .label("Pause")
        .method(ButtonMethod::Animate)
        .args(json!([[null], {"mode": "immediate", "frame": {"duration": 0, "redraw": false}, "transition": {"duration": 0}}]));
    let menu = UpdateMenu::new()
        .ty(UpdateMenuType::Buttons)
        .direction(UpdateMenuDirection::Left)
        .buttons(vec![play, pause])
        .x(CONTROLS_X - 0.01)
        .x_anchor(Anchor::Right)
        .y(0.0)
        .y_anchor(Anchor::Top)
        .pad(Pad::new(SLIDER_TOP + 28, 0, 0))
        .show_active(false);
    (vec![slider], vec![menu])
}

/// The margins of an animated figure: room below the plot for the controls.
pub(crate) fn controls_margin() -> Margin {
    Margin::new()
        .left(60)
        .right(20)
        .top(50)
        .bottom(CONTROLS_MARGIN)
}

/// A line animated over frames: `frames[k] = (label, y values over x)`. The
/// y axis is fixed to `y_range` so frames compare.
pub fn animated_lines(
    title: &str,
    x_label: &str,
    y_label: &str,
    x: Vec<f64>,
    frames: Vec<(String, Vec<f64>)>,
    y_range: (f64, f64),
) -> Figure {
    let frames = frames.into_iter().map(|(n, y)| (n, vec![y])).collect();
    animated_curves(
        title,
        (x_label, y_label),
        x,
        &[("r", false)],
        frames,
        y_range,
        None,
    )
}

/// Several curves animated together: `curves[i] = (name, on the right
/// axis)`, `frames[k] = (label, [y of curve i])`. The left axis is fixed to
/// `y_range`; `right = Some((title, range))` adds a second y axis at the
/// right for the curves marked so (drawn dashed), for a curve on another
/// scale (the external input beside the rates).
pub(crate) fn animated_curves(
    title: &str,
    (x_label, y_label): (&str, &str),
    x: Vec<f64>,
    curves: &[(&str, bool)],
    frames: Vec<(String, Vec<Vec<f64>>)>,
    y_range: (f64, f64),
    right: Option<(&str, (f64, f64))>,
) -> Figure {
    let trace = |name: &str, on_right: bool, y: Vec<f64>| {
        let mut tr = Scatter::new(x.clone(), y).mode(Mode::Lines).name(name);
        if on_right {
            tr = tr
                .y_axis("y2")
                .line(plotly::common::Line::new().dash(plotly::common::DashType::Dash));
        }
        tr
    };
    let mut plot = Plot::new();
    let first = frames.first().map(|f| f.1.clone()).unwrap_or_default();
    for (i, &(name, on_right)) in curves.iter().enumerate() {
        plot.add_trace(trace(
            name,
            on_right,
            first.get(i).cloned().unwrap_or_default(),
        ));
    }
    let names: Vec<String> = frames.iter().map(|f| f.0.clone()).collect();
    for (name, ys) in frames {
        let mut data = Traces::new();
        for (i, y) in ys.into_iter().enumerate().take(curves.len()) {
            let y: Vec<f64> = y.into_iter().map(super::figure::compact).collect();
            data.push(trace(curves[i].0, curves[i].1, y));
        }
        plot.add_frame(Frame::new().name(name).data(data));
    }
    let (sliders, menus) = controls(&names, "t = ", 60, true);
    let mut layout = super::figure::layout(title, x_label, y_label);
    let mut margin = controls_margin();
    if let Some((label, range)) = right {
        layout = super::figure::with_right_axis(layout, label, Some(range));
        margin = margin.right(70).top(70);
    }
    let layout = layout
        .height(super::DEFAULT_HEIGHT + 100)
        .margin(margin)
        .y_axis(Axis::new().title(y_label).range(vec![y_range.0, y_range.1]))
        .sliders(sliders)
        .update_menus(menus);
    plot.set_layout(layout);
    Figure::from(plot)
}

/// A heatmap animated over frames: `frames[k] = (label, z[row][col])`, with a
/// fixed colour range.
pub fn animated_heatmap(
    title: &str,
    x_label: &str,
    y_label: &str,
    x: Vec<f64>,
    y: Vec<f64>,
    frames: Vec<(String, Vec<Vec<f64>>)>,
    z_range: (f64, f64),
) -> Figure {
    let mut plot = Plot::new();
    let heat = |z: Vec<Vec<f64>>| {
        HeatMap::new(x.clone(), y.clone(), z)
            .color_scale(ColorScale::Palette(ColorScalePalette::Viridis))
            .zmin(z_range.0)
            .zmax(z_range.1)
    };
    plot.add_trace(heat(
        frames.first().map(|f| f.1.clone()).unwrap_or_default(),
    ));
    let names: Vec<String> = frames.iter().map(|f| f.0.clone()).collect();
    for (name, z) in frames {
        let mut data = Traces::new();
        data.push(heat(super::figure::compact_matrix(z)));
        plot.add_frame(Frame::new().name(name).data(data));
    }
    let (sliders, menus) = controls(&names, "t = ", 60, true);
    let layout = super::figure::layout(title, x_label, y_label)
        .height(super::DEFAULT_HEIGHT + 120)
        .width(super::DEFAULT_HEIGHT + 100)
        .margin(controls_margin())
        .sliders(sliders)
        .update_menus(menus);
    plot.set_layout(layout);
    Figure::from(plot)
}
