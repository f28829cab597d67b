#!/bin/sh
# Installs SoftHSM2, the software HSM the PKCS#11 keyring tests run against.
# Debian/Ubuntu: the module lands in /usr/lib/softhsm/libsofthsm2.so (see `dpkg -L softhsm2`).
# Tests make tokens of their own (softhsm2-util --init-token under their own SOFTHSM2_CONF),
# so nothing here touches the machine's token directory.
set -eu
if command -v softhsm2-util >/dev/null 2>&1; then
  echo "softhsm2 already installed: $(softhsm2-util --version)"
  exit 0
fi
SUDO=''
if [ "$(id -u)" -ne 0 ]; then SUDO='sudo'; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends softhsm2
softhsm2-util --version
dpkg -L softhsm2 libsofthsm2 2>/dev/null | grep 'libsofthsm2.so$' || true
