#!/usr/bin/env python3
"""Tests for tools/verify_ledger.py (standard library only, no network):

    python3 tools/test_verify_ledger.py

The ledgers, trees, proofs and notes here are built from docs/ledger-format.md (sections 5, 15-18)
and RFC 9162 by the small helpers below, not by the verifier. Tests that sign need `openssl`
(OpenSSL 3.0 or later); without it they are skipped with a message.
"""

import base64
import contextlib
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import verify_ledger as v  # noqa: E402

ZERO = bytes(32)
FIELDS = ("seq", "kind", "recorded_at", "payload_encoding", "payload",
          "payload_sha256", "prev_hash", "entry_hash")
WS = "demo"
ORIGIN = f"evidentia/{WS}"


def sha(b):
    return hashlib.sha256(b).digest()


def b64(b):
    return base64.b64encode(b).decode()


# --- Entries and ledgers from section 5 and 15 -----------------------------------------------------

def entry_hash(seq, kind, t, payload_hash, prev):
    lp = lambda b: struct.pack(">I", len(b)) + b  # noqa: E731
    return sha(lp(b"evidentia/ledger-entry") + struct.pack(">HQ", 1, seq) + lp(kind.encode())
               + lp(t.encode()) + payload_hash + prev)


def make_entry(seq, kind, payload, prev, t=None):
    """One ledger.jsonl object (a dict in the section 15 key order)."""
    t = t or f"2026-01-01T00:00:{seq % 60:02d}.{seq:06d}Z"
    ph = sha(payload.encode())
    return dict(seq=seq, kind=kind, recorded_at=t, payload_encoding="utf-8", payload=payload,
                payload_sha256=ph.hex(), prev_hash=prev.hex(),
                entry_hash=entry_hash(seq, kind, t, ph, prev).hex())


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def make_ledger(n, variant="", diverge_at=1):
    """n entries: workspace.created, then artifact.stored and records in turn.
    A different `variant` changes the payloads from entry `diverge_at` on, not the shape."""
    entries, prev, same = [], ZERO, variant
    for seq in range(1, n + 1):
        variant = same if seq >= diverge_at else ""
        if seq == 1:
            kind, payload = "workspace.created", canonical({"format_version": 3, "workspace_id": WS})
        elif seq % 3 == 2:
            data = f"file {seq}{variant}".encode()
            kind, payload = "artifact.stored", canonical({"sha256": sha(data).hex(), "size": len(data)})
        else:
            kind, payload = "record.identity", canonical({"id": f"u{seq}{variant}", "name": "Zoë \"Q\" \\"})
        e = make_entry(seq, kind, payload, prev)
        entries.append(e)
        prev = bytes.fromhex(e["entry_hash"])
    return entries


def jsonl(entries, ascii=False):
    return b"".join(json.dumps(e, separators=(",", ":"), ensure_ascii=ascii).encode() + b"\n" for e in entries)


def hashes(entries):
    return [bytes.fromhex(e["entry_hash"]) for e in entries]


# --- RFC 9162 section 2.1, straight from its recursive definitions -----------------------------

def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(data):
    if not data:
        return sha(b"")
    if len(data) == 1:
        return sha(b"\x00" + data[0])
    k = split(len(data))
    return sha(b"\x01" + mth(data[:k]) + mth(data[k:]))


def inclusion_path(m, data):
    if len(data) <= 1:
        return []
    k = split(len(data))
    if m < k:
        return inclusion_path(m, data[:k]) + [mth(data[k:])]
    return inclusion_path(m - k, data[k:]) + [mth(data[:k])]


def consistency_path(m, data, complete=True):
    n = len(data)
    if m == 0:
        return []
    if m == n:
        return [] if complete else [mth(data)]
    k = split(n)
    if m <= k:
        return consistency_path(m, data[:k], complete) + [mth(data[k:])]
    return consistency_path(m - k, data[k:], False) + [mth(data[:k])]


RFC6962_LEAVES = [bytes.fromhex(h) for h in
                  ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                   "606162636465666768696a6b6c6d6e6f")]
RFC6962_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (0-based leaf index, tree size, path): the RFC 6962 reference inclusion proofs.
RFC6962_INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
# (old size, new size, proof): the RFC 6962 reference consistency proofs.
RFC6962_CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]


def flipped(h, bit=0):
    b = bytearray(h)
    b[bit // 8] ^= 1 << (bit % 8)
    return bytes(b)


def proves(index, size, leaf, path, root):
    """RFC 9162 section 2.1.3.2 as a yes or no: the path leads from the leaf to the root."""
    try:
        return v.inclusion_root(index, size, leaf, path) == root
    except v.Failure:
        return False


def passes(f, *args):
    try:
        f(*args)
        return True
    except v.Failure:
        return False


# --- Running the verifier ------------------------------------------------------------------------

def run(*argv):
    """verify_ledger.main in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = v.main([str(a) for a in argv])
        except SystemExit as e:  # argparse
            code = e.code
    return code, out.getvalue(), err.getvalue()


OPENSSL = shutil.which("openssl")


def openssl(*args):
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)


def ed25519_works():
    if not OPENSSL:
        return False
    with tempfile.TemporaryDirectory() as d:
        try:
            openssl("genpkey", "-algorithm", "ed25519", "-out", Path(d, "k.pem"))
            return True
        except subprocess.CalledProcessError:
            return False


CAN_SIGN = ed25519_works()
NO_SIGN = "openssl with Ed25519 (OpenSSL 3.0 or later) is not installed: signature tests skipped"
if not CAN_SIGN:
    print(f"NOTE: {NO_SIGN}", file=sys.stderr)


class Key:
    """An Ed25519 key pair made by openssl, and the signed notes (section 17) it makes."""

    def __init__(self, folder, name):
        self.private, self.public = Path(folder, f"{name}.pem"), Path(folder, f"{name}.pub.pem")
        openssl("genpkey", "-algorithm", "ed25519", "-out", self.private)
        openssl("pkey", "-in", self.private, "-pubout", "-out", self.public)
        der = base64.b64decode("".join(self.public.read_text().splitlines()[1:-1]))
        self.raw = der[-32:]

    def sign(self, text, name=ORIGIN):
        with tempfile.TemporaryDirectory() as d:
            t, s = Path(d, "t"), Path(d, "s")
            t.write_bytes(text)
            openssl("pkeyutl", "-sign", "-inkey", self.private, "-rawin", "-in", t, "-out", s)
            sig = s.read_bytes()
        kid = sha(name.encode() + b"\n\x01" + self.raw)[:4]
        return text + b"\n" + f"\u2014 {name} {b64(kid + sig)}\n".encode()


def checkpoint_text(size, root, origin=ORIGIN):
    return f"{origin}\n{size}\n{b64(root)}\n".encode()


def manifest_text(manifest_bytes, origin=ORIGIN):
    """docs/evidence-pack.md, manifest.note: three lines naming the manifest's SHA-256."""
    return f"evidentia-pack/1\n{origin}\n{sha(manifest_bytes).hex()}\n".encode()


def finding_text(finding, size, root, origin=ORIGIN):
    """Section 18, finding_note: five lines binding the finding's canonical JSON to the tree."""
    return f"evidentia-finding/1\n{origin}\n{size}\n{b64(root)}\n{sha(canonical(finding).encode()).hex()}\n".encode()


class Folder(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="verify-ledger-test-"))
        self.addCleanup(shutil.rmtree, self.dir)

    def write(self, name, data):
        p = self.dir / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data if isinstance(data, bytes) else data.encode())
        return p

    def manifest(self, entries, name="manifest.json", new_fields=True):
        cp = {"entry_count": len(entries), "head_hash": entries[-1]["entry_hash"] if entries else ZERO.hex()}
        if new_fields:
            cp.update(tree_root=mth(hashes(entries)).hex(), origin=ORIGIN)
        return self.write(name, json.dumps({"format": "evidentia-pack/1", "workspace_id": WS,
                                            "checkpoint": cp}, indent=2))

    def assertExit(self, want, result, *texts):
        code, out, err = result
        self.assertEqual(code, want, f"stdout: {out}\nstderr: {err}")
        for t in texts:
            self.assertIn(t, out + err)


# --- The tests -----------------------------------------------------------------------------------

class WorkedExample(unittest.TestCase):
    def test_section13_entry_hashes(self):
        e1 = make_entry(1, "workspace.created", '{"format_version":1,"workspace_id":"demo"}', ZERO,
                        "2026-01-01T00:00:00.000000Z")
        e2 = make_entry(2, "note", "{}", bytes.fromhex(e1["entry_hash"]), "2026-01-01T00:00:01.500000Z")
        self.assertEqual(e1["entry_hash"], "409bd3eeb467f887a12f48b8d1303f0beabe4500fc2f1b718d743640c82468b3")
        self.assertEqual(e2["entry_hash"], "dc4f1073d1e7cd109fe7ebbf1d95668d1251b636d02a699a5976860d0e88282a")
        count, head, root, _ = v.verify(io.BytesIO(jsonl([e1, e2])))
        self.assertEqual((count, head.hex()), (2, e2["entry_hash"]))
        self.assertEqual(root, mth(hashes([e1, e2])))


class Merkle(unittest.TestCase):
    def test_section16_vectors_sizes_1_2_8(self):
        for size, prefix, suffix in ((1, "6e340b9c", "a01d"), (2, "fac54203", "c125"), (8, "5dc9da79", "4328")):
            tree = v.Tree()
            for leaf in RFC6962_LEAVES[:size]:
                tree.add(leaf)
            self.assertTrue(tree.root().hex().startswith(prefix) and tree.root().hex().endswith(suffix))

    def test_rfc6962_roots_at_every_size(self):
        tree = v.Tree()
        self.assertEqual(tree.root().hex(), RFC6962_ROOTS[0])
        for size, leaf in enumerate(RFC6962_LEAVES, start=1):
            tree.add(leaf)
            self.assertEqual(tree.root().hex(), RFC6962_ROOTS[size], size)
            self.assertEqual(mth(RFC6962_LEAVES[:size]).hex(), RFC6962_ROOTS[size], size)

    def test_streamed_root_is_the_recursive_definition(self):
        data, tree = [bytes([i]) * 32 for i in range(70)], v.Tree()
        for n in range(71):
            self.assertEqual(tree.root(), mth(data[:n]), n)
            if n < 70:
                tree.add(data[n])

    def test_rfc6962_inclusion_vectors(self):
        for index, size, path in RFC6962_INCLUSION:
            path = [bytes.fromhex(h) for h in path]
            self.assertEqual(path, inclusion_path(index, RFC6962_LEAVES[:size]))
            got = v.inclusion_root(index, size, v.leaf_hash(RFC6962_LEAVES[index]), path)
            self.assertEqual(got.hex(), RFC6962_ROOTS[size])

    def test_inclusion_every_leaf_and_every_tampering(self):
        data = [bytes([i]) * 32 for i in range(21)]
        for size in range(1, 22):
            root = mth(data[:size])
            for index in range(size):
                leaf, path = v.leaf_hash(data[index]), inclusion_path(index, data[:size])
                self.assertEqual(v.inclusion_root(index, size, leaf, path), root)
                bad = [path + [root]] + ([path[:-1], path + path] if path else [])
                bad += [path[:i] + [flipped(p, 77)] + path[i + 1:] for i, p in enumerate(path)]
                for wrong in bad:
                    self.assertFalse(proves(index, size, leaf, wrong, root), (size, index, wrong))
                self.assertFalse(proves(index, size, flipped(leaf), path, root))
                if size > 1:  # the same path does not prove a neighbour
                    self.assertFalse(proves((index + 1) % size, size, leaf, path, root))
            self.assertFalse(proves(size, size, ZERO, [], root))

    def test_rfc6962_consistency_vectors(self):
        for old, new, proof in RFC6962_CONSISTENCY:
            proof = [bytes.fromhex(h) for h in proof]
            self.assertEqual(proof, consistency_path(old, RFC6962_LEAVES[:new]))
            v.check_consistency(old, new, bytes.fromhex(RFC6962_ROOTS[old]), bytes.fromhex(RFC6962_ROOTS[new]), proof)

    def test_consistency_every_pair_and_every_tampering(self):
        data = [bytes([i]) * 32 for i in range(21)]
        for new in range(0, 22):
            new_root = mth(data[:new])
            for old in range(0, new + 1):
                old_root, proof = mth(data[:old]), consistency_path(old, data[:new])
                v.check_consistency(old, new, old_root, new_root, proof)
                bad = [proof + [new_root]]
                if proof:
                    bad += [proof[:-1], proof[1:]] + [proof[:i] + [flipped(p, 200)] + proof[i + 1:]
                                                      for i, p in enumerate(proof)]
                for wrong in bad:
                    self.assertFalse(passes(v.check_consistency, old, new, old_root, new_root, wrong), (old, new))
                if old:  # the empty tree is a prefix of every tree, whatever its root
                    self.assertFalse(passes(v.check_consistency, old, new, old_root, flipped(new_root), proof))  # size 0's root is fixed, so a wrong one is refused there too
                    self.assertFalse(passes(v.check_consistency, old, new, flipped(old_root), new_root, proof))
                if old < new:
                    self.assertFalse(passes(v.check_consistency, new, old, new_root, old_root, proof))
        self.assertFalse(passes(v.check_consistency, 0, 3, flipped(sha(b"")), mth(data[:3]), []))


class Ledger(Folder):
    def setUp(self):
        super().setUp()
        self.entries = make_ledger(8)
        self.ledger = self.write("ledger.jsonl", jsonl(self.entries))

    def test_honest_ledger_and_manifest_pass(self):
        root = mth(hashes(self.entries)).hex()
        self.assertExit(0, run(self.ledger, "--manifest", self.manifest(self.entries)),
                        f"intact: 8 entries, head {self.entries[-1]['entry_hash']}, tree root {root}")

    def test_an_older_manifest_without_tree_root_passes(self):
        self.assertExit(0, run(self.ledger, "--manifest", self.manifest(self.entries, new_fields=False)),
                        "no tree_root")

    def test_empty_ledger(self):
        self.assertExit(0, run(self.write("empty.jsonl", b""), "--manifest", self.manifest([])),
                        f"intact: 0 entries, head {ZERO.hex()}, tree root {RFC6962_ROOTS[0]}")

    def test_manifest_tree_root_or_origin_that_differ_fail(self):
        m = json.loads(self.manifest(self.entries).read_text())
        m["checkpoint"]["tree_root"] = mth(hashes(self.entries[:7])).hex()
        self.assertExit(1, run(self.ledger, "--manifest", self.write("m1.json", json.dumps(m))), "root at size 8")
        m = json.loads(self.manifest(self.entries).read_text())
        m["checkpoint"]["origin"] = "evidentia/other"
        self.assertExit(1, run(self.ledger, "--manifest", self.write("m2.json", json.dumps(m))), "origin")

    def test_manifest_naming_more_or_fewer_entries_fails(self):
        self.assertExit(1, run(self.ledger, "--manifest", self.manifest(make_ledger(9))), "names entry 9")
        self.assertExit(1, run(self.ledger, "--manifest", self.manifest(self.entries[:7])), "names entry 7")

    def test_a_flipped_byte_anywhere_in_any_line_fails(self):
        data = jsonl(self.entries)
        manifest = str(self.manifest(self.entries))
        for at in range(len(data)):
            for mask in (0x01, 0x20):
                altered = bytearray(data)
                altered[at] ^= mask
                self.ledger.write_bytes(bytes(altered))
                code, out, err = run(self.ledger, "--manifest", manifest)
                self.assertEqual(code, 1, f"byte {at} ^ {mask:#x}: {out}{err}")
                self.assertTrue(out.startswith(f"ALTERED: {self.ledger} "), out)

    def altered(self, at, **change):
        entries = [dict(e) for e in self.entries]
        entries[at - 1].update(change)
        return self.write("altered.jsonl", jsonl(entries, ascii=True))  # \u escapes carry a lone surrogate

    def assertBad(self, path, line, why):
        self.assertExit(1, run(path), f"line {line} (entry {line}): ", why)

    def test_a_line_needs_exactly_the_eight_keys_in_order(self):
        e = self.entries[2]
        for obj in ({**e, "note": "x"}, {k: e[k] for k in FIELDS if k != "kind"},
                    {k: e[k] for k in reversed(FIELDS)}):
            lines = jsonl(self.entries).split(b"\n")
            lines[2] = json.dumps(obj, separators=(",", ":")).encode()
            self.assertBad(self.write("keys.jsonl", b"\n".join(lines)), 3, "keys")
        lines = jsonl(self.entries).split(b"\n")
        lines[2] = lines[2].replace(b'"kind":', b'"kind":"x","kind":')
        self.assertExit(1, run(self.write("repeat.jsonl", b"\n".join(lines))), "line 3", "repeated key")

    def test_an_edited_line_with_sorted_keys_is_named_by_what_changed(self):
        # tests/cli/pack.rs edits a payload through serde_json::Value, which sorts the keys
        lines = jsonl(self.entries).split(b"\n")
        edited = json.loads(lines[4])
        edited["payload"] = edited["payload"].replace('"', '"x', 2)
        lines[4] = json.dumps(edited, sort_keys=True, separators=(",", ":")).encode()
        self.assertBad(self.write("sorted.jsonl", b"\n".join(lines)), 5, "payload hash mismatch")

    def test_artifact_payload_has_exactly_sha256_and_size(self):
        for payload in ({"sha256": "ab" * 32, "size": 3, "name": "x"}, {"sha256": "ab" * 32},
                        {"sha256": "AB" * 32, "size": 3}, {"sha256": "ab" * 32, "size": -1},
                        {"sha256": "ab" * 32, "size": True}, ["ab" * 32, 3]):
            entries = make_ledger(2)
            entries[1] = make_entry(2, "artifact.stored", canonical(payload), bytes.fromhex(entries[0]["entry_hash"]))
            self.assertBad(self.write("artifact.jsonl", jsonl(entries)), 2, "artifact entry payload")

    def test_a_second_commitment_to_the_same_artifact_fails(self):
        entries = make_ledger(2)
        entries.append(make_entry(3, "artifact.stored", entries[1]["payload"], bytes.fromhex(entries[1]["entry_hash"])))
        self.assertBad(self.write("twice.jsonl", jsonl(entries)), 3, "artifact already committed by entry 2")

    def test_recorded_times_year_0000_second_60_and_other_spellings_fail(self):
        for t in ("0000-01-01T00:00:00.000000Z", "2026-06-30T23:59:60.000000Z", "2026-02-29T00:00:00.000000Z",
                  "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000000+00:00", "2026-01-01t00:00:00.000000Z"):
            entries = make_ledger(1)
            entries[0] = make_entry(1, "workspace.created", entries[0]["payload"], ZERO, t)
            self.assertBad(self.write("time.jsonl", jsonl(entries)), 1, "recorded time")

    def test_other_malformed_lines_fail_without_a_crash(self):
        cases = [(dict(kind="\ud800"), "surrogate"), (dict(payload_encoding="hex", payload="ABCD"), "lowercase hex"),
                 (dict(seq=True), "seq"), (dict(seq=0), "gap: expected entry 4, found 0"), (dict(kind=""), None),
                 (dict(payload_encoding="base64"), "payload_encoding")]
        for change, why in cases:
            path = self.altered(4, **change)
            self.assertExit(1, run(path), "line 4", *(why and [why] or []))
        self.assertExit(1, run(self.write("nl.jsonl", jsonl(self.entries)[:-1])), "line 8", "newline")

    def test_entry_hash_reordering_gap_and_broken_link_are_named(self):
        swapped = self.entries[:3] + [dict(self.entries[4], seq=4), dict(self.entries[3], seq=5)] + self.entries[5:]
        self.assertBad(self.write("swap.jsonl", jsonl(swapped)), 4, "reordered: this entry was recorded at position 5")
        self.assertExit(1, run(self.write("gap.jsonl", jsonl(self.entries[:3] + self.entries[4:]))),
                        "line 4 (entry 5): gap: expected entry 4, found 5")
        other = make_ledger(8, "other")
        self.assertBad(self.write("link.jsonl", jsonl(self.entries[:5] + other[5:])), 6, "broken link")

    def test_unreadable_or_unusable_files_exit_2(self):
        missing = self.dir / "missing"
        for argv in ([missing], [self.dir], [self.ledger, "--manifest", missing], [self.ledger, "--note", missing],
                     ["--proof", missing], [self.ledger, "--against", missing], [],
                     [self.ledger, "--manifest", self.write("bad.json", "{")],
                     ["--proof", self.write("notaproof", "hello\n")], [self.ledger, "--key", missing],
                     ["--proof", self.write("p", "x"), "--key", self.write("k.pem", "not a key")]):
            code, out, err = run(*argv)
            self.assertEqual(code, 2, f"{argv}: {out}{err}")
            self.assertTrue(err.strip(), argv)

    def test_missing_openssl_with_key_exits_2(self):
        pem = "-----BEGIN PUBLIC KEY-----\n" + b64(v.ED25519_SPKI + bytes(range(32))) + "\n-----END PUBLIC KEY-----\n"
        key, note = self.write("k.pem", pem), self.write("n.note", checkpoint_text(8, mth(hashes(self.entries))))
        env = dict(os.environ, PATH=str(self.dir / "nothing-here"))
        done = subprocess.run([sys.executable, HERE / "verify_ledger.py", self.ledger, "--note", note, "--key", key],
                              capture_output=True, text=True, env=env)
        self.assertEqual(done.returncode, 2, done)
        self.assertIn("openssl is not installed", done.stderr)


class Against(Folder):
    def setUp(self):
        super().setUp()
        self.entries = make_ledger(9)
        self.ledger = self.write("ledger.jsonl", jsonl(self.entries))

    def test_a_prefix_passes(self):
        earlier = self.write("old/ledger.jsonl", jsonl(self.entries[:5]))
        self.assertExit(0, run(self.ledger, "--against", earlier, "--against-manifest",
                               self.manifest(self.entries[:5], "old/manifest.json")), "extends", "first 5")
        self.assertExit(0, run(self.ledger, "--against", self.ledger), "first 9")

    def test_truncated_against_a_longer_earlier_ledger_fails(self):
        short = self.write("short.jsonl", jsonl(self.entries[:6]))
        self.assertExit(1, run(short, "--against", self.ledger), "entries 7 to 9 are missing")
        self.assertExit(1, run(short, "--against-manifest", self.manifest(self.entries)), "entries 7 to 9 are missing")

    def test_a_diverging_earlier_ledger_names_the_entry(self):
        other = make_ledger(7, "rewritten", diverge_at=4)
        earlier = self.write("old/ledger.jsonl", jsonl(other))
        self.assertExit(1, run(self.ledger, "--against", earlier), "line 4 (entry 4): differs from")
        m = self.manifest(other, "old/manifest.json")
        self.assertExit(1, run(self.ledger, "--against-manifest", m), "head of entry 7")

    def test_an_altered_earlier_ledger_is_itself_named(self):
        earlier = [dict(e) for e in self.entries[:5]]
        earlier[2]["payload"] = earlier[2]["payload"].replace("u3", "u4")
        path = self.write("old/ledger.jsonl", jsonl(earlier))
        self.assertExit(1, run(self.ledger, "--against", path), f"{path} line 3 (entry 3): payload hash mismatch")

    def test_an_earlier_manifest_must_match_the_earlier_ledger(self):
        earlier = self.write("old/ledger.jsonl", jsonl(self.entries[:5]))
        m = self.manifest(self.entries[:4], "old/manifest.json")
        self.assertExit(1, run(self.ledger, "--against", earlier, "--against-manifest", m), "names entry 4")


@unittest.skipUnless(CAN_SIGN, NO_SIGN)
class Signed(Folder):
    def setUp(self):
        super().setUp()
        self.key, self.other = Key(self.dir, "signing-key"), Key(self.dir, "other-key")
        self.entries = make_ledger(10)
        self.root = mth(hashes(self.entries))
        self.ledger = self.write("ledger.jsonl", jsonl(self.entries))
        self.man = self.manifest(self.entries)
        self.note = self.write("checkpoint.note", self.key.sign(checkpoint_text(10, self.root)))
        self.man_note = self.write("manifest.note", self.key.sign(manifest_text(self.man.read_bytes())))

    def check(self, note, key=None):
        return run(self.ledger, "--manifest", self.man, "--note", note, "--key", key or self.key.public)

    def test_an_honest_pack_passes(self):
        self.assertExit(0, self.check(self.note), f"tree root {self.root.hex()}", "verified with")

    def test_without_key_the_signature_is_said_not_checked(self):
        self.assertExit(0, run(self.ledger, "--manifest", self.man, "--note", self.note), "NOT checked")

    def test_a_wrong_key_fails(self):
        self.assertExit(1, self.check(self.note, self.other.public), "no signature by evidentia/demo")
        both = self.other.sign(checkpoint_text(10, self.root)) + self.note.read_bytes().split(b"\n\n")[1]
        self.assertExit(0, self.check(self.write("cosigned.note", both)), "verified with")

    def test_an_altered_note_fails(self):
        text = self.note.read_bytes()
        sig_at = text.rindex(b" ") + 20
        alterations = [
            text.replace(b"\n10\n", b"\n9\n"),                                   # size
            text.replace(b64(self.root).encode(), b64(flipped(self.root)).encode()),  # root
            text[:sig_at] + (b"A" if text[sig_at:sig_at + 1] != b"A" else b"B") + text[sig_at + 1:],  # signature
            self.key.sign(checkpoint_text(10, self.root, "evidentia/other"), "evidentia/other"),  # origin
            self.key.sign(checkpoint_text(10, self.root))[:-1],                  # no final newline
            checkpoint_text(10, self.root) + b"\n",                              # unsigned
        ]
        for i, data in enumerate(alterations):
            self.assertExit(1, self.check(self.write(f"altered{i}.note", data)))
        # a signature over other text, put under this text: only the signature check catches it
        forged = checkpoint_text(10, self.root) + b"\n" + self.key.sign(checkpoint_text(9, self.root)).split(b"\n\n")[1]
        self.assertExit(1, run(self.ledger, "--note", self.write("forged.note", forged), "--key", self.key.public),
                        "does not verify with")

    def test_a_note_for_another_size_fails(self):
        note = self.write("n9.note", self.key.sign(checkpoint_text(9, mth(hashes(self.entries[:9])))))
        self.assertExit(1, self.check(note), "names size 9")

    def test_the_manifest_note_beside_the_manifest_is_checked(self):
        self.assertExit(0, self.check(self.note), f"{self.man_note}: names {self.man}",
                        f"{self.man_note}: names {self.man} (SHA-256 {sha(self.man.read_bytes()).hex()}): signature by")
        # without --key: the text is checked, and the missing signature check is said plainly
        self.assertExit(0, run(self.ledger, "--manifest", self.man), "manifest's signature was NOT checked")
        self.assertExit(0, run(self.ledger, "--manifest", self.man, "--key", self.key.public), "verified with")

    def test_an_unsigned_manifest_is_said_unsigned(self):
        self.man_note.unlink()
        self.assertExit(0, run(self.ledger, "--manifest", self.man), "not signed (no manifest.note",
                        "signature was not checked")

    def test_a_changed_manifest_with_its_note_left_fails(self):
        m = json.loads(self.man.read_text())
        m["framework"] = "owasp-nhi-top-10"  # anything: the note signs the bytes
        self.man.write_text(json.dumps(m, indent=2))
        for argv in ([], ["--note", self.note, "--key", self.key.public]):
            self.assertExit(1, run(self.ledger, "--manifest", self.man, *argv),
                            f"{self.man_note} signs a manifest with SHA-256", "changed after it was signed")

    def test_a_missing_manifest_note_with_a_checkpoint_note_fails(self):
        self.man_note.unlink()
        self.assertExit(1, self.check(self.note), "no manifest.note beside", "a signed pack has both")
        self.assertExit(1, run(self.ledger, "--manifest", self.man, "--note", self.note), "no manifest.note beside")
        self.assertExit(1, run(self.ledger, "--manifest", self.man, "--key", self.key.public),
                        "the manifest is not signed")

    def test_a_manifest_note_resigned_by_another_key_fails_with_the_key(self):
        self.man_note.write_bytes(self.other.sign(manifest_text(self.man.read_bytes())))
        self.assertExit(1, self.check(self.note), f"{self.man_note}: no signature by evidentia/demo")
        self.assertExit(0, run(self.ledger, "--manifest", self.man, "--note", self.note), "NOT checked")

    def test_an_altered_manifest_note_fails(self):
        man = self.man.read_bytes()
        text = self.man_note.read_bytes()
        alterations = [
            self.key.sign(manifest_text(man, "evidentia/other"), "evidentia/other"),      # origin
            self.key.sign(b"evidentia-pack/2" + manifest_text(man)[16:]),                 # format line
            self.key.sign(manifest_text(man).upper()),                                    # not lowercase hex
            self.key.sign(manifest_text(man) + b"extra\n"),                               # four lines
            manifest_text(man) + b"\n",                                                   # unsigned
            text.replace(manifest_text(man), manifest_text(man + b" ")),                  # other text, same signature
        ]
        for i, data in enumerate(alterations):
            self.man_note.write_bytes(data)
            self.assertExit(1, self.check(self.note), str(self.man_note))
        self.man_note.write_bytes(alterations[-1])
        self.assertExit(1, self.check(self.note), "changed after it was signed")

    def test_manifest_note_can_be_named(self):
        elsewhere = self.write("kept/signed-manifest.note", self.man_note.read_bytes())
        self.man_note.unlink()
        self.assertExit(0, run(self.ledger, "--manifest", self.man, "--manifest-note", elsewhere, "--note", self.note,
                               "--key", self.key.public), f"{elsewhere}: names", "verified with")
        self.assertExit(2, run(self.ledger, "--manifest-note", elsewhere), "with --manifest")
        self.assertExit(2, run(self.ledger, "--manifest", self.man, "--manifest-note", self.dir / "nothing"))


@unittest.skipUnless(CAN_SIGN, NO_SIGN)
class Pack(Folder):
    """An extracted pack (docs/evidence-pack.md): manifest.json lists every file but itself,
    manifest.note and SHA256SUMS; manifest.note signs manifest.json, so it covers them all."""

    def setUp(self):
        super().setUp()
        self.key, self.other = Key(self.dir, "signing-key"), Key(self.dir, "other-key")
        self.pack = self.dir / "pack"
        self.entries = make_ledger(7)
        self.root = mth(hashes(self.entries))
        self.files = {"VERIFY.md": b"# Verifying\n", "report-nist-csf-2.0.pdf": b"%PDF-1.7 report\n",
                      "exports/findings.csv": b"check,severity\norphaned_account,high\n",
                      "ledger.jsonl": jsonl(self.entries),
                      "checkpoint.note": self.key.sign(checkpoint_text(7, self.root)),
                      "signing-key.pem": self.key.public.read_bytes()}
        for name, data in self.files.items():
            self.write(f"pack/{name}", data)
        self.seal()

    def seal(self, sign=True):
        """manifest.json listing the files as they now are, SHA256SUMS, and manifest.note."""
        files = [{"path": n, "size": len(d), "sha256": sha(d).hex()} for n, d in self.files.items()]
        m = {"format": "evidentia-pack/1", "workspace_id": WS, "framework": "nist-csf-2.0",
             "checkpoint": {"entry_count": 7, "head_hash": self.entries[-1]["entry_hash"],
                            "tree_root": self.root.hex(), "origin": ORIGIN}, "files": files}
        self.man = self.write("pack/manifest.json", json.dumps(m, indent=2))
        if sign:
            self.write("pack/manifest.note", self.key.sign(manifest_text(self.man.read_bytes())))
        sums = {n: sha((self.pack / n).read_bytes()).hex() for n in list(self.files) + ["manifest.json", "manifest.note"]
                if (self.pack / n).exists()}
        self.write("pack/SHA256SUMS", "".join(f"{h}  {n}\n" for n, h in sums.items()))

    def check(self, *extra):
        p = self.pack
        return run(p / "ledger.jsonl", "--manifest", p / "manifest.json", "--note", p / "checkpoint.note",
                   "--key", self.key.public, *extra)

    def test_an_honest_pack_passes(self):
        self.assertExit(0, self.check(), "the 6 files it lists are beside it", "manifest.note: names")
        self.assertNotIn("does not list", self.check()[1])

    def test_a_report_changed_with_sha256sums_rewritten_fails(self):
        self.write("pack/report-nist-csf-2.0.pdf", b"%PDF-1.7 a kinder report\n")
        sums = (self.pack / "SHA256SUMS").read_text().replace(
            sha(self.files["report-nist-csf-2.0.pdf"]).hex(), sha(b"%PDF-1.7 a kinder report\n").hex())
        self.write("pack/SHA256SUMS", sums)
        self.assertExit(1, self.check(), "report-nist-csf-2.0.pdf: differs from")
        self.assertExit(1, run(self.pack / "ledger.jsonl", "--manifest", self.man), "report-nist-csf-2.0.pdf: differs")

    def test_an_export_changed_with_manifest_and_sums_rewritten_fails(self):
        self.files["exports/findings.csv"] = b"check,severity\norphaned_account,low\n"
        self.write("pack/exports/findings.csv", self.files["exports/findings.csv"])
        self.seal(sign=False)  # the manifest re-made, its note left as it was
        self.assertExit(1, self.check(), "changed after it was signed")
        self.write("pack/manifest.note", self.other.sign(manifest_text(self.man.read_bytes())))  # re-signed
        self.assertExit(1, self.check(), "manifest.note: no signature by evidentia/demo")
        (self.pack / "manifest.note").unlink()  # removed
        self.assertExit(1, self.check(), "no manifest.note beside")

    def test_a_listed_file_missing_or_not_a_file_fails(self):
        (self.pack / "VERIFY.md").unlink()
        self.assertExit(1, self.check(), "VERIFY.md: listed in", "missing")
        (self.pack / "VERIFY.md").mkdir()
        self.assertExit(1, self.check(), "not a regular file")
        (self.pack / "VERIFY.md").rmdir()
        (self.pack / "VERIFY.md").symlink_to(self.dir / "signing-key.pem")
        self.assertExit(1, self.check(), "not a regular file")

    def test_an_unlisted_file_is_named_but_not_covered(self):
        self.write("pack/exports/extra.csv", b"x\n")
        self.assertExit(0, self.check(), "does not list exports/extra.csv: nothing signed covers it")

    def test_unsafe_listed_paths_fail(self):
        for bad in ("../signing-key.pem", "/etc/hostname", "exports//findings.csv", "manifest.note"):
            m = json.loads(self.man.read_text())
            m["files"][0]["path"] = bad
            self.man.write_text(json.dumps(m))
            self.write("pack/manifest.note", self.key.sign(manifest_text(self.man.read_bytes())))
            self.assertExit(1, self.check(), repr(bad) if bad != "manifest.note" else "never lists")


class Proofs(Folder):
    """Proofs made as section 18 describes: tlog-proof, finding proof and consistency proof."""

    def setUp(self):
        super().setUp()
        self.entries = make_ledger(11)
        self.leaves = hashes(self.entries)
        self.root = mth(self.leaves)
        self.ledger = self.write("ledger.jsonl", jsonl(self.entries))
        self.key = Key(self.dir, "signing-key") if CAN_SIGN else None
        self.cp = self.key.sign(checkpoint_text(11, self.root)) if CAN_SIGN else checkpoint_text(11, self.root) + b"\n"

    def tlog_proof(self, seq, entries=None, path=None, checkpoint=None):
        entries = entries or self.entries
        line = json.dumps(entries[seq - 1], separators=(",", ":"), ensure_ascii=False).encode()
        path = inclusion_path(seq - 1, self.leaves) if path is None else path
        return self.write(f"entry{seq}.tlog-proof", f"c2sp.org/tlog-proof@v1\nextra {b64(line)}\nindex {seq - 1}\n".encode()
                          + b"".join(b64(h).encode() + b"\n" for h in path) + b"\n" + (checkpoint or self.cp))

    def finding_proof(self, evidence, change=None, note="signed", checkpoint=None, edit=None):
        """note: "signed" (by self.key when openssl can sign, else null), None (null), "absent" (no key),
        or the note's bytes. edit: changes to the finding made after it was signed."""
        items = [{"entry": dict(self.entries[s - 1], **(change or {}).get(s, {})),
                  "inclusion": [h.hex() for h in inclusion_path(s - 1, self.leaves)]} for s in evidence]
        finding = {"check": "orphaned_account", "severity": "high", "identity": "u3",
                   "summary": "Zoë's \"account\" / <still> active\ttab", "controls": ["PR.AA-05"],
                   "evidence": evidence}
        if note == "signed":
            note = self.key.sign(finding_text(finding, 11, self.root)) if CAN_SIGN else None
        obj = {"format": "evidentia-finding-proof/1", "finding": dict(finding, **(edit or {}))}
        if note != "absent":
            obj["finding_note"] = note.decode() if isinstance(note, bytes) else note
        obj.update({"checkpoint": (checkpoint or self.cp).decode(), "tree_size": 11, "tree_root": self.root.hex(),
                    "entries": items})
        return self.write("proofs/findings/0001.json", json.dumps(obj, indent=2, ensure_ascii=False))

    def consistency_proof(self, old, new, proof=None):
        proof = consistency_path(old, self.leaves[:new]) if proof is None else proof
        text = (f"evidentia/consistency-proof@v1\nold {old} {b64(mth(self.leaves[:old]))}\n"
                f"new {new} {b64(mth(self.leaves[:new]))}\n" + "".join(b64(h) + "\n" for h in proof))
        return self.write(f"{old}-{new}.consistency", text)

    def key_args(self):
        return ["--key", self.key.public] if CAN_SIGN else []

    def test_an_inclusion_proof_of_every_entry_passes_alone_and_with_the_ledger(self):
        for seq in range(1, 12):
            proof = self.tlog_proof(seq)
            self.assertExit(0, run("--proof", proof, *self.key_args()), f"entry {seq} (")
            self.assertExit(0, run(self.ledger, "--proof", proof), f"agrees with {self.ledger}")

    def test_an_inclusion_proof_with_a_flipped_hash_fails(self):
        path = inclusion_path(4, self.leaves)
        for i in range(len(path)):
            wrong = path[:i] + [flipped(path[i], 3)] + path[i + 1:]
            self.assertExit(1, run("--proof", self.tlog_proof(5, path=wrong)), "entry 5's inclusion proof leads to root")
        self.assertExit(1, run("--proof", self.tlog_proof(5, path=path[:-1])), "too few hashes")
        self.assertExit(1, run("--proof", self.tlog_proof(5, path=path + path[:1])), "too many hashes")

    def test_an_inclusion_proof_of_an_altered_entry_fails(self):
        entries = [dict(e) for e in self.entries]
        entries[4]["payload"] = entries[4]["payload"].replace('"size":', '"size":1')
        self.assertExit(1, run("--proof", self.tlog_proof(5, entries)), "entry5.tlog-proof entry 5: payload hash mismatch")
        entries[4] = {k: self.entries[4][k] for k in reversed(FIELDS)}
        self.assertExit(1, run("--proof", self.tlog_proof(5, entries)), "entry5.tlog-proof entry 5: keys out of order")
        zero = dict(self.entries[0], seq=0)
        self.assertExit(1, run("--proof", self.tlog_proof(1, [zero])), "index 0 is not entry 0")
        self.assertExit(1, run("--proof", self.finding_proof([1], {1: {"seq": 0}})), "entry 0 is outside the chain")
        other = make_ledger(11, "other")
        self.assertExit(1, run("--proof", self.tlog_proof(6, other)), "leads to root")

    def test_a_proof_against_a_different_ledger_fails(self):
        other = make_ledger(11, "other")
        self.write("other.jsonl", jsonl(other))
        self.assertExit(1, run(self.dir / "other.jsonl", "--proof", self.tlog_proof(3)), "root at size 11")

    def test_an_unsigned_proof_is_said_unsigned_and_fails_with_a_key(self):
        proof = self.tlog_proof(2, checkpoint=checkpoint_text(11, self.root) + b"\n")
        self.assertExit(0, run("--proof", proof), "unsigned")
        if CAN_SIGN:
            self.assertExit(1, run("--proof", proof, "--key", self.key.public), "no signature")

    def test_a_finding_proof_passes(self):
        self.assertExit(0, run("--proof", self.finding_proof([3, 4, 8]), *self.key_args()),
                        "entries [3, 4, 8] recompute")
        self.assertExit(0, run(self.ledger, "--proof", self.finding_proof([1])), "agrees with")

    def test_a_finding_proof_with_a_changed_payload_fails(self):
        changed = {4: {"payload": self.entries[3]["payload"].replace("u4", "u9")}}
        self.assertExit(1, run("--proof", self.finding_proof([3, 4], changed), *self.key_args()),
                        "entry 4: payload hash mismatch")
        rehashed = make_entry(4, "record.identity", self.entries[3]["payload"].replace("u4", "u9"),
                              bytes.fromhex(self.entries[2]["entry_hash"]), self.entries[3]["recorded_at"])
        self.assertExit(1, run("--proof", self.finding_proof([3, 4], {4: rehashed})), "leads to root")

    def test_a_finding_proof_must_give_exactly_its_evidence(self):
        p = self.finding_proof([3, 4])
        obj = json.loads(p.read_text())
        obj["finding"]["evidence"] = [3, 4, 5]
        self.assertExit(1, run("--proof", self.write("f.json", json.dumps(obj))), "rests on entries [3, 4, 5]")
        obj["tree_root"] = mth(self.leaves[:10]).hex()
        self.assertExit(1, run("--proof", self.write("f.json", json.dumps(obj))), "the checkpoint names size 11")

    def test_an_unsigned_finding_proof_says_nothing_binds_the_finding(self):
        unsigned = checkpoint_text(11, self.root) + b"\n"
        for note in (None, "absent"):
            proof = self.finding_proof([3, 4], note=note, checkpoint=unsigned)
            self.assertExit(0, run("--proof", proof), "nothing binds the finding's fields", "unsigned")
            if CAN_SIGN:
                self.assertExit(1, run("--proof", proof, "--key", self.key.public), "the finding's words are not signed")

    @unittest.skipUnless(CAN_SIGN, NO_SIGN)
    def test_a_signed_finding_proof_checks_its_finding_note(self):
        code, out, err = run("--proof", self.finding_proof([3, 4, 8]), "--key", self.key.public)
        self.assertExit(0, (code, out, err), "its finding_note names this finding")
        self.assertEqual(out.count("verified with"), 2, out)  # the checkpoint and the finding_note
        self.assertExit(0, run("--proof", self.finding_proof([3])), "finding_note: signature NOT checked")

    @unittest.skipUnless(CAN_SIGN, NO_SIGN)
    def test_a_finding_changed_after_it_was_signed_fails(self):
        for edit in ({"severity": "low"}, {"summary": "nothing to see"}, {"controls": []}, {"extra": 1}):
            proof = self.finding_proof([3, 4], edit=edit)
            self.assertExit(1, run("--proof", proof, "--key", self.key.public), "finding_note names finding SHA-256",
                            "changed after it was signed")
            self.assertExit(1, run("--proof", proof), "finding_note names finding SHA-256")
        # the note left out instead: a signed checkpoint with no finding_note
        for note in (None, "absent"):
            proof = self.finding_proof([3, 4], note=note, edit={"severity": "low"})
            self.assertExit(1, run("--proof", proof), "the checkpoint is signed but finding_note is null")

    @unittest.skipUnless(CAN_SIGN, NO_SIGN)
    def test_a_finding_note_resigned_by_another_key_fails_with_the_key(self):
        other = Key(self.dir, "other-key")
        for edit in ({}, {"severity": "low"}):  # the same words, or changed ones, signed by someone else
            forged = json.loads(self.finding_proof([3, 4], edit=edit).read_text())
            forged["finding_note"] = other.sign(finding_text(forged["finding"], 11, self.root)).decode()
            proof = self.write("forged.json", json.dumps(forged))
            self.assertExit(1, run("--proof", proof, "--key", self.key.public),
                            "finding_note: no signature by evidentia/demo")
            self.assertExit(0, run("--proof", proof), "finding_note: signature NOT checked")

    @unittest.skipUnless(CAN_SIGN, NO_SIGN)
    def test_a_finding_note_for_another_tree_or_origin_fails(self):
        finding = json.loads(self.finding_proof([3]).read_text())["finding"]
        root10 = mth(self.leaves[:10])
        for text, why in ((finding_text(finding, 10, self.root), "tree size 10"),
                          (finding_text(finding, 11, root10), f"tree root {root10.hex()}"),
                          (finding_text(finding, 11, self.root, "evidentia/other"), "origin")):
            signer = "evidentia/other" if why == "origin" else ORIGIN
            proof = self.finding_proof([3], note=self.key.sign(text, signer))
            self.assertExit(1, run("--proof", proof, "--key", self.key.public), why)
        text = finding_text(finding, 11, self.root)
        for bad in (text.replace(b"evidentia-finding/1", b"evidentia-finding/2"), text + b"more\n",
                    text.replace(b"\n11\n", b"\n011\n")):
            self.assertExit(1, run("--proof", self.finding_proof([3], note=self.key.sign(bad))), "finding_note")
        self.assertExit(1, run("--proof", self.finding_proof([3], note=text + b"\n")), "no signature line")
        obj = json.loads(self.finding_proof([3]).read_text())
        obj["finding_note"] = 7
        self.assertExit(1, run("--proof", self.write("seven.json", json.dumps(obj))), "neither a signed note")

    def test_a_consistency_proof_passes_and_links_to_the_ledger_and_note(self):
        for old in range(0, 12):
            for new in range(old, 12):
                self.assertExit(0, run("--proof", self.consistency_proof(old, new)), "is a prefix")
        proof = self.consistency_proof(6, 11)
        self.assertExit(0, run("--proof", proof), "compare it with a root you trust")
        self.assertExit(0, run(self.ledger, "--proof", proof), f"agrees with {self.ledger}")
        note = self.write("checkpoint.note", self.cp)
        self.assertExit(0, run("--proof", proof, "--note", note, *self.key_args()), f"agrees with {note}")
        earlier = self.write("old.jsonl", jsonl(self.entries[:6]))
        self.assertExit(0, run("--proof", proof, "--against", earlier), "agrees with")

    def test_a_consistency_proof_with_a_flipped_hash_or_other_roots_fails(self):
        good = consistency_path(6, self.leaves)
        for i in range(len(good)):
            self.assertExit(1, run("--proof", self.consistency_proof(6, 11, good[:i] + [flipped(good[i])] + good[i + 1:])))
        self.assertExit(1, run("--proof", self.consistency_proof(6, 11, good[:-1])), "too few")
        other = self.write("other.jsonl", jsonl(make_ledger(11, "other")))
        self.assertExit(1, run(other, "--proof", self.consistency_proof(6, 11)), "root at size 6")
        note = self.write("n.note", checkpoint_text(11, flipped(self.root)) + b"\n")
        self.assertExit(1, run("--proof", self.consistency_proof(6, 11), "--note", note), "root at size 11")


def item_text(item, size, root, origin=ORIGIN):
    """Section 18, item_note: five lines binding the sampled item's canonical JSON to the tree."""
    return f"evidentia-sample-item/1\n{origin}\n{size}\n{b64(root)}\n{sha(canonical(item).encode()).hex()}\n".encode()


class SampleProofs(Folder):
    """evidentia-sample-proof/1 (section 18): a finding proof's checks, for a sampled item (its own
    entry and its attributes' evidence), with payloads that may be withheld."""

    def setUp(self):  # the same ledger and key as Proofs (not a subclass: its tests would run twice)
        super().setUp()
        self.entries = make_ledger(11)
        self.leaves = hashes(self.entries)
        self.root = mth(self.leaves)
        self.ledger = self.write("ledger.jsonl", jsonl(self.entries))
        self.key = Key(self.dir, "signing-key") if CAN_SIGN else None
        self.cp = self.key.sign(checkpoint_text(11, self.root)) if CAN_SIGN else checkpoint_text(11, self.root) + b"\n"

    key_args = Proofs.key_args

    def sample_proof(self, entry, evidence, withheld=(), change=None, note="signed", edit=None, raw=None):
        items = []
        for s in sorted({entry, *[x for e in evidence for x in e]}):
            line = dict(self.entries[s - 1], **(change or {}).get(s, {}))
            disclosed = {"entry": line, "inclusion": [h.hex() for h in inclusion_path(s - 1, self.leaves)],
                         "raw_line": (raw or {}).get(s)}
            if s in withheld:
                line["payload"] = None
                disclosed["payload_withheld"] = "may name identities outside the sample"
            items.append(disclosed)
        item = {"number": 1, "key": str(entry), "entry": entry, "kind": "leaver", "identity": "u3",
                "attributes": [{"id": f"a{i}", "result": "pass", "evidence": e, "note": "Zoë's \"note\"",
                                "failing_checks": []} for i, e in enumerate(evidence)]}
        if note == "signed":
            note = self.key.sign(item_text(item, 11, self.root)) if CAN_SIGN else None
        obj = {"format": "evidentia-sample-proof/1", "item": dict(item, **(edit or {})),
               "item_note": note.decode() if isinstance(note, bytes) else note,
               "checkpoint": self.cp.decode(), "tree_size": 11, "tree_root": self.root.hex(), "entries": items}
        return self.write("proofs/sample/0001.json", json.dumps(obj, indent=2, ensure_ascii=False))

    def test_a_sample_proof_passes_with_withheld_payloads(self):
        proof = self.sample_proof(3, [[3, 4], [8]], withheld={4}, raw={3: "a,raw,line"})
        self.assertExit(0, run("--proof", proof, *self.key_args()),
                        "entries [3, 4, 8] recompute (1 with their payload withheld")
        self.assertExit(0, run(self.ledger, "--proof", proof), "agrees with")

    def test_a_withheld_payload_still_needs_its_hash_and_its_reason(self):
        wrong = {4: {"payload_sha256": sha(b"another payload").hex()}}
        self.assertExit(1, run("--proof", self.sample_proof(3, [[4]], withheld={4}, change=wrong)),
                        "entry 4: entry hash mismatch")
        obj = json.loads(self.sample_proof(3, [[4]], withheld={4}).read_text())
        del obj["entries"][1]["payload_withheld"]
        self.assertExit(1, run("--proof", self.write("s.json", json.dumps(obj))), "payload is not a string")
        obj = json.loads(self.sample_proof(3, [[4]], withheld={4}, raw={4: "x"}).read_text())
        self.assertExit(1, run("--proof", self.write("s.json", json.dumps(obj))), "raw line beside a withheld payload")

    def test_a_sample_proof_with_a_changed_payload_or_entries_fails(self):
        changed = {4: {"payload": self.entries[3]["payload"].replace("u4", "u9")}}
        self.assertExit(1, run("--proof", self.sample_proof(3, [[4]], change=changed)), "entry 4: payload hash mismatch")
        obj = json.loads(self.sample_proof(3, [[4]]).read_text())
        obj["item"]["attributes"][0]["evidence"] = [4, 5]
        self.assertExit(1, run("--proof", self.write("s.json", json.dumps(obj))), "the item rests on entries [3, 4, 5]")
        obj["entries"][1]["inclusion"][0] = flipped(bytes.fromhex(obj["entries"][1]["inclusion"][0])).hex()
        obj["item"]["attributes"][0]["evidence"] = [4]
        self.assertExit(1, run("--proof", self.write("s.json", json.dumps(obj))), "entry 4's inclusion proof leads to root")

    def test_a_set_row_is_exactly_a_cited_row_and_matches_a_disclosed_payload(self):
        def with_rows(withheld, rows, cited=({"entry": 4, "row": 2},)):
            obj = json.loads(self.sample_proof(3, [[4]], withheld=withheld, note=None).read_text())
            obj["item"]["attributes"][0]["evidence_rows"] = list(cited)
            obj["entries"][1]["rows"] = rows
            if CAN_SIGN:
                obj["item_note"] = self.key.sign(item_text(obj["item"], 11, self.root)).decode()
            return self.write("s.json", json.dumps(obj))
        row = {"row": 2, "artifact": "ab" * 32, "location": "line 3", "record": {"account": "u3"}, "raw_line": None}
        self.assertExit(0, run("--proof", with_rows({4}, [row])), "entries [3, 4] recompute")
        self.assertExit(1, run("--proof", with_rows({4}, [dict(row, row=1)])),
                        "entry 4: discloses rows [1], the item cites rows [2] of it")
        self.assertExit(1, run("--proof", with_rows({4}, [dict(row, record=None)])),
                        "entry 4: row 2: neither a record nor record_withheld")
        self.assertExit(0, run("--proof", with_rows({4}, [dict(row, record=None, record_withheld="another's")])))
        # With the payload disclosed, the row must be its rows[1]; entry 4's payload has no rows.
        self.assertExit(1, run("--proof", with_rows((), [row])),
                        "entry 4: row 2: differs from rows[1] of the disclosed payload")

    def test_an_item_changed_after_it_was_signed_fails(self):
        if not CAN_SIGN:
            self.skipTest("openssl cannot sign Ed25519 here")
        proof = self.sample_proof(3, [[4]], edit={"identity": "u9"})
        self.assertExit(1, run("--proof", proof, "--key", self.key.public), "item_note names item SHA-256")
        self.assertExit(1, run("--proof", self.sample_proof(3, [[4]], note=None), "--key", self.key.public),
                        "item_note is null")


if __name__ == "__main__":
    unittest.main(verbosity=2)
