//! The desktop's "Export view": exactly the rows and columns a table shows, written as an XLSX sheet, so what an auditor filtered on screen is what they take away.

use std::path::Path;

use anyhow::{Context as _, bail};
use rust_xlsxwriter::{Format, FormatBorder, Workbook};

use crate::write_atomically;

/// Excel's limit on rows in one sheet (the header takes one).
const MAX_ROWS: usize = 1_048_575;
/// Excel's limit on columns.
const MAX_COLUMNS: usize = 16_384;
/// Excel's limit on the characters of one cell.
const MAX_CELL: usize = 32_767;

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFile {
    pub rows: usize,
    pub columns: usize,
    pub bytes: u64,
}

/// The sheet as XLSX bytes: a bold header row, frozen, with a filter over the data; every cell
/// written as text (never a formula, so a cell starting with `=` stays what the table showed).
/// A row of another width than the header, too many rows or an over-long cell is refused
/// naming it, so a partial table is never written.
pub fn table_xlsx(
    title: &str,
    headers: &[String],
    rows: &[Vec<String>],
) -> anyhow::Result<Vec<u8>> {
    if headers.is_empty() {
        bail!("the table has no columns");
    }
    if headers.len() > MAX_COLUMNS {
        bail!(
            "the table has {} columns; a sheet holds at most {MAX_COLUMNS}",
            headers.len()
        );
    }
    if rows.len() > MAX_ROWS {
        bail!(
            "the table has {} rows; a sheet holds at most {MAX_ROWS}",
            rows.len()
        );
    }
    for (i, row) in rows.iter().enumerate() {
        if row.len() != headers.len() {
            bail!(
                "row {} has {} cells where the table has {} columns",
                i + 1,
                row.len(),
                headers.len()
            );
        }
        if let Some(c) = row.iter().position(|cell| cell.chars().count() > MAX_CELL) {
            bail!(
                "row {}, column \"{}\" holds more than {MAX_CELL} characters, the most a cell holds",
                i + 1,
                headers[c]
            );
        }
    }
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    // Sheet names are at most 31 characters and exclude []:*?/\.
    let name: String = title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    let name = name.trim().trim_matches('\'');
    sheet
        .set_name(if name.is_empty() { "Table" } else { name })
        .context("naming the sheet")?;
    let bold = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, col(c), h, &bold)
            .context("writing the header")?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            widths[c] = widths[c].max(cell.chars().count());
            if !cell.is_empty() {
                sheet
                    .write_string(u32::try_from(r + 1)?, col(c), cell)
                    .with_context(|| format!("writing row {}", r + 1))?;
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet
            .set_column_width(col(c), (*w).clamp(6, 60) as f64 + 1.0)
            .context("sizing the columns")?;
    }
    sheet
        .set_freeze_panes(1, 0)
        .context("freezing the header")?;
    if !rows.is_empty() {
        sheet
            .autofilter(0, 0, u32::try_from(rows.len())?, col(headers.len() - 1))
            .context("adding the filter")?;
    }
    book.save_to_buffer().context("writing the XLSX")
}

fn col(c: usize) -> u16 {
    // Bounded by MAX_COLUMNS above.
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// Writes the table to `path` as XLSX, whole or not at all (a temporary file renamed into
/// place).
pub fn write_table_xlsx(
    path: &Path,
    title: &str,
    headers: &[String],
    rows: &[Vec<String>],
) -> anyhow::Result<TableFile> {
    let bytes =
        table_xlsx(title, headers, rows).with_context(|| format!("exporting the {title} table"))?;
    write_atomically(path, &bytes)?;
    Ok(TableFile {
        rows: rows.len(),
        columns: headers.len(),
        bytes: bytes.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn the_sheet_holds_exactly_the_rows_given_as_text() {
        let headers = s(&["Check", "Severity", "Identity"]);
        let rows = vec![
            s(&["EV-LEAVER-NOT-REVOKED", "high", "Ada Lovelace (E1001)"]),
            s(&["EV-SOD", "medium", "=HYPERLINK(\"x\")"]),
        ];
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("findings.xlsx");
        let written = write_table_xlsx(&out, "Findings", &headers, &rows).unwrap();
        assert_eq!((written.rows, written.columns), (2, 3));
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(bytes.len() as u64, written.bytes);
        let book = part(&bytes, "xl/workbook.xml");
        assert!(book.contains("name=\"Findings\""), "{book}");
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        // Header plus two rows, nothing more; no cell is a formula.
        assert_eq!(sheet.matches("<row ").count(), 3, "{sheet}");
        assert!(!sheet.contains("<f>"), "{sheet}");
        let strings = part(&bytes, "xl/sharedStrings.xml");
        for cell in rows.iter().flatten().chain(&headers) {
            let escaped = cell
                .replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('<', "&lt;");
            assert!(
                strings.contains(&escaped) || strings.contains(cell.as_str()),
                "{cell} missing from {strings}"
            );
        }
    }

    #[test]
    fn a_ragged_row_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.xlsx");
        let err = write_table_xlsx(&out, "Accounts", &s(&["a", "b"]), &[s(&["1"])]).unwrap_err();
        assert!(format!("{err:#}").contains("row 1 has 1 cells where the table has 2 columns"));
        assert!(!out.exists());
        let err = table_xlsx("Empty", &[], &[]).unwrap_err();
        assert!(err.to_string().contains("no columns"));
    }
}
