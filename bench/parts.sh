#!/usr/bin/env bash
# Where syscall accounting's cost goes, part by part (issue 13).  The floor
# loader does the parts of fastpath's accounting one at a time
# (bench/floor.bpf.c, `floor -l LEVEL -p PID`, levels 1-4); each level and
# fastpath itself (--no-io --no-stat --alloc=off) traces the stat() loop
# in turn, rounds alternating in a new random order, and the kernel's own
# per-program statistics (kernel.bpf_stats_enabled: run_time_ns / run_cnt
# of the sys_enter and sys_exit programs) say how long the programs ran per
# call.  Unlike the loop's own timing this leaves out everything outside
# the programs, so the noise of a shared machine mostly stays out too.  A
# part's cost is the difference of the medians of two levels; fastpath
# above level 4 is its own extra work.  The statistics add their own
# cost to every run (two clock reads): the floor's programs, empty, show
# it.  Prints markdown.
#   bench/parts.sh [--quick]
# Environment: BENCH_N (calls per run, 400,000), BENCH_ROUNDS (7),
# BENCH_CPU (the loop's CPU, the last one).
set -u
cd "$(dirname "$0")/.."
N=${BENCH_N:-400000}
ROUNDS=${BENCH_ROUNDS:-7}
CPU=${BENCH_CPU:-$(($(nproc) - 1))}
[ "${1:-}" = "--quick" ] && N=20000 ROUNDS=1
FP=$PWD/fastpath
LOOP=$PWD/build/workloads/statloop
FLOOR=$PWD/build/bench/floor
for f in "$FP" "$LOOP" "$FLOOR"; do
	[ -x "$f" ] || { echo "parts: $f missing: run 'make bench'" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "parts: needs root (BPF)" >&2; exit 1; }
T=$(mktemp -d /tmp/fastpath-parts.XXXXXX)
PIDS=()
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
cleanup() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
sysctl -qw kernel.bpf_stats_enabled=1

MODES=(floor floor-1 floor-2 floor-3 floor-4 fastpath)

# wait_for FILE PATTERN PID: until FILE holds PATTERN (10 s at most)
wait_for() {
	for _ in $(seq 400); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || { echo "parts: pid $3 exited before '$2'" >&2; return 1; }
		sleep 0.025
	done
	echo "parts: no '$2' in $1 within 10 s" >&2
	return 1
}

# "name run_cnt run_time_ns" of the programs of tracer pid $1 (by the ids
# it loaded: bpftool here cannot tell a program's owner, so the ids new
# since before it started)
snap() { # ids-file
	bpftool prog show -j | jq -r --slurpfile ids "$1" \
		'.[] | select(.id as $i | $ids[0] | index($i)) | "\(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"' | sort
}
prog_ids() { # names...: ids of loaded programs with these names, as JSON
	bpftool prog show -j | jq -c --args '[.[] | select(.name as $n | $ARGS.positional | index($n)) | .id]' "$@"
}

run_one() { # mode
	local mode=$1 lp tp en ex
	taskset -c "$CPU" "$LOOP" -w -t "$N" > "$T/loop.out" &
	lp=$!; PIDS+=("$lp")
	wait_for "$T/loop.out" '^ready' "$lp" || return 1
	case $mode in
	fastpath) en=fp_sys_enter ex=fp_sys_exit ;;
	*) en=floor_enter ex=floor_exit ;;
	esac
	prog_ids "$en" "$ex" > "$T/before"
	: > "$T/tr.err"
	case $mode in
	fastpath) "$FP" record --no-io --no-stat --alloc=off -p "$lp" -o "$T/fp.json" 2>"$T/tr.err" & tp=$! ;;
	floor) "$FLOOR" 2>"$T/tr.err" & tp=$! ;;
	*) "$FLOOR" -l "${mode#floor-}" -p "$lp" 2>"$T/tr.err" & tp=$! ;;
	esac
	PIDS+=("$tp")
	wait_for "$T/tr.err" attached "$tp" || { kill -9 "$lp" "$tp"; return 1; }
	prog_ids "$en" "$ex" | jq -c --slurpfile b "$T/before" '. - $b[0]' > "$T/ids"
	snap "$T/ids" > "$T/a"
	kill -USR1 "$lp"
	wait "$lp"
	snap "$T/ids" > "$T/b"
	kill -INT "$tp" 2>/dev/null	# fastpath stops by itself once its target is gone
	wait "$tp"
	# ns per run of each program; runs beyond the loop's N are other
	# processes' syscalls, which the filter drops at once (counted, shown)
	join "$T/a" "$T/b" | awk -v n="$N" -v m="$mode" -v d="$T" '{
		c = $4 - $2; t = $5 - $3
		if (c <= 0) next
		p = ($1 ~ /enter$/) ? "enter" : "exit"
		printf "%.2f\n", t / c >> (d "/" m "." p)
		printf "%d\n", c - n >> (d "/" m ".extra") }'
	if [ "$mode" = fastpath ]; then
		jq -r --argjson p "$lp" '[.processes[] | select(.pid == $p) | .syscalls.newfstatat.calls // 0] | add // 0' "$T/fp.json" >> "$T/fp.counts"
		jq -r '[.dropped[]?] | add // 0' "$T/fp.json" >> "$T/fp.drops"
	fi
}

median() { [ -s "$1" ] || { echo nan; return; }; sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "parts: $ROUNDS rounds of ${MODES[*]}, $N stat() calls per run, loop on CPU $CPU" >&2
for r in $(seq "$ROUNDS"); do
	mapfile -t order < <(printf '%s\n' "${MODES[@]}" | shuf)
	for m in "${order[@]}"; do
		run_one "$m" || echo "parts: $m run failed (round $r)" >&2
	done
done

cost() { # mode: enter + exit medians
	awk -v a="$(median "$T/$1.enter")" -v b="$(median "$T/$1.exit")" 'BEGIN {
		if (a == "nan" || b == "nan") print "nan"; else printf "%.1f\n", a + b }'
}
row() { # label mode previous-mode
	awk -v l="$1" -v m="$(cost "$2")" -v p="$(cost "$3")" -v a="$(median "$T/$2.enter")" \
		-v b="$(median "$T/$2.exit")" -v f="$(cost floor)" -v x="$(median "$T/$2.extra")" 'BEGIN {
		if (m == "nan") { printf "| %s | – | – | – | – |\n", l; exit }
		printf "| %s | %.1f + %.1f | %+.1f | %+.1f | %d |\n", l, a, b, (p == "nan" ? 0 : m - p), m - f, x }'
}
cat <<EOF
## Syscall accounting, part by part (\`bench/parts.sh\`)

The kernel's statistics of the sys_enter and sys_exit programs (\`kernel.bpf_stats_enabled\`, run time
over run count) while each mode traces $N \`stat()\` calls of the loop (CPU $CPU), $ROUNDS rounds in random
order, medians.  The levels are \`build/bench/floor -l LEVEL -p PID\` (bench/floor.bpf.c), each adding one
part to the one above; the statistics' own cost (two clock reads per run) is in every row, so the empty
floor's figure is that cost, not the dispatch, and only differences are meant to be read.

| mode | ns per run: sys_enter + sys_exit | the part: ns per syscall over the row above | over the empty programs | runs of other processes per run (median) |
|---|---:|---:|---:|---:|
EOF
row "the floor: empty programs" floor ""
row "1: the target filter (the current tgid compared)" floor-1 floor
row "2: + the start record in this CPU's slot (a per-CPU array, the thread id checked at exit)" floor-2 floor-1
row "3: + two bpf_ktime_get_ns() for the latency" floor-3 floor-2
row "4: + counters: a row and a cell (two inlined array lookups), calls/errors/total/min/max, histogram" floor-4 floor-3
row "fastpath record --no-io --no-stat --alloc=off" fastpath floor-4
all_eq() { awk -v v="$2" '{ n++; if ($1 == v) k++ } END { printf "%d/%d", k, n }' "$1"; }
echo
echo "fastpath counted newfstatat == $N in $(all_eq "$T/fp.counts" "$N") runs, dropped nothing in $(all_eq "$T/fp.drops" 0) runs."
