# End-to-end: the fault list of issue 16 (the rest of the hardening list),
# each a situation a production host puts a tracer in.  Oracles: workloads
# that know their own counts, /proc for fastpath's memory and CPU.

# jq over the alloc section of the first process named COMM (test_alloc.sh's)
faults_alloc_q() { jq -r --arg c "$2" "[.processes[] | select(.comm == \$c) | .alloc][0] | $3" "$1"; }

# Resident memory of a pid, in KiB.
faults_rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# A metric's value in an exposition: faults_metric FILE 'name{labels}'
faults_metric() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

# churn_rss_thirds FILE MARGIN_KIB: FILE has "SECONDS RSS_KIB" samples over
# a run; the highest of its last third within MARGIN of its first third's
# (start-up, the maps' pages and the first scrapes are in the first third).
churn_rss_thirds() {
	local first last
	read -r first last < <(awk '{ t[NR] = $1; r[NR] = $2 } END {
		third = t[NR] / 3
		for (i = 1; i <= NR; i++) {
			if (t[i] <= third && r[i] > a) a = r[i]
			if (t[i] >= 2 * third && r[i] > b) b = r[i]
		}
		print a + 0, b + 0 }' "$1")
	echo "RSS: first third's highest ${first} KiB, last third's ${last} KiB ($(wc -l < "$1") samples over $(tail -1 "$1" | cut -d' ' -f1) s)"
	assert_ge "$first" 1 "RSS samples in the first third"
	assert_ge "$last" 1 "RSS samples in the last third"
	assert_le $((last - first)) "$2" "RSS growth of the last third over the first (KiB)"
}

test_faults_pid_reuse() {
	# The first child (100 getppid) exits; its pid is then forced on the
	# next fork, which runs another program.  The recording must hold two
	# processes with that pid, each with its own counts and identity: a
	# reaped process used to be found again by its pid and overwritten.
	fp_run record -q -o "$TMP/r.json" -- "$W/pidreuse" 100 500 "$W/sysloop" 200 3 > "$TMP/pr.out"
	local pid tries
	read -r _ pid _ tries < <(grep '^pid ' "$TMP/pr.out")
	[ "${tries:-0}" -gt 0 ] || { echo "the pid was taken by another process 200 times in a row"; return 77; }
	assert_eq "$(jq -c --argjson p "$pid" '[.processes[] | select(.pid == $p)
		| [.comm, .syscalls.getppid.calls, .syscalls.openat.errors, .exited]] | sort' "$TMP/r.json")" \
		'[["pidreuse",100,null,true],["sysloop",200,3,true]]' \
		"two processes with pid $pid, not mixed"
	assert_contains "$(jq -r --argjson p "$pid" '[.processes[] | select(.pid == $p and .comm == "sysloop") | .exe][0]' "$TMP/r.json")" \
		"/sysloop" "the second one's program"
}

test_faults_no_btf() {
	# A kernel without BTF, simulated: an empty tmpfs over /sys/kernel/btf
	# in a mount namespace of our own (the kernel still has it, fastpath
	# cannot see it).  One line that says what is missing, nothing started.
	local rc=0
	unshare --mount sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$0" record -d 1 -- "$1" 1 0' \
		"$FP" "$W/sysloop" > "$TMP/o" 2> "$TMP/e" || rc=$?
	assert_eq "$rc" 1 "exit code"
	assert_eq "$(wc -l < "$TMP/e")" 1 "one line on stderr: $(cat "$TMP/e")"
	assert_contains "$TMP/e" "the kernel has no BTF (/sys/kernel/btf/vmlinux is missing)" "names what is missing"
	assert_contains "$TMP/e" "CONFIG_DEBUG_INFO_BTF=y" "and what would give it"
	assert_eq "$(wc -c < "$TMP/o")" 0 "no output"
	rc=0
	unshare --mount sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$0" check' "$FP" > "$TMP/o" 2> "$TMP/e" || rc=$?
	assert_eq "$rc" 1 "check's exit code"
	assert_eq "$(grep -c 'libbpf' "$TMP/e")" 0 "no libbpf noise from check"
	assert_contains "$TMP/e" "the kernel lacks BTF" "check says it too"
}

test_faults_no_tracefs() {
	# fastpath uses tp_btf and perf-event uprobes only: no tracefs.  In a
	# mount namespace where no tracefs or debugfs is mounted (unmounted if
	# this machine has them), syscalls and libc uprobes are exact.
	local n=20000
	cat > "$TMP/notracefs.sh" <<'EOS'
for m in $(awk '$3 == "tracefs" || $3 == "debugfs" { print $2 }' /proc/self/mounts | sort -r); do
	umount -l "$m" || exit 3
done
awk '$3 == "tracefs" || $3 == "debugfs" { exit 1 }' /proc/self/mounts || exit 4
[ -z "$(find /sys/kernel/tracing /sys/kernel/debug -mindepth 1 2>/dev/null | head -1)" ] || exit 5
exec "$@"
EOS
	unshare --mount sh "$TMP/notracefs.sh" "$FP" record -q --alloc=exact -o "$TMP/r.json" -- "$W/allocloop" $n 100 \
		> /dev/null || fail "record without tracefs: exit $?"
	assert_eq "$(faults_alloc_q "$TMP/r.json" allocloop '[.size_bytes.buckets[] | select(.lo <= 100 and 100 < .hi) | .count] | add')" $n "malloc(100) calls by uprobes"
	assert_ge "$(jqr "$TMP/r.json" '[.processes[] | select(.comm == "allocloop") | .syscalls | length][0]')" 5 "syscalls counted"
}

test_faults_serve_churn_bounded() {
	# serve -a on a host that forks constantly: 833 processes a second
	# (50,000 a minute) for 20 s, each stat'ing a path of its own
	# (bench/soak.sh runs the full minute).  The exporter keeps the exited
	# processes' sums by command name, not each process, and not their
	# paths (it never exports them: they grew by every path any exited
	# command had stat'ed); the CPU family reaps its exit times (they
	# filled their map within 20 s, every exited process then a nameless
	# "running" one at each scrape, and CPU times dropped).  Every counter
	# exact and never stepping back, nothing dropped, and resident memory
	# level: the last third's highest sample within 8 MiB of the first
	# third's (measured: within 1 MiB).
	local port=$((20000 + RANDOM % 20000)) n=16660 rate=833 ch t0
	fp_start serve -a --listen "127.0.0.1:$port" -i 200ms
	for _ in $(seq 100); do grep -q serving "$TMP/fp.err" && break; sleep 0.05; done
	"$W/churn" $n 10 $rate distinct &
	ch=$!
	t0=$EPOCHREALTIME
	: > "$TMP/seq"
	: > "$TMP/rss"
	while kill -0 "$ch" 2>/dev/null; do
		curl -sf "http://127.0.0.1:$port/metrics" > "$TMP/m.prom" || fail "scrape failed"
		faults_metric "$TMP/m.prom" 'fastpath_syscalls_total{comm="churn",syscall="getppid"}' >> "$TMP/seq"
		echo "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }') $(faults_rss "$FP_PID")" >> "$TMP/rss"
		sleep 0.5
	done
	wait "$ch" || fail "churn failed"
	sleep 0.6	# one reap and one interval
	curl -sf "http://127.0.0.1:$port/metrics" > "$TMP/m.prom" || fail "last scrape failed"
	kill -INT "$FP_PID"
	wait_pid "$FP_PID" 10
	assert_eq "$(faults_metric "$TMP/m.prom" 'fastpath_syscalls_total{comm="churn",syscall="getppid"}')" $((n * 10)) "every child's getppid"
	assert_eq "$(faults_metric "$TMP/m.prom" 'fastpath_syscalls_total{comm="churn",syscall="wait4"}')" $n "the parent's wait4"
	assert_eq "$(faults_metric "$TMP/m.prom" 'fastpath_syscall_errors_total{comm="churn",syscall="newfstatat"}')" $n "every child's stat of a missing path"
	assert_eq "$(faults_metric "$TMP/m.prom" 'fastpath_processes{comm="churn",state="exited"}')" $((n + 1)) "every process exited"
	assert_eq "$(faults_metric "$TMP/m.prom" 'fastpath_processes{comm="churn",state="running"}')" 0 "none running"
	assert_eq "$(grep -c 'comm=""' "$TMP/m.prom")" 0 "no nameless process: $(grep 'comm=""' "$TMP/m.prom" | head -2)"
	assert_eq "$(awk '/^fastpath_dropped_total/ && $2 != 0' "$TMP/m.prom")" "" "nothing dropped"
	assert_eq "$(awk 'NR > 1 && $1 < prev { print NR } { prev = $1 }' "$TMP/seq" | head -1)" "" \
		"the counter never stepped back over $(wc -l < "$TMP/seq") scrapes"
	churn_rss_thirds "$TMP/rss" 8192
}

test_faults_seccomp_refused() {
	# A seccomp-sandboxed target: its filter (as systemd's
	# SystemCallFilter= installs) refuses getuid with EPERM and allows the
	# rest.  The kernel runs seccomp before the sys_enter tracepoint, so a
	# refused call reaches sys_exit only: it used to be lost.  Allowed
	# calls are counted as usual; refused ones are calls and errors.
	fp_run record -q -o "$TMP/r.json" -- "$W/sandboxed" filter 300 200 > "$TMP/sb.out"
	assert_eq "$(cat "$TMP/sb.out")" "denied 200" "the workload saw its getuid refused"
	assert_eq "$(jq -c '[.processes[] | select(.comm == "sandboxed") | .syscalls
		| [.getppid.calls, .getppid.errors, .getuid.calls, .getuid.errors]][0]' "$TMP/r.json")" \
		'[300,0,200,200]' "allowed getppid and refused getuid, exact"
}

test_faults_seccomp_first_call() {
	# A refused call that is a new child's or thread's very first syscall:
	# it reaches sys_exit only, and the thread had no per-thread record
	# yet (that is made at a thread's first sys_enter), so it used to be
	# taken for the child side of fork and lost.  40 raw forks and 40
	# threads, each starting with a refused getuid, then 3 getppid.
	local n=40
	fp_run record -q -o "$TMP/r.json" -- "$W/sandboxed" firstcall $n 3 > "$TMP/sb.out"
	assert_eq "$(cat "$TMP/sb.out")" "denied $((2 * n))" "the workload saw every first getuid refused"
	assert_eq "$(jq -c '[.processes[] | select(.comm == "sandboxed" and .syscalls.wait4 == null) | .syscalls
		| [.getuid.calls, .getuid.errors, .getppid.calls]] | group_by(.) | map([.[0], length])' "$TMP/r.json")" \
		"[[[1,1,3],$n]]" "each child: its first call, refused, then 3 getppid"
	assert_eq "$(jq -c '[.processes[] | select(.comm == "sandboxed" and .syscalls.wait4 != null) | .syscalls
		| [.getuid.calls, .getuid.errors, .getppid.calls]][0]' "$TMP/r.json")" \
		"[$n,$n,$((3 * n))]" "the threads' first calls, refused, in the parent"
}

test_faults_binary_replaced_running() {
	# A Go target under --alloc=exact uprobes has its executable replaced
	# on disk while attached.  Writing over it in place is refused by the
	# kernel (ETXTBSY: it is being run); a new file moved over the name
	# (what a deploy or a package upgrade does) leaves the running process
	# on its old inode, where the uprobes are: its allocations are still
	# counted in every interval after the move, and fastpath still ends on
	# SIGINT within 3 s with its output whole.
	local b=$TMP/bin/allocgo gp lines0 rc=0
	mkdir -p "$TMP/bin"
	cp "$W/go-allocgo" "$b"
	"$b" escapefor 30 > /dev/null &
	gp=$!
	fp_start top --json -i 0.5 --alloc=exact -p "$gp"
	sleep 1
	if cp "$W/go-allocgo" "$b" 2> "$TMP/cp.err"; then
		echo "the kernel let cp write over the running binary (same bytes)"
	else
		assert_contains "$TMP/cp.err" "Text file busy" "writing over a running binary: ETXTBSY"
	fi
	cp "$W/go-allocgo" "$b.new"
	mv "$b.new" "$b"
	lines0=$(wc -l < "$TMP/fp.out")
	sleep 1.6	# three intervals on the old inode, the new file in place
	kill -INT "$FP_PID"
	wait_pid "$FP_PID" 3 || rc=$?
	kill "$gp"
	assert_eq "$rc" 0 "fastpath's exit on SIGINT after the move"
	tail -n +$((lines0 + 2)) "$TMP/fp.out" > "$TMP/after.jsonl"
	assert_ge "$(wc -l < "$TMP/after.jsonl")" 2 "intervals wholly after the move"
	assert_eq "$(jq -c --argjson p "$gp" '[.processes[] | select(.pid == $p) | .alloc.go.calls // 0] | map(select(. > 0)) | length' "$TMP/after.jsonl" | sort -u | tr '\n' ' ')" \
		"1 " "the uprobes still count the running process in every interval after the move"
}

test_faults_binary_replaced_follow_exact() {
	# -p SHELL --follow: the shell runs a Go binary twice; the file is
	# replaced (mv) while the first run is under way, so the second runs
	# the new file (a new inode: held at its exec and probed again).  Both
	# runs' allocations exact at their site, and fastpath ends on its own
	# within 5 s of the tree's end (a draft of this test saw it take over
	# 20 s: every exec'd child's uprobes are detached one by one at exit).
	local b=$TMP/bin/allocgo sp n=1000000
	mkdir -p "$TMP/bin"
	cp "$W/go-allocgo" "$b"
	mkfifo "$TMP/go"
	sh -c "read x < '$TMP/go'; '$b' escape $n > '$TMP/o1'; '$b' escape $n > '$TMP/o2'" &
	sp=$!
	fp_start record -p "$sp" --follow --alloc=exact --stacks -o "$TMP/r.json"
	echo go > "$TMP/go"
	for _ in $(seq 200); do pgrep -P "$sp" allocgo > /dev/null && break; sleep 0.01; done
	pgrep -P "$sp" allocgo > /dev/null || fail "the first run was over before the move"
	cp "$W/go-allocgo" "$b.new"
	mv "$b.new" "$b"
	wait "$sp" || fail "the shell's tree failed"
	wait_pid "$FP_PID" 5
	assert_eq "$(jq -c '[.processes[] | select(.comm == "allocgo") | .alloc.top_sites[0].calls]' "$TMP/r.json")" \
		"[$n,$n]" "both runs' allocations at their site, the old inode's and the new one's"
	assert_within "$(jq '[.processes[] | select(.comm == "allocgo")][0].alloc.go.calls' "$TMP/r.json")" "$(jq .mallocs "$TMP/o1")" 2 \
		"the first run's allocations vs MemStats.Mallocs"
	assert_within "$(jq '[.processes[] | select(.comm == "allocgo")][1].alloc.go.calls' "$TMP/r.json")" "$(jq .mallocs "$TMP/o2")" 2 \
		"the second run's allocations vs MemStats.Mallocs"
}
