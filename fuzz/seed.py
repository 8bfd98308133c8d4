#!/usr/bin/env python3
"""Builds the fuzz corpora under target/fuzz-corpus/ from evidence-samples/ and, when it sits
beside the checkout, ../shared/real-samples/. Nothing here is committed: seeds are rebuilt.

Large files are cut into small seeds (libFuzzer mutates small inputs far faster): JSON Lines
into single lines and runs of lines, CSV/TSV and syslog into the header plus a few rows.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(ROOT, "evidence-samples")
REAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "real-samples"))
OUT = os.path.join(ROOT, "target", "fuzz-corpus")
MAX_SEED = 48 * 1024

# target -> sources (paths relative to evidence-samples/ or real-samples/, files or folders)
SOURCES = {
    "import_cloudtrail": [("s", "logs/aws-cloudtrail.jsonl"), ("r", "cloudtrail")],
    "import_okta": [("s", "logs/okta-system-log.jsonl"), ("r", "okta")],
    "import_entra": [("s", "logs/entra-audit.jsonl"), ("r", "entra-id")],
    "import_github": [("s", "logs/github-audit.jsonl"), ("r", "github-audit")],
    "import_gworkspace": [("s", "logs/google-workspace-admin.jsonl"), ("r", "google-workspace")],
    "import_k8s": [("s", "logs/k8s-audit.jsonl"), ("r", "kubernetes-audit")],
    "import_linux": [("s", "logs/bastion-auth.log"), ("r", "linux-auth")],
    "import_csv": [("s", "hr"), ("s", "nhi"), ("s", "exceptions"), ("s", "tickets"),
                   ("s", "reconciliation/2025-01-31.tsv"), ("s", "logs/finance-app-provisioning.csv"),
                   ("s", "reviews")],
    "import_inventory": [("r", "inventories")],
    "detect_format": [("s", "logs"), ("r", "")],
    "profile_toml": [("p", "crates/evidentia-import/profiles")],
    "policy_toml": [("s", "policy.toml"), ("p", "crates/evidentia-policy/policy.example.toml")],
    "ledger_chain": [],
    # Filled by evidentia-trials from a small pack it makes with the real binary.
    "ledger_jsonl": [],
    "pack_verify": [],
}


def files_under(base, rel):
    path = os.path.join(base, rel)
    if os.path.isfile(path):
        yield path
    elif os.path.isdir(path):
        for dirpath, _, names in sorted(os.walk(path)):
            for name in sorted(names):
                if not name.endswith(".md"):
                    yield os.path.join(dirpath, name)


def seeds_of(data):
    """Small, varied pieces of one file."""
    if len(data) <= MAX_SEED:
        yield data
    lines = data.splitlines(keepends=True)
    if not lines:
        return
    head = lines[0]
    for i in range(0, min(len(lines), 40)):
        yield lines[i]
        yield head + lines[i] if i else lines[i]
    for start in range(0, min(len(lines), 400), 25):
        chunk = b"".join(lines[start:start + 10])
        yield (head + chunk) if start else chunk


def main():
    have_real = os.path.isdir(REAL)
    if not have_real:
        print(f"seed.py: {REAL} is absent; seeding from evidence-samples/ only", file=sys.stderr)
    for target, sources in SOURCES.items():
        out = os.path.join(OUT, target)
        os.makedirs(out, exist_ok=True)
        n = 0
        for where, rel in sources:
            base = {"s": SAMPLES, "r": REAL, "p": ROOT}[where]
            if where == "r" and not have_real:
                continue
            for path in files_under(base, rel):
                with open(path, "rb") as f:
                    data = f.read()
                for seed in seeds_of(data):
                    if target in ("import_csv", "import_inventory"):
                        # The first byte picks the mapping profile or the inventory format:
                        # seed every choice (8 profiles, 9 inventory formats at most).
                        for selector in range(9):
                            n += write(out, bytes([selector]) + seed)
                    else:
                        n += write(out, seed)
        print(f"{target}: {n} seeds")


def write(out, seed):
    import hashlib
    name = hashlib.sha1(seed).hexdigest()
    path = os.path.join(out, name)
    if os.path.exists(path):
        return 0
    with open(path, "wb") as f:
        f.write(seed)
    return 1


if __name__ == "__main__":
    main()
