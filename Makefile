# Evidentia: two commands on a fresh Debian/Ubuntu machine — `make run` and `make test`.
# Each installs what is missing first (Debian packages as root or through sudo).

SHELL := /bin/bash
CARGO ?= cargo
DEMO_WORKSPACE ?= target/demo/demo.evidentia

# Debian packages the build and the tests use: sqlite3 (tests tamper with the file directly),
# openssl (benchmark reference), pkg-config and a C compiler (bundled SQLite).
# time (peak memory of hostile-file trials), strace and iproute2 (the offline trials).
# poppler-utils and qpdf read the PDF report back in its tests (text, pages, structure).
APT_PACKAGES := sqlite3 openssl pkg-config build-essential time strace iproute2 poppler-utils qpdf
# python3-venv (compliance-trestle validates the OSCAL export), unzip and zip (the evidence
# pack is extracted by its tests; `zip -r` is the pack benchmark's reference).
APT_PACKAGES += python3-venv unzip zip
# libreoffice-calc-nogui: the workpaper test reads the XLSX back with LibreOffice headless.
APT_PACKAGES += libreoffice-calc-nogui
# postgresql: the team-workspace tests run against a real server, a throwaway cluster under
# target/pg (tools/pg_cluster.sh: its own Unix socket, no TCP), so the system cluster Debian's
# package may create and start does not matter to them.
APT_PACKAGES += postgresql
# The desktop shell: WebKitGTK and Tauri's system libraries; Xvfb, WebKit's WebDriver and
# xdotool (answers the native file dialog) for the end-to-end test of the real window.
DESKTOP_APT_PACKAGES := libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev \
	librsvg2-dev xvfb webkit2gtk-driver xdotool
DESKTOP_BIN := target/debug/evidentia-desktop
E2E_VENV := target/e2e-venv
# Vite 8 needs Node 20.19 or later.
NODE_MIN := 20.19

.PHONY: run test test-steps deps desktop-deps ui-deps ui-build ui-test desktop \
	e2e-deps e2e fmt-check clippy unit bench demo clean-demo cli-demo \
	trials fuzz-deps fuzz reliability package package-deps package-check

# The desktop app on the demo workspace; without a display, the same demo through the CLI.
run: deps
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "No display here (\$$DISPLAY and \$$WAYLAND_DISPLAY are unset): the desktop app needs one."; \
	  echo "Showing the demo workspace through the command-line tool instead."; \
	  $(MAKE) --no-print-directory cli-demo; \
	else \
	  $(MAKE) --no-print-directory desktop && $(DESKTOP_BIN) --demo; \
	fi

cli-demo: demo
	@echo
	@echo "Try: target/release/evidentia --workspace $(DEMO_WORKSPACE) findings"
	target/release/evidentia --workspace $(DEMO_WORKSPACE) verify
	target/release/evidentia --workspace $(DEMO_WORKSPACE) metrics

# The shell is built first (it embeds ui/dist): the workspace-wide clippy and tests include it.
# Every step runs beside one throwaway PostgreSQL cluster in target/pg, its URL exported as
# EVIDENTIA_TEST_PG_URL; tools/with_pg_cluster.sh replaces a stale one from an interrupted run
# and stops it at the end, also when a step fails.
PG_TEST_DIR := target/pg
test: deps
	tools/with_pg_cluster.sh $(PG_TEST_DIR) $(MAKE) --no-print-directory test-steps

test-steps: fmt-check desktop clippy oscal-deps unit trials fuzz ui-test e2e

# A step run on its own (`make unit`, `make trials`, `make e2e`) starts its own cluster; inside
# `make test` the variable is already set and the steps share the one cluster.
WITH_PG := $(if $(EVIDENTIA_TEST_PG_URL),,tools/with_pg_cluster.sh $(PG_TEST_DIR))

# The Debian packages of $(1) that are missing, installed (as root, or through sudo).
define apt_install_missing
@missing=""; \
for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
if [ -n "$$missing" ]; then \
  echo "installing:$$missing"; \
  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
fi
endef

deps:
	$(call apt_install_missing,$(APT_PACKAGES))
	@command -v $(CARGO) >/dev/null || { echo "Rust is missing: install it from https://rustup.rs (stable)"; exit 1; }
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy

desktop-deps:
	$(call apt_install_missing,$(DESKTOP_APT_PACKAGES))
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "Node.js $(NODE_MIN)+ and npm are missing: install them (https://nodejs.org or your package manager)"; exit 1; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); const [x,y]="$(NODE_MIN)".split(".").map(Number); process.exit(a>x||(a===x&&b>=y)?0:1)' \
	  || { echo "Node.js $$(node --version) is too old: the UI build needs $(NODE_MIN) or later"; exit 1; }

# npm ci only when node_modules is missing or older than the lock file.
ui-deps: desktop-deps
	@if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then \
	  cd ui && npm ci --no-audit --no-fund; \
	fi

ui-build: ui-deps
	cd ui && npm run build

# svelte-check (types and accessibility) and the Vitest unit tests of the UI logic.
ui-test: ui-deps
	cd ui && npm run check
	cd ui && npm test

# The shell embeds ui/dist at compile time, so the UI is built first; built once, then reused
# by the clippy, unit and end-to-end runs.
desktop: ui-build
	$(CARGO) build -p evidentia-desktop

e2e-deps: desktop-deps
	@command -v tauri-driver >/dev/null || [ -x "$$HOME/.cargo/bin/tauri-driver" ] || $(CARGO) install tauri-driver --locked
	@[ -x $(E2E_VENV)/bin/pytest ] || { python3 -m venv $(E2E_VENV) && $(E2E_VENV)/bin/pip install -q selenium pytest; }

# The real window under Xvfb, driven through tauri-driver and WebKitWebDriver, with the
# network unavailable (tests/offline.sh: a network namespace with only loopback up, for the
# WebDriver connection); screenshots of every page go to target/e2e-screenshots/. The Reviews
# test builds its workspace with the CLI (the trials' build, so nothing is compiled twice).
e2e: desktop e2e-deps
	$(CARGO) build -p evidentia-cli -p evidentia-trials
	rm -rf target/e2e-screenshots
	PATH="$$HOME/.cargo/bin:$$PATH" $(WITH_PG) tests/offline.sh xvfb-run -a -s "-screen 0 1280x800x24" $(E2E_VENV)/bin/pytest -q tests/desktop

# The .deb through Tauri's bundler (not part of `make test`, it takes minutes): the desktop app
# and the `evidentia` CLI, built with the `deb` profile (release code, stripped, no debug
# information; its own target/deb/, so release's artefacts for the benchmarks stay as they are),
# with the CLI's manual pages and completions, the copyright file and changelog staged in
# target/deb-files/ (tools/package_stage.sh). src-tauri/tauri.package.conf.json maps them into
# the package and is merged only here, so a plain `cargo build` of the shell needs none of them.
# Then package-check. Install with `sudo apt install ./target/deb/bundle/deb/Evidentia_*.deb`.
# The Tauri CLI comes through `npm exec` (npm's own cache), not ui/package.json: its lock entry
# needs every platform's binary package, which `npm ci` then insists on.
TAURI_CLI_VERSION := 2.12.5
DEB_PROFILE := deb
DEB_STAGE := target/deb-files
DEB_BUNDLE_DIR := target/$(DEB_PROFILE)/bundle/deb
# lintian judges the package; man-db renders its manual pages; dpkg-dev reads the changelog.
PACKAGE_APT_PACKAGES := lintian man-db dpkg-dev file
package: ui-build package-deps
	$(CARGO) build --profile $(DEB_PROFILE) -p evidentia-cli
	tools/package_stage.sh target/$(DEB_PROFILE)/evidentia $(DEB_STAGE)
	rm -f $(DEB_BUNDLE_DIR)/*.deb
	npm exec --yes --package=@tauri-apps/cli@$(TAURI_CLI_VERSION) -- tauri build --bundles deb --ci \
	  --config src-tauri/tauri.package.conf.json -- --profile $(DEB_PROFILE)
	$(MAKE) --no-print-directory package-check

package-deps:
	$(call apt_install_missing,$(PACKAGE_APT_PACKAGES))

# The built .deb unpacked into target/deb-check/root (dpkg -x): the CLI there makes and verifies
# the demo workspace, the manual pages render, the completions and copyright are in place, and
# lintian reports no error (warnings printed). `make package` ends with it.
package-check: package-deps
	@deb=$$(ls -t $(DEB_BUNDLE_DIR)/*.deb 2>/dev/null | head -n 1); \
	[ -n "$$deb" ] || { echo "no .deb in $(DEB_BUNDLE_DIR): run make package"; exit 1; }; \
	tools/package_check.sh "$$deb" target/deb-check

fmt-check:
	$(CARGO) fmt --all --check

# --workspace includes the desktop shell, which needs ui/dist.
clippy: ui-build
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Includes the shell's tests, among them the one that fails when the committed TypeScript
# types in ui/src/lib/backend/generated/ are stale.
unit: ui-build
	EVIDENTIA_KEY_DIR=$(CURDIR)/target/test-keys $(WITH_PG) $(CARGO) test --workspace
	python3 tools/test_verify_ledger.py
	python3 tools/import_docs.py --check

# The short reliability trials against the real binary (docs/reliability.md): SIGKILLed
# imports, analyses and packs; random edits to the workspace file; concurrent processes;
# hostile files; every command with no network; workspaces and packs altered between two
# signed checkpoints, against the trusted note, key and earlier pack; and a team workspace on
# PostgreSQL: four concurrent importers, the server killed mid-import, a read-only role.
trials: deps
	$(CARGO) build -p evidentia-cli -p evidentia-trials
	$(WITH_PG) target/debug/evidentia-trials --evidentia target/debug/evidentia crash tamper concurrency hostile offline trust team

# cargo-fuzz runs on the nightly toolchain (rustup); cargo-fuzz itself builds in about 2 min.
fuzz-deps:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null || [ -x "$$HOME/.cargo/bin/cargo-fuzz" ] || $(CARGO) install cargo-fuzz --locked

FUZZ_SECONDS ?= 10
fuzz: deps fuzz-deps
	$(CARGO) build -p evidentia-cli -p evidentia-trials
	PATH="$$HOME/.cargo/bin:$$PATH" target/debug/evidentia-trials --evidentia target/debug/evidentia \
	  fuzz --fuzz-seconds $(FUZZ_SECONDS)

# The long trials (50 kills per operation, 1,000 mutations, a 1 GiB line, 1,000 workspace and
# 200 pack alterations, 5 min per fuzz target: about an hour); every trial, trust included;
# rewrites the tables in docs/reliability.md.
RELIABILITY_FUZZ_SECONDS ?= 300
reliability: deps fuzz-deps
	$(CARGO) build --release -p evidentia-cli -p evidentia-trials
	PATH="$$HOME/.cargo/bin:$$PATH" $(WITH_PG) target/release/evidentia-trials --long \
	  --fuzz-seconds $(RELIABILITY_FUZZ_SECONDS) \
	  --evidentia target/release/evidentia --doc docs/reliability.md

bench: deps
	$(CARGO) bench -p evidentia-store --bench ledger

# The demo workspace: the sample organisation of evidence-samples/, imported file by file
# through the real importers, its policy set, and the checks run once.
demo:
	$(CARGO) build --release -p evidentia-cli
	rm -f $(DEMO_WORKSPACE) $(DEMO_WORKSPACE)-wal $(DEMO_WORKSPACE)-shm
	mkdir -p $(dir $(DEMO_WORKSPACE))
	target/release/evidentia demo --out $(DEMO_WORKSPACE) --samples evidence-samples
	target/release/evidentia --workspace $(DEMO_WORKSPACE) analyze
	target/release/evidentia --workspace $(DEMO_WORKSPACE) checkpoint

clean-demo:
	rm -rf target/demo

.PHONY: oscal-deps oscal-check bench-pack bench-pg

# compliance-trestle in a venv, made before `unit` (which may run without a network): the
# OSCAL export is validated with its AssessmentResults model (tests/cli/export.rs).
TRESTLE_VENV := target/trestle-venv
oscal-deps: deps
	@$(TRESTLE_VENV)/bin/python -c 'import trestle.oscal.assessment_results' 2>/dev/null || \
	  { python3 -m venv $(TRESTLE_VENV) && $(TRESTLE_VENV)/bin/pip install -q compliance-trestle; }

# The demo's OSCAL assessment results for both frameworks, validated by compliance-trestle.
oscal-check: oscal-deps demo
	mkdir -p target/oscal
	for f in nist-csf-2.0 owasp-nhi-2025; do \
	  target/release/evidentia --workspace $(DEMO_WORKSPACE) export oscal --framework $$f --out target/oscal/$$f.json || exit 1; \
	done
	$(TRESTLE_VENV)/bin/python tests/oscal/check_assessment_results.py target/oscal/*.json

# The evidence pack benchmark (docs/benchmarks.md); EVIDENTIA_BENCH_SAMPLES=DIR for scale 10.
bench-pack: deps
	$(CARGO) bench -p evidentia-app --bench pack

# The team-workspace benchmark (docs/benchmarks.md): 1M provisioning rows imported into
# PostgreSQL against `psql \copy` of the same file, and analyze over them from the server; on
# its own throwaway cluster in target/pg-bench, stopped at the end. EVIDENTIA_BENCH_ROWS=N.
bench-pg: deps
	tools/with_pg_cluster.sh target/pg-bench $(CARGO) bench -p evidentia-app --bench pg_import
