//! Generic delimited-text (and JSON-records) import through a mapping [`Profile`], streamed row by row.
//!
//! Memory stays bounded whatever the file: rows are read one at a time through the csv
//! crate, and a guard on the byte stream stops any single record from growing past
//! [`MAX_RECORD_BYTES`] (a 200 MB file with no line break is reported, not loaded).
//! Line numbers are physical 1-based lines where a row starts, so quoted line breaks and
//! `skip_rows` are honoured.
//! Rows of an `activity` profile are uses of accounts, not records: they are folded into the
//! summary's activity book, which [`crate::import`] delivers once the file is done.

mod build;
mod json;

use std::cell::Cell;
use std::io::Read;

use csv::{ByteRecord, StringRecord};

use crate::json_stream::{io_error, unreadable};
use crate::profile::fields;
use crate::profile::{Delimiter, Encoding, Profile};
use crate::reviews::{ReviewBook, deliver_campaign, deliver_decision};
use crate::{
    Format, ImportContext, ImportError, ImportSummary, Location, Origin, Progress, RecordSink,
};
use build::{Built, Cells};

/// No single record may be larger than this; beyond it the file is reported unreadable.
pub const MAX_RECORD_BYTES: u64 = 16 << 20;
/// How much of the start of a file is examined for encoding, binary data and the delimiter.
const HEAD_BYTES: usize = 64 << 10;
/// Progress is reported after this many rows (and at the end).
const PROGRESS_EVERY: u64 = 4096;

/// Reads a delimited-text or JSON-records file through `ctx.profile`.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let Some(profile) = ctx.profile.as_ref() else {
        return Err(ImportError::ProfileRequired {
            file: ctx.file_name.clone(),
            format: Format::Csv,
        });
    };
    let needs_system = fields::field(profile.kind, "system").is_some_and(|f| f.required);
    if needs_system
        && ctx.system.is_none()
        && profile.columns_for("system").is_empty()
        && !profile.defaults.contains_key("system")
    {
        return Err(unreadable(
            ctx,
            Location::File,
            format!(
                "profile \"{}\" maps no system column and gives no default system; name the system the file comes from",
                profile.name
            ),
        ));
    }
    if profile.json.is_some() {
        return json::import(input, ctx, profile, sink, progress);
    }
    DelimitedImport { ctx, profile }.run(input, sink, progress)
}

/// Fills `head` with up to `limit` bytes, however the reader chunks them.
fn read_head(input: &mut dyn Read, head: &mut Vec<u8>, limit: usize) -> std::io::Result<()> {
    let mut chunk = [0u8; 8192];
    while head.len() < limit {
        let want = chunk.len().min(limit - head.len());
        match input.read(&mut chunk[..want]) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Counts bytes handed to a parser and refuses to hand over more than
/// [`MAX_RECORD_BYTES`] (plus buffer slack) past the start of the record being parsed.
struct Guard<'a, R> {
    inner: R,
    delivered: &'a Cell<u64>,
    record_start: &'a Cell<u64>,
    over: &'a Cell<bool>,
}

impl<R: Read> Read for Guard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.delivered.get().saturating_sub(self.record_start.get())
            > MAX_RECORD_BYTES + 2 * HEAD_BYTES as u64
        {
            self.over.set(true);
            return Err(std::io::Error::other(
                "a single record exceeds the maximum record size",
            ));
        }
        let n = self.inner.read(buf)?;
        self.delivered.set(self.delivered.get() + n as u64);
        Ok(n)
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn line_at(bytes: &[u8], offset: usize) -> u64 {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1
}

/// Picks the delimiter from the header line: the most frequent candidate outside quotes.
fn detect_delimiter(head: &[u8]) -> u8 {
    let line_end = head.iter().position(|b| *b == b'\n').unwrap_or(head.len());
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0), (b'|', 0)];
    let mut quoted = false;
    for byte in &head[..line_end] {
        if *byte == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(entry) = counts.iter_mut().find(|(d, _)| d == byte) {
                entry.1 += 1;
            }
        }
    }
    // Ties keep the earlier candidate, so a header with no delimiter at all reads as comma.
    counts
        .iter()
        .fold(
            (b',', 0),
            |best, &(d, n)| if n > best.1 { (d, n) } else { best },
        )
        .0
}

fn delimiter_name(byte: u8) -> String {
    match byte {
        b'\t' => "\\t".to_owned(),
        other => char::from(other).to_string(),
    }
}

/// Windows-1252's printable characters at 0x80..=0x9F; the rest of the range above 0x7F is Latin-1.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

fn decode_single_byte(bytes: &[u8], encoding: Encoding) -> String {
    bytes
        .iter()
        .map(|&b| match (encoding, b) {
            (Encoding::Windows1252, 0x80..=0x9F) => CP1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// A column the profile uses, resolved against this file's header.
struct Resolved {
    field: &'static str,
    index: usize,
    label: String,
}

struct CsvRow<'a> {
    record: &'a StringRecord,
    columns: &'a [Resolved],
    profile: &'a Profile,
}

impl Cells for CsvRow<'_> {
    fn get(&self, field: &str) -> Option<std::borrow::Cow<'_, str>> {
        self.columns
            .iter()
            .filter(|c| c.field == field)
            .find_map(|column| {
                self.record
                    .get(column.index)
                    .map(str::trim)
                    .filter(|v| !v.is_empty() && !self.profile.maps_to_nothing(field, v))
            })
            .map(std::borrow::Cow::Borrowed)
    }

    fn label(&self, field: &str) -> std::borrow::Cow<'_, str> {
        match self.columns.iter().find(|c| c.field == field) {
            Some(column) => std::borrow::Cow::Borrowed(column.label.as_str()),
            None => std::borrow::Cow::Owned(field.to_owned()),
        }
    }

    fn has_column(&self, field: &str) -> bool {
        self.columns.iter().any(|c| c.field == field)
    }
}

struct DelimitedImport<'a> {
    ctx: &'a ImportContext,
    profile: &'a Profile,
}

impl DelimitedImport<'_> {
    fn run(
        &self,
        input: &mut dyn Read,
        sink: &mut dyn RecordSink,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportSummary, ImportError> {
        let (ctx, profile) = (self.ctx, self.profile);
        let mut head = Vec::with_capacity(HEAD_BYTES);
        read_head(input, &mut head, HEAD_BYTES).map_err(|e| io_error(ctx, e))?;
        if head.is_empty() {
            return Err(unreadable(
                ctx,
                Location::File,
                "the file is empty (0 bytes)",
            ));
        }
        if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
            return Err(unreadable(
                ctx,
                Location::File,
                "the file is UTF-16 text; save it as UTF-8 (\"CSV UTF-8\" in Excel)",
            ));
        }
        let mut start = if head.starts_with(UTF8_BOM) {
            UTF8_BOM.len()
        } else {
            0
        };
        if let Some(nul) = head.iter().position(|b| *b == 0) {
            return Err(unreadable(
                ctx,
                Location::Line(line_at(&head, nul)),
                "binary data (a NUL byte): this is not a delimited text file",
            ));
        }

        // Title lines above the header (report name, export date) are skipped as physical lines.
        let mut skipped_lines = 0u64;
        while skipped_lines < profile.skip_rows {
            match head[start..].iter().position(|b| *b == b'\n') {
                Some(end) => start += end + 1,
                None if head.len() < HEAD_BYTES => start = head.len(),
                None => {
                    return Err(unreadable(
                        ctx,
                        Location::Line(skipped_lines + 1),
                        "the lines skipped by skip_rows are longer than 64 KiB",
                    ));
                }
            }
            skipped_lines += 1;
        }

        let delimiter = match profile.delimiter {
            Delimiter::Byte(byte) => byte,
            Delimiter::Auto => detect_delimiter(&head[start..]),
        };

        let delivered = Cell::new(0u64);
        let record_start = Cell::new(0u64);
        let over = Cell::new(false);
        let stream = std::io::Cursor::new(&head[start..]).chain(input);
        let guard = Guard {
            inner: stream,
            delivered: &delivered,
            record_start: &record_start,
            over: &over,
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            // Only `\n` ends a record: with the default CRLF handling the csv crate dates a row
            // after `\r\n` to the line before. A `\r` left at the end of a row is trimmed away.
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(guard);

        let mut bytes = ByteRecord::new();
        let mut row = StringRecord::new();
        let mut header: Option<Vec<String>> = None;
        let mut header_line = skipped_lines + 1;
        if profile.has_header {
            loop {
                let Some(line) = self.next_row(
                    &mut reader,
                    &record_start,
                    &over,
                    skipped_lines,
                    &mut bytes,
                    &mut row,
                )?
                else {
                    return Err(unreadable(
                        ctx,
                        Location::File,
                        "the file has no header line",
                    ));
                };
                if row.iter().any(|f| !f.trim().is_empty()) {
                    header = Some(row.iter().map(|f| f.trim().to_owned()).collect());
                    header_line = line;
                    break;
                }
            }
        }
        let columns = self.resolve(header.as_deref(), Location::Line(header_line), delimiter)?;
        let width = header.as_ref().map(Vec::len);

        let mut summary = ImportSummary::default();
        let mut reviews = ReviewBook::new(&ctx.known_campaigns);
        let report = |summary: &ImportSummary, progress: &mut dyn FnMut(Progress)| {
            progress(Progress {
                bytes_read: start as u64 + delivered.get(),
                bytes_total: ctx.size,
                rows: summary.rows,
            });
        };
        while let Some(line) = self.next_row(
            &mut reader,
            &record_start,
            &over,
            skipped_lines,
            &mut bytes,
            &mut row,
        )? {
            // Empty lines and rows of only delimiters are spreadsheet residue, not data.
            if row.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            summary.rows += 1;
            if summary.rows % PROGRESS_EVERY == 0 {
                report(&summary, progress);
            }
            let location = Location::Line(line);
            if let Some(width) = width {
                if row.len() > width && row.iter().skip(width).any(|f| !f.trim().is_empty()) {
                    summary.diagnostics.push(ctx.diagnostic(
                        location,
                        format!(
                            "the row has {} fields but the header has {width} (an unquoted \"{}\" inside a value?)",
                            row.len(),
                            delimiter_name(delimiter)
                        ),
                    ));
                    continue;
                }
            }
            match build::build(
                profile,
                ctx.system.as_ref(),
                &CsvRow {
                    record: &row,
                    columns: &columns,
                    profile,
                },
            ) {
                Built::Record(record) => {
                    summary.count(record.kind());
                    sink.accept(record, Origin { location })?;
                }
                Built::Records(records) => {
                    for record in records {
                        summary.count(record.kind());
                        summary.check_plausible(ctx, &record, &location);
                        sink.accept(
                            record,
                            Origin {
                                location: location.clone(),
                            },
                        )?;
                    }
                }
                Built::Activity(activity) => {
                    summary.observe(ctx, &activity.observation(), &location);
                }
                Built::Campaign(row) => {
                    deliver_campaign(&mut reviews, ctx, *row, location, &mut summary, sink)?;
                }
                Built::Decision(row) => {
                    deliver_decision(&mut reviews, ctx, *row, location, &mut summary, sink)?;
                }
                Built::Skipped(value) => summary.skip(value),
                Built::Bad(reason) => summary.diagnostics.push(ctx.diagnostic(location, reason)),
            }
        }
        report(&summary, progress);
        Ok(summary)
    }

    /// Reads the next row into `row`, returning the line it starts on, or `None` at the end.
    fn next_row<R: Read>(
        &self,
        reader: &mut csv::Reader<R>,
        record_start: &Cell<u64>,
        over: &Cell<bool>,
        skipped_lines: u64,
        bytes: &mut ByteRecord,
        row: &mut StringRecord,
    ) -> Result<Option<u64>, ImportError> {
        let ctx = self.ctx;
        let next_line = skipped_lines + reader.position().line();
        record_start.set(reader.position().byte());
        match reader.read_byte_record(bytes) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(_) if over.get() => {
                return Err(unreadable(
                    ctx,
                    Location::Line(next_line),
                    format!(
                        "a row starting here is longer than {} MiB (a missing line break or an unclosed quote?); the file was not read further",
                        MAX_RECORD_BYTES >> 20
                    ),
                ));
            }
            Err(e) => match e.into_kind() {
                csv::ErrorKind::Io(source) => return Err(io_error(ctx, source)),
                other => {
                    return Err(unreadable(
                        ctx,
                        Location::Line(next_line),
                        format!("cannot read the row: {other:?}"),
                    ));
                }
            },
        }
        let line = skipped_lines
            + bytes
                .position()
                .map_or(next_line - skipped_lines, csv::Position::line);
        if bytes.as_slice().contains(&0) {
            return Err(unreadable(
                ctx,
                Location::Line(line),
                "binary data (a NUL byte): this is not a delimited text file",
            ));
        }
        row.clear();
        match self.profile.encoding {
            Encoding::Utf8 => {
                for (index, field) in bytes.iter().enumerate() {
                    match std::str::from_utf8(field) {
                        Ok(text) => row.push_field(text),
                        Err(e) => {
                            let bad = field.get(e.valid_up_to()).copied().unwrap_or_default();
                            return Err(unreadable(
                                ctx,
                                Location::Line(line),
                                format!(
                                    "field {} is not valid UTF-8 (byte 0x{bad:02X}): save the file as UTF-8, or set encoding = \"windows-1252\" in the profile",
                                    index + 1
                                ),
                            ));
                        }
                    }
                }
            }
            single_byte => {
                for field in bytes.iter() {
                    row.push_field(&decode_single_byte(field, single_byte));
                }
            }
        }
        Ok(Some(line))
    }

    /// Finds each mapped field's column in the header (or by number without one).
    fn resolve(
        &self,
        header: Option<&[String]>,
        header_line: Location,
        delimiter: u8,
    ) -> Result<Vec<Resolved>, ImportError> {
        let (ctx, profile) = (self.ctx, self.profile);
        let mapped: Vec<(&'static str, &[String])> = fields::fields(profile.kind)
            .iter()
            .filter_map(|spec| {
                let names = profile.columns_for(spec.name);
                (!names.is_empty()).then_some((spec.name, names))
            })
            .collect();
        let Some(header) = header else {
            // Headerless files: columns are 1-based numbers, checked when the profile loaded.
            return Ok(mapped
                .iter()
                .filter_map(|(field, names)| {
                    let number: usize = names.first()?.parse().ok()?;
                    Some(Resolved {
                        field,
                        index: number.checked_sub(1)?,
                        label: format!("column {number}"),
                    })
                })
                .collect());
        };

        let expected: std::collections::BTreeSet<&str> = mapped
            .iter()
            .filter_map(|(_, n)| n.first().map(String::as_str))
            .collect();
        if header.len() == 1 && expected.len() > 1 {
            let shown: String = header[0].chars().take(80).collect();
            return Err(unreadable(
                ctx,
                header_line,
                format!(
                    "one column found where the profile \"{}\" expects {}; the header reads \"{shown}\": check the delimiter (the file was read with \"{}\")",
                    profile.name,
                    expected.len(),
                    delimiter_name(delimiter)
                ),
            ));
        }

        let mut resolved = Vec::new();
        for (field, names) in mapped {
            // Every alternative present is kept, in the profile's order: a row whose first
            // column is empty takes the next (a service principal has no UPN, only a name).
            let mut found = None;
            let mut more = Vec::new();
            for name in names {
                let hits: Vec<usize> = header
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| h.eq_ignore_ascii_case(name))
                    .map(|(i, _)| i)
                    .collect();
                match hits.as_slice() {
                    [] => continue,
                    [index] => {
                        let column = Resolved {
                            field,
                            index: *index,
                            label: format!("column \"{}\"", header[*index]),
                        };
                        if found.is_none() {
                            found = Some(column);
                        } else {
                            more.push(column);
                        }
                    }
                    [first, second, ..] => {
                        return Err(unreadable(
                            ctx,
                            header_line.clone(),
                            format!(
                                "the header has column \"{name}\" more than once (columns {} and {}), so which one holds {field} is ambiguous",
                                first + 1,
                                second + 1
                            ),
                        ));
                    }
                }
            }
            match found {
                Some(column) => {
                    resolved.push(column);
                    resolved.append(&mut more);
                }
                None => {
                    let required = fields::field(profile.kind, field).is_some_and(|f| f.required);
                    let supplied = profile.defaults.contains_key(field)
                        || (field == "system" && ctx.system.is_some());
                    if required && !supplied {
                        let wanted: Vec<String> =
                            names.iter().map(|n| format!("\"{n}\"")).collect();
                        let has: Vec<String> = header.iter().map(|h| format!("\"{h}\"")).collect();
                        return Err(unreadable(
                            ctx,
                            header_line.clone(),
                            format!(
                                "the header has no column {} (needed for {field} by profile \"{}\"); the header has: {}",
                                wanted.join(" or "),
                                profile.name,
                                has.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        Ok(resolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_detection_ignores_quoted_text() {
        assert_eq!(detect_delimiter(b"a;b;\"c,d,e\"\n1;2;3"), b';');
        assert_eq!(detect_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter(b"a|b|c,d"), b'|');
        assert_eq!(detect_delimiter(b"single"), b',');
    }

    #[test]
    fn windows_1252_decodes_the_high_range() {
        assert_eq!(
            decode_single_byte(b"\x80 caf\xE9 \x93q\x94", Encoding::Windows1252),
            "€ café “q”"
        );
        assert_eq!(decode_single_byte(b"caf\xE9", Encoding::Latin1), "café");
    }
}
