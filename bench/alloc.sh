#!/usr/bin/env bash
# Allocator probes: the cost fastpath adds per allocation.  Run from the
# repo root after `make all workloads`, as root.  Uses hyperfine (medians);
# bpftrace's uprobes on the same functions for comparison when installed.
#
# Each traced case is timed with the workload doing N allocations and with
# it doing none; the difference, minus the bare workload's, divided by the
# probe hits, is the added cost per hit (tracer start-up cancels out).
set -euo pipefail
cd "$(dirname "$0")/.."
FP=$PWD/fastpath W=$PWD/build/workloads
N_C=${N_C:-1000000}	# malloc+free pairs
N_GO=${N_GO:-2000000}	# Go allocations, exact
N_GOS=${N_GOS:-20000000}	# Go allocations, sampled: long enough that start-up noise fades
RUNS=${RUNS:-5}
OUT=$(mktemp -d /tmp/fastpath-bench.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
for x in "$FP" "$W/allocloop" "$W/go-allocgo"; do
	[ -x "$x" ] || { echo "bench/alloc.sh: $x missing: run 'make all workloads'" >&2; exit 1; }
done
command -v hyperfine >/dev/null || { echo "bench/alloc.sh: hyperfine missing: apt-get install hyperfine" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench/alloc.sh: needs root (BPF)" >&2; exit 1; }
LIBC=$(ldd "$W/allocloop" | awk '/libc.so/ {print $3}')

# median seconds of one command
median() { # name cmd...
	local name=$1 cmd; shift
	cmd=$(printf '%q ' "$@")
	hyperfine --runs "$RUNS" --warmup 1 --export-json "$OUT/$name.json" "$cmd" >/dev/null
	jq '.results[0].median' "$OUT/$name.json"
}

# added microseconds per probe hit: (traced(N) - traced(0)) - (bare(N) - bare(0)), / hits
per_hit() { awk -v tn="$1" -v t0="$2" -v bn="$3" -v b0="$4" -v h="$5" \
	'BEGIN { printf "%.3f", ((tn - t0) - (bn - b0)) / h * 1e6 }'; }
row() { printf '| %-34s | %9.3f | %9.3f | %s |\n' "$1" "$2" "$3" "$4"; }

echo "# fastpath allocator probes: $(date -u +%FT%TZ) on $(uname -r), $(nproc) CPUs"
# ALLOC_BENCH_TSGO_ONLY=1: only the tsgo rows (they take a few minutes alone).
if [ -z "${ALLOC_BENCH_TSGO_ONLY:-}" ]; then
echo "C: $N_C malloc(64)+free pairs; Go: $N_GO (exact) and $N_GOS (sampled) escaping 24-byte allocations; $RUNS runs, medians"
echo
echo "| case | median s (N) | median s (0) | added per hit |"
echo "|---|---|---|---|"

cb=$(median c_bare "$W/allocloop" "$N_C" 64); cb0=$(median c_bare0 "$W/allocloop" 0 64)
row "C bare" "$cb" "$cb0" "-"
ce=$(median c_exact "$FP" record -q --alloc=exact -o "$OUT/r.json" -- "$W/allocloop" "$N_C" 64)
ce0=$(median c_exact0 "$FP" record -q --alloc=exact -o "$OUT/r.json" -- "$W/allocloop" 0 64)
row "C fastpath --alloc=exact" "$ce" "$ce0" "$(per_hit "$ce" "$ce0" "$cb" "$cb0" $((2 * N_C))) us/call (malloc and free)"
cs=$(median c_sampled "$FP" record -q -o "$OUT/r.json" -- "$W/allocloop" "$N_C" 64)
cs0=$(median c_sampled0 "$FP" record -q -o "$OUT/r.json" -- "$W/allocloop" 0 64)
row "C fastpath default (libc unprobed)" "$cs" "$cs0" "$(per_hit "$cs" "$cs0" "$cb" "$cb0" $((2 * N_C))) us/call"
if command -v bpftrace >/dev/null; then
	prog="uprobe:$LIBC:malloc /comm == \"allocloop\"/ { @m = count(); } uprobe:$LIBC:free /comm == \"allocloop\"/ { @f = count(); }"
	bt=$(median c_bpftrace bpftrace -q -e "$prog" -c "$W/allocloop $N_C 64")
	bt0=$(median c_bpftrace0 bpftrace -q -e "$prog" -c "$W/allocloop 0 64")
	row "C bpftrace uprobes malloc+free" "$bt" "$bt0" "$(per_hit "$bt" "$bt0" "$cb" "$cb0" $((2 * N_C))) us/call"
	prog="uprobe:$LIBC:malloc /comm == \"allocloop\"/ { @m = count(); }"
	bm=$(median c_bpftrace_m bpftrace -q -e "$prog" -c "$W/allocloop $N_C 64")
	bm0=$(median c_bpftrace_m0 bpftrace -q -e "$prog" -c "$W/allocloop 0 64")
	row "C bpftrace uprobe malloc only" "$bm" "$bm0" "$(per_hit "$bm" "$bm0" "$cb" "$cb0" "$N_C") us/call"
	prog="uprobe:$LIBC:free /comm == \"allocloop\"/ { @f = count(); }"
	bf=$(median c_bpftrace_f bpftrace -q -e "$prog" -c "$W/allocloop $N_C 64")
	bf0=$(median c_bpftrace_f0 bpftrace -q -e "$prog" -c "$W/allocloop 0 64")
	row "C bpftrace uprobe free only" "$bf" "$bf0" "$(per_hit "$bf" "$bf0" "$cb" "$cb0" "$N_C") us/call"
else
	echo "(bpftrace not installed: no comparison)"
fi

gb=$(median go_bare "$W/go-allocgo" escape "$N_GO"); gb0=$(median go_bare0 "$W/go-allocgo" escape 0)
row "Go bare" "$gb" "$gb0" "-"
ge=$(median go_exact "$FP" record -q --alloc=exact -o "$OUT/r.json" -- "$W/go-allocgo" escape "$N_GO")
ge0=$(median go_exact0 "$FP" record -q --alloc=exact -o "$OUT/r.json" -- "$W/go-allocgo" escape 0)
row "Go fastpath --alloc=exact" "$ge" "$ge0" "$(per_hit "$ge" "$ge0" "$gb" "$gb0" "$N_GO") us/alloc"
gbs=$(median go_bare_s "$W/go-allocgo" escape "$N_GOS")
row "Go bare ($N_GOS)" "$gbs" "$gb0" "-"
gs=$(median go_sampled "$FP" record -q --alloc=sampled -o "$OUT/r.json" -- "$W/go-allocgo" escape "$N_GOS")
gs0=$(median go_sampled0 "$FP" record -q --alloc=sampled -o "$OUT/r.json" -- "$W/go-allocgo" escape 0)
row "Go fastpath --alloc=sampled ($N_GOS)" "$gs" "$gs0" "$(per_hit "$gs" "$gs0" "$gbs" "$gb0" "$N_GOS") us/alloc"
awk -v s="$gs" -v s0="$gs0" -v b="$gbs" -v b0="$gb0" \
	'BEGIN { printf "\nGo sampled overhead on the churn loop: %.1f%% ((%.3f-%.3f) vs (%.3f-%.3f) s)\n", ((s - s0) / (b - b0) - 1) * 100, s, s0, b, b0 }'
if command -v bpftrace >/dev/null; then
	prog="uprobe:$W/go-allocgo:runtime.mallocgc { @n = count(); }"
	gt=$(median go_bpftrace bpftrace -q -e "$prog" -c "$W/go-allocgo escape $N_GO")
	gt0=$(median go_bpftrace0 bpftrace -q -e "$prog" -c "$W/go-allocgo escape 0")
	row "Go bpftrace uprobe runtime.mallocgc" "$gt" "$gt0" "$(per_hit "$gt" "$gt0" "$gb" "$gb0" "$N_GO") us/alloc"
fi
fi

# tsgo (Go 1.26, stripped, from the npm registry, installed by make deps):
# a real Go program's cost.  Ratios against bare tsgo on the same project,
# and the added cost per allocation: the difference between a big project
# and a one-module one (start-up cancels out), over the allocations tsgo
# itself reports (`Memory allocs`, runtime.MemStats).
TSGO=${TSGO:-$PWD/build/npm/node_modules/@typescript/native-preview-linux-x64/lib/tsgo}
TS_MODULES=${TS_MODULES:-300}
if [ -x "$TSGO" ]; then
	python3 tests/workloads/ts/gen_project.py "$OUT/ts" "$TS_MODULES"
	python3 tests/workloads/ts/gen_project.py "$OUT/ts1" 1
	allocs() { "$TSGO" -p "$1" --extendedDiagnostics | awk '/^Memory allocs:/ {print $3}'; }
	an=$(allocs "$OUT/ts"); a1=$(allocs "$OUT/ts1")
	echo
	echo "tsgo $("$TSGO" --version | awk '{print $NF}') on a generated project of $TS_MODULES modules ($an allocations, its own count) and of 1 ($a1); $RUNS runs, medians"
	echo
	echo "| case | median s ($TS_MODULES modules) | median s (1) | vs bare | added per allocation |"
	echo "|---|---|---|---|---|"
	tb=$(median ts_bare "$TSGO" -p "$OUT/ts"); tb1=$(median ts_bare1 "$TSGO" -p "$OUT/ts1")
	printf '| %-30s | %9.3f | %9.3f | - | - |\n' "tsgo bare" "$tb" "$tb1"
	for mode in exact sampled; do
		t=$(median "ts_$mode" "$FP" record -q --alloc=$mode -o "$OUT/r.json" -- "$TSGO" -p "$OUT/ts")
		t1=$(median "ts_${mode}1" "$FP" record -q --alloc=$mode -o "$OUT/r.json" -- "$TSGO" -p "$OUT/ts1")
		printf '| %-30s | %9.3f | %9.3f | %s | %s us |\n' "tsgo fastpath --alloc=$mode" "$t" "$t1" \
			"$(awk -v t="$t" -v b="$tb" 'BEGIN { printf "%.2fx", t / b }')" \
			"$(per_hit "$t" "$t1" "$tb" "$tb1" $((an - a1)))"
	done
else
	echo
	echo "(tsgo not installed at $TSGO: run 'make deps' for the tsgo rows)"
fi
