#!/usr/bin/env bash
# Installs what tests/e2e/test_vscode.py needs, offline but for the package registries:
# Debian packages (build tools for code-server's native modules, ripgrep, chromium),
# code-server 4.100.3 into a cache folder outside the repository, and Playwright (PyPI)
# into the current Python environment. Idempotent: every step is skipped when already done.
#
# Environment:
#   SKEPTIC_E2E_CACHE  where code-server goes (default: ~/.cache/skeptic-e2e)
#   PYTHON             the Python whose environment gets Playwright
#                      (default: $VIRTUAL_ENV/bin/python, else python3)
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# @vscode/ripgrep version inside code-server 4.100.3, and the asset its postinstall wants.
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
APT_PACKAGES=(build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev
  ripgrep chromium)

CACHE="${SKEPTIC_E2E_CACHE:-$HOME/.cache/skeptic-e2e}"
if [[ -n "${PYTHON:-}" ]]; then
  :
elif [[ -n "${VIRTUAL_ENV:-}" ]]; then
  PYTHON="$VIRTUAL_ENV/bin/python"
else
  PYTHON=python3
fi

now_ms() { echo $(($(date +%s%N) / 1000000)); }
elapsed() { local ms=$(($(now_ms) - $1)); printf '%d.%01d s' $((ms / 1000)) $((ms % 1000 / 100)); }
start_all=$(now_ms)
step_start=$start_all
step() { step_start=$(now_ms); echo "==> $*"; }
done_step() { echo "    $1 ($(elapsed "$step_start"))"; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

step "Debian packages"
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  echo "    installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
  done_step "installed"
else
  done_step "already installed"
fi

step "code-server $CODE_SERVER_VERSION in $CACHE/code-server"
cs_bin="$CACHE/code-server/node_modules/.bin/code-server"
if [[ -x "$cs_bin" ]] && "$cs_bin" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "; then
  done_step "already installed"
else
  [[ $(uname -m) == x86_64 ]] || { echo "only x86_64 is supported (ripgrep seed)" >&2; exit 1; }
  rg_bin=$(command -v rg) || { echo "ripgrep (rg) not found" >&2; exit 1; }
  dir="$CACHE/code-server"
  rm -rf "$dir"
  mkdir -p "$dir/tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
  # @vscode/ripgrep would download rg from GitHub; seed its download cache with Debian's rg.
  cp "$rg_bin" "$dir/tmp/rg"
  tar czf "$dir/tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION/$RIPGREP_ASSET" \
    -C "$dir/tmp" rg
  echo '{"name":"skeptic-e2e-code-server","private":true}' >"$dir/package.json"
  # Workarounds: postinstall refuses root without unsafe-perm; node-pty runs `npx node-gyp`,
  # which ~/.npmrc's yes=false would cancel.
  (cd "$dir" && TMPDIR="$dir/tmp" npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" \
    >"$dir/npm-install.log" 2>&1) || {
    tail -n 40 "$dir/npm-install.log" >&2
    exit 1
  }
  rm -rf "$dir/tmp"
  "$cs_bin" --version | head -n 1
  done_step "installed"
fi

step "Playwright for $PYTHON"
if "$PYTHON" -c "import playwright.sync_api" 2>/dev/null; then
  done_step "already installed"
else
  "$PYTHON" -m pip install --quiet playwright 2>&1 | grep -v "is ignored" || true
  "$PYTHON" -c "import playwright.sync_api"
  done_step "installed"
fi

echo "setup-e2e: done in $(elapsed "$start_all") (code-server: $cs_bin)"
