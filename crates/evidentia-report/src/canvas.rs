//! Pages as lists of drawing operations, with a cursor that flows downwards and breaks to a new
//! page when the next block does not fit: the small layout engine the report sections use.

use printpdf::{
    Color, FontId, Line, LinePoint, Op, PaintMode, PdfFontHandle, Point, Pt, Rect, Rgb, TextItem,
};

use sha2::{Digest, Sha256};

use crate::subset::Used;
use crate::text::{Face, Fonts, fit, safe, wrap};

/// A4 in points.
pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
pub(crate) const MARGIN_X: f32 = 50.0;
/// Where content starts (below the running header) and must end (above the footer).
pub(crate) const CONTENT_TOP: f32 = PAGE_H - 72.0;
pub(crate) const CONTENT_BOTTOM: f32 = 64.0;
pub(crate) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;

/// Resource names of the embedded faces (fixed, so the bytes do not vary between runs).
pub(crate) const REGULAR_ID: &str = "FDejaVuSans";
pub(crate) const BOLD_ID: &str = "FDejaVuSansBold";

/// The palette: sober, printable in greyscale.
pub(crate) mod colour {
    pub const INK: (f32, f32, f32) = (0.11, 0.13, 0.17);
    pub const MUTED: (f32, f32, f32) = (0.40, 0.43, 0.48);
    pub const RULE: (f32, f32, f32) = (0.78, 0.80, 0.83);
    pub const HEADER_FILL: (f32, f32, f32) = (0.90, 0.92, 0.95);
    pub const GROUP_FILL: (f32, f32, f32) = (0.95, 0.96, 0.97);
    pub const ACCENT: (f32, f32, f32) = (0.12, 0.29, 0.49);
    pub const MET: (f32, f32, f32) = (0.16, 0.50, 0.28);
    pub const FINDINGS: (f32, f32, f32) = (0.75, 0.22, 0.17);
    pub const NOT_ASSESSED: (f32, f32, f32) = (0.55, 0.57, 0.60);
    pub const CRITICAL: (f32, f32, f32) = (0.55, 0.05, 0.10);
    pub const HIGH: (f32, f32, f32) = (0.80, 0.25, 0.15);
    pub const MEDIUM: (f32, f32, f32) = (0.85, 0.55, 0.10);
    pub const LOW: (f32, f32, f32) = (0.35, 0.50, 0.70);
    pub const BAR: (f32, f32, f32) = (0.25, 0.45, 0.68);
    pub const BAR_LIGHT: (f32, f32, f32) = (0.62, 0.74, 0.86);
}

pub(crate) type Rgb3 = (f32, f32, f32);

fn color((r, g, b): Rgb3) -> Color {
    Color::Rgb(Rgb {
        r,
        g,
        b,
        icc_profile: None,
    })
}

/// How a run of text is drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub size: f32,
    pub bold: bool,
    pub colour: Rgb3,
}

impl Style {
    pub const fn new(size: f32) -> Style {
        Style {
            size,
            bold: false,
            colour: colour::INK,
        }
    }
    pub const fn bold(self) -> Style {
        Style { bold: true, ..self }
    }
    pub const fn colour(self, colour: Rgb3) -> Style {
        Style { colour, ..self }
    }
    /// Baseline-to-baseline distance.
    pub fn leading(self) -> f32 {
        self.size * 1.3
    }
}

/// Horizontal alignment inside a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
    Centre,
}

/// The pages drawn so far and the cursor on the last one.
#[derive(Debug)]
pub(crate) struct Canvas {
    pub fonts: &'static Fonts,
    pub pages: Vec<Vec<Op>>,
    /// The top of the free space on the current page, in points from the bottom.
    pub y: f32,
    /// Characters drawn per face (regular, bold): the glyphs the embedded subsets keep.
    pub used: [Used; 2],
    /// A digest of everything drawn, in order: the document `/ID` is derived from it.
    pub digest: Sha256,
    /// Every section title with the page (0-based) it starts on: the contents page and the
    /// PDF outline.
    pub outline: Vec<(String, usize)>,
    /// Named places (page, top y) that links point to.
    pub anchors: std::collections::BTreeMap<String, (usize, f32)>,
    /// Links drawn so far: page, rectangle `[x, y, w, h]`, the anchor they go to.
    pub links: Vec<(usize, [f32; 4], String)>,
}

impl Canvas {
    pub fn new(fonts: &'static Fonts) -> Canvas {
        Canvas {
            fonts,
            pages: vec![Vec::new()],
            y: CONTENT_TOP,
            used: [Used::new(), Used::new()],
            digest: Sha256::new(),
            outline: Vec::new(),
            anchors: std::collections::BTreeMap::new(),
            links: Vec::new(),
        }
    }

    pub fn face(&self, style: Style) -> &'static Face {
        self.fonts.face(style.bold)
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = CONTENT_TOP;
    }

    /// Starts a new page unless `height` points still fit on this one; true when it broke.
    pub fn need(&mut self, height: f32) -> bool {
        if self.y - height < CONTENT_BOTTOM && self.y < CONTENT_TOP {
            self.new_page();
            true
        } else {
            false
        }
    }

    /// Feeds one drawing operation into the content digest.
    fn record(&mut self, page: usize, numbers: &[f32], text: &[u8]) {
        self.digest.update((page as u64).to_be_bytes());
        for n in numbers {
            self.digest.update(n.to_bits().to_be_bytes());
        }
        self.digest.update((text.len() as u64).to_be_bytes());
        self.digest.update(text);
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Draws safe, single-line text with its baseline at `y`.
    pub fn text_at(&mut self, page: usize, x: f32, y: f32, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        self.used[usize::from(style.bold)].add(text);
        self.record(page, &[x, y, style.size], text.as_bytes());
        let font = FontId(if style.bold { BOLD_ID } else { REGULAR_ID }.to_owned());
        let ops = [
            Op::StartTextSection,
            Op::SetFillColor {
                col: color(style.colour),
            },
            Op::SetFont {
                font: PdfFontHandle::External(font),
                size: Pt(style.size),
            },
            Op::SetTextCursor {
                pos: Point { x: Pt(x), y: Pt(y) },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ];
        self.pages[page].extend(ops);
    }

    /// Draws text (made safe here) on the current page, aligned in the box `[x, x + width]`,
    /// shortened with an ellipsis if it does not fit.
    pub fn text(&mut self, x: f32, y: f32, width: f32, raw: &str, style: Style, align: Align) {
        let face = self.face(style);
        let text = fit(&safe(raw, face), face, style.size, width);
        let w = face.width(&text, style.size);
        let x = match align {
            Align::Left => x,
            Align::Right => x + width - w,
            Align::Centre => x + (width - w) / 2.0,
        };
        let page = self.pages.len() - 1;
        self.text_at(page, x, y, &text, style);
    }

    /// Wraps text (made safe here) to `width` and returns its lines; a `\n` in `raw` (one the
    /// report itself puts there) starts a new line.
    pub fn lines(&self, raw: &str, style: Style, width: f32) -> Vec<String> {
        let face = self.face(style);
        raw.split('\n')
            .flat_map(|part| wrap(&safe(part, face), face, style.size, width))
            .collect()
    }

    /// A wrapped paragraph at the cursor, breaking pages between lines; a paragraph of up to
    /// four lines is kept on one page (no lone line at a page's top).
    pub fn paragraph(&mut self, raw: &str, style: Style, x: f32, width: f32) {
        let lines = self.lines(raw, style, width);
        if lines.len() <= 4 {
            self.need(lines.len() as f32 * style.leading());
        }
        for line in lines {
            self.need(style.leading());
            let baseline = self.y - style.size;
            let page = self.pages.len() - 1;
            self.text_at(page, x, baseline, &line, style);
            self.y -= style.leading();
        }
    }

    pub fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    /// A filled rectangle, `y` its bottom edge.
    pub fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Rgb3) {
        let page = self.pages.len().saturating_sub(1);
        self.record(page, &[x, y, w, h, fill.0, fill.1, fill.2], b"fill");
        let ops = self.ops();
        ops.push(Op::SetFillColor { col: color(fill) });
        ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(w),
                height: Pt(h),
                mode: Some(PaintMode::Fill),
                winding_order: None,
            },
        });
    }

    /// A straight line.
    pub fn line(&mut self, from: (f32, f32), to: (f32, f32), thickness: f32, stroke: Rgb3) {
        self.line_on(self.pages.len() - 1, from, to, thickness, stroke);
    }

    pub fn line_on(
        &mut self,
        page: usize,
        from: (f32, f32),
        to: (f32, f32),
        thickness: f32,
        stroke: Rgb3,
    ) {
        self.record(
            page,
            &[
                from.0, from.1, to.0, to.1, thickness, stroke.0, stroke.1, stroke.2,
            ],
            b"line",
        );
        let point = |(x, y): (f32, f32)| LinePoint {
            p: Point { x: Pt(x), y: Pt(y) },
            bezier: false,
        };
        let ops = &mut self.pages[page];
        ops.push(Op::SetOutlineColor { col: color(stroke) });
        ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        ops.push(Op::DrawLine {
            line: Line {
                points: vec![point(from), point(to)],
                is_closed: false,
            },
        });
    }

    /// A section title with a rule under it; starts a new page when `new_page`.
    pub fn section(&mut self, title: &str, new_page: bool) {
        if new_page {
            self.new_page();
        } else {
            self.need(60.0);
        }
        self.outline.push((title.to_owned(), self.pages.len() - 1));
        let style = Style::new(16.0).bold().colour(colour::ACCENT);
        self.text(
            MARGIN_X,
            self.y - style.size,
            CONTENT_W,
            title,
            style,
            Align::Left,
        );
        self.y -= style.size + 6.0;
        self.line(
            (MARGIN_X, self.y),
            (MARGIN_X + CONTENT_W, self.y),
            0.8,
            colour::ACCENT,
        );
        self.y -= 12.0;
    }

    /// A smaller heading inside a section, kept with at least `keep` points of what follows.
    pub fn subheading(&mut self, title: &str, keep: f32) {
        let style = Style::new(11.5).bold();
        self.need(style.leading() + 6.0 + keep);
        self.text(
            MARGIN_X,
            self.y - style.size,
            CONTENT_W,
            title,
            style,
            Align::Left,
        );
        self.y -= style.leading() + 6.0;
    }
}
