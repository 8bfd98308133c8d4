#!/usr/bin/env python3
"""Verify an Evidentia ledger export (ledger.jsonl) with nothing but Python 3's standard library.

Written from docs/ledger-format.md alone (sections 5, 6, 12 and 15), so an auditor can check an
evidence pack without trusting Evidentia's own code:

    python3 tools/verify_ledger.py ledger.jsonl
    python3 tools/verify_ledger.py ledger.jsonl --manifest manifest.json

Exit 0: every entry's payload hash, entry hash and link recompute, and (with --manifest) the
chain ends exactly at the manifest's checkpoint; the head is printed.
Exit 1: the first line that fails is named, with its entry number and the reason.
Exit 2: the command line or a file could not be used.
"""

import argparse
import hashlib
import json
import re
import struct
import sys
from datetime import datetime

ZERO = bytes(32)
TAG = b"evidentia/ledger-entry"
ENCODING_VERSION = 1
REORDER_WINDOW = 64
HEX64 = re.compile(r"[0-9a-f]{64}")
TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
FIELDS = ("seq", "kind", "recorded_at", "payload_encoding", "payload",
          "payload_sha256", "prev_hash", "entry_hash")


class Bad(Exception):
    """The first problem found: line number, entry number (if known) and why."""

    def __init__(self, line, seq, reason):
        super().__init__(reason)
        self.line, self.seq, self.reason = line, seq, reason

    def __str__(self):
        where = f"line {self.line}" + (f" (entry {self.seq})" if self.seq is not None else "")
        return f"{where}: {self.reason}"


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
    """Section 6: exactly YYYY-MM-DDTHH:MM:SS.ffffffZ, and a real date and time."""
    if not TIME.fullmatch(text):
        return False
    try:
        datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return False
    return True


def read_hash(obj, name, line, seq):
    value = obj.get(name)
    if not isinstance(value, str) or not HEX64.fullmatch(value):
        raise Bad(line, seq, f"{name} is not 64 lowercase hex digits")
    return bytes.fromhex(value)


def parse(line_no, text):
    """One ledger.jsonl line (section 15) into (seq, kind, recorded_at, payload, hashes...)."""
    try:
        obj = json.loads(text)
    except ValueError as e:
        raise Bad(line_no, None, f"not JSON: {e}")
    if not isinstance(obj, dict):
        raise Bad(line_no, None, "not a JSON object")
    missing = [f for f in FIELDS if f not in obj]
    extra = sorted(set(obj) - set(FIELDS))
    seq = obj.get("seq")
    if missing or extra:
        raise Bad(line_no, seq, f"fields: missing {missing}, unexpected {extra}")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise Bad(line_no, None, "seq is not an unsigned integer")
    kind, recorded_at = obj["kind"], obj["recorded_at"]
    if not isinstance(kind, str) or not isinstance(recorded_at, str):
        raise Bad(line_no, seq, "kind and recorded_at must be strings")
    encoding, payload = obj["payload_encoding"], obj["payload"]
    if not isinstance(payload, str):
        raise Bad(line_no, seq, "payload is not a string")
    if encoding == "utf-8":
        payload = payload.encode("utf-8")
    elif encoding == "hex":
        try:
            payload = bytes.fromhex(payload)
        except ValueError:
            raise Bad(line_no, seq, "payload is not hex")
    else:
        raise Bad(line_no, seq, f"unknown payload_encoding {encoding!r}")
    return (seq, kind, recorded_at, payload,
            read_hash(obj, "payload_sha256", line_no, seq),
            read_hash(obj, "prev_hash", line_no, seq),
            read_hash(obj, "entry_hash", line_no, seq))


def verify(lines):
    """Section 12, step 1, over ledger.jsonl lines. Returns (count, head); raises Bad."""
    count, head = 0, ZERO
    line_no = 0
    for line_no, raw in enumerate(lines, start=1):
        if not raw.endswith(b"\n"):
            raise Bad(line_no, None, "the last line does not end with a newline")
        try:
            text = raw[:-1].decode("utf-8")
        except UnicodeDecodeError:
            raise Bad(line_no, None, "not UTF-8")
        seq, kind, t, payload, ph, prev, eh = parse(line_no, text)
        n = count + 1
        if seq != n:
            raise Bad(line_no, seq, f"gap: expected entry {n}, found {seq}")
        if not kind:
            raise Bad(line_no, seq, "malformed entry: empty kind")
        if not canonical_time(t):
            raise Bad(line_no, seq, f"malformed entry: recorded time {t!r} is not canonical")
        computed = hashlib.sha256(payload).digest()
        if computed != ph:
            raise Bad(line_no, seq, f"payload hash mismatch: stored {ph.hex()}, payload bytes hash to {computed.hex()}")
        computed = entry_hash(seq, kind, t, ph, prev)
        if computed != eh:
            for s in range(max(1, seq - REORDER_WINDOW), seq + REORDER_WINDOW + 1):
                if s != seq and entry_hash(s, kind, t, ph, prev) == eh:
                    raise Bad(line_no, seq, f"reordered: this entry was recorded at position {s}")
            raise Bad(line_no, seq, f"entry hash mismatch: stored {eh.hex()}, fields hash to {computed.hex()}")
        if prev != head:
            raise Bad(line_no, seq, f"broken link: previous entry hash is {head.hex()}, entry names {prev.hex()}")
        count, head = seq, eh
    return count, head


def main(argv=None):
    parser = argparse.ArgumentParser(description="Verify an Evidentia ledger.jsonl export.")
    parser.add_argument("ledger", help="the ledger.jsonl file")
    parser.add_argument("--manifest", help="an evidence pack's manifest.json: the chain must end at its checkpoint")
    args = parser.parse_args(argv)
    checkpoint = None
    if args.manifest:
        try:
            with open(args.manifest, "rb") as f:
                manifest = json.load(f)
            checkpoint = (manifest["checkpoint"]["entry_count"], manifest["checkpoint"]["head_hash"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"error: {args.manifest}: no checkpoint: {e}", file=sys.stderr)
            return 2
    try:
        with open(args.ledger, "rb") as f:
            count, head = verify(f)
    except OSError as e:
        print(f"error: {args.ledger}: {e}", file=sys.stderr)
        return 2
    except Bad as bad:
        print(f"ALTERED: {args.ledger} {bad}")
        return 1
    if checkpoint is not None and (count, head.hex()) != (checkpoint[0], checkpoint[1]):
        print(f"ALTERED: {args.ledger} ends at entry {count} with head {head.hex()}; "
              f"{args.manifest} names entry {checkpoint[0]} with head {checkpoint[1]}")
        return 1
    suffix = f", matching {args.manifest}" if checkpoint is not None else ""
    print(f"intact: {count} entries, head {head.hex()}{suffix}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
