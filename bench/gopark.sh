#!/usr/bin/env bash
# Go park probes (--parks): the cost per park.  build/workloads/go-backpressure
# -design pingpong -items N bounces a value N times between two goroutines
# over unbuffered channels on one P: two parks (and two runs by
# runtime.execute) per round trip.  Each case runs the workload with N round
# trips and with none, bare and under `fastpath record -c go-backpressure`
# (in the background across the runs, so its start-up is not in the
# figures; each run is held at its exec while its probes are attached, the
# same for N and for 0, so it cancels).  Added cost per park:
#   ((traced N - traced 0) - (bare N - bare 0)) / parks
# with parks counted by fastpath itself.  Prints markdown.
#   N_PARKS=200000 RUNS=5 bench/gopark.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N_PARKS:-200000}
RUNS=${RUNS:-5}
if [ "${1:-}" = "--quick" ]; then N=20000; RUNS=1; fi
FP=$PWD/fastpath
W=$PWD/build/workloads/go-backpressure
die() { echo "bench/gopark.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (BPF)"
[ -x "$FP" ] && [ -x "$W" ] || die "build first: make all workloads"
command -v hyperfine > /dev/null || die "hyperfine missing: make deps"

D=$(mktemp -d /tmp/fastpath-bench-gopark.XXXXXX)
. bench/bg.sh.inc
cleanup() { bg_stop; rm -rf "$D"; }
trap cleanup EXIT


median() { # items
	hyperfine --shell=none --style none --warmup 1 --runs "$RUNS" --export-json "$D/h.json" \
		"$W -design pingpong -items $1" > /dev/null 2>&1 || return 1
	jq '.results[0].median' "$D/h.json"
}

rows=()
case_() { # name fastpath-args...
	local name=$1 tn t0 parks=0; shift
	if [ "$name" != bare ]; then
		bg_start "$FP" record -c go-backpressure -o "$D/r.json" "$@" || { rows+=("$name|||fastpath failed"); return; }
	fi
	tn=$(median "$N") && t0=$(median 0) || { rows+=("$name|||hyperfine failed"); [ -z "$BG" ] || bg_stop; return; }
	if [ "$name" != bare ]; then
		bg_stop
		parks=$(jq '[.processes[] | .gopark.parks // 0] | add // 0' "$D/r.json")
	fi
	rows+=("$name|$tn|$t0|$parks")
}
case_ bare
case_ "fastpath (default probes)"
case_ "fastpath --parks" --parks
bare_n=$(echo "${rows[0]}" | cut -d'|' -f2)
bare_0=$(echo "${rows[0]}" | cut -d'|' -f3)

echo "## Go park probes (\`bench/gopark.sh\`)"
echo
echo "\`go-backpressure -design pingpong -items $N\`: $N round trips between two goroutines over unbuffered channels on one P, 2 parks each; with 0 round trips to cancel start-up; hyperfine, $RUNS runs + 1 warm-up, medians; fastpath attached by command name before the runs."
echo
echo "| case | median s ($N) | median s (0) | parks counted (all runs) | added per park |"
echo "|---|---:|---:|---:|---|"
for r in "${rows[@]}"; do
	IFS='|' read -r n tn t0 parks <<< "$r"
	if [ -z "$tn" ]; then echo "| $n | - | - | - | $parks |"; continue; fi
	awk -v n="$n" -v tn="$tn" -v t0="$t0" -v bn="$bare_n" -v b0="$bare_0" -v p="$parks" -v N="$N" 'BEGIN {
		per = "-"
		if (n != "bare") per = sprintf("%.3f us", ((tn - t0) - (bn - b0)) / (2 * N) * 1e6)
		printf "| %s | %.3f | %.3f | %s | %s |\n", n, tn, t0, (n == "bare" ? "-" : p), per }'
done
