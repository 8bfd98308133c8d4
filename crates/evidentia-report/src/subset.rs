//! Embeds only the glyphs a report draws: printpdf embeds whole fonts unless its layout engine
//! is enabled, and DejaVu Sans is 1.4 MB for two faces, so we subset with allsorts (printpdf's
//! own font library) and embed the subset, which keeps a Unicode cmap for the kept glyphs.

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile, subset};
use printpdf::ParsedFont;

use crate::ReportError;
use crate::text::Face;

/// Which characters were drawn in one face: a bitmap of the Basic Multilingual Plane plus the
/// few others (text is made safe before drawing, so every character has a glyph).
#[derive(Debug)]
pub(crate) struct Used {
    bmp: Vec<bool>,
    other: Vec<char>,
}

impl Used {
    pub fn new() -> Used {
        Used {
            bmp: vec![false; 0x1_0000],
            other: Vec::new(),
        }
    }

    pub fn add(&mut self, text: &str) {
        for c in text.chars() {
            match self.bmp.get_mut(c as usize) {
                Some(seen) => *seen = true,
                None => {
                    if !self.other.contains(&c) {
                        self.other.push(c);
                    }
                }
            }
        }
    }

    fn chars(&self) -> impl Iterator<Item = char> + '_ {
        let bmp = self
            .bmp
            .iter()
            .enumerate()
            .filter(|(_, seen)| **seen)
            .filter_map(|(cp, _)| char::from_u32(cp as u32));
        bmp.chain(self.other.iter().copied())
    }
}

/// The face reduced to the glyphs of `used` (and `.notdef`), parsed for embedding.
pub(crate) fn subset_face(
    face: &Face,
    bytes: &[u8],
    used: &Used,
    name: &str,
) -> Result<ParsedFont, ReportError> {
    let mut glyphs: Vec<u16> = used
        .chars()
        .filter_map(|c| face.parsed.codepoint_to_glyph.get(&(c as u32)).copied())
        .collect();
    glyphs.sort_unstable();
    glyphs.dedup();
    glyphs.retain(|g| *g != 0);
    glyphs.insert(0, 0);
    let fail = |e: String| ReportError::Font(format!("subsetting {name}: {e}"));
    let font = ReadScope::new(bytes)
        .read::<FontData<'_>>()
        .map_err(|e| fail(e.to_string()))?;
    let provider = font.table_provider(0).map_err(|e| fail(e.to_string()))?;
    let reduced = subset(
        &provider,
        &glyphs,
        &SubsetProfile::Minimal,
        CmapTarget::Unicode,
    )
    .map_err(|e| fail(e.to_string()))?;
    let mut warnings = Vec::new();
    ParsedFont::from_bytes(&reduced, 0, &mut warnings)
        .ok_or_else(|| fail(format!("the subset does not parse: {warnings:?}")))
}
