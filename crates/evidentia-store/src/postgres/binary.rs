//! PostgreSQL's binary `COPY` format, both ways: the fastest path in and out of the server for
//! bulk appends and for the full ordered reads verification and analysis make
//! (<https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4>).

use tokio::sync::mpsc;

use crate::StoreError;

/// The 11-byte signature, then 32-bit flags and header-extension length (both zero).
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// A field count of -1 ends the data.
const TRAILER: [u8; 2] = (-1i16).to_be_bytes();

/// Encodes rows for `COPY … FROM STDIN (FORMAT binary)`.
pub(crate) struct CopyEncoder {
    buf: Vec<u8>,
}

impl CopyEncoder {
    pub(crate) fn new() -> CopyEncoder {
        let mut buf = Vec::with_capacity(512 * 1024);
        buf.extend_from_slice(HEADER);
        CopyEncoder { buf }
    }

    /// Starts a row of `fields` fields.
    pub(crate) fn row(&mut self, fields: i16) {
        self.buf.extend_from_slice(&fields.to_be_bytes());
    }

    /// A `BIGINT` field.
    pub(crate) fn int8(&mut self, value: i64) {
        self.buf.extend_from_slice(&8i32.to_be_bytes());
        self.buf.extend_from_slice(&value.to_be_bytes());
    }

    /// A `BYTEA` or `TEXT` field (text is its UTF-8 bytes).
    pub(crate) fn bytes(&mut self, value: &[u8]) {
        let len = i32::try_from(value.len()).unwrap_or(i32::MAX);
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(value);
    }

    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    /// What has been encoded so far, leaving the encoder empty for more rows.
    pub(crate) fn take(&mut self) -> Vec<u8> {
        std::mem::replace(&mut self.buf, Vec::with_capacity(512 * 1024))
    }

    /// The rest, with the trailer.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.buf.extend_from_slice(&TRAILER);
        self.buf
    }
}

/// Decodes `COPY … TO STDOUT (FORMAT binary)` on a blocking thread, from the chunks the async
/// side forwards. A row may straddle chunks; the reader keeps the unread tail and appends.
pub(crate) struct CopyReader {
    chunks: mpsc::Receiver<Vec<u8>>,
    buf: Vec<u8>,
    pos: usize,
    started: bool,
    ended: bool,
    /// `(start, length)` of each field of the current row; `None` for NULL.
    fields: Vec<Option<(usize, usize)>>,
}

/// One decoded row, borrowing the reader's buffer.
pub(crate) struct CopyRow<'a> {
    buf: &'a [u8],
    fields: &'a [Option<(usize, usize)>],
    /// Where the row's encoding starts and ends in `buf`.
    span: (usize, usize),
}

impl<'a> CopyRow<'a> {
    /// The row exactly as encoded (field count, lengths, data), to hand to another thread.
    pub(crate) fn raw(&self) -> &'a [u8] {
        &self.buf[self.span.0..self.span.1]
    }

    /// The field's bytes, `None` for NULL or a missing field.
    pub(crate) fn get(&self, idx: usize) -> Option<&'a [u8]> {
        let (start, len) = (*self.fields.get(idx)?)?;
        self.buf.get(start..start + len)
    }

    /// A `BIGINT` field.
    pub(crate) fn int8(&self, idx: usize) -> Option<i64> {
        let bytes: [u8; 8] = self.get(idx)?.try_into().ok()?;
        Some(i64::from_be_bytes(bytes))
    }

    /// A `TEXT` field.
    pub(crate) fn text(&self, idx: usize) -> Option<&'a str> {
        std::str::from_utf8(self.get(idx)?).ok()
    }
}

fn malformed(what: &str) -> StoreError {
    StoreError::Corrupt(format!("the server's COPY data is malformed: {what}"))
}

impl CopyReader {
    pub(crate) fn new(chunks: mpsc::Receiver<Vec<u8>>) -> CopyReader {
        CopyReader {
            chunks,
            buf: Vec::new(),
            pos: 0,
            started: false,
            ended: false,
            fields: Vec::new(),
        }
    }

    /// Makes sure `need` unread bytes are buffered; false at the end of the data.
    fn fill(&mut self, need: usize) -> bool {
        while self.buf.len() - self.pos < need {
            let Some(chunk) = self.chunks.blocking_recv() else {
                return false;
            };
            if self.pos > 0 {
                self.buf.drain(..self.pos);
                self.pos = 0;
            }
            self.buf.extend_from_slice(&chunk);
        }
        true
    }

    fn read_i16(&self, at: usize) -> i16 {
        i16::from_be_bytes([self.buf[at], self.buf[at + 1]])
    }

    fn read_i32(&self, at: usize) -> i32 {
        i32::from_be_bytes([
            self.buf[at],
            self.buf[at + 1],
            self.buf[at + 2],
            self.buf[at + 3],
        ])
    }

    /// The next row, or `None` after the trailer.
    pub(crate) fn next_row(&mut self) -> Result<Option<CopyRow<'_>>, StoreError> {
        if self.ended {
            return Ok(None);
        }
        if !self.started {
            if !self.fill(HEADER.len()) || self.buf[self.pos..self.pos + 11] != HEADER[..11] {
                return Err(malformed("no binary COPY header"));
            }
            let extension = self.read_i32(self.pos + 15);
            let skip = HEADER.len() + usize::try_from(extension).unwrap_or(0);
            if !self.fill(skip) {
                return Err(malformed("a truncated header"));
            }
            self.pos += skip;
            self.started = true;
        }
        if !self.fill(2) {
            return Err(malformed("the data ended without a trailer"));
        }
        let count = self.read_i16(self.pos);
        if count == -1 {
            self.ended = true;
            return Ok(None);
        }
        let count = usize::try_from(count).map_err(|_| malformed("a negative field count"))?;
        // Walk the row's field lengths, buffering as needed, before handing out slices.
        let mut at = 2usize;
        self.fields.clear();
        for _ in 0..count {
            if !self.fill(at + 4) {
                return Err(malformed("a truncated row"));
            }
            let len = self.read_i32(self.pos + at);
            at += 4;
            if len < 0 {
                self.fields.push(None);
                continue;
            }
            let len = usize::try_from(len).unwrap_or(0);
            if !self.fill(at + len) {
                return Err(malformed("a truncated field"));
            }
            // Relative to the row: filling may move the buffer's unread bytes to its start.
            self.fields.push(Some((at, len)));
            at += len;
        }
        let start = self.pos;
        for (offset, _) in self.fields.iter_mut().flatten() {
            *offset += start;
        }
        self.pos += at;
        Ok(Some(CopyRow {
            buf: &self.buf,
            fields: &self.fields,
            span: (start, self.pos),
        }))
    }
}

/// Visits each row of `bytes`, a run of complete rows as [`CopyRow::raw`] gives them (no
/// header, no trailer), until `visit` returns false.
pub(crate) fn for_each_row(
    bytes: &[u8],
    mut visit: impl FnMut(CopyRow<'_>) -> bool,
) -> Result<(), StoreError> {
    let mut fields = Vec::new();
    let mut pos = 0usize;
    let read = |at: usize, n: usize| {
        bytes
            .get(at..at + n)
            .ok_or_else(|| malformed("a truncated row"))
    };
    while pos < bytes.len() {
        let start = pos;
        let count = i16::from_be_bytes(read(pos, 2)?.try_into().unwrap_or([0, 0]));
        pos += 2;
        fields.clear();
        for _ in 0..count.max(0) {
            let len = i32::from_be_bytes(read(pos, 4)?.try_into().unwrap_or([0; 4]));
            pos += 4;
            if len < 0 {
                fields.push(None);
                continue;
            }
            let len = usize::try_from(len).unwrap_or(0);
            read(pos, len)?;
            fields.push(Some((pos, len)));
            pos += len;
        }
        let row = CopyRow {
            buf: bytes,
            fields: &fields,
            span: (start, pos),
        };
        if !visit(row) {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(chunks: Vec<Vec<u8>>) -> Vec<(i64, Option<Vec<u8>>)> {
        let (tx, rx) = mpsc::channel(chunks.len() + 1);
        for c in chunks {
            tx.try_send(c).unwrap();
        }
        drop(tx);
        let mut reader = CopyReader::new(rx);
        let mut out = Vec::new();
        while let Some(row) = reader.next_row().unwrap() {
            out.push((row.int8(0).unwrap(), row.get(1).map(<[u8]>::to_vec)));
        }
        out
    }

    #[test]
    fn rows_round_trip_across_any_chunking() {
        let mut encoder = CopyEncoder::new();
        for i in 0..50i64 {
            encoder.row(2);
            encoder.int8(i);
            encoder.bytes(&vec![i as u8; i as usize * 7]);
        }
        // A NULL field, as the server sends one.
        encoder.row(2);
        encoder.int8(50);
        encoder.buf.extend_from_slice(&(-1i32).to_be_bytes());
        let bytes = encoder.finish();
        let expected: Vec<(i64, Option<Vec<u8>>)> = (0..50i64)
            .map(|i| (i, Some(vec![i as u8; i as usize * 7])))
            .chain([(50, None)])
            .collect();
        for size in [1, 2, 3, 7, 64, 1000, bytes.len()] {
            let chunks = bytes.chunks(size).map(<[u8]>::to_vec).collect();
            assert_eq!(rows_of(chunks), expected, "chunks of {size}");
        }
    }

    #[test]
    fn truncated_data_is_an_error_not_a_short_read() {
        let mut encoder = CopyEncoder::new();
        encoder.row(1);
        encoder.int8(1);
        let mut bytes = encoder.finish();
        bytes.truncate(bytes.len() - 3);
        let (tx, rx) = mpsc::channel(1);
        tx.try_send(bytes).unwrap();
        drop(tx);
        let mut reader = CopyReader::new(rx);
        assert!(reader.next_row().is_err());
    }
}
