#!/usr/bin/env bash
# make demo: fastpath on bundled workloads, so a new user sees real output.
set -eu
cd "$(dirname "$0")/.."
W=build/workloads
echo "== fastpath record -- build/workloads/sysloop 100000 20000"
echo "   (100,000 getppid calls and 20,000 openat calls on a missing path)"
./fastpath record -- "$W/sysloop" 100000 20000

# The live view over three workloads that play the stories fastpath is for.
# Each stops by itself after $secs seconds; whatever is left is killed by PID.
secs=60
pids=()
stop_workloads() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap stop_workloads EXIT
"$W/demo_fileserver" "$secs" & pids+=($!)
"$W/demo_statstorm" "$secs" & pids+=($!)
"$W/demo_alloc" "$secs" & pids+=($!)
list=$(IFS=,; echo "${pids[*]}")
# libc's malloc is probed only in exact mode (the default samples Go only);
# --stacks adds the allocation sites to the detail.
extra=()
if ./fastpath top --help | grep -q -- '--alloc='; then extra=(--alloc=exact --stacks); fi
echo
echo "== fastpath top ${extra[*]} -p $list"
echo "   a file server that lost sendfile, a stat storm and an allocation churn, live"
if [ -t 0 ] && [ -t 1 ]; then
	echo "   q quits (it also ends after $secs s); try Enter on a row for its detail and histograms,"
	echo "   S/T/A/Y to sort by syscalls, stat calls, allocations or copied bytes, h for help."
	sleep 4
	./fastpath top -q "${extra[@]}" -p "$list" -d "$secs"
else
	echo "   (no terminal: batch mode, 3 intervals; run 'make demo' in a terminal for the live view)"
	./fastpath top -b -q "${extra[@]}" -n 3 -p "$list"
fi
