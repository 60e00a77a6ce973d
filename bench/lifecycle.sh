#!/usr/bin/env bash
# Exit time and peak memory of fastpath (issue 13): for each configuration,
# `fastpath record -p` of an idle libc process (sleep) under /usr/bin/time
# -f %M; once it says "attached", SIGINT, and the time from the signal to
# the process's exit (the recording written, every link detached).
# --alloc=exact attaches the most probes (libc malloc/free/...: uprobes),
# so it is the slowest to detach.  Prints markdown; with BENCH_FIGURES set,
# appends "exit.CFG MS" (median) and "rss.CFG KB" (max) lines to it.
#   bench/lifecycle.sh [--quick]      LIFE_RUNS (runs per configuration, 5)
set -u
cd "$(dirname "$0")/.."
FP=$PWD/fastpath
TIME=/usr/bin/time
RUNS=${LIFE_RUNS:-5}
[ "${1:-}" = "--quick" ] && RUNS=1
die() { echo "bench/lifecycle.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (BPF)"
[ -x "$FP" ] || die "build first: make all"
[ -x "$TIME" ] || die "/usr/bin/time missing: make deps"

T=$(mktemp -d /tmp/fastpath-bench-life.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

CFGS=(sys all exact)
declare -A OPTS=([sys]="--no-io --no-stat --alloc=off" [all]="" [exact]="--alloc=exact")
declare -A LABEL=([sys]="syscall accounting only" [all]="default: all families" [exact]="default with --alloc=exact")

# one run: appends ms from SIGINT to exit to $T/CFG.exit, peak KB to $T/CFG.rss
run_one() { # cfg
	local cfg=$1 sp tp fp t0 t1 opts
	read -ra opts <<< "${OPTS[$cfg]}"
	sleep 600 & sp=$!; PIDS+=("$sp")
	: > "$T/err"
	"$TIME" -f %M -o "$T/rss" "$FP" record "${opts[@]}" -p "$sp" -o "$T/r.json" 2>"$T/err" &
	tp=$!; PIDS+=("$tp")
	for _ in $(seq 400); do
		grep -q attached "$T/err" && break
		kill -0 "$tp" 2>/dev/null || break
		sleep 0.025
	done
	grep -q attached "$T/err" || { echo "bench/lifecycle.sh: $cfg: no 'attached':" >&2; cat "$T/err" >&2; kill -9 "$sp" "$tp"; return 1; }
	sleep 0.2	# steady state: the reader loop running
	fp=$(pgrep -P "$tp" -x fastpath | head -1)
	[ -n "$fp" ] || { kill -9 "$sp" "$tp"; return 1; }
	t0=$EPOCHREALTIME
	kill -INT "$fp"
	wait "$tp"	# /usr/bin/time exits as soon as fastpath has
	t1=$EPOCHREALTIME
	kill "$sp"; wait "$sp" 2>/dev/null
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }' >> "$T/$cfg.exit"
	tail -1 "$T/rss" >> "$T/$cfg.rss"
}

median() { [ -s "$1" ] || { echo nan; return; }; sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for r in $(seq "$RUNS"); do
	for cfg in $(printf '%s\n' "${CFGS[@]}" | shuf); do
		run_one "$cfg" || echo "bench/lifecycle.sh: $cfg run failed (round $r)" >&2
	done
done

cat <<EOF
## Exit time and peak memory (\`bench/lifecycle.sh\`)

\`fastpath record -p\` of an idle \`sleep\`, $RUNS runs per configuration in random order: the time from
SIGINT to the process's exit, and peak resident memory (\`/usr/bin/time -f %M\`).

| configuration | exit ms (median) | exit ms (max) | peak RSS MB (max) | runs |
|---|---:|---:|---:|---:|
EOF
for cfg in "${CFGS[@]}"; do
	printf '| %s (`%s`) | %s | %s | %s | %d |\n' "${LABEL[$cfg]}" "record ${OPTS[$cfg]:+${OPTS[$cfg]} }-p PID" \
		"$(median "$T/$cfg.exit")" "$(sort -g "$T/$cfg.exit" 2>/dev/null | tail -1)" \
		"$(awk -v k="$(sort -n "$T/$cfg.rss" 2>/dev/null | tail -1)" 'BEGIN { printf "%.1f", k / 1024 }')" \
		"$(cat "$T/$cfg.exit" 2>/dev/null | wc -l)"
	if [ -n "${BENCH_FIGURES:-}" ]; then
		echo "exit.$cfg $(median "$T/$cfg.exit")" >> "$BENCH_FIGURES"
		echo "rss.life.$cfg $(sort -n "$T/$cfg.rss" 2>/dev/null | tail -1)" >> "$BENCH_FIGURES"
	fi
done
