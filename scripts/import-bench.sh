#!/usr/bin/env bash
# Times the OpenAPI import of the largest public document at hand (GitHub's REST API, from the
# npm package @octokit/openapi: 13 MB, 1,223 operations) with `vayu-cli import` (release build)
# and with Postman's converter (openapi-to-postmanv2, Tags folders) under Node, and prints
# each one's wall time and peak memory (GNU time), and how many requests each made.
# Installs both npm packages in a temporary directory, never in the repository.
# Usage: scripts/import-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install -q @octokit/openapi@23.0.2 openapi-to-postmanv2@6.3.3 >/dev/null)
doc="$work/node_modules/@octokit/openapi/generated/api.github.com.json"
cargo build --quiet --release --bin vayu-cli
vayu="${CARGO_TARGET_DIR:-target}/release/vayu-cli"
cat > "$work/convert.js" <<'JS'
const c = require('openapi-to-postmanv2');
c.convert({type: 'string', data: require('fs').readFileSync(process.argv[2], 'utf8')},
  {folderStrategy: 'Tags'}, (err, res) => {
    if (err || !res.result) { console.error(err || res.reason); process.exit(1); }
    require('fs').writeFileSync(process.argv[3], JSON.stringify(res.output[0].data));
  });
JS
count() { node -e "let n=0;const w=(i)=>{for(const x of i){if(x.item)w(x.item);else n++}};w(require(process.argv[1]).item);console.log(n)" "$1"; }
for run in 1 2 3; do
  /usr/bin/time -f "vayu-cli import: %e s wall, %M KiB peak" "$vayu" import "$doc" -o "$work/vayu.json" 2>&1 | grep wall
  /usr/bin/time -f "openapi-to-postmanv2 (node $(node --version)): %e s wall, %M KiB peak" \
    node "$work/convert.js" "$doc" "$work/postman.json" 2>&1 | grep wall
done
echo "requests: vayu $(count "$work/vayu.json"), postman $(count "$work/postman.json")"
