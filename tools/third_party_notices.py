#!/usr/bin/env python3
"""Writes the third-party notices the .deb ships (issue #20): every Rust crate compiled into
`evidentia` and `evidentia-desktop` (cargo's normal dependencies for Linux) and every JavaScript
package bundled into the desktop UI, each with its licence expression and the licence and notice
files its source carries. MIT, BSD and Apache-2.0 ask for their notices in binary distributions.

    tools/third_party_notices.py OUT_FILE

Offline: cargo reads its local registry (`--offline`), npm packages are read from
ui/node_modules. A component with no licence file of its own is listed with its expression and
named on stderr, so a missing notice is seen rather than silently dropped.
"""

import json
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The UI's runtime: what Vite bundles into ui/dist (Svelte's runtime is compiled in although
# the package is a build dependency), with everything these depend on.
UI_RUNTIME = ["svelte", "@tauri-apps/api", "@tauri-apps/plugin-dialog", "@tauri-apps/plugin-opener"]
NOTICE_FILE = re.compile(r"^(licen[sc]e|copying|notice|copyright|unlicense)([-._].*)?$", re.I)


def run(*args):
    return subprocess.run(args, cwd=REPO, check=True, capture_output=True, text=True).stdout


def notice_files(directory, declared=None):
    """The licence and notice files at the top of a package's source, by name."""
    found = sorted(
        name
        for name in os.listdir(directory)
        if NOTICE_FILE.match(name) and os.path.isfile(os.path.join(directory, name))
    )
    if declared and os.path.isfile(os.path.join(directory, declared)) and declared not in found:
        found.append(declared)
    return [(name, read(os.path.join(directory, name))) for name in found]


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().strip()


def crates():
    """(name, version, licence, files) of each crate in the two binaries, by name."""
    tree = run(
        "cargo", "tree", "--offline", "-e", "normal", "--target", "x86_64-unknown-linux-gnu",
        "-p", "evidentia-cli", "-p", "evidentia-desktop", "--prefix", "none", "--format", "{p}",
    )
    wanted = set()
    for line in tree.splitlines():
        parts = line.split()
        # Our own workspace crates carry their path: they are Evidentia, not third parties.
        if len(parts) >= 2 and parts[1].startswith("v") and "(/" not in line:
            wanted.add((parts[0], parts[1][1:]))
    meta = json.loads(run(
        "cargo", "metadata", "--offline", "--format-version", "1",
        "--filter-platform", "x86_64-unknown-linux-gnu",
    ))
    out = []
    for p in meta["packages"]:
        if (p["name"], p["version"]) not in wanted:
            continue
        directory = os.path.dirname(p["manifest_path"])
        files = notice_files(directory, p.get("license_file"))
        out.append((p["name"], p["version"], p.get("license") or "see its files", files))
        wanted.discard((p["name"], p["version"]))
    if wanted:
        sys.exit(f"not in cargo metadata: {sorted(wanted)}")
    return sorted(out)


def ui_packages():
    """(name, version, licence, files) of each package bundled into the UI, by name."""
    modules = os.path.join(REPO, "ui", "node_modules")
    seen, queue, out = set(), list(UI_RUNTIME), []
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        directory = os.path.join(modules, name)
        manifest = os.path.join(directory, "package.json")
        if not os.path.isfile(manifest):
            sys.exit(f"{manifest}: missing (run make ui-deps first)")
        with open(manifest, encoding="utf-8") as f:
            pkg = json.load(f)
        licence = pkg.get("license") or "see its files"
        if isinstance(licence, dict):
            licence = licence.get("type", "see its files")
        out.append((name, pkg.get("version", "?"), licence, notice_files(directory)))
        queue.extend(pkg.get("dependencies", {}))
    return sorted(out)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: tools/third_party_notices.py OUT_FILE")
    sections = [("Rust crates compiled into evidentia and evidentia-desktop", crates()),
                ("JavaScript packages bundled into the desktop app's interface", ui_packages())]
    lines = [
        "Evidentia: third-party notices",
        "",
        "The evidentia and evidentia-desktop binaries include the components below. Each is",
        "listed with its version and licence expression, then the licence and notice files its",
        "source distributes, as written. Evidentia's own licence and the embedded DejaVu fonts'",
        "are in /usr/share/doc/evidentia/copyright.",
    ]
    without = []
    for title, components in sections:
        lines += ["", "=" * 78, f"{title} ({len(components)})", "=" * 78]
        for name, version, licence, files in components:
            lines += ["", "-" * 78, f"{name} {version}", f"Licence: {licence}"]
            if not files:
                without.append(f"{name} {version}")
                lines.append("(its source carries no licence file; the licence named above applies)")
            for file_name, text in files:
                lines += ["", f"--- {file_name}", text]
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    counts = ", ".join(f"{len(c)} {t.split()[0].lower()}" for t, c in sections)
    print(f"third-party notices: {counts} components; {len(without)} without a licence file")
    for component in without:
        print(f"  no licence file: {component}", file=sys.stderr)


if __name__ == "__main__":
    main()
