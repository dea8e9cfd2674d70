#!/usr/bin/env bash
# Builds, tests and packages the VS Code extension, as CI does: `npm ci`, `npm run build`,
# `npm test` (unit tests with node's test runner, grammar tests with
# vscode-tmgrammar-test), then scripts/package.sh: the release server and linter,
# stripped, bundled into the platform .vsix (falco-rules-linux-x64.vsix on this machine).
#
# Needs Node.js >= 18 and npm >= 9 (Debian 12's `apt-get install nodejs npm` is enough);
# installing them is .ci/run's job, this script only checks. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
    echo "editors/vscode/scripts/ci.sh: $*" >&2
    exit 1
}

command -v node >/dev/null || fail "node is not on PATH: install Node.js >= 18 (Debian 12: apt-get install -y nodejs npm)"
command -v npm >/dev/null || fail "npm is not on PATH: install npm >= 9 (Debian 12: apt-get install -y npm)"
node_version="$(node --version)"
node_major="${node_version#v}"
node_major="${node_major%%.*}"
[[ "$node_major" =~ ^[0-9]+$ ]] || fail "cannot read the Node.js version from '$node_version'"
((node_major >= 18)) || fail "Node.js $node_version is too old: the build needs >= 18"
npm_version="$(npm --version)"
npm_major="${npm_version%%.*}"
[[ "$npm_major" =~ ^[0-9]+$ ]] || fail "cannot read the npm version from '$npm_version'"
((npm_major >= 9)) || fail "npm $npm_version is too old: the lockfile needs >= 9"
echo "== node $node_version, npm $npm_version"

# Two runs in one working tree (two `cargo test`s at once) would delete each other's
# node_modules: the second waits for the first.
if command -v flock >/dev/null; then
    exec 9>.ci.lock
    flock 9
fi

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "== npm run build"
npm run --silent build

echo "== npm test"
npm test

if command -v python3 >/dev/null; then
    echo "== grammars up to date"
    python3 scripts/gen_grammars.py --check
fi

# The platform .vsix with the server and linter bundled (scripts/package.sh).
bash scripts/package.sh
