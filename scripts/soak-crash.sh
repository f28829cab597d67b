#!/usr/bin/env bash
# Crash-safety soak: many kill -9 cycles during writes on SQLite and PostgreSQL, then a real
# PostgreSQL restart (immediate mode, i.e. a crash) mid-load on a private throwaway cluster.
# Every acknowledged write must survive and the audit chain must verify (test/scale/crash-safety.test.ts).
#
#   scripts/soak-crash.sh [CYCLES]        (default 50)
#
# Needs: a built server (npm run build), the test PostgreSQL (TESSERA_TEST_DATABASE_URL or
# postgres://postgres@127.0.0.1:5432/test), and PostgreSQL server binaries for the restart part
# (PG_BIN, default /usr/lib/postgresql/15/bin; skipped when absent). The shared PostgreSQL is
# never restarted: the restart runs against a cluster this script creates and deletes.
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES="${1:-50}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PORT="${SOAK_PG_PORT:-55432}"

echo "== $CYCLES kill -9 cycles on SQLite and PostgreSQL"
SCALE_SOAK_CYCLES="$CYCLES" npx vitest run test/scale/crash-safety.test.ts -t 'kill -9 cycles' --testTimeout=3600000

if [[ ! -x "$PG_BIN/pg_ctl" ]]; then
  echo "== skipping the PostgreSQL restart: no server binaries in $PG_BIN"
  exit 0
fi
echo "== PostgreSQL restarted (immediate) mid-load, private cluster on port $PORT"
DIR="$(mktemp -d /tmp/tessera-soak-pg.XXXXXX)"
AS=()
if [[ "$(id -u)" == 0 ]]; then chown postgres "$DIR"; AS=(runuser -u postgres --); fi
cleanup() { "${AS[@]}" "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
"${AS[@]}" "$PG_BIN/initdb" -D "$DIR/data" -A trust -U postgres >/dev/null
"${AS[@]}" "$PG_BIN/pg_ctl" -D "$DIR/data" -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=on" -l "$DIR/log" -w start >/dev/null
RESTART="${AS[*]} $PG_BIN/pg_ctl -D $DIR/data -o '-p $PORT -k $DIR -c listen_addresses=127.0.0.1' -l $DIR/log -m immediate -w restart"
for i in 1 2 3; do
  SCALE_SOAK_DIALECTS=postgres SCALE_SOAK_PG_URL="postgres://postgres@127.0.0.1:$PORT/postgres" SCALE_SOAK_PG_RESTART="$RESTART" \
    npx vitest run test/scale/crash-safety.test.ts -t 'goes away mid-load'
done
