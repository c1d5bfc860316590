#!/usr/bin/env bash
# Installs everything opguard needs to build and test, from Debian packages only.
# Run as root on Debian 12 (bookworm). Safe to run again.
set -euo pipefail
packages=(
  g++ cmake make            # C++20 compiler and build
  libboost-dev
  nlohmann-json3-dev
  libsimdjson-dev
  libyaml-cpp-dev           # OOS templates in YAML
  libcli11-dev
  catch2
  python3-jsonschema
)
missing=()
for p in "${packages[@]}"; do
  case "$p" in \#*) continue;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
