# End-to-end: fork churn (issue 16 item 2).  Exited processes' entries are
# reaped from the maps into user-space totals as they go, so maps far
# smaller than the number of processes that come and go still count every
# one of them exactly.  The maps are shrunk (FASTPATH_MAP_ENTRIES, and the
# older FASTPATH_SYS_STATS_ENTRIES so that the tests fail on a fastpath
# without reaping) so that without reaping they would be full after a few
# hundred children.
#
# Each churn child makes exactly: set_robust_list 1 (glibc's fork, in the
# child), getppid K, newfstatat 1 (stat "/"), write 1 (1 byte to /dev/null).

# Room for ~420 children (4 syscalls, 1 size histogram and 1 stat-family
# call in the pool of FASTPATH_SYS_STATS_ENTRIES cells, 1 path, 1 data-path
# cell each): 1.4 s of churn at 300/s without a reap, against 0.2 s between
# reaps (about 0.1 s more on a loaded 2-CPU machine).
CHURN_MAPS=fp_stat_paths=512,fp_io_cells=512

# One line per distinct shape of child: [getppid, newfstatat, write,
# distinct syscalls, stat calls, stat calls of "/", bytes written to a
# chardev, exited] and how many children had it.
churn_shapes() { # file-or-lines jq-slurp?
	# the children: churn processes that never wait (the parent waits for each)
	jq -c '[.processes[] | select(.comm == "churn" and .syscalls.wait4 == null)
		| [.syscalls.getppid.calls, .syscalls.newfstatat.calls, .syscalls.write.calls,
		   (.syscalls | length), .stat.calls,
		   ([.stat.top_paths[]? | select(.path == "/") | .calls] | add),
		   .io.copy_out.by_fd.chardev, .exited]]
		| group_by(.) | map({shape: .[0], n: length})' "$1"
}

test_churn_record_every_child_exact() {
	FASTPATH_SYS_STATS_ENTRIES=2560 FASTPATH_MAP_ENTRIES=$CHURN_MAPS fp_run record -q -o "$TMP/r.json" -- "$W/churn" 1500 10 300
	assert_eq "$(jqr "$TMP/r.json" '.dropped | length')" 0 "nothing dropped: $(jq -c .dropped "$TMP/r.json")"
	# a child whose data was reaped before its exit was stamped used to be
	# listed twice when the recording ended in between (once live, named)
	assert_eq "$(jqr "$TMP/r.json" '[.processes[].pid] | length - (unique | length)')" 0 "no pid listed twice"
	assert_eq "$(jqr "$TMP/r.json" '[.processes[] | select(.comm == "churn")] | length')" 1501 "parent and 1500 children listed"
	assert_eq "$(churn_shapes "$TMP/r.json")" '[{"shape":[10,1,1,4,1,1,1,true],"n":1500}]' "every child's counts exact"
	assert_eq "$(jqr "$TMP/r.json" '[.processes[] | select(.comm == "churn" and .syscalls.wait4 != null)][0].syscalls.wait4.calls')" 1500 "the parent waited for each"
}

test_churn_top_deltas_of_reaped() {
	# top forgets a reaped process once it has been in one interval: the
	# intervals' deltas still add up to each child's exact counts
	FASTPATH_SYS_STATS_ENTRIES=2560 FASTPATH_MAP_ENTRIES=$CHURN_MAPS fp_run top --json -i 0.5 -- "$W/churn" 1200 10 300 > "$TMP/top.jsonl"
	local f=$TMP/top.jsonl
	assert_ge "$(wc -l < "$f")" 4 "intervals"
	assert_eq "$(jq -s '[.[].dropped | length] | add' "$f")" 0 "nothing dropped in any interval"
	# Children by pid; every one named in the intervals that count it (a
	# child whose pool slot died before the exit hook stamped it used to
	# be reaped one poll before its identity: counts without a comm)
	local parent
	parent=$(jq -s '[.[].processes[] | select(.comm == "churn" and .syscalls.wait4 != null) | .pid][0]' "$f")
	assert_eq "$(jq -s --argjson p "$parent" '[.[].processes[] | select(.pid != $p and (.syscalls | length) > 0 and .comm != "churn")] | length' "$f")" 0 "every counted child named, in the same interval"
	assert_eq "$(jq -s -c --argjson p "$parent" '[.[].processes[] | select(.pid != $p)]
		| group_by(.pid) | map([([.[].syscalls.getppid.calls // 0] | add), ([.[].syscalls.write.calls // 0] | add)])
		| group_by(.) | map({shape: .[0], n: length})' "$f")" '[{"shape":[10,1],"n":1200}]' "each child's getppid and write over the intervals"
	# no child counted in two intervals for the same calls: deltas never negative
	assert_eq "$(jq -s '[.[].processes[] | .syscalls[]?.calls | select(. < 0)] | length' "$f")" 0 "no negative delta"
}
