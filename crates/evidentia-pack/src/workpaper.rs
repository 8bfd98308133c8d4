//! The Excel workpaper an external auditor tests a sample on: the Sample, Population and Method sheets written as reproducible XLSX bytes.
//!
//! Pure like the rest of this crate: the façade draws the sample and fills the model; this
//! module only lays it out (docs/workpapers.md describes the sheets an auditor receives).
//!
//! Every text cell is written as a string cell, never as a formula and never guessed at, so
//! evidence text such as `=HYPERLINK(...)` opens as the literal text it was. Equal models give
//! equal bytes: the document's creation time is `generated_at`, and the zip writer inside
//! `rust_xlsxwriter` uses fixed entry times.

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Note, Workbook,
    Worksheet, XlsxError,
};
use thiserror::Error;

use crate::table::Cell;

/// The name of the sheet the auditor works on.
pub const SAMPLE_SHEET: &str = "Sample";
/// The name of the sheet holding the whole population (omitted in a selective pack).
pub const POPULATION_SHEET: &str = "Population";
/// The name of the sheet stating how the sample was drawn.
pub const METHOD_SHEET: &str = "Method";

/// The two columns after the attributes, left empty for the auditor.
const AUDITOR_NOTES: &str = "auditor notes";
const CONCLUSION: &str = "conclusion";

/// Data rows a sheet can hold under its one header row (Excel's 1,048,576 rows minus one).
pub const MAX_DATA_ROWS: usize = 1_048_575;
/// Columns a sheet can hold (Excel's XFD).
pub const MAX_COLUMNS: usize = 16_384;
/// Characters Excel keeps in one cell.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Largest magnitude an `f64` holds exactly: larger integers are written as text so no count or
/// ledger sequence number is silently rounded.
const EXACT_INT: i64 = 1 << 53;

/// Column widths in Excel character units: wide enough for the longest value, never wider than
/// this, so one long note does not push the tick-mark columns off the screen.
const MAX_WIDTH: usize = 60;
/// The Method sheet's value column fits a SHA-256 in hex (ledger head, population digest).
const MAX_METHOD_WIDTH: usize = 72;
const MIN_WIDTH: usize = 6;
/// Room the header needs beyond its text for the bold face and the filter button.
const HEADER_EXTRA: usize = 3;

/// An audit sample's workpaper: what was tested, on what, and how the sample was drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Workpaper {
    /// e.g. "Audit sample: leavers" — shown as the first row of the Method sheet.
    pub title: String,
    /// Key/value rows of the Method sheet, in order (population, definition, source, period,
    /// ledger head, population count, population digest, seed, algorithm, size rule, size, ...).
    pub method: Vec<(String, Cell)>,
    /// The whole population; None in a selective pack (only the sample is disclosed).
    pub population: Option<Sheet>,
    pub sample: SampleSheet,
    /// Fixed document time (workpapers must be byte-reproducible): "YYYY-MM-DDTHH:MM:SSZ".
    pub generated_at: String,
}

/// A plain table: one header row, then one row per item.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// One attribute the auditor tests on every sampled item.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeColumn {
    /// Short name used in the column headers (`<id>`, `<id> evidence`, ...).
    pub id: String,
    /// What the attribute asks, in words.
    pub title: String,
}

/// The result of one attribute for one sampled item.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeCell {
    /// "pass", "fail" or "n/a".
    pub result: String,
    /// Ledger entries the result was read from.
    pub evidence: Vec<u64>,
    /// The rows of set entries among them, as (entry, 1-based row), ascending.
    pub evidence_rows: Vec<(u64, u32)>,
    pub note: String,
}

/// One sampled item: its identifying cells, then one result per attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleRow {
    pub item: Vec<Cell>,
    pub attributes: Vec<AttributeCell>,
}

/// The sampled items and the attributes tested on each.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleSheet {
    pub item_columns: Vec<String>,
    pub attributes: Vec<AttributeColumn>,
    pub rows: Vec<SampleRow>,
}

/// Why a workpaper could not be written.
#[derive(Debug, Error)]
pub enum WorkpaperError {
    #[error(
        "generated_at {0:?} is not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ (years 1900 to 9999)"
    )]
    GeneratedAt(String),
    #[error("the {sheet} sheet has {rows} data rows; an Excel sheet holds at most {MAX_DATA_ROWS}")]
    TooManyRows { sheet: &'static str, rows: usize },
    #[error("the {sheet} sheet has {columns} columns; an Excel sheet holds at most {MAX_COLUMNS}")]
    TooManyColumns { sheet: &'static str, columns: usize },
    #[error("row {row} of the {sheet} sheet has {cells} cells, its header names {columns}")]
    RowWidth {
        sheet: &'static str,
        row: usize,
        cells: usize,
        columns: usize,
    },
    #[error(
        "sample row {row} has {results} attribute results, the sample tests {attributes} attributes"
    )]
    AttributeCount {
        row: usize,
        results: usize,
        attributes: usize,
    },
    #[error(
        "a cell of the {sheet} sheet (row {row}, column {column}) has {chars} characters; an Excel cell holds at most {MAX_CELL_CHARS}"
    )]
    TextTooLong {
        sheet: &'static str,
        row: usize,
        column: usize,
        chars: usize,
    },
    #[error("writing the {sheet} sheet: {source}")]
    Xlsx {
        sheet: &'static str,
        source: XlsxError,
    },
}

/// The exact header row of the Sample sheet, so the façade's JSON export and tests use the same names.
///
/// ```
/// use evidentia_pack::workpaper::{AttributeColumn, SampleSheet, sample_header};
/// let sample = SampleSheet {
///     item_columns: vec!["person".into()],
///     attributes: vec![AttributeColumn { id: "revoked".into(), title: "Access revoked".into() }],
///     rows: vec![],
/// };
/// assert_eq!(
///     sample_header(&sample),
///     ["person", "revoked", "revoked evidence", "revoked note", "revoked auditor",
///      "auditor notes", "conclusion"]
/// );
/// ```
pub fn sample_header(s: &SampleSheet) -> Vec<String> {
    let mut header = s.item_columns.clone();
    for a in &s.attributes {
        header.push(a.id.clone());
        header.push(format!("{} evidence", a.id));
        header.push(format!("{} note", a.id));
        header.push(format!("{} auditor", a.id));
    }
    header.push(AUDITOR_NOTES.to_owned());
    header.push(CONCLUSION.to_owned());
    header
}

/// The workpaper as XLSX bytes: Sample, then Population (when disclosed), then Method.
pub fn to_xlsx(w: &Workpaper) -> Result<Vec<u8>, WorkpaperError> {
    let created = creation_time(&w.generated_at)?;
    let styles = Styles::new();
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(w.title.as_str())
            .set_creation_datetime(&created),
    );

    write_sample(book.add_worksheet(), &w.sample, &styles)?;
    if let Some(population) = &w.population {
        write_population(book.add_worksheet(), population, &styles)?;
    }
    write_method(book.add_worksheet(), w, &styles)?;

    book.save_to_buffer()
        .map_err(|source| WorkpaperError::Xlsx {
            sheet: "workbook",
            source,
        })
}

/// The number format LibreOffice gives its own booleans.
const BOOLEAN_FORMAT: &str = "\"TRUE\";\"TRUE\";\"FALSE\"";

/// The formats the sheets share.
struct Styles {
    header: Format,
    title: Format,
    pass: Format,
    fail: Format,
    not_applicable: Format,
    /// The empty cells the auditor fills in: tinted so they stand out as theirs.
    auditor: Format,
    /// LibreOffice shows a boolean without this format as 0 or 1; Excel ignores it.
    boolean: Format,
    boolean_left: Format,
    number_left: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border_bottom(FormatBorder::Thin),
            title: Format::new().set_bold().set_font_size(13),
            // Excel's own "Good", "Bad" and a neutral grey, so the colours read as usual.
            pass: Format::new()
                .set_background_color(Color::RGB(0xC6EFCE))
                .set_font_color(Color::RGB(0x006100)),
            fail: Format::new()
                .set_background_color(Color::RGB(0xFFC7CE))
                .set_font_color(Color::RGB(0x9C0006)),
            not_applicable: Format::new()
                .set_background_color(Color::RGB(0xE7E6E6))
                .set_font_color(Color::RGB(0x595959)),
            auditor: Format::new().set_background_color(Color::RGB(0xFFF9E5)),
            boolean: Format::new()
                .set_num_format(BOOLEAN_FORMAT)
                .set_align(FormatAlign::Center),
            boolean_left: Format::new()
                .set_num_format(BOOLEAN_FORMAT)
                .set_align(FormatAlign::Left),
            number_left: Format::new().set_align(FormatAlign::Left),
        }
    }

    fn result(&self, result: &str) -> Option<&Format> {
        match result {
            "pass" => Some(&self.pass),
            "fail" => Some(&self.fail),
            "n/a" => Some(&self.not_applicable),
            _ => None,
        }
    }
}

/// `generated_at` as the document's creation time; only the exact form is accepted so that the
/// time in the file is the time in the model.
fn creation_time(generated_at: &str) -> Result<ExcelDateTime, WorkpaperError> {
    let bad = || WorkpaperError::GeneratedAt(generated_at.to_owned());
    let b = generated_at.as_bytes();
    let shape_ok = b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(bad());
    }
    let num = |from: usize, to: usize| {
        generated_at
            .get(from..to)
            .and_then(|s| s.parse::<u16>().ok())
    };
    let (Some(year), Some(month), Some(day), Some(hour), Some(min), Some(sec)) = (
        num(0, 4),
        num(5, 7),
        num(8, 10),
        num(11, 13),
        num(14, 16),
        num(17, 19),
    ) else {
        return Err(bad());
    };
    if hour > 23 {
        return Err(bad());
    }
    let (Ok(month), Ok(day), Ok(min)) = (u8::try_from(month), u8::try_from(day), u8::try_from(min))
    else {
        return Err(bad());
    };
    ExcelDateTime::from_ymd(year, month, day)
        .and_then(|d| d.and_hms(hour, min, sec))
        .map_err(|_| bad())
}

/// Width bookkeeping: the longest text seen per column, in characters.
struct Widths(Vec<usize>);

impl Widths {
    fn of_header(header: &[String]) -> Widths {
        Widths(
            header
                .iter()
                .map(|h| h.chars().count() + HEADER_EXTRA)
                .collect(),
        )
    }

    fn see(&mut self, col: usize, chars: usize) {
        if let Some(w) = self.0.get_mut(col) {
            *w = (*w).max(chars);
        }
    }

    fn apply(
        &self,
        sheet: &mut Worksheet,
        name: &'static str,
        max: usize,
    ) -> Result<(), WorkpaperError> {
        for (col, w) in self.0.iter().enumerate() {
            let width = (*w + 1).clamp(MIN_WIDTH, max);
            sheet
                .set_column_width(col_num(col), width as f64)
                .map_err(|source| WorkpaperError::Xlsx {
                    sheet: name,
                    source,
                })?;
        }
        Ok(())
    }
}

// Callers check the row and column counts against Excel's limits first, so these fit; the
// saturation only keeps the conversion total.
fn row_num(row: usize) -> u32 {
    u32::try_from(row).unwrap_or(u32::MAX)
}

fn col_num(col: usize) -> u16 {
    u16::try_from(col).unwrap_or(u16::MAX)
}

fn check_shape(sheet: &'static str, rows: usize, columns: usize) -> Result<(), WorkpaperError> {
    if rows > MAX_DATA_ROWS {
        return Err(WorkpaperError::TooManyRows { sheet, rows });
    }
    if columns > MAX_COLUMNS {
        return Err(WorkpaperError::TooManyColumns { sheet, columns });
    }
    Ok(())
}

/// One text cell, always a string cell (never a formula, whatever it starts with).
fn put_text(
    sheet: &mut Worksheet,
    name: &'static str,
    (row, col): (usize, usize),
    text: &str,
    format: Option<&Format>,
) -> Result<usize, WorkpaperError> {
    let chars = text.chars().count();
    if chars > MAX_CELL_CHARS {
        return Err(WorkpaperError::TextTooLong {
            sheet: name,
            row,
            column: col,
            chars,
        });
    }
    let (r, c) = (row_num(row), col_num(col));
    let written = match format {
        Some(f) => sheet.write_string_with_format(r, c, text, f),
        None => sheet.write_string(r, c, text),
    };
    written.map_err(|source| WorkpaperError::Xlsx {
        sheet: name,
        source,
    })?;
    Ok(chars)
}

/// One model cell with its spreadsheet type; returns the characters it shows, for the width.
fn put_cell(
    sheet: &mut Worksheet,
    name: &'static str,
    (row, col): (usize, usize),
    cell: &Cell,
    styles: &Styles,
    align: Align,
) -> Result<usize, WorkpaperError> {
    let (r, c) = (row_num(row), col_num(col));
    let xlsx = |source| WorkpaperError::Xlsx {
        sheet: name,
        source,
    };
    let number = |sheet: &mut Worksheet, x: f64| match align {
        Align::Type => sheet.write_number(r, c, x).map(|_| ()),
        Align::Left => sheet
            .write_number_with_format(r, c, x, &styles.number_left)
            .map(|_| ()),
    };
    match cell {
        Cell::Text(t) => put_text(sheet, name, (row, col), t, None),
        Cell::Int(n) if (-EXACT_INT..=EXACT_INT).contains(n) => {
            // Exact: |n| ≤ 2^53 converts to f64 without rounding.
            #[allow(clippy::cast_precision_loss)]
            number(sheet, *n as f64).map_err(xlsx)?;
            Ok(n.to_string().len())
        }
        Cell::Int(n) => put_text(sheet, name, (row, col), &n.to_string(), None),
        Cell::Float(x) if x.is_finite() => {
            number(sheet, *x).map_err(xlsx)?;
            Ok(x.to_string().len().min(12))
        }
        Cell::Bool(b) => {
            let format = match align {
                Align::Type => &styles.boolean,
                Align::Left => &styles.boolean_left,
            };
            sheet
                .write_boolean_with_format(r, c, *b, format)
                .map_err(xlsx)?;
            Ok(5)
        }
        Cell::Seqs(s) if !s.is_empty() => put_text(sheet, name, (row, col), &seqs_text(s), None),
        Cell::Rows(r) if !r.is_empty() => {
            put_text(sheet, name, (row, col), &crate::table::rows_text(r), None)
        }
        Cell::Float(_) | Cell::Seqs(_) | Cell::Rows(_) | Cell::Empty => Ok(0),
    }
}

/// How a typed cell sits in its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    /// As spreadsheets do by default: numbers right, text left (table columns of one type).
    Type,
    /// Everything left: the Method sheet's value column mixes types, one per row.
    Left,
}

/// Ledger entries as the CSV exports write them: "12 15 301".
fn seqs_text(seqs: &[u64]) -> String {
    seqs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// An attribute's evidence cell: its entries, then `; rows 17:5 17:6` when it cites rows of
/// set entries.
fn evidence_text(seqs: &[u64], rows: &[(u64, u32)]) -> String {
    if rows.is_empty() {
        seqs_text(seqs)
    } else {
        format!(
            "{}; rows {}",
            seqs_text(seqs),
            crate::table::rows_text(rows)
        )
    }
}

/// The header row: bold, filled, frozen with the first column, filtered over the data below.
fn put_header(
    sheet: &mut Worksheet,
    name: &'static str,
    header: &[String],
    data_rows: usize,
    styles: &Styles,
) -> Result<(), WorkpaperError> {
    for (col, h) in header.iter().enumerate() {
        put_text(sheet, name, (0, col), h, Some(&styles.header))?;
    }
    let xlsx = |source| WorkpaperError::Xlsx {
        sheet: name,
        source,
    };
    sheet.set_freeze_panes(1, 1).map_err(xlsx)?;
    if !header.is_empty() {
        sheet
            .autofilter(0, 0, row_num(data_rows), col_num(header.len() - 1))
            .map_err(xlsx)?;
    }
    // Printed, the header repeats on every page and the columns fit the page width.
    sheet.set_repeat_rows(0, 0).map_err(xlsx)?;
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn write_sample(
    sheet: &mut Worksheet,
    sample: &SampleSheet,
    styles: &Styles,
) -> Result<(), WorkpaperError> {
    const NAME: &str = SAMPLE_SHEET;
    let xlsx = |source| WorkpaperError::Xlsx {
        sheet: NAME,
        source,
    };
    sheet.set_name(NAME).map_err(xlsx)?;
    let header = sample_header(sample);
    check_shape(NAME, sample.rows.len(), header.len())?;
    put_header(sheet, NAME, &header, sample.rows.len(), styles)?;

    // The attribute's question sits in a note on its result column's header, so the sheet keeps
    // a single header row (filters and CSV round trips rely on it).
    let items = sample.item_columns.len();
    for (i, a) in sample.attributes.iter().enumerate() {
        if a.title.is_empty() {
            continue;
        }
        let note = Note::new(a.title.as_str()).add_author_prefix(false);
        sheet
            .insert_note(0, col_num(items + 4 * i), &note)
            .map_err(xlsx)?;
    }

    let mut widths = Widths::of_header(&header);
    for (i, row) in sample.rows.iter().enumerate() {
        let r = i + 1;
        if row.item.len() != items {
            return Err(WorkpaperError::RowWidth {
                sheet: NAME,
                row: r,
                cells: row.item.len(),
                columns: items,
            });
        }
        if row.attributes.len() != sample.attributes.len() {
            return Err(WorkpaperError::AttributeCount {
                row: r,
                results: row.attributes.len(),
                attributes: sample.attributes.len(),
            });
        }
        for (col, cell) in row.item.iter().enumerate() {
            let shown = put_cell(sheet, NAME, (r, col), cell, styles, Align::Type)?;
            widths.see(col, shown);
        }
        for (a, result) in row.attributes.iter().enumerate() {
            let col = items + 4 * a;
            let shown = put_text(
                sheet,
                NAME,
                (r, col),
                &result.result,
                styles.result(&result.result),
            )?;
            widths.see(col, shown);
            if !result.evidence.is_empty() {
                let shown = put_text(
                    sheet,
                    NAME,
                    (r, col + 1),
                    &evidence_text(&result.evidence, &result.evidence_rows),
                    None,
                )?;
                widths.see(col + 1, shown);
            }
            if !result.note.is_empty() {
                let shown = put_text(sheet, NAME, (r, col + 2), &result.note, None)?;
                widths.see(col + 2, shown);
            }
            blank_for_auditor(sheet, r, col + 3, styles)?;
        }
        let last = items + 4 * sample.attributes.len();
        blank_for_auditor(sheet, r, last, styles)?;
        blank_for_auditor(sheet, r, last + 1, styles)?;
    }
    // The auditor writes sentences in these two: leave them room.
    let last = items + 4 * sample.attributes.len();
    widths.see(last, 30);
    widths.see(last + 1, 20);
    widths.apply(sheet, NAME, MAX_WIDTH)
}

/// An empty, tinted cell for the auditor's tick mark or words.
fn blank_for_auditor(
    sheet: &mut Worksheet,
    row: usize,
    col: usize,
    styles: &Styles,
) -> Result<(), WorkpaperError> {
    sheet
        .write_blank(row_num(row), col_num(col), &styles.auditor)
        .map_err(|source| WorkpaperError::Xlsx {
            sheet: SAMPLE_SHEET,
            source,
        })?;
    Ok(())
}

fn write_population(
    sheet: &mut Worksheet,
    population: &Sheet,
    styles: &Styles,
) -> Result<(), WorkpaperError> {
    const NAME: &str = POPULATION_SHEET;
    sheet
        .set_name(NAME)
        .map_err(|source| WorkpaperError::Xlsx {
            sheet: NAME,
            source,
        })?;
    check_shape(NAME, population.rows.len(), population.columns.len())?;
    put_header(
        sheet,
        NAME,
        &population.columns,
        population.rows.len(),
        styles,
    )?;
    let mut widths = Widths::of_header(&population.columns);
    for (i, row) in population.rows.iter().enumerate() {
        let r = i + 1;
        if row.len() != population.columns.len() {
            return Err(WorkpaperError::RowWidth {
                sheet: NAME,
                row: r,
                cells: row.len(),
                columns: population.columns.len(),
            });
        }
        for (col, cell) in row.iter().enumerate() {
            let shown = put_cell(sheet, NAME, (r, col), cell, styles, Align::Type)?;
            widths.see(col, shown);
        }
    }
    widths.apply(sheet, NAME, MAX_WIDTH)
}

/// Title, a `field`/`value` header, the method rows, then one `attribute <id>` row per attribute.
fn write_method(
    sheet: &mut Worksheet,
    w: &Workpaper,
    styles: &Styles,
) -> Result<(), WorkpaperError> {
    const NAME: &str = METHOD_SHEET;
    sheet
        .set_name(NAME)
        .map_err(|source| WorkpaperError::Xlsx {
            sheet: NAME,
            source,
        })?;
    // Two rows above the data here: the title and the header.
    let rows = w.method.len() + w.sample.attributes.len();
    if rows + 1 > MAX_DATA_ROWS {
        return Err(WorkpaperError::TooManyRows { sheet: NAME, rows });
    }
    sheet.set_print_fit_to_pages(1, 0);
    put_text(sheet, NAME, (0, 0), &w.title, Some(&styles.title))?;
    let header = ["field".to_owned(), "value".to_owned()];
    for (col, h) in header.iter().enumerate() {
        put_text(sheet, NAME, (1, col), h, Some(&styles.header))?;
    }
    // The title is left out of the widths: it may run across both columns.
    let mut widths = Widths(vec![header[0].len(), header[1].len()]);
    let attributes = w
        .sample
        .attributes
        .iter()
        .map(|a| (format!("attribute {}", a.id), Cell::Text(a.title.clone())));
    let method = w.method.iter().map(|(k, v)| (k.clone(), v.clone()));
    for (i, (field, value)) in method.chain(attributes).enumerate() {
        let r = i + 2;
        let shown = put_text(sheet, NAME, (r, 0), &field, None)?;
        widths.see(0, shown);
        let shown = put_cell(sheet, NAME, (r, 1), &value, styles, Align::Left)?;
        widths.see(1, shown);
    }
    widths.apply(sheet, NAME, MAX_METHOD_WIDTH)
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    fn workpaper() -> Workpaper {
        Workpaper {
            title: "Audit sample: leavers".into(),
            method: vec![
                ("population".into(), Cell::text("leavers")),
                ("population count".into(), Cell::Int(3)),
                ("seed".into(), Cell::text("0x5eed")),
            ],
            population: Some(Sheet {
                columns: vec!["person".into(), "left".into(), "entries".into()],
                rows: vec![
                    vec![
                        Cell::text("=1+1"),
                        Cell::text("2026-01-03"),
                        Cell::Seqs(vec![12, 15]),
                    ],
                    vec![Cell::text("+44 20"), Cell::Empty, Cell::Seqs(vec![])],
                    vec![Cell::text("@SUM(A1)"), Cell::Bool(true), Cell::Int(-4)],
                ],
            }),
            sample: SampleSheet {
                item_columns: vec!["person".into()],
                attributes: vec![AttributeColumn {
                    id: "revoked".into(),
                    title: "Access revoked by the SLA".into(),
                }],
                rows: vec![SampleRow {
                    item: vec![Cell::text("-2+3")],
                    attributes: vec![AttributeCell {
                        result: "fail".into(),
                        evidence: vec![12, 15, 301],
                        evidence_rows: Vec::new(),
                        note: "=HYPERLINK(\"http://x\")".into(),
                    }],
                }],
            },
            generated_at: "2026-02-01T09:30:05Z".into(),
        }
    }

    fn part(xlsx: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).expect("an xlsx is a zip");
        let mut text = String::new();
        zip.by_name(name)
            .expect("part present")
            .read_to_string(&mut text)
            .expect("utf-8 part");
        text
    }

    #[test]
    fn equal_models_give_equal_bytes() {
        let w = workpaper();
        let first = to_xlsx(&w).expect("writes");
        let second = to_xlsx(&w).expect("writes");
        assert_eq!(first, second);
        let core = part(&first, "docProps/core.xml");
        assert!(
            core.contains(">2026-02-01T09:30:05Z</dcterms:created>"),
            "{core}"
        );
        assert!(
            core.contains(">2026-02-01T09:30:05Z</dcterms:modified>"),
            "{core}"
        );

        let later = Workpaper {
            generated_at: "2026-02-01T09:30:06Z".into(),
            ..w
        };
        assert_ne!(first, to_xlsx(&later).expect("writes"));
    }

    #[test]
    fn formula_looking_text_stays_text() {
        let xlsx = to_xlsx(&workpaper()).expect("writes");
        let strings = part(&xlsx, "xl/sharedStrings.xml");
        for text in [
            "<t>=1+1</t>",
            "<t>+44 20</t>",
            "<t>@SUM(A1)</t>",
            "<t>-2+3</t>",
            "<t>12 15 301</t>",
        ] {
            assert!(strings.contains(text), "{text} missing from {strings}");
        }
        assert!(
            strings.contains("<t>=HYPERLINK(\"http://x\")</t>"),
            "{strings}"
        );
        for sheet in 1..=3 {
            let xml = part(&xlsx, &format!("xl/worksheets/sheet{sheet}.xml"));
            assert!(
                !xml.contains("<f>") && !xml.contains("<f "),
                "formula in sheet{sheet}: {xml}"
            );
        }
    }

    #[test]
    fn sheets_are_sample_population_method() {
        let xlsx = to_xlsx(&workpaper()).expect("writes");
        let book = part(&xlsx, "xl/workbook.xml");
        let at = |n: &str| book.find(&format!("name=\"{n}\"")).expect("sheet listed");
        assert!(at(SAMPLE_SHEET) < at(POPULATION_SHEET) && at(POPULATION_SHEET) < at(METHOD_SHEET));

        let selective = Workpaper {
            population: None,
            ..workpaper()
        };
        let book = part(&to_xlsx(&selective).expect("writes"), "xl/workbook.xml");
        assert!(!book.contains(POPULATION_SHEET), "{book}");
    }

    #[test]
    fn the_sample_header_is_sample_header() {
        let w = workpaper();
        let header = sample_header(&w.sample);
        assert_eq!(
            header,
            [
                "person",
                "revoked",
                "revoked evidence",
                "revoked note",
                "revoked auditor",
                "auditor notes",
                "conclusion"
            ]
        );
        let xlsx = to_xlsx(&w).expect("writes");
        let strings = part(&xlsx, "xl/sharedStrings.xml");
        let sheet = part(&xlsx, "xl/worksheets/sheet1.xml");
        // Row 1 holds exactly the header, in order, as shared strings.
        let row1 = sheet
            .split("<row r=\"1\"")
            .nth(1)
            .and_then(|r| r.split("</row>").next())
            .expect("row 1");
        let shared: Vec<&str> = strings
            .split("<t>")
            .skip(1)
            .filter_map(|s| s.split("</t>").next())
            .collect();
        let cells: Vec<&str> = row1
            .split("<v>")
            .skip(1)
            .filter_map(|v| v.split("</v>").next())
            .filter_map(|i| i.parse::<usize>().ok())
            .filter_map(|i| shared.get(i).copied())
            .collect();
        assert_eq!(cells, header);
        // The attribute's question is a note on its header cell.
        let notes = part(&xlsx, "xl/comments1.xml");
        assert!(notes.contains("Access revoked by the SLA"), "{notes}");
    }

    #[test]
    fn bad_models_are_errors_not_panics() {
        let bad_time = Workpaper {
            generated_at: "2026-02-01 09:30:05".into(),
            ..workpaper()
        };
        assert!(matches!(
            to_xlsx(&bad_time),
            Err(WorkpaperError::GeneratedAt(_))
        ));
        let bad_hour = Workpaper {
            generated_at: "2026-02-01T24:00:00Z".into(),
            ..workpaper()
        };
        assert!(matches!(
            to_xlsx(&bad_hour),
            Err(WorkpaperError::GeneratedAt(_))
        ));

        let mut short = workpaper();
        if let Some(p) = short.population.as_mut() {
            p.rows[1].pop();
        }
        assert!(matches!(
            to_xlsx(&short),
            Err(WorkpaperError::RowWidth {
                sheet: POPULATION_SHEET,
                row: 2,
                cells: 2,
                columns: 3
            })
        ));

        let mut missing = workpaper();
        missing.sample.rows[0].attributes.clear();
        assert!(matches!(
            to_xlsx(&missing),
            Err(WorkpaperError::AttributeCount { .. })
        ));

        let mut long = workpaper();
        long.sample.rows[0].attributes[0].note = "x".repeat(MAX_CELL_CHARS + 1);
        assert!(matches!(
            to_xlsx(&long),
            Err(WorkpaperError::TextTooLong { .. })
        ));
    }

    #[test]
    fn too_many_population_rows_is_an_error_naming_the_count() {
        let mut w = workpaper();
        w.population = Some(Sheet {
            columns: vec!["person".into()],
            rows: vec![vec![Cell::Empty]; MAX_DATA_ROWS + 1],
        });
        let err = to_xlsx(&w).expect_err("too many rows");
        assert!(err.to_string().contains("1048576 data rows"), "{err}");
    }
}
