//! Text that is safe to draw and fits where it is drawn: evidence strings come from imported
//! files, so control and bidi-override characters are removed and unknown glyphs shown as `?`;
//! widths are measured with the embedded font's own advances, never guessed from a length.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use printpdf::ParsedFont;

use crate::ReportError;

/// DejaVu Sans, embedded (Bitstream Vera licence, `fonts/LICENSE-DejaVu.txt`).
pub(crate) const REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
pub(crate) const BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// One face: its parsed tables and the advance of every character it has, in em units.
#[derive(Debug)]
pub(crate) struct Face {
    pub parsed: ParsedFont,
    /// Advances of the Basic Multilingual Plane, indexed by code point (0 = no glyph).
    advances: Vec<f32>,
    /// Characters outside the BMP the font has, with their advances.
    other: BTreeMap<u32, f32>,
}

impl Face {
    fn load(bytes: &[u8], name: &str) -> Result<Face, ReportError> {
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut warnings)
            .ok_or_else(|| ReportError::Font(format!("{name}: {warnings:?}")))?;
        let upem = f32::from(parsed.units_per_em.max(1));
        let mut advances = vec![0.0; 0x1_0000];
        let mut other = BTreeMap::new();
        for (&cp, gid) in &parsed.codepoint_to_glyph {
            // A glyph without an advance (rare) is still drawable; give it a nominal width.
            let advance = parsed
                .glyph_widths
                .get(gid)
                .map_or(0.5, |w| f32::from(*w) / upem);
            match usize::try_from(cp) {
                Ok(i) if i < advances.len() => advances[i] = advance.max(f32::MIN_POSITIVE),
                _ => {
                    other.insert(cp, advance);
                }
            }
        }
        Ok(Face {
            parsed,
            advances,
            other,
        })
    }

    /// The advance of `c` in em, if the font has a glyph for it.
    fn advance(&self, c: char) -> Option<f32> {
        let cp = c as u32;
        match self.advances.get(cp as usize) {
            Some(&a) if a > 0.0 => Some(a),
            Some(_) => None,
            None => self.other.get(&cp).copied(),
        }
    }

    pub fn has(&self, c: char) -> bool {
        self.advance(c).is_some()
    }

    /// Width of `text` at `size` points, in points (text already made safe).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let em: f32 = text.chars().map(|c| self.advance(c).unwrap_or(0.6)).sum();
        em * size
    }
}

/// The two faces the report uses.
#[derive(Debug)]
pub(crate) struct Fonts {
    pub regular: Face,
    pub bold: Face,
}

impl Fonts {
    /// Parsed once per process: parsing and indexing the fonts costs more than a small report.
    pub fn get() -> Result<&'static Fonts, ReportError> {
        static FONTS: OnceLock<Result<Fonts, ReportError>> = OnceLock::new();
        FONTS
            .get_or_init(|| {
                Ok(Fonts {
                    regular: Face::load(REGULAR_TTF, "DejaVuSans.ttf")?,
                    bold: Face::load(BOLD_TTF, "DejaVuSans-Bold.ttf")?,
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    pub fn face(&self, bold: bool) -> &Face {
        if bold { &self.bold } else { &self.regular }
    }
}

/// Bidirectional embedding, override and isolate controls: drawn text must read as stored, so a
/// crafted name cannot reorder what follows it (U+202A–U+202E, U+2066–U+2069, and the marks).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Makes an evidence string drawable: tabs and line breaks become spaces, other control and
/// bidi characters are removed, characters the font cannot draw become `?` (both faces cover
/// the same characters, which the tests check for what we draw).
pub(crate) fn safe(text: &str, face: &Face) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}') {
            out.push(' ');
        } else if c.is_control()
            || is_bidi_control(c)
            || matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}')
        {
            continue;
        } else if face.has(c) {
            out.push(c);
        } else {
            out.push('?');
        }
    }
    out
}

/// Breaks safe text into lines no wider than `max` points: at spaces where possible, inside a
/// word (hashes, long ids, paths) only when the word alone is too wide.
pub(crate) fn wrap(text: &str, face: &Face, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let space = face.width(" ", size);
    let mut line = String::new();
    let mut width = 0.0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = face.width(word, size);
        let needed = if line.is_empty() {
            w
        } else {
            width + space + w
        };
        if needed <= max {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            width = needed;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            width = 0.0;
        }
        if w <= max {
            line.push_str(word);
            width = w;
            continue;
        }
        // Too wide for any line: break after a `.`, `-`, `_`, `/` or `:` (never beside an `@`, so an
        // address's local part and domain stay joined), whole pieces to a line; only a piece
        // wider than the line by itself (a hash) is cut where it fills the line.
        for piece in pieces(word) {
            let pw = face.width(piece, size);
            if width + pw > max && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                width = 0.0;
            }
            if pw <= max {
                line.push_str(piece);
                width += pw;
                continue;
            }
            for c in piece.chars() {
                let cw = face.width(c.encode_utf8(&mut [0; 4]), size);
                if width + cw > max && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    width = 0.0;
                }
                line.push(c);
                width += cw;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A word split after each `.`, `-`, `_`, `/` or `:` that is not next to an `@`: the places a
/// too-long identifier or address may break.
fn pieces(word: &str) -> Vec<&str> {
    let bytes = word.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        let breakable = matches!(b, b'.' | b'-' | b'_' | b'/' | b':')
            && bytes.get(i + 1).is_some_and(|n| *n != b'@')
            && (i == 0 || bytes[i - 1] != b'@');
        if breakable && i + 1 < bytes.len() {
            out.push(&word[start..=i]);
            start = i + 1;
        }
    }
    out.push(&word[start..]);
    out
}

/// Shortens safe text to fit `max` points, ending it with an ellipsis.
pub(crate) fn fit(text: &str, face: &Face, size: f32, max: f32) -> String {
    if face.width(text, size) <= max {
        return text.to_owned();
    }
    let ellipsis = face.width("…", size);
    let mut out = String::new();
    let mut width = 0.0;
    for c in text.chars() {
        let cw = face.width(c.encode_utf8(&mut [0; 4]), size);
        if width + cw + ellipsis > max {
            break;
        }
        out.push(c);
        width += cw;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> &'static Fonts {
        Fonts::get().expect("the embedded fonts parse")
    }

    #[test]
    fn removes_controls_and_bidi_overrides() {
        let face = &fonts().regular;
        assert_eq!(
            safe(
                "a\u{202E}gnp.exe\u{202C}\u{0007}b\tc\u{2066}d\u{2069}",
                face
            ),
            "agnp.exeb cd"
        );
    }

    #[test]
    fn unknown_glyphs_become_question_marks() {
        let face = &fonts().regular;
        // U+E000 is private use; DejaVu has no glyph for it. Latin, Greek and Cyrillic stay.
        assert_eq!(safe("x\u{E000}é Ωж", face), "x?é Ωж");
    }

    #[test]
    fn widths_come_from_the_font() {
        let face = &fonts().regular;
        let narrow = face.width("iiiiiiiiii", 10.0);
        let wide = face.width("WWWWWWWWWW", 10.0);
        assert!(
            wide > 2.5 * narrow,
            "W is much wider than i: {wide} vs {narrow}"
        );
        assert!(fonts().bold.width("Evidence", 10.0) > face.width("Evidence", 10.0));
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let face = &fonts().regular;
        let text = "Access that survives its holder's departure is live, unauthorised access \
                    and the most direct failure of offboarding 0123456789abcdef0123456789abcdef0123456789abcdef";
        for max in [40.0, 90.0, 200.0] {
            let lines = wrap(text, face, 9.0, max);
            for l in &lines {
                assert!(face.width(l, 9.0) <= max + 0.01, "{l:?} wider than {max}");
            }
            assert_eq!(
                lines.concat().replace(' ', ""),
                text.replace(' ', ""),
                "nothing lost at {max}"
            );
        }
        assert_eq!(wrap("", face, 9.0, 50.0), vec![String::new()]);
    }

    #[test]
    fn long_addresses_break_only_between_their_parts() {
        let face = &fonts().regular;
        let text = "account first.middle.lastname-contractor@northwind-analytics.example.com";
        let lines = wrap(text, face, 8.0, 110.0);
        assert!(lines.len() > 2, "{lines:?}");
        for l in &lines {
            assert!(face.width(l, 8.0) <= 110.01, "{l:?}");
            assert!(!l.ends_with('@') && !l.starts_with('@'), "{lines:?}");
            let last = l.chars().last().unwrap();
            let next = lines
                .iter()
                .skip_while(|x| *x != l)
                .nth(1)
                .and_then(|n| n.chars().next());
            // Every break falls after a separator or at a space, never between two letters.
            if next.is_some() && l != "account" {
                assert!(matches!(last, '.' | '-' | '_' | '/' | ':'), "{lines:?}");
            }
        }
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }

    #[test]
    fn fit_shortens_with_an_ellipsis() {
        let face = &fonts().regular;
        let s = fit("a-rather-long-account-name@example.com", face, 9.0, 60.0);
        assert!(s.ends_with('…') && face.width(&s, 9.0) <= 60.0, "{s}");
        assert_eq!(fit("short", face, 9.0, 60.0), "short");
    }
}
