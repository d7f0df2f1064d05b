#!/bin/sh
# Installs the Debian packages interlace needs, or says exactly how to.
# As root it runs one `apt-get update` and installs what is missing; otherwise it prints the
# apt-get line and fails. Nothing is downloaded from anywhere but the Debian archive.
set -eu

packages="clang-19 llvm-19-dev libclang-rt-19-dev librapidcheck-dev libgtest-dev libbenchmark-dev cmake"
# The libraries test/thirdparty/ runs real code of (issue 12), and Asio's examples (libasio-doc),
# one of which test/async runs. The build does not need them: a suite is left out when its
# package is missing. Installed when possible, never required.
optional="libconcurrentqueue-dev libboost-dev libboost-thread-dev libtbb-dev libabsl-dev libasio-dev libasio-doc"

missing=""
for package in $packages; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $package" ;;
  esac
done

missing_optional=""
for package in $optional; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing_optional="$missing_optional $package" ;;
  esac
done

if [ -n "$missing_optional" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "interlace: installing the third-party test suite's libraries:$missing_optional"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    if ! { apt-get update && apt-get install -y --no-install-recommends $missing_optional; }; then
      echo "interlace: could not install$missing_optional; test/thirdparty is left out" >&2
    fi
  else
    echo "interlace: test/thirdparty is left out until these are installed:$missing_optional" >&2
    echo "  sudo apt-get install -y --no-install-recommends$missing_optional" >&2
  fi
fi

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
