#!/usr/bin/env bash
# Install the official MCP reference servers that tests/e2e/test_reference_servers.py runs behind
# `mcp-firewall wrap`, into DIR (default build/reference-servers, git-ignored), idempotently:
#
#   DIR/npm/node_modules/@modelcontextprotocol/server-{filesystem,memory,everything}   (npm)
#   DIR/{git,time,fetch}/bin/mcp-server-{git,time,fetch}                              (one venv each)
#
# Every version is pinned exactly; a rerun with everything in place installs nothing. Node.js and
# npm come from Debian (apt-get, with sudo when not root) when `node` is missing. The tests find the
# servers through REFERENCE_SERVERS_DIR (or build/reference-servers) and skip without them, except
# under CI=true, where a missing server fails.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR="${1:-build/reference-servers}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
PYTHON="${PYTHON:-python3}"

NPM_VERSION="2026.8.31"
NPM_PACKAGES=(server-filesystem server-memory server-everything)
declare -A PYPI_PINS=(
  [git]="mcp-server-git==2026.10.19"
  [time]="mcp-server-time==2026.10.19"
  [fetch]="mcp-server-fetch==2026.10.24"
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "reference servers: installing Debian nodejs and npm" >&2
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
fi

npm_installed() {  # the installed version of @modelcontextprotocol/$1, or nothing
  local manifest="$DIR/npm/node_modules/@modelcontextprotocol/$1/package.json"
  [ -f "$manifest" ] && node -p "require(process.argv[1]).version" "$manifest" 2>/dev/null || true
}

missing=()
for package in "${NPM_PACKAGES[@]}"; do
  if [ "$(npm_installed "$package")" != "$NPM_VERSION" ]; then
    missing+=("@modelcontextprotocol/$package@$NPM_VERSION")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "reference servers: npm install ${missing[*]}" >&2
  mkdir -p "$DIR/npm"
  npm install --prefix "$DIR/npm" --save-exact --no-audit --no-fund --loglevel=error "${missing[@]}"
fi

for name in "${!PYPI_PINS[@]}"; do
  pin="${PYPI_PINS[$name]}"
  venv="$DIR/$name"
  if [ -x "$venv/bin/mcp-server-$name" ]; then
    installed="$("$venv/bin/python" -m pip freeze 2>/dev/null || true)"
    if grep -qixF "$pin" <<<"$installed"; then
      continue
    fi
  fi
  echo "reference servers: pip install $pin into $venv" >&2
  [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "$pin"
done

echo "reference servers: ready in $DIR" >&2
