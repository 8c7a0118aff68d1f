# shellcheck shell=bash
# Sourced by .ci/run: starts a throwaway ClickHouse server for the tests of
# store/clickhouse and exports PRICEKIT_CLICKHOUSE_DSN. The server listens
# on 127.0.0.1 only, on free ports, with its data in a temporary directory,
# and is stopped, with the directory removed, when the calling shell exits.
#
# Installs Debian's clickhouse-server package when no server is installed
# (as root). Leaves an existing PRICEKIT_CLICKHOUSE_DSN alone.

pricekit_ch_setup() {
  if [ -n "${PRICEKIT_CLICKHOUSE_DSN:-}" ]; then
    echo "setup-clickhouse: using the PRICEKIT_CLICKHOUSE_DSN already set"
    return 0
  fi
  if ! command -v clickhouse-server >/dev/null 2>&1; then
    echo "setup-clickhouse: installing ClickHouse"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server >/dev/null
  fi

  PRICEKIT_CH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pricekit-ch.XXXXXX")
  local tcp http
  tcp=$(pricekit_ch_free_port)
  http=$(pricekit_ch_free_port)
  while [ "$http" = "$tcp" ]; do http=$(pricekit_ch_free_port); done
  mkdir -p "$PRICEKIT_CH_DIR/data" "$PRICEKIT_CH_DIR/tmp" "$PRICEKIT_CH_DIR/user_files" "$PRICEKIT_CH_DIR/format_schemas"
  cat >"$PRICEKIT_CH_DIR/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$PRICEKIT_CH_DIR/server.log</log>
        <errorlog>$PRICEKIT_CH_DIR/server.err.log</errorlog>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$tcp</tcp_port>
    <http_port>$http</http_port>
    <path>$PRICEKIT_CH_DIR/data/</path>
    <tmp_path>$PRICEKIT_CH_DIR/tmp/</tmp_path>
    <user_files_path>$PRICEKIT_CH_DIR/user_files/</user_files_path>
    <format_schema_path>$PRICEKIT_CH_DIR/format_schemas/</format_schema_path>
    <users_config>$PRICEKIT_CH_DIR/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <max_concurrent_queries>200</max_concurrent_queries>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
</yandex>
XML
  cat >"$PRICEKIT_CH_DIR/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
  # Keep an EXIT trap set before this one: it runs after the teardown.
  PRICEKIT_CH_PREV_TRAP=
  if [ -n "$(trap -p EXIT)" ]; then
    eval "set -- $(trap -p EXIT)"
    PRICEKIT_CH_PREV_TRAP=$3
  fi
  trap 'pricekit_ch_teardown' EXIT

  clickhouse-server --config-file="$PRICEKIT_CH_DIR/config.xml" >"$PRICEKIT_CH_DIR/stdout.log" 2>&1 &
  PRICEKIT_CH_PID=$!
  local i
  for i in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$http/?query=SELECT%201" >/dev/null 2>&1; then
      break
    fi
    if ! kill -0 "$PRICEKIT_CH_PID" 2>/dev/null; then
      cat "$PRICEKIT_CH_DIR/stdout.log" "$PRICEKIT_CH_DIR/server.err.log" 2>/dev/null
      return 1
    fi
    sleep 0.5
  done
  local version
  version=$(curl -fsS "http://127.0.0.1:$http/?query=SELECT%20version()") || {
    cat "$PRICEKIT_CH_DIR/server.err.log" 2>/dev/null; return 1; }
  export PRICEKIT_CLICKHOUSE_DSN="clickhouse://127.0.0.1:$tcp/default"
  echo "setup-clickhouse: ClickHouse $version on 127.0.0.1:$tcp, data in $PRICEKIT_CH_DIR"
}

# pricekit_ch_free_port prints a TCP port nothing listens on now.
pricekit_ch_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pricekit_ch_teardown() {
  local rc=$?
  if [ -n "${PRICEKIT_CH_PID:-}" ]; then
    kill "$PRICEKIT_CH_PID" 2>/dev/null || true
    wait "$PRICEKIT_CH_PID" 2>/dev/null || true
  fi
  if [ -n "${PRICEKIT_CH_DIR:-}" ] && [ -d "$PRICEKIT_CH_DIR" ]; then
    rm -rf "$PRICEKIT_CH_DIR"
  fi
  if [ -n "${PRICEKIT_CH_PREV_TRAP:-}" ]; then
    eval "$PRICEKIT_CH_PREV_TRAP"
  fi
  return $rc
}

pricekit_ch_setup
