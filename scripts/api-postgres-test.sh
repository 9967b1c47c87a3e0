#!/usr/bin/env bash
# Runs the son1k-api black-box tests against a real PostgreSQL (Debian's `postgresql`).
#
# For CI and developers on Debian 12, as root or with sudo, non-interactive. It installs
# `postgresql` only when missing, starts the installed cluster only when it is down, gives a test
# role a password (loopback only), then runs `cargo test -p son1k-api --test api` with
# SON1K_TEST_POSTGRES set. Every test creates its own database; they share a prefix unique to this
# run, and all of them are dropped when the script exits (even when a test fails).
#
# Already installed and running: it only checks, so it adds a second or two to the test run.
# Environment: CARGO (default cargo), CARGO_TARGET_DIR (passed through), PGPORT (default: the
# cluster's port), SON1K_PG_ROLE / SON1K_PG_PASSWORD (default son1k_test / son1k_test_pw).
# Extra arguments are passed to the test binary (e.g. a test name filter).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO="${CARGO:-cargo}"
ROLE="${SON1K_PG_ROLE:-son1k_test}"
PASSWORD="${SON1K_PG_PASSWORD:-son1k_test_pw}"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

log() { echo "api-postgres-test: $*"; }

if ! dpkg -s postgresql >/dev/null 2>&1 || ! command -v pg_lsclusters >/dev/null; then
  log "installing postgresql"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

# The installed server version (Debian 12: 15). The newest one when several are installed.
version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
[ -n "$version" ] || { log "no PostgreSQL server under /usr/lib/postgresql"; exit 1; }
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  log "creating cluster $version/main"
  $SUDO pg_createcluster "$version" main >/dev/null
fi
status="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}')"
if [ "$status" != "online" ]; then
  log "starting cluster $version/main"
  $SUDO pg_ctlcluster "$version" main start
fi
port="${PGPORT:-$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')}"

as_postgres() { $SUDO runuser -u postgres -- "$@"; }
psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@"; }

for _ in $(seq 50); do
  as_postgres pg_isready -q -p "$port" && break
  sleep 0.2
done
as_postgres pg_isready -q -p "$port" || { log "PostgreSQL on port $port does not answer"; exit 1; }

# A role that may create databases; its password is (re)set every run so a changed default works.
psql_admin -v role="$ROLE" -v pw="$PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'role')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN CREATEDB PASSWORD %L', :'role', :'pw') \gexec
SQL

# The tests create their databases with this prefix; only this run's are dropped at the end.
prefix="son1k_test_r$$_"
drop_test_databases() {
  local n
  n="$(psql_admin -At -v p="$prefix" <<'SQL'
SELECT count(*) FROM pg_database WHERE starts_with(datname, :'p');
SELECT format('DROP DATABASE %I WITH (FORCE)', datname) FROM pg_database
  WHERE starts_with(datname, :'p') \gexec
SQL
)" || { log "could not drop the test databases (prefix $prefix)"; return 0; }
  log "dropped ${n:-0} test databases"
}
trap drop_test_databases EXIT

export SON1K_TEST_POSTGRES="postgres://$ROLE:$PASSWORD@127.0.0.1:$port/postgres"
export SON1K_TEST_DB_PREFIX="$prefix"
log "PostgreSQL $version on 127.0.0.1:$port; running the son1k-api tests"
# Each test opens its own pool (up to 16 connections); 4 test threads stay well under the
# default max_connections of 100.
"$CARGO" test -p son1k-api --test api -- --test-threads="${SON1K_PG_TEST_THREADS:-4}" "$@"
