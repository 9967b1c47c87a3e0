# Son1k Studio — the two set-up commands:
#   make studio   installs what is missing, builds the UI and starts the desktop app
#   make test     fmt check, clippy -D warnings, all Rust tests, UI unit tests, desktop end-to-end test
# Works on a fresh Debian 12 machine (uses sudo when not root).

SHELL := /bin/bash
CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: desktop build (Tauri 2 / WebKitGTK 4.1), audio (ALSA), desktop e2e (Xvfb + WebKit WebDriver).
DESKTOP_PKGS := libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev \
  libayatana-appindicator3-dev libxdo-dev libssl-dev libdbus-1-dev build-essential pkg-config curl file
AUDIO_PKGS := libasound2-dev
E2E_PKGS := xvfb xauth webkit2gtk-driver
# A real-time-paced virtual sound device for the cpal tests on machines without sound hardware.
VIRTUAL_AUDIO_PKGS := pulseaudio libasound2-plugins
# Peers the benchmarks compare against (fluidsynth + a small General MIDI SoundFont, which the
# SoundFont rendering test uses too).
BENCH_PKGS := sox ffmpeg fluidsynth timgm6mb-soundfont

.PHONY: studio test e2e-run test-api-postgres test-api-schemathesis deps deps-e2e ui ui-deps bindings e2e screenshot release deb bench bench-app fuzz clean

# Installs only the packages that are missing (dpkg -s is instant; apt runs only when needed).
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_install,$(DESKTOP_PKGS) $(AUDIO_PKGS))
	@command -v node >/dev/null || { echo "Node.js 20+ is required (apt-get install nodejs npm)"; exit 1; }
	@command -v cargo >/dev/null || { echo "Rust is required: https://rustup.rs"; exit 1; }

deps-e2e: deps
	$(call apt_install,$(E2E_PKGS) $(VIRTUAL_AUDIO_PKGS) $(BENCH_PKGS))
	@command -v tauri-driver >/dev/null || $(CARGO) install tauri-driver --locked --version 2.0.4

ui-deps:
	@if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then \
	  npm --prefix ui ci --no-audit --no-fund; fi

ui: ui-deps
	npm --prefix ui run build

## Run the desktop app.
studio: deps ui
	$(CARGO) run -p son1k-studio --release

## Everything CI checks, one step after another, each step's time printed (and all of them at the
## end). The workspace is compiled once per profile: clippy's lints (-D warnings) run inside the
## test build (scripts/cargo-linted), and the later steps select their targets from that same
## `--workspace` build, so none of them compiles a dependency again.
LINTED_CARGO = env CARGO_BIN="$(CARGO)" $(CURDIR)/scripts/cargo-linted
STEP = SON1K_STEP_LOG=$(CURDIR)/target/.son1k-steps $(CURDIR)/scripts/step.sh
test: deps-e2e ui
	@mkdir -p target && : > target/.son1k-steps
	$(STEP) fmt $(CARGO) fmt --all -- --check
	$(STEP) build+clippy $(LINTED_CARGO) test --workspace --no-run
	$(STEP) virtual-audio scripts/virtual-audio.sh
	$(STEP) rust-tests $(LINTED_CARGO) test --workspace
	$(STEP) api-postgres env CARGO="$(CURDIR)/scripts/cargo-linted" CARGO_BIN="$(CARGO)" scripts/api-postgres-test.sh
	$(STEP) api-schemathesis env CARGO="$(CURDIR)/scripts/cargo-linted" CARGO_BIN="$(CARGO)" ST_SEED=20261126 scripts/api-schemathesis.sh
	$(STEP) ui-tests npm --prefix ui test
	$(STEP) desktop-e2e $(MAKE) --no-print-directory e2e-run CARGO=$(CURDIR)/scripts/cargo-linted CARGO_BIN=$(CARGO)
	@echo "make test: every step passed"; cat target/.son1k-steps

## The son1k-api tests again, against a real PostgreSQL that the script installs and starts.
test-api-postgres:
	CARGO="$(CARGO)" scripts/api-postgres-test.sh

## schemathesis (PyPI) against the API's /openapi.json: fails on any 5xx (about 15 s plus the build).
test-api-schemathesis:
	CARGO="$(CARGO)" ST_SEED=20261126 scripts/api-schemathesis.sh

## Desktop end-to-end: the real window under Xvfb, driven through WebDriver. One file at a time:
## the windows share the virtual audio server and the cores, and one file measures frame times.
## The binaries come from the test build (`cargo test --no-run` builds them with the same features
## as the tests, so nothing is compiled twice).
e2e: deps-e2e ui e2e-run
e2e-run:
	$(CARGO) test --workspace --no-run
	node --test --test-concurrency=1 tests/desktop/

## Regenerate ui/src/lib/bindings.ts from the shell's commands and events.
bindings:
	SON1K_UPDATE_BINDINGS=1 $(CARGO) test -p son1k-studio --test bindings

## docs/screenshot.png from the real window under Xvfb.
screenshot: deps-e2e ui
	$(CARGO) test --workspace --no-run
	SON1K_SCREENSHOT=docs/screenshot.png node --test --test-concurrency=1 tests/desktop/

## Release binary and .deb (AppImage/MSI/DMG are built on release machines: their tools download files).
release: deps ui
	$(CARGO) build -p son1k-studio --release
deb: deps ui
	ui/node_modules/.bin/tauri build --bundles deb

## Benchmarks: ours against sox/ffmpeg in the same run, printed as ratios.
## The desktop app's weight and start (idle RSS/PSS of all its processes, first paint) against
## WebKitGTK's MiniBrowser showing the same UI, release build, medians of 5 cold starts.
bench-app: deps-e2e ui
	$(CARGO) build -p son1k-studio --release
	node scripts/bench-app.mjs

bench: deps
	$(call apt_install,$(BENCH_PKGS) $(VIRTUAL_AUDIO_PKGS))
	scripts/virtual-audio.sh
	@python3 -c "import librosa" 2>/dev/null || pip install --quiet librosa
	$(CARGO) run --release -p son1k-bench -- audio
	$(CARGO) run --release -p son1k-bench -- analysis
	$(CARGO) run --release -p son1k-bench -- generate
	$(CARGO) run --release -p son1k-bench -- voice
	$(CARGO) run --release -p son1k-bench -- visual

## Fuzz the decoder for FUZZ_SECONDS (default 60) with cargo-fuzz (stable toolchain + RUSTC_BOOTSTRAP).
FUZZ_SECONDS ?= 60
fuzz: deps
	$(call apt_install,$(BENCH_PKGS))
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	scripts/fuzz-corpus.sh fuzz/corpus/decode
	# Fuzz the shipped configuration: release, no overflow checks. (With overflow checks, as in the
	# tests, symphonia 0.5.5 panics on some inputs; the decoder turns those panics into errors,
	# see fuzz_found_decoder_panics_are_errors in crates/son1k-audio/tests/io.rs.)
	cd fuzz && RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Coverflow-checks=off" $(CARGO) fuzz run -O decode corpus/decode -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -malloc_limit_mb=32768 -timeout=10

clean:
	$(CARGO) clean
	rm -rf ui/dist ui/node_modules
