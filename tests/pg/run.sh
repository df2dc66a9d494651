#!/usr/bin/env bash
# Runs the campaign tests against a real, throw-away PostgreSQL server on 127.0.0.1.
#
#   bash tests/pg/run.sh [pytest args]      (as root: installs postgresql if missing)
#
# Installs Debian's postgresql, starts a cluster of its own in a temporary folder as the
# postgres user on a random free port, runs tests/campaign with CHARTERPLAN_TEST_PG set,
# and stops and deletes the cluster whatever happens. CI does not run it (SQLite only).
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get install -y -q postgresql >/dev/null
fi
bin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d /tmp/charterplan-pg.XXXXXX)
chown postgres "$dir"
as_postgres() { su postgres -s /bin/sh -c "$*"; }
cleanup() {
    as_postgres "'$bin/pg_ctl' -D '$dir/data' -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT

as_postgres "'$bin/initdb' -D '$dir/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
as_postgres "'$bin/pg_ctl' -D '$dir/data' -l '$dir/log' -w -o \"-h 127.0.0.1 -p $port -k '$dir'\" start" >/dev/null
as_postgres "'$bin/createdb' -h 127.0.0.1 -p $port -U postgres charterplan_test"

export CHARTERPLAN_TEST_PG="postgresql://postgres@127.0.0.1:$port/charterplan_test"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
python -m pytest -q tests/campaign -p no:cacheprovider "$@"
