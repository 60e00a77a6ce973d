#!/usr/bin/env bash
# make test: unit tests (no root), then end-to-end tests (root, real BPF).
# Prints one PASS/FAIL line per test and "N passed, N failed" at the end.
set -u
cd "$(dirname "$0")/.."
export TOP=$PWD
passed=0 failed=0 skipped=0
failures=()

# ---- unit tests (cmocka) --------------------------------------------------
for t in build/tests/test_*; do
	[ "${UNIT:-1}" = 0 ] && break
	[ -x "$t" ] || continue
	out=$("$t" 2>&1); rc=$?
	n=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	nf=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	passed=$((passed + ${n:-0}))
	if [ "$rc" -ne 0 ]; then
		failed=$((failed + ${nf:-1}))
		failures+=("$(basename "$t")")
		printf '%s\n' "$out" | grep -E 'FAILED|ERROR|Failure|error' | head -20
		echo "FAIL unit $(basename "$t")"
	else
		echo "PASS unit $(basename "$t") (${n:-0} tests)"
	fi
done

# ---- end-to-end -----------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
	echo "end-to-end tests need root (BPF); run 'sudo make test'"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
fi
# One end-to-end run at a time on a machine: the leak check compares the
# host's fp_* program ids before and after each test, so a second tracer
# (another checkout's tests) would read as a leak.
exec 9>/run/fastpath-e2e.lock
flock 9
export FP_E2E_LOCKED=1	# bench/run.sh, run by a test, must not wait for it
export TMP=$(mktemp -d /tmp/fastpath-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
. tests/lib.sh
only=${TESTS:-}
for f in tests/e2e/test_*.sh; do
	. "$f"
done
for t in $(declare -F | awk '{print $3}' | grep '^test_' ); do
	if [ -n "$only" ] && ! [[ $t =~ $only ]]; then continue; fi
	: > "$FP_PIDS_FILE"
	fp_prog_ids > "$TMP/progs.before"
	start=$(date +%s.%N)
	# 9>&-: a workload a test leaves behind must not hold the lock
	( set -eu; cd "$TOP"; "$t" ) > "$TMP/$t.log" 2>&1 9>&-; rc=$?
	leak=$(leaked_progs)
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e - s}')
	if [ "$rc" -eq 77 ]; then
		skipped=$((skipped + 1)); echo "SKIP $t: $(tail -1 "$TMP/$t.log")"
	elif [ "$rc" -eq 0 ] && [ -z "$leak" ]; then
		passed=$((passed + 1)); echo "PASS $t (${secs}s)"
	else
		failed=$((failed + 1)); failures+=("$t")
		echo "FAIL $t (${secs}s)"
		sed 's/^/    /' "$TMP/$t.log" | tail -30
		[ -n "$leak" ] && echo "    left loaded: $leak"
		for p in $(cat "$FP_PIDS_FILE"); do kill -9 "$p" 2>/dev/null; done
	fi
done
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
