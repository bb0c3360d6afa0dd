#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL server: initdb in a temporary directory,
# a free port on 127.0.0.1, SHUFANG_DATABASE_URL exported; the server is stopped and the
# directory removed afterwards, whatever the command's outcome.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PGBIN" ]; then echo "with-postgres: PostgreSQL server binaries not found" >&2; exit 2; fi

tmp=$(mktemp -d /tmp/shufang-pg.XXXXXX)
chmod 755 "$tmp"
as_pg=()
if [ "$(id -u)" = "0" ]; then
  # initdb refuses to run as root: run the server as the postgres system user.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$tmp"
  as_pg=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')

cleanup() {
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"${as_pg[@]}" "$PGBIN/initdb" -D "$tmp/data" -U shufang --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -o \
  "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U shufang shufang

export SHUFANG_DATABASE_URL="postgres://shufang@127.0.0.1:$port/shufang"
echo "with-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on port $port"
set +e
"$@"
rc=$?
set -e
exit $rc
