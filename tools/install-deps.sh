#!/bin/sh
# install-deps.sh: installs, with apt-get, every Debian package bogie needs to build, test and benchmark. It is the
# first half of both set-up commands in README.md. Runs apt-get through sudo unless already root.
set -eu
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
PACKAGES="make gcc libc6-dev pkg-config python3 bzip2 gzip
  libexpat1-dev zlib1g-dev libbz2-dev libjansson-dev libdeflate-dev libxxhash-dev libreadosm-dev libcmocka-dev libunistring-dev tzdata
  osmium-tool hyperfine time"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
echo "install-deps: installed $(echo $PACKAGES | wc -w) packages"
