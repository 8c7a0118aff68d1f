# shellcheck shell=bash
# Sourced by .ci/run: starts a throwaway PostgreSQL server for the tests of
# store/postgres and exports PRICEKIT_POSTGRES_DSN. The server listens on a
# unix socket in a temporary directory only (no TCP port), and is stopped,
# with the directory removed, when the calling shell exits.
#
# Installs Debian's postgresql package when no server is installed (as root).
# Leaves an existing PRICEKIT_POSTGRES_DSN alone.

pricekit_pg_setup() {
  if [ -n "${PRICEKIT_POSTGRES_DSN:-}" ]; then
    echo "setup-postgres: using the PRICEKIT_POSTGRES_DSN already set"
    return 0
  fi
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "setup-postgres: installing PostgreSQL"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi

  # initdb and postgres refuse to run as root: run them as postgres then.
  local as=()
  if [ "$(id -u)" = 0 ]; then
    as=(runuser -u postgres --)
  fi

  PRICEKIT_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pricekit-pg.XXXXXX")
  PRICEKIT_PG_BIN=$bin
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PRICEKIT_PG_DIR"
  fi
  chmod 700 "$PRICEKIT_PG_DIR"
  # Keep an EXIT trap set before this one: it runs after the teardown.
  PRICEKIT_PG_PREV_TRAP=
  if [ -n "$(trap -p EXIT)" ]; then
    eval "set -- $(trap -p EXIT)"
    PRICEKIT_PG_PREV_TRAP=$3
  fi
  trap 'pricekit_pg_teardown' EXIT

  "${as[@]}" "$bin/initdb" -D "$PRICEKIT_PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync \
    >"$PRICEKIT_PG_DIR/initdb.log" 2>&1 || { cat "$PRICEKIT_PG_DIR/initdb.log"; return 1; }
  # A test server: no TCP, no durability, enough connections for -race runs
  # of several packages at once.
  "${as[@]}" "$bin/pg_ctl" -D "$PRICEKIT_PG_DIR/data" -l "$PRICEKIT_PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses='' -k $PRICEKIT_PG_DIR -p 5432 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$PRICEKIT_PG_DIR/server.log"; return 1; }
  "${as[@]}" "$bin/createdb" -h "$PRICEKIT_PG_DIR" -p 5432 -U postgres pricekit

  export PRICEKIT_POSTGRES_DSN="host=$PRICEKIT_PG_DIR port=5432 user=postgres dbname=pricekit sslmode=disable"
  echo "setup-postgres: $("$bin/postgres" --version) on $PRICEKIT_PG_DIR"
}

pricekit_pg_teardown() {
  local rc=$?
  if [ -n "${PRICEKIT_PG_DIR:-}" ] && [ -d "$PRICEKIT_PG_DIR" ]; then
    if [ -f "$PRICEKIT_PG_DIR/data/postmaster.pid" ]; then
      if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$PRICEKIT_PG_BIN/pg_ctl" -D "$PRICEKIT_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
      else
        "$PRICEKIT_PG_BIN/pg_ctl" -D "$PRICEKIT_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
      fi
    fi
    rm -rf "$PRICEKIT_PG_DIR"
  fi
  if [ -n "${PRICEKIT_PG_PREV_TRAP:-}" ]; then
    eval "$PRICEKIT_PG_PREV_TRAP"
  fi
  return $rc
}

pricekit_pg_setup
