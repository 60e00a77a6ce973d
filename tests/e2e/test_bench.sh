# Smoke checks so the benchmark (make bench) does not rot: the floor loader
# loads and unloads, and the bench scripts run end to end in --quick mode,
# ending with issue 13's targets table, every target in it.
# Not timed: no assertion here is about speed.

FLOOR=${FLOOR:-$PWD/build/bench/floor}

floor_prog_ids() { bpftool prog show -j | jq -r '.[] | select(.name == "floor_enter" or .name == "floor_exit") | "\(.id) \(.name)"' | sort; }

test_bench_floor_loads_and_unloads() {
	[ -x "$FLOOR" ] || fail "$FLOOR missing: make build/bench/floor"
	floor_prog_ids > "$TMP/before"
	"$FLOOR" 2>"$TMP/floor.err" &
	local fl=$!
	for _ in $(seq 100); do grep -q attached "$TMP/floor.err" && break; sleep 0.05; done
	assert_contains "$TMP/floor.err" "attached" "floor says it attached"
	# bpftool here cannot tell which pid owns a program: its own are the new ids
	floor_prog_ids | comm -13 "$TMP/before" - > "$TMP/ours"
	assert_eq "$(awk '{ print $2 }' "$TMP/ours" | tr '\n' ' ')" "floor_enter floor_exit " "floor's programs loaded"
	kill -INT "$fl"
	wait_pid "$fl" 5
	# the kernel frees programs after an RCU grace period: allow it 2 s
	local left
	for _ in $(seq 40); do
		left=$(floor_prog_ids | comm -12 "$TMP/ours" - | wc -l)
		[ "$left" -eq 0 ] && break
		sleep 0.05
	done
	assert_eq "$left" 0 "floor's programs unloaded at exit"
	# -d: stops by itself
	"$FLOOR" -d 0.2 2>/dev/null
}

# Too slow for a smoke test even at tiny sizes (~19 s: fixed start-up per
# case); only checked for syntax until it has a real --quick.
BENCH_SLOW="bench/alloc.sh"

test_bench_scripts_quick() {
	local others=" " s
	for s in bench/*.sh; do
		case " bench/run.sh bench/foundation.sh $BENCH_SLOW " in *" $s "*) continue ;; esac
		[ -x "$s" ] && others="$others $s"
	done
	for s in $BENCH_SLOW; do
		[ -f "$s" ] && bash -n "$s"
	done
	BENCH_SCRIPTS="$others" BENCH_OUT=$TMP/results.md bench/run.sh --quick > "$TMP/bench.out" 2>"$TMP/bench.err" ||
		{ cat "$TMP/bench.err" >&2; fail "bench/run.sh --quick failed"; }
	cmp -s "$TMP/bench.out" "$TMP/results.md" || fail "results.md differs from what was printed"
	# every mode produced a timing, and fastpath counted every call of its target exactly
	local bare
	bare=$(awk -F'|' '$2 ~ /^ bare \(no tracer/ { print $3 + 0; exit }' "$TMP/results.md")
	assert_ge "${bare%.*}" 1 "bare ns/call"
	assert_eq "$(grep -c '^| fastpath record -p.* | 1 | [0-9]* |$' "$TMP/results.md")" 3 "fastpath rows with one run each"
	assert_contains "$TMP/results.md" "| 2/2 runs exact, drops 2/2 runs 0 | met |" "fastpath exact on 20000 calls (both configurations)"
	assert_contains "$TMP/results.md" "| 1/1 runs 0 | met |" "nothing counted for the untraced process"
	# bench/load.sh: every object's load timed, the verifier's work per program
	assert_ge "$(grep -c '^| syscall | [0-9.]* | [0-9.]* |$' "$TMP/results.md")" 1 "syscall object's load timed"
	assert_ge "$(sed -n 's/^| | \*\*all \([0-9]*\) programs\*\* | \*\*\([0-9]*\)\*\* |$/\2/p' "$TMP/results.md")" 1000 "verified instructions counted"
	! grep -q 'failed' "$TMP/bench.err" || { cat "$TMP/bench.err" >&2; fail "a bench run failed"; }
	# the targets table of issue 13 ends the output, one row per target,
	# each with a verdict computed from this run's figures (no value is
	# "nan": every figure it needs was measured); speed is not asserted
	sed -n '/^## Targets (issue 13)/,$p' "$TMP/results.md" > "$TMP/targets.md"
	assert_contains "$TMP/targets.md" "## Targets (issue 13)" "targets table printed"
	local t
	for t in "syscall accounting with latency histograms" "the default on a stat loop" "the default on getppid" \
		"untraced processes" "\`record -- CMD\` tracing from start" "peak RSS" "exit, SIGINT to process exit" \
		"zero lost events"; do
		assert_eq "$(grep -F -- "| $t" "$TMP/targets.md" | grep -cE '\| (MET|NOT MET) \|$')" 1 "targets row: $t"
	done
	assert_eq "$(grep -c '^| .* | \(MET\|NOT MET\) |$' "$TMP/targets.md")" 8 "eight target rows"
	! awk -F'|' '$4 ~ /nan/' "$TMP/targets.md" | grep -q . || { cat "$TMP/targets.md" >&2; fail "a target's figure is missing (nan)"; }
	assert_contains "$TMP/targets.md" "| zero lost events (exact counts, no drops) | every run |" "lost-events row"
	grep -F "| zero lost events" "$TMP/targets.md" | grep -q '| MET |$' || fail "events lost in the quick run"
}
