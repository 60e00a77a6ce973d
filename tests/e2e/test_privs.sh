# Privileges are decided by capabilities, the same way by `check` and by
# the subcommands that load BPF (util/privs.c).

# A world-readable copy of the binary and a workload for uid 65534 (the
# checkout and $TMP may be closed to it); sets PRIV_DIR.
privs_setup() {
	PRIV_DIR=$(mktemp -d /tmp/fastpath-privs.XXXXXX)
	chmod 1777 "$PRIV_DIR"
	cp "$FP" "$W/sysloop" "$PRIV_DIR/"
	chmod 755 "$PRIV_DIR/fastpath" "$PRIV_DIR/sysloop"
}

as_nobody() { # CAPS CMD...: run as uid/gid 65534 with exactly these ambient capabilities
	local caps=$1
	shift
	if [ -n "$caps" ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps="$caps" --ambient-caps="$caps" "$@"
	else
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
	fi
}

test_privs_bpf_and_perfmon_suffice() {
	command -v setpriv >/dev/null || { echo "setpriv missing (util-linux)"; return 77; }
	privs_setup
	as_nobody +bpf,+perfmon "$PRIV_DIR/fastpath" check > "$PRIV_DIR/check.out" || { cat "$PRIV_DIR/check.out" >&2; rm -rf "$PRIV_DIR"; fail "check refused CAP_BPF+CAP_PERFMON"; }
	assert_contains "$PRIV_DIR/check.out" "fastpath can trace on this machine" "check agrees"
	as_nobody +bpf,+perfmon "$PRIV_DIR/fastpath" record -q -o "$PRIV_DIR/r.json" -- "$PRIV_DIR/sysloop" 1000 10 > /dev/null 2> "$PRIV_DIR/err" ||
		{ cat "$PRIV_DIR/err" >&2; rm -rf "$PRIV_DIR"; fail "record refused CAP_BPF+CAP_PERFMON as uid 65534"; }
	local n
	n=$(jq '.processes[] | select(.comm == "sysloop") | .syscalls.getppid.calls' "$PRIV_DIR/r.json")
	rm -rf "$PRIV_DIR"
	assert_eq "$n" 1000 "exact counts as an unprivileged user with the two capabilities"
}

test_privs_none_one_line_naming_them() {
	command -v setpriv >/dev/null || { echo "setpriv missing (util-linux)"; return 77; }
	privs_setup
	local rc=0 sub
	as_nobody "" "$PRIV_DIR/fastpath" check > "$PRIV_DIR/check.out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || { rm -rf "$PRIV_DIR"; fail "check said it can trace without capabilities"; }
	assert_contains "$PRIV_DIR/check.out" "grant CAP_BPF and CAP_PERFMON" "check names them"
	for sub in "record -q -- /bin/true" "top -b -n 1 -a" "serve -a --listen 127.0.0.1:0"; do
		rc=0
		# shellcheck disable=SC2086
		as_nobody "" "$PRIV_DIR/fastpath" $sub > "$PRIV_DIR/out" 2> "$PRIV_DIR/err" || rc=$?
		[ "$rc" -ne 0 ] || { rm -rf "$PRIV_DIR"; fail "$sub ran without capabilities"; }
		assert_eq "$(wc -l < "$PRIV_DIR/err")" 1 "$sub: one line" || { rm -rf "$PRIV_DIR"; return 1; }
		assert_contains "$PRIV_DIR/err" "needs CAP_BPF and CAP_PERFMON" "$sub names what is missing" || { rm -rf "$PRIV_DIR"; return 1; }
	done
	# one capability of the two: the other is named
	rc=0
	as_nobody +bpf "$PRIV_DIR/fastpath" record -q -- /bin/true 2> "$PRIV_DIR/err" || rc=$?
	[ "$rc" -ne 0 ] || { rm -rf "$PRIV_DIR"; fail "record ran with CAP_BPF alone"; }
	assert_contains "$PRIV_DIR/err" "needs CAP_PERFMON (or root)" "the missing one named"
	rm -rf "$PRIV_DIR"
}
