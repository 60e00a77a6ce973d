# End-to-end: allocator calls (issue 5).  Oracles: the workloads' known
# numbers of calls (C) and Go's own runtime.MemStats deltas.

# jq over the alloc section of the first process named COMM
alloc_q() { jq -r --arg c "$2" "[.processes[] | select(.comm == \$c) | .alloc][0] | $3" "$1"; }

test_alloc_libc_exact_counts() {
	local n=50000
	fp_run record -q --alloc=exact --stacks -o "$TMP/r.json" -- "$W/allocloop" $n 100 >/dev/null
	local m f
	m=$(alloc_q "$TMP/r.json" allocloop .libc.malloc.calls)
	f=$(alloc_q "$TMP/r.json" allocloop .libc.free.calls)
	# libc itself adds a few (stdout's buffer): at most 20
	assert_ge "$m" $n "malloc calls"; assert_le "$m" $((n + 20)) "malloc calls"
	assert_ge "$f" $n "free calls"; assert_le "$f" $((n + 20)) "free calls"
	assert_ge "$(alloc_q "$TMP/r.json" allocloop .libc.malloc.bytes)" $((n * 100)) "malloc bytes"
	# 100 bytes lands in the [96,112) bucket, with exactly our n calls
	assert_eq "$(alloc_q "$TMP/r.json" allocloop '[.size_bytes.buckets[] | select(.lo <= 100 and 100 < .hi) | .count] | add')" $n "size bucket of 100"
	assert_eq "$(alloc_q "$TMP/r.json" allocloop .estimated)" false "exact, not estimated"
	assert_contains "$(alloc_q "$TMP/r.json" allocloop '.top_sites[0].frames | join(" | ")')" "churn allocloop.c:" "top site names churn() and its line"
	assert_eq "$(alloc_q "$TMP/r.json" allocloop .top_sites[0].calls)" $n "top site calls"
}

test_alloc_libc_pid_attach() {
	local n=30000
	"$W/allocloop" -w $n 64 > "$TMP/w.out" &
	local wp=$!
	for _ in $(seq 100); do grep -q ready "$TMP/w.out" && break; sleep 0.05; done
	fp_start record -p "$wp" --alloc=exact -o "$TMP/r.json"
	kill -USR1 "$wp"
	wait_pid "$FP_PID" 20
	wait "$wp" 2>/dev/null || true
	assert_eq "$(alloc_q "$TMP/r.json" allocloop .libc.malloc.calls)" $n "malloc calls after attach by -p"
	assert_eq "$(alloc_q "$TMP/r.json" allocloop .libc.free.calls)" $n "free calls after attach by -p"
}

test_alloc_go_exact() {
	local n=300000 line
	fp_run record -q --alloc=exact --stacks -o "$TMP/r.json" -- "$W/go-allocgo" escape $n > "$TMP/go.out"
	assert_eq "$(alloc_q "$TMP/r.json" go-allocgo .go.mode)" exact "mode"
	assert_eq "$(alloc_q "$TMP/r.json" go-allocgo .go.complete)" true "complete for this Go"
	assert_within "$(alloc_q "$TMP/r.json" go-allocgo .go.calls)" "$(jq .mallocs "$TMP/go.out")" 2 "Go allocations vs MemStats.Mallocs"
	line=$(grep -n 'ALLOC-SITE' tests/workloads/go/allocgo/main.go | cut -d: -f1)
	assert_contains "$(alloc_q "$TMP/r.json" go-allocgo '.top_sites[0].frames | join(" | ")')" "main.escapeLoop main.go:$line" "top site function and line"
	assert_eq "$(alloc_q "$TMP/r.json" go-allocgo .top_sites[0].calls)" $n "top site calls"
	assert_eq "$(alloc_q "$TMP/r.json" go-allocgo .top_sites[0].caller)" "main.escapeLoop main.go:$line" "JSON names the allocating frame"
	# every place that names the site leads with the allocating frame:
	# record's text (site line and the alloc-churn finding) and the report
	fp_run record -q --alloc=exact --stacks -- "$W/go-allocgo" escape $n > "$TMP/go.txt"
	grep -Eq "^  site 1: [0-9]+ calls, [0-9]+ bytes: main\.escapeLoop main\.go:$line" "$TMP/go.txt" ||
		fail "record text site: $(grep 'site 1' "$TMP/go.txt")"
	if grep -q 'alloc-churn' "$TMP/go.txt"; then
		grep -Eq "top site: main\.escapeLoop main\.go:$line" "$TMP/go.txt" ||
			fail "finding's top site: $(grep 'top site' "$TMP/go.txt")"
	fi
	fp_run report "$TMP/r.json" > "$TMP/rep.txt"
	grep -Eq "^   1\. main\.escapeLoop main\.go:$line:" "$TMP/rep.txt" || fail "report's site: $(grep -E '^ +1\. ' "$TMP/rep.txt")"
}

test_alloc_go_noescape_near_zero() {
	fp_run record -q --alloc=exact --stacks -o "$TMP/r.json" -- "$W/go-allocgo" noescape 1000000 > "$TMP/go.out"
	assert_eq "$(jq .mallocs "$TMP/go.out")" 0 "the runtime agrees: no allocation in the loop"
	assert_eq "$(alloc_q "$TMP/r.json" go-allocgo '[.top_sites[] | select(any(.frames[]; startswith("main.noEscapeLoop"))) | .calls] | add // 0')" 0 "no allocation from the loop"
	# only the runtime's own start-up allocations (a few hundred)
	assert_le "$(alloc_q "$TMP/r.json" go-allocgo .go.calls)" 2000 "whole-process allocations"
}

test_alloc_go_sampled_bytes() {
	# default mode: sampled; 1 GiB in class-sized objects
	fp_run record -q --stacks -o "$TMP/r.json" -- "$W/go-allocgo" bytes 1073741824 > "$TMP/go.out"
	assert_eq "$(alloc_q "$TMP/r.json" go-allocgo .go.mode)" sampled "default Go mode"
	assert_eq "$(alloc_q "$TMP/r.json" go-allocgo .go.estimated)" true "marked as estimates"
	assert_eq "$(alloc_q "$TMP/r.json" go-allocgo .go.profile_rate)" 524288 "the target's MemProfileRate"
	assert_within "$(alloc_q "$TMP/r.json" go-allocgo .go.bytes)" "$(jq .total_alloc "$TMP/go.out")" 10 "estimated bytes vs MemStats.TotalAlloc"
	assert_contains "$(alloc_q "$TMP/r.json" go-allocgo '.top_sites[0].frames | join(" | ")')" "main.bytesLoop" "top sampled site"
	# every sample the runtime took, once: the probe sits on the stack
	# check's branch, which runs again after morestack (the oracle is the
	# runtime's own profile; it may miss the last sample or two after its GC)
	local ours theirs
	ours=$(alloc_q "$TMP/r.json" go-allocgo .go.samples)
	theirs=$(jq .samples "$TMP/go.out")
	assert_ge "$ours" "$theirs" "samples counted vs runtime.MemProfile"
	assert_le "$ours" "$((theirs + 3))" "samples counted vs runtime.MemProfile"
	# each site is scaled per sample size, as pprof does: the sites add up
	# to the process's estimate (they were once scaled by a site's mean
	# size, which lost two thirds of the calls of mixed-size sites)
	assert_within "$(alloc_q "$TMP/r.json" go-allocgo '[.top_sites[].calls] | add')" \
		"$(alloc_q "$TMP/r.json" go-allocgo .go.calls)" 1 "site estimates add up to the total"
}

test_alloc_go_profiling_off() {
	# long enough (0.3 s) for the 100 ms poll to see the rate the runtime set
	ALLOCGO_PROFILE_RATE=0 fp_run record -q -o "$TMP/r.json" -- "$W/go-allocgo" bytes 1073741824 > /dev/null
	assert_eq "$(alloc_q "$TMP/r.json" go-allocgo .go.profile_rate)" 0 "rate read from the target"
	assert_contains "$(alloc_q "$TMP/r.json" go-allocgo .notes)" "turned memory profiling off" "said so"
}

test_alloc_target_output_unchanged() {
	"$W/allocloop" 20000 48 > "$TMP/bare.out"
	fp_run record -q --alloc=exact --stacks -o "$TMP/r.json" -- "$W/allocloop" 20000 48 > "$TMP/traced.out"
	cmp "$TMP/bare.out" "$TMP/traced.out" || fail "allocloop output differs under tracing"
	"$W/go-allocgo" escape 100000 > "$TMP/bare.out"
	fp_run record -q --alloc=exact --stacks -o "$TMP/r.json" -- "$W/go-allocgo" escape 100000 > "$TMP/traced.out"
	assert_eq "$(jq -c '{result, total_alloc}' "$TMP/traced.out")" "$(jq -c '{result, total_alloc}' "$TMP/bare.out")" "Go output under exact tracing"
}

test_alloc_folded_and_text() {
	# 32 KiB blocks: 3.2 GB requested fires alloc-churn on bytes/s with a 6x
	# margin, where the 200k calls/s threshold fails on a loaded machine
	fp_run record -q --alloc=exact --stacks --folded "$TMP/f.txt" -- "$W/allocloop" 100000 32768 > "$TMP/out.txt"
	grep -Eq '^allocloop;.*;main;churn;__libc_malloc 100000$' "$TMP/f.txt" || { cat "$TMP/f.txt" >&2; fail "folded line for churn -> malloc"; }
	assert_contains "$TMP/out.txt" "libc: malloc" "text summary"
	assert_contains "$TMP/out.txt" "alloc-churn" "finding in the text output"
}

test_alloc_go_sampled_custom_rate() {
	# the target's own rate (64 KiB, set in main) is read and used for
	# scaling; 1 GiB (~0.4 s) so the 100 ms poll sees it before the exit
	ALLOCGO_PROFILE_RATE=65536 fp_run record -q -o "$TMP/r.json" -- "$W/go-allocgo" bytes 1073741824 > "$TMP/go.out"
	assert_eq "$(alloc_q "$TMP/r.json" go-allocgo .go.profile_rate)" 65536 "rate read from the target"
	assert_within "$(alloc_q "$TMP/r.json" go-allocgo .go.bytes)" "$(jq .total_alloc "$TMP/go.out")" 10 "estimated bytes at 64 KiB"
	assert_le "$(alloc_q "$TMP/r.json" go-allocgo .go.samples)" "$(( $(jq .samples "$TMP/go.out") + 3 ))" "no sample counted twice"
}

test_alloc_sites_of_a_process_gone_before_its_maps_are_read() {
	# a process that lives 3 ms can exit before user space reads its
	# /proc/PID/maps; the kernel notes where its binary and libc were
	# loaded with its first site, and the stacks symbolize all the same
	# (FASTPATH_TEST_NO_MAPS makes every read of the maps miss)
	fp_run record -q --alloc=exact --stacks -o "$TMP/live.json" -- "$W/allocloop" 1000 64 > /dev/null
	FASTPATH_TEST_NO_MAPS=1 fp_run record -q --alloc=exact --stacks -o "$TMP/gone.json" -- "$W/allocloop" 1000 64 > /dev/null
	local q='[.processes[] | select(.comm == "allocloop") | .alloc.top_sites[0].frames[:3] | join(" | ")][0]'
	assert_contains "$(jq -r "$q" "$TMP/gone.json")" "churn allocloop.c:28" "rebuilt from the kernel's note"
	assert_eq "$(jq -r "$q" "$TMP/gone.json")" "$(jq -r "$q" "$TMP/live.json")" "the same frames as from the maps"
}

test_alloc_sites_of_a_child_before_its_exec() {
	# sh forks a child that mallocs in the shell's image, then execs
	# allocloop: by the time its maps are read they are allocloop's, and
	# the pre-exec site must be symbolized with the image it ran in (the
	# kernel keys each site by mm->start_code; the parent's maps name it)
	fp_run record -q --alloc=exact --stacks -o "$TMP/r.json" -- sh -c "$W/allocloop 1000 64; true" > /dev/null
	local frames
	frames=$(jq -r '.processes[] | select(.comm == "allocloop") | .alloc.top_sites[].frames[]' "$TMP/r.json")
	assert_contains "$frames" "churn allocloop.c:28" "allocloop's own site"
	echo "$frames" | grep -q '^dash+0x' || { echo "$frames" >&2; fail "the child's pre-exec malloc named in dash"; }
	if echo "$frames" | grep -q '^\[unknown\]'; then echo "$frames" >&2; fail "an unnamed frame in the exec'd child"; fi
	# a frame-pointer walk through dash (no frame pointers) is cut where it
	# leaves user space, never printed as [unknown]+0x<environment bytes>
	if jq -r '.processes[].alloc.top_sites[]?.frames[]' "$TMP/r.json" | grep -Eq '^\[unknown\]\+0x[0-9a-f]{13,}$'; then
		fail "a non-canonical return address printed as a frame"
	fi
}

test_alloc_sites_of_a_child_whose_maps_were_read_before_its_exec() {
	# The maps of the child are read once only (a test knob), at its
	# pre-exec malloc in dash, as on a loaded machine where it exits before
	# the next read: its allocloop sites are rebuilt from the kernel's note
	# of the image it ended in, not symbolized with dash's maps
	FASTPATH_TEST_MAPS_ONCE=1 fp_run record -q --alloc=exact --stacks -o "$TMP/r.json" -- sh -c "$W/allocloop 1000 64; true" > /dev/null
	local frames
	frames=$(jq -r '.processes[] | select(.comm == "allocloop") | .alloc.top_sites[].frames[]' "$TMP/r.json")
	assert_contains "$frames" "churn allocloop.c:28" "allocloop's own site"
	assert_contains "$frames" "__libc_malloc malloc.c:" "its libc frame"
	echo "$frames" | grep -q '^dash+0x' || { echo "$frames" >&2; fail "the child's pre-exec malloc named in dash"; }
	if echo "$frames" | grep -q '^\[unknown\]'; then echo "$frames" >&2; fail "an unnamed frame in the exec'd child"; fi
}
