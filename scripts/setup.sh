#!/usr/bin/env bash
# Installs everything opguard needs to build and test, from Debian packages only.
# Run as root on Debian 12 (bookworm). Safe to run again. --fuzz adds clang for scripts/fuzz.sh.
set -euo pipefail
packages=(
  g++ cmake make            # C++20 compiler and build
  libboost-dev
  nlohmann-json3-dev
  libsimdjson-dev
  libyaml-cpp-dev           # OOS templates in YAML
  libcli11-dev
  libmimalloc-dev           # the allocator of the opguard binary (2 MiB pages for small inputs)
  catch2
  python3-jsonschema
  python3-yaml              # tests: run the GitHub Actions workflow's and pre-commit hook's commands
  dpkg-dev                  # cpack -G DEB: dpkg-shlibdeps writes the package's Depends
  zsh fish                  # tests: the shell completions are parsed by their shells
  pre-commit                # tests: the pre-commit hook run by the real pre-commit (try-repo, remote repo)
  libxml2-utils             # tests: xmllint validates the JUnit reports against the Jenkins schema (junit-10.xsd)
)
# Optional tools, only for scripts/fuzz.sh (libFuzzer needs clang): bash scripts/setup.sh --fuzz
if [[ ${1:-} == --fuzz ]]; then
  packages+=(clang-14 libclang-rt-14-dev)
fi
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
