#!/bin/sh
# Configure the krg kernel: tinyconfig + the fragments (kernel/config/
# krg.config, and debug.config for the debug kernel), then check that
# every option of each fragment survived olddefconfig.
# Usage: scripts/kernel-config.sh SRC OBJ FRAGMENT[,FRAGMENT...] MAKEFLAGS...
set -e
src=$1
obj=$2
frags=$(echo "$3" | tr , ' ')
shift 3
mkdir -p "$obj"
make -s -C "$src" O="$obj" "$@" tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" $frags >/dev/null
make -s -C "$src" O="$obj" "$@" olddefconfig >/dev/null
# One "x" per option that did not come out as its fragment says.
bad=$(cat $frags | while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%=n}
		grep -q "^$opt=" "$obj/.config" &&
			{ echo "kernel-config: $opt is set, fragment wants it off" >&2; echo x; } ;;
	CONFIG_*) grep -qx "$line" "$obj/.config" ||
			{ echo "kernel-config: '$line' did not survive (unmet dependency?)" >&2; echo x; } ;;
	esac
done)
[ -z "$bad" ] || exit 1
echo "kernel-config: $obj/.config ready"
