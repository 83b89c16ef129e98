#!/usr/bin/env bash
# Makes sure a PostgreSQL server listens on 127.0.0.1 with an empty test database, then
# prints its SQLAlchemy URL on stdout. Installs Debian's postgresql package when it is
# missing and we are root (CI machines start without it). Exits non-zero, printing
# nothing on stdout, when no server can be had; the tests then skip PostgreSQL locally
# and fail under CI=true.
set -euo pipefail

PORT="${MENTOR_THEMES_TEST_POSTGRES_PORT:-5432}"
DATABASE=mentor_themes_test
PASSWORD=mentor-themes-test

log() { echo "test-postgres: $*" >&2; }

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    log "postgresql is not installed and we are not root to install it"
    exit 1
  fi
  log "installing postgresql from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "$*"; else sudo -n -u postgres bash -c "$*"; fi
}

VERSION="$(pg_lsclusters --no-header | awk 'NR==1 {print $1}')"
CLUSTER="$(pg_lsclusters --no-header | awk 'NR==1 {print $2}')"
if [ -z "$VERSION" ]; then
  VERSION="$(ls /usr/lib/postgresql | sort -V | tail -1)"
  CLUSTER=main
  pg_createcluster "$VERSION" "$CLUSTER" --port "$PORT" >&2
fi
if ! pg_lsclusters --no-header | awk -v c="$CLUSTER" '$2==c {print $4}' | grep -q online; then
  log "starting cluster $VERSION/$CLUSTER"
  pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi
PORT="$(pg_lsclusters --no-header | awk -v c="$CLUSTER" '$2==c {print $3}')"

for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 0.5
done

as_postgres "psql -q -p $PORT -c \"ALTER USER postgres PASSWORD '$PASSWORD'\"" >&2
as_postgres "psql -q -p $PORT -c 'DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)'" >&2
as_postgres "psql -q -p $PORT -c 'CREATE DATABASE $DATABASE'" >&2

echo "postgresql+psycopg://postgres:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
