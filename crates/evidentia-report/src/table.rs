//! Tables that break across pages cleanly: cells wrap to their column, a row never splits, the
//! header row repeats on every page, and a group heading is never left alone at a page's foot.

use crate::canvas::{
    Align, CONTENT_BOTTOM, CONTENT_TOP, CONTENT_W, Canvas, MARGIN_X, Rgb3, Style, colour,
};

/// One column: its title, share of the width, and alignment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column<'t> {
    pub title: &'t str,
    /// Width in points.
    pub width: f32,
    pub align: Align,
}

/// A cell: its text and, optionally, the colour and weight it is drawn in.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub text: String,
    pub colour: Option<Rgb3>,
    pub bold: bool,
    /// An anchor other cells can link to (the row's place is recorded when it is drawn).
    pub anchor: Option<String>,
    /// The anchor this cell links to (a GoTo link annotation over the cell).
    pub link: Option<String>,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            colour: None,
            bold: false,
            anchor: None,
            link: None,
        }
    }
    /// Coloured but regular weight.
    pub fn coloured(text: impl Into<String>, colour: Rgb3) -> Cell {
        Cell {
            text: text.into(),
            colour: Some(colour),
            bold: false,
            anchor: None,
            link: None,
        }
    }
    /// Marks the cell as the target `anchor`.
    pub fn anchor(mut self, anchor: impl Into<String>) -> Cell {
        self.anchor = Some(anchor.into());
        self
    }
    /// Makes the cell a link to `anchor`.
    pub fn link(mut self, anchor: Option<String>) -> Cell {
        self.link = anchor;
        self
    }
    pub fn strong(text: impl Into<String>, colour: Rgb3) -> Cell {
        Cell {
            text: text.into(),
            colour: Some(colour),
            bold: true,
            anchor: None,
            link: None,
        }
    }
}

/// A table row: a full-width group heading or a row of cells.
#[derive(Debug, Clone)]
pub(crate) enum Row {
    /// `level` 0 is the outermost group.
    Group {
        level: usize,
        text: String,
    },
    Cells(Vec<Cell>),
}

pub(crate) const PAD_X: f32 = 4.0;
const PAD_Y: f32 = 3.5;
/// The most lines one cell may take; beyond that it is cut with an ellipsis line, so one
/// pathological value cannot take more than a page.
pub(crate) const MAX_CELL_LINES: usize = 40;

/// A table in the making: columns, body style, and the group headings in force (repeated when
/// a page breaks inside a group).
#[derive(Debug)]
pub(crate) struct Table<'a> {
    columns: &'a [Column<'a>],
    style: Style,
    groups: Vec<String>,
    header_on_page: Option<usize>,
}

impl<'a> Table<'a> {
    pub fn new(columns: &'a [Column<'a>], size: f32) -> Table<'a> {
        debug_assert!(
            (columns.iter().map(|c| c.width).sum::<f32>() - CONTENT_W).abs() < 1.0,
            "columns fill the text width"
        );
        Table {
            columns,
            style: Style::new(size),
            groups: Vec::new(),
            header_on_page: None,
        }
    }

    fn header_height(&self) -> f32 {
        self.style.size + 2.0 * PAD_Y + 1.0
    }

    fn draw_header(&mut self, canvas: &mut Canvas) {
        let style = self.style.bold();
        let h = self.header_height();
        canvas.fill(MARGIN_X, canvas.y - h, CONTENT_W, h, colour::HEADER_FILL);
        let mut x = MARGIN_X;
        for c in self.columns {
            canvas.text(
                x + PAD_X,
                canvas.y - PAD_Y - style.size * 0.85,
                c.width - 2.0 * PAD_X,
                c.title,
                style,
                c.align,
            );
            x += c.width;
        }
        canvas.y -= h;
        canvas.line(
            (MARGIN_X, canvas.y),
            (MARGIN_X + CONTENT_W, canvas.y),
            0.6,
            colour::MUTED,
        );
        self.header_on_page = Some(canvas.pages.len() - 1);
    }

    /// Makes room for `height` points of rows: breaks the page if needed, then draws the header
    /// (and the groups in force, marked as continued) at the top of a new page.
    fn room(&mut self, canvas: &mut Canvas, height: f32) {
        let header = self.header_height();
        let page = canvas.pages.len() - 1;
        let fresh = self.header_on_page != Some(page);
        let extra = if fresh { header } else { 0.0 };
        if canvas.y - height - extra < CONTENT_BOTTOM && canvas.y < CONTENT_TOP {
            canvas.new_page();
            self.draw_header(canvas);
            for (level, g) in self.groups.clone().into_iter().enumerate() {
                self.draw_group(canvas, level, &format!("{g} (continued)"));
            }
        } else if fresh {
            self.draw_header(canvas);
        }
    }

    fn group_height(&self) -> f32 {
        self.style.size + 2.0 * PAD_Y + 2.0
    }

    fn group_style(&self, level: usize) -> Style {
        if level == 0 {
            self.style.bold().colour(colour::ACCENT)
        } else {
            self.style.bold()
        }
    }

    /// A group heading's lines: it wraps (a check's id, title, severity and controls may not
    /// fit one line) rather than losing its end.
    fn group_lines(&self, canvas: &Canvas, level: usize, text: &str) -> Vec<String> {
        let indent = PAD_X + 8.0 * level as f32;
        let mut lines = canvas.lines(text, self.group_style(level), CONTENT_W - indent - PAD_X);
        lines.truncate(4);
        lines
    }

    fn group_height_of(&self, canvas: &Canvas, level: usize, text: &str) -> f32 {
        let n = self.group_lines(canvas, level, text).len().max(1);
        self.group_height() + (n - 1) as f32 * self.style.leading()
    }

    fn draw_group(&mut self, canvas: &mut Canvas, level: usize, text: &str) {
        let style = self.group_style(level);
        let lines = self.group_lines(canvas, level, text);
        let h = self.group_height_of(canvas, level, text);
        let fill = if level == 0 {
            colour::HEADER_FILL
        } else {
            colour::GROUP_FILL
        };
        canvas.fill(MARGIN_X, canvas.y - h, CONTENT_W, h, fill);
        let indent = PAD_X + 8.0 * level as f32;
        let page = canvas.pages.len() - 1;
        for (i, line) in lines.iter().enumerate() {
            canvas.text_at(
                page,
                MARGIN_X + indent,
                canvas.y - PAD_Y - style.size * 0.85 - 1.0 - i as f32 * self.style.leading(),
                line,
                style,
            );
        }
        canvas.y -= h;
    }

    /// Wraps every cell of a row: its lines per column and its height.
    fn measure(&self, canvas: &Canvas, cells: &[Cell]) -> (Vec<Vec<String>>, f32) {
        let mut lines: Vec<Vec<String>> = self
            .columns
            .iter()
            .zip(cells)
            .map(|(col, cell)| {
                let style = self.cell_style(cell);
                let mut l = canvas.lines(&cell.text, style, col.width - 2.0 * PAD_X);
                if l.len() > MAX_CELL_LINES {
                    l.truncate(MAX_CELL_LINES);
                    l.push("…".to_owned());
                }
                l
            })
            .collect();
        lines.resize(self.columns.len(), Vec::new());
        let n = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let height = n as f32 * self.style.leading() + 2.0 * PAD_Y
            - (self.style.leading() - self.style.size);
        (lines, height + 1.0)
    }

    fn cell_style(&self, cell: &Cell) -> Style {
        let mut s = self.style;
        if cell.bold {
            s = s.bold();
        }
        if let Some(c) = cell.colour {
            s = s.colour(c);
        }
        s
    }

    /// What the header row and the first row take: what a heading above the table is kept with.
    pub fn lead_height(&self, canvas: &Canvas, first: Option<&Row>) -> f32 {
        self.header_height()
            + match first {
                Some(Row::Cells(cells)) => self.measure(canvas, cells).1,
                Some(Row::Group { level, text }) => self.group_height_of(canvas, *level, text),
                None => 0.0,
            }
    }

    /// Draws one row; a group heading is kept with the row after it (`next_height`).
    pub fn row(&mut self, canvas: &mut Canvas, row: &Row, next: Option<&Row>) {
        match row {
            Row::Group { level, text } => {
                let next_h = match next {
                    Some(Row::Cells(cells)) => self.measure(canvas, cells).1,
                    _ => self.group_height(),
                };
                self.groups.truncate(*level);
                self.room(canvas, self.group_height_of(canvas, *level, text) + next_h);
                self.draw_group(canvas, *level, text);
                self.groups.push(text.clone());
            }
            Row::Cells(cells) => {
                let (lines, h) = self.measure(canvas, cells);
                self.room(canvas, h);
                let top = canvas.y;
                let mut x = MARGIN_X;
                let page = canvas.pages.len() - 1;
                for ((col, cell), cell_lines) in self.columns.iter().zip(cells).zip(&lines) {
                    let style = self.cell_style(cell);
                    let face = canvas.face(style);
                    let inner = col.width - 2.0 * PAD_X;
                    for (i, line) in cell_lines.iter().enumerate() {
                        let w = face.width(line, style.size);
                        let lx = match col.align {
                            Align::Left => x + PAD_X,
                            Align::Right => x + PAD_X + inner - w,
                            Align::Centre => x + PAD_X + (inner - w) / 2.0,
                        };
                        let baseline =
                            top - PAD_Y - style.size * 0.85 - i as f32 * self.style.leading();
                        canvas.text_at(page, lx, baseline, line, style);
                    }
                    if let Some(a) = &cell.anchor {
                        canvas.anchors.insert(a.clone(), (page, top));
                    }
                    if let Some(target) = &cell.link {
                        canvas
                            .links
                            .push((page, [x, top - h, col.width, h], target.clone()));
                    }
                    x += col.width;
                }
                canvas.y -= h;
                canvas.line(
                    (MARGIN_X, canvas.y),
                    (MARGIN_X + CONTENT_W, canvas.y),
                    0.3,
                    colour::RULE,
                );
            }
        }
    }

    /// Draws every row, then leaves a little space below the table.
    pub fn draw(mut self, canvas: &mut Canvas, rows: &[Row]) {
        if rows.is_empty() {
            self.room(canvas, 0.0);
        }
        // No orphans: the header starts a page with its first rows (up to three), never alone
        // or with one or two rows at a page's foot.
        let lead: f32 = rows
            .iter()
            .take(3)
            .map(|r| match r {
                Row::Cells(cells) => self.measure(canvas, cells).1,
                Row::Group { level, text } => self.group_height_of(canvas, *level, text),
            })
            .sum();
        canvas.need(self.header_height() + lead.min(CONTENT_TOP - CONTENT_BOTTOM - 40.0));
        // No widows: when the last three rows would not all fit on this page, they start the
        // next one together, so a table never ends with one or two rows alone on a page.
        let tail = rows.len().saturating_sub(3);
        for (i, row) in rows.iter().enumerate() {
            if i == tail && i > 0 {
                let rest: f32 = rows[i..]
                    .iter()
                    .map(|r| match r {
                        Row::Cells(cells) => self.measure(canvas, cells).1,
                        Row::Group { level, text } => self.group_height_of(canvas, *level, text),
                    })
                    .sum();
                if rest < CONTENT_TOP - CONTENT_BOTTOM - 80.0 {
                    self.room(canvas, rest);
                }
            }
            self.row(canvas, row, rows.get(i + 1));
        }
        canvas.gap(10.0);
    }
}
