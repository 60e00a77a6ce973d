#!/usr/bin/env bash
# Foundation benchmark (issue 2): what tracing costs a stat()-per-iteration
# loop, fastpath against bare, the floor (empty BPF programs on the same
# hooks), strace -c -f and the equivalent bpftrace script; plus exactness,
# start-up time and fastpath's resident memory.  Prints markdown.
#
#   bench/foundation.sh [--quick]
#
# How a run works: the loop (build/workloads/statloop -w -t N, pinned with
# taskset) starts and waits for SIGUSR1; the tracer attaches to its pid and
# says so; then SIGUSR1 starts the loop, which times itself with
# CLOCK_MONOTONIC and prints ns per call.  So tracer start-up and tear-down
# are never in the figure, and every mode traces the same kind of already
# running process (`-p`).  Modes alternate round by round (each round in a
# new random order) so drifting machine load spreads over all of them.
#
# Environment: BENCH_N (calls per run, 1000000), BENCH_ROUNDS (7),
# BENCH_STRACE_N (calls per strace run, 100000: strace costs ~30 us/call),
# BENCH_CPU (CPU to pin the loop to, the last one), BENCH_STARTS (start-up
# runs, 5), BENCH_MODES (a subset of the modes, e.g. "bare fastpath", for
# quick A/B experiments; "bare" is always run).  BENCH_FIGURES: a file to
# append this run's medians to ("key value" lines) for bench/targets.sh.
set -u
cd "$(dirname "$0")/.."
TOP=$PWD

N=${BENCH_N:-1000000}
QUIET_TRIES=50	# x 0.1 s waiting for other tracers to go before a run
ROUNDS=${BENCH_ROUNDS:-7}
STRACE_N=${BENCH_STRACE_N:-100000}
STARTS=${BENCH_STARTS:-5}
CPU=${BENCH_CPU:-$(($(nproc) - 1))}
if [ "${1:-}" = "--quick" ]; then
	N=20000 ROUNDS=1 STRACE_N=2000 STARTS=1 QUIET_TRIES=3
fi

FP=$TOP/fastpath
LOOP=$TOP/build/workloads/statloop
FLOOR=$TOP/build/bench/floor
TIME=/usr/bin/time
for f in "$FP" "$LOOP" "$FLOOR"; do
	[ -x "$f" ] || { echo "bench: $f missing: run 'make bench'" >&2; exit 1; }
done
[ -x "$TIME" ] || { echo "bench: /usr/bin/time missing: apt-get install time (or make deps)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (BPF): run 'sudo make bench'" >&2; exit 1; }

T=$(mktemp -d /tmp/fastpath-bench.XXXXXX)
PIDS=()	# everything we started, killed on exit (by pid only)
cleanup() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
touch "$T"/{fp,fpg,other,bt,strace}.counts "$T"/fp.drops "$T"/{sys,all}.{rss,start,steady}

MODES=(bare floor fastpath fastpath-all fastpath-other strace)
# The same loop on getppid (statloop -g): a syscall with no argument work,
# so the default's cost there is its per-syscall cost alone (issue 13).
MODES+=(bare-g floor-g fastpath-all-g)
# Issue 2's target is about syscall accounting: "fastpath" runs it alone;
# "fastpath-all" is the default, every family (data path, stat, allocator).
FP_SYS_ONLY=(--no-io --no-stat --alloc=off)
have_bpftrace=0
if command -v bpftrace >/dev/null 2>&1 && command -v unshare >/dev/null 2>&1; then
	have_bpftrace=1
	MODES+=(bpftrace)
fi
if [ -n "${BENCH_MODES:-}" ]; then
	read -ra MODES <<< "bare ${BENCH_MODES//bare/}"
fi

# The bpftrace equivalent of fastpath's syscall accounting: per pid x
# syscall a count and a latency histogram.  bpftrace 0.17 reads tracepoint
# formats from tracefs, which this machine does not mount: it runs in a
# private mount namespace with tracefs mounted there only (nothing changes
# for the rest of the system).
bt_script() { # FILTER
	cat <<EOF
tracepoint:raw_syscalls:sys_enter /$1/ { @start[tid] = nsecs; @nr[tid] = args->id; }
tracepoint:raw_syscalls:sys_exit /$1 && @start[tid]/ {
	@calls[pid, @nr[tid]] = count();
	@lat[pid, @nr[tid]] = hist(nsecs - @start[tid]);
	delete(@start[tid]); delete(@nr[tid]);
}
BEGIN { printf("attached\n"); }
EOF
}
bt_script 'pid == $1' > "$T/acct-p.bt"
bt_script 'pid == cpid' > "$T/acct-c.bt"
# It execs, so that in `bpftrace_ns ... &` $! is bpftrace's pid.
bpftrace_ns() { # bpftrace ARGS...: in a mount namespace with tracefs
	exec unshare -m sh -c 'mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing || exit 1; exec "$@"' \
		sh bpftrace "$@"
}

# wait_for FILE PATTERN PID: until FILE holds PATTERN (10 s at most)
wait_for() {
	for _ in $(seq 400); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || { echo "bench: pid $3 exited before '$2':" >&2; cat "$1" >&2; return 1; }
		sleep 0.025
	done
	echo "bench: no '$2' in $1 within 10 s" >&2
	return 1
}

# wait_pid PID SECS: wait for a child, kill it after SECS
wait_pid() {
	for _ in $(seq $(($2 * 20))); do
		kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
		sleep 0.05
	done
	kill -9 "$1" 2>/dev/null
	echo "bench: pid $1 still running after $2 s, killed" >&2
	return 1
}

# Programs on sys_enter not ours: other engineers' tracers on this shared
# machine, which would slow every mode, "bare" included.
sys_enter_links() { bpftool link show -j 2>/dev/null | jq '[.[] | select(.tp_name == "sys_enter")] | length'; }

# Before a run, wait up to 5 s for other tracers to go; note if they stay.
wait_quiet() { # mode
	local f
	for _ in $(seq "$QUIET_TRIES"); do
		f=$(sys_enter_links)
		[ "${f:-0}" -eq 0 ] && break
		sleep 0.1
	done
	echo "${f:-0}" >> "$T/$1.foreign"
}

# One timed run of MODE; appends ns/call to $T/MODE.ns.
run_one() {
	local mode=$1 n=$N tp="" op="" lp ns g=()
	[ "$mode" = strace ] && n=$STRACE_N
	wait_quiet "$mode"
	: > "$T/tr.out"; : > "$T/tr.err"
	case $mode in *-g) g=(-g) ;; esac
	taskset -c "$CPU" "$LOOP" -w -t "${g[@]}" "$n" > "$T/loop.out" &
	lp=$!; PIDS+=("$lp")
	wait_for "$T/loop.out" '^ready' "$lp" || return 1
	case ${mode%-g} in
	bare) ;;
	floor)
		"$FLOOR" 2>"$T/tr.err" & tp=$! ;;
	fastpath)
		"$TIME" -f %M -o "$T/rss" "$FP" record "${FP_SYS_ONLY[@]}" -p "$lp" -o "$T/fp.json" 2>"$T/tr.err" & tp=$! ;;
	fastpath-all)
		"$TIME" -f %M -o "$T/rss" "$FP" record -p "$lp" -o "$T/fp.json" 2>"$T/tr.err" & tp=$! ;;
	fastpath-other)
		# fastpath attached to another, idle process while the loop runs
		sleep 600 & op=$!; PIDS+=("$op")
		"$FP" record -p "$op" -o "$T/other.json" 2>"$T/tr.err" & tp=$! ;;
	strace)
		strace -c -f -p "$lp" -o "$T/strace.out" 2>"$T/tr.err" & tp=$! ;;
	bpftrace)
		bpftrace_ns "$T/acct-p.bt" "$lp" >"$T/tr.out" 2>"$T/tr.err" & tp=$! ;;
	esac
	if [ -n "$tp" ]; then
		PIDS+=("$tp")
		case $mode in
		bpftrace) wait_for "$T/tr.out" attached "$tp" ;;
		*) wait_for "$T/tr.err" attached "$tp" ;;
		esac || { kill -9 "$lp" "$tp" $op 2>/dev/null; return 1; }
	fi
	kill -USR1 "$lp"
	case $mode in
	fastpath|fastpath-all)
		# resident memory while tracing (the peak comes earlier, while
		# libbpf parses the kernel's BTF to load the programs)
		sleep 0.2
		fpid=$(pgrep -P "$tp" -x fastpath | head -1)
		awk '$1 == "VmRSS:" { print $2 }' "/proc/$fpid/status" 2>/dev/null \
			>> "$T/$([ "$mode" = fastpath ] && echo sys || echo all).steady" ;;
	esac
	wait_pid "$lp" 600 || return 1
	ns=$(awk '$1 == "ns_per_call" { print $2 }' "$T/loop.out")
	[ -n "$ns" ] || { echo "bench: $mode: the loop printed no timing" >&2; return 1; }
	case ${mode%-g} in
	fastpath-other) kill "$op"; wait "$op" 2>/dev/null ;;
	floor|bpftrace) kill -INT "$tp" ;;
	esac
	if [ -n "$tp" ]; then
		wait_pid "$tp" 30 || return 1
	fi
	echo "$ns" >> "$T/$mode.ns"
	check_run "$mode" "$lp" "$n"
}

# After a run: did the tracer see every call?
check_run() {
	local mode=$1 lp=$2 n=$3 got
	case $mode in
	fastpath|fastpath-all)
		got=$(jq -r --argjson p "$lp" '[.processes[] | select(.pid == $p) | .syscalls.newfstatat.calls // 0] | add // 0' "$T/fp.json")
		echo "$got" >> "$T/fp.counts"
		jq -r '[.dropped[]?] | add // 0' "$T/fp.json" >> "$T/fp.drops"
		if [ "$mode" = fastpath ]; then cat "$T/rss" >> "$T/sys.rss"; else cat "$T/rss" >> "$T/all.rss"; fi ;;
	fastpath-all-g)
		jq -r --argjson p "$lp" '[.processes[] | select(.pid == $p) | .syscalls.getppid.calls // 0] | add // 0' "$T/fp.json" >> "$T/fpg.counts"
		jq -r '[.dropped[]?] | add // 0' "$T/fp.json" >> "$T/fpg.drops" ;;
	fastpath-other)
		jq -r '[.processes[] | .syscalls.newfstatat.calls // 0] | add // 0' "$T/other.json" >> "$T/other.counts" ;;
	bpftrace)
		# @calls[PID, 262]: N  (262 = newfstatat on x86_64)
		got=$(awk -v p="$lp" '$0 ~ "^@calls\\[" p ", 262\\]:" { print $NF }' "$T/tr.out")
		echo "${got:-0}" >> "$T/bt.counts" ;;
	strace)
		got=$(awk '$NF == "newfstatat" { print $4 }' "$T/strace.out")
		echo "${got:-0}" >> "$T/strace.counts" ;;
	esac
}

median() { [ -s "$1" ] || { echo nan; return; }; sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
all_eq() { # FILE VALUE: "k/n" runs equal to VALUE
	[ -s "$1" ] || { echo "0/0"; return; }
	awk -v v="$2" '{ n++; if ($1 == v) k++ } END { printf "%d/%d", k, n }' "$1"
}

# ---- overhead ---------------------------------------------------------------
echo "bench: $ROUNDS rounds of ${MODES[*]}; $N stat() calls per run ($STRACE_N under strace), loop on CPU $CPU" >&2
for r in $(seq "$ROUNDS"); do
	# a new random order each round: no mode always follows the same one
	mapfile -t order < <(printf '%s\n' "${MODES[@]}" | shuf)
	for m in "${order[@]}"; do
		# One retry: on a shared 2-core machine a run can miss its 10 s
		# start window; a mode with no figure at all leaves the tables blank.
		run_one "$m" || { echo "bench: $m run did not complete (round $r), once more" >&2; run_one "$m"; } ||
			echo "bench: $m run failed (round $r)" >&2
	done
	echo "bench: round $r/$ROUNDS done" >&2
done

# ---- start-up: fastpath record -- CMD until CMD runs --------------------------
# The workload prints CLOCK_REALTIME at main(); the clock is read just
# before launching the tracer.  fastpath releases the command only once
# attached, so this is the time until tracing is live (plus one exec).
start_ms() { # start-file out-file
	awk -v s="$(cat "$1")" '$1 == "start_ns" { printf "%.1f\n", $2 / 1e6 - s * 1000 }' "$2"
}
for i in $(seq "$STARTS"); do
	for cfg in sys all; do
		opts=()
		[ "$cfg" = sys ] && opts=("${FP_SYS_ONLY[@]}")
		echo "$EPOCHREALTIME" > "$T/t0"
		"$TIME" -f %M -o "$T/rss.start" "$FP" record -q "${opts[@]}" -o "$T/start.json" -- "$LOOP" -t 0 > "$T/start.out" 2>"$T/start.err"
		start_ms "$T/t0" "$T/start.out" >> "$T/$cfg.start"
		cat "$T/rss.start" >> "$T/$cfg.rss"
	done
	if [[ " ${MODES[*]} " == *" bpftrace "* ]]; then
		echo "$EPOCHREALTIME" > "$T/t0"
		( bpftrace_ns -c "$LOOP -t 0" "$T/acct-c.bt" ) > "$T/start.out" 2>"$T/start.err"
		start_ms "$T/t0" "$T/start.out" >> "$T/bt.start"
	fi
done

# ---- report -----------------------------------------------------------------
bare=$(median "$T/bare.ns")
bare_min=$(sort -g "$T/bare.ns" | head -1)
# Medians, and minima: on a noisy machine noise only ever adds, so the
# fastest run of each mode is the steadier estimate of its own cost.
fmt_row() { # label mode [bare-mode]
	local f=$T/$2.ns b=$bare bm=$bare_min
	[ -s "$f" ] || { printf '| %s | – | – | – | – | – | 0 | |\n' "$1"; return; }
	if [ -n "${3:-}" ]; then
		b=$(median "$T/$3.ns") bm=$(sort -g "$T/$3.ns" 2>/dev/null | head -1)
	fi
	awk -v m="$(median "$f")" -v b="$b" -v bm="${bm:-nan}" -v n="$(wc -l < "$f")" -v l="$1" \
		-v lo="$(sort -g "$f" | head -1)" -v hi="$(sort -g "$f" | tail -1)" \
		-v dirty="$(awk '$1 > 0' "$T/$2.foreign" | wc -l)" \
		'BEGIN { printf "| %s | %.0f | %.0f–%.0f | %.2f | %+.0f | %+.0f | %d | %d |\n", l, m, lo, hi, m / b, m - b, lo - bm, n, dirty }'
}
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
cat <<EOF
## Syscall overhead (stat() loop)

$N stat() calls per run (newfstatat; $STRACE_N under strace), loop pinned to CPU $CPU, $ROUNDS alternating
rounds in random order; the loop times itself after the tracer has attached.  Kernel $(uname -r), $(nproc) CPUs ($cpu_model),
load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.

| tracer | median ns/call | min–max | ratio vs bare (medians) | added ns/syscall (medians) | added ns/syscall (minima) | runs | runs with other tracers on sys_enter |
|---|---:|---:|---:|---:|---:|---:|---:|
EOF
fmt_row "bare (no tracer)" bare
fmt_row "floor: empty BPF programs on tp_btf sys_enter/sys_exit" floor
fmt_row "fastpath record -p, syscall accounting only (latency histograms on)" fastpath
fmt_row "fastpath record -p, default: all families (syscalls, data path, stat)" fastpath-all
fmt_row "fastpath record -p of another, idle process" fastpath-other
if [[ " ${MODES[*]} " == *" bpftrace "* ]]; then
	fmt_row "bpftrace: per pid×syscall count + latency hist" bpftrace
fi
[[ " ${MODES[*]} " == *" strace "* ]] && fmt_row "strace -c -f -p" strace
if [[ " ${MODES[*]} " == *" bare-g "* ]]; then
	fmt_row "getppid loop: bare (no tracer)" bare-g bare-g
	fmt_row "getppid loop: floor" floor-g bare-g
	fmt_row "getppid loop: fastpath record -p, default" fastpath-all-g bare-g
fi
[ "$have_bpftrace" = 1 ] || echo "| bpftrace | not installed | | | | | | |"

fp_added=$(awk -v m="$(median "$T/fastpath.ns" 2>/dev/null)" -v b="$bare" 'BEGIN { printf "%.0f", m - b }')
other_added=$(awk -v m="$(median "$T/fastpath-other.ns" 2>/dev/null)" -v b="$bare" 'BEGIN { printf "%.0f", m - b }')
floor_added=$(awk -v m="$(median "$T/floor.ns" 2>/dev/null)" -v b="$bare" 'BEGIN { printf "%.0f", m - b }')
verdict() { [ "$1" = 1 ] && echo met || echo "NOT met"; }
startup_row() { # cfg label
	local m
	m=$(median "$T/$1.start")
	echo "| \`record -- CMD\` start until CMD runs, $2 | < 100 ms | median $m ms, max $(sort -g "$T/$1.start" | tail -1) ms ($(wc -l < "$T/$1.start") runs) | $(verdict "$(awk -v m="$m" 'BEGIN { print (m < 100) }')") |"
}
steady_row() { # cfg label
	local k
	k=$(sort -n "$T/$1.steady" | tail -1)
	echo "| fastpath resident memory while tracing (VmRSS), $2 | < 15 MB | $(awk -v k="${k:-0}" 'BEGIN { printf "%.1f MB", k / 1024 }') (max of $(wc -l < "$T/$1.steady") runs) | $(verdict "$(awk -v k="${k:-0}" 'BEGIN { print (k > 0 && k < 15 * 1024) }')") |"
}

rss_row() { # cfg label
	local k
	k=$(sort -n "$T/$1.rss" | tail -1)
	echo "| fastpath peak resident memory (VmHWM, while loading), $2 | < 15 MB | $(awk -v k="${k:-0}" 'BEGIN { printf "%.1f MB", k / 1024 }') (max of $(wc -l < "$T/$1.rss") runs) | $(verdict "$(awk -v k="${k:-0}" 'BEGIN { print (k > 0 && k < 15 * 1024) }')") |"
}
cat <<EOF

| check | target | measured | |
|---|---|---|---|
| fastpath added cost on its target | ≤ 150 ns/syscall | $fp_added ns (floor $floor_added ns) | $(verdict "$(awk -v a="$fp_added" 'BEGIN { print (a <= 150) }')") |
| fastpath on a process it does not trace | ≈ floor | $other_added ns (floor $floor_added ns) | $(verdict "$(awk -v a="$other_added" -v f="$floor_added" 'BEGIN { print (a <= f + 30) }')") |
| events lost: newfstatat counted == $N | every run | $(all_eq "$T/fp.counts" "$N") runs exact, drops $(all_eq "$T/fp.drops" 0) runs 0 | $(verdict "$(awk -v n="$N" '$1 != n { bad = 1 } END { print (!bad && NR > 0) }' "$T/fp.counts")") |
| calls counted for the untraced process | 0 | $(all_eq "$T/other.counts" 0) runs 0 | $(verdict "$(awk '$1 != 0 { bad = 1 } END { print (!bad && NR > 0) }' "$T/other.counts")") |
$(startup_row sys "syscall accounting only")
$(startup_row all "default: all families")
$(steady_row sys "syscall accounting only")
$(steady_row all "default: all families")
$(rss_row sys "syscall accounting only")
$(rss_row all "default: all families")
EOF
if [[ " ${MODES[*]} " == *" bpftrace "* ]]; then
	cat <<EOF

For comparison: bpftrace counted newfstatat == $N in $(all_eq "$T/bt.counts" "$N") runs; strace counted
$STRACE_N in $(all_eq "$T/strace.counts" "$STRACE_N") runs; \`bpftrace -c CMD\` start until CMD runs: median
$(median "$T/bt.start") ms (tracefs mounted in its namespace first).
EOF
fi

# ---- figures for bench/targets.sh (the targets table of make bench) ---------
if [ -n "${BENCH_FIGURES:-}" ]; then
	{
		for m in "${MODES[@]}"; do echo "ns.$m $(median "$T/$m.ns")"; done
		echo "n $N"
		echo "strace_n $STRACE_N"
		echo "exact.stat $(awk -v n="$N" '$1 != n { bad = 1 } END { print (!bad && NR > 0) }' "$T/fp.counts") $(all_eq "$T/fp.counts" "$N")"
		echo "exact.getppid $(awk -v n="$N" '$1 != n { bad = 1 } END { print (!bad && NR > 0) }' "$T/fpg.counts") $(all_eq "$T/fpg.counts" "$N")"
		cat "$T/fp.drops" "$T/fpg.drops" 2>/dev/null > "$T/drops.all"
		echo "exact.drops $(awk '$1 != 0 { bad = 1 } END { print (!bad && NR > 0) }' "$T/drops.all") $(all_eq "$T/drops.all" 0)"
		echo "exact.untraced $(awk '$1 != 0 { bad = 1 } END { print (!bad && NR > 0) }' "$T/other.counts") $(all_eq "$T/other.counts" 0)"
		echo "start.sys $(median "$T/sys.start")"
		echo "start.all $(median "$T/all.start")"
		echo "start.bpftrace $(median "$T/bt.start")"
		echo "rss.sys $(sort -n "$T/sys.rss" | tail -1)"
		echo "rss.all $(sort -n "$T/all.rss" | tail -1)"
	} >> "$BENCH_FIGURES"
fi
