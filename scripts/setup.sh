#!/usr/bin/env bash
# Installs the Debian packages (arguments before `--`) and PyPI packages (after `--`) that are missing.
# Runs as root on CI and on a fresh Debian machine; uses sudo when it is not root.
set -euo pipefail
debs=(); pys=(); seen_sep=0
for a in "$@"; do
  if [ "$a" = "--" ]; then seen_sep=1; continue; fi
  if [ $seen_sep -eq 0 ]; then debs+=("$a"); else pys+=("$a"); fi
done
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v python3 >/dev/null || { $sudo apt-get update -qq; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 >/dev/null; }
for p in "${pys[@]}"; do
  python3 -c "import $p" 2>/dev/null && continue
  echo "setup: installing PyPI package: $p" >&2
  python3 -m pip install -q "$p" 2>/dev/null \
    || python3 -m pip install -q --break-system-packages "$p" 2>/dev/null \
    || { $sudo apt-get update -qq; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "python3-$p" >/dev/null; }
  python3 -c "import $p" || { echo "setup: could not install the Python package $p" >&2; exit 1; }
done
