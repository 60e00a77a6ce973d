#!/usr/bin/env bash
# CPU profile benchmark: a fixed amount of CPU-bound work
# (build/workloads/cpuburn split N: 4N iterations of a multiply-add loop,
# pinned to CPU 1) bare, with fastpath attached by command name (CPU% only,
# the default; --profile at the default 49 Hz; --profile=999), and with
# `perf record -g` sampling CPU 1 at the same two rates.  The tracers run
# in the background across the runs, so start-up is not in the figures;
# every case is measured in this one run (hyperfine medians), and the
# ratios are to this run's bare median.  Prints markdown.
#   N=400000000 RUNS=7 bench/cpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-400000000}
RUNS=${RUNS:-7}
if [ "${1:-}" = "--quick" ]; then N=${N_QUICK:-20000000}; RUNS=1; fi
FP=$PWD/fastpath
W=$PWD/build/workloads/cpuburn
die() { echo "bench/cpu.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (BPF)"
[ -x "$FP" ] && [ -x "$W" ] || die "build first: make all workloads"
command -v hyperfine > /dev/null || die "hyperfine missing: make deps"
command -v jq > /dev/null || die "jq missing: make deps"

D=$(mktemp -d /tmp/fastpath-bench-cpu.XXXXXX)
BG=
cleanup() { if [ -n "$BG" ]; then kill -INT "$BG" 2>/dev/null; wait "$BG" 2>/dev/null || true; fi; rm -rf "$D"; }
trap cleanup EXIT

bg_start() { # ready-text cmd...
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

measure() {
	hyperfine --shell=none --style none --warmup 1 --runs "$RUNS" \
		--export-json "$D/h.json" "taskset -c 1 $W split $N" > /dev/null 2>&1 || return 1
	jq '.results[0].median' "$D/h.json"
}

rows=()
row() { rows+=("$1|$2|$3"); }
samples() { jq '[.processes[] | select(.comm == "cpuburn") | .cpu.profile.samples // 0] | add // 0' "$1"; }
cpu_s() { jq '[.processes[] | select(.comm == "cpuburn") | .cpu.on_cpu_ns] | add / 1e9' "$1"; }

bare=$(measure) || die "hyperfine failed on the bare loop"
row "bare" "$bare" "-"
fp_case() { # name args...
	local name=$1 t; shift
	bg_start attached "$FP" record -c cpuburn -o "$D/r.json" "$@" || { row "$name" "" "fastpath failed"; return; }
	t=$(measure) || t=
	bg_stop
	row "$name" "$t" "$(samples "$D/r.json") samples over $(cpu_s "$D/r.json") s on CPU"
}
fp_case "fastpath (CPU% only, the default)"
fp_case "fastpath --profile (49 Hz)" --profile
fp_case "fastpath --profile=999" --profile=999
if command -v perf > /dev/null && perf record -q -o "$D/probe.data" -- true > /dev/null 2>&1; then
	for hz in 49 999; do
		# perf prints nothing when it starts: give it a second
		perf record -q -F "$hz" -g -C 1 -o "$D/p.data" > "$D/bg.out" 2> "$D/bg.err" &
		BG=$!
		sleep 1
		if kill -0 "$BG" 2>/dev/null; then
			t=$(measure) || t=
			bg_stop
			row "perf record -F $hz -g -C 1" "$t" "samples CPU 1 (the loop's) whatever runs there; writes perf.data"
		else
			BG=
		fi
	done
fi

echo "## CPU profile: a CPU-bound loop bare, profiled by fastpath and by perf (\`bench/cpu.sh\`)"
echo
echo "\`cpuburn split $N\` (a fixed ${N}x4 iterations) pinned to CPU 1; hyperfine, $RUNS runs + 1 warm-up per case, medians; the tracers attached before the runs (fastpath by command name, perf on CPU 1)."
echo
echo "| case | median (s) | ratio to bare | notes |"
echo "|---|---:|---:|---|"
for r in "${rows[@]}"; do
	IFS='|' read -r n t note <<< "$r"
	if [ -n "$t" ]; then
		awk -v n="$n" -v t="$t" -v b="$bare" -v s="$note" 'BEGIN { printf "| %s | %.3f | %.4f | %s |\n", n, t, t / b, s }'
	else
		echo "| $n | - | - | $note |"
	fi
done
