#!/usr/bin/env bash
# Installs the Debian 12 packages sbrtkit builds and runs with; skips those already installed.
# Runs as root (CI, fresh machines) or through sudo when available.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  libdcmtk-dev dcmtk            # DICOM reading/writing, RT objects, SEG
  libinsighttoolkit5-dev        # image series, registration, filters
  libvtk9-dev                   # meshes, rendering pictures
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libfmt-dev libsqlite3-dev
  dicom3tools                   # dciodvfy: validates the DICOM we write
  snakemake                     # workflow/: batch shards + merge (its test skips without it)
  python3-jsonschema            # the tests validate every JSON output against docs/schemas/
  libpng-dev                    # PNG slices embedded in the HTML report
  libcairo2-dev fonts-dejavu-core  # report/ pictures (MIPs, DVH plot) drawn with Cairo in DejaVu Sans
  chromium                      # headless render test of the HTML report (~100 MB; the test skips without it)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages present"
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "bootstrap: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
