# Identity of traced processes in a recording: parent, program, exit.

# A python that forks a child which exits at once and is never reaped:
# prints the zombie's pid, keeps it a zombie for $1 seconds.
zombie_maker() {
	exec python3 -c "
import os, sys, time
pid = os.fork()
if pid == 0:
    os._exit(3)
print(pid, flush=True)
time.sleep($1)
"
}

test_identity_zombie_target_is_exited() {
	zombie_maker 20 > "$TMP/zpid" &
	local maker=$! z
	for _ in $(seq 50); do [ -s "$TMP/zpid" ] && break; sleep 0.1; done
	z=$(cat "$TMP/zpid")
	grep -q '^State:.*Z' "/proc/$z/status" || fail "workload: $z is not a zombie"
	# it stops on its own, well before the maker reaps it
	timeout 10 "$FP" record -q -p "$z" -o "$TMP/z.json" || { kill "$maker"; fail "record -p ZOMBIE did not stop by itself"; }
	kill "$maker"
	assert_eq "$(jq -c ".processes[] | select(.pid == $z) | [.exited, .exit_code, .ppid]" "$TMP/z.json")" "[true,768,$maker]" "zombie: exited with status 3<<8, its parent"
	fp_run report "$TMP/z.json" > "$TMP/z.txt"
	assert_contains "$TMP/z.txt" "[exited, exit 3]" "the text says the exit as a shell does"
}

test_identity_ppid_of_a_pid_target() {
	"$W/sysloop" -s 10 10 > /dev/null &
	local t=$!
	fp_run record -q -p "$t" -d 0.5 -o "$TMP/p.json"
	kill "$t" 2>/dev/null; wait "$t" 2>/dev/null || true
	# the test runs in a subshell: $BASHPID, not $$, started it
	assert_eq "$(jq ".processes[] | select(.pid == $t) | .ppid" "$TMP/p.json")" "$BASHPID" "ppid of a -p target"
}

test_identity_exe_of_short_lived_children() {
	# each child lives a few ms, less than one poll: its program is the one
	# the kernel saw it exec, not null and not the shell it forked from
	fp_run record -q -o "$TMP/c.json" -- sh -c "$W/sysloop 10 10 >/dev/null; /bin/true; $W/statloop 10 >/dev/null 2>&1"
	assert_eq "$(jq -r '[.processes[] | select(.comm != "sh") | "\(.comm)=\(.exe)"] | sort | join(" ")' "$TMP/c.json")" \
		"statloop=$W/statloop sysloop=$W/sysloop true=/bin/true" "children's programs"
	assert_eq "$(jq '([.processes[] | select(.comm == "sh") | .pid][0]) as $sh | [.processes[] | select(.comm != "sh") | .ppid == $sh] | all' "$TMP/c.json")" true "their parent is the shell"
}
