//! Export tables: one header, typed cells, written as spreadsheet-safe CSV or as JSON.
//!
//! Spreadsheets execute a cell that starts with `=`, `+`, `-` or `@` (and some strip a leading
//! tab or carriage return first), so any text cell starting with one of those is written with a
//! single quote in front (OWASP's CSV-injection advice). Numeric cells are typed, not text: they
//! are written as numbers and never prefixed, so a negative age stays a number a spreadsheet can
//! sum. Any value that came from evidence is a text cell, even when it looks numeric.

use std::borrow::Cow;

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq};

/// One cell of an export.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Free text from evidence or from us; neutralized in CSV.
    Text(String),
    /// A signed integer (counts, ages, ledger sequence numbers).
    Int(i64),
    /// A decimal number (rates, hours).
    Float(f64),
    Bool(bool),
    /// Ledger entries: space-separated in CSV, an array in JSON.
    Seqs(Vec<u64>),
    /// Rows of set entries as (entry, 1-based row): `17:5` space-separated in CSV, an array
    /// of `{"entry": 17, "row": 5}` in JSON (docs/ledger-format.md, "Evidence citations").
    Rows(Vec<(u64, u32)>),
    /// No value: an empty CSV cell, `null` in JSON.
    Empty,
}

impl Cell {
    /// A text cell.
    pub fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    /// A text cell, or empty when there is no value.
    pub fn opt(value: Option<impl Into<String>>) -> Cell {
        value.map_or(Cell::Empty, |v| Cell::Text(v.into()))
    }

    /// A count.
    pub fn count(value: usize) -> Cell {
        Cell::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }

    /// A ledger sequence number.
    pub fn seq(value: u64) -> Cell {
        Cell::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }

    fn csv_text(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(t) => neutralize(t),
            Cell::Int(n) => Cow::Owned(n.to_string()),
            Cell::Float(x) if x.is_finite() => Cow::Owned(x.to_string()),
            Cell::Float(_) | Cell::Empty => Cow::Borrowed(""),
            Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Cell::Seqs(s) => Cow::Owned(s.iter().map(u64::to_string).collect::<Vec<_>>().join(" ")),
            Cell::Rows(r) => Cow::Owned(rows_text(r)),
        }
    }
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Text(t) => s.serialize_str(t),
            Cell::Int(n) => s.serialize_i64(*n),
            Cell::Float(x) if x.is_finite() => s.serialize_f64(*x),
            Cell::Float(_) | Cell::Empty => s.serialize_none(),
            Cell::Bool(b) => s.serialize_bool(*b),
            Cell::Seqs(v) => {
                let mut seq = s.serialize_seq(Some(v.len()))?;
                for n in v {
                    seq.serialize_element(n)?;
                }
                seq.end()
            }
            Cell::Rows(v) => {
                let mut seq = s.serialize_seq(Some(v.len()))?;
                for &(entry, row) in v {
                    seq.serialize_element(&RowRef { entry, row })?;
                }
                seq.end()
            }
        }
    }
}

/// One row of a set entry as JSON exports write it.
#[derive(Serialize)]
struct RowRef {
    entry: u64,
    row: u32,
}

/// Rows of set entries as `entry:row`, space-separated (a CSV or workpaper cell).
pub(crate) fn rows_text(rows: &[(u64, u32)]) -> String {
    rows.iter()
        .map(|(entry, row)| format!("{entry}:{row}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A text cell as a spreadsheet may safely open it: a leading `=`, `+`, `-`, `@`, tab or
/// carriage return gets a `'` in front; anything else is unchanged.
///
/// ```
/// use evidentia_pack::neutralize;
/// assert_eq!(neutralize("=1+2"), "'=1+2");
/// assert_eq!(neutralize("\t=cmd"), "'\t=cmd");
/// assert_eq!(neutralize("alice"), "alice");
/// ```
pub fn neutralize(text: &str) -> Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// What a JSON export says about itself: what it is and what it was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportMeta {
    /// `evidentia-export/1`.
    pub format: &'static str,
    /// events, findings, exceptions, metrics or controls.
    pub export: String,
    pub workspace_id: String,
    pub framework: String,
    /// First and last day of the period, inclusive (YYYY-MM-DD).
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    /// The instant the checks judged as of (RFC 3339).
    pub as_of: String,
    pub generated_at: String,
    /// Ledger entries the evidence was read from, and the hash of the last one.
    pub ledger_entries: u64,
    pub ledger_head: String,
}

/// The version tag of JSON exports.
pub const EXPORT_FORMAT: &str = "evidentia-export/1";

/// A named table: a fixed header and rows in a deterministic order the caller chose.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(name: &str, columns: &[&'static str]) -> Table {
        Table {
            name: name.to_owned(),
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; a row of the wrong width is padded or cut to the header (a bug in the
    /// caller, but never a malformed file).
    pub fn push(&mut self, mut row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "row width of {}", self.name);
        row.resize(self.columns.len(), Cell::Empty);
        self.rows.push(row);
    }

    /// RFC 4180 CSV with a header line, `\n` line ends, text cells neutralized.
    pub fn to_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        w.write_record(&self.columns)?;
        for row in &self.rows {
            w.write_record(row.iter().map(|c| c.csv_text().into_owned()))?;
        }
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }

    /// `{"meta": {...}, "columns": [...], "rows": [{column: value, ...}]}`, keys of each row
    /// in column order, pretty-printed, ending in a newline.
    pub fn to_json(&self, meta: &ExportMeta) -> Result<Vec<u8>, serde_json::Error> {
        #[derive(Serialize)]
        struct Doc<'a> {
            meta: &'a ExportMeta,
            columns: &'a [&'static str],
            rows: Rows<'a>,
        }
        let mut out = serde_json::to_vec_pretty(&Doc {
            meta,
            columns: &self.columns,
            rows: Rows(self),
        })?;
        out.push(b'\n');
        Ok(out)
    }
}

/// The rows as objects whose keys follow the header (not sorted by serde_json's map).
struct Rows<'a>(&'a Table);
struct Row<'a>(&'a [&'static str], &'a [Cell]);

impl Serialize for Rows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.rows.len()))?;
        for row in &self.0.rows {
            seq.serialize_element(&Row(&self.0.columns, row))?;
        }
        seq.end()
    }
}

impl Serialize for Row<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0.iter().zip(self.1) {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn check(cell: Cell, csv: &str) {
        let mut t = Table::new("t", &["c"]);
        t.push(vec![cell]);
        let out = String::from_utf8(t.to_csv().unwrap()).unwrap();
        assert_eq!(out, format!("c\n{csv}\n"));
    }

    #[test]
    fn neutralizes_formula_text_but_not_numbers() {
        check(Cell::text("=SUM(A1)"), "'=SUM(A1)");
        check(Cell::text("+1"), "'+1");
        check(Cell::text("-1"), "'-1");
        check(Cell::text("@x"), "'@x");
        check(Cell::text("\tx"), "'\tx");
        check(Cell::text("\rx"), "\"'\rx\"");
        check(Cell::text("a=b"), "a=b");
        check(Cell::text(""), "\"\"");
        check(Cell::Int(-3), "-3");
        check(Cell::Float(-0.5), "-0.5");
        check(Cell::Seqs(vec![3, 9]), "3 9");
        check(Cell::Empty, "\"\"");
    }

    #[test]
    fn rows_of_set_entries_read_as_entry_and_row() {
        check(Cell::Rows(vec![(17, 5), (17, 6)]), "17:5 17:6");
        let json = serde_json::to_string(&Cell::Rows(vec![(17, 5)])).unwrap();
        assert_eq!(json, r#"[{"entry":17,"row":5}]"#);
        assert_eq!(serde_json::to_string(&Cell::Rows(vec![])).unwrap(), "[]");
    }

    #[test]
    fn json_rows_keep_column_order() {
        let mut t = Table::new("t", &["z", "a"]);
        t.push(vec![Cell::text("=x"), Cell::Seqs(vec![1])]);
        let meta = ExportMeta {
            format: EXPORT_FORMAT,
            export: "t".into(),
            workspace_id: "w".into(),
            framework: "f".into(),
            period_from: None,
            period_to: None,
            as_of: "a".into(),
            generated_at: "g".into(),
            ledger_entries: 1,
            ledger_head: "h".into(),
        };
        let json = String::from_utf8(t.to_json(&meta).unwrap()).unwrap();
        let z = json.find("\"z\": \"=x\"").unwrap();
        let a = json.find("\"a\": [").unwrap();
        assert!(z < a, "{json}");
    }
}
