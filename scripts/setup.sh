#!/usr/bin/env bash
# Sets up mesostp on a fresh machine; README.md's first command runs it.
#   1. npm packages (npm ci, only when package-lock.json changed since the last run);
#   2. the CLI bundle (dist/cli, only when a source is newer than it);
#   3. a WebGPU adapter: if `mesostp info` finds none (or only the OpenGL compatibility
#      path) and this is Debian 12 with root, the software driver of docs/platform.md (Mesa
#      lavapipe from bookworm-backports, EGL/GLES for the OpenGL fallback); elsewhere it says
#      what to install;
#   4. Debian's Chromium for the browser tests (same conditions);
#   5. Brian2 for `mesostp bench --peers` and its tests: Debian's python3-brian (same conditions)
#      when no Python imports brian2;
#   6. SLURM and munge for the cluster test (test/cluster, `mesostp slurm`): Debian's slurm-wlm,
#      slurmctld, slurmd and munge (same conditions) when sbatch, slurmctld, slurmd or munged is
#      missing. Nothing is configured or started here: the test starts its own single-node cluster.
# Idempotent: a second run checks each step and changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }
is_debian12_root() { grep -qs '^VERSION_CODENAME=bookworm' /etc/os-release && [ "$(id -u)" -eq 0 ]; }

# 1. npm packages
stamp=node_modules/.mesostp-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  log "npm packages up to date"
else
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

# 2. CLI bundle
bundle=dist/cli/mesostp.js
if [ -f "$bundle" ] && [ -z "$(find src shaders package.json vite.cli.config.ts -newer "$bundle" -print -quit)" ]; then
  log "CLI bundle up to date"
else
  log "building the CLI (npm run build:cli)"
  npm run --silent build:cli -- --logLevel warn
fi

# 3. WebGPU adapter
info_out=$(mktemp) info_err=$(mktemp)
trap 'rm -f "$info_out" "$info_err"' EXIT
webgpu_ok() { node bin/mesostp.js info >"$info_out" 2>"$info_err"; }
adapter_line() { sed -n 's/^adapter *//p' "$info_out"; }
is_core() { grep -q '^feature level *core' "$info_out"; }
if webgpu_ok && { is_core || ! is_debian12_root; }; then
  log "WebGPU works: $(adapter_line)"
elif is_debian12_root; then
  # No adapter, or only the OpenGL compatibility path: install Mesa's lavapipe (full core
  # WebGPU, the configuration the project is tested on) and the EGL/GLES fallback.
  log "no core WebGPU adapter: installing the software driver (Mesa lavapipe, EGL/GLES)"
  bash scripts/install-system-deps.sh --vulkan --gl
  if webgpu_ok; then
    log "WebGPU works: $(adapter_line)"
  else
    cat "$info_out" "$info_err" >&2
    log "WebGPU still does not work after installing the driver; see docs/platform.md"
    exit 1
  fi
else
  cat "$info_out" "$info_err" >&2
  log "no working WebGPU adapter, and this is not Debian 12 as root: install what the message above names."
  exit 1
fi

# 4. Chromium for the browser tests
chromium_bin=${MESOSTP_CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium_bin" ]; then
  log "Chromium for the browser tests: $chromium_bin"
elif is_debian12_root; then
  bash scripts/install-system-deps.sh --chromium
else
  log "no Chromium at $chromium_bin: the browser tests need one with WebGPU;"
  log "install Chromium or Chrome and set MESOSTP_CHROMIUM=/path/to/it (see docs/platform.md)"
fi

# 5. Brian2, the benchmark peer, found as bench/peers/brian2.ts finds it: MESOSTP_PYTHON if set,
# else python3 on the PATH, else /usr/bin/python3 (where Debian's package lives even when a pyenv
# or virtual-environment python3 comes first on the PATH).
brian_python() {
  local py candidates
  if [ -n "${MESOSTP_PYTHON:-}" ]; then candidates=("$MESOSTP_PYTHON"); else candidates=(python3 /usr/bin/python3); fi
  for py in "${candidates[@]}"; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -W ignore -c 'import brian2' 2>/dev/null; then
      echo "$py"
      return 0
    fi
  done
  return 1
}
if py=$(brian_python); then
  log "Brian2 for mesostp bench --peers: $("$py" -W ignore -c 'import brian2; print(brian2.__version__)') ($py)"
elif [ -z "${MESOSTP_PYTHON:-}" ] && is_debian12_root; then
  bash scripts/install-system-deps.sh --brian
else
  log "no Brian2 in ${MESOSTP_PYTHON:-python3 or /usr/bin/python3}: mesostp bench --peers and its tests need Brian2 2.5 or"
  log "later (pip install brian2, with a C++ compiler and make; MESOSTP_PYTHON=/path/to/python picks the interpreter)"
fi

# 6. SLURM for the cluster test
slurm_missing() {
  local tool
  for tool in sbatch squeue scontrol slurmctld slurmd munged; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || { echo "$tool"; return 0; }
  done
  return 1
}
if ! missing=$(slurm_missing); then
  log "SLURM for the cluster test: $(command -v sbatch), slurmctld, slurmd and munged found"
elif is_debian12_root; then
  log "no $missing: installing SLURM and munge for the cluster test"
  bash scripts/install-system-deps.sh --slurm
else
  log "no $missing: the cluster test (test/cluster) needs SLURM's slurmctld, slurmd, sbatch and munge;"
  log "install them (Debian: slurm-wlm munge) or see docs/cluster.md"
fi
log "done"
