# Evidentia: two commands on a fresh Debian/Ubuntu machine — `make run` and `make test`.
# Each installs what is missing first (Debian packages as root or through sudo).

SHELL := /bin/bash
CARGO ?= cargo
DEMO_WORKSPACE ?= target/demo/demo.evidentia
SAMPLES := crates/evidentia-import/tests/profiles/data

# Debian packages the build and the tests use: sqlite3 (tests tamper with the file directly),
# openssl (benchmark reference), pkg-config and a C compiler (bundled SQLite).
APT_PACKAGES := sqlite3 openssl pkg-config build-essential

.PHONY: run test deps fmt-check clippy unit bench demo clean-demo

run: deps demo
	@echo
	@echo "The desktop app is not built yet; here is the demo workspace through the CLI."
	@echo "Try: target/release/evidentia --workspace $(DEMO_WORKSPACE) log --limit 20"
	target/release/evidentia --workspace $(DEMO_WORKSPACE) verify
	target/release/evidentia --workspace $(DEMO_WORKSPACE) log --kind import.file --limit 20

test: deps fmt-check clippy unit

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "Rust is missing: install it from https://rustup.rs (stable)"; exit 1; }
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	$(CARGO) test --workspace

bench: deps
	$(CARGO) bench -p evidentia-store --bench ledger

# Until evidence-samples/ has its generator, the demo workspace is built from our own
# importer fixtures, each through the real importer and its built-in profile (their planted
# bad rows are recorded through --skip-invalid).
demo:
	$(CARGO) build --release -p evidentia-cli
	rm -f $(DEMO_WORKSPACE) $(DEMO_WORKSPACE)-wal $(DEMO_WORKSPACE)-shm
	mkdir -p $(dir $(DEMO_WORKSPACE))
	target/release/evidentia --workspace $(DEMO_WORKSPACE) init
	for p in hr-extract nhi-catalog ticket-export provisioning-csv exceptions-register; do \
	  target/release/evidentia --workspace $(DEMO_WORKSPACE) import --skip-invalid --profile $$p $(SAMPLES)/$$p.csv || exit 1; \
	done
	target/release/evidentia --workspace $(DEMO_WORKSPACE) import --skip-invalid --profile reconciliation-csv $(SAMPLES)/reconciliation-csv.tsv
	target/release/evidentia --workspace $(DEMO_WORKSPACE) checkpoint

clean-demo:
	rm -rf target/demo
