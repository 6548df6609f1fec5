#!/usr/bin/env bash
# The test command of README.md, and what CI runs: starts a throw-away PostgreSQL server
# on loopback (installing it with apt when it is missing), runs every test against it,
# and shuts it down again, whatever the outcome. First comes the lint gate: clippy with
# warnings denied, which includes the crate's no-panic lints on src/.
set -euo pipefail
cd "$(dirname "$0")/.."

# every phase is timed; the table is printed at the end, whatever the outcome
phases=()
started=$SECONDS
phase() {
  local name=$1 t0=$SECONDS
  shift
  "$@"
  phases+=("$(printf '%-34s %4ds' "$name" $((SECONDS - t0)))")
}
report_phases() {
  echo "scripts/test.sh: time per phase" >&2
  for line in "${phases[@]}"; do echo "  $line" >&2; done
  printf '  %-34s %4ds\n' "total" $((SECONDS - started)) >&2
}
trap report_phases EXIT

if ! cargo clippy --version >/dev/null 2>&1; then
  echo "scripts/test.sh: installing clippy with rustup" >&2
  rustup component add clippy
fi
phase "clippy, every target and feature" cargo clippy --workspace --all-targets --all-features -- -D warnings
# and the library as most hosts build it, with the default features: code only a feature
# uses must not warn there
phase "clippy, library, default features" cargo clippy -p permatrix --lib -- -D warnings
# the documented minimum Rust versions, from what every dependency declares (clippy's
# `incompatible_msrv` above holds the crate's own code to its `rust-version`)
phase "minimum Rust versions" python3 scripts/msrv.py

# installs a Debian package, as root or through sudo; a mirror can hiccup, so it tries a
# few times before giving up
apt_install() {
  local sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "scripts/test.sh: installing $1 with apt" >&2
  for attempt in 1 2 3; do
    if "${sudo_cmd[@]}" apt-get update -qq &&
       DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$1" >/dev/null; then
      return 0
    fi
    [ "$attempt" -eq 3 ] && { echo "scripts/test.sh: could not install $1 with apt" >&2; exit 1; }
    sleep 5
  done
}

# the HTML report's test drives Debian's Chromium headless; a plain `cargo test` skips it
# on a machine without one, here it must run
if [ -z "${PERMATRIX_CHROMIUM:-}" ] && ! [ -x /usr/bin/chromium ]; then
  apt_install chromium
fi
export PERMATRIX_REQUIRE_CHROMIUM=1

find_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "${PERMATRIX_PG_URL:-}" ]; then
  pg_bin=$(find_pg_bin)
  if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
    apt_install postgresql
    pg_bin=$(find_pg_bin)
  fi
  # PostgreSQL refuses to run as root: as root, the server runs as the unprivileged
  # `postgres` account that the Debian package creates.
  pg_dir=$(mktemp -d /tmp/permatrix-pg.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$pg_dir"
    as_pg=(runuser -u postgres --)
  else
    as_pg=()
  fi
  # run the server's tools from its own folder: the checkout may be closed to `postgres`
  pg() { (cd "$pg_dir" && "${as_pg[@]}" "$@"); }
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  stop_pg() {
    pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  }
  trap 'stop_pg; report_phases' EXIT
  pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  if ! pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c fsync=off" start >/dev/null; then
    echo "scripts/test.sh: PostgreSQL did not start; its log:" >&2
    cat "$pg_dir/server.log" >&2 || true
    exit 1
  fi
  # a URL: sqlx (the policy store) reads only that form; the `postgres` crate reads both
  export PERMATRIX_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "scripts/test.sh: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
fi

phase "tests, every target and feature" cargo test --workspace --all-targets --all-features
phase "doctests" cargo test -p permatrix --doc --all-features
# the docs stand alone: every intra-doc link must resolve
phase "docs, every link resolves" env RUSTDOCFLAGS="-D warnings" cargo doc -p permatrix --no-deps --all-features
# the comparison with casbin-rs and cedar-policy (suite/benches/compare) is type-checked, never
# run or built here: it measures, it does not test, and building it takes minutes
phase "suite/benches/compare type-checks" \
  cargo check --locked --all-targets --manifest-path suite/benches/compare/Cargo.toml
echo "scripts/test.sh: the HTML report's screenshot from Chromium: ${CARGO_TARGET_DIR:-target}/report-screenshot.png" >&2
