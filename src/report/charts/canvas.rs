//! Drawing helpers shared by every chart: the page (title, subtitle, legend, notes), axes with
//! round ticks, text measured with the embedded font, colours, and number formatting.
//!
//! Charts draw on the whole image in pixel coordinates through a [`Frame`] that maps data to
//! pixels. Plotters is used only for its primitives (rectangles, paths, circles, polygons, text),
//! so both backends get exactly the same drawing commands in the same order.

use super::glyphs;
use jiff::civil::Date;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A drawing area covering the whole image.
pub(crate) type Area<DB> = DrawingArea<DB, Shift>;

/// A drawing failure, from plotters or from the data.
#[derive(Debug)]
pub(crate) struct Fail(pub String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for Fail {
    fn from(e: DrawingAreaErrorKind<E>) -> Fail {
        Fail(e.to_string())
    }
}

pub(crate) type Res<T = ()> = Result<T, Fail>;

/// The font family the embedded DejaVu Sans is registered under.
/// Registered under a CSS font list, which the SVG repeats as its `font-family`: browsers then use
/// DejaVu Sans where installed, or Verdana (its metrics are close), so text laid out with
/// DejaVu's widths fits there too.
pub(crate) const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

pub(crate) const WIDTH: u32 = 1000;
pub(crate) const HEIGHT: u32 = 560;

/// Left and right page margins.
pub(crate) const MARGIN: i32 = 24;

// Colours.
pub(crate) const INK: RGBColor = RGBColor(34, 34, 34);
pub(crate) const MUTED: RGBColor = RGBColor(100, 100, 100);
pub(crate) const GRID: RGBColor = RGBColor(228, 228, 228);
pub(crate) const AXIS: RGBColor = RGBColor(150, 150, 150);
pub(crate) const BLUE: RGBColor = RGBColor(78, 121, 167);
pub(crate) const LIGHT_BLUE: RGBColor = RGBColor(160, 190, 220);
pub(crate) const ORANGE: RGBColor = RGBColor(242, 142, 43);
pub(crate) const GREEN: RGBColor = RGBColor(89, 161, 79);
pub(crate) const PURPLE: RGBColor = RGBColor(140, 90, 160);
pub(crate) const GRAY: RGBColor = RGBColor(186, 176, 172);

/// Percentile marker colours: P50, P70, P85, P95.
pub(crate) const P50: RGBColor = RGBColor(46, 125, 50);
pub(crate) const P70: RGBColor = RGBColor(120, 120, 40);
pub(crate) const P85: RGBColor = RGBColor(230, 120, 0);
pub(crate) const P95: RGBColor = RGBColor(192, 40, 40);

/// Categorical colours (work types, stages), Tableau 10.
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(89, 161, 79),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(176, 122, 161),
    RGBColor(237, 201, 72),
    RGBColor(156, 117, 95),
    RGBColor(255, 157, 167),
    RGBColor(120, 120, 120),
];

pub(crate) fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// A text style of the embedded font.
pub(crate) fn font(size: f64, color: RGBColor) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(FAMILY), size, FontStyle::Normal).color(&color)
}

pub(crate) fn bold(size: f64, color: RGBColor) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(FAMILY), size, FontStyle::Bold).color(&color)
}

pub(crate) fn anchored<'a>(style: TextStyle<'a>, h: HPos, v: VPos) -> TextStyle<'a> {
    style.pos(Pos::new(h, v))
}

/// The same style in another colour.
pub(crate) fn recolor<'a>(style: &TextStyle<'a>, color: RGBColor) -> TextStyle<'a> {
    TextStyle {
        font: style.font.clone(),
        color: color.to_backend_color(),
        pos: style.pos,
    }
}

/// Width and height of a text in pixels.
pub(crate) fn measure<DB: DrawingBackend>(
    root: &Area<DB>,
    text: &str,
    style: &TextStyle<'_>,
) -> Res<(i32, i32)> {
    if text.is_empty() {
        return Ok((0, 0));
    }
    let (w, h) = root.estimate_text_size(text, style)?;
    Ok((w as i32, h as i32))
}

/// Draws a text with its anchor at `(x, y)`.
pub(crate) fn text<DB: DrawingBackend>(
    root: &Area<DB>,
    s: &str,
    style: &TextStyle<'_>,
    (x, y): (i32, i32),
) -> Res {
    if s.is_empty() {
        return Ok(());
    }
    // On the bitmap backend, one character at a time at its bearing (see `glyphs`).
    let upright = matches!(style.font.get_transform(), FontTransform::None);
    let bold = matches!(style.font.get_style(), FontStyle::Bold);
    if let (true, true, Some(m)) = (is_raster::<DB>(), upright, glyphs::metrics(bold)) {
        let size = style.font.get_size();
        let width = m.width(s, size);
        let mut pen = f64::from(x)
            - match style.pos.h_pos {
                HPos::Left => 0.0,
                HPos::Center => width / 2.0,
                HPos::Right => width,
            };
        let one = style.pos(Pos::new(HPos::Left, style.pos.v_pos));
        let mut buf = [0u8; 4];
        for c in s.chars() {
            let (advance, bearing) = m.char_px(c, size);
            // The rasterised glyph keeps the fraction of its bearing inside its own bounds.
            if !c.is_whitespace() {
                root.draw_text(
                    c.encode_utf8(&mut buf),
                    &one,
                    ((pen + bearing.floor()).round() as i32, y),
                )?;
            }
            pen += advance;
        }
        return Ok(());
    }
    root.draw_text(s, style, (x, y))?;
    Ok(())
}

/// Shortens a text with "…" until it fits `max` pixels.
pub(crate) fn fit<DB: DrawingBackend>(
    root: &Area<DB>,
    s: &str,
    style: &TextStyle<'_>,
    max: i32,
) -> Res<String> {
    if measure(root, s, style)?.0 <= max {
        return Ok(s.to_string());
    }
    let chars: Vec<char> = s.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let t: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if measure(root, &t, style)?.0 <= max {
            return Ok(t);
        }
    }
    Ok("…".to_string())
}

/// Splits a text into lines of at most `max` pixels, at spaces.
pub(crate) fn wrap<DB: DrawingBackend>(
    root: &Area<DB>,
    s: &str,
    style: &TextStyle<'_>,
    max: i32,
) -> Res<Vec<String>> {
    // Words, with "±" kept together with its neighbours ("34.6 ± 0.3").
    let mut words: Vec<String> = Vec::new();
    let mut glue = false;
    for w in s.split(' ').filter(|w| !w.is_empty()) {
        match words.last_mut() {
            Some(last) if glue || w == "±" => {
                last.push(' ');
                last.push_str(w);
            }
            _ => words.push(w.to_string()),
        }
        glue = w == "±";
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in &words {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || measure(root, &candidate, style)?.0 <= max {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = word.clone();
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        out.push(fit(root, &l, style, max)?);
    }
    Ok(out)
}

/// A pixel rectangle, filled.
pub(crate) fn rect<DB: DrawingBackend, C: Color>(
    root: &Area<DB>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    color: &C,
) -> Res {
    root.draw(&Rectangle::new(
        [(x0.min(x1), y0.min(y1)), (x0.max(x1), y0.max(y1))],
        color.filled(),
    ))?;
    Ok(())
}

/// A pixel rectangle outline.
pub(crate) fn outline<DB: DrawingBackend, C: Color>(
    root: &Area<DB>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    color: &C,
    width: u32,
) -> Res {
    root.draw(&Rectangle::new(
        [(x0.min(x1), y0.min(y1)), (x0.max(x1), y0.max(y1))],
        color.stroke_width(width),
    ))?;
    Ok(())
}

/// A straight line.
pub(crate) fn line<DB: DrawingBackend, C: Color>(
    root: &Area<DB>,
    a: (i32, i32),
    b: (i32, i32),
    color: &C,
    width: u32,
) -> Res {
    root.draw(&PathElement::new(vec![a, b], color.stroke_width(width)))?;
    Ok(())
}

/// Whether the backend is the bitmap one.
pub(crate) fn is_raster<DB: DrawingBackend>() -> bool {
    std::any::type_name::<DB>().contains("BitMapBackend")
}

/// A polyline. On the bitmap backend, plotters turns a wide path into a polygon whose inner
/// corners spike out on zigzags, so a wide line is drawn there as 1-pixel paths side by side.
pub(crate) fn polyline<DB: DrawingBackend, C: Color>(
    root: &Area<DB>,
    points: Vec<(i32, i32)>,
    color: &C,
    width: u32,
) -> Res {
    if points.len() < 2 {
        return Ok(());
    }
    if width <= 1 || !is_raster::<DB>() {
        root.draw(&PathElement::new(points, color.stroke_width(width)))?;
        return Ok(());
    }
    let offsets: &[(i32, i32)] = if width == 2 {
        &[(0, 0), (1, 0), (0, 1), (1, 1)]
    } else {
        &[(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)]
    };
    for &(dx, dy) in offsets {
        let shifted: Vec<(i32, i32)> = points.iter().map(|&(x, y)| (x + dx, y + dy)).collect();
        root.draw(&PathElement::new(shifted, color.stroke_width(1)))?;
    }
    Ok(())
}

/// A filled polygon (at least three points).
pub(crate) fn polygon<DB: DrawingBackend, C: Color>(
    root: &Area<DB>,
    points: Vec<(i32, i32)>,
    color: &C,
) -> Res {
    if points.len() >= 3 {
        root.draw(&Polygon::new(points, color.filled()))?;
    }
    Ok(())
}

/// A horizontal or vertical dashed line (any straight line, in fact).
pub(crate) fn dashed<DB: DrawingBackend, C: Color>(
    root: &Area<DB>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    color: &C,
    width: u32,
) -> Res {
    let (dx, dy) = (f64::from(x1 - x0), f64::from(y1 - y0));
    let len = (dx * dx + dy * dy).sqrt();
    if len < 1.0 {
        return Ok(());
    }
    let (dash, gap) = (7.0, 5.0);
    let mut t = 0.0;
    while t < len {
        let e = (t + dash).min(len);
        let p = |s: f64| {
            (
                x0 + (dx * s / len).round() as i32,
                y0 + (dy * s / len).round() as i32,
            )
        };
        line(root, p(t), p(e), color, width)?;
        t += dash + gap;
    }
    Ok(())
}

/// A filled circle.
pub(crate) fn dot<DB: DrawingBackend, C: Color>(
    root: &Area<DB>,
    c: (i32, i32),
    r: i32,
    color: &C,
) -> Res {
    root.draw(&Circle::new(c, r.max(1), color.filled()))?;
    Ok(())
}

/// What a legend entry looks like.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A filled box (bars, bands).
    Box(RGBAColor),
    /// A solid line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A dot.
    Dot(RGBColor),
    /// A short vertical tick.
    Tick(RGBColor),
}

#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub swatch: Swatch,
    pub label: String,
}

pub(crate) fn key(swatch: Swatch, label: impl Into<String>) -> Key {
    Key {
        swatch,
        label: label.into(),
    }
}

pub(crate) fn boxed(c: RGBColor) -> Swatch {
    Swatch::Box(c.to_rgba())
}

pub(crate) fn banded(c: RGBColor, alpha: f64) -> Swatch {
    Swatch::Box(c.mix(alpha))
}

const LEGEND_SIZE: f64 = 14.0;
const SWATCH_W: i32 = 22;

fn draw_swatch<DB: DrawingBackend>(root: &Area<DB>, s: Swatch, x: i32, cy: i32) -> Res {
    match s {
        Swatch::Box(c) => {
            rect(root, (x, cy - 6), (x + SWATCH_W, cy + 6), &c)?;
        }
        Swatch::Line(c) => line(root, (x, cy), (x + SWATCH_W, cy), &c, 3)?,
        Swatch::Dashed(c) => {
            line(root, (x, cy), (x + 8, cy), &c, 2)?;
            line(root, (x + 13, cy), (x + SWATCH_W, cy), &c, 2)?;
        }
        Swatch::Dot(c) => dot(root, (x + SWATCH_W / 2, cy), 5, &c)?,
        Swatch::Tick(c) => line(
            root,
            (x + SWATCH_W / 2, cy - 7),
            (x + SWATCH_W / 2, cy + 7),
            &c,
            3,
        )?,
    }
    Ok(())
}

/// A page: white background, title and subtitle at the top, legend rows under them, notes at the
/// bottom; the space left in between is for the plot.
pub(crate) struct Page<'r, DB: DrawingBackend> {
    pub root: &'r Area<DB>,
    pub width: i32,
    /// Top of the free space.
    pub top: i32,
    /// Bottom of the free space.
    pub bottom: i32,
}

impl<'r, DB: DrawingBackend> Page<'r, DB> {
    /// Starts a page with its title and subtitle lines (wrapped to the page width).
    pub fn new(root: &'r Area<DB>, title: &str, subtitle: &[String]) -> Res<Page<'r, DB>> {
        let (w, h) = root.dim_in_pixel();
        let (width, height) = (w as i32, h as i32);
        root.fill(&WHITE)?;
        let max = width - 2 * MARGIN;
        let t = bold(22.0, INK);
        let title = fit(root, title, &t, max)?;
        text(
            root,
            &title,
            &anchored(t, HPos::Left, VPos::Top),
            (MARGIN, 14),
        )?;
        let mut y = 46;
        let sub = font(16.0, MUTED);
        for s in subtitle {
            for l in wrap(root, s, &sub, max)? {
                text(
                    root,
                    &l,
                    &anchored(sub.clone(), HPos::Left, VPos::Top),
                    (MARGIN, y),
                )?;
                y += 20;
            }
        }
        Ok(Page {
            root,
            width,
            top: y + 6,
            bottom: height - 12,
        })
    }

    /// Legend entries in rows across the page, under the subtitle.
    pub fn legend(&mut self, keys: &[Key]) -> Res {
        self.legend_at(keys, MARGIN, self.width - MARGIN)
    }

    /// Legend entries in rows between `x0` and `x1`, under the subtitle.
    pub fn legend_at(&mut self, keys: &[Key], x0: i32, x1: i32) -> Res {
        if keys.is_empty() {
            return Ok(());
        }
        let style = anchored(font(LEGEND_SIZE, INK), HPos::Left, VPos::Center);
        let mut x = x0;
        let mut cy = self.top + 9;
        for k in keys {
            let label = fit(self.root, &k.label, &style, x1 - x0 - SWATCH_W - 6)?;
            let w = SWATCH_W + 6 + measure(self.root, &label, &style)?.0;
            if x > x0 && x + w > x1 {
                x = x0;
                cy += 22;
            }
            draw_swatch(self.root, k.swatch, x, cy)?;
            text(self.root, &label, &style, (x + SWATCH_W + 6, cy))?;
            x += w + 22;
        }
        self.top = cy + 9 + 10;
        Ok(())
    }

    /// Notes at the bottom of the page (wrapped), above any earlier notes.
    pub fn notes(&mut self, lines: &[String]) -> Res {
        let style = font(14.0, MUTED);
        let mut wrapped = Vec::new();
        for l in lines {
            wrapped.extend(wrap(self.root, l, &style, self.width - 2 * MARGIN)?);
        }
        let top = self.bottom - 20 * wrapped.len() as i32;
        for (i, l) in wrapped.iter().enumerate() {
            text(
                self.root,
                l,
                &anchored(style.clone(), HPos::Left, VPos::Top),
                (MARGIN, top + 20 * i as i32),
            )?;
        }
        self.bottom = top - 6;
        Ok(())
    }

    /// A message in the middle of the free space (for a chart without data).
    pub fn message(&self, lines: &[String]) -> Res {
        let style = font(18.0, MUTED);
        let mut wrapped = Vec::new();
        for l in lines {
            wrapped.extend(wrap(self.root, l, &style, self.width - 6 * MARGIN)?);
        }
        let mid = (self.top + self.bottom) / 2 - 13 * wrapped.len() as i32;
        outline(
            self.root,
            (MARGIN, self.top),
            (self.width - MARGIN, self.bottom),
            &GRID,
            1,
        )?;
        for (i, l) in wrapped.iter().enumerate() {
            text(
                self.root,
                l,
                &anchored(style.clone(), HPos::Center, VPos::Top),
                (self.width / 2, mid + 26 * i as i32),
            )?;
        }
        Ok(())
    }
}

/// A linear axis with round ticks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub decimals: usize,
}

impl Axis {
    /// An axis from `lo` to at least `hi`, extended to a multiple of a round step (1, 2 or 5
    /// times a power of ten) with at most `max_ticks` intervals. `integer` axes (counts) use
    /// steps of at least 1.
    pub fn new(lo: f64, hi: f64, max_ticks: usize, integer: bool) -> Axis {
        let (mut lo, mut hi) = (
            if lo.is_finite() { lo } else { 0.0 },
            if hi.is_finite() { hi } else { 1.0 },
        );
        if lo > hi {
            std::mem::swap(&mut lo, &mut hi);
        }
        if hi - lo <= 1e-12 * hi.abs().max(lo.abs()).max(1e-300) {
            if lo == 0.0 {
                hi = 1.0;
            } else if lo > 0.0 {
                // A single positive value: show it from zero.
                hi = lo * 1.5;
                lo = 0.0;
            } else {
                hi = lo.abs() * 0.5 + lo.abs();
                lo = -hi;
            }
        }
        let max_ticks = max_ticks.max(2) as f64;
        let span = hi - lo;
        let mut step = f64::NAN;
        let base = 10f64.powf((span / max_ticks).log10().floor());
        for m in [1.0, 2.0, 5.0, 10.0, 20.0] {
            let s = base * m;
            if span / s <= max_ticks + 1e-9 {
                step = s;
                break;
            }
        }
        if !step.is_finite() || step <= 0.0 {
            step = span;
        }
        if integer {
            step = step.max(1.0).round();
        }
        let a = (lo / step + 1e-9).floor() * step;
        let b = (hi / step - 1e-9).ceil() * step;
        let b = if b <= a { a + step } else { b };
        let n = ((b - a) / step).round().clamp(1.0, 1000.0) as usize;
        let decimals = (-(step.log10() + 1e-9).floor()).clamp(0.0, 9.0) as usize;
        let ticks = (0..=n)
            .map(|i| {
                let v = a + step * i as f64;
                let p = 10f64.powi(decimals as i32);
                (v * p).round() / p
            })
            .collect();
        Axis {
            lo: a,
            hi: b,
            ticks,
            decimals,
        }
    }

    /// An axis from exactly `lo` to exactly `hi` (time axes start and end where the data
    /// does), with round ticks inside.
    pub fn exact(lo: f64, hi: f64, max_ticks: usize) -> Axis {
        let mut a = Axis::new(lo, hi, max_ticks, false);
        if lo.is_finite() && hi.is_finite() && hi > lo {
            a.lo = lo;
            a.hi = hi;
            let eps = (hi - lo) * 1e-9;
            a.ticks.retain(|&t| t >= lo - eps && t <= hi + eps);
        }
        a
    }

    pub fn label(&self, v: f64) -> String {
        tick_label(v, self.decimals)
    }
}

/// A number without trailing zeros, up to three decimals: `10`, `0.5`, `0.05`.
pub(crate) fn short(v: f64) -> String {
    if !v.is_finite() {
        return "-".to_string();
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    tick_label(
        s.parse::<f64>().unwrap_or(v),
        s.split('.').nth(1).map_or(0, str::len),
    )
}

/// A tick value with a fixed number of decimals; thousands separated by commas from 10,000.
pub(crate) fn tick_label(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s[1..].to_string()
    } else {
        s
    };
    crate::numbers::group_thousands(&s, 4)
}

/// A whole number for prose, thousands separated by commas: `1,000`.
pub(crate) fn grouped(n: u64) -> String {
    crate::numbers::thousands(n)
}

/// A number with about three significant digits: 1,234 · 431 · 34.6 · 2.07 · 0.25 · 0.053.
pub(crate) fn num(v: f64) -> String {
    if !v.is_finite() {
        return "-".to_string();
    }
    let a = v.abs();
    let d = if a >= 100.0 || a == 0.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        ((-(a.log10()).floor()) as usize + 1).min(9)
    };
    tick_label(v, d)
}

/// A value with its standard error, both to the precision the error allows: `34.6 ± 0.3`,
/// `20.51 ± 0.05`, `55.8 ± 1.2`. Without an error, the value alone.
pub(crate) fn pm(v: f64, se: Option<f64>) -> String {
    match se {
        // Errors a millionth of the value come from rounding, not from chance.
        Some(se) if se.is_finite() && v.is_finite() && se <= 1e-6 * v.abs() => {
            format!("{} ± 0", num(v))
        }
        Some(se) if se > 0.0 && se.is_finite() && v.is_finite() => {
            let e = se.log10().floor();
            let lead = se / 10f64.powf(e);
            let sig = if lead < 1.95 { 2.0 } else { 1.0 };
            let d = (sig - 1.0 - e).clamp(0.0, 5.0) as usize;
            format!("{} ± {}", tick_label(v, d), tick_label(se, d))
        }
        Some(se) if se == 0.0 && v.is_finite() => format!("{} ± 0", num(v)),
        _ => num(v),
    }
}

/// A fraction as a percentage with its standard error: `34.0 ± 0.2%`.
pub(crate) fn pm_pct(v: f64, se: Option<f64>) -> String {
    format!("{}%", pm(v * 100.0, se.map(|s| s * 100.0)))
}

/// A fraction as a whole percentage, or with one decimal below 10%: `78%`, `4.5%`.
pub(crate) fn pct(v: f64) -> String {
    if !v.is_finite() {
        return "-".to_string();
    }
    let p = v * 100.0;
    if p.abs() < 10.0 && p != 0.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

/// An item count: `1 item`, `2,000 items`.
pub(crate) fn items(n: u64) -> String {
    if n == 1 {
        "1 item".to_string()
    } else {
        format!("{} items", grouped(n))
    }
}

/// First letter in upper case.
pub(crate) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Plot axes in a pixel rectangle, mapping data to pixels.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub x0: i32,
    pub x1: i32,
    pub y0: i32,
    pub y1: i32,
    pub x: Axis,
    pub y: Axis,
}

pub(crate) const TICK_SIZE: f64 = 14.0;
const DESC_SIZE: f64 = 16.0;

impl Frame {
    /// Fits axes into the rectangle `(left, top)`-`(right, bottom)`, leaving room for tick labels
    /// and axis titles.
    pub fn new<DB: DrawingBackend>(
        root: &Area<DB>,
        (left, top, right, bottom): (i32, i32, i32, i32),
        x: Axis,
        y: Axis,
    ) -> Res<Frame> {
        let style = font(TICK_SIZE, MUTED);
        let mut label_w = 0;
        for &t in &y.ticks {
            label_w = label_w.max(measure(root, &y.label(t), &style)?.0);
        }
        let x0 = left + 22 + label_w + 8;
        let y1 = bottom - 52;
        Ok(Frame {
            x0,
            x1: right.max(x0 + 10),
            y0: top,
            y1: y1.max(top + 10),
            x,
            y,
        })
    }

    /// Pixel column of a value (clamped to a little outside the frame).
    pub fn px(&self, v: f64) -> i32 {
        let t = (v - self.x.lo) / (self.x.hi - self.x.lo);
        let t = if t.is_finite() {
            t.clamp(-0.02, 1.02)
        } else {
            0.0
        };
        self.x0 + (t * f64::from(self.x1 - self.x0)).round() as i32
    }

    /// Pixel row of a value (clamped to a little outside the frame).
    pub fn py(&self, v: f64) -> i32 {
        let t = (v - self.y.lo) / (self.y.hi - self.y.lo);
        let t = if t.is_finite() {
            t.clamp(-0.02, 1.02)
        } else {
            0.0
        };
        self.y1 - (t * f64::from(self.y1 - self.y0)).round() as i32
    }

    pub fn point(&self, x: f64, y: f64) -> (i32, i32) {
        (self.px(x), self.py(y))
    }

    /// Grid lines, tick labels, axis lines and axis titles. `vgrid`: vertical grid lines too.
    pub fn axes<DB: DrawingBackend>(
        &self,
        root: &Area<DB>,
        xdesc: &str,
        ydesc: &str,
        vgrid: bool,
    ) -> Res {
        let style = font(TICK_SIZE, MUTED);
        for &t in &self.y.ticks {
            let y = self.py(t);
            line(root, (self.x0, y), (self.x1, y), &GRID, 1)?;
            text(
                root,
                &self.y.label(t),
                &anchored(style.clone(), HPos::Right, VPos::Center),
                (self.x0 - 7, y),
            )?;
        }
        for &t in &self.x.ticks {
            let x = self.px(t);
            if vgrid {
                line(root, (x, self.y0), (x, self.y1), &GRID, 1)?;
            }
            line(root, (x, self.y1), (x, self.y1 + 5), &AXIS, 1)?;
            text(
                root,
                &self.x.label(t),
                &anchored(style.clone(), HPos::Center, VPos::Top),
                (x, self.y1 + 8),
            )?;
        }
        line(root, (self.x0, self.y1), (self.x1, self.y1), &AXIS, 1)?;
        line(root, (self.x0, self.y0), (self.x0, self.y1), &AXIS, 1)?;
        let desc = font(DESC_SIZE, INK);
        text(
            root,
            xdesc,
            &anchored(desc.clone(), HPos::Center, VPos::Top),
            ((self.x0 + self.x1) / 2, self.y1 + 30),
        )?;
        let left = self.x0 - 8 - self.y_label_width(root)? - 22;
        let ydesc = fit(root, ydesc, &desc, self.y1 - self.y0)?;
        text(
            root,
            &ydesc,
            &anchored(desc, HPos::Center, VPos::Top).transform(FontTransform::Rotate270),
            (left, (self.y0 + self.y1) / 2),
        )?;
        Ok(())
    }

    fn y_label_width<DB: DrawingBackend>(&self, root: &Area<DB>) -> Res<i32> {
        let style = font(TICK_SIZE, MUTED);
        let mut w = 0;
        for &t in &self.y.ticks {
            w = w.max(measure(root, &self.y.label(t), &style)?.0);
        }
        Ok(w)
    }
}

/// Moves label centres (pixel rows or columns, in the order given) apart so that neighbours are
/// at least `gap` pixels apart, staying within `[lo, hi]` where possible.
pub(crate) fn spread(wanted: &[i32], gap: i32, lo: i32, hi: i32) -> Vec<i32> {
    let mut idx: Vec<usize> = (0..wanted.len()).collect();
    idx.sort_by_key(|&i| (wanted[i], i));
    let mut pos: Vec<i32> = idx
        .iter()
        .map(|&i| wanted[i].clamp(lo, hi.max(lo)))
        .collect();
    for i in 1..pos.len() {
        if pos[i] < pos[i - 1] + gap {
            pos[i] = pos[i - 1] + gap;
        }
    }
    // Pull back from the upper end if pushed beyond it.
    if let Some(&last) = pos.last() {
        if last > hi {
            let shift = last - hi;
            for p in pos.iter_mut() {
                *p -= shift;
            }
            for i in (0..pos.len().saturating_sub(1)).rev() {
                if pos[i] > pos[i + 1] - gap {
                    pos[i] = pos[i + 1] - gap;
                }
            }
        }
    }
    let mut out = vec![0; wanted.len()];
    for (k, &i) in idx.iter().enumerate() {
        out[i] = pos[k];
    }
    out
}

/// Width in pixels of a text in the embedded font (0 when the font cannot be read), for sizing
/// an image before it is drawn.
pub(crate) fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    super::glyphs::metrics(bold).map_or(0.0, |m| m.width(text, size))
}

/// Lines a text takes when wrapped at spaces to `max` pixels.
pub(crate) fn wrapped_lines(text: &str, size: f64, max: f64) -> u32 {
    let mut lines = 0;
    let mut line = 0.0;
    let space = text_width(" ", size, false);
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = text_width(word, size, false);
        if lines == 0 || line + space + w > max {
            lines += 1;
            line = w;
        } else {
            line += space + w;
        }
    }
    lines.max(1)
}

// ---------------------------------------------------------------------------------------------
// Dates: day numbers, date ticks and date axes (forecast and map charts).

pub(crate) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days since 1970-01-01 (negative before): the charts' horizontal coordinate. A day `d`
/// occupies `[d - 0.5, d + 0.5]`, so a bar for a date is centred on its tick.
pub(crate) fn day_number(d: Date) -> i64 {
    // Howard Hinnant's days_from_civil.
    let (y, m, day) = (
        i64::from(d.year()),
        i64::from(d.month()),
        i64::from(d.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (`None` outside jiff's range).
pub(crate) fn date_of_day(n: i64) -> Option<Date> {
    // Howard Hinnant's civil_from_days.
    let z = n + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

/// "Apr 19".
pub(crate) fn short_date(d: Date) -> String {
    format!("{} {}", MONTHS[(d.month() - 1) as usize], d.day())
}

/// "Apr 19, 2027".
pub(crate) fn long_date(d: Date) -> String {
    format!("{}, {}", short_date(d), d.year())
}

/// A date on a chart whose axis spans `range` (day numbers): "Apr 19", or "Apr 19, 2027" when the
/// axis spans more than a year and the year is not obvious.
pub(crate) fn mark_date(d: Date, range: (f64, f64)) -> String {
    if range.1 - range.0 > 366.0 {
        long_date(d)
    } else {
        short_date(d)
    }
}

/// "Mon Apr 19, 2027".
pub(crate) fn day_date(d: Date) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    format!(
        "{} {}",
        DAYS[d.weekday().to_monday_zero_offset() as usize],
        long_date(d)
    )
}

/// The spacing of date ticks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Step {
    Days(i64),
    /// Mondays, every n weeks.
    Weeks(i64),
    /// First days of months, every n months (from January).
    Months(i64),
    /// First days of years, every n years.
    Years(i64),
}

pub(crate) const STEPS: [Step; 13] = [
    Step::Days(1),
    Step::Weeks(1),
    Step::Weeks(2),
    Step::Months(1),
    Step::Months(2),
    Step::Months(3),
    Step::Months(6),
    Step::Years(1),
    Step::Years(2),
    Step::Years(5),
    Step::Years(10),
    Step::Years(50),
    Step::Years(100),
];

/// One tick of a date axis: its day number, its label and the year written under it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tick {
    pub day: i64,
    pub label: String,
    pub year: Option<String>,
}

/// The days of `step` within `[lo, hi]` (day numbers), at most `cap` of them (more: `None`).
pub(crate) fn step_days(step: Step, lo: i64, hi: i64, cap: usize) -> Option<Vec<i64>> {
    let mut out = Vec::new();
    let mut push = |d: i64| {
        if d >= lo && d <= hi {
            out.push(d);
        }
        out.len() <= cap
    };
    match step {
        Step::Days(n) => {
            let mut d = lo;
            while d <= hi {
                if !push(d) {
                    return None;
                }
                d += n;
            }
        }
        Step::Weeks(n) => {
            // 1970-01-05 (day 4) was a Monday; every n-th Monday from it.
            let period = 7 * n;
            let mut d = lo + (4 - lo).rem_euclid(period);
            while d <= hi {
                if !push(d) {
                    return None;
                }
                d += period;
            }
        }
        Step::Months(_) | Step::Years(_) => {
            let every = match step {
                Step::Years(n) => 12 * n,
                Step::Months(n) | Step::Days(n) | Step::Weeks(n) => n,
            };
            // Months counted from year 0; every n-th from January (of years divisible by n).
            let first = date_of_day(lo)?;
            let mut k = i64::from(first.year()) * 12 + i64::from(first.month()) - 1;
            k += (-k).rem_euclid(every);
            loop {
                let (y, m) = (k.div_euclid(12), k.rem_euclid(12) + 1);
                let Some(d) = i16::try_from(y)
                    .ok()
                    .and_then(|y| Date::new(y, m as i8, 1).ok())
                else {
                    break;
                };
                let d = day_number(d);
                if d > hi {
                    break;
                }
                if !push(d) {
                    return None;
                }
                k += every;
            }
        }
    }
    Some(out)
}

/// Date ticks for the day range `[lo, hi]` across `width` pixels: the finest spacing (days,
/// weeks, months, years) that leaves room for each label.
pub(crate) fn date_ticks(lo: f64, hi: f64, width: i32) -> Vec<Tick> {
    if !(lo.is_finite() && hi.is_finite()) || hi < lo {
        return Vec::new();
    }
    let (a, b) = (lo.ceil() as i64, hi.floor() as i64);
    for step in STEPS {
        // Room for "Sep 30" under each tick, or "Sep" and "2027" on month and year ticks.
        let room = match step {
            Step::Days(_) | Step::Weeks(_) => 72,
            Step::Months(_) | Step::Years(_) => 52,
        };
        let cap = (width / room).max(2) as usize;
        let Some(days) = step_days(step, a, b, cap) else {
            continue;
        };
        if days.is_empty() {
            continue;
        }
        let mut out = Vec::with_capacity(days.len());
        let mut last_year = None;
        for d in days {
            let Some(date) = date_of_day(d) else { continue };
            let label = match step {
                Step::Days(_) | Step::Weeks(_) => short_date(date),
                Step::Months(_) => MONTHS[(date.month() - 1) as usize].to_string(),
                Step::Years(_) => date.year().to_string(),
            };
            let year = match step {
                Step::Years(_) => None,
                _ if last_year != Some(date.year()) => Some(date.year().to_string()),
                _ => None,
            };
            last_year = Some(date.year());
            out.push(Tick {
                day: d,
                label,
                year,
            });
        }
        return out;
    }
    Vec::new()
}

/// A plot frame whose horizontal axis is the day range `[lo, hi]`, with room under it for
/// two-line date labels and the axis title.
pub(crate) fn date_frame<DB: DrawingBackend>(
    root: &Area<DB>,
    (left, top, right, bottom): (i32, i32, i32, i32),
    (lo, hi): (f64, f64),
    y: Axis,
) -> Res<(Frame, Vec<Tick>)> {
    let x = Axis {
        lo,
        hi,
        ticks: Vec::new(),
        decimals: 0,
    };
    let f = Frame::new(root, (left, top, right, bottom - 18), x, y)?;
    let ticks = date_ticks(lo, hi, f.x1 - f.x0);
    Ok((f, ticks))
}

/// Axes of a date frame: the vertical axis as usual, dates along the bottom.
pub(crate) fn date_axes<DB: DrawingBackend>(
    root: &Area<DB>,
    f: &Frame,
    ticks: &[Tick],
    xdesc: &str,
    ydesc: &str,
) -> Res {
    for t in ticks {
        let x = f.px(t.day as f64);
        line(root, (x, f.y0), (x, f.y1), &GRID, 1)?;
    }
    f.axes(root, "", ydesc, false)?;
    let style = font(TICK_SIZE, MUTED);
    let year_style = bold(TICK_SIZE, MUTED);
    for t in ticks {
        let x = f.px(t.day as f64);
        line(root, (x, f.y1), (x, f.y1 + 5), &AXIS, 1)?;
        text(
            root,
            &t.label,
            &anchored(style.clone(), HPos::Center, VPos::Top),
            (x, f.y1 + 8),
        )?;
        if let Some(y) = &t.year {
            text(
                root,
                y,
                &anchored(year_style.clone(), HPos::Center, VPos::Top),
                (x, f.y1 + 25),
            )?;
        }
    }
    text(
        root,
        xdesc,
        &anchored(font(16.0, INK), HPos::Center, VPos::Top),
        ((f.x0 + f.x1) / 2, f.y1 + 46),
    )?;
    Ok(())
}

/// The horizontal range of a date chart holding the days given: a little space either side,
/// and at least a week across.
pub(crate) fn day_range(days: impl IntoIterator<Item = i64>) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for d in days {
        lo = lo.min(d);
        hi = hi.max(d);
    }
    if lo > hi {
        return None;
    }
    let span = (hi - lo) as f64;
    let pad = (span * 0.03).max(1.0);
    let (mut a, mut b) = (lo as f64 - 0.5 - pad, hi as f64 + 0.5 + pad);
    if b - a < 7.0 {
        let mid = (a + b) / 2.0;
        a = mid - 3.5;
        b = mid + 3.5;
    }
    Some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_round() {
        let a = Axis::new(0.0, 141.9, 8, false);
        assert_eq!(a.lo, 0.0);
        assert_eq!(a.hi, 160.0);
        assert_eq!(a.label(a.ticks[1]), "20");
        let a = Axis::new(0.0, 0.37, 8, false);
        assert_eq!(a.label(a.ticks[1]), "0.05");
        let a = Axis::new(0.0, 0.0, 8, true);
        assert_eq!((a.lo, a.hi), (0.0, 1.0));
        let a = Axis::new(0.0, 3.0, 8, true);
        assert!(a.ticks.iter().all(|t| t.fract() == 0.0));
        let a = Axis::new(f64::NAN, f64::INFINITY, 8, false);
        assert!(a.hi > a.lo);
        let a = Axis::new(2.0, 2.0, 8, false);
        assert!(a.lo <= 2.0 && a.hi >= 2.0 && a.hi > a.lo);
        assert_eq!(tick_label(25000.0, 0), "25,000");
        assert_eq!(tick_label(-0.0, 1), "0.0");
    }

    #[test]
    fn values_carry_their_precision() {
        assert_eq!(pm(34.56088, Some(0.3226)), "34.6 ± 0.3");
        assert_eq!(pm(20.5078, Some(0.0543)), "20.51 ± 0.05");
        assert_eq!(pm(55.756, Some(1.17)), "55.8 ± 1.2");
        assert_eq!(pm(430.6, Some(12.0)), "431 ± 12");
        assert_eq!(pm(2.0, Some(0.0)), "2.00 ± 0");
        assert_eq!(pm(2.0, None), "2.00");
        assert_eq!(pm_pct(0.3397, Some(0.0016)), "33.97 ± 0.16%");
        assert_eq!(num(0.0532), "0.053");
        assert_eq!(num(12345.0), "12,345");
        assert_eq!(pm(1.0000000000002, Some(1e-13)), "1.00 ± 0");
        assert_eq!(short(10.0), "10");
        assert_eq!(short(0.05), "0.05");
        assert_eq!(short(2.5), "2.5");
    }

    #[test]
    fn labels_are_spread_apart() {
        assert_eq!(spread(&[100, 100, 100], 10, 0, 500), vec![100, 110, 120]);
        assert_eq!(spread(&[500, 495], 10, 0, 500), vec![500, 490]);
        assert_eq!(spread(&[5, 50], 10, 0, 500), vec![5, 50]);
    }
}
