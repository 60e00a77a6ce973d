# End-to-end: what a hostile traced process can do to fastpath's reader
# (issue 16: escaping of the strings it chooses) and fastpath's files
# (modes, temporaries left by a kill -9).  docs/security.md.

# Bytes of a file that are control characters a terminal acts on: 0x00-0x1f
# but the newline, 0x7f, and the 8-bit CSI 0x9b.  Prints their number.
raw_controls() {
	LC_ALL=C tr -d '\n\040-\176\200-\232\234-\377' < "$1" | wc -c
}

assert_no_raw_controls() { # file what
	local n
	n=$(raw_controls "$1")
	[ "$n" -eq 0 ] || { LC_ALL=C grep -n "$(printf '[\001-\011\013-\037\177\233]')" "$1" | head -3 | od -c | head -8 >&2
		fail "$2: $n raw control bytes"; }
}

# The hostile workload's binary under a name that sets the title and is not
# UTF-8 (its exe, and its comm: 11 bytes), its directory of paths, and the
# recording of one run.
HCOMM_HEX=$(printf 'hb\033]0;exe\a\377' | od -An -v -tx1 | tr -d ' \n')
HCOMM_SHOWN='hb\x1b]0;exe\x07\xff'
hostile_setup() {
	HB="$TMP/hostile-bin/$(printf 'hb\033]0;exe\a\377')"
	HD="$TMP/hs"
	mkdir -p "$TMP/hostile-bin" "$HD"
	cp "$W/hostile" "$HB"
}

hostile_record() {
	hostile_setup
	# -z 1: alive long enough for its exe to be read
	fp_run record -q -o "$TMP/h.json" -- "$HB" -z 1 20 "$HD"
}

test_security_record_text_escaped() {
	hostile_setup
	fp_run record -q -- "$HB" -z 1 20 "$HD" > "$TMP/h.txt"
	assert_no_raw_controls "$TMP/h.txt" "record's table"
	# shown as strace and ls -b show them
	assert_contains "$TMP/h.txt" "($HCOMM_SHOWN)" "comm escaped"
	assert_contains "$TMP/h.txt" "/hostile-bin/$HCOMM_SHOWN" "exe escaped"
	assert_contains "$TMP/h.txt" "$HD/a\\nb\\nfake: line" "a newline in a path as \\n"
	assert_contains "$TMP/h.txt" "$HD/bad\\xff\\xfe.utf8" "invalid UTF-8 as \\xNN"
	# no line of its own for the forged text
	grep -q '^fake: line' "$TMP/h.txt" && fail "a path forged a line"
	true
}

test_security_json_lossless() {
	hostile_record
	local raw i=0 want
	# the path that is not UTF-8 is kept (it was dropped from top_paths)
	assert_eq "$(jq '[.processes[0].stat.top_paths[] | select(.calls >= 20)] | length' "$TMP/h.json")" 8 "every hostile path in top_paths"
	# each path's raw bytes (path_b64, or path when it is UTF-8) are the
	# workload's own, with the count it made (20 + 7 - i)
	"$HB" -l 20 "$HD" > "$TMP/h.hex"
	while read -r want; do
		raw=$(jq -r --argjson c $((27 - i)) '.processes[0].stat.top_paths[] | select(.calls == $c) |
			if .path_b64 then .path_b64 else (.path | @base64) end' "$TMP/h.json" | base64 -d | od -An -v -tx1 | tr -d ' \n')
		assert_eq "$raw" "$want" "path $i: its bytes"
		i=$((i + 1))
	done < "$TMP/h.hex"
	assert_eq "$i" 8 "paths checked"
	assert_eq "$(jq -r '.processes[0].comm_b64' "$TMP/h.json" | base64 -d | od -An -v -tx1 | tr -d ' \n')" \
		"$HCOMM_HEX" "comm's bytes"
	assert_eq "$(jq -r '.processes[0].comm' "$TMP/h.json")" "$HCOMM_SHOWN" "comm's display form beside them"
	assert_eq "$(jq -r '.processes[0].exe_b64' "$TMP/h.json" | base64 -d | od -An -v -tx1 | tr -d ' \n')" \
		"$(printf '%s' "$HB" | od -An -v -tx1 | tr -d ' \n')" "exe's bytes"
	# a UTF-8 string is as it is, JSON escaping its controls
	assert_eq "$(jq -r '.processes[0].stat.top_paths[] | select(.calls == 25) | .path' "$TMP/h.json")" \
		"$(printf '%s/a\nb\nfake: line' "$HD")" "the newline path, UTF-8, as it is"
	# read back by report: the bytes again (their display form has one
	# backslash per escape; the display string read as text would have two)
	"$FP" report "$TMP/h.json" > "$TMP/h.rep"
	assert_contains "$TMP/h.rep" "$HD/bad\\xff\\xfe.utf8" "report read the raw bytes back"
	assert_contains "$TMP/h.rep" "($HCOMM_SHOWN)" "comm read back"
	"$FP" diff "$TMP/h.json" "$TMP/h.json" > "$TMP/h.diff"
	assert_contains "$TMP/h.diff" "no change" "a recording equals itself"
}

test_security_report_formats_escaped() {
	hostile_record
	"$FP" report "$TMP/h.json" > "$TMP/h.rep"
	assert_no_raw_controls "$TMP/h.rep" "report text"
	"$FP" report --format html "$TMP/h.json" > "$TMP/h.html"
	assert_no_raw_controls "$TMP/h.html" "report html"
	assert_contains "$TMP/h.html" "$HCOMM_SHOWN" "comm in the HTML"
	"$FP" report --format csv "$TMP/h.json" | sed 's/\r$//' > "$TMP/h.csv"
	assert_no_raw_controls "$TMP/h.csv" "report csv (CRLF line ends aside)"
	# every row has the header's six fields: no path or comm split one
	assert_eq "$(python3 -c 'import csv,sys; print(sorted({len(r) for r in csv.reader(open(sys.argv[1], newline=""))}))' "$TMP/h.csv")" "[6]" "six fields a row"
	"$FP" report --format prom "$TMP/h.json" > "$TMP/h.prom"
	assert_no_raw_controls "$TMP/h.prom" "report prom"
	assert_contains "$TMP/h.prom" 'comm="hb\\x1b]0;exe\\x07\\xff"' "comm label: the display form, backslashes escaped"
	# Prometheus' own parser takes it (an unescaped control or quote would not)
	if command -v promtool > /dev/null; then
		promtool check metrics < "$TMP/h.prom" > "$TMP/promtool.out" 2>&1 ||
			fail "promtool rejects the exposition: $(head -3 "$TMP/promtool.out")"
	fi
	"$FP" report --format folded "$TMP/h.json" > "$TMP/h.folded" 2>/dev/null || true
	[ -s "$TMP/h.folded" ] && assert_no_raw_controls "$TMP/h.folded" "folded"
	true
}

test_security_top_batch_and_json() {
	hostile_setup
	"$HB" -w -s 3 20 "$HD" > "$TMP/w.out" &
	local wp=$!
	wait_line "$TMP/w.out" ready
	fp_start top -b -i 0.5 -n 3 -p "$wp"
	kill -USR1 "$wp"
	wait_pid "$FP_PID" 20
	assert_no_raw_controls "$TMP/fp.out" "top -b"
	assert_contains "$TMP/fp.out" 'hb\x1b]0;ex' "comm escaped in the table"
	"$HB" -w -s 2 20 "$HD" > "$TMP/w2.out" &
	wp=$!
	wait_line "$TMP/w2.out" ready
	fp_start top --json -i 0.5 -p "$wp"
	kill -USR1 "$wp"
	wait_pid "$FP_PID" 20
	wait "$wp" 2>/dev/null || true
	# every line is JSON (jansson would have refused the comm) with the bytes
	assert_eq "$(jq -s 'length > 0 and all(.schema == "fastpath.top/1")' "$TMP/fp.out")" true "JSON lines"
	assert_eq "$(jq -rs '[.[].processes[] | select(.pid == '"$wp"') | .comm_b64] | first' "$TMP/fp.out" | base64 -d | od -An -v -tx1 | tr -d ' \n')" \
		"$HCOMM_HEX" "comm's bytes in top --json"
	assert_eq "$(jq -s '[.[].processes[] | select(.pid == '"$wp"') | .stat.top_paths[]? | select(.path_b64)] | length > 0' "$TMP/fp.out")" true "the invalid path kept in top --json"
}

test_security_top_tui() {
	hostile_setup
	tui_init 120 40
	"$HB" -s 30 20 "$HD" > /dev/null &
	TUI_KILL=$!
	$TM select-pane -t t -T clean-title
	tui_top -i 0.5 -p "$TUI_KILL"
	tui_wait "^ *$TUI_KILL +hb.x1b"
	$TM send-keys -t t Enter
	tui_wait 'HISTOGRAMS'
	$TM send-keys -t t End
	tui_wait 'top paths'
	tui_wait 'x1b\]0;pwned\\x07'
	# nothing reached the terminal: the pane's title is ours, no screen clear
	assert_eq "$($TM display -p -t t '#{pane_title}')" clean-title "the terminal's title"
	$TM capture-pane -p -e -t t > "$TMP/tui.screen"
	grep -q 'pwned' "$TMP/tui.screen" || fail "the path is on the screen"
	$TM send-keys -t t Escape
	tui_quit_restores
}

# ---- files -----------------------------------------------------------------

mode_of() { stat -c %a "$1"; }

test_security_file_modes() {
	local d=$TMP/modes
	mkdir -p "$d"
	# a new recording is 0600 (paths, command lines) whatever the umask
	( umask 022; "$FP" record -q -o "$d/r.json" -- /bin/true )
	assert_eq "$(mode_of "$d/r.json")" 600 "new recording, umask 022"
	rm -f "$d/r.json"
	( umask 077; "$FP" record -q -o "$d/r.json" -- /bin/true )
	assert_eq "$(mode_of "$d/r.json")" 600 "new recording, umask 077"
	# a report honours the umask
	( umask 022; "$FP" report -o "$d/r.txt" "$d/r.json" )
	assert_eq "$(mode_of "$d/r.txt")" 644 "new report, umask 022"
	rm -f "$d/r.txt"
	( umask 077; "$FP" report --format html -o "$d/r.txt" "$d/r.json" )
	assert_eq "$(mode_of "$d/r.txt")" 600 "new report, umask 077"
	# a file replaced keeps its mode
	chmod 0640 "$d/r.json" "$d/r.txt"
	( umask 077; "$FP" record -q -o "$d/r.json" -- /bin/true )
	assert_eq "$(mode_of "$d/r.json")" 640 "replaced recording keeps 0640"
	( umask 022; "$FP" report -o "$d/r.txt" "$d/r.json" )
	assert_eq "$(mode_of "$d/r.txt")" 640 "replaced report keeps 0640"
	assert_eq "$(ls "$d" | wc -l)" 2 "no temporary left"
	# -o /dev/null is written to, never replaced by a file
	"$FP" report -o /dev/null "$d/r.json"
	[ -c /dev/null ] || fail "/dev/null is no longer a device"
}

test_security_kill9_leaves_no_temporary() {
	local d=$TMP/k9s
	mkdir -p "$d"
	echo old > "$d/r.json"
	fp_start record -o "$d/r.json" -p $$
	assert_eq "$(ls "$d")" r.json "nothing named while recording (O_TMPFILE)"
	kill -9 "$FP_PID"
	wait "$FP_PID" 2>/dev/null || true
	assert_eq "$(ls "$d")" r.json "nothing left after kill -9"
	assert_eq "$(cat "$d/r.json")" old "the file replaced is untouched (never half-written)"
	# where the filesystem has no O_TMPFILE: a named temporary, cleaned by
	# the next run in that directory
	FASTPATH_TEST_NO_TMPFILE=1 fp_start record -o "$d/r.json" -p $$
	assert_eq "$(ls "$d" | grep -c '^r\.json\.tmp\.[0-9]*\.......$')" 1 "the named temporary"
	kill -9 "$FP_PID"
	wait "$FP_PID" 2>/dev/null || true
	assert_eq "$(cat "$d/r.json")" old "untouched after kill -9"
	FASTPATH_TEST_NO_TMPFILE=1 "$FP" record -q -o "$d/r.json" -- /bin/true
	assert_eq "$(ls "$d")" r.json "the stale temporary was cleaned"
	assert_eq "$(jq -r .schema "$d/r.json")" fastpath.record/1 "and the new recording is complete"
}

test_security_error_messages_escaped() {
	# a recording from anywhere: its strings echoed in an error are escaped,
	# and so is a file name given on the command line
	printf '{"schema": "\\u001b[2J\\u001b]0;pwned\\u0007\\nfake: line"}' > "$TMP/bad.json"
	"$FP" report "$TMP/bad.json" 2> "$TMP/err1" > /dev/null && fail "a bad schema accepted"
	assert_no_raw_controls "$TMP/err1" "the schema echoed"
	assert_eq "$(wc -l < "$TMP/err1")" 1 "one line"
	assert_contains "$TMP/err1" '\x1b[2J' "shown escaped"
	"$FP" report "$TMP/$(printf 'no\033[2Jsuch\nfile')" 2> "$TMP/err2" > /dev/null && fail "a missing file accepted"
	assert_no_raw_controls "$TMP/err2" "the file name echoed"
	assert_eq "$(wc -l < "$TMP/err2")" 1 "one line"
}
