#!/usr/bin/env bash
# Runs the son1k-api black-box tests against a real PostgreSQL (Debian's `postgresql`).
#
# For CI and developers on Debian 12, as root or with sudo, non-interactive. It installs
# `postgresql` only when missing, starts the installed cluster only when it is down, gives a test
# role a password (loopback only; see scripts/api-postgres-lib.sh), then runs
# `cargo test --workspace --test api` with SON1K_TEST_POSTGRES set. It also installs `chromium`
# when missing, for the landing-page render test in the same suite. Every test creates its own
# database; they share a prefix unique to this run, and all of them are dropped when the script
# exits (even when a test fails).
#
# Already installed and running: it only checks, so it adds about a second to the test run.
# Environment: CARGO (default cargo), CARGO_TARGET_DIR (passed through), SON1K_PG_TEST_THREADS
# (default 2), and those of scripts/api-postgres-lib.sh. Extra arguments go to the test binary
# (e.g. a test name filter).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/api-postgres-lib.sh

CARGO="${CARGO:-cargo}"
pg_up

# The landing-page test renders / in headless Chromium and skips without it; install it so CI runs
# it (only when missing; SON1K_NO_CHROMIUM=1 leaves it out).
if [ "${SON1K_NO_CHROMIUM:-0}" != 1 ] && ! command -v chromium >/dev/null; then
  echo "api-postgres-test: installing chromium for the landing-page render test"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# The tests create their databases with this prefix; only this run's are dropped at the end.
prefix="son1k_test_r$$_"
trap 'pg_drop_prefix "$prefix"' EXIT

export SON1K_TEST_POSTGRES="$PG_ADMIN_URL"
export SON1K_TEST_DB_PREFIX="$prefix"
echo "api-postgres-test: running the son1k-api tests on PostgreSQL"
# Each test opens its own pool (up to 16 connections); 4 test threads stay well under the
# default max_connections of 100.
"$CARGO" test --workspace --test api -- --test-threads="${SON1K_PG_TEST_THREADS:-2}" "$@"
