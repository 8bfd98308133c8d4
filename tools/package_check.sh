#!/usr/bin/env bash
# Checks a built .deb the way a user would meet it (issue #20's acceptance), without installing
# it on this machine:
#
#   tools/package_check.sh PACKAGE.deb SCRATCH_DIR
#
# The package is unpacked with `dpkg -x` into SCRATCH_DIR/root; the CLI from there makes the demo
# workspace and verifies it; the manual page renders with `man -l`; the completions, copyright
# and changelog are where Debian looks for them; both binaries are stripped; and lintian reports
# no error (its warnings are printed). Exits non-zero at the first failed check.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 PACKAGE.deb SCRATCH_DIR" >&2; exit 2; }
deb=$1
scratch=$2
repo=$(cd -- "$(dirname -- "$0")/.." && pwd -P)

fail() {
  echo "package-check: $*" >&2
  exit 1
}
ok() { echo "  ok: $*"; }

[ -f "$deb" ] || fail "$deb: no such package"
echo "package-check: $deb ($(du -h "$deb" | cut -f1), $(stat -c %s "$deb") bytes)"

package=$(dpkg-deb -f "$deb" Package)
version=$(dpkg-deb -f "$deb" Version)
[ "$package" = evidentia ] || fail "package name is \"$package\", not evidentia"
# The changelog's newest entry names the version being packaged (else lintian cannot tell
# which entry describes this package, and a user reading it is told the wrong version).
changelog_version=$(dpkg-parsechangelog -l "$repo/packaging/deb/changelog" -S Version)
[ "$changelog_version" = "$version" ] ||
  fail "packaging/deb/changelog's newest entry is $changelog_version, the package is $version: add an entry"
ok "evidentia $version, changelog entry $changelog_version"

rm -rf "$scratch"
mkdir -p "$scratch"
scratch=$(cd -- "$scratch" && pwd -P)
root=$scratch/root
mkdir -p "$root"
dpkg -x "$deb" "$root"
cli=$root/usr/bin/evidentia
[ -x "$cli" ] || fail "no /usr/bin/evidentia in the package"
[ -x "$root/usr/bin/evidentia-desktop" ] || fail "no /usr/bin/evidentia-desktop in the package"

for binary in "$cli" "$root/usr/bin/evidentia-desktop"; do
  file -b "$binary" | grep -q ', stripped' || fail "${binary#"$root"} is not stripped: $(file -b "$binary")"
done
ok "both binaries stripped"

# The Depends field is written by hand in src-tauri/tauri.package.conf.json (Tauri's bundler
# takes it from the configuration, before the shell is built); dpkg-shlibdeps reads the shared
# libraries the packaged binaries actually load, and every one must be declared with at least
# the version it needs, or apt would install the package where it cannot start.
shlibs=$scratch/shlibs
mkdir -p "$shlibs/debian"
printf 'Source: evidentia\n\nPackage: evidentia\nArchitecture: any\n' >"$shlibs/debian/control"
needed=$(cd "$shlibs" && dpkg-shlibdeps -O "$root/usr/bin/evidentia" "$root/usr/bin/evidentia-desktop" 2>/dev/null |
  sed -n 's/^shlibs:Depends=//p')
[ -n "$needed" ] || fail "dpkg-shlibdeps found no shared library dependency"
declared=$(dpkg-deb -f "$deb" Depends)
missing=()
IFS=',' read -ra relations <<<"$needed"
for relation in "${relations[@]}"; do
  relation=$(xargs <<<"$relation")
  name=${relation%% *}
  want=$(sed -n 's/.*(>= \(.*\)).*/\1/p' <<<"$relation")
  have=""
  found=no
  IFS=',' read -ra entries <<<"$declared"
  for entry in "${entries[@]}"; do
    entry=$(xargs <<<"$entry")
    [ "${entry%% *}" = "$name" ] || continue
    found=yes
    at_least=$(sed -n 's/.*(>= \(.*\)).*/\1/p' <<<"$entry")
    if [ -n "$at_least" ] && { [ -z "$have" ] || dpkg --compare-versions "$at_least" gt "$have"; }; then
      have=$at_least
    fi
  done
  if [ "$found" = no ] || { [ -n "$want" ] && { [ -z "$have" ] || dpkg --compare-versions "$have" lt "$want"; }; }; then
    missing+=("$relation")
  fi
done
[ ${#missing[@]} -eq 0 ] ||
  fail "Depends lacks ${missing[*]}; the binaries need: $needed (set bundle.linux.deb.depends in src-tauri/tauri.package.conf.json)"
ok "Depends covers the shared libraries the binaries load: $needed"

reported=$("$cli" --version)
[ "$reported" = "evidentia $version" ] || fail "evidentia --version says \"$reported\", the package is $version"
ok "evidentia --version: $reported"

workspace=$scratch/demo.evidentia
"$cli" demo --out "$workspace" >"$scratch/demo.log" 2>&1 || { cat "$scratch/demo.log" >&2; fail "evidentia demo failed"; }
"$cli" -w "$workspace" verify >"$scratch/verify.log" 2>&1 || { cat "$scratch/verify.log" >&2; fail "evidentia verify failed"; }
ok "evidentia demo --out, then -w verify: $(head -n 1 "$scratch/verify.log")"

man1=$root/usr/share/man/man1
[ -f "$man1/evidentia.1.gz" ] || fail "no /usr/share/man/man1/evidentia.1.gz"
# Every page is gzip -9n (lintian) and renders; `man 1 evidentia` is the first of them.
pages=0
for page in "$man1"/*.1.gz; do
  gzip -t "$page" || fail "${page#"$root"} is not gzip"
  rendered=$(MANWIDTH=80 man -l "$page" 2>/dev/null) || fail "man -l ${page#"$root"} failed"
  grep -q '^NAME' <<<"$rendered" || fail "${page#"$root"} renders without a NAME section"
  pages=$((pages + 1))
done
MANWIDTH=80 man -l "$man1/evidentia.1.gz" | grep -q 'evidentia-verify(1)' ||
  fail "evidentia(1) does not point to the command pages"
ok "$pages manual pages render, evidentia(1) among them"

bash_completion=$root/usr/share/bash-completion/completions/evidentia
[ -f "$bash_completion" ] || fail "no bash completion at /usr/share/bash-completion/completions/evidentia"
# Loaded the way bash-completion loads it: it must define the completion for `evidentia`.
bash -c 'source "$1" && complete -p evidentia' _ "$bash_completion" >/dev/null ||
  fail "the bash completion does not complete evidentia"
[ -f "$root/usr/share/zsh/vendor-completions/_evidentia" ] || fail "no zsh completion"
[ -f "$root/usr/share/fish/vendor_completions.d/evidentia.fish" ] || fail "no fish completion"
ok "bash, zsh and fish completions"

doc=$root/usr/share/doc/evidentia
[ -f "$doc/copyright" ] || fail "no /usr/share/doc/evidentia/copyright"
grep -q '^License: bitstream-vera' "$doc/copyright" || fail "the copyright file lacks the DejaVu fonts' licence"
grep -q '^License: Apache-2.0' "$doc/copyright" || fail "the copyright file lacks Evidentia's own licence"
notices="$doc/THIRD-PARTY-NOTICES.gz"
[ -f "$notices" ] || fail "no /usr/share/doc/evidentia/THIRD-PARTY-NOTICES.gz"
for component in '^serde ' '^tauri ' '^svelte '; do
  zgrep -q "$component" "$notices" || fail "the third-party notices do not list ${component#^}"
done
zgrep -q 'Permission is hereby granted' "$notices" || fail "the third-party notices hold no licence text"
[ -f "$doc/changelog.gz" ] || fail "no /usr/share/doc/evidentia/changelog.gz"
ok "copyright (Apache-2.0, the DejaVu fonts' bitstream-vera), third-party notices and changelog"

# lintian exits non-zero on an error (E:); warnings (W:) and the rest are printed for the
# reader. --tag-display-limit 0: every instance, not the first few.
echo "lintian $(lintian --version | awk '{print $2}'):"
if ! lintian --fail-on error --tag-display-limit 0 "$deb" >"$scratch/lintian.log" 2>&1; then
  sed 's/^/  /' "$scratch/lintian.log"
  fail "lintian reports errors (E: above)"
fi
if [ -s "$scratch/lintian.log" ]; then sed 's/^/  /' "$scratch/lintian.log"; else echo "  (nothing to report)"; fi
ok "lintian: no errors"
echo "package-check: passed"
