#!/usr/bin/env bash
# Start-up of `fastpath record -- CMD`, object by object (issue 13's 50 ms
# with every family): N runs of `fastpath record -v -- statloop -t 0`, each
# under the end-to-end tests' lock (not when the tests run us:
# FP_E2E_LOCKED).  From -v's "X probes loaded in N ms" lines, the median
# load time of each object; from the loop's CLOCK_REALTIME at main(), the
# whole start-up until the command runs (as bench/foundation.sh measures
# it); /usr/bin/time's peak RSS; and from -v's "program P: N verified
# instructions" lines, what the kernel's verifier processed per program.
# Prints markdown; with BENCH_FIGURES set, appends "load.FAMILY MS",
# "start.load MS" and "rss.load KB" lines to it.
#   bench/load.sh [--quick]      LOAD_RUNS (runs, 9), FP
set -u
cd "$(dirname "$0")/.."
FP=${FP:-$PWD/fastpath}	# FP=/other/fastpath: another build, for a before/after
LOOP=$PWD/build/workloads/statloop
TIME=/usr/bin/time
RUNS=${LOAD_RUNS:-9}
[ "${1:-}" = "--quick" ] && RUNS=1
die() { echo "bench/load.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (BPF)"
for f in "$FP" "$LOOP"; do [ -x "$f" ] || die "$f missing: make all bench"; done
[ -x "$TIME" ] || die "/usr/bin/time missing: make deps"
command -v bpftool >/dev/null && command -v jq >/dev/null || die "bpftool and jq needed"
lock=()
[ -n "${FP_E2E_LOCKED:-}" ] || lock=(flock /run/fastpath-e2e.lock)

. bench/tmp.sh.inc
bench_tmp load

median() { [ -s "$1" ] || { echo nan; return; }; sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# one timed run: per family "NAME<TAB>ms" to $T/fam.NAME, start-up ms, peak KB
run_one() {
	local t0
	t0=$EPOCHREALTIME
	"${lock[@]}" "$TIME" -f %M -o "$T/rss" "$FP" record -v -o "$T/r.json" -- "$LOOP" -t 0 \
		> "$T/out" 2>"$T/err" || { cat "$T/err" >&2; return 1; }
	awk -v s="$t0" '$1 == "start_ns" { printf "%.1f\n", $2 / 1e6 - s * 1000 }' "$T/out" >> "$T/start"
	tail -1 "$T/rss" >> "$T/rss.all"
	sed -n 's/^fastpath: debug: \(.*\) probes program \(fp_[a-z0-9_]*\): \([0-9]*\) verified.*/\1\t\2\t\3/p' "$T/err" > "$T/insns"
	sed -n 's/^fastpath: debug: \(.*\) probes loaded in \([0-9.]*\) ms:.*/\1\t\2/p' "$T/err" |
		while IFS=$'\t' read -r fam ms; do
			echo "$ms" >> "$T/fam.${fam// /_}"
			grep -qxF "$fam" "$T/fams" 2>/dev/null || echo "$fam" >> "$T/fams"
		done
}

for _ in $(seq "$RUNS"); do
	run_one || echo "bench/load.sh: a run failed" >&2
done
cat <<EOF
## Start-up, object by object (\`bench/load.sh\`)

\`fastpath record -v -o FILE -- statloop -t 0\`, $RUNS runs: each object's load (open, BTF, CO-RE, the kernel's
verifier, maps) from the -v lines, median; start-up = from launching fastpath to the command's main() (every
family attached first), median; peak RSS by \`/usr/bin/time -f %M\`, max.

| object | load ms (median) | load ms (max) |
|---|---:|---:|
EOF
while read -r fam; do
	f=$T/fam.${fam// /_}
	printf '| %s | %s | %s |\n' "$fam" "$(median "$f")" "$(sort -g "$f" | tail -1)"
	[ -z "${BENCH_FIGURES:-}" ] || echo "load.${fam// /_} $(median "$f")" >> "$BENCH_FIGURES"
done < <(cat "$T/fams" 2>/dev/null)
total=$(median "$T/start")
rss=$(sort -n "$T/rss.all" 2>/dev/null | tail -1)
echo "| **start-up until the command runs** | **$total** | $(sort -g "$T/start" 2>/dev/null | tail -1) |"
echo
echo "Peak RSS $(awk -v k="${rss:-0}" 'BEGIN { printf "%.1f", k / 1024 }') MB ($(wc -l < "$T/start" 2>/dev/null || echo 0) runs)."
echo
echo "| object | program | verified instructions |"
echo "|---|---|---:|"
awk -F'\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3; s += $3 } END { printf "| | **all %d programs** | **%d** |\n", NR, s }' "$T/insns" 2>/dev/null
if [ -n "${BENCH_FIGURES:-}" ]; then
	echo "start.load $total" >> "$BENCH_FIGURES"
	echo "rss.load ${rss:-nan}" >> "$BENCH_FIGURES"
fi
