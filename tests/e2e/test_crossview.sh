# One recording, every format: a figure that appears in more than one
# (record JSON, report text, CSV, Prometheus, HTML) is the same number
# (tests/e2e/crossview_check.py says which figures it compares).

test_crossview_every_format_agrees() {
	# four processes, each with syscalls, the stat family, the data path,
	# on-CPU time and exact allocator counts
	fp_run record -q --alloc=exact -o "$TMP/r.json" -- \
		sh -c "$W/demo_statstorm 0.5; $W/allocloop 2000 64 >/dev/null; cat /etc/services >/dev/null"
	fp_run report "$TMP/r.json" > "$TMP/r.txt"
	fp_run report --format csv "$TMP/r.json" > "$TMP/r.csv"
	fp_run report --format prom "$TMP/r.json" > "$TMP/r.prom"
	fp_run report --format html -o "$TMP/r.html" "$TMP/r.json"
	python3 tests/e2e/crossview_check.py "$TMP/r.json" "$TMP/r.txt" "$TMP/r.csv" "$TMP/r.prom" "$TMP/r.html" > "$TMP/check.out" ||
		{ cat "$TMP/check.out" >&2; fail "figures disagree between formats"; }
	# it compared something: each of the four processes, hundreds of figures
	assert_contains "$TMP/check.out" "over 4 processes, 0 mismatches" "four processes compared"
	assert_ge "$(sed -n 's/^\([0-9]*\) figures checked.*/\1/p' "$TMP/check.out")" 200 "figures compared"
}
