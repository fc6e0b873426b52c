#!/usr/bin/env bash
# After the whole suite: no bolsillo mount, cgroup or daemon process may remain.
set -u
fail=0
if grep -E 'bolsillo' /proc/mounts; then
	echo "leftovers: mounts above are still there" >&2
	fail=1
fi
for d in /sys/fs/cgroup/bolsillo-* /sys/fs/cgroup/*/bolsillo-*; do
	[ -d "$d" ] || continue
	if find "$d" -mindepth 1 -type d | grep -q .; then
		echo "leftovers: container cgroups under $d:" >&2
		find "$d" -mindepth 1 -type d >&2
		fail=1
	fi
done
# Network devices: the daemons' bridges (bsl + 8 hex) and the containers'
# host-side veths (veth + 10 hex).
if command -v ip >/dev/null && ip -o link show | grep -E ': (bsl[0-9a-f]{8}|veth[0-9a-f]{10})[@:]' >&2; then
	echo "leftovers: network devices above are still there" >&2
	fail=1
fi
# And their NAT rules.
if command -v iptables-save >/dev/null && iptables-save 2>/dev/null | grep -E 'bsl[0-9a-f]{8}' >&2; then
	echo "leftovers: iptables rules above are still there" >&2
	fail=1
fi
# Daemons of the test suite run on data roots under bolsillo-e2e-*.
if pgrep -af bolsillod | grep -q 'bolsillo-e2e-'; then
	echo "leftovers: test daemons still running:" >&2
	pgrep -af bolsillod | grep 'bolsillo-e2e-' >&2
	fail=1
fi
[ $fail = 0 ] && echo "leftovers: none (mounts, cgroups, network devices, iptables rules, processes)"
exit $fail
