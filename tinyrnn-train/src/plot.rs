//! The training-curve PNG: loss and accuracy per epoch, the exported epoch marked.
//!
//! Text is drawn with the DejaVu Sans font compiled into the binary (crate `dejavu`, through
//! plotters' `ab_glyph` feature), so no system font is needed.

use std::fmt::Display;
use std::ops::Range;
use std::path::Path;
use std::sync::Once;

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::history::EpochStats;

static FONT: Once = Once::new();

fn register_font() {
    FONT.call_once(|| {
        // DejaVu Sans is a valid TrueType font; registration cannot fail for it.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
    });
}

const TRAIN: RGBColor = RGBColor(31, 119, 180);
const VAL: RGBColor = RGBColor(214, 39, 40);
const BEST: RGBColor = RGBColor(120, 120, 120);

/// Writes a 1200×480 PNG with two panels: loss (train, validation) and accuracy.
pub fn training_curve(
    path: &Path,
    history: &[EpochStats],
    best_epoch: usize,
    title: &str,
) -> anyhow::Result<()> {
    register_font();
    let err = |e: &dyn Display| anyhow!("drawing {}: {e}", path.display());
    let root = BitMapBackend::new(path, (1200, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let root = root
        .titled(title, ("sans-serif", 22))
        .map_err(|e| err(&e))?;
    let (left, right) = root.split_horizontally(600);
    let n = history.len().max(1) as f64;
    let x_range = 0.5..(n + 0.5);

    let max_loss = history
        .iter()
        .flat_map(|s| [Some(s.train_loss), s.val_loss])
        .flatten()
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-3)
        * 1.05;
    let (train, val) = curves(history, |s| s.train_loss, |s| s.val_loss);
    let loss = Panel {
        caption: "loss (cross-entropy)".to_string(),
        y_range: 0.0..max_loss,
        train_label: "train",
        train,
        val,
        legend: SeriesLabelPosition::UpperRight,
    };
    loss.draw(&left, x_range.clone(), best_epoch, &err)?;

    let min_acc = history
        .iter()
        .flat_map(|s| [Some(s.train_acc), s.val_acc])
        .flatten()
        .fold(1.0f64, f64::min);
    let lo = ((min_acc - 0.05).max(0.0) * 10.0).floor() / 10.0;
    let (train, val) = curves(history, |s| s.train_acc, |s| s.val_acc);
    let accuracy = Panel {
        caption: format!("accuracy (exported: epoch {best_epoch})"),
        y_range: lo..1.0,
        train_label: "train (during epoch)",
        train,
        val,
        legend: SeriesLabelPosition::LowerRight,
    };
    accuracy.draw(&right, x_range, best_epoch, &err)?;
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// The `(epoch, value)` points of one line of a panel.
type Curve = Vec<(f64, f64)>;

/// The `(epoch, value)` points of a quantity's training curve and of its validation curve
/// (empty without validation data).
fn curves(
    history: &[EpochStats],
    train: impl Fn(&EpochStats) -> f64,
    val: impl Fn(&EpochStats) -> Option<f64>,
) -> (Curve, Curve) {
    let epoch = |s: &EpochStats| s.epoch as f64;
    (
        history.iter().map(|s| (epoch(s), train(s))).collect(),
        history
            .iter()
            .filter_map(|s| val(s).map(|v| (epoch(s), v)))
            .collect(),
    )
}

/// One panel of the figure: a quantity per epoch, for training and (if any) validation.
struct Panel {
    caption: String,
    y_range: Range<f64>,
    train_label: &'static str,
    /// `(epoch, value)` of the training curve.
    train: Curve,
    /// `(epoch, value)` of the validation curve; empty without validation data.
    val: Curve,
    legend: SeriesLabelPosition,
}

impl Panel {
    /// Draws the axes, the exported epoch's dashed line, the curves and the legend on `area`.
    fn draw(
        self,
        area: &DrawingArea<BitMapBackend<'_>, Shift>,
        x_range: Range<f64>,
        best_epoch: usize,
        err: &dyn Fn(&dyn Display) -> anyhow::Error,
    ) -> anyhow::Result<()> {
        let (lo, hi) = (self.y_range.start, self.y_range.end);
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .caption(self.caption, ("sans-serif", 18))
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d(x_range, self.y_range)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(225, 225, 225))
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| err(&e))?;
        draw_best(&mut chart, best_epoch, lo, hi)?;
        let val = (!self.val.is_empty()).then_some(("validation", VAL, self.val));
        for (label, color, points) in
            std::iter::once((self.train_label, TRAIN, self.train)).chain(val)
        {
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(|e| err(&e))?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(self.legend)
            .label_font(("sans-serif", 14))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(&e))?;
        Ok(())
    }
}

type Chart<'a, 'b> = ChartContext<
    'a,
    BitMapBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// A dashed vertical line at the exported epoch.
fn draw_best(chart: &mut Chart<'_, '_>, epoch: usize, lo: f64, hi: f64) -> anyhow::Result<()> {
    let x = epoch as f64;
    let steps = 40;
    let segments = (0..steps).step_by(2).map(|i| {
        let a = lo + (hi - lo) * i as f64 / steps as f64;
        let b = lo + (hi - lo) * (i + 1) as f64 / steps as f64;
        PathElement::new(vec![(x, a), (x, b)], BEST.stroke_width(1))
    });
    chart.draw_series(segments).map_err(|e| anyhow!("{e}"))?;
    Ok(())
}
