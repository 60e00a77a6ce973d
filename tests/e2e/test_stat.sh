# End-to-end: the stat family (issue: stat storms).

STAT_FAMILY=stat,lstat,fstat,newfstatat,statx,access,faccessat,faccessat2,readlink,readlinkat,getdents64,statfs,fstatfs,open,openat

# the stat section of the process with comm COMM: stat_of FILE COMM EXPR
stat_of() { jq -r --arg c "$2" "[.processes[] | select(.comm == \$c) | .stat] | first | $3" "$1"; }

# Independent oracle from strace's decoded calls: "name calls" per syscall,
# "errno CLASS n", "path_calls n", "distinct n" (failed open/openat only,
# paths as strace prints them; the empty AT_EMPTY_PATH path and unreadable
# pointers have no path).
strace_stat_oracle() {
	strace -f -qq -s 1000 -e trace=$STAT_FAMILY -o "$TMP/st.trace" "$@" >/dev/null 2>&1
	awk '
	match($0, /^([0-9]+ +)?[a-z0-9_]+\(/) {
		name = substr($0, RSTART, RLENGTH - 1); sub(/^[0-9]+ +/, "", name)
		ret = $0; sub(/.* = /, "", ret)
		failed = ret ~ /^-1 /
		if (name ~ /^open(at)?$/ && !failed) next
		calls[name]++
		if (failed) {
			split(ret, r, " "); e = r[2]
			cls = (e == "ENOENT" || e == "ENOTDIR" || e == "EACCES") ? e : "other"
			err[cls]++
		}
		if (name ~ /^(fstat|fstatfs|getdents64)$/) next
		if (match($0, /"([^"\\]|\\.)*"/) && RLENGTH > 2) {
			p = substr($0, RSTART, RLENGTH); paths[p] = 1; pc++
		}
	}
	END {
		for (n in calls) print n, calls[n]
		split("ENOENT ENOTDIR EACCES other", cl, " ")
		for (i = 1; i <= 4; i++) print "errno", cl[i], err[cl[i]] + 0
		d = 0; for (p in paths) d++
		print "path_calls", pc + 0; print "distinct", d
	}' "$TMP/st.trace" | sort
}

# The same lines from a recording.
fp_stat_lines() {
	jq -r --arg c "$2" '.processes[] | select(.comm == $c) | .stat |
		(.by_syscall | to_entries[] | "\(.key) \(.value.calls)"),
		(.errors | to_entries[] | "errno \(.key) \(.value)"),
		"path_calls \(.path_calls)", "distinct \(.distinct_paths)"' "$1" | sort
}

test_stat_exact_counts() {
	local n=1000
	fp_run record -q -o "$TMP/r.json" -- "$W/statmix" $n
	# the workload's own calls, exactly (the loader uses none of stat, lstat, statx)
	assert_eq "$(stat_of "$TMP/r.json" statmix '.by_syscall.stat.calls')" $((n + 2 + 3)) "stat calls"
	assert_eq "$(stat_of "$TMP/r.json" statmix '.by_syscall.lstat.calls')" $((2 * n)) "lstat calls"
	assert_eq "$(stat_of "$TMP/r.json" statmix '.by_syscall.lstat.errors.ENOTDIR')" $n "lstat ENOTDIR"
	assert_eq "$(stat_of "$TMP/r.json" statmix '.by_syscall.statx.calls')" $((4 * n)) "statx calls"
	assert_eq "$(stat_of "$TMP/r.json" statmix '.by_syscall.statx.errors.ENOENT')" $((4 * n)) "statx ENOENT"
	assert_eq "$(stat_of "$TMP/r.json" statmix '.by_syscall.stat.errors.other')" 3 "EFAULT of the bad pointer"
	# top paths, in order, with their errors
	assert_eq "$(stat_of "$TMP/r.json" statmix '[.top_paths[:5][] | "\(.path)=\(.calls)/\(.errors)"] | join(" ")')" \
		"/nonexistent-fastpath/missing=$((3 * n))/$((3 * n)) /usr=$((2 * n))/0 /=$n/0 /etc=$n/0 /etc/passwd/x=$n/$n" "top paths"
	assert_eq "$(stat_of "$TMP/r.json" statmix '.top_dirs[] | select(.dir == "/nonexistent-fastpath") | "\(.calls)/\(.errors)"')" \
		"$((4 * n + 2))/$((4 * n + 2))" "subtree roll-up (with the two long paths below it)"
	# the long path and the faulting pointer are counted, not lost
	assert_eq "$(stat_of "$TMP/r.json" statmix '.truncated_paths')" 2 "truncated paths"
	assert_eq "$(stat_of "$TMP/r.json" statmix '[.top_paths[] | select(.truncated)] | .[0] | "\(.calls) \(.path | length)"')" "2 255" "truncated path kept, cut at 255 bytes"
	assert_eq "$(stat_of "$TMP/r.json" statmix '.faulted_paths')" 3 "faulted paths"
	# everything else against strace: per syscall, errno split, distinct paths
	strace_stat_oracle "$W/statmix" $n > "$TMP/oracle.txt"
	fp_stat_lines "$TMP/r.json" statmix > "$TMP/fp.txt"
	diff "$TMP/oracle.txt" "$TMP/fp.txt" >&2 || fail "stat section differs from strace (< strace, > fastpath)"
	assert_eq "$(stat_of "$TMP/r.json" statmix '(.repeat_ratio - ((.path_calls - .distinct_paths) / .path_calls)) | fabs < 1e-9')" true "repeat ratio"
	assert_eq "$(stat_of "$TMP/r.json" statmix '.calls == ([.by_syscall[].calls] | add)')" true "calls add up"
	assert_eq "$(jqr "$TMP/r.json" '[.processes[] | select(.comm == "statmix") | .findings[].kind] | join(",")')" stat-storm "stat-storm raised"
}

test_stat_no_paths() {
	fp_run record -q --no-paths -o "$TMP/r.json" -- "$W/statmix" 500
	assert_eq "$(stat_of "$TMP/r.json" statmix '.by_syscall.statx.calls')" 2000 "statx calls without paths"
	assert_eq "$(stat_of "$TMP/r.json" statmix '.errors.ENOTDIR')" 500 "ENOTDIR without paths"
	assert_eq "$(stat_of "$TMP/r.json" statmix '"\(.paths) \(.distinct_paths) \(.top_paths | length) \(.top_dirs | length)"')" \
		"false null 0 0" "no path anywhere"
	! grep -q nonexistent-fastpath "$TMP/r.json" || fail "a path leaked into the recording"
	fp_run record -q --no-stat -o "$TMP/n.json" -- "$W/statmix" 10
	assert_eq "$(jqr "$TMP/n.json" '[.processes[] | select(.stat)] | length')" 0 "--no-stat: no stat section"
}

test_stat_text_and_quiet_process() {
	fp_run record -q -- "$W/statmix" 200 > "$TMP/out.txt"
	grep -Eq '^stat family: [0-9]+ calls .* failed \([0-9]+ ENOENT, 200 ENOTDIR, 3 other\)$' "$TMP/out.txt" ||
		fail "stat summary line: $(grep 'stat family' "$TMP/out.txt")"
	assert_contains "$TMP/out.txt" "/nonexistent-fastpath/missing" "top path in the text"
	assert_contains "$TMP/out.txt" "paths truncated: 2, unreadable: 3" "truncated and faulted in the text"
	# a process that barely stats is no storm
	fp_run record -q -o "$TMP/r.json" -- "$W/sysloop" 20000 0 > /dev/null
	assert_eq "$(jqr "$TMP/r.json" '[.processes[].findings[] | select(.kind == "stat-storm")] | length')" 0 "no stat-storm for sysloop"
}

# A 30,000-file repository in 3,000 directories, committed, index refreshed.
make_repo() {
	local repo=$1
	mkdir -p "$repo" && cd "$repo"
	git init -q .
	seq 0 2999 | sed 's/^/d/' | xargs mkdir
	awk 'BEGIN { for (d = 0; d < 3000; d++) for (f = 0; f < 10; f++) print "d" d "/f" f }' |
		xargs touch -d 2020-01-01
	git add -A
	git -c user.name=t -c user.email=t@example.com commit -qm tree
	git status --porcelain > /dev/null	# refreshes the index once
	cd - > /dev/null
}

test_stat_git_status() {
	local repo name calls fpc total=0
	# tmpfs when there is one: creating 30,000 files on this VM's ext4 takes
	# 20 s of journal work, on tmpfs 0.2 s; git stats the same either way.
	repo=$(mktemp -d /dev/shm/fastpath-repo.XXXXXX 2>/dev/null || mktemp -d "$TMP/repo.XXXXXX")
	trap "rm -rf '$repo'" EXIT
	make_repo "$repo"
	strace_counts git -C "$repo" status > "$TMP/strace.txt"
	fp_run record -q -o "$TMP/r.json" -- git -C "$repo" status > /dev/null
	# every stat-family syscall strace saw: calls within 1% (open/openat: failures)
	while read -r name calls errs; do
		case ",$STAT_FAMILY," in *",$name,"*) ;; *) continue ;; esac
		case $name in open|openat) calls=$errs ;; esac
		[ "$calls" -gt 0 ] || continue
		fpc=$(stat_of "$TMP/r.json" git ".by_syscall.$name.calls // 0")
		assert_within "$fpc" "$calls" 1 "git status: $name"
		total=$((total + calls))
	done < "$TMP/strace.txt"
	assert_ge "$total" 30000 "strace saw the storm"
	assert_within "$(stat_of "$TMP/r.json" git .calls)" "$total" 1 "git status: stat-family total"
	assert_eq "$(jqr "$TMP/r.json" '[.processes[] | select(.comm == "git") | .findings[] | select(.kind == "stat-storm")] | length')" 1 "stat-storm raised"
	assert_ge "$(stat_of "$TMP/r.json" git .distinct_paths)" 30000 "every file seen"
	# the storm names the tree: the repository's absolute path heads the
	# subtrees, holding at least the 30,000 files' calls; none of its
	# 3,000 equal subdirectories is listed, every listed one is absolute
	stat_of "$TMP/r.json" git '.top_dirs[] | "\(.dir) \(.calls)"' > "$TMP/dirs.txt"
	assert_eq "$(head -1 "$TMP/dirs.txt" | cut -d' ' -f1)" "$repo" "the tree heads the top directories"
	assert_ge "$(head -1 "$TMP/dirs.txt" | cut -d' ' -f2)" 30000 "the tree holds the storm"
	while read -r d c; do
		case $d in /*) ;; *) fail "top directory $d not absolute" ;; esac
		case $d in "$repo"/d[0-9]*) fail "a sibling subdirectory listed: $d" ;; esac
	done < "$TMP/dirs.txt"
	# the paths are absolute, as given kept beside
	assert_eq "$(stat_of "$TMP/r.json" git "[.top_paths[] | select(.given) | select(.path != \"$repo/\" + .given)] | length")" 0 "relative paths resolved against the repository"
	assert_ge "$(stat_of "$TMP/r.json" git '[.top_paths[] | select(.given)] | length')" 1 "relative paths among the top ones"
	# the text names the subtree as an absolute directory
	fp_run record -q -- git -C "$repo" status > "$TMP/out.txt"
	grep -Fq "$repo/" "$TMP/out.txt" || fail "text does not name the tree: $(grep -A3 'directories' "$TMP/out.txt")"
}

# Relative paths resolve against the cwd at the call (which changes), and
# an *at() call's dirfd against its directory.
test_stat_relative_paths() {
	local d
	d=$(mktemp -d "$TMP/rel.XXXXXX")
	mkdir -p "$d/one/sub" "$d/two"
	fp_run record -q -o "$TMP/r.json" -- sh -c "cd '$d/one' && stat sub >/dev/null; cd '$d/two' && stat sub ../one/sub >/dev/null 2>&1; find '$d' >/dev/null"
	assert_eq "$(jq -r '[.processes[] | select(.comm == "stat") | .stat.top_paths[] | select(.given == "sub") | .path] | sort | join(" ")' "$TMP/r.json")" \
		"$d/one/sub $d/two/sub" "one relative name, two directories"
	assert_eq "$(jq -r '[.processes[] | select(.comm == "stat") | .stat.top_paths[] | select(.given == "../one/sub") | .path] | join(" ")' "$TMP/r.json")" \
		"$d/one/sub" "a leading .. is the real parent"
	# find(1) walks by newfstatat(dirfd, "name")
	assert_eq "$(jq -r '[.processes[] | select(.comm == "find") | .stat.top_paths[] | select(.given == "sub") | .path] | join(" ")' "$TMP/r.json")" \
		"$d/one/sub" "dirfd-relative path resolved"
}

# make demo's sysloop: a recording shorter than one second printed its
# peak (all calls in one window) below its average rate.  The text says
# there was no one-second window; the JSON's peak is never below its rate,
# in every view the same number.
test_stat_peak_short_recording() {
	fp_run record -q -o "$TMP/r.json" -- "$W/sysloop" 100000 20000 > /dev/null
	local q='.processes[] | select(.comm=="sysloop") | .stat' dur rate peak
	dur=$(jq '.duration_s' "$TMP/r.json")
	rate=$(jq "$q.rate_per_s" "$TMP/r.json")
	peak=$(jq "$q.peak_per_s" "$TMP/r.json")
	assert_eq "$(awk -v p="$peak" -v r="$rate" 'BEGIN { print (p >= int(r)) }')" 1 "peak $peak not below the average $rate"
	fp_run report "$TMP/r.json" > "$TMP/rep.txt"
	fp_run report --format csv "$TMP/r.json" > "$TMP/r.csv"
	assert_eq "$(awk -F, '$2 == "sysloop" && $3 == "stat peak_per_s" { print $4 }' "$TMP/r.csv")" "$peak" "CSV peak = JSON peak"
	if awk -v d="$dur" 'BEGIN { exit !(d < 1) }'; then
		grep -Eq '^stat family: 20004 calls \([0-9]+/s over 0\.[0-9]+ s, shorter than the one-second peak window\)' "$TMP/rep.txt" ||
			fail "short recording not said: $(grep 'stat family' "$TMP/rep.txt")"
	else
		# a loaded machine made it last a second: the peak is printed, not below
		grep -Eq "^stat family: 20004 calls \([0-9]+/s, peak $peak/s\)" "$TMP/rep.txt" ||
			fail "peak line: $(grep 'stat family' "$TMP/rep.txt")"
	fi
}

test_stat_peak_rate() {
	# demo_statstorm makes 250 stat calls per >= 10 ms tick: a one-second
	# window can hold at most 101 ticks, 25,250 calls; the busiest second
	# is at least the average one
	fp_run record -q -o "$TMP/r.json" -- "$W/demo_statstorm" 2.5
	local q='.processes[] | select(.comm=="demo_statstorm") | .stat'
	local peak calls dur
	peak=$(jq "$q.peak_per_s" "$TMP/r.json")
	calls=$(jq "$q.calls" "$TMP/r.json")
	dur=$(jq '.duration_s' "$TMP/r.json")
	assert_le "$peak" 25250 "peak never above what the pacing allows"
	assert_ge "$peak" "$(awk -v c="$calls" -v d="$dur" 'BEGIN { printf "%d", 0.9 * c / d }')" "peak at least the average rate"
}
