#!/bin/sh
# Install the Debian packages krg needs to build, boot and test, if missing.
set -e
PKGS="build-essential bc bison flex cpio xz-utils kmod libelf-dev libssl-dev
ccache cmake g++ pkg-config libnl-3-dev libnl-genl-3-dev
libgtest-dev googletest nlohmann-json3-dev linux-source-6.12 busybox-static qemu-system-x86
python3 python3-pytest python3-matplotlib iproute2 clang-format criu"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
