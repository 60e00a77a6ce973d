# End-to-end: allocator probes on the processes a target execs (issue 10):
# wrapper scripts (sh -c), -c NAME for a process that starts later,
# --follow.  A target is held at exec until the probes that fit its new
# binary are attached, so it is counted from its first allocation; the
# oracle is the program's own runtime.MemStats (Go) or its known calls (C).

# jq over the alloc section of the first process named COMM
child_q() { jq -r --arg c "$2" "[.processes[] | select(.comm == \$c) | .alloc][0] | $3" "$1"; }

test_alloc_child_sh_c_go_forked() {
	# dash forks for `cmd; true`: a followed child that execs a Go binary
	local n=300000
	fp_run record -q --alloc=exact -o "$TMP/r.json" -- sh -c "'$W/go-allocgo' escape $n > '$TMP/go.out'; true"
	assert_eq "$(child_q "$TMP/r.json" go-allocgo .go.mode)" exact "Go probes on the child"
	assert_within "$(child_q "$TMP/r.json" go-allocgo .go.calls)" "$(jq .mallocs "$TMP/go.out")" 2 "child's Go allocations vs MemStats.Mallocs"
	assert_eq "$(jq '.dropped.exec_not_held // 0' "$TMP/r.json")" 0 "every exec held"
}

test_alloc_child_bash_c_go_reexec() {
	# bash execs a lone command in place: the traced pid itself gets a new
	# image, which needs its own probes (the shell's libc ones do not fit)
	local n=300000 direct
	fp_run record -q --alloc=exact -o "$TMP/d.json" -- "$W/go-allocgo" escape $n > "$TMP/d.out"
	direct=$(child_q "$TMP/d.json" go-allocgo .go.calls)
	fp_run record -q --alloc=exact -o "$TMP/r.json" -- bash -c "exec '$W/go-allocgo' escape $n > '$TMP/go.out'"
	assert_eq "$(jq '[.processes[] | select(.comm == "go-allocgo")] | length' "$TMP/r.json")" 1 "one process, re-exec'd"
	assert_within "$(child_q "$TMP/r.json" go-allocgo .go.calls)" "$(jq .mallocs "$TMP/go.out")" 2 "Go allocations after the shell's exec vs MemStats"
	assert_within "$(child_q "$TMP/r.json" go-allocgo .go.calls)" "$direct" 2 "the same as running it directly"
}

test_alloc_child_sh_c_libc() {
	# the C child of a wrapper script: its libc probes, counted from its
	# first malloc (the workload's own n, plus at most a few of libc's)
	local n=50000 m
	fp_run record -q --alloc=exact -o "$TMP/r.json" -- sh -c "'$W/allocloop' $n 100 > /dev/null; true"
	m=$(child_q "$TMP/r.json" allocloop .libc.malloc.calls)
	assert_ge "$m" $n "child's malloc calls"; assert_le "$m" $((n + 20)) "child's malloc calls"
	assert_eq "$(child_q "$TMP/r.json" allocloop .libc.free.calls)" $n "child's free calls"
}

test_alloc_child_comm_started_later_libc() {
	local n=30000 m
	fp_start record -c allocloop --alloc=exact -o "$TMP/r.json"
	"$W/allocloop" $n 64 > /dev/null
	kill -INT "$FP_PID"
	wait_pid "$FP_PID" 20
	m=$(child_q "$TMP/r.json" allocloop .libc.malloc.calls)
	assert_ge "$m" $n "malloc calls of a process matched at exec"; assert_le "$m" $((n + 20)) "malloc calls"
}

test_alloc_child_comm_started_later() {
	# -c NAME: the process does not exist when fastpath starts
	local n=200000
	fp_start record -c go-allocgo --alloc=exact -o "$TMP/r.json"
	"$W/go-allocgo" escape $n > "$TMP/go.out"
	kill -INT "$FP_PID"
	wait_pid "$FP_PID" 20
	assert_eq "$(child_q "$TMP/r.json" go-allocgo .go.mode)" exact "Go probes on a process matched at exec"
	assert_within "$(child_q "$TMP/r.json" go-allocgo .go.calls)" "$(jq .mallocs "$TMP/go.out")" 2 "its allocations vs MemStats"
}

test_alloc_child_follow_pid() {
	# -p PID --follow: a shell already running starts the Go program later
	local n=200000 sp
	rm -f "$TMP/child.start"
	bash -c "while [ ! -e '$TMP/child.start' ]; do sleep 0.02; done; '$W/go-allocgo' escape $n > '$TMP/go.out'" &
	sp=$!
	fp_start record -p "$sp" --follow --alloc=exact -o "$TMP/r.json"
	touch "$TMP/child.start"
	wait_pid "$sp" 30
	wait_pid "$FP_PID" 20
	assert_eq "$(child_q "$TMP/r.json" go-allocgo .go.mode)" exact "Go probes on the followed child"
	assert_within "$(child_q "$TMP/r.json" go-allocgo .go.calls)" "$(jq .mallocs "$TMP/go.out")" 2 "its allocations vs MemStats"
}

test_alloc_child_runs_on_when_fastpath_is_killed() {
	# fastpath dies (SIGKILL, no clean-up) while a child is stopped at exec
	# waiting for its probes: the guardian continues it
	local gp st="" guard
	# its own directory: a killed fastpath leaves its half-written output
	mkdir -p "$TMP/k9"
	FASTPATH_TEST_HOLD_MS=60000 fp_start record --alloc=exact -o "$TMP/k9/r.json" -- \
		sh -c "'$W/go-allocgo' escape 1000 > '$TMP/go.out'; true"
	for _ in $(seq 200); do
		gp=$(pgrep -x go-allocgo -P "$(pgrep -P "$FP_PID" -x sh | head -1)" | head -1) || true
		[ -n "$gp" ] && st=$(awk '{print $3}' "/proc/$gp/stat" 2>/dev/null) && [ "$st" = T ] && break
		sleep 0.05
	done
	assert_eq "$st" T "the child is held (stopped) at exec"
	guard=$(pgrep -P "$FP_PID" -x fastpath-guard) || fail "no guardian process"
	kill -9 "$FP_PID"
	wait "$FP_PID" 2>/dev/null || true
	for _ in $(seq 100); do
		[ -s "$TMP/go.out" ] && break
		sleep 0.05
	done
	assert_eq "$(jq .mallocs "$TMP/go.out" 2>/dev/null | grep -c .)" 1 "the child ran to its end"
	# it exits (a zombie where pid 1 does not reap) once it has swept twice
	for _ in $(seq 100); do
		st=$(awk '{print $3}' "/proc/$guard/stat" 2>/dev/null) || break
		[ "$st" = Z ] && break
		sleep 0.05
	done
	[ "$st" = Z ] || ! kill -0 "$guard" 2>/dev/null || fail "the guardian did not exit"
	rm -rf "$TMP/k9"
}

test_alloc_child_continued_on_clean_exit() {
	# SIGINT while a child is held: fastpath continues it before it exits
	local gp st=""
	FASTPATH_TEST_HOLD_MS=2000 fp_start record --alloc=exact -o "$TMP/r.json" -- \
		sh -c "'$W/go-allocgo' escape 1000 > '$TMP/go.out'; true"
	for _ in $(seq 200); do
		gp=$(pgrep -x go-allocgo | head -1) || true
		[ -n "$gp" ] && st=$(awk '{print $3}' "/proc/$gp/stat" 2>/dev/null) && [ "$st" = T ] && break
		sleep 0.05
	done
	assert_eq "$st" T "the child is held at exec"
	kill -INT "$FP_PID"
	wait_pid "$FP_PID" 20
	for _ in $(seq 100); do
		[ -s "$TMP/go.out" ] && break
		sleep 0.05
	done
	assert_eq "$(jq .mallocs "$TMP/go.out" 2>/dev/null | grep -c .)" 1 "the child ran to its end"
}

# Go 1.27 from the npm registry (make deps): lefthook 2.2.2, stripped, whose
# compiler calls the size-specialised allocators directly.
LEFTHOOK=${LEFTHOOK:-$TOP/build/npm/node_modules/lefthook-linux-x64/bin/lefthook}

test_alloc_go127_size_specialised_counted_once() {
	# Oracle: the runtime's own count of the allocations made by package
	# init functions (GODEBUG=inittrace=1, counted once per allocation in
	# mallocgc and in every size-specialised allocator alike) against ours
	# under runtime.doInit1.  Missing entry points would undercount (probing
	# mallocgc alone sees ~75% here); counting mallocgc's own calls to them
	# again would overcount.  Stacks lost to stack-map collisions are
	# counted (dropped.stacks_full) and bound the shortfall.
	[ -x "$LEFTHOOK" ] || fail "$LEFTHOOK missing: run 'make deps'"
	local theirs ours dropped
	GODEBUG=inittrace=1 fp_run record -q --alloc=exact --stacks --folded "$TMP/f.txt" -o "$TMP/r.json" \
		-- "$LEFTHOOK" version > /dev/null 2> "$TMP/init.txt"
	assert_eq "$(child_q "$TMP/r.json" lefthook .go.version)" go1.27.0 "Go version"
	assert_contains "$(child_q "$TMP/r.json" lefthook .go.entry_points)" "runtime.mallocgc + 14 size-specialised allocators" "entry points named"
	assert_ge "$(child_q "$TMP/r.json" lefthook .go.size_specialised_calls)" 100 "calls straight to the size-specialised allocators"
	theirs=$(awk '/^init /{s += $(NF-1)} END {print s + 0}' "$TMP/init.txt")
	ours=$(awk '/;runtime\.doInit/{s += $NF} END {print s + 0}' "$TMP/f.txt")
	dropped=$(jq '.dropped.stacks_full // 0' "$TMP/r.json")
	assert_ge "$theirs" 1000 "the runtime's init allocations"
	assert_le "$ours" "$theirs" "no allocation counted twice (ours under doInit vs inittrace)"
	assert_ge "$((ours + dropped))" "$theirs" "every allocation counted (ours + lost stacks vs inittrace)"
}

# tsgo (Go 1.26.4, stripped, from the npm registry: make deps) started by a
# wrapper and by name.  Oracle: its own `Memory allocs` (runtime.MemStats).
TSGO=${TSGO:-$TOP/build/npm/node_modules/@typescript/native-preview-linux-x64/lib/tsgo}

child_ts_project() {
	[ -f "$TMP/ts$1/tsconfig.json" ] || python3 tests/workloads/ts/gen_project.py "$TMP/ts$1" "$1"
	echo "$TMP/ts$1"
}

tsgo_allocs() { awk '/^Memory allocs:/ {print $3}' "$1"; }

test_alloc_child_tsgo_through_sh_c() {
	[ -x "$TSGO" ] || fail "$TSGO missing: run 'make deps'"
	local p
	p=$(child_ts_project 300)
	fp_run record -q --alloc=exact -o "$TMP/r.json" -- \
		sh -c "'$TSGO' -p '$p' --extendedDiagnostics > '$TMP/ts.out'; true"
	assert_ge "$(tsgo_allocs "$TMP/ts.out")" 300000 "a project big enough"
	assert_eq "$(child_q "$TMP/r.json" tsgo .go.version)" go1.26.4 "tsgo's Go"
	assert_within "$(child_q "$TMP/r.json" tsgo .go.calls)" "$(tsgo_allocs "$TMP/ts.out")" 2 "tsgo's allocations through sh -c vs its Memory allocs"
}

test_alloc_child_tsgo_by_name_started_later() {
	[ -x "$TSGO" ] || fail "$TSGO missing: run 'make deps'"
	local p
	p=$(child_ts_project 300)
	fp_start record -c tsgo --alloc=exact -o "$TMP/r.json"
	"$TSGO" -p "$p" --extendedDiagnostics > "$TMP/ts.out"
	kill -INT "$FP_PID"
	wait_pid "$FP_PID" 20
	assert_within "$(child_q "$TMP/r.json" tsgo .go.calls)" "$(tsgo_allocs "$TMP/ts.out")" 2 "tsgo matched by -c at its exec vs its Memory allocs"
}
