#!/usr/bin/env python3
"""Verify an Evidentia ledger export (ledger.jsonl), its Merkle tree, signed checkpoints and proofs,
with nothing but Python 3's standard library (and the `openssl` command to check a signature).

Written from docs/ledger-format.md (sections 5, 6, 9, 12 and 15-19) and docs/evidence-pack.md alone,
so an auditor can check an evidence pack without trusting Evidentia's own code:

    python3 tools/verify_ledger.py ledger.jsonl
    python3 tools/verify_ledger.py ledger.jsonl --manifest manifest.json
    python3 tools/verify_ledger.py ledger.jsonl --manifest manifest.json \\
        --note checkpoint.note --key signing-key.pem        # and manifest.note beside manifest.json
    python3 tools/verify_ledger.py ledger.jsonl --against OLD/ledger.jsonl --against-manifest OLD/manifest.json
    python3 tools/verify_ledger.py --proof proofs/findings/0001.json --key signing-key.pem
    python3 tools/verify_ledger.py --proof entry.tlog-proof --key signing-key.pem
    python3 tools/verify_ledger.py --proof old-new.consistency --note checkpoint.note --key signing-key.pem

What is checked:
- ledger.jsonl: every line has exactly the eight keys in order; seq has no gaps; kind, recorded time,
  payload hash, entry hash and link recompute; artifact.stored payloads are exactly
  {"sha256", "size"} and commit to each content address once. The RFC 9162 tree root over the
  entry hashes is printed with the head.
- --manifest: the chain ends exactly at its checkpoint (entry_count, head_hash) and, when present,
  at its tree_root; its origin is evidentia/<workspace_id>. Every file its `files` lists (all but
  manifest.json, manifest.note and SHA256SUMS) lies beside it with that size and SHA-256; files it
  does not list are named (nothing signed covers them).
- manifest.note (beside --manifest, or --manifest-note FILE): a C2SP signed note of exactly the
  three lines `evidentia-pack/1`, the manifest's origin and the SHA-256 of manifest.json, so with
  --key it binds every listed file to the key. A pack with --note (checkpoint.note) but no
  manifest.note does not verify: a signed pack has both.
- --note: a C2SP signed note whose checkpoint (origin, size, root) is the ledger's (size = entries).
- --key: an Ed25519 public key (SPKI PEM) that must have signed the note, manifest.note, every
  proof's checkpoint and every finding proof's finding_note (checked with `openssl pkeyutl
  -verify`). Without --key, signatures are not checked, and that is said.
- --against: an earlier ledger.jsonl, itself verified, must be a prefix of this one;
  --against-manifest: an earlier checkpoint this ledger must contain.
- --proof: a finding proof (JSON), an inclusion proof (c2sp.org/tlog-proof) or a consistency proof,
  verified with RFC 9162 sections 2.1.3.2 and 2.1.4.2; no ledger.jsonl is needed. A finding proof's
  finding_note (section 18: `evidentia-finding/1`, origin, tree size, tree root and the SHA-256 of
  the finding's canonical JSON) must name its tree and finding; when it is null nothing binds the
  finding's fields, which is said, and is a failure with --key or beside a signed checkpoint.
Every head, tree root and origin the given files name must agree wherever two name the same size.

Exit 0: everything given verifies; what was and was not checked is printed.
Exit 1: something does not verify: the first bad line, entry or file is named, with the reason.
Exit 2: the command line or a file could not be used (or openssl is missing for --key).
"""

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ZERO = bytes(32)
EMPTY_ROOT = hashlib.sha256(b"").digest()
TAG = b"evidentia/ledger-entry"
ENCODING_VERSION = 1
REORDER_WINDOW = 64
U64 = 2 ** 64
HEX64 = re.compile(r"[0-9a-f]{64}")
HEX = re.compile(r"(?:[0-9a-f]{2})*")
DECIMAL = re.compile(r"0|[1-9][0-9]*")
TIME = re.compile(r"([0-9]{4})-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:([0-9]{2})\.[0-9]{6}Z")
FIELDS = ("seq", "kind", "recorded_at", "payload_encoding", "payload",
          "payload_sha256", "prev_hash", "entry_hash")
ED25519_SPKI = bytes.fromhex("302a300506032b6570032100")  # DER before the 32-byte key
FINDING_PROOF = "evidentia-finding-proof/1"
SAMPLE_PROOF = "evidentia-sample-proof/1"
TLOG_PROOF = "c2sp.org/tlog-proof@v1"
CONSISTENCY_PROOF = "evidentia/consistency-proof@v1"
PACK_NOTE = "evidentia-pack/1"
FINDING_NOTE = "evidentia-finding/1"
SAMPLE_NOTE = "evidentia-sample-item/1"


class Unusable(Exception):
    """Exit 2: the command line or an input file cannot be used."""


class Failure(Exception):
    """Exit 1: something does not verify. The message names what and why."""
    label = "DOES NOT VERIFY"


class Bad(Failure):
    """A bad ledger entry: file, line number and entry number (each if known) and why."""
    label = "ALTERED"

    def __init__(self, line, seq, reason, file=None):
        super().__init__(reason)
        self.line, self.seq, self.reason, self.file = line, seq, reason, file

    def __str__(self):
        where = [self.file] if self.file else []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.seq is not None:
            where.append(f"(entry {self.seq})" if self.line is not None else f"entry {self.seq}")
        return " ".join(where) + ": " + self.reason


# --- Sections 5, 6, 9, 15: one entry ------------------------------------------------------------

def lp(data):
    """Length-prefixed field: u32 big-endian length, then the bytes (section 5)."""
    return struct.pack(">I", len(data)) + data


def entry_hash(seq, kind, recorded_at, payload_hash, prev_hash):
    """SHA-256 of the section 5 encoding."""
    return hashlib.sha256(
        lp(TAG) + struct.pack(">HQ", ENCODING_VERSION, seq)
        + lp(kind.encode("utf-8")) + lp(recorded_at.encode("ascii"))
        + payload_hash + prev_hash
    ).digest()


def canonical_time(text):
    """Sections 6 and 19: YYYY-MM-DDTHH:MM:SS.ffffffZ, a real date and time, years 0001-9999, no :60."""
    m = TIME.fullmatch(text)
    if not m or m.group(1) == "0000" or m.group(2) == "60":
        return False
    try:
        datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return False
    return True


def is_uint(value, limit=U64):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < limit


def distinct_keys(pairs):
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError(f"repeated key in {[k for k, _ in pairs]}")
    return obj


def load_json(text):
    """json.loads, refusing repeated keys; objects keep their keys in document order."""
    return json.loads(text, object_pairs_hook=distinct_keys)


def read_hash(obj, name, line, seq):
    value = obj.get(name)
    if not isinstance(value, str) or not HEX64.fullmatch(value):
        raise Bad(line, seq, f"{name} is not 64 lowercase hex digits")
    return bytes.fromhex(value)


def parse(line_no, text):
    """One ledger.jsonl line (section 15) into (seq, kind, recorded_at, payload, hashes...)
    and whether its keys are in the documented order. The caller reports a wrong order only
    once the entry otherwise verifies, so an edited line that was re-serialised with sorted
    keys is still named by what changed (as `evidentia pack verify` does)."""
    try:
        obj = load_json(text)
    except ValueError as e:
        raise Bad(line_no, None, f"not JSON: {e}")
    return fields_of(line_no, obj), tuple(obj) == FIELDS


def out_of_order(line_no, seq, file=None):
    return Bad(line_no, seq, f"keys out of order, expected {', '.join(FIELDS)}", file)


def fields_of(line_no, obj, withheld=False):
    """A ledger.jsonl object: exactly the eight keys (any order here), typed. With `withheld`
    (a sample proof's entry whose payload is not disclosed), the payload is null and only
    payload_sha256 is used; the payload in the fields is then None."""
    if not isinstance(obj, dict):
        raise Bad(line_no, None, "not a JSON object")
    seq = obj.get("seq")
    if not is_uint(seq):
        raise Bad(line_no, None, "seq is not an unsigned 64-bit integer")
    if set(obj) != set(FIELDS):
        missing = [f for f in FIELDS if f not in obj]
        extra = [k for k in obj if k not in FIELDS]
        raise Bad(line_no, seq, f"keys: missing {missing}, unexpected {extra}")
    kind, recorded_at = obj["kind"], obj["recorded_at"]
    if not isinstance(kind, str) or not isinstance(recorded_at, str):
        raise Bad(line_no, seq, "kind and recorded_at must be strings")
    encoding, payload = obj["payload_encoding"], obj["payload"]
    if withheld:
        if payload is not None:
            raise Bad(line_no, seq, "payload_withheld beside a payload that is not null")
        return (seq, kind, recorded_at, None,
                read_hash(obj, "payload_sha256", line_no, seq),
                read_hash(obj, "prev_hash", line_no, seq),
                read_hash(obj, "entry_hash", line_no, seq))
    if not isinstance(payload, str):
        raise Bad(line_no, seq, "payload is not a string")
    try:
        kind.encode("utf-8")
        if encoding == "utf-8":
            payload = payload.encode("utf-8")
        elif encoding == "hex" and HEX.fullmatch(payload):
            payload = bytes.fromhex(payload)
        elif encoding == "hex":
            raise Bad(line_no, seq, "payload is not lowercase hex")
        else:
            raise Bad(line_no, seq, f"unknown payload_encoding {encoding!r}")
    except UnicodeEncodeError:
        raise Bad(line_no, seq, "kind or payload is not Unicode text (a lone surrogate)")
    return (seq, kind, recorded_at, payload,
            read_hash(obj, "payload_sha256", line_no, seq),
            read_hash(obj, "prev_hash", line_no, seq),
            read_hash(obj, "entry_hash", line_no, seq))


def check_entry(line_no, fields):
    """Section 12 step 1, items 3-6: what one entry shows on its own."""
    seq, kind, t, payload, ph, prev, eh = fields
    if not kind:
        raise Bad(line_no, seq, "malformed entry: empty kind")
    if not canonical_time(t):
        raise Bad(line_no, seq, f"malformed entry: recorded time {t!r} is not canonical")
    computed = hashlib.sha256(payload).digest() if payload is not None else ph  # withheld: its hash stands
    if computed != ph:
        raise Bad(line_no, seq, f"payload hash mismatch: stored {ph.hex()}, payload bytes hash to {computed.hex()}")
    computed = entry_hash(seq, kind, t, ph, prev)
    if computed != eh:
        for s in range(max(1, seq - REORDER_WINDOW), seq + REORDER_WINDOW + 1):
            if s != seq and s < U64 and entry_hash(s, kind, t, ph, prev) == eh:
                raise Bad(line_no, seq, f"reordered: this entry was recorded at position {s}")
        raise Bad(line_no, seq, f"entry hash mismatch: stored {eh.hex()}, fields hash to {computed.hex()}")


def artifact_address(line_no, seq, payload):
    """Sections 9 and 19: an artifact.stored payload is exactly {"sha256": 64 hex, "size": uint}."""
    try:
        obj = load_json(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        obj = None
    if not (isinstance(obj, dict) and sorted(obj) == ["sha256", "size"]
            and isinstance(obj["sha256"], str) and HEX64.fullmatch(obj["sha256"])
            and is_uint(obj["size"])):
        raise Bad(line_no, seq, 'malformed entry: artifact entry payload is not exactly '
                                '{"sha256": 64 lowercase hex digits, "size": unsigned integer}')
    return obj["sha256"]


# --- Section 16: the Merkle tree (RFC 9162 section 2.1) ----------------------------------------

def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


class Tree:
    """MTH over leaves added one by one, keeping only the roots of the perfect subtrees
    (one per set bit of the size, largest first): O(log n) memory."""

    def __init__(self):
        self.size, self.stack = 0, []

    def add(self, data):
        h, n = leaf_hash(data), self.size
        while n & 1:
            h, n = node_hash(self.stack.pop(), h), n >> 1
        self.stack.append(h)
        self.size += 1

    def root(self):
        if not self.stack:
            return EMPTY_ROOT
        r = self.stack[-1]
        for h in reversed(self.stack[:-1]):
            r = node_hash(h, r)
        return r


def inclusion_root(index, size, leaf, path):
    """RFC 9162 section 2.1.3.2 steps 1-4: the root `path` leads to; Failure if it is no proof."""
    if index >= size:
        raise Failure(f"leaf index {index} is not below the tree size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise Failure(f"the inclusion proof of leaf {index} in {size} has too many hashes ({len(path)})")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise Failure(f"the inclusion proof of leaf {index} in {size} has too few hashes ({len(path)})")
    return r


def check_consistency(old, new, old_root, new_root, path):
    """RFC 9162 section 2.1.4.2; sizes 0 and old = new, which have no proof hashes, by definition."""
    if old > new:
        raise Failure(f"the old size {old} is larger than the new size {new}")
    if old == 0 or old == new:
        if path:
            raise Failure(f"a proof from size {old} to {new} has no hashes, this one has {len(path)}")
        if old == 0 and old_root != EMPTY_ROOT:
            raise Failure(f"the root at size 0 is {EMPTY_ROOT.hex()}, not {old_root.hex()}")
        if old == new and old_root != new_root:
            raise Failure(f"two different roots at size {old}: {old_root.hex()} and {new_root.hex()}")
        return
    if not path:
        raise Failure(f"the consistency proof from {old} to {new} is empty")
    if old & (old - 1) == 0:
        path = [old_root] + path
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise Failure(f"the consistency proof from {old} to {new} has too many hashes")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise Failure(f"the consistency proof from {old} to {new} has too few hashes")
    if fr != old_root:
        raise Failure(f"the proof leads to old root {fr.hex()}, not {old_root.hex()}")
    if sr != new_root:
        raise Failure(f"the proof leads to new root {sr.hex()}, not {new_root.hex()}")


# --- Section 12 step 1 and section 16 over a whole ledger.jsonl ---------------------------------

def verify(lines, want=(), earlier=None, earlier_name=None):
    """Section 12, step 1, over ledger.jsonl lines, with the tree beside it.
    want: sizes whose (head, root) to keep; earlier: entry hashes this ledger must start with.
    Returns (count, head, root, {size: (head, root)}); raises Bad."""
    count, head, tree, committed = 0, ZERO, Tree(), {}
    at = {0: (ZERO, EMPTY_ROOT)}
    for line_no, raw in enumerate(lines, start=1):
        if not raw.endswith(b"\n"):
            raise Bad(line_no, None, "the last line does not end with a newline")
        try:
            text = raw[:-1].decode("utf-8")
        except UnicodeDecodeError:
            raise Bad(line_no, None, "not UTF-8")
        fields, in_order = parse(line_no, text)
        seq, kind, payload, prev, eh = fields[0], fields[1], fields[3], fields[5], fields[6]
        if seq != count + 1:
            raise Bad(line_no, seq, f"gap: expected entry {count + 1}, found {seq}")
        check_entry(line_no, fields)
        if prev != head:
            raise Bad(line_no, seq, f"broken link: previous entry hash is {head.hex()}, entry names {prev.hex()}")
        if not in_order:
            raise out_of_order(line_no, seq)
        if kind == "artifact.stored":
            address = artifact_address(line_no, seq, payload)
            if address in committed:
                raise Bad(line_no, seq, f"malformed entry: artifact already committed by entry {committed[address]}")
            committed[address] = seq
        if earlier is not None:
            theirs = next(earlier, None)
            if theirs is not None and theirs != eh:
                raise Bad(line_no, seq, f"differs from {earlier_name}: entry hash {eh.hex()} here, {theirs.hex()} there")
        count, head = seq, eh
        tree.add(eh)
        if count in want:
            at[count] = (head, tree.root())
    root = tree.root()
    at[count] = (head, root)
    return count, head, root, at


def verify_file(path, want=(), earlier=None, earlier_name=None):
    try:
        with open(path, "rb") as f:
            return verify(f, want, earlier, earlier_name)
    except OSError as e:
        raise Unusable(f"{path}: {e}")
    except Bad as bad:
        bad.file = path
        raise


def entry_hashes(path):
    """The entry hashes of an already verified ledger.jsonl, read again one line at a time."""
    with open(path, "rb") as f:
        for line_no, raw in enumerate(f, start=1):
            yield parse(line_no, raw[:-1].decode("utf-8"))[0][6]


# --- Section 17: signed checkpoints --------------------------------------------------------------

def b64_hash(text, what):
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 32 or base64.b64encode(raw).decode() != text:
        raise Failure(f"{what} is not the base64 of 32 bytes: {text!r}")
    return raw


class SignedNote:
    """A C2SP signed note (section 17): a text of exactly `count` lines, each ending in a newline,
    then an empty line and the signature lines (which may be absent). `origin_line` is the line
    naming the origin, which is also the name of the key that signs it."""

    def __init__(self, data, source, count, what, origin_line):
        self.source = source
        try:
            s = data.decode("utf-8")
        except UnicodeDecodeError:
            raise Failure(f"{source}: not UTF-8")
        if any(c < " " and c != "\n" for c in s):
            raise Failure(f"{source}: a control character other than newline")
        cut = s.rfind("\n\n")  # the text ends at the last empty line (signed-note)
        text, sigs = (s[:cut + 1], s[cut + 2:]) if cut >= 0 else (s, "")
        lines = text.split("\n")
        if len(lines) != count + 1 or lines[count] != "":
            raise Failure(f"{source}: the {what} is not {NUMBERS[count]} lines each ending in a newline")
        self.text, self.lines = text.encode("utf-8"), lines[:count]
        self.origin = lines[origin_line]
        if not self.origin:
            raise Failure(f"{source}: no origin")
        self.signatures = []  # (key name, key id, signature)
        if sigs and not sigs.endswith("\n"):
            raise Failure(f"{source}: the last signature line does not end with a newline")
        for line in sigs.split("\n")[:-1]:
            m = re.fullmatch(r"\u2014 ([^\s+]+) ([A-Za-z0-9+/]+=*)", line)
            try:
                blob = base64.b64decode(m.group(2), validate=True) if m else b""
            except ValueError:
                blob = b""
            if len(blob) < 5:
                raise Failure(f"{source}: not a signature line: {line!r}")
            self.signatures.append((m.group(1), blob[:4], blob[4:]))


NUMBERS = {3: "three", 5: "five"}


def read_size(text, source):
    if not DECIMAL.fullmatch(text):
        raise Failure(f"{source}: the size {text!r} is not a decimal number")
    return int(text)


class Note(SignedNote):
    """A signed checkpoint (section 17): origin, size, root; signatures may be absent."""

    def __init__(self, data, source):
        super().__init__(data, source, 3, "checkpoint", 0)
        self.size = read_size(self.lines[1], source)
        self.root = b64_hash(self.lines[2], f"{source}: the root")


class ManifestNote(SignedNote):
    """manifest.note (docs/evidence-pack.md): `evidentia-pack/1`, the origin, and the SHA-256 of
    manifest.json in lowercase hex, signed by the workspace key. It always carries a signature."""

    def __init__(self, data, source):
        super().__init__(data, source, 3, "signed manifest text", 1)
        if self.lines[0] != PACK_NOTE:
            raise Failure(f"{source}: the first line is {self.lines[0]!r}, not {PACK_NOTE}")
        if not HEX64.fullmatch(self.lines[2]):
            raise Failure(f"{source}: the third line is not a SHA-256 in 64 lowercase hex digits")
        self.digest = self.lines[2]
        if not self.signatures:
            raise Failure(f"{source}: no signature line: it is not a signed note")


class FindingNote(SignedNote):
    """A finding proof's finding_note (section 18): `evidentia-finding/1`, the origin, the tree size,
    the tree root in base64 and the SHA-256 of the finding's canonical JSON in lowercase hex. A
    sample proof's item_note is the same with `evidentia-sample-item/1` and the item's JSON."""

    def __init__(self, data, source, tag=FINDING_NOTE):
        super().__init__(data, source, 5, "finding note text" if tag == FINDING_NOTE else "item note text", 1)
        if self.lines[0] != tag:
            raise Failure(f"{source}: the first line is {self.lines[0]!r}, not {tag}")
        self.size = read_size(self.lines[2], source)
        self.root = b64_hash(self.lines[3], f"{source}: the root")
        if not HEX64.fullmatch(self.lines[4]):
            raise Failure(f"{source}: the fifth line is not a SHA-256 in 64 lowercase hex digits")
        self.digest = self.lines[4]
        if not self.signatures:
            raise Failure(f"{source}: no signature line: it is not a signed note")


def read_key(path):
    """An Ed25519 public key in SPKI PEM (`openssl pkey -pubout`): (path, raw 32-byte key)."""
    try:
        text = Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as e:
        raise Unusable(f"{path}: {e}")
    m = re.search(r"-----BEGIN PUBLIC KEY-----(.*?)-----END PUBLIC KEY-----", text, re.S)
    try:
        der = base64.b64decode("".join(m.group(1).split()), validate=True) if m else b""
    except ValueError:
        der = b""
    if len(der) != 44 or not der.startswith(ED25519_SPKI):
        raise Unusable(f"{path}: not an Ed25519 public key in SPKI PEM (-----BEGIN PUBLIC KEY-----)")
    if shutil.which("openssl") is None:
        raise Unusable("openssl is not installed: --key needs it to check Ed25519 signatures "
                       "(install OpenSSL 3.0 or later, or leave out --key)")
    return path, der[-32:]


def key_id(name, raw):
    return hashlib.sha256(name.encode("utf-8") + b"\n\x01" + raw).digest()[:4]


def check_signature(note, key):
    """Section 17: the note must carry a signature by the trusted key (name = origin, key id),
    and every such signature must verify. Returns a sentence saying what was checked."""
    if key is None:
        if not note.signatures:
            return "unsigned: it shows a root, not who vouched for it"
        return "signature NOT checked (no --key): trust its root only as far as the file it came in"
    path, raw = key
    kid = key_id(note.origin, raw)
    sigs = [sig for name, k, sig in note.signatures if name == note.origin and k == kid]
    if not sigs:
        raise Failure(f"{note.source}: no signature by {note.origin} with key id {kid.hex()} "
                      f"({path}); it has {len(note.signatures)} signature line(s) by other keys")
    for sig in sigs:
        if len(sig) != 64:
            raise Failure(f"{note.source}: the signature by {note.origin} is {len(sig)} bytes, not 64")
        with tempfile.TemporaryDirectory() as d:
            text, sigfile = Path(d, "checkpoint.txt"), Path(d, "checkpoint.sig")
            text.write_bytes(note.text)
            sigfile.write_bytes(sig)
            run = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", path, "-rawin",
                                  "-in", str(text), "-sigfile", str(sigfile)], capture_output=True)
        if run.returncode != 0 and b"Verification Failure" in run.stdout + run.stderr:
            raise Failure(f"{note.source}: the signature by {note.origin} (key id {kid.hex()}) "
                          f"does not verify with {path}")
        if run.returncode != 0:
            raise Unusable(f"openssl could not check the signature: {run.stderr.decode(errors='replace').strip()}")
    return f"signature by {note.origin} (key id {kid.hex()}) verified with {path}"


# --- Section 18: proofs ---------------------------------------------------------------------------

class Proof:
    def __init__(self, summary, roots, notes, finding_signed=None, thing="finding"):
        self.summary, self.roots, self.notes = summary, roots, notes  # roots: [(size, root)]
        self.finding_signed = finding_signed  # finding proofs: whether a finding_note binds the finding
        self.thing = thing  # what the note binds: a finding, or a sample proof's item


def canonical_sha256(value, source):
    """Section 7: SHA-256 of the canonical JSON of a parsed value, in lowercase hex."""
    try:
        data = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise Failure(f"{source}: the finding holds text that is not Unicode (a lone surrogate)")
    return hashlib.sha256(data).hexdigest()


def finding_note(source, obj, finding, checkpoint, size, root, thing="finding", tag=FINDING_NOTE):
    """Section 18: finding_note binds the finding's own words to the tree the checkpoint names
    (a sample proof's item_note, its item's: `thing` "item"). Returns the parsed note, or None
    when it is null (nothing binds the finding's fields)."""
    field = f"{thing}_note"
    text = obj.get(field)
    if text is None:
        if checkpoint.signatures:
            raise Failure(f"{source}: the checkpoint is signed but {field} is null: a signed pack signs "
                          f"every {thing}, so this one's note was removed and nothing binds its words")
        return None
    if not isinstance(text, str):
        raise Failure(f"{source}: {field} is neither a signed note (text) nor null")
    note = FindingNote(text.encode("utf-8"), f"{source} {field}", tag)
    digest = canonical_sha256(finding, source)
    sha = f"{thing} SHA-256"
    for what, theirs, ours in (("origin", note.origin, checkpoint.origin), ("tree size", note.size, size),
                               ("tree root", note.root.hex(), root.hex()), (sha, note.digest, digest)):
        if theirs != ours:
            hint = f" (the {thing}'s fields were changed after it was signed)" if what == sha else ""
            raise Failure(f"{source}: {field} names {what} {theirs}, the proof's "
                          f"{f'{thing} hashes to' if what == sha else 'is'} {ours}{hint}")
    return note


def included(source, fields, path, size, root):
    """A proof's entry: recomputes on its own (sections 4, 5, 9) and its path leads to `root`."""
    seq, kind, payload, prev, eh = fields[0], fields[1], fields[3], fields[5], fields[6]
    try:
        if seq == 0:
            raise Bad(None, seq, "gap: entry 0 is outside the chain (seq starts at 1)")
        check_entry(None, fields)
        if seq == 1 and prev != ZERO:
            raise Bad(None, seq, f"broken link: entry 1 names previous entry hash {prev.hex()}, not zero")
        if kind == "artifact.stored" and payload is not None:
            artifact_address(None, seq, payload)
    except Bad as bad:
        bad.file = source
        raise
    try:
        computed = inclusion_root(seq - 1, size, leaf_hash(eh), path)
    except Failure as e:
        raise Failure(f"{source}: entry {seq}: {e}")
    if computed != root:
        raise Failure(f"{source}: entry {seq}'s inclusion proof leads to root {computed.hex()}, "
                      f"the checkpoint names {root.hex()}")


def finding_proof(source, obj, sample=False):
    """A finding proof, or with `sample` a sample item proof: the same checks, its item (its own
    entry and its attributes' evidence) in place of the finding, and payloads that may be withheld."""
    def need(ok, what):
        if not ok:
            raise Failure(f"{source}: {what}")
    size, root_hex, cp = obj.get("tree_size"), obj.get("tree_root"), obj.get("checkpoint")
    need(is_uint(size), "tree_size is not an unsigned integer")
    need(isinstance(root_hex, str) and HEX64.fullmatch(root_hex), "tree_root is not 64 lowercase hex digits")
    need(isinstance(cp, str), "checkpoint is not text")
    root, note = bytes.fromhex(root_hex), Note(cp.encode("utf-8"), f"{source} checkpoint")
    need((note.size, note.root) == (size, root), f"the checkpoint names size {note.size} and root "
         f"{note.root.hex()}, the proof tree_size {size} and tree_root {root_hex}")
    finding, entries = obj.get("item" if sample else "finding"), obj.get("entries")
    if sample:
        evidence = sample_item_entries(finding)
        need(evidence is not None, "item has no entry, or an attribute without its evidence list")
    else:
        evidence = finding.get("evidence") if isinstance(finding, dict) else None
        need(isinstance(evidence, list) and all(is_uint(s) for s in evidence), "finding.evidence is not a list of entries")
    need(isinstance(entries, list), "entries is not a list")
    withheld_count = 0
    seen = {}
    for item in entries:
        need(isinstance(item, dict) and isinstance(item.get("inclusion"), list)
             and all(isinstance(h, str) and HEX64.fullmatch(h) for h in item["inclusion"]),
             "an item of entries is not {entry, inclusion: [64 hex digits, ...]}")
        withheld = sample and item.get("payload_withheld") is not None
        if sample:
            need(isinstance(item.get("payload_withheld", ""), (str, type(None))), "payload_withheld is not text")
            need(isinstance(item.get("raw_line"), (str, type(None))), "raw_line is neither text nor null")
            need(not (withheld and item.get("raw_line") is not None), "a raw line beside a withheld payload")
            withheld_count += withheld
        try:
            fields = fields_of(None, item.get("entry"), withheld)
        except Bad as bad:
            bad.file = source
            raise
        included(source, fields, [bytes.fromhex(h) for h in item["inclusion"]], size, root)
        if sample:
            set_rows(source, fields, item, sample_item_rows(finding))
        need(fields[0] not in seen, f"entry {fields[0]} is given twice")
        seen[fields[0]] = fields
    for seq, fields in seen.items():  # neighbours given together must link (section 12 step 1.7)
        if seq - 1 in seen and fields[5] != seen[seq - 1][6]:
            raise Bad(None, seq, f"broken link: entry {seq - 1} has hash {seen[seq - 1][6].hex()}, "
                                 f"entry {seq} names {fields[5].hex()}", source)
    thing = "item" if sample else "finding"
    need(sorted(evidence) == sorted(seen), f"the {thing} rests on entries {evidence}, the proof gives {sorted(seen)}")
    if sample:
        signed = finding_note(source, obj, finding, note, size, root, "item", SAMPLE_NOTE)
        what = f"{finding.get('number')} ({finding.get('kind')} {finding.get('identity')})"
        return Proof(f"sample item {what}: entries {sorted(seen)} recompute ({withheld_count} with their payload "
                     f"withheld: only its hash) and are in the tree of size {size}, root {root_hex}"
                     + (f"; its item_note names this item (SHA-256 {signed.digest})" if signed else ""),
                     [(size, root)], [note] + ([signed] if signed else []), signed is not None, "item")
    signed = finding_note(source, obj, finding, note, size, root)
    what = f"{finding.get('check')} {finding.get('identity')}".strip()
    return Proof(f"finding {what}: entries {sorted(seen)} recompute and are in the tree of size {size}, "
                 f"root {root_hex}" + (f"; its finding_note names this finding (SHA-256 {signed.digest})"
                                       if signed else ""),
                 [(size, root)], [note] + ([signed] if signed else []), signed is not None)


def sample_item_entries(item):
    """The entries a sampled item rests on, ascending: its own `entry` and its attributes' evidence."""
    if not isinstance(item, dict) or not is_uint(item.get("entry")) or not isinstance(item.get("attributes"), list):
        return None
    seqs = {item["entry"]}
    for attribute in item["attributes"]:
        evidence = attribute.get("evidence") if isinstance(attribute, dict) else None
        if not isinstance(evidence, list) or not all(is_uint(s) for s in evidence):
            return None
        seqs.update(evidence)
    return sorted(seqs)


def sample_item_rows(item):
    """The (entry, row) pairs a sampled item cites, ascending: its `row` beside its `entry` and its
    attributes' `evidence_rows` (row 0, a one-record entry, is never listed); None if malformed."""
    pairs = set()
    if "row" in item:
        if not is_uint(item["row"]):
            return None
        pairs.add((item["entry"], item["row"]))
    for attribute in item["attributes"]:
        for cited in attribute.get("evidence_rows", []) if isinstance(attribute, dict) else []:
            if not isinstance(cited, dict) or not is_uint(cited.get("entry")) or not is_uint(cited.get("row")):
                return None
            pairs.add((cited["entry"], cited["row"]))
    return sorted(p for p in pairs if p[1] > 0)


def set_rows(source, fields, item, cited):
    """A sample proof entry's `rows` (section 18): exactly the rows its item cites of it, each a
    record or record_withheld, and rows[row-1] of the payload when the payload is disclosed. A row
    beside a withheld payload cannot be recomputed to payload_sha256: only its shape is checked."""
    seq, payload = fields[0], fields[3]
    rows = item.get("rows")
    if rows is None:
        return  # a proof made before rows were disclosed
    def need(ok, what):
        if not ok:
            raise Failure(f"{source}: entry {seq}: {what}")
    need(cited is not None, "its item has a row or evidence_rows that is not a count")
    need(isinstance(rows, list) and all(isinstance(r, dict) and is_uint(r.get("row")) for r in rows),
         "rows is not a list of {row, artifact, location, record}")
    wanted = [r for s, r in cited if s == seq]
    need([r["row"] for r in rows] == wanted,
         f"discloses rows {[r['row'] for r in rows]}, the item cites rows {wanted} of it")
    whole = None
    if payload is not None:
        try:
            whole = json.loads(payload)
        except ValueError:
            need(False, "payload with rows is not JSON")
    for r in rows:
        n, record, why = r["row"], r.get("record"), r.get("record_withheld")
        need(set(r) <= {"row", "artifact", "location", "record", "raw_line", "record_withheld"},
             f"row {n}: unexpected keys")
        need((isinstance(record, dict) and why is None)
             or (record is None and isinstance(why, str) and r.get("raw_line") is None),
             f"row {n}: neither a record nor record_withheld without a raw line")
        if whole is not None:
            stored = whole.get("rows", [])[n - 1] if isinstance(whole.get("rows"), list) and 0 < n <= len(whole["rows"]) else None
            need(isinstance(stored, dict) and stored.get("location") == r.get("location")
                 and whole.get("artifact") == r.get("artifact")
                 and (record is None or stored.get("record") == record),
                 f"row {n}: differs from rows[{n - 1}] of the disclosed payload")


def tlog_proof(source, text):
    head, _, checkpoint = text.partition("\n\n")
    lines = head.split("\n")[1:]
    extra = None
    if lines and lines[0].startswith("extra "):
        try:
            extra = base64.b64decode(lines.pop(0)[6:], validate=True).decode("utf-8")
        except ValueError:
            raise Failure(f"{source}: the extra line is not base64 of UTF-8 text")
    if not lines or not lines[0].startswith("index ") or not DECIMAL.fullmatch(lines[0][6:]):
        raise Failure(f"{source}: no index line")
    index = int(lines.pop(0)[6:])
    path = [b64_hash(h, f"{source}: a proof hash") for h in lines]
    note = Note(checkpoint.encode("utf-8"), f"{source} checkpoint")
    if extra is None:
        raise Failure(f"{source}: no extra line, so it does not carry the entry it proves")
    try:
        fields, in_order = parse(None, extra)
    except Bad as bad:
        bad.file = source
        raise
    if fields[0] != index + 1:
        raise Failure(f"{source}: index {index} is not entry {fields[0]} - 1")
    included(source, fields, path, note.size, note.root)
    if not in_order:
        raise out_of_order(None, fields[0], source)
    return Proof(f"entry {fields[0]} ({fields[1]}) recomputes and is in the tree of size {note.size}, "
                 f"root {note.root.hex()}", [(note.size, note.root)], [note])


def consistency_proof(source, text):
    lines = text[:-1].split("\n") if text.endswith("\n") else []
    sizes = []
    for i, word in ((1, "old"), (2, "new")):
        parts = lines[i].split(" ") if len(lines) > i else []
        if len(parts) != 3 or parts[0] != word or not DECIMAL.fullmatch(parts[1]):
            raise Failure(f"{source}: line {i + 1} is not '{word} SIZE BASE64-ROOT'")
        sizes.append((int(parts[1]), b64_hash(parts[2], f"{source}: the {word} root")))
    (old, old_root), (new, new_root) = sizes
    try:
        check_consistency(old, new, old_root, new_root,
                          [b64_hash(h, "a proof hash") for h in lines[3:]])
    except Failure as e:
        raise Failure(f"{source}: {e}")
    return Proof(f"the tree of size {old} (root {old_root.hex()}) is a prefix of the tree of size {new} "
                 f"(root {new_root.hex()})", sizes, [])


def read_proof(path):
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise Unusable(f"{path}: {e}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unusable(f"{path}: not UTF-8 text, so not a proof")
    if text.startswith(TLOG_PROOF + "\n"):
        return tlog_proof(path, text)
    if text.startswith(CONSISTENCY_PROOF + "\n"):
        return consistency_proof(path, text)
    try:
        obj = load_json(text)
    except ValueError:
        obj = None
    if isinstance(obj, dict) and obj.get("format") == FINDING_PROOF:
        return finding_proof(path, obj)
    if isinstance(obj, dict) and obj.get("format") == SAMPLE_PROOF:
        return finding_proof(path, obj, sample=True)
    raise Unusable(f"{path}: not a {FINDING_PROOF} or {SAMPLE_PROOF} JSON, a {TLOG_PROOF} or a {CONSISTENCY_PROOF} proof")


# --- Cross-checks between files -------------------------------------------------------------------

class Facts:
    """Heads, tree roots and the origin the given files name. Two that differ: Failure."""

    def __init__(self):
        self.seen = {}  # (what, size) -> (value, files naming it)

    def add(self, source, what, value, size=None):
        if value is None:
            return
        theirs, sources = self.seen.setdefault((what, size), (value, []))
        if theirs != value:
            show = (lambda v: v) if what == "origin" else (lambda v: v.hex())
            at = "" if size is None else (f" of entry {size}" if what == "head" else f" at size {size}")
            raise Failure(f"{source} names {what}{at} {show(value)}, {sources[0]} has {show(theirs)}")
        sources.append(source)

    def agree(self, source, sizes):
        """The files other than `source` that name a head or root at one of these sizes."""
        names = {s for (what, n), (_, files) in self.seen.items() if n in sizes for s in files}
        names.discard(source)
        return (f"agrees with {', '.join(sorted(names))}" if names else
                "no other file given names a root at its size: compare it with a root you trust")


def read_manifest(path):
    """The checkpoint of an evidence pack's manifest.json (docs/evidence-pack.md)."""
    try:
        data = Path(path).read_bytes()
        m = load_json(data.decode("utf-8"))
        c = m["checkpoint"]
        count, head, root, origin = c["entry_count"], c["head_hash"], c.get("tree_root"), c.get("origin")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise Unusable(f"{path}: no checkpoint: {e}")
    if not (is_uint(count) and isinstance(head, str) and HEX64.fullmatch(head)
            and (root is None or isinstance(root, str) and HEX64.fullmatch(root))
            and (origin is None or isinstance(origin, str))):
        raise Unusable(f"{path}: the checkpoint is not {{entry_count, head_hash[, tree_root, origin]}} "
                       "with 64 lowercase hex digit hashes")
    ws = m.get("workspace_id")
    return dict(path=path, count=count, head=bytes.fromhex(head), origin=origin,
                root=bytes.fromhex(root) if root else None,
                ws_origin=f"evidentia/{ws}" if isinstance(ws, str) else None,
                sha256=hashlib.sha256(data).hexdigest(), files=m.get("files"))


UNLISTED = ("manifest.json", "manifest.note", "SHA256SUMS")  # the files `files` never lists


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_files(manifest):
    """docs/evidence-pack.md: `files` lists every file of the pack but manifest.json, manifest.note
    and SHA256SUMS, with its size and SHA-256. Each must be beside the manifest as listed: it is
    through this list that manifest.note's signature covers them (SHA256SUMS is not signed).
    Returns sentences; raises Failure naming the first file that is missing or differs."""
    path, files = manifest["path"], manifest["files"]
    if files is None:
        return [f"{path}: lists no files (no `files`): only its checkpoint was compared"]
    if not isinstance(files, list):
        raise Failure(f"{path}: `files` is not a list")
    top, listed = Path(path).parent, set()
    for item in files:
        name = item.get("path") if isinstance(item, dict) else None
        if not (isinstance(name, str) and name and is_uint(item.get("size"))
                and isinstance(item.get("sha256"), str) and HEX64.fullmatch(item["sha256"])):
            raise Failure(f"{path}: an item of `files` is not {{path, size, sha256: 64 lowercase hex digits}}: {item!r}")
        parts = name.split("/")
        if name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts) \
                or any(c < " " for c in name):
            raise Failure(f"{path}: lists {name!r}, which is not a relative path inside the pack")
        if name in listed:
            raise Failure(f"{path}: lists {name} twice")
        if name in UNLISTED:
            raise Failure(f"{path}: lists {name}, which the manifest never lists")
        listed.add(name)
        f = top.joinpath(*parts)
        if f.is_symlink() or (f.exists() and not f.is_file()):
            raise Failure(f"{f}: listed in {path}, but not a regular file (a link or a folder)")
        if not f.exists():
            raise Failure(f"{f}: listed in {path}, but missing")
        try:
            size, digest = f.stat().st_size, file_sha256(f)
        except OSError as e:
            raise Failure(f"{f}: listed in {path} but cannot be read: {e.strerror or e}")
        if (size, digest) != (item["size"], item["sha256"]):
            raise Bad(None, None, f"differs from {path}: {size} bytes with SHA-256 {digest} here, "
                                  f"{item['size']} bytes with SHA-256 {item['sha256']} listed", str(f))
    said = [f"{path}: the {len(listed)} files it lists are beside it with their sizes and SHA-256"]
    extra = []
    for folder, dirs, names in os.walk(top):
        dirs.sort()
        for n in sorted(names):
            rel = (Path(folder) / n).relative_to(top).as_posix()
            if rel not in listed and rel not in UNLISTED:
                extra.append(rel)
    if extra:
        shown = ", ".join(extra[:10]) + (f" and {len(extra) - 10} more" if len(extra) > 10 else "")
        said.append(f"{path}: does not list {shown}: nothing signed covers "
                    f"{'it' if len(extra) == 1 else 'them'} (not part of the pack)")
    return said


def run(args):
    if not args.ledger and not args.proof:
        raise Unusable("give a ledger.jsonl, or a proof with --proof FILE")
    if args.key and not (args.note or args.proof or args.manifest):
        raise Unusable("--key checks the signature of --note, of the manifest.note beside --manifest "
                       "or of the checkpoint in --proof; give one")
    if args.manifest_note and not args.manifest:
        raise Unusable("--manifest-note signs a manifest: give it with --manifest")
    key = read_key(args.key) if args.key else None
    manifest = read_manifest(args.manifest) if args.manifest else None
    manifest_note = None
    if manifest:
        where = Path(args.manifest_note or Path(args.manifest).parent / "manifest.note")
        if args.manifest_note or where.exists():
            try:
                manifest_note = (str(where), where.read_bytes())
            except OSError as e:
                raise Unusable(f"{where}: {e}")
    old_manifest = read_manifest(args.against_manifest) if args.against_manifest else None
    note = None
    if args.note:
        try:
            note = Note(Path(args.note).read_bytes(), args.note)
        except OSError as e:
            raise Unusable(f"{args.note}: {e}")
    proof = read_proof(args.proof) if args.proof else None
    want = {c["count"] for c in (manifest, old_manifest) if c}
    want |= {note.size} if note else set()
    want |= {size for size, _ in proof.roots} if proof else set()

    facts, said = Facts(), []
    ledgers = []
    old = None
    if args.against:
        old = verify_file(args.against, want)
        ledgers.append((args.against, old))
    if args.ledger:
        count, head, root, at = verify_file(args.ledger, want | ({old[0]} if old else set()),
                                            entry_hashes(args.against) if old else None, args.against)
        ledgers.insert(0, (args.ledger, (count, head, root, at)))
        said.append(f"intact: {count} entries, head {head.hex()}, tree root {root.hex()}"
                    + (f", matching {args.manifest}" if manifest else ""))
        if old and count < old[0]:
            raise Failure(f"{args.ledger} has {count} entries, the earlier {args.against} has {old[0]}: "
                          f"entries {count + 1} to {old[0]} are missing (truncated)")
        if old:
            said.append(f"extends {args.against}: its {old[0]} entries (head {old[1].hex()}) are the first {old[0]} here")
    elif old:
        said.append(f"{args.against}: intact, {old[0]} entries, head {old[1].hex()}, tree root {old[2].hex()}")
    for path, (count, head, root, at) in ledgers:
        for size, (h, r) in sorted(at.items()):
            facts.add(path, "head", h, size)
            facts.add(path, "root", r, size)

    mine = ledgers[0][1] if args.ledger else None
    if manifest and mine and (manifest["count"], manifest["head"]) != mine[:2]:
        raise Failure(f"{args.ledger} ends at entry {mine[0]} with head {mine[1].hex()}; {args.manifest} "
                      f"names entry {manifest['count']} with head {manifest['head'].hex()}")
    if old_manifest and old and (old_manifest["count"], old_manifest["head"]) != old[:2]:
        raise Failure(f"{args.against} ends at entry {old[0]} with head {old[1].hex()}; {args.against_manifest} "
                      f"names entry {old_manifest['count']} with head {old_manifest['head'].hex()}")
    if old_manifest and mine and old_manifest["count"] > mine[0]:
        raise Failure(f"{args.ledger} has {mine[0]} entries, the earlier {args.against_manifest} names "
                      f"{old_manifest['count']}: entries {mine[0] + 1} to {old_manifest['count']} are missing (truncated)")
    for cp in (manifest, old_manifest):
        if cp:
            facts.add(cp["path"], "head", cp["head"], cp["count"])
            facts.add(cp["path"], "root", cp["root"], cp["count"])
            facts.add(f"{cp['path']} (workspace_id)", "origin", cp["ws_origin"])
            facts.add(cp["path"], "origin", cp["origin"])
            if not cp["root"]:
                said.append(f"{cp['path']}: no tree_root (an older pack): the tree root was not compared")
    if old_manifest and (mine or old):
        said.append(f"{args.against_manifest}: its checkpoint (entry {old_manifest['count']}) is in {args.ledger or args.against}")

    notes = []
    if manifest and mine:
        said += check_files(manifest)
    if manifest:
        notes += signed_manifest(args, manifest, manifest_note, key, facts, said)
    if note:
        if mine and note.size != mine[0]:
            raise Failure(f"{args.note} names size {note.size}, {args.ledger} has {mine[0]} entries")
        facts.add(args.note, "root", note.root, note.size)
        facts.add(args.note, "origin", note.origin)
        notes.append((note, f"{args.note}: {note.origin}, size {note.size}, root {note.root.hex()}, "
                            f"{facts.agree(args.note, [note.size])}"))
    if proof:
        for n in proof.notes:
            facts.add(n.source, "origin", n.origin)
        for size, root in proof.roots:
            facts.add(args.proof, "root", root, size)
        said.append(f"{args.proof}: {proof.summary}; {facts.agree(args.proof, [n for n, _ in proof.roots])}")
        notes += [(n, n.source) for n in proof.notes]
        t = proof.thing
        if proof.finding_signed is False and key:
            raise Failure(f"{args.proof}: {t}_note is null: the {t}'s words are not signed — nothing "
                          f"{key[0]} signed binds its " + ("check, severity, identity or summary" if t == "finding"
                                                           else "identity, attributes or outcomes"))
        if proof.finding_signed is False:
            said.append(f"{args.proof}: {t}_note is null: nothing binds the {t}'s fields ("
                        + ("check, severity, identity, summary" if t == "finding" else "identity, attributes, outcomes")
                        + ") to a signer; only its entries are proved")
    for n, what in notes:
        said.append(f"{what}: {check_signature(n, key)}")
    return said


def signed_manifest(args, manifest, found, key, facts, said):
    """docs/evidence-pack.md: manifest.note signs manifest.json (and through `files` every file of the
    pack). Returns [(note, description)] for its signature to be checked with the others."""
    path = manifest["path"]
    if found is None:
        if args.note:
            raise Failure(f"{args.note} is given but there is no manifest.note beside {path}: a signed pack "
                          "has both (one key signs both), so it was removed, and nothing signed covers the "
                          "report, exports, proofs or artifacts (give it with --manifest-note if it lies elsewhere)")
        if key:
            raise Failure(f"there is no manifest.note beside {path}: the manifest is not signed, so {key[0]} "
                          "vouches for none of the pack's files (give it with --manifest-note if it lies elsewhere)")
        said.append(f"{path}: not signed (no manifest.note beside it): its signature was not checked, so "
                    "nothing signed covers the files it lists")
        return []
    source, data = found
    note = ManifestNote(data, source)
    origin = manifest["origin"] or manifest["ws_origin"]
    if origin is None:
        raise Failure(f"{path}: names no origin (checkpoint.origin or workspace_id) for {source} to name")
    facts.add(source, "origin", note.origin)
    if note.origin != origin:
        raise Failure(f"{source} names origin {note.origin}, {path} has {origin}")
    if note.digest != manifest["sha256"]:
        raise Failure(f"{source} signs a manifest with SHA-256 {note.digest}, {path} hashes to "
                      f"{manifest['sha256']}: the manifest was changed after it was signed")
    if key is None:
        said.append(f"{source}: names {path} (SHA-256 {note.digest}), but the manifest's signature was NOT "
                    "checked (no --key): give the key you were given to know who signed it")
        return []
    return [(note, f"{source}: names {path} (SHA-256 {note.digest})")]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Verify an Evidentia ledger.jsonl export, its tree root, signed checkpoint and proofs.")
    parser.add_argument("ledger", nargs="?", help="the ledger.jsonl file (optional with --proof)")
    parser.add_argument("--manifest", help="an evidence pack's manifest.json: the chain must end at its checkpoint")
    parser.add_argument("--note", help="a signed checkpoint (checkpoint.note) for the ledger's last entry")
    parser.add_argument("--manifest-note", metavar="FILE",
                        help="the signed manifest (manifest.note); by default the one beside --manifest, if any")
    parser.add_argument("--key", help="the Ed25519 public key (SPKI PEM) you trust to have signed the checkpoints")
    parser.add_argument("--against", metavar="EARLIER_LEDGER", help="an earlier ledger.jsonl this one must extend")
    parser.add_argument("--against-manifest", metavar="EARLIER_MANIFEST",
                        help="an earlier manifest.json whose checkpoint this ledger must contain")
    parser.add_argument("--proof", help="a finding proof, an inclusion proof (tlog-proof) or a consistency proof")
    args = parser.parse_args(argv)
    try:
        said = run(args)
    except Unusable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Failure as e:
        print(f"{e.label}: {e}")
        return 1
    print("\n".join(said))
    return 0


if __name__ == "__main__":
    sys.exit(main())
