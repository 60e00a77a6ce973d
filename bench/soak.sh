#!/usr/bin/env bash
# The long versions of issue 16's load tests (tests/e2e/test_soak.sh and
# test_faults_serve_churn_bounded are their short ones):
#   go     a Go target under --alloc=exact uprobes for 5 minutes: no crash,
#          the loop's allocations exact at their site, the whole process
#          against runtime.MemStats.Mallocs
#   churn  serve -a while 833 processes a second come and go for a minute
#          (50,000), each stat'ing a path of its own: every child counted,
#          resident memory sampled every 0.5 s (last third vs first third)
#   flood  a stat flood on distinct paths from one process per CPU, as
#          fast as they go (the 2 M/s of the issue where the machine makes
#          that many; untraced first, for the rate without fastpath),
#          default map sizes: every call counted, the paths that did not
#          fit counted as drops, fastpath's own CPU within a budget
# Prints markdown.  --quick: seconds, not minutes (the smoke run of
# test_bench_scripts_quick).  PARTS: some of go, churn, flood (default all).
#   bench/soak.sh [--quick] [PARTS...]
# SOAK_GO_S, SOAK_CHURN_N, SOAK_FLOOD_N size the parts; SOAK_FLOOD_PROCS the
# flood's processes (one per CPU).
set -u
cd "$(dirname "$0")/.."
FP=$PWD/fastpath
W=$PWD/build/workloads
TIME=/usr/bin/time
GO_S=${SOAK_GO_S:-300} CHURN_N=${SOAK_CHURN_N:-50000} FLOOD_N=${SOAK_FLOOD_N:-4000000}
CHURN_RATE=833
# Budget: fastpath's own CPU (utime+stime) for a stat flood, per million calls.
FLOOD_BUDGET_MS=100
if [ "${1:-}" = "--quick" ]; then
	shift
	GO_S=3 CHURN_N=1666 FLOOD_N=400000
fi
PARTS=${*:-go churn flood}
die() { echo "bench/soak.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (BPF)"
[ -x "$FP" ] || die "build first: make all workloads"
[ -x "$W/go-allocgo" ] && [ -x "$W/churn" ] && [ -x "$W/statflood" ] || die "build the workloads: make workloads"
[ -x "$TIME" ] || die "/usr/bin/time missing: make deps"

. bench/tmp.sh.inc
bench_tmp soak
ROWS=()
failed=0

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
ms_of_ticks() { echo $(($1 * 1000 / $(getconf CLK_TCK))); }
metric() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
wait_line() { # file regex tries
	for _ in $(seq "${3:-400}"); do grep -q "$2" "$1" && return 0; sleep 0.025; done
	return 1
}
row() { ROWS+=("$1"); }
bad() { echo "bench/soak.sh: $*" >&2; failed=1; }

soak_go() {
	local rc=0 res site calls mallocs
	"$TIME" -f '%M %U %S' -o "$T/go.time" "$FP" record -q --alloc=exact --stacks -o "$T/go.json" -- \
		"$W/go-allocgo" escapefor "$GO_S" > "$T/go.out" 2> "$T/go.err" || rc=$?
	res=$(jq .result "$T/go.out" 2>/dev/null)
	mallocs=$(jq .mallocs "$T/go.out" 2>/dev/null)
	site=$(jq '[.processes[] | select(.comm == "go-allocgo")][0].alloc.top_sites[0].calls' "$T/go.json" 2>/dev/null)
	calls=$(jq '[.processes[] | select(.comm == "go-allocgo")][0].alloc.go.calls' "$T/go.json" 2>/dev/null)
	[ "$rc" = 0 ] && [ -n "$res" ] && [ "$site" = "$res" ] || bad "go: exit $rc, site $site vs $res: $(tail -3 "$T/go.err")"
	read -r kb u s < <(tail -1 "$T/go.time")
	row "| Go \`--alloc=exact --stacks\`, \`allocgo escapefor $GO_S\` | $res allocations ($(awk -v n="$res" -v t="$GO_S" 'BEGIN { printf "%.0f", n / t / 1000 }') k/s) | exit $rc; at the site **$site** ($([ "$site" = "$res" ] && echo exact || echo WRONG)); process $calls vs MemStats $mallocs ($(awk -v a="$calls" -v b="$mallocs" 'BEGIN { printf "%+.3f%%", (a - b) * 100 / b }')) | peak RSS $(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }') MB (time(1): the larger of fastpath and its target); fastpath and target CPU ${u} s user, ${s} s sys |"
}

soak_churn() {
	local port=$((20000 + RANDOM % 20000)) fp ch t0 c0 c1 secs got exited drops thirds
	"$FP" serve -a --listen "127.0.0.1:$port" -i 200ms 2> "$T/serve.err" &
	fp=$!; PIDS+=("$fp")
	wait_line "$T/serve.err" serving || { bad "churn: serve did not start: $(cat "$T/serve.err")"; return; }
	c0=$(ticks "$fp")
	"$W/churn" "$CHURN_N" 10 "$CHURN_RATE" distinct &
	ch=$!
	t0=$EPOCHREALTIME
	: > "$T/rss"
	while kill -0 "$ch" 2>/dev/null; do
		curl -sf "http://127.0.0.1:$port/metrics" > "$T/m.prom" || bad "churn: a scrape failed"
		echo "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }') $(rss "$fp")" >> "$T/rss"
		sleep 0.5
	done
	wait "$ch" || bad "churn: the workload failed"
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	c1=$(ticks "$fp")
	sleep 0.6	# one reap and one interval
	curl -sf "http://127.0.0.1:$port/metrics" > "$T/m.prom" || bad "churn: the last scrape failed"
	kill -INT "$fp"; wait "$fp"
	got=$(metric "$T/m.prom" 'fastpath_syscalls_total{comm="churn",syscall="getppid"}')
	exited=$(metric "$T/m.prom" 'fastpath_processes{comm="churn",state="exited"}')
	drops=$(awk '/^fastpath_dropped_total/ { d += $2 } END { print d + 0 }' "$T/m.prom")
	[ "$got" = $((CHURN_N * 10)) ] && [ "$exited" = $((CHURN_N + 1)) ] || bad "churn: getppid $got, exited $exited"
	# the highest sample of the first and of the last third, MB
	thirds=$(awk '{ t[NR] = $1; r[NR] = $2 } END { third = t[NR] / 3
		for (i = 1; i <= NR; i++) { if (t[i] <= third && r[i] > a) a = r[i]; if (t[i] >= 2 * third && r[i] > b) b = r[i] }
		printf "%.1f MB in the first third, %.1f MB in the last (%+.1f MB)", a / 1024, b / 1024, (b - a) / 1024 }' "$T/rss")
	row "| \`serve -a\`, fork churn: $CHURN_N processes at $CHURN_RATE/s, a path each | in $secs s, scraped every 0.5 s | getppid $got of $((CHURN_N * 10)), exited $exited of $((CHURN_N + 1)), dropped $drops | RSS $thirds; CPU $(ms_of_ticks $((c1 - c0))) ms ($(awk -v c="$(ms_of_ticks $((c1 - c0)))" -v s="$secs" 'BEGIN { printf "%.0f", c / s / 10 }')% of a CPU) |"
}

# One flood: k processes of n calls each, traced by `record -p` unless
# bare; sets FLOOD_NS (the slowest loop) and FLOOD_CPU (fastpath's ticks
# over the loops).
flood_run() { # k n traced
	local k=$1 n=$2 i pids=() fp ns c0=0
	FLOOD_NS=0 FLOOD_CPU=0
	for i in $(seq "$k"); do
		"$W/statflood" "$n" > "$T/flood.$i" &
		pids+=($!); PIDS+=($!)
	done
	for i in $(seq "$k"); do wait_line "$T/flood.$i" ready || { bad "flood: no ready"; return 1; }; done
	if [ "$3" = traced ]; then
		"$FP" record -p "$(IFS=,; echo "${pids[*]}")" -o "$T/flood.json" 2> "$T/flood.err" &
		fp=$!; PIDS+=("$fp")
		wait_line "$T/flood.err" attached || { bad "flood: no 'attached': $(cat "$T/flood.err")"; return 1; }
		c0=$(ticks "$fp")
	fi
	kill -USR1 "${pids[@]}"
	for i in $(seq "$k"); do wait_line "$T/flood.$i" '^done' 4800 || bad "flood: a loop did not end"; done
	if [ "$3" = traced ]; then
		sleep 0.5	# the last poll of the maps
		FLOOD_CPU=$(($(ticks "$fp") - c0))
	fi
	kill -USR1 "${pids[@]}"
	wait "${pids[@]}"
	[ "$3" = traced ] && wait "$fp"
	for i in $(seq "$k"); do
		ns=$(awk '/^done/ { print $2 }' "$T/flood.$i")
		[ "${ns:-0}" -gt "$FLOOD_NS" ] && FLOOD_NS=$ns
	done
	return 0
}

soak_flood() {
	local k n calls drops cpu_ms bare rate budget
	k=${SOAK_FLOOD_PROCS:-$(nproc)}
	n=$((FLOOD_N / k))
	flood_run "$k" "$n" bare || return
	bare=$(awk -v n="$FLOOD_N" -v ns="$FLOOD_NS" 'BEGIN { printf "%.2f", n / (ns / 1e9) / 1e6 }')
	flood_run "$k" "$n" traced || return
	rate=$(awk -v n="$FLOOD_N" -v ns="$FLOOD_NS" 'BEGIN { printf "%.2f", n / (ns / 1e9) / 1e6 }')
	calls=$(jq '[.processes[] | select(.comm == "statflood") | .syscalls.newfstatat.calls] | add' "$T/flood.json")
	drops=$(jq '.dropped.stat_paths_full // 0' "$T/flood.json")
	cpu_ms=$(ms_of_ticks "$FLOOD_CPU")
	budget=$((FLOOD_BUDGET_MS * FLOOD_N / 1000000))
	[ "$calls" = $((n * k)) ] || bad "flood: counted $calls of $((n * k))"
	[ "$drops" -gt 0 ] || bad "flood: no path drops counted"
	[ "$cpu_ms" -le "$budget" ] || bad "flood: fastpath CPU $cpu_ms ms over the budget of $budget ms"
	row "| stat flood, $k processes × $n \`newfstatat\` on distinct paths, default maps | $rate M calls/s traced ($bare M/s untraced) | counted $calls of $((n * k)); paths that did not fit: $drops in \`dropped.stat_paths_full\` | CPU $cpu_ms ms over the loops (budget $FLOOD_BUDGET_MS ms per million calls: $budget ms) |"
}

for p in $PARTS; do
	case $p in
	go) soak_go ;;
	churn) soak_churn ;;
	flood) soak_flood ;;
	*) die "unknown part $p (go, churn, flood)" ;;
	esac
done

cat <<EOF
## Soak (\`bench/soak.sh\`)

The long versions of issue 16's load tests, on this machine ($(nproc) CPUs); fastpath's CPU is its own
utime+stime (\`/proc/PID/stat\`), the BPF programs' work is charged to the traced processes.

| soak | load | counts | fastpath |
|---|---|---|---|
EOF
printf '%s\n' "${ROWS[@]}"
exit "$failed"
