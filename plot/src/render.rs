//! Shared drawing machinery: the backend picked by the file extension, the embedded font,
//! the colour palette and axis ranges that never collapse to zero width.

use crate::PlotError;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// Smallest width and height accepted: below it the label areas would overlap the panels.
pub const MIN_SIDE: u32 = 100;

/// Largest width and height accepted (a 10,000-pixel square bitmap is 300 MB of RGB).
pub const MAX_SIDE: u32 = 10_000;

/// The font family every text element asks for; it is the embedded Noto Sans.
pub(crate) const FONT: &str = "sans-serif";

/// A figure that can be drawn on any backend (bitmap or SVG).
pub(crate) trait Figure {
    /// Draws the figure on `root`, already filled white.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>;
}

/// Draws `figure` into `path` (PNG or SVG by extension) at `size` pixels.
pub(crate) fn render(figure: &impl Figure, path: &Path, size: (u32, u32)) -> Result<(), PlotError> {
    let side = MIN_SIDE..=MAX_SIDE;
    if !side.contains(&size.0) || !side.contains(&size.1) {
        return Err(PlotError::Size {
            width: size.0,
            height: size.1,
        });
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    register_font();
    let drawn = match extension.as_deref() {
        Some("png") => draw_png(figure, path, size),
        Some("svg") => draw_on(SVGBackend::new(path, size).into_drawing_area(), figure),
        _ => {
            return Err(PlotError::UnsupportedExtension {
                path: path.to_path_buf(),
            });
        }
    };
    drawn.map_err(|e| e.at(path))
}

fn draw_on<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    figure: &impl Figure,
) -> Result<(), PlotError> {
    root.fill(&WHITE)?;
    figure.draw(&root)?;
    root.present()?;
    Ok(())
}

/// Draws into an RGB buffer and encodes it with the `png` crate: plotters' own file output
/// would bring in the `image` crate (JPEG, GIF and more), the slowest part of a clean build.
fn draw_png(figure: &impl Figure, path: &Path, size: (u32, u32)) -> Result<(), PlotError> {
    let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
    draw_on(
        BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area(),
        figure,
    )?;
    let failed = |e: &dyn std::fmt::Display| PlotError::Backend {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = std::fs::File::create(path).map_err(|e| failed(&e))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), size.0, size.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Plots are mostly flat colour: per-row filters and the stronger deflate level halve
    // the file (a README figure stays well under 100 KB) for a few milliseconds.
    encoder.set_compression(png::Compression::Best);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    let mut writer = encoder.write_header().map_err(|e| failed(&e))?;
    writer.write_image_data(&pixels).map_err(|e| failed(&e))?;
    writer.finish().map_err(|e| failed(&e))
}

/// Registers the embedded Noto Sans for every style once, so that text is laid out the same
/// on any machine, with or without system fonts (plotters' `ab_glyph` backend reads only
/// registered fonts).
fn register_font() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            // The bytes are a valid TrueType font shipped by the crate: failure is a bug.
            if plotters::style::register_font(FONT, style, ttf_noto_sans::REGULAR).is_err() {
                unreachable!("the embedded Noto Sans is a valid font");
            }
        }
    });
}

/// Text of `size` pixels in the embedded font.
pub(crate) fn text(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().into()
}

/// Colours of the chains and series (the first eight of matplotlib's tab10, which ArviZ
/// users know), repeating after eight.
pub(crate) fn colour(index: usize) -> RGBColor {
    const TAB10: [(u8, u8, u8); 8] = [
        (31, 119, 180),
        (255, 127, 14),
        (44, 160, 44),
        (214, 39, 40),
        (148, 103, 189),
        (140, 86, 75),
        (227, 119, 194),
        (127, 127, 127),
    ];
    let (r, g, b) = TAB10[index % TAB10.len()];
    RGBColor(r, g, b)
}

/// `lo..hi` widened by 5% on each side, or by 1 (or 10% of the value) when `lo == hi`, so
/// that a constant series still gets an axis.
pub(crate) fn padded(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let width = hi - lo;
    if width > 0.0 {
        lo - 0.05 * width..hi + 0.05 * width
    } else {
        let pad = (lo.abs() * 0.1).max(1.0);
        lo - pad..hi + pad
    }
}

/// The smallest and largest of `values` (assumed finite and non-empty).
pub(crate) fn extent(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    values
        .into_iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
}

/// The grid of panels for `n` plots: at most `columns` side by side.
pub(crate) fn grid(n: usize, columns: usize) -> (usize, usize) {
    let cols = n.clamp(1, columns.max(1));
    (n.div_ceil(cols).max(1), cols)
}

/// A short number for captions and legends: 3 significant digits.
pub(crate) fn num(x: f64) -> String {
    if x == 0.0 {
        "0".to_string()
    } else if (1e-3..1e5).contains(&x.abs()) {
        let digits = (2 - x.abs().log10().floor() as i32).clamp(0, 4) as usize;
        format!("{x:.digits$}")
    } else {
        format!("{x:.2e}")
    }
}

/// An axis tick label: no trailing zeros (`80`, `0.05`), scientific notation only for very
/// large or small magnitudes.
pub(crate) fn tick(x: &f64) -> String {
    let magnitude = x.abs();
    if magnitude != 0.0 && !(1e-3..1e5).contains(&magnitude) {
        return format!("{x:.1e}");
    }
    let fixed = format!("{x:.6}");
    let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
    if trimmed == "-0" {
        "0".to_string()
    } else {
        trimmed.to_string()
    }
}

/// A chart on plain `f64` axes, as the line plots draw them.
pub(crate) type LineChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The axes every line plot shares (the set-up elbo, energy and density repeat): tick labels
/// without trailing zeros, the embedded font at `label_size` (descriptions 2 px larger), the
/// two axis descriptions, and no minor grid lines (white), so that the data stay in front.
pub(crate) fn draw_axes<DB: DrawingBackend>(
    chart: &mut LineChart<'_, DB>,
    x_desc: &str,
    y_desc: &str,
    label_size: u32,
) -> Result<(), PlotError> {
    // A tick at zero computed from the range's ends comes out as ±1e-17: label it 0.
    let span = |r: std::ops::Range<f64>| (r.end - r.start).abs() * 1e-9;
    let (x_zero, y_zero) = (span(chart.x_range()), span(chart.y_range()));
    let x_tick = |x: &f64| tick(if x.abs() < x_zero { &0.0 } else { x });
    let y_tick = |y: &f64| tick(if y.abs() < y_zero { &0.0 } else { y });
    chart
        .configure_mesh()
        .x_label_formatter(&x_tick)
        .y_label_formatter(&y_tick)
        .label_style(text(label_size))
        .axis_desc_style(text(label_size + 2))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(6)
        .y_labels(5)
        .light_line_style(WHITE)
        .draw()?;
    Ok(())
}
