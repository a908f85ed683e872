#!/usr/bin/env bash
# Install the editors' language servers the schema tests drive (yaml-language-server, Taplo's
# LSP) into tools/editor/node_modules, from the npm registry, at the versions in
# tools/editor/package-lock.json. Needs node >= 18 and npm; tests skip with a reason without them.
set -euo pipefail
cd "$(dirname "$0")/editor"
command -v npm >/dev/null || { echo "npm not found: the editor-server tests will be skipped" >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error
