#!/usr/bin/env bash
# Stages what the .deb installs beside the two binaries (issue #20), for Tauri's bundler to copy
# (src-tauri/tauri.package.conf.json maps package paths to these files):
#
#   tools/package_stage.sh EVIDENTIA_BIN OUT_DIR
#
# OUT_DIR/man1/        evidentia.1.gz and a page per command, from the binary's own description;
#                      evidentia-desktop.1.gz (packaging/deb/)
# OUT_DIR/completions/ evidentia (bash), _evidentia (zsh), evidentia.fish
# OUT_DIR/doc/         copyright and changelog.gz (packaging/deb/); THIRD-PARTY-NOTICES.gz, the
#                      crates and UI packages compiled in with their licence files
#                      (tools/third_party_notices.py)
# OUT_DIR/lintian/     evidentia, the package's lintian overrides, each with its reason
#
# Everything comes from the binary that goes into the package, so what is installed cannot drift
# from what it describes. gzip -9n: no name or time stamp in the archive, so the same binary
# stages the same bytes (Debian policy, and lintian, ask for both).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 EVIDENTIA_BIN OUT_DIR" >&2; exit 2; }
bin=$1
out=$2
repo=$(cd -- "$(dirname -- "$0")/.." && pwd -P)

[ -x "$bin" ] || { echo "$bin: no such executable (build the CLI first)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/man1" "$out/completions" "$out/doc" "$out/lintian"

"$bin" manpages --out "$out/man1"
cp "$repo/packaging/deb/evidentia-desktop.1" "$out/man1/"
gzip -9n "$out"/man1/*.1

"$bin" completions bash >"$out/completions/evidentia"
"$bin" completions zsh >"$out/completions/_evidentia"
"$bin" completions fish >"$out/completions/evidentia.fish"

cp "$repo/packaging/deb/copyright" "$out/doc/copyright"
gzip -9n <"$repo/packaging/deb/changelog" >"$out/doc/changelog.gz"
python3 "$repo/tools/third_party_notices.py" "$out/doc/THIRD-PARTY-NOTICES"
gzip -9n "$out/doc/THIRD-PARTY-NOTICES"
cp "$repo/packaging/deb/lintian-overrides" "$out/lintian/evidentia"

# The bundler keeps these modes in the package; a umask of 077 must not make them private.
find "$out" -type d -exec chmod 0755 {} +
find "$out" -type f -exec chmod 0644 {} +

echo "staged $(find "$out" -type f | wc -l) files in $out"
