//! The training-curve PNG: loss and accuracy per epoch, the exported epoch marked.
//!
//! Text is drawn with the DejaVu Sans font compiled into the binary (crate `dejavu`, through
//! plotters' `ab_glyph` feature), so no system font is needed.

use std::path::Path;
use std::sync::Once;

use anyhow::anyhow;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::train::EpochStats;

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
    let err = |e: &dyn std::fmt::Display| anyhow!("drawing {}: {e}", path.display());
    let root = BitMapBackend::new(path, (1200, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let root = root
        .titled(title, ("sans-serif", 22))
        .map_err(|e| err(&e))?;
    let (left, right) = root.split_horizontally(600);
    let n = history.len().max(1) as f64;
    let x_range = 0.5..(n + 0.5);

    // Loss panel.
    let max_loss = history
        .iter()
        .flat_map(|s| [Some(s.train_loss), s.val_loss])
        .flatten()
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-3)
        * 1.05;
    let mut chart = ChartBuilder::on(&left)
        .margin(12)
        .caption("loss (cross-entropy)", ("sans-serif", 18))
        .x_label_area_size(36)
        .y_label_area_size(52)
        .build_cartesian_2d(x_range.clone(), 0.0..max_loss)
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
    draw_best(&mut chart, best_epoch, 0.0, max_loss)?;
    chart
        .draw_series(LineSeries::new(
            history.iter().map(|s| (s.epoch as f64, s.train_loss)),
            TRAIN.stroke_width(2),
        ))
        .map_err(|e| err(&e))?
        .label("train")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], TRAIN.stroke_width(2)));
    if history.iter().any(|s| s.val_loss.is_some()) {
        chart
            .draw_series(LineSeries::new(
                history
                    .iter()
                    .filter_map(|s| s.val_loss.map(|v| (s.epoch as f64, v))),
                VAL.stroke_width(2),
            ))
            .map_err(|e| err(&e))?
            .label("validation")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], VAL.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(&e))?;

    // Accuracy panel.
    let min_acc = history
        .iter()
        .flat_map(|s| [Some(s.train_acc), s.val_acc])
        .flatten()
        .fold(1.0f64, f64::min);
    let lo = ((min_acc - 0.05).max(0.0) * 10.0).floor() / 10.0;
    let mut chart = ChartBuilder::on(&right)
        .margin(12)
        .caption(
            format!("accuracy (exported: epoch {best_epoch})"),
            ("sans-serif", 18),
        )
        .x_label_area_size(36)
        .y_label_area_size(52)
        .build_cartesian_2d(x_range, lo..1.0)
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
    draw_best(&mut chart, best_epoch, lo, 1.0)?;
    chart
        .draw_series(LineSeries::new(
            history.iter().map(|s| (s.epoch as f64, s.train_acc)),
            TRAIN.stroke_width(2),
        ))
        .map_err(|e| err(&e))?
        .label("train (during epoch)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], TRAIN.stroke_width(2)));
    if history.iter().any(|s| s.val_acc.is_some()) {
        chart
            .draw_series(LineSeries::new(
                history
                    .iter()
                    .filter_map(|s| s.val_acc.map(|v| (s.epoch as f64, v))),
                VAL.stroke_width(2),
            ))
            .map_err(|e| err(&e))?
            .label("validation")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], VAL.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))?;
    Ok(())
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
