//! JSON records through a profile: a top-level array, an array inside an envelope object, or JSON lines, read one record at a time.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::io::{BufRead, BufReader, Read};

use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::build::{self, Built, Cells};
use super::{Guard, HEAD_BYTES, MAX_RECORD_BYTES, PROGRESS_EVERY};
use crate::json_stream::{io_error, unreadable};
use crate::profile::Profile;
use crate::reviews::{ReviewBook, deliver_campaign, deliver_decision};
use crate::{
    ImportContext, ImportError, ImportSummary, Location, Origin, Progress, RecordSink, SinkError,
};

/// One JSON record, its fields addressed by key or dotted path.
struct JsonRow<'a> {
    value: &'a Value,
    profile: &'a Profile,
}

/// Finds a key, first literally (keys may contain dots), then as a dotted path.
fn lookup<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    if let Some(found) = value.get(name) {
        return Some(found);
    }
    name.split('.')
        .try_fold(value, |current, segment| match current {
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            other => other.get(segment),
        })
}

impl JsonRow<'_> {
    fn found(&self, field: &str) -> Option<(&str, &Value)> {
        self.profile.columns_for(field).iter().find_map(|name| {
            // Per record, the first alternative with a value: an empty string, or one the
            // profile maps to "" (a placeholder), counts as none.
            lookup(self.value, name)
                .filter(|v| {
                    !v.is_null()
                        && v.as_str().is_none_or(|s| {
                            !s.trim().is_empty() && !self.profile.maps_to_nothing(field, s.trim())
                        })
                })
                .map(|v| (name.as_str(), v))
        })
    }
}

impl Cells for JsonRow<'_> {
    fn get(&self, field: &str) -> Option<Cow<'_, str>> {
        let (_, value) = self.found(field)?;
        let text = match value {
            Value::String(s) => Cow::Borrowed(s.trim()),
            Value::Number(n) => Cow::Owned(n.to_string()),
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            // Arrays of plain values become a list in the profile's list separator.
            Value::Array(items) if items.iter().all(|i| !i.is_array() && !i.is_object()) => {
                let separator = self.profile.list_separator.to_string();
                let parts: Vec<String> = items
                    .iter()
                    .map(|i| match i {
                        Value::String(s) => s.trim().to_owned(),
                        other => other.to_string(),
                    })
                    .collect();
                Cow::Owned(parts.join(&separator))
            }
            other => Cow::Owned(other.to_string()),
        };
        (!text.is_empty()).then_some(text)
    }

    fn label(&self, field: &str) -> Cow<'_, str> {
        let name = self
            .found(field)
            .map(|(n, _)| n)
            .or_else(|| self.profile.columns_for(field).first().map(String::as_str));
        match name {
            Some(name) => Cow::Owned(format!("field \"{name}\"")),
            None => Cow::Owned(field.to_owned()),
        }
    }

    fn has_column(&self, field: &str) -> bool {
        self.found(field).is_some()
    }
}

/// Shared state of one JSON import, fed one record at a time.
struct Run<'a> {
    ctx: &'a ImportContext,
    profile: &'a Profile,
    sink: &'a mut dyn RecordSink,
    progress: &'a mut dyn FnMut(Progress),
    summary: ImportSummary,
    sink_error: Option<SinkError>,
    delivered: &'a Cell<u64>,
    reviews: ReviewBook<'a>,
}

impl Run<'_> {
    fn record(&mut self, value: &Value, location: Location) -> Result<(), SinkError> {
        self.summary.rows += 1;
        if self.summary.rows % PROGRESS_EVERY == 0 {
            self.report();
        }
        if !value.is_object() {
            self.summary.diagnostics.push(
                self.ctx
                    .diagnostic(location, "the record is not a JSON object"),
            );
            return Ok(());
        }
        let row = JsonRow {
            value,
            profile: self.profile,
        };
        match build::build(self.profile, self.ctx.system.as_ref(), &row) {
            Built::Record(record) => {
                self.summary.count(record.kind());
                self.sink.accept(record, Origin { location })?;
            }
            Built::Records(records) => {
                for record in records {
                    self.summary.count(record.kind());
                    self.summary.check_plausible(self.ctx, &record, &location);
                    self.sink.accept(
                        record,
                        Origin {
                            location: location.clone(),
                        },
                    )?;
                }
            }
            Built::Activity(activity) => {
                self.summary
                    .observe(self.ctx, &activity.observation(), &location);
            }
            Built::Campaign(row) => deliver_campaign(
                &mut self.reviews,
                self.ctx,
                *row,
                location,
                &mut self.summary,
                self.sink,
            )?,
            Built::Decision(row) => deliver_decision(
                &mut self.reviews,
                self.ctx,
                *row,
                location,
                &mut self.summary,
                self.sink,
            )?,
            Built::Skipped(value) => self.summary.skip(value),
            Built::Bad(reason) => self
                .summary
                .diagnostics
                .push(self.ctx.diagnostic(location, reason)),
        }
        Ok(())
    }

    fn report(&mut self) {
        (self.progress)(Progress {
            bytes_read: self.delivered.get(),
            bytes_total: self.ctx.size,
            rows: self.summary.rows,
        });
    }
}

pub(super) fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    profile: &Profile,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let delivered = Cell::new(0u64);
    let record_start = Cell::new(0u64);
    let over = Cell::new(false);
    let guard = Guard {
        inner: input,
        delivered: &delivered,
        record_start: &record_start,
        over: &over,
    };
    let mut reader = BufReader::with_capacity(HEAD_BYTES, guard);

    // Look at the first meaningful byte to tell an array or envelope from JSON lines.
    let first = loop {
        let buf = reader.fill_buf().map_err(|e| io_error(ctx, e))?;
        let Some(&byte) = buf.first() else { break None };
        if buf.starts_with(super::UTF8_BOM) {
            reader.consume(super::UTF8_BOM.len());
        } else if byte.is_ascii_whitespace() {
            reader.consume(1);
        } else {
            break Some(byte);
        }
    };
    let layout = profile
        .json
        .as_ref()
        .map(|j| j.records_path.clone())
        .unwrap_or_default();
    let mut run = Run {
        ctx,
        profile,
        sink,
        progress,
        summary: ImportSummary::default(),
        sink_error: None,
        delivered: &delivered,
        reviews: ReviewBook::new(&ctx.known_campaigns),
    };
    match first {
        None if delivered.get() == 0 => {
            return Err(unreadable(
                ctx,
                Location::File,
                "the file is empty (0 bytes)",
            ));
        }
        None => {
            return Err(unreadable(
                ctx,
                Location::File,
                "the file holds only white space, no JSON",
            ));
        }
        Some(b'[') if layout.is_empty() => {
            document(&mut reader, &mut run, &layout, &record_start, &over)?
        }
        Some(b'{') if !layout.is_empty() => {
            document(&mut reader, &mut run, &layout, &record_start, &over)?
        }
        Some(b'{') => lines(&mut reader, &mut run, &record_start)?,
        Some(b'[') => {
            return Err(unreadable(
                ctx,
                Location::File,
                format!(
                    "the file is a JSON array, but the profile expects an object with the records at \"{}\"",
                    layout.join(".")
                ),
            ));
        }
        Some(other) => {
            return Err(unreadable(
                ctx,
                Location::Line(1),
                format!(
                    "not JSON: the file starts with {:?} rather than [ or {{",
                    char::from(other)
                ),
            ));
        }
    }
    run.report();
    Ok(run.summary)
}

/// JSON lines: one object per line, each line bounded by [`MAX_RECORD_BYTES`].
fn lines<R: BufRead>(
    reader: &mut R,
    run: &mut Run<'_>,
    record_start: &Cell<u64>,
) -> Result<(), ImportError> {
    let ctx = run.ctx;
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        record_start.set(run.delivered.get());
        let n = reader
            .by_ref()
            .take(MAX_RECORD_BYTES + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| io_error(ctx, e))?;
        if n == 0 {
            return Ok(());
        }
        line += 1;
        if buf.len() as u64 > MAX_RECORD_BYTES {
            return Err(unreadable(
                ctx,
                Location::Line(line),
                format!(
                    "the line is longer than {} MiB; the file was not read further",
                    MAX_RECORD_BYTES >> 20
                ),
            ));
        }
        let Ok(text) = std::str::from_utf8(&buf) else {
            return Err(unreadable(
                ctx,
                Location::Line(line),
                "the line is not valid UTF-8 text",
            ));
        };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let location = Location::LinePointer(line, String::new());
        match serde_json::from_str::<Value>(text) {
            Ok(value) => run.record(&value, location)?,
            Err(e) => {
                run.summary.rows += 1;
                run.summary
                    .diagnostics
                    .push(ctx.diagnostic(location, format!("not a JSON record: {e}")));
            }
        }
    }
}

/// A single JSON document: the records array at `path` (empty: the document is the array).
fn document<R: Read>(
    reader: &mut R,
    run: &mut Run<'_>,
    path: &[String],
    record_start: &Cell<u64>,
    over: &Cell<bool>,
) -> Result<(), ImportError> {
    let ctx = run.ctx;
    let found = Cell::new(false);
    let result = {
        let mut de = serde_json::Deserializer::from_reader(&mut *reader);
        let seed = Records {
            path,
            pointer: String::new(),
            run: &mut *run,
            record_start,
            found: &found,
        };
        seed.deserialize(&mut de).and_then(|()| de.end())
    };
    if let Some(error) = run.sink_error.take() {
        return Err(ImportError::Sink(error));
    }
    if over.get() {
        return Err(unreadable(
            ctx,
            Location::File,
            format!(
                "a JSON record is larger than {} MiB; the file was not read further",
                MAX_RECORD_BYTES >> 20
            ),
        ));
    }
    if let Err(e) = result {
        if e.is_io() {
            return Err(io_error(ctx, std::io::Error::other(e.to_string())));
        }
        return Err(unreadable(
            ctx,
            Location::Line(e.line() as u64),
            format!("not valid JSON: {e}"),
        ));
    }
    if !found.get() {
        return Err(unreadable(
            ctx,
            Location::File,
            format!(
                "the JSON object has no records array at \"{}\" (json_records)",
                path.join(".")
            ),
        ));
    }
    Ok(())
}

/// Walks down the envelope to the records array and hands its elements over one at a time,
/// so memory holds one record, never the array.
struct Records<'r, 'a> {
    path: &'r [String],
    pointer: String,
    run: &'r mut Run<'a>,
    record_start: &'r Cell<u64>,
    found: &'r Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for Records<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.path.is_empty() {
            deserializer.deserialize_seq(self)
        } else {
            deserializer.deserialize_map(self)
        }
    }
}

impl<'de> Visitor<'de> for Records<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str("an array of records")
        } else {
            f.write_str("an object")
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.found.set(true);
        let mut index = 0u64;
        self.record_start.set(self.run.delivered.get());
        while let Some(value) = seq.next_element::<Value>()? {
            let location = Location::Pointer(format!("{}/{index}", self.pointer));
            if let Err(error) = self.run.record(&value, location) {
                self.run.sink_error = Some(error);
                return Err(A::Error::custom("the import was stopped"));
            }
            self.record_start.set(self.run.delivered.get());
            index += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((first, rest)) = self.path.split_first() else {
            return Err(A::Error::custom("expected an array of records"));
        };
        while let Some(key) = map.next_key::<String>()? {
            if key == *first {
                let pointer = format!(
                    "{}/{}",
                    self.pointer,
                    key.replace('~', "~0").replace('/', "~1")
                );
                map.next_value_seed(Records {
                    path: rest,
                    pointer,
                    run: &mut *self.run,
                    record_start: self.record_start,
                    found: self.found,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}
