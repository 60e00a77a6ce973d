# Helpers for the end-to-end tests (sourced by run-all.sh).  Every test runs
# the real binary as root with BPF really loaded.
FP=${FP:-$PWD/fastpath}
W=${W:-$PWD/build/workloads}
TMP=${TMP:-$(mktemp -d /tmp/fastpath-test.XXXXXX)}
FP_PIDS_FILE=$TMP/fp_pids

fail() { echo "    $*" >&2; return 1; }

assert_eq() { # actual expected what
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}
assert_ge() { # actual min what
	[ "$1" -ge "$2" ] 2>/dev/null || fail "$3: got '$1', expected >= $2"
}
assert_le() { # actual max what
	[ "$1" -le "$2" ] 2>/dev/null || fail "$3: got '$1', expected <= $2"
}
assert_within() { # actual expected percent what
	awk -v a="$1" -v e="$2" -v p="$3" 'BEGIN { d = a - e; if (d < 0) d = -d; exit !(d <= e * p / 100.0) }' ||
		fail "$4: got '$1', expected '$2' within $3%"
}
assert_contains() { # file-or-string needle what
	if [ -f "$1" ]; then grep -qF -- "$2" "$1"; else printf '%s' "$1" | grep -qF -- "$2"; fi ||
		fail "$3: '$2' not found"
}

# jq over a recording: jqr FILE EXPR
jqr() { jq -r "$2" "$1"; }

# Start `fastpath ARGS...` in the background and wait for its "attached"
# line.  Sets FP_PID; stderr goes to $TMP/fp.err.
fp_start() {
	: > "$TMP/fp.err"
	"$FP" "$@" 2>"$TMP/fp.err" >"$TMP/fp.out" &
	FP_PID=$!
	echo "$FP_PID" >> "$FP_PIDS_FILE"
	for _ in $(seq 200); do
		grep -q "attached" "$TMP/fp.err" && return 0
		kill -0 "$FP_PID" 2>/dev/null || { cat "$TMP/fp.err" >&2; fail "fastpath exited before attaching"; return 1; }
		sleep 0.05
	done
	fail "fastpath did not attach within 10 s"
}

# Wait for a background pid, at most $2 seconds (default 30).
wait_pid() {
	local pid=$1 t=${2:-30}
	for _ in $(seq $((t * 20))); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return $?; }
		sleep 0.05
	done
	kill -9 "$pid" 2>/dev/null
	fail "pid $pid still running after ${t}s"
}

# Run fastpath in the foreground, recording its pid for the leak check.
fp_run() {
	"$FP" "$@" &
	local pid=$!
	echo "$pid" >> "$FP_PIDS_FILE"
	wait "$pid"
}

# strace -c -f of a command: prints "syscall calls errors" lines.
strace_counts() {
	strace -c -f -U name,calls,errors -o "$TMP/strace.out" "$@" >/dev/null 2>&1
	awk '$1 !~ /^(syscall|-+|total)$/ && NF >= 2 { print $1, $2, ($3 == "" ? 0 : $3) }' "$TMP/strace.out"
}

# Ids of fastpath's BPF programs loaded now (every one is named fp_*).
# Debian 12's bpftool does not say which process holds a program, so a
# leak is a fastpath program that was not there before the test and is
# still there once the test's fastpath processes are gone.
fp_prog_ids() {
	bpftool prog show -j 2>/dev/null | jq -r '.[] | select((.name // "") | startswith("fp_")) | .id' | sort -n
}

# leaked_progs [BEFORE_IDS_FILE]: what this test left loaded, or running.
leaked_progs() {
	local before=${1:-$TMP/progs.before} left
	if [ -s "$FP_PIDS_FILE" ]; then
		while read -r pid; do
			kill -0 "$pid" 2>/dev/null && echo "fastpath pid $pid still running"
		done < "$FP_PIDS_FILE"
	fi
	# the kernel frees a closed program asynchronously: give it a moment
	for _ in $(seq 40); do
		left=$(fp_prog_ids | comm -13 "$before" -)
		[ -z "$left" ] && return 0
		sleep 0.05
	done
	echo "BPF programs left loaded: $(echo $left)"
}
