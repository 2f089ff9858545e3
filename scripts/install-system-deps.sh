#!/usr/bin/env bash
# Installs what WebGPU needs on a Debian 12 machine without a GPU (see docs/platform.md):
#   - Mesa >= 25 Vulkan drivers (lavapipe) from bookworm-backports: Dawn rejects Debian 12's
#     own Mesa 22.3 lavapipe, so the backports source is added when it is missing;
#   - the EGL/GLES libraries for Dawn's OpenGL fallback (compatibility mode);
#   - Debian's Chromium (ships SwiftShader) for the browser tests;
#   - Debian's Brian2 (python3-brian) for `mesostp bench --peers`, with what its cython target
#     (python3-dev, a C++ compiler) and its C++ standalone mode (g++ with OpenMP, make) build with;
#   - Debian's SLURM (slurm-wlm: slurmctld, slurmd, the client commands) and munge, for the test
#     of `mesostp slurm` on a single-node cluster (test/cluster; the test configures and starts it).
# Idempotent: every step checks first and does nothing when already done.
# Usage: scripts/install-system-deps.sh [--vulkan] [--gl] [--chromium] [--brian] [--slurm]   (no flag: all)
set -euo pipefail

want_vulkan=0 want_gl=0 want_chromium=0 want_brian=0 want_slurm=0
[ $# -eq 0 ] && set -- --vulkan --gl --chromium --brian --slurm
for a in "$@"; do
  case "$a" in
    --vulkan) want_vulkan=1 ;;
    --gl) want_gl=1 ;;
    --chromium) want_chromium=1 ;;
    --brian) want_brian=1 ;;
    --slurm) want_slurm=1 ;;
    *) echo "unknown option: $a" >&2; exit 2 ;;
  esac
done

log() { printf '[system-deps] %s\n' "$*"; }

if ! [ -r /etc/debian_version ] || ! grep -q '^VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
  log "not Debian 12 (bookworm): install a Vulkan driver (or use a machine with a GPU) and Chromium yourself,"
  log "and for \`mesostp bench --peers\` Brian2 2.5 or later (pip install brian2) with a C++ compiler and make."
  log "See docs/platform.md for what works."
  exit 3
fi
if [ "$(id -u)" -ne 0 ]; then
  log "not root: run this script as root (sudo $0), or install the packages it names yourself."
  exit 3
fi

export DEBIAN_FRONTEND=noninteractive
apt_updated=0
apt_update() { if [ $apt_updated -eq 0 ]; then apt-get update -qq; apt_updated=1; fi; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
# install_missing WHAT WHY PACKAGE...: installs those of the packages that are missing (WHY says what
# for), or says that WHAT is already installed.
install_missing() {
  local what=$1 why=$2 p
  shift 2
  local missing=()
  for p in "$@"; do installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then
    log "$what already installed"
    return
  fi
  apt_update
  log "installing ${missing[*]}${why:+ ($why)}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

backports_file=/etc/apt/sources.list.d/mesostp-bookworm-backports.sources
add_backports() {
  if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then return; fi
  local src=/etc/apt/sources.list.d/debian.sources
  if ! [ -r "$src" ]; then
    log "cannot find $src to derive a bookworm-backports source from; add one by hand (Suites: bookworm-backports)."
    exit 3
  fi
  # Copy the system's first deb822 stanza and change only its Suites line, so the project
  # never writes a mirror address of its own.
  awk 'BEGIN{p=1} /^[[:space:]]*$/{if(seen)exit} {seen=1; if($1=="Suites:"){print "Suites: bookworm-backports"} else print}' "$src" >"$backports_file"
  log "added $backports_file"
  apt_updated=0
}

mesa_vulkan_ok() {
  installed mesa-vulkan-drivers || return 1
  local v; v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)
  dpkg --compare-versions "$v" ge 25 && installed libvulkan1
}

if [ $want_vulkan -eq 1 ]; then
  if mesa_vulkan_ok; then
    log "Mesa Vulkan (lavapipe) $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) already installed"
  else
    add_backports
    apt_update
    log "installing mesa-vulkan-drivers and libvulkan1 from bookworm-backports"
    apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
  fi
fi

if [ $want_gl -eq 1 ]; then
  install_missing "EGL/GLES libraries" "" libegl1 libegl-mesa0 libgl1 libgles2
fi

if [ $want_chromium -eq 1 ]; then
  if command -v chromium >/dev/null 2>&1; then
    log "Chromium already installed ($(chromium --version 2>/dev/null | head -1))"
  else
    apt_update
    log "installing Debian's chromium (for the browser tests)"
    apt-get install -y -qq --no-install-recommends chromium >/dev/null
  fi
fi

if [ $want_brian -eq 1 ]; then
  # python3-brian's own dependencies bring cython3 and numpy; the rest is only "Suggests" there but
  # needed here: Python.h for the cython target, g++ (OpenMP is libgomp, part of gcc) and make for
  # the C++ standalone build.
  install_missing "Brian2 $(dpkg-query -W -f='${Version}' python3-brian 2>/dev/null)" "Brian2, for mesostp bench --peers" python3-brian python3-dev g++ make
  if ! /usr/bin/python3 -c 'import brian2' 2>/dev/null; then
    log "python3-brian is installed but /usr/bin/python3 cannot import brian2"
    exit 1
  fi
fi

if [ $want_slurm -eq 1 ]; then
  # Only installed: Debian's packages try to start the daemons through systemd, which these
  # machines may not run, and the test of `mesostp slurm` writes its own configuration and starts
  # munged, slurmctld and slurmd itself (test/cluster/slurmCluster.ts).
  install_missing "SLURM $(dpkg-query -W -f='${Version}' slurm-wlm 2>/dev/null) and munge" "a single-node SLURM cluster for the test of mesostp slurm" slurm-wlm munge
fi
