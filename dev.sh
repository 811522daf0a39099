#!/usr/bin/env bash
# Quick start (see README):
#   ./dev.sh build   installs everything, then builds every example document into out/
#   ./dev.sh test    installs everything, then runs the whole test suite
#   ./dev.sh bench   installs everything, then runs the build benchmark (bench/run.py, BENCHMARKS.md)
#   ./dev.sh check   the everyday loop: ruff, mypy, the layers contract and the fast tier (no apt)
set -euo pipefail
cd "$(dirname "$0")"

# What WeasyPrint needs to lay out and subset fonts; what the tests need to read the outputs back
# (LibreOffice opens the Word files, and Calc the CSV manifests; Chromium loads the HTML pages,
# where axe-core checks them; poppler's pdftotext reads where each word of a PDF lies).
BUILD_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2)
TEST_PACKAGES=(libreoffice-writer libreoffice-calc python3-uno chromium poppler-utils)

missing_system_packages() {
  # the packages of "$@" that dpkg does not have installed, one per line
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || echo "$package"
  done
}

install_system_packages() {
  local missing
  mapfile -t missing < <(missing_system_packages "$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "Paquets système manquants (à installer avec le gestionnaire de paquets) : ${missing[*]}" >&2
    exit 1
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installation des paquets système : ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

require_system_packages() {
  # the everyday loop installs no system package: it says which are missing
  local missing
  mapfile -t missing < <(missing_system_packages "$@")
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Paquets système manquants : ${missing[*]} ; lancez une fois ./dev.sh test (qui les installe)" >&2
    exit 1
  fi
}

install_browser_test_tools() {
  # axe-core, the accessibility engine the tests inject into Chromium, at the version of the lock file
  command -v npm >/dev/null || install_system_packages nodejs npm
  if [ ! -f tests/navigateur/node_modules/axe-core/axe.min.js ] ||
     [ tests/navigateur/package-lock.json -nt tests/navigateur/node_modules/.package-lock.json ]; then
    npm ci --prefix tests/navigateur --no-audit --no-fund --loglevel=error >/dev/null
  fi
}

install_python_environment() {
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[${1:-test}]"
}

case "${1:-}" in
  build)
    install_system_packages "${BUILD_PACKAGES[@]}"
    install_python_environment
    .venv/bin/arsdocs check
    .venv/bin/arsdocs build all
    ;;
  test)
    install_system_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    install_browser_test_tools
    install_python_environment
    exec .venv/bin/python -m pytest "${@:2}"
    ;;
  check)
    require_system_packages "${BUILD_PACKAGES[@]}"
    install_python_environment
    .venv/bin/ruff check src tests bench tools
    .venv/bin/mypy src
    .venv/bin/lint-imports --no-cache --no-logo
    exec .venv/bin/python -m pytest -m "not slow" "${@:2}"
    ;;
  bench)
    install_system_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    install_python_environment "test,bench"
    exec .venv/bin/python bench/run.py "${@:2}"
    ;;
  *)
    echo "Usage : ./dev.sh build | test [options de pytest] | check [options de pytest] | bench [options du banc d'essai]" >&2
    exit 2
    ;;
esac
