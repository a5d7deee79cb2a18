//! Glyph metrics of the embedded DejaVu Sans, read from the font's own tables, for placing text
//! on the bitmap backend.
//!
//! Plotters' bitmap text (through ab_glyph) starts every glyph at the pen position and drops the
//! glyph's left side bearing, so narrow glyphs with wide bearings (`i`, `.`, `1`) sit too far
//! left and words look unevenly spaced ("D evelopment", "77. 9%"). The charts therefore draw
//! bitmap text one character at a time, each at pen + its bearing, with the pen advanced by
//! the font's advance widths. Only the tables needed are read: `head`, `hhea`, `hmtx`, `cmap`
//! (format 4, the Basic Multilingual Plane).

use std::sync::OnceLock;

/// Advance width and left side bearing of the characters of one font, in font units, with the
/// scale ab_glyph uses (pixel size / (ascender - descender)).
#[derive(Debug)]
pub(crate) struct Metrics {
    height: f64,
    advances: Vec<u16>,
    bearings: Vec<i16>,
    /// cmap format 4 segments: (start, end, id delta, id range offset, position of the offset).
    segments: Vec<(u16, u16, i16, u16, usize)>,
    data: &'static [u8],
}

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}

fn i16_at(d: &[u8], at: usize) -> Option<i16> {
    u16_at(d, at).map(|v| v as i16)
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *d.get(at)?,
        *d.get(at + 1)?,
        *d.get(at + 2)?,
        *d.get(at + 3)?,
    ]))
}

impl Metrics {
    /// Reads the tables; `None` if the font is not what we expect.
    pub fn parse(data: &'static [u8]) -> Option<Metrics> {
        let tables = usize::from(u16_at(data, 4)?);
        let find = |tag: &[u8; 4]| -> Option<usize> {
            (0..tables).find_map(|i| {
                let rec = 12 + 16 * i;
                (data.get(rec..rec + 4)? == tag)
                    .then(|| u32_at(data, rec + 8).map(|o| o as usize))?
            })
        };
        let hhea = find(b"hhea")?;
        let ascender = f64::from(i16_at(data, hhea + 4)?);
        let descender = f64::from(i16_at(data, hhea + 6)?);
        let long = usize::from(u16_at(data, hhea + 34)?);
        let maxp = find(b"maxp")?;
        let glyphs = usize::from(u16_at(data, maxp + 4)?);
        let hmtx = find(b"hmtx")?;
        let mut advances = Vec::with_capacity(glyphs);
        let mut bearings = Vec::with_capacity(glyphs);
        for g in 0..glyphs {
            if g < long {
                advances.push(u16_at(data, hmtx + 4 * g)?);
                bearings.push(i16_at(data, hmtx + 4 * g + 2)?);
            } else {
                advances.push(*advances.last()?);
                bearings.push(i16_at(data, hmtx + 4 * long + 2 * (g - long))?);
            }
        }
        let cmap = find(b"cmap")?;
        let subtables = usize::from(u16_at(data, cmap + 2)?);
        let sub = (0..subtables).find_map(|i| {
            let rec = cmap + 4 + 8 * i;
            let (platform, encoding) = (u16_at(data, rec)?, u16_at(data, rec + 2)?);
            let at = cmap + u32_at(data, rec + 4)? as usize;
            ((platform == 3 && encoding == 1) || platform == 0)
                .then_some(at)
                .filter(|&at| u16_at(data, at) == Some(4))
        })?;
        let seg_count = usize::from(u16_at(data, sub + 6)? / 2);
        let ends = sub + 14;
        let starts = ends + 2 * seg_count + 2;
        let deltas = starts + 2 * seg_count;
        let offsets = deltas + 2 * seg_count;
        let mut segments = Vec::with_capacity(seg_count);
        for i in 0..seg_count {
            segments.push((
                u16_at(data, starts + 2 * i)?,
                u16_at(data, ends + 2 * i)?,
                i16_at(data, deltas + 2 * i)?,
                u16_at(data, offsets + 2 * i)?,
                offsets + 2 * i,
            ));
        }
        (ascender > descender).then_some(Metrics {
            height: ascender - descender,
            advances,
            bearings,
            segments,
            data,
        })
    }

    fn glyph(&self, c: char) -> usize {
        let Ok(c) = u16::try_from(u32::from(c)) else {
            return 0;
        };
        let Some(&(start, _, delta, range, at)) = self.segments.iter().find(|s| s.1 >= c) else {
            return 0;
        };
        if start > c {
            return 0;
        }
        let g = if range == 0 {
            c.wrapping_add(delta as u16)
        } else {
            let pos = at + usize::from(range) + 2 * usize::from(c - start);
            match u16_at(self.data, pos) {
                Some(0) | None => 0,
                Some(g) => g.wrapping_add(delta as u16),
            }
        };
        usize::from(g)
    }

    /// Advance and left side bearing of a character, in pixels at a font size.
    pub fn char_px(&self, c: char, size: f64) -> (f64, f64) {
        let g = self.glyph(c);
        let scale = size / self.height;
        (
            f64::from(self.advances.get(g).copied().unwrap_or(0)) * scale,
            f64::from(self.bearings.get(g).copied().unwrap_or(0)) * scale,
        )
    }

    /// Width of a text in pixels (sum of advances).
    pub fn width(&self, text: &str, size: f64) -> f64 {
        text.chars().map(|c| self.char_px(c, size).0).sum()
    }
}

/// Metrics of DejaVu Sans, regular or bold (parsed once).
pub(crate) fn metrics(bold: bool) -> Option<&'static Metrics> {
    static REGULAR: OnceLock<Option<Metrics>> = OnceLock::new();
    static BOLD: OnceLock<Option<Metrics>> = OnceLock::new();
    if bold {
        BOLD.get_or_init(|| Metrics::parse(dejavu::sans::bold()))
            .as_ref()
    } else {
        REGULAR
            .get_or_init(|| Metrics::parse(dejavu::sans::regular()))
            .as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dejavu_metrics_are_read() {
        let m = metrics(false).expect("DejaVu Sans parses");
        let (adv_i, lsb_i) = m.char_px('i', 100.0);
        let (adv_m, _) = m.char_px('m', 100.0);
        assert!(adv_i > 10.0 && adv_m > 2.0 * adv_i, "{adv_i} {adv_m}");
        assert!(lsb_i > 1.0, "i has a left bearing: {lsb_i}");
        assert!(m.char_px('±', 100.0).0 > 10.0);
        assert!(metrics(true).unwrap().width("Bold", 20.0) > m.width("Bold", 20.0));
    }
}
