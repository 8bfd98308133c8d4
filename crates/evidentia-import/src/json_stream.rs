//! One streaming reader for every JSON-based log format, so memory stays bounded by the largest record, not the file.
//!
//! Log exports come in three shapes and importers should not care which:
//!
//! * a bare array of records: `[{...}, {...}]` — records are located as `/0`, `/1`, …;
//! * an object envelope whose records sit under a named array key (`{"Records": [...]}` for
//!   CloudTrail, `{"value": [...]}` for Microsoft Graph, `{"items": [...]}`) — located as
//!   `/Records/0`, …; other top-level keys are ignored, and several envelopes concatenated
//!   one after another (as Kinesis Firehose writes them) are accepted, later ones located as
//!   `LinePointer(line the envelope starts on, "/Records/0")`;
//! * JSON lines: one object per line, blank lines ignored — located as `LinePointer(line, "")`.
//!   Objects pretty-printed one after another (`jq .` output) are read as documents in a
//!   row, each located by the line it starts on.
//!
//! A UTF-8 byte-order mark and leading whitespace are skipped. Arrays and envelopes are parsed
//! with serde's streaming deserializer (one element in memory at a time); JSON lines are read
//! with a bounded line loop, so a damaged line becomes a diagnostic and the next line still
//! imports, and a line longer than [`MAX_LINE_BYTES`] is refused instead of being buffered.
//!
//! A file that is not JSON at all, or an array/envelope that breaks off in the middle, is
//! [`ImportError::Unreadable`] with the line and column serde_json reports. serde_json's
//! recursion limit (128) stays on, so absurdly nested input fails cleanly rather than
//! overflowing the stack.
//!
//! ```
//! use evidentia_import::json_stream::{read_records, Shape};
//! use evidentia_import::{ImportContext, Location};
//!
//! let mut input: &[u8] = br#"{"Records":[{"eventName":"CreateUser"}]}"#;
//! let ctx = ImportContext::new("trail.json");
//! let mut seen = Vec::new();
//! let stats = read_records(&mut input, &ctx, &["Records"], &mut |_| {}, &mut |value, at| {
//!     seen.push((value["eventName"].as_str().map(str::to_owned), at));
//!     Ok(())
//! })
//! .expect("readable");
//! assert_eq!(stats.shape, Shape::Envelope);
//! assert_eq!(seen, vec![(Some("CreateUser".to_owned()), Location::Pointer("/Records/0".into()))]);
//! ```

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, BufReader, Cursor, Read};

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::{Diagnostic, ImportContext, ImportError, Location, Progress};

/// JSON lines longer than this are refused with a diagnostic rather than buffered whole.
pub const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// The largest single record (array element, envelope entry or document) read from a JSON
/// array or envelope. serde_json holds one value in memory while parsing it, so without a cap
/// a 1 GB string inside one record would need 1 GB; with it, memory stays bounded.
pub const MAX_RECORD_BYTES: u64 = 64 * 1024 * 1024;

/// The I/O error the reader raises when one record passes [`MAX_RECORD_BYTES`]; recognised
/// again when serde_json hands it back.
#[derive(Debug)]
struct RecordTooLarge;

impl fmt::Display for RecordTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a single JSON record is larger than {} MiB; refusing to hold it in memory",
            MAX_RECORD_BYTES / (1024 * 1024)
        )
    }
}

impl std::error::Error for RecordTooLarge {}

/// How often (in rows) progress is reported while reading.
const PROGRESS_EVERY: u64 = 2_000;

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Which of the accepted shapes the file turned out to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Array,
    Envelope,
    Lines,
}

/// What the reader saw, besides the records it handed to the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSummary {
    pub shape: Shape,
    /// The envelope key the records were found under, for [`Shape::Envelope`].
    pub envelope_key: Option<String>,
    /// Records handed to the callback plus JSON lines that could not be parsed.
    pub rows: u64,
    /// Bytes read from the input.
    pub bytes_read: u64,
    /// JSON lines that could not be parsed (each produced no record).
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads every record of a JSON array, envelope or JSON-lines file, calling `on_record` with
/// each record and its location, and `progress` every few thousand rows and once at the end.
///
/// `envelope_keys` are the keys that may hold the record array in an object envelope, in no
/// particular order (`&["Records"]`, `&["value"]`). An error returned by `on_record` (a sink
/// failure) stops reading and is returned as is.
pub fn read_records(
    input: &mut dyn Read,
    ctx: &ImportContext,
    envelope_keys: &[&str],
    progress: &mut dyn FnMut(Progress),
    on_record: &mut dyn FnMut(Value, Location) -> Result<(), ImportError>,
) -> Result<StreamSummary, ImportError> {
    let bytes = Cell::new(0u64);
    let record_start = Cell::new(0u64);
    let mut counting = Counting {
        inner: input,
        count: &bytes,
        record_start: &record_start,
    };

    // Peel off a byte-order mark, reading byte by byte so a reader that returns tiny chunks
    // cannot split it; whatever is not a BOM is put back in front of the stream.
    let mut head = Vec::with_capacity(3);
    while head.len() < 3 {
        let mut byte = [0u8; 1];
        match counting.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => head.push(byte[0]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_error(ctx, e)),
        }
        if !BOM.starts_with(&head) {
            break;
        }
    }
    if head.is_empty() {
        return Err(unreadable(ctx, Location::File, "the file is empty"));
    }
    if head == BOM {
        head.clear();
    }
    let mut reader = BufReader::with_capacity(64 * 1024, Cursor::new(head).chain(counting));

    let mut state = State {
        ctx,
        bytes: &bytes,
        record_start: &record_start,
        rows: 0,
        progress,
        on_record,
        stopped: None,
        diagnostics: Vec::new(),
    };
    let mut pos = Pos { line: 1, col: 1 };

    let first = skip_whitespace(&mut reader, &mut pos).map_err(|e| io_error(ctx, e))?;
    let shape;
    let mut envelope_key = None;
    match first {
        None => {
            return Err(unreadable(
                ctx,
                Location::File,
                "the file contains no JSON, only whitespace",
            ));
        }
        Some(b'[') => {
            shape = Shape::Array;
            let start = pos;
            let seed = Elements {
                state: &mut state,
                prefix: String::new(),
                doc_line: None,
            };
            parse_document(&mut reader, &mut pos, seed)
                .map_err(|e| e.resolve(&mut state, start))?;
            if let Some(b) = skip_whitespace(&mut reader, &mut pos).map_err(|e| io_error(ctx, e))? {
                return Err(unreadable(
                    ctx,
                    Location::Line(pos.line),
                    format!(
                        "unexpected {} after the end of the JSON array (column {})",
                        describe_byte(b),
                        pos.col
                    ),
                ));
            }
        }
        Some(b'{') => {
            let start = pos;
            let seed = TopObject {
                state: &mut state,
                keys: envelope_keys,
                doc_line: None,
            };
            let top = parse_document(&mut reader, &mut pos, seed)
                .map_err(|e| e.resolve(&mut state, start))?;
            match top {
                Top::Envelope(key) => {
                    shape = Shape::Envelope;
                    envelope_key = Some(key);
                    read_more_envelopes(&mut reader, &mut pos, &mut state, envelope_keys)?;
                }
                Top::Record(value) => {
                    shape = Shape::Lines;
                    state.emit(value, Location::LinePointer(start.line, String::new()))?;
                    if pos.line > start.line {
                        // A record spread over several lines is `jq .`-style output:
                        // documents one after another, not one per line.
                        read_more_envelopes(&mut reader, &mut pos, &mut state, envelope_keys)?;
                    } else {
                        read_lines(&mut reader, pos.line, &mut state)?;
                    }
                }
            }
        }
        Some(b) => {
            return Err(unreadable(
                ctx,
                Location::Line(pos.line),
                format!(
                    "not JSON: expected `[` or `{{` but found {} at column {}",
                    describe_byte(b),
                    pos.col
                ),
            ));
        }
    }

    let rows = state.rows;
    let diagnostics = std::mem::take(&mut state.diagnostics);
    (state.progress)(Progress {
        bytes_read: bytes.get(),
        bytes_total: ctx.size,
        rows,
    });
    Ok(StreamSummary {
        shape,
        envelope_key,
        rows,
        bytes_read: bytes.get(),
        diagnostics,
    })
}

/// Appends one RFC 6901 segment to a location's pointer, e.g. `/Records/3` + `eventTime`.
pub fn child(location: &Location, segment: &str) -> Location {
    let seg = escape_segment(segment);
    match location {
        Location::Pointer(p) => Location::Pointer(format!("{p}/{seg}")),
        Location::LinePointer(line, p) => Location::LinePointer(*line, format!("{p}/{seg}")),
        Location::Line(line) => Location::LinePointer(*line, format!("/{seg}")),
        Location::File => Location::Pointer(format!("/{seg}")),
    }
}

/// Escapes `~` and `/` in a JSON pointer segment (RFC 6901).
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Reads further envelopes concatenated after the first one (Firehose-style output).
fn read_more_envelopes<R: BufRead>(
    reader: &mut R,
    pos: &mut Pos,
    state: &mut State<'_>,
    keys: &[&str],
) -> Result<(), ImportError> {
    let ctx = state.ctx;
    loop {
        match skip_whitespace(reader, pos).map_err(|e| io_error(ctx, e))? {
            None => return Ok(()),
            Some(b'{') => {
                let start = *pos;
                let seed = TopObject {
                    state,
                    keys,
                    doc_line: Some(start.line),
                };
                let top = parse_document(reader, pos, seed).map_err(|e| e.resolve(state, start))?;
                if let Top::Record(value) = top {
                    state.emit(value, Location::LinePointer(start.line, String::new()))?;
                }
            }
            Some(b) => {
                return Err(unreadable(
                    ctx,
                    Location::Line(pos.line),
                    format!(
                        "unexpected {} after a JSON document (column {}); expected another `{{` or the end of the file",
                        describe_byte(b),
                        pos.col
                    ),
                ));
            }
        }
    }
}

/// The JSON-lines loop: each line is its own document, so a bad line is a diagnostic and
/// reading goes on. `line` is the line the reader is currently on (its rest is read first).
fn read_lines<R: BufRead>(
    reader: &mut R,
    mut line: u64,
    state: &mut State<'_>,
) -> Result<(), ImportError> {
    let ctx = state.ctx;
    state.record_start.set(u64::MAX);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let read =
            read_bounded_line(reader, &mut buf, MAX_LINE_BYTES).map_err(|e| io_error(ctx, e))?;
        match read {
            LineRead::Eof => return Ok(()),
            LineRead::TooLong => {
                state.bad(
                    Location::LinePointer(line, String::new()),
                    format!(
                        "the line is longer than {} MiB; skipped",
                        MAX_LINE_BYTES / (1024 * 1024)
                    ),
                );
                // Give back the memory a huge line took; the next line starts small again.
                buf = Vec::new();
            }
            LineRead::Line => {
                let text = buf.trim_ascii();
                if !text.is_empty() {
                    match std::str::from_utf8(text) {
                        Err(e) => state.bad(
                            Location::LinePointer(line, String::new()),
                            format!(
                                "the line is not valid UTF-8 (invalid byte at column {})",
                                e.valid_up_to() + 1
                            ),
                        ),
                        Ok(text) => match parse_line(text) {
                            Ok(value) => {
                                state.emit(value, Location::LinePointer(line, String::new()))?
                            }
                            Err(e) => state.bad(
                                Location::LinePointer(line, String::new()),
                                format!(
                                    "not valid JSON at column {}: {}",
                                    e.column(),
                                    message_of(&e)
                                ),
                            ),
                        },
                    }
                }
            }
        }
        line += 1;
    }
}

/// Parses one JSON line with serde_json's default recursion limit left on.
fn parse_line(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Value::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

enum LineRead {
    Line,
    TooLong,
    Eof,
}

/// Reads up to and including the next `\n` into `buf`, but never keeps more than `max` bytes:
/// an over-long line is consumed (so the next line can still be read) and reported.
fn read_bounded_line<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<LineRead> {
    let mut too_long = false;
    let mut any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(match (any, too_long) {
                (false, _) => LineRead::Eof,
                (true, true) => LineRead::TooLong,
                (true, false) => LineRead::Line,
            });
        }
        any = true;
        let newline = available.iter().position(|&b| b == b'\n');
        let take = newline.map_or(available.len(), |p| p + 1);
        if !too_long {
            if buf.len().saturating_add(take) > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(available.get(..take).unwrap_or_default());
            }
        }
        reader.consume(take);
        if newline.is_some() {
            return Ok(if too_long {
                LineRead::TooLong
            } else {
                LineRead::Line
            });
        }
    }
}

/// A 1-based line and column (in bytes) in the file.
#[derive(Debug, Clone, Copy)]
struct Pos {
    line: u64,
    col: u64,
}

/// Skips JSON whitespace and returns the next byte without consuming it.
fn skip_whitespace<R: BufRead>(reader: &mut R, pos: &mut Pos) -> io::Result<Option<u8>> {
    loop {
        let available = match reader.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(None);
        }
        let mut used = 0;
        let mut found = None;
        for &b in available {
            match b {
                b'\n' => {
                    pos.line += 1;
                    pos.col = 1;
                }
                b' ' | b'\t' | b'\r' => pos.col += 1,
                other => {
                    found = Some(other);
                    break;
                }
            }
            used += 1;
        }
        reader.consume(used);
        if found.is_some() {
            return Ok(found);
        }
    }
}

/// Runs a seed over one JSON document starting at `pos`, keeping `pos` up to date.
fn parse_document<'de, R, S>(reader: &mut R, pos: &mut Pos, seed: S) -> Result<S::Value, DocError>
where
    R: BufRead,
    S: DeserializeSeed<'de>,
{
    let mut tracker = Tracking {
        inner: reader,
        line: pos.line,
        col: pos.col,
    };
    let result = {
        let mut de = serde_json::Deserializer::from_reader(&mut tracker);
        seed.deserialize(&mut de)
    };
    pos.line = tracker.line;
    pos.col = tracker.col;
    result.map_err(DocError)
}

/// A serde_json error from a streamed document, turned into an [`ImportError`] once we know
/// whether it was really a sink failure smuggled through serde.
struct DocError(serde_json::Error);

impl DocError {
    fn resolve(self, state: &mut State<'_>, start: Pos) -> ImportError {
        if let Some(stopped) = state.stopped.take() {
            return stopped;
        }
        let e = self.0;
        let ctx = state.ctx;
        if e.is_io() {
            let source = io::Error::from(e);
            if source
                .get_ref()
                .is_some_and(|inner| inner.is::<RecordTooLarge>())
            {
                return unreadable(ctx, Location::Line(start.line), source.to_string());
            }
            return io_error(ctx, source);
        }
        // serde_json counts from where this document started; turn that into file positions.
        let line = start.line + (e.line() as u64).saturating_sub(1);
        let col = if e.line() <= 1 {
            start.col + (e.column() as u64).saturating_sub(1)
        } else {
            e.column() as u64
        };
        let what = message_of(&e);
        let reason = if e.is_eof() {
            format!(
                "the JSON ends in the middle of a document (truncated?) at column {col}: {what}"
            )
        } else if what.contains("recursion limit") {
            format!("the JSON is nested too deeply to read (over 128 levels) at column {col}")
        } else if what.contains("unicode") || what.contains("UTF-8") {
            format!("the text is not valid UTF-8 or has a bad escape at column {col}: {what}")
        } else {
            format!("not valid JSON at column {col}: {what}")
        };
        unreadable(ctx, Location::Line(line), reason)
    }
}

/// serde_json's message without its trailing " at line L column C", which we restate in
/// file coordinates.
fn message_of(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text).to_owned(),
        None => text,
    }
}

fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", b as char)
    } else {
        format!("byte 0x{b:02X}")
    }
}

/// The file could not be read (shared by the importers that read JSON or CSV themselves).
pub(crate) fn io_error(ctx: &ImportContext, source: io::Error) -> ImportError {
    ImportError::Io {
        file: ctx.file_name.clone(),
        source,
    }
}

/// The file as a whole cannot be imported, for `reason` found at `location`.
pub(crate) fn unreadable(
    ctx: &ImportContext,
    location: Location,
    reason: impl Into<String>,
) -> ImportError {
    ImportError::Unreadable(ctx.diagnostic(location, reason))
}

/// Counts bytes pulled from the caller's reader, for progress, and refuses to go further than
/// [`MAX_RECORD_BYTES`] past the start of the record being read.
struct Counting<'a> {
    inner: &'a mut dyn Read,
    count: &'a Cell<u64>,
    /// The byte count when the last record was handed over (or a line was read).
    record_start: &'a Cell<u64>,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.count.get().saturating_sub(self.record_start.get()) > MAX_RECORD_BYTES {
            return Err(io::Error::other(RecordTooLarge));
        }
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get().saturating_add(n as u64));
        Ok(n)
    }
}

/// Sits between serde_json and the buffered reader, tracking the line and column serde has
/// consumed so reading can resume (and report positions) after a streamed document.
struct Tracking<'r, R> {
    inner: &'r mut R,
    line: u64,
    col: u64,
}

impl<R: BufRead> Read for Tracking<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in buf.get(..n).unwrap_or_default() {
            if b == b'\n' {
                self.line += 1;
                self.col = 1;
            } else {
                self.col += 1;
            }
        }
        Ok(n)
    }
}

/// Shared state of one read: the callback, counters, and a slot for a sink error that had to
/// travel through serde as a custom error.
struct State<'a> {
    ctx: &'a ImportContext,
    bytes: &'a Cell<u64>,
    record_start: &'a Cell<u64>,
    rows: u64,
    progress: &'a mut dyn FnMut(Progress),
    on_record: &'a mut dyn FnMut(Value, Location) -> Result<(), ImportError>,
    stopped: Option<ImportError>,
    diagnostics: Vec<Diagnostic>,
}

impl fmt::Debug for State<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("State")
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl State<'_> {
    fn emit(&mut self, value: Value, location: Location) -> Result<(), ImportError> {
        self.tick();
        (self.on_record)(value, location)
    }

    fn bad(&mut self, location: Location, reason: String) {
        self.tick();
        self.diagnostics.push(self.ctx.diagnostic(location, reason));
    }

    fn tick(&mut self) {
        // JSON lines bound each line themselves (and skip overlong ones without holding
        // them), so the record cap is off there: `u64::MAX` marks that.
        if self.record_start.get() != u64::MAX {
            self.record_start.set(self.bytes.get());
        }
        self.rows += 1;
        if self.rows % PROGRESS_EVERY == 0 {
            (self.progress)(Progress {
                bytes_read: self.bytes.get(),
                bytes_total: self.ctx.size,
                rows: self.rows,
            });
        }
    }
}

/// The first (or a later concatenated) top-level object: an envelope or a single record.
enum Top {
    /// Records were streamed from under this key.
    Envelope(String),
    /// No envelope key held an array: the object is itself a record (JSON lines).
    Record(Value),
}

struct TopObject<'s, 'a> {
    state: &'s mut State<'a>,
    keys: &'s [&'s str],
    /// `None` for the file's first document (plain pointers), else the line it starts on.
    doc_line: Option<u64>,
}

impl<'de> DeserializeSeed<'de> for TopObject<'_, '_> {
    type Value = Top;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Top, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopObject<'_, '_> {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut fields = Map::new();
        let mut envelope: Option<String> = None;
        while let Some(key) = map.next_key::<String>()? {
            if envelope.is_some() {
                // Once records were streamed, the rest of the envelope is metadata we ignore.
                map.next_value::<IgnoredAny>()?;
            } else if self.keys.contains(&key.as_str()) {
                let seed = Elements {
                    state: &mut *self.state,
                    prefix: format!("/{}", escape_segment(&key)),
                    doc_line: self.doc_line,
                };
                match map.next_value_seed(seed)? {
                    None => envelope = Some(key),
                    // The key exists but holds no array: an ordinary field of a record.
                    Some(value) => {
                        fields.insert(key, value);
                    }
                }
            } else {
                fields.insert(key, map.next_value::<Value>()?);
            }
        }
        Ok(match envelope {
            Some(key) => Top::Envelope(key),
            None => Top::Record(Value::Object(fields)),
        })
    }
}

/// Streams the elements of an array to the callback; any other value is returned whole
/// (`Some`) so an envelope key holding a non-array is treated as an ordinary field.
struct Elements<'s, 'a> {
    state: &'s mut State<'a>,
    prefix: String,
    doc_line: Option<u64>,
}

impl<'de> DeserializeSeed<'de> for Elements<'_, '_> {
    type Value = Option<Value>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Option<Value>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<Value>, A::Error> {
        let mut index: u64 = 0;
        while let Some(value) = seq.next_element::<Value>()? {
            let pointer = format!("{}/{index}", self.prefix);
            let location = match self.doc_line {
                None => Location::Pointer(pointer),
                Some(line) => Location::LinePointer(line, pointer),
            };
            if let Err(e) = self.state.emit(value, location) {
                self.state.stopped = Some(e);
                return Err(de::Error::custom("stopped by the record sink"));
            }
            index += 1;
        }
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<Value>, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<Value>, E> {
        Ok(Some(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<Value>, E> {
        Ok(Some(Value::String(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Option<Value>, E> {
        Ok(Some(Value::String(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<Value>, E> {
        Ok(Some(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<Value>, E> {
        Ok(Some(Value::Null))
    }
}

/// Reading fields out of one streamed record, with problems that name the JSON pointer.
///
/// Keys are looked up exactly first and then ignoring ASCII case, because the same schema
/// reaches us in several casings: Graph's `activityDateTime`, Log Analytics'
/// `ActivityDateTime`, and Okta events lower-cased by data lakes (`eventtype`).
#[derive(Debug, Clone, Copy)]
pub struct RecordView<'a> {
    pub value: &'a Value,
    pub location: &'a Location,
}

/// A field that is missing, of the wrong type or unparseable, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub location: Location,
    pub reason: String,
}

impl Problem {
    /// The diagnostic for this problem in `ctx`'s file.
    pub fn into_diagnostic(self, ctx: &ImportContext) -> Diagnostic {
        ctx.diagnostic(self.location, self.reason)
    }
}

/// Why a recognised event produced no record: the two cases the façade treats differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Present but wrong (wrong JSON type, unparseable time, not an object): a bad row
    /// that rejects the file unless the user asks to skip invalid rows.
    Invalid(Problem),
    /// Well-formed, but a field needed to be evidence is absent (no target, no time): a
    /// warning, because real exports legitimately contain such events.
    Incomplete(Problem),
}

impl From<Problem> for Failure {
    fn from(problem: Problem) -> Self {
        Failure::Invalid(problem)
    }
}

impl Failure {
    /// An incomplete event at `location`.
    pub fn incomplete(location: Location, reason: impl Into<String>) -> Self {
        Failure::Incomplete(Problem {
            location,
            reason: reason.into(),
        })
    }

    /// Files this failure in `summary`: invalid rows as diagnostics, incomplete events as
    /// warnings.
    pub fn record(self, summary: &mut crate::ImportSummary, ctx: &ImportContext) {
        match self {
            Failure::Invalid(problem) => summary.diagnostics.push(problem.into_diagnostic(ctx)),
            Failure::Incomplete(problem) => summary.warn(problem.into_diagnostic(ctx)),
        }
    }
}

impl<'a> RecordView<'a> {
    pub fn new(value: &'a Value, location: &'a Location) -> Self {
        Self { value, location }
    }

    /// The value at `path` (keys matched case-insensitively), with its location.
    pub fn lookup(&self, path: &[&str]) -> Option<(&'a Value, Location)> {
        let mut current = self.value;
        let mut location = self.location.clone();
        for key in path {
            let (found_key, next) = get_entry(current, key)?;
            location = child(&location, found_key);
            current = next;
        }
        Some((current, location))
    }

    /// The value at `path`, if present and not null.
    pub fn get(&self, path: &[&str]) -> Option<&'a Value> {
        self.lookup(path).map(|(v, _)| v).filter(|v| !v.is_null())
    }

    /// The location a missing field would have had, for "missing" diagnostics.
    pub fn location_of(&self, path: &[&str]) -> Location {
        path.iter()
            .fold(self.location.clone(), |loc, key| child(&loc, key))
    }

    /// A string field: `Ok(None)` when missing, null or empty (trimmed); a problem when it
    /// holds something other than a string.
    pub fn opt_str(&self, path: &[&str]) -> Result<Option<String>, Problem> {
        self.string_like(path, false)
    }

    /// Like [`RecordView::opt_str`], but numbers are accepted and rendered, for ids that
    /// some exports write as numbers.
    pub fn opt_id(&self, path: &[&str]) -> Result<Option<String>, Problem> {
        self.string_like(path, true)
    }

    fn string_like(&self, path: &[&str], numbers: bool) -> Result<Option<String>, Problem> {
        match self.lookup(path) {
            None => Ok(None),
            Some((Value::Null, _)) => Ok(None),
            Some((Value::String(s), _)) => {
                let t = s.trim();
                Ok(if t.is_empty() {
                    None
                } else {
                    Some(t.to_owned())
                })
            }
            Some((Value::Number(n), _)) if numbers => Ok(Some(n.to_string())),
            Some((other, location)) => Err(Problem {
                location,
                reason: format!("expected a string but found {}", kind_of(other)),
            }),
        }
    }

    /// A required string field.
    pub fn req_str(&self, path: &[&str]) -> Result<String, Problem> {
        self.opt_str(path)?.ok_or_else(|| Problem {
            location: self.location_of(path),
            reason: format!("missing required field `{}`", path.join(".")),
        })
    }

    /// A string field an access-change event needs: absent is [`Failure::Incomplete`],
    /// a value of the wrong type [`Failure::Invalid`].
    pub fn need_str(&self, path: &[&str]) -> Result<String, Failure> {
        self.opt_str(path)?.ok_or_else(|| {
            Failure::incomplete(
                self.location_of(path),
                format!("missing required field `{}`", path.join(".")),
            )
        })
    }

    /// A timestamp an access-change event needs: absent is [`Failure::Incomplete`], a
    /// value that is not a time [`Failure::Invalid`].
    pub fn need_time(&self, path: &[&str]) -> Result<evidentia_domain::Timestamp, Failure> {
        self.need_str(path)?;
        Ok(self.req_time(path)?)
    }

    /// A required timestamp field (see [`parse_timestamp`] for the accepted forms).
    pub fn req_time(&self, path: &[&str]) -> Result<evidentia_domain::Timestamp, Problem> {
        let text = self.req_str(path)?;
        parse_timestamp(&text).ok_or_else(|| Problem {
            location: self
                .lookup(path)
                .map_or_else(|| self.location_of(path), |(_, l)| l),
            reason: format!(
                "`{text}` is not a timestamp (expected ISO 8601, e.g. 2024-08-01T13:33:28Z)"
            ),
        })
    }

    /// A field that some exports nest as an object or array and others (Log Analytics)
    /// store as a JSON-encoded string: returns the decoded value either way.
    pub fn nested(&self, path: &[&str]) -> Result<Option<Value>, Problem> {
        match self.lookup(path) {
            None | Some((Value::Null, _)) => Ok(None),
            Some((Value::String(s), location)) => {
                let t = s.trim();
                if t.is_empty() {
                    return Ok(None);
                }
                serde_json::from_str::<Value>(t)
                    .map(Some)
                    .map_err(|e| Problem {
                        location,
                        reason: format!(
                            "holds a string that is not valid JSON: {}",
                            message_of(&e)
                        ),
                    })
            }
            Some((v, _)) => Ok(Some(v.clone())),
        }
    }
}

/// Looks a key up exactly, then ignoring ASCII case; returns the key as spelled in the record.
pub fn get_entry<'v>(value: &'v Value, key: &str) -> Option<(&'v str, &'v Value)> {
    let map = value.as_object()?;
    if let Some((k, v)) = map.get_key_value(key) {
        return Some((k.as_str(), v));
    }
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(k, v)| (k.as_str(), v))
}

/// Looks a key up exactly, then ignoring ASCII case.
pub fn get_ci<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    get_entry(value, key).map(|(_, v)| v)
}

/// A non-empty, trimmed string at `key` (case-insensitive); numbers are rendered.
pub fn str_ci(value: &Value, key: &str) -> Option<String> {
    match get_ci(value, key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The JSON type of a value, for "expected a string but found …" messages.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses the timestamp spellings log exports use, all taken as UTC unless they say otherwise:
/// RFC 3339 (`2024-08-01T13:33:28Z`, `…+00:00`, any number of fractional digits), a space
/// instead of `T` (`2025-01-15 09:30:20.123`, data-lake exports), `+0000` offsets, and no
/// offset at all.
pub fn parse_timestamp(text: &str) -> Option<evidentia_domain::Timestamp> {
    use chrono::{DateTime, NaiveDateTime, Utc};
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let t_sep = if text.as_bytes().get(10) == Some(&b' ') {
        let mut s = text.to_owned();
        s.replace_range(10..11, "T");
        s
    } else {
        text.to_owned()
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(&t_sep) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(&t_sep, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(t.with_timezone(&Utc));
    }
    let naive = t_sep.strip_suffix(" UTC").unwrap_or(&t_sep);
    NaiveDateTime::parse_from_str(naive, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

#[cfg(test)]
mod record_cap_tests {
    use super::*;

    /// A reader that yields `{"Records":["` then an endless string, without allocating it.
    struct Endless {
        prefix: &'static [u8],
        sent: usize,
        produced: u64,
    }

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.sent < self.prefix.len() {
                let n = (self.prefix.len() - self.sent).min(buf.len());
                buf[..n].copy_from_slice(&self.prefix[self.sent..self.sent + n]);
                self.sent += n;
                return Ok(n);
            }
            if self.produced > 4 * MAX_RECORD_BYTES {
                return Ok(0);
            }
            buf.fill(b'a');
            self.produced += buf.len() as u64;
            Ok(buf.len())
        }
    }

    #[test]
    fn one_huge_record_is_refused_not_buffered() {
        let mut input = Endless {
            prefix: br#"{"Records":[{"eventName":""#,
            sent: 0,
            produced: 0,
        };
        let ctx = ImportContext::new("huge.json");
        let mut records = 0;
        let result = read_records(&mut input, &ctx, &["Records"], &mut |_| {}, &mut |_, _| {
            records += 1;
            Ok(())
        });
        let Err(ImportError::Unreadable(d)) = result else {
            panic!("expected a refusal, got {result:?}")
        };
        assert!(d.reason.contains("larger than 64 MiB"), "{d}");
        assert_eq!(d.location, Location::Line(1));
        assert!(
            input.produced < 2 * MAX_RECORD_BYTES,
            "read far past the cap: {}",
            input.produced
        );
        assert_eq!(records, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Seen = Vec<(Value, Location)>;

    fn read(
        input: &[u8],
        keys: &[&str],
    ) -> (Result<StreamSummary, ImportError>, Seen, Vec<Progress>) {
        let ctx = ImportContext {
            size: Some(input.len() as u64),
            ..ImportContext::new("f.json")
        };
        let mut seen = Vec::new();
        let mut ticks = Vec::new();
        let mut reader = input;
        let result = read_records(
            &mut reader,
            &ctx,
            keys,
            &mut |p| ticks.push(p),
            &mut |v, at| {
                seen.push((v, at));
                Ok(())
            },
        );
        (result, seen, ticks)
    }

    fn unreadable_reason(result: Result<StreamSummary, ImportError>) -> Diagnostic {
        match result {
            Err(ImportError::Unreadable(d)) => d,
            other => panic!("expected Unreadable, got {other:?}"),
        }
    }

    fn ptr(p: &str) -> Location {
        Location::Pointer(p.into())
    }

    #[test]
    fn bare_array() {
        let (r, seen, ticks) = read(b"[{\"a\":1},\n {\"a\":2}]\n", &["Records"]);
        let s = r.unwrap();
        assert_eq!(s.shape, Shape::Array);
        assert_eq!(s.rows, 2);
        assert_eq!(seen[0], (serde_json::json!({"a":1}), ptr("/0")));
        assert_eq!(seen[1].1, ptr("/1"));
        assert_eq!(
            ticks.last().map(|p| (p.rows, p.bytes_read, p.bytes_total)),
            Some((2, 20, Some(20)))
        );
    }

    #[test]
    fn envelope_with_other_keys_before_and_after() {
        let input =
            br#"{"@odata.context":"x","value":[{"id":"a"},{"id":"b"}],"@odata.nextLink":"y"}"#;
        let (r, seen, _) = read(input, &["value"]);
        let s = r.unwrap();
        assert_eq!(
            (s.shape, s.envelope_key.as_deref(), s.rows),
            (Shape::Envelope, Some("value"), 2)
        );
        assert_eq!(seen[1], (serde_json::json!({"id":"b"}), ptr("/value/1")));
    }

    #[test]
    fn concatenated_envelopes_locate_later_ones_by_line() {
        let input = b"{\"Records\":[{\"n\":1}]}\n{\"Records\":[{\"n\":2},{\"n\":3}]}";
        let (r, seen, _) = read(input, &["Records"]);
        assert_eq!(r.unwrap().rows, 3);
        assert_eq!(seen[0].1, ptr("/Records/0"));
        assert_eq!(seen[2].1, Location::LinePointer(2, "/Records/1".into()));
    }

    #[test]
    fn envelope_key_holding_a_non_array_is_a_plain_field() {
        let (r, seen, _) = read(
            b"{\"value\":\"x\",\"k\":{\"d\":[1]}}\n{\"value\":3}\n",
            &["value"],
        );
        assert_eq!(r.unwrap().shape, Shape::Lines);
        assert_eq!(seen[0].0, serde_json::json!({"value":"x","k":{"d":[1]}}));
        assert_eq!(
            seen[1],
            (
                serde_json::json!({"value":3}),
                Location::LinePointer(2, String::new())
            )
        );
    }

    #[test]
    fn json_lines_with_blank_lines_crlf_and_a_bad_line() {
        let input = b"\n{\"a\":1}\r\n\r\n{\"a\":2\n{\"a\":3}\n";
        let (r, seen, _) = read(input, &["Records"]);
        let s = r.unwrap();
        assert_eq!(s.shape, Shape::Lines);
        assert_eq!(s.rows, 3);
        let lines: Vec<_> = seen.iter().map(|(_, at)| at.clone()).collect();
        assert_eq!(
            lines,
            vec![
                Location::LinePointer(2, String::new()),
                Location::LinePointer(5, String::new())
            ]
        );
        assert_eq!(s.diagnostics.len(), 1);
        assert_eq!(
            s.diagnostics[0].location,
            Location::LinePointer(4, String::new())
        );
        assert!(
            s.diagnostics[0].reason.contains("not valid JSON"),
            "{}",
            s.diagnostics[0].reason
        );
    }

    #[test]
    fn bom_and_leading_whitespace_are_skipped() {
        let mut input = BOM.to_vec();
        input.extend_from_slice(b"  \n [{\"a\":1}]");
        let (r, seen, _) = read(&input, &[]);
        assert_eq!(r.unwrap().rows, 1);
        assert_eq!(seen[0].1, ptr("/0"));
    }

    #[test]
    fn a_reader_returning_one_byte_at_a_time_still_loses_the_bom() {
        struct Slow<'a>(&'a [u8]);
        impl Read for Slow<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                match (self.0.split_first(), buf.first_mut()) {
                    (Some((b, rest)), Some(slot)) => {
                        *slot = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let data = b"\xEF\xBB\xBF{\"a\":1}\n{\"a\":2}";
        let mut seen = 0;
        let s = read_records(
            &mut Slow(data),
            &ImportContext::new("f"),
            &[],
            &mut |_| {},
            &mut |_, _| {
                seen += 1;
                Ok(())
            },
        )
        .unwrap();
        assert_eq!((s.rows, seen, s.bytes_read), (2, 2, data.len() as u64));
    }

    #[test]
    fn empty_and_whitespace_only_files_are_unreadable() {
        let d = unreadable_reason(read(b"", &[]).0);
        assert_eq!(d.location, Location::File);
        assert_eq!(d.reason, "the file is empty");
        let d = unreadable_reason(read(b"\xEF\xBB\xBF \n", &[]).0);
        assert!(d.reason.contains("only whitespace"), "{}", d.reason);
    }

    #[test]
    fn truncated_array_names_the_line() {
        let (r, seen, _) = read(b"[\n{\"a\":1},\n{\"a\":", &[]);
        let d = unreadable_reason(r);
        assert_eq!(d.location, Location::Line(3));
        assert!(d.reason.contains("truncated"), "{}", d.reason);
        assert_eq!(
            seen.len(),
            1,
            "records before the break were already streamed"
        );
    }

    #[test]
    fn truncated_envelope_names_the_line() {
        let d = unreadable_reason(read(b"{\"Records\":[{\"a\":1},{\"b\"", &["Records"]).0);
        assert_eq!(d.location, Location::Line(1));
        assert!(d.reason.contains("truncated"), "{}", d.reason);
    }

    #[test]
    fn not_json_at_all() {
        let d = unreadable_reason(read(b"user,action\nalice,create\n", &[]).0);
        assert_eq!(d.location, Location::Line(1));
        assert!(d.reason.starts_with("not JSON"), "{}", d.reason);
        let d = unreadable_reason(read(b"{not json}\n", &[]).0);
        assert!(
            d.reason.contains("not valid JSON at column 2"),
            "{}",
            d.reason
        );
    }

    #[test]
    fn trailing_garbage_after_array() {
        let d = unreadable_reason(read(b"[1]\n\nxyz", &[]).0);
        assert_eq!(d.location, Location::Line(3));
    }

    #[test]
    fn deep_nesting_fails_cleanly() {
        let deep = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
        let d = unreadable_reason(read(deep.as_bytes(), &[]).0);
        assert!(d.reason.contains("nested too deeply"), "{}", d.reason);

        let line = format!(
            "{{\"a\":1}}\n{{\"a\":{}1{}}}\n{{\"a\":2}}\n",
            "[".repeat(50_000),
            "]".repeat(50_000)
        );
        let (r, seen, _) = read(line.as_bytes(), &[]);
        let s = r.unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(
            s.diagnostics[0].location,
            Location::LinePointer(2, String::new())
        );
    }

    #[test]
    fn invalid_utf8_is_named() {
        let d = unreadable_reason(read(b"[\n{\"a\":\"\xFF\xFE\"}]", &[]).0);
        assert_eq!(d.location, Location::Line(2));
        let (r, _, _) = read(b"{\"a\":1}\n{\"a\":\"\xFF\"}\n", &[]);
        let s = r.unwrap();
        assert_eq!(
            s.diagnostics[0].location,
            Location::LinePointer(2, String::new())
        );
        assert!(
            s.diagnostics[0].reason.contains("UTF-8"),
            "{}",
            s.diagnostics[0].reason
        );
    }

    #[test]
    fn over_long_lines_are_refused_and_reading_continues() {
        let mut reader: &[u8] = b"aaaaaaaaaa\nbb\n";
        let mut buf = Vec::new();
        assert!(matches!(
            read_bounded_line(&mut reader, &mut buf, 5).unwrap(),
            LineRead::TooLong
        ));
        buf.clear();
        assert!(matches!(
            read_bounded_line(&mut reader, &mut buf, 5).unwrap(),
            LineRead::Line
        ));
        assert_eq!(buf, b"bb\n");
        assert!(matches!(
            read_bounded_line(&mut reader, &mut buf, 5).unwrap(),
            LineRead::Eof
        ));
    }

    #[test]
    fn sink_errors_stop_reading_and_surface_unchanged() {
        let ctx = ImportContext::new("f");
        for input in [
            &b"[1,2,3]"[..],
            b"{\"Records\":[1,2]}",
            b"{\"a\":1}\n{\"a\":2}",
        ] {
            let mut calls = 0;
            let mut reader = input;
            let r = read_records(&mut reader, &ctx, &["Records"], &mut |_| {}, &mut |_, _| {
                calls += 1;
                Err(ImportError::Sink(crate::SinkError("disk full".into())))
            });
            assert!(matches!(r, Err(ImportError::Sink(_))), "{r:?}");
            assert_eq!(calls, 1);
        }
    }

    #[test]
    fn progress_is_reported_periodically() {
        let input = format!("[{}1]", "1,".repeat(4_999));
        let (r, _, ticks) = read(input.as_bytes(), &[]);
        assert_eq!(r.unwrap().rows, 5_000);
        assert_eq!(
            ticks.iter().map(|p| p.rows).collect::<Vec<_>>(),
            vec![2_000, 4_000, 5_000]
        );
    }

    #[test]
    fn child_pointers_escape_segments() {
        assert_eq!(
            child(&ptr("/Records/3"), "eventTime"),
            ptr("/Records/3/eventTime")
        );
        assert_eq!(
            child(&Location::LinePointer(4, String::new()), "a/b~c"),
            Location::LinePointer(4, "/a~1b~0c".into())
        );
    }

    #[test]
    fn timestamps_in_the_spellings_exports_use() {
        let expect = |s: &str, want: &str| {
            assert_eq!(
                parse_timestamp(s).map(|t| t.to_rfc3339()),
                Some(want.to_owned()),
                "{s}"
            );
        };
        expect("2024-08-01T13:33:28Z", "2024-08-01T13:33:28+00:00");
        expect(
            "2024-12-10T02:22:58.7270280Z",
            "2024-12-10T02:22:58.727028+00:00",
        );
        expect(
            "2024-11-27T02:22:58.727028+00:00",
            "2024-11-27T02:22:58.727028+00:00",
        );
        expect("2025-01-15 09:30:20.123", "2025-01-15T09:30:20.123+00:00");
        expect(
            "2024-12-16 16:32:16.087554000",
            "2024-12-16T16:32:16.087554+00:00",
        );
        expect("2022-12-13 00:58:19.811", "2022-12-13T00:58:19.811+00:00");
        expect("2024-01-02T03:04:05+0100", "2024-01-02T02:04:05+00:00");
        expect("2024-01-02T03:04:05", "2024-01-02T03:04:05+00:00");
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp("2024-13-45T00:00:00Z"), None);
        assert_eq!(parse_timestamp("é"), None);
    }

    #[test]
    fn record_view_names_pointers_and_types() {
        let value =
            serde_json::json!({"A": {"b": 3, "c": "x", "d": [1], "e": "{\"k\":1}"}, "t": "nope"});
        let at = ptr("/Records/2");
        let view = RecordView::new(&value, &at);
        assert_eq!(view.opt_id(&["a", "B"]), Ok(Some("3".into())));
        assert!(view.opt_str(&["a", "B"]).is_err());
        assert_eq!(view.opt_str(&["a", "c"]), Ok(Some("x".into())));
        assert_eq!(view.opt_str(&["a", "zz"]), Ok(None));
        let p = view.opt_str(&["a", "d"]).unwrap_err();
        assert_eq!(p.location, ptr("/Records/2/A/d"));
        assert_eq!(p.reason, "expected a string but found an array");
        assert_eq!(
            view.req_str(&["x"]).unwrap_err().location,
            ptr("/Records/2/x")
        );
        assert_eq!(
            view.req_time(&["t"]).unwrap_err().location,
            ptr("/Records/2/t")
        );
        assert_eq!(
            view.nested(&["a", "e"]),
            Ok(Some(serde_json::json!({"k":1})))
        );
        assert!(view.nested(&["a", "c"]).is_err());
    }

    #[test]
    fn pretty_printed_objects_one_after_another() {
        let (r, seen, _) = read(b"{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}\n", &["Records"]);
        assert_eq!(r.unwrap().shape, Shape::Lines);
        let at: Vec<_> = seen.into_iter().map(|(_, at)| at).collect();
        assert_eq!(
            at,
            vec![
                Location::LinePointer(1, String::new()),
                Location::LinePointer(4, String::new())
            ]
        );
    }
}
