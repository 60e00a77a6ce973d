# End-to-end: load figures of issue 16, shortened for make test:
# a stat flood as fast as the machine makes the calls, and a Go target
# under --alloc=exact uprobes for a while.  Oracles: the workloads'
# own counts, Go's runtime.MemStats, /proc for fastpath's memory and CPU.

# utime+stime of a pid, in clock ticks
soak_cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

test_soak_stat_flood() {
	# A stat flood of distinct paths, 600,000 as fast as the machine goes,
	# with the path map shrunk to 4,096 entries: every call counted, the
	# paths that did not fit counted as drops (never silent), and
	# fastpath's own CPU (utime+stime, the loop alone) within 1 s per
	# million calls (measured: see BENCHMARKS.md).
	local n=600000 wp c0 c1 ns hz
	hz=$(getconf CLK_TCK)
	"$W/statflood" $n > "$TMP/w.out" &
	wp=$!
	for _ in $(seq 100); do grep -q ready "$TMP/w.out" && break; sleep 0.05; done
	FASTPATH_MAP_ENTRIES=fp_stat_paths=4096 fp_start record -p "$wp" -o "$TMP/r.json"
	c0=$(soak_cpu "$FP_PID")
	kill -USR1 "$wp"
	for _ in $(seq 600); do grep -q done "$TMP/w.out" && break; sleep 0.05; done
	sleep 0.5	# the last poll of the maps
	c1=$(soak_cpu "$FP_PID")
	kill -USR1 "$wp"
	wait_pid "$FP_PID" 20
	ns=$(awk '/^done/ { print $2 }' "$TMP/w.out")
	echo "stat flood: $n calls in $((ns / 1000000)) ms ($((n * 1000 / (ns / 1000000 + 1))) /s); fastpath CPU $(( (c1 - c0) * 1000 / hz )) ms" >&2
	assert_eq "$(jqr "$TMP/r.json" '[.processes[] | select(.comm == "statflood")][0].syscalls.newfstatat.calls')" $n "every call counted"
	assert_eq "$(jqr "$TMP/r.json" '[.processes[] | select(.comm == "statflood")][0].stat.calls')" $n "every stat-family call counted"
	assert_ge "$(jqr "$TMP/r.json" '.dropped.stat_paths_full // 0')" $((n - 4096)) "the paths that did not fit are counted as drops"
	assert_le "$(( (c1 - c0) * 1000 / hz ))" $(( n / 1000 )) "fastpath's CPU (ms) for $n calls"
}

test_soak_go_exact() {
	# A Go target under --alloc=exact for 15 s (bench/soak.sh: 5 minutes):
	# no crash, and the allocations its loop made counted exactly at the
	# allocating site, the whole process within 2% of MemStats.Mallocs.
	local rc=0
	fp_run record -q --alloc=exact --stacks -o "$TMP/r.json" -- "$W/go-allocgo" escapefor 15 > "$TMP/go.out" || rc=$?
	assert_eq "$rc" 0 "fastpath's exit"
	assert_eq "$(jqr "$TMP/r.json" '[.processes[] | select(.comm == "go-allocgo")][0].exited')" true "the target ran to its end"
	assert_eq "$(jqr "$TMP/r.json" '[.processes[] | select(.comm == "go-allocgo")][0].alloc.go.mode')" exact "mode"
	assert_eq "$(jqr "$TMP/r.json" '[.processes[] | select(.comm == "go-allocgo")][0].alloc.top_sites[0].calls')" "$(jq .result "$TMP/go.out")" "the loop's allocations at its site, exact"
	assert_within "$(jqr "$TMP/r.json" '[.processes[] | select(.comm == "go-allocgo")][0].alloc.go.calls')" "$(jq .mallocs "$TMP/go.out")" 2 "allocations vs MemStats.Mallocs"
	echo "go soak: $(jq .result "$TMP/go.out") allocations in 15 s" >&2
}
