# End-to-end: containers and namespaces (issue 14): a process in a PID and
# mount namespace of its own, in a cgroup named as docker names its
# containers, made for the test (no container engine needed).

# The cgroup v2 hierarchy: /sys/fs/cgroup, or its unified half on a hybrid host.
ctr_cgroot() {
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then echo /sys/fs/cgroup; else echo /sys/fs/cgroup/unified; fi
}

# A cgroup $CG = .../fastpath-test-N/docker-<64 hex>.scope, removed (with
# whatever runs in it) when the test's shell exits.
ctr_setup() {
	CG_ROOT=$(ctr_cgroot)
	CTR_ID=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
	CG_TOP=$CG_ROOT/fastpath-test-$$-$RANDOM
	CG=$CG_TOP/docker-$CTR_ID.scope
	CG_REL=${CG#"$CG_ROOT"}
	mkdir -p "$CG"
	trap ctr_cleanup EXIT
}

ctr_cleanup() {
	local d
	for d in "$CG_TOP"/*/ "$CG_TOP"/; do
		[ -d "$d" ] || continue
		echo 1 > "$d/cgroup.kill" 2>/dev/null || true
	done
	for _ in $(seq 100); do
		find "$CG_TOP" -depth -type d -exec rmdir {} + 2>/dev/null
		[ -d "$CG_TOP" ] || return 0
		sleep 0.05
	done
}

# ctr_run BIN ARGS...: BIN copied into a tmpfs mounted over $TMP/priv in a
# new mount namespace (the host sees an empty directory there), run there as
# pid 1 of a new PID namespace, in $CG; its stdout in $TMP/w.out.  Sets
# CTR_PID, its pid on the host, once it printed "ready".
ctr_run() {
	local bin=$1 u
	shift
	mkdir -p "$TMP/priv"
	: > "$TMP/w.out"
	sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$CG" \
		unshare --pid --mount --fork sh -c \
		'mount -t tmpfs fp-priv "$0" && cp "$1" "$0/" && b=$0/${1##*/} && shift && exec "$b" "$@"' \
		"$TMP/priv" "$bin" "$@" > "$TMP/w.out" &
	u=$!
	for _ in $(seq 200); do grep -q ready "$TMP/w.out" && break; sleep 0.05; done
	CTR_PID=$(pgrep -P "$u")
	[ -n "$CTR_PID" ] || fail "the namespaced workload did not start"
	# the premise: the binary is not on the host's path
	[ ! -e "$TMP/priv/${bin##*/}" ] || fail "the private mount is visible on the host"
}

# pid's field of a recording: ctr_q FILE PID JQ
ctr_q() { jq -r --argjson p "$2" ".processes[] | select(.pid == \$p) | $3" "$1"; }

ctr_sysloop_recorded() { # fastpath target arguments... (PID: the workload's host pid)
	ctr_run "$W/sysloop" -w -s 30000 0
	fp_start record -o "$TMP/r.json" "${@/#PID/$CTR_PID}"
	kill -USR1 "$CTR_PID"
	for _ in $(seq 200); do grep -q done "$TMP/w.out" && break; sleep 0.05; done
	kill -INT "$FP_PID"
	wait_pid "$FP_PID"
}

test_container_identity_and_target() {
	ctr_setup
	ctr_sysloop_recorded --container "${CTR_ID:0:12}"
	assert_eq "$(ctr_q "$TMP/r.json" "$CTR_PID" .syscalls.getppid.calls)" 30000 "getppid calls by --container"
	assert_eq "$(ctr_q "$TMP/r.json" "$CTR_PID" .cgroup)" "$CG_REL" "cgroup path"
	assert_eq "$(ctr_q "$TMP/r.json" "$CTR_PID" .container.runtime)" docker "runtime"
	assert_eq "$(ctr_q "$TMP/r.json" "$CTR_PID" .container.id)" "$CTR_ID" "container id"
	assert_eq "$(ctr_q "$TMP/r.json" "$CTR_PID" .nspid)" 1 "pid inside its namespace"
	assert_eq "$(jqr "$TMP/r.json" '[.processes[] | select(.cgroup != "'"$CG_REL"'")] | length')" 0 \
		"only processes of the container"
	assert_contains "$(jqr "$TMP/r.json" .target)" "$CG" "target names the cgroup"
	# the text report and CSV carry the same identity
	"$FP" report "$TMP/r.json" > "$TMP/r.txt"
	assert_contains "$TMP/r.txt" "container docker $CTR_ID  nspid 1" "text report"
	"$FP" report "$TMP/r.json" --format csv -o "$TMP/r.csv"
	assert_contains "$TMP/r.csv" "$CTR_PID,sysloop,container,1,,docker $CTR_ID" "CSV container row"
	assert_contains "$TMP/r.csv" "$CTR_PID,sysloop,nspid,1," "CSV nspid row"
	assert_contains "$TMP/r.csv" "$CTR_PID,sysloop,cgroup,1,,$CG_REL" "CSV cgroup row"
	"$FP" report "$TMP/r.json" --format html -o "$TMP/r.html"
	assert_contains "$TMP/r.html" "container docker $CTR_ID &middot; nspid 1 &middot; cgroup $CG_REL" "HTML report"
}

test_container_host_pid() {
	ctr_setup
	ctr_sysloop_recorded -p PID
	assert_eq "$(ctr_q "$TMP/r.json" "$CTR_PID" .syscalls.getppid.calls)" 30000 "getppid calls by -p HOSTPID"
	assert_eq "$(jqr "$TMP/r.json" '.processes | length')" 1 "only the target"
	assert_eq "$(ctr_q "$TMP/r.json" "$CTR_PID" .nspid)" 1 "nspid"
	assert_eq "$(ctr_q "$TMP/r.json" "$CTR_PID" .container.id)" "$CTR_ID" "container id"
}

test_container_top_column() {
	ctr_setup
	# -w: ready at once (without it ctr_run waited its whole 10 s for a
	# "ready" that never came), then calls until the end of the test
	ctr_run "$W/sysloop" -w -s 2000000000 0
	kill -USR1 "$CTR_PID"
	fp_run top -b -q -n 2 -i 0.5 --container "docker-${CTR_ID:0:6}" > "$TMP/b.txt"
	assert_contains "$TMP/b.txt" "CONTAINER" "column title"
	grep -Eq "^ *$CTR_PID +sysloop .* ${CTR_ID:0:12}( |\$)" "$TMP/b.txt" || fail "no row with the short id: $(cat "$TMP/b.txt")"
	fp_run top --json -q -n 1 -i 0.3 -p "$CTR_PID" > "$TMP/t.json"
	assert_eq "$(jq -r '.processes[0].container.id' "$TMP/t.json")" "$CTR_ID" "top --json container"
	assert_eq "$(jq -r '.processes[0].nspid' "$TMP/t.json")" 1 "top --json nspid"
}

test_container_no_match() {
	ctr_setup
	mkdir "$CG_TOP/docker-${CTR_ID:0:4}$(printf '0%.0s' $(seq 60)).scope"
	! "$FP" record -q -d 1 --container "f00f00f00f00" > "$TMP/o.txt" 2>&1 || fail "a missing container was accepted"
	assert_contains "$TMP/o.txt" "no container matches 'f00f00f00f00'" "error for no match"
	! "$FP" record -q -d 1 --container "${CTR_ID:0:4}" > "$TMP/o.txt" 2>&1 || fail "an ambiguous prefix was accepted"
	assert_contains "$TMP/o.txt" "matches 2 containers" "error for an ambiguous prefix"
	! "$FP" record -q -d 1 -G "$CG" --container "${CTR_ID:0:12}" > "$TMP/o.txt" 2>&1 || fail "-G with --container accepted"
	assert_contains "$TMP/o.txt" "choose one of -G and --container" "usage error"
}

# A Go binary that exists only in the target's mount namespace: attached
# through /proc/PID/exe at its exec, its frames symbolized from its own file
# (opened while it ran: it has exited when the recording is written).  Also
# issue 16's "a target in another PID and mount namespace".
test_container_go_binary_symbolized() {
	local n=200000 line
	ctr_setup
	mkdir -p "$TMP/priv"
	fp_run record -q --alloc=exact --stacks -o "$TMP/r.json" -- \
		sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$CG" \
		unshare --pid --mount --fork sh -c \
		'mount -t tmpfs fp-priv "$0" && cp "$1" "$0/" && exec "$0/go-allocgo" escape "$2"' \
		"$TMP/priv" "$W/go-allocgo" "$n" > "$TMP/go.out"
	[ ! -e "$TMP/priv/go-allocgo" ] || fail "the private mount is visible on the host"
	assert_eq "$(alloc_q "$TMP/r.json" go-allocgo .go.mode)" exact "Go probes attached"
	assert_within "$(alloc_q "$TMP/r.json" go-allocgo .go.calls)" "$(jq .mallocs "$TMP/go.out")" 2 "Go allocations vs MemStats.Mallocs"
	line=$(grep -n 'ALLOC-SITE' tests/workloads/go/allocgo/main.go | cut -d: -f1)
	assert_contains "$(alloc_q "$TMP/r.json" go-allocgo '.top_sites[0].frames | join(" | ")')" \
		"main.escapeLoop main.go:$line" "frames symbolized from the namespace's binary"
	assert_eq "$(alloc_q "$TMP/r.json" go-allocgo .top_sites[0].calls)" $n "top site calls"
	assert_eq "$(jqr "$TMP/r.json" '.processes[] | select(.comm == "go-allocgo") | .nspid')" 1 "nspid"
	assert_eq "$(jqr "$TMP/r.json" '.processes[] | select(.comm == "go-allocgo") | .container.id')" "$CTR_ID" "container id"
}

# The CPU profile of a Go binary that exists only in the target's mount
# namespace: the hottest function and line from its own file (its symbols,
# DWARF and pclntab), and the annotation's disassembly, which reads the
# function's bytes from that file too.  The host path is an empty directory.
test_container_go_cpu_profile_symbolized() {
	local line pq
	ctr_setup
	mkdir -p "$TMP/priv"
	line=$(grep -n '// BCE-LINE' tests/workloads/go/hotloop/main.go | cut -d: -f1)
	fp_run record -q --profile=199 -o "$TMP/r.json" -- \
		sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$CG" \
		unshare --pid --mount --fork sh -c \
		'mount -t tmpfs fp-priv "$0" && cp "$1" "$0/" && exec "$0/go-hotloop" checked 1.5' \
		"$TMP/priv" "$W/go-hotloop" > /dev/null
	[ ! -e "$TMP/priv/go-hotloop" ] || fail "the private mount is visible on the host"
	pq='[.processes[] | select(.comm == "go-hotloop")][0]'
	assert_eq "$(jqr "$TMP/r.json" "$pq.container.id")" "$CTR_ID" "container id"
	assert_eq "$(jqr "$TMP/r.json" "$pq.nspid")" 1 "nspid"
	assert_eq "$(jqr "$TMP/r.json" "$pq.cpu.profile.functions[0].function")" main.sumChecked "hottest function"
	assert_eq "$(jqr "$TMP/r.json" "$pq.cpu.profile.lines[0].line")" "main.sumChecked main.go:$line" "hottest line"
	assert_eq "$(jqr "$TMP/r.json" "[$pq.cpu.profile.annotate[0].instructions[] | select(.kind == \"bounds_check\")] | length")" 2 \
		"bounds checks in the disassembly of the namespace's binary"
}

# Bash completion of --container: the short ids of the containers that have
# processes, as fastpath parses them (docker's systemd scope, a container's
# own sub-cgroup, the cgroupfs driver's kubepods/QOS/podUID/ID), and not a
# conmon-like name; the id it offers is one fastpath accepts.
test_container_completion_ids() {
	local id2 id3 got pids=() k
	ctr_setup
	install_completion_tree
	id2=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
	id3=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
	for d in "$CG/init.scope" "$CG_TOP/kubepods/besteffort/pod1b2c-3d4e/$id2" \
		"$CG_TOP/libpod-conmon-$id3.scope" "$CG_TOP/x.service"; do
		mkdir -p "$d"
		sleep 60 &
		pids+=($!)
		echo $! >> "$FP_PIDS_FILE"
		echo $! > "$d/cgroup.procs"
	done
	got=$(complete_line "fastpath record --container ")
	grep -qx "${CTR_ID:0:12}" <<< "$got" || fail "docker-ID.scope/init.scope: ${CTR_ID:0:12} not offered: $got"
	grep -qx "${id2:0:12}" <<< "$got" || fail "kubepods/.../podUID/ID: ${id2:0:12} not offered: $got"
	! grep -qx "${id3:0:12}" <<< "$got" || fail "libpod-conmon-ID.scope offered as a container"
	! grep -qvx '[0-9a-f]\{12\}' <<< "$got" || fail "something else than short ids offered: $got"
	# by prefix: ours, and only ids that start with it
	k=${CTR_ID:0:5}
	got=$(complete_line "fastpath top --container $k")
	grep -qx "${CTR_ID:0:12}" <<< "$got" || fail "--container $k: ${CTR_ID:0:12} not offered"
	! grep -qv "^$k" <<< "$got" || fail "--container $k: ids that do not start with it: $got"
	# what it offers names that container's cgroup for fastpath too
	fp_run record -q -d 0.3 -o "$TMP/c.json" --container "${id2:0:12}"
	assert_contains "$(jqr "$TMP/c.json" .target)" "$CG_TOP/kubepods/besteffort/pod1b2c-3d4e/$id2" "the target is that cgroup"
	kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
}

# --container is the container's whole cgroup subtree (its own sub-cgroups:
# systemd or a nested engine inside it); a sibling cgroup is not traced.
test_container_subtree_traced() {
	local a b c
	ctr_setup
	mkdir -p "$CG/init.scope" "$CG_TOP/sibling.service"
	"$W/sysloop" -w 3000 0 > "$TMP/a.out" & a=$!
	"$W/sysloop" -w 4000 0 > "$TMP/b.out" & b=$!
	"$W/sysloop" -w 5000 0 > "$TMP/c.out" & c=$!
	echo "$a $b $c" | tr ' ' '\n' >> "$FP_PIDS_FILE"
	for _ in $(seq 100); do grep -q ready "$TMP/a.out" && grep -q ready "$TMP/b.out" && grep -q ready "$TMP/c.out" && break; sleep 0.05; done
	echo "$a" > "$CG/cgroup.procs"
	echo "$b" > "$CG/init.scope/cgroup.procs"
	echo "$c" > "$CG_TOP/sibling.service/cgroup.procs"
	fp_start record --container "${CTR_ID:0:12}" -o "$TMP/r.json"
	kill -USR1 "$a" "$b" "$c"
	wait "$a" "$b" "$c" || true
	kill -INT "$FP_PID"; wait_pid "$FP_PID"
	assert_eq "$(ctr_q "$TMP/r.json" "$a" .syscalls.getppid.calls)" 3000 "the container's own cgroup"
	assert_eq "$(ctr_q "$TMP/r.json" "$b" .syscalls.getppid.calls)" 4000 "its sub-cgroup"
	assert_eq "$(ctr_q "$TMP/r.json" "$b" .container.id)" "$CTR_ID" "the sub-cgroup's process names the container"
	assert_eq "$(ctr_q "$TMP/r.json" "$b" .cgroup)" "$CG_REL/init.scope" "and its own cgroup"
	assert_eq "$(jqr "$TMP/r.json" "[.processes[] | select(.pid == $c)] | length")" 0 "a sibling cgroup"
	# -G stays that one directory
	"$W/sysloop" -w 2000 0 > "$TMP/d.out" & a=$!
	echo "$a" >> "$FP_PIDS_FILE"
	for _ in $(seq 100); do grep -q ready "$TMP/d.out" && break; sleep 0.05; done
	echo "$a" > "$CG/init.scope/cgroup.procs"
	fp_start record -G "$CG" -o "$TMP/g.json"
	kill -USR1 "$a"; wait "$a" || true
	kill -INT "$FP_PID"; wait_pid "$FP_PID"
	assert_eq "$(jqr "$TMP/g.json" "[.processes[] | select(.pid == $a)] | length")" 0 "-G: not its sub-cgroups"
}
