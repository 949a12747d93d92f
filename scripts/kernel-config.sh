#!/bin/sh
# Configure the krg kernel: tinyconfig + kernel/config/krg.config, then
# check that every option of the fragment survived olddefconfig.
# Usage: scripts/kernel-config.sh SRC OBJ FRAGMENT MAKEFLAGS...
set -e
src=$1
obj=$2
frag=$3
shift 3
mkdir -p "$obj"
make -s -C "$src" O="$obj" "$@" tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag" >/dev/null
make -s -C "$src" O="$obj" "$@" olddefconfig >/dev/null
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%=n}
		grep -q "^$opt=" "$obj/.config" && { echo "kernel-config: $opt is set, fragment wants it off" >&2; bad=1; } ;;
	CONFIG_*) grep -qx "$line" "$obj/.config" || { echo "kernel-config: '$line' did not survive (unmet dependency?)" >&2; bad=1; } ;;
	esac
done < "$frag"
[ $bad -eq 0 ] || exit 1
echo "kernel-config: $obj/.config ready"
