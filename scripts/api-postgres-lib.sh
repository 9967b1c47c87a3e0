# Sourced by scripts/api-postgres-test.sh and scripts/api-load-bench.sh: makes a local PostgreSQL
# ready for the son1k-api tests and benchmark on Debian 12, as root or with sudo, non-interactive.
#
# pg_up: installs `postgresql` only when missing, creates/starts the installed version's `main`
# cluster only when needed, and (re)sets a password for a role that may create databases (loopback
# only). Sets PG_ADMIN_URL (postgres://ROLE:PASSWORD@127.0.0.1:PORT/postgres) and PG_PORT.
# pg_drop_prefix PREFIX: drops every database whose name starts with PREFIX.
# Environment: PGPORT (default: the cluster's port), SON1K_PG_ROLE / SON1K_PG_PASSWORD (default
# son1k_test / son1k_test_pw).

PG_ROLE="${SON1K_PG_ROLE:-son1k_test}"
PG_PASSWORD="${SON1K_PG_PASSWORD:-son1k_test_pw}"
PG_SUDO=""
[ "$(id -u)" = 0 ] || PG_SUDO="sudo"

pg_log() { echo "postgres: $*" >&2; }
pg_as_postgres() { $PG_SUDO runuser -u postgres -- "$@"; }
pg_psql() { pg_as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@"; }

pg_up() {
  if ! dpkg -s postgresql >/dev/null 2>&1 || ! command -v pg_lsclusters >/dev/null; then
    pg_log "installing postgresql"
    $PG_SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $PG_SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  # The installed server version (Debian 12: 15); the newest one when several are installed.
  local version status
  version="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$version" ] || { pg_log "no PostgreSQL server under /usr/lib/postgresql"; return 1; }
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
    pg_log "creating cluster $version/main"
    $PG_SUDO pg_createcluster "$version" main >/dev/null
  fi
  status="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}')"
  if [ "$status" != "online" ]; then
    pg_log "starting cluster $version/main"
    $PG_SUDO pg_ctlcluster "$version" main start
  fi
  PG_PORT="${PGPORT:-$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')}"
  for _ in $(seq 50); do
    pg_as_postgres pg_isready -q -p "$PG_PORT" && break
    sleep 0.2
  done
  pg_as_postgres pg_isready -q -p "$PG_PORT" || { pg_log "PostgreSQL on port $PG_PORT does not answer"; return 1; }
  # Its password is (re)set every run, so a changed default takes effect.
  pg_psql -v role="$PG_ROLE" -v pw="$PG_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'role')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN CREATEDB PASSWORD %L', :'role', :'pw') \gexec
SQL
  PG_ADMIN_URL="postgres://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres"
  pg_log "PostgreSQL $version ready on 127.0.0.1:$PG_PORT"
}

pg_drop_prefix() {
  local n
  n="$(pg_psql -At -v p="$1" <<'SQL'
SELECT count(*) FROM pg_database WHERE starts_with(datname, :'p');
SELECT format('DROP DATABASE %I WITH (FORCE)', datname) FROM pg_database
  WHERE starts_with(datname, :'p') \gexec
SQL
)" || { pg_log "could not drop the databases named $1*"; return 0; }
  pg_log "dropped ${n:-0} databases named $1*"
}
