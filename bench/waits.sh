#!/usr/bin/env bash
# Scheduler waits (--waits): the cost per context switch.  `waits pingpong N
# CPU` passes a byte N times between two threads pinned to one CPU over two
# pipes: every hand-over blocks one thread and wakes the other, about 2N
# context switches (the workload prints its own count, getrusage).  Each case
# runs the workload with N round trips and with none, under hyperfine, bare
# and under `fastpath record -c waits` started before the runs (its start-up
# is not in the figures; each run is held at exec while its probes attach,
# the same for N and 0, so that cancels).  Added cost per switch:
#   ((traced N - traced 0) - (base N - base 0)) / switches
# against bare, and for --waits also against the default (what --waits adds
# on top of the syscall family, which the pipe read/write also pays).  One
# more case runs the loop untraced while `fastpath record --waits` traces an
# idle process: sched_switch fires on every switch of the machine, so this
# is what --waits costs everything else.  Prints markdown.
#   N_SWITCH=200000 RUNS=5 bench/waits.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N_SWITCH:-200000}
RUNS=${RUNS:-5}
if [ "${1:-}" = "--quick" ]; then N=20000; RUNS=1; fi
CPU=$(($(nproc) - 1))
FP=$PWD/fastpath
W=$PWD/build/workloads/waits
die() { echo "bench/waits.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (BPF)"
[ -x "$FP" ] && [ -x "$W" ] || die "build first: make all workloads"
command -v hyperfine > /dev/null || die "hyperfine missing: make deps"

D=$(mktemp -d /tmp/fastpath-bench-waits.XXXXXX)
. bench/bg.sh.inc
IDLE=
cleanup() {
	bg_stop
	if [ -n "$IDLE" ]; then kill "$IDLE" 2>/dev/null; wait "$IDLE" 2>/dev/null || true; fi
	rm -rf "$D"
}
trap cleanup EXIT


median() { # rounds
	hyperfine --shell=none --style none --warmup 1 --runs "$RUNS" --export-json "$D/h.json" \
		"$W pingpong $1 $CPU" > /dev/null 2>&1 || return 1
	jq '.results[0].median' "$D/h.json"
}

switches=$("$W" pingpong "$N" "$CPU" | jq .switches) || die "the workload failed"
rows=()
case_() { # name fastpath-args... ("-" for bare)
	local name=$1 tn t0 offs=-; shift
	if [ "$1" != - ]; then
		bg_start "$FP" record -o "$D/r.json" "$@" || { rows+=("$name|||fastpath failed|"); return; }
	fi
	tn=$(median "$N") && t0=$(median 0) || { rows+=("$name|||hyperfine failed|"); [ -z "$BG" ] || bg_stop; return; }
	if [ -n "$BG" ]; then
		bg_stop
		offs=$(jq '[.processes[] | .wait.off_cpu.count // 0] | add // 0' "$D/r.json")
	fi
	rows+=("$name|$tn|$t0|$offs|")
}
sleep 600 & IDLE=$!
case_ bare -
case_ "fastpath (default families)" -c waits
case_ "fastpath --waits" --waits -c waits
case_ "fastpath --waits=stacks" --waits=stacks -c waits
case_ "fastpath --waits on another, idle process" --waits -p "$IDLE"

field() { echo "${rows[$1]}" | cut -d'|' -f"$2"; }
echo "## Scheduler waits (\`bench/waits.sh\`)"
echo
echo "\`waits pingpong $N $CPU\`: $N round trips between two threads pinned to CPU $CPU over two pipes, $switches context switches counted by the workload (getrusage); with 0 round trips to cancel start-up; hyperfine, $RUNS runs + 1 warm-up, medians; fastpath attached before the runs."
echo
echo "| case | median s ($N) | median s (0) | off-CPU periods counted (all runs) | added per switch vs bare | vs the default |"
echo "|---|---:|---:|---:|---:|---:|"
for i in "${!rows[@]}"; do
	IFS='|' read -r n tn t0 offs _ <<< "${rows[$i]}"
	if [ -z "$tn" ]; then echo "| $n | - | - | - | $offs | |"; continue; fi
	awk -v n="$n" -v tn="$tn" -v t0="$t0" -v bn="$(field 0 2)" -v b0="$(field 0 3)" \
		-v dn="$(field 1 2)" -v d0="$(field 1 3)" -v o="$offs" -v s="$switches" -v i="$i" 'BEGIN {
		vb = vd = "-"
		if (i > 0 && bn != "") vb = sprintf("%.0f ns", ((tn - t0) - (bn - b0)) / s * 1e9)
		if ((n ~ /^fastpath --waits/ && n !~ /idle/) && dn != "") vd = sprintf("%.0f ns", ((tn - t0) - (dn - d0)) / s * 1e9)
		printf "| %s | %.3f | %.3f | %s | %s | %s |\n", n, tn, t0, o, vb, vd }'
done
