#!/usr/bin/env bash
# Checks the dashboard in a real browser: headless Chromium driven through chromedriver, against
# an engine started with --token: the page asks for the token (and says when it is refused),
# starts a run from /ui/'s form (its target: the engine's own /health, so nothing else is
# needed; hence --allow-self-requests), sees the live numbers change, the run complete into its
# report drawn in the page and listed, its HTML report downloaded and opened from a file:// URL with the JSON report's
# numbers, a saved environment picked into the form, a saved collection run from it, and a
# refused run name its field; then the Manager's workbench as a person uses it
# (scripts/lib/ui_workbench.py, docs/ui.md). Installs chromium and chromium-driver from Debian when missing.
# CI runs it on the debug build.
# Usage: scripts/check-ui.sh [--release] [--screenshots DIR]   (docs/ holds the last ones)
set -euo pipefail
cd "$(dirname "$0")/.."
profile=debug shots=""
while [ $# -gt 0 ]; do
  case "$1" in
    --release) profile=release; shift ;;
    --screenshots) shots=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi
# The page's request model first, in Node (its conversions to and from the API's shapes).
node --test scripts/lib/request_model_test.mjs >/dev/null || node --test scripts/lib/request_model_test.mjs
if [ "$profile" = release ]; then cargo build --release --quiet --bin vayu-engine; else cargo build --quiet --bin vayu-engine; fi
engine_bin="${CARGO_TARGET_DIR:-target}/$profile/vayu-engine"
token=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
# Its runs target the engine itself, which an engine refuses unless told (docs/api.md).
engine_args="--token $token --allow-self-requests"
# shellcheck source=scripts/lib/start-engine.sh
. scripts/lib/start-engine.sh
python3 scripts/lib/ui_check.py "http://127.0.0.1:$port" "$token" "${shots:-$work}" "$work"
