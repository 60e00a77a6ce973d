#!/usr/bin/env bash
# make bench: the foundation benchmark (bench/foundation.sh), then every
# other executable bench/*.sh (each prints markdown), all passed the same
# arguments (--quick for a smoke run).  The combined output goes to stdout
# and to build/bench/results.md (written whole at the end).
#   bench/run.sh [--quick]
# BENCH_SCRIPTS: the scripts to run after the foundation benchmark (default:
# every other executable bench/*.sh).  With --quick, scripts that size
# themselves by environment get tiny sizes too.
set -u
cd "$(dirname "$0")/.."
out=${BENCH_OUT:-build/bench/results.md}
mkdir -p "$(dirname "$out")"
tmp=$(mktemp "$out.XXXXXX")
export BENCH_FIGURES=$tmp.figures
: > "$BENCH_FIGURES"
trap 'rm -f "$tmp" "$BENCH_FIGURES"' EXIT
failed=()

# Each script holds the end-to-end tests' lock while it runs: a test's leak
# check would read our tracers as its own, and our figures would carry its
# load.  Not when the tests run us (they hold it already: FP_E2E_LOCKED).
# The scripts are told it is held (FP_E2E_LOCKED): one that takes it per
# run when started alone (load.sh) would otherwise wait for us forever.
lock=()
[ -n "${FP_E2E_LOCKED:-}" ] || lock=(flock /run/fastpath-e2e.lock env FP_E2E_LOCKED=1)

run() { # script args...
	local s=$1 rc
	shift
	"${lock[@]}" "$s" "$@" | tee -a "$tmp"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		echo "bench: $s failed (exit $rc)" | tee -a "$tmp" >&2
		failed+=("$s")
	fi
	echo | tee -a "$tmp"
}

{
	echo "# fastpath benchmarks"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), fastpath $(git describe --always --dirty 2>/dev/null || echo '?'), $(uname -r), $(nproc) CPUs."
	echo
} | tee "$tmp"
if [ "${1:-}" = "--quick" ]; then
	export N=${N:-20000} RUNS=${RUNS:-1} FP_BENCH_RUNS=${FP_BENCH_RUNS:-1} \
	       N_C=${N_C:-5000} N_GO=${N_GO:-5000} N_GOS=${N_GOS:-50000}
fi
run bench/foundation.sh "$@"
for s in ${BENCH_SCRIPTS:-bench/*.sh}; do
	case $s in bench/run.sh|bench/foundation.sh|bench/targets.sh) continue ;; esac
	[ -x "$s" ] || continue
	run "$s" "$@"
done
bench/targets.sh "$BENCH_FIGURES" | tee -a "$tmp"
mv "$tmp" "$out"
echo "bench: results in $out" >&2
[ ${#failed[@]} -eq 0 ]
