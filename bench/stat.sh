#!/usr/bin/env bash
# Stat storm benchmark: 1,000,000 stat calls (build/workloads/statloop) bare,
# under fastpath (syscall accounting only, + stat family with paths, + stat
# family with --no-paths) and under bpftrace counting the same calls.
# Run from the repo root as root after `make all workloads`; prints a
# markdown table of hyperfine medians and ratios to bare.
#   N=1000000 RUNS=5 bench/stat.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
RUNS=${RUNS:-5}
FP=$PWD/fastpath
LOOP=$PWD/build/workloads/statloop
die() { echo "bench/stat.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (BPF)"
[ -x "$FP" ] && [ -x "$LOOP" ] || die "build first: make all workloads"
command -v hyperfine > /dev/null || die "hyperfine missing: make deps"
command -v jq > /dev/null || die "jq missing: make deps"

D=$(mktemp -d /tmp/fastpath-bench-stat.XXXXXX)
BG=
cleanup() { [ -n "$BG" ] && kill -INT "$BG" 2>/dev/null && wait "$BG" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT

# Start a tracer in the background; wait for its "ready" line ($1) in stderr.
bg_start() {
	local ready=$1; shift
	"$@" > "$D/bg.out" 2> "$D/bg.err" &
	BG=$!
	for _ in $(seq 200); do
		grep -q "$ready" "$D/bg.err" "$D/bg.out" 2>/dev/null && { sleep 0.5; return 0; }
		kill -0 "$BG" 2>/dev/null || { BG=; return 1; }
		sleep 0.05
	done
	return 1
}
bg_stop() { kill -INT "$BG" 2>/dev/null; wait "$BG" 2>/dev/null || true; BG=; }

# median seconds of RUNS runs of the loop
measure() {
	hyperfine --shell=none --style none --warmup 1 --runs "$RUNS" \
		--export-json "$D/h.json" "$LOOP $N" > /dev/null 2>&1 || return 1
	jq '.results[0].median' "$D/h.json"
}

rows=()
row() { rows+=("$1|$2|$3"); }

bare=$(measure) || die "hyperfine failed on the bare loop"
row "bare" "$bare" "-"

# fastpath attached by command name, so every run of the loop is traced from
# its exec; the recording is checked: every call counted.
fp_case() {
	local name=$1; shift
	local t counted
	bg_start attached "$FP" record -c statloop -o "$D/r.json" "$@" || { row "$name" "" "fastpath failed: $(tail -1 "$D/bg.err")"; return; }
	t=$(measure) || t=
	bg_stop
	counted=$(jq '[.processes[] | select(.comm == "statloop") | (.stat.by_syscall.newfstatat.calls // .syscalls.newfstatat.calls // 0)] | add // 0' "$D/r.json")
	row "$name" "$t" "$counted calls counted (expected >= $((N * (RUNS + 1))))"
}
fp_case "fastpath --no-stat (syscalls only)" --no-stat
fp_case "fastpath (syscalls + stat, paths)"
fp_case "fastpath --no-paths (syscalls + stat)" --no-paths

# bpftrace counting the same calls: the syscall tracepoint, with tracefs
# mounted in a mount namespace of its own (this machine does not mount it;
# bpftrace 0.17 reads tracepoint formats there), else a uprobe on libc's
# stat (what statloop calls).
if command -v bpftrace > /dev/null; then
	bt_ok=
	for prog in \
		'tracepoint:syscalls:sys_exit_newfstatat /comm == "statloop"/ { @calls = count(); }' \
		'uprobe:/lib/x86_64-linux-gnu/libc.so.6:stat /comm == "statloop"/ { @calls = count(); }'; do
		if bg_start Attaching unshare -m sh -c 'mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; exec bpftrace -e "$0"' "$prog"; then
			t=$(measure) || t=
			bg_stop
			row "bpftrace (${prog%% *})" "$t" "$(grep -o '@calls: [0-9]*' "$D/bg.out" | head -1)"
			bt_ok=1
			break
		fi
	done
	[ -n "$bt_ok" ] || row "bpftrace" "" "cannot attach here: $(grep -m1 -E 'ERROR|open' "$D/bg.err" || true)"
else
	row "bpftrace" "" "not installed"
fi

echo "### Stat storm: $N stat() calls, median of $RUNS runs (hyperfine)"
echo
echo "| case | median (s) | ratio to bare | overhead per call (ns) | notes |"
echo "|---|---:|---:|---:|---|"
for r in "${rows[@]}"; do
	IFS='|' read -r name t note <<< "$r"
	if [ -z "$t" ]; then
		echo "| $name | n/a | n/a | n/a | $note |"
	else
		awk -v n="$name" -v t="$t" -v b="$bare" -v N="$N" -v note="$note" \
			'BEGIN { printf "| %s | %.3f | %.2f | %.0f | %s |\n", n, t, t / b, (t - b) / N * 1e9, note }'
	fi
done
