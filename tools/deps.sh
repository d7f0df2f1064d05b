#!/bin/sh
# Installs the Debian packages interlace needs, or says exactly how to.
# As root it runs one `apt-get update` and installs what is missing; otherwise it prints the
# apt-get line and fails. Nothing is downloaded from anywhere but the Debian archive.
set -eu

packages="clang-19 llvm-19-dev libclang-rt-19-dev librapidcheck-dev libgtest-dev libbenchmark-dev cmake"

missing=""
for package in $packages; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $package" ;;
  esac
done

if [ -z "$missing" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  echo "interlace: installing missing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  # shellcheck disable=SC2086
  apt-get install -y --no-install-recommends $missing
else
  echo "interlace: these Debian packages are missing:$missing" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi
