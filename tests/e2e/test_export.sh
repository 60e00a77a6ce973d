# End-to-end: report (text, html, csv, prom, folded), diff, serve (issue 7).
# Recordings are made here from real workloads, never hand-written.

EXPORT_CHECK=tests/e2e/export_check.py

# A recording of sysloop: 100000 getppid, 2000 failing openat.
export_record_sysloop() {
	fp_run record -q -o "$TMP/sys.json" -- "$W/sysloop" 100000 2000 >/dev/null
}

# The same recording with one more finding, as a rule would add it, whose
# text needs escaping in HTML and quoting in CSV.
export_with_finding() {
	jq '(.processes[] | select(.comm == "sysloop") | .findings) += [{"kind": "test-finding",
	     "severity": "warning", "summary": "a <b>bold</b>, \"quoted\" summary", "detail": "d & e"}]' \
		"$TMP/sys.json" > "$TMP/sysf.json"
}

# chromium with nothing shared with other runs and no network chatter.
export_chromium() {
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--no-first-run --disable-extensions --user-data-dir="$TMP/chromium" "$@" 2>/dev/null
}

test_export_report_text() {
	export_record_sysloop
	export_with_finding
	"$FP" report "$TMP/sysf.json" > "$TMP/r.txt"
	assert_contains "$TMP/r.txt" "pid $(jqr "$TMP/sys.json" '.processes[0].pid') (sysloop)" "process header"
	assert_eq "$(awk '$NF == "getppid" { print $5 }' "$TMP/r.txt")" 100000 "getppid calls in the table"
	assert_eq "$(awk '$NF == "openat" { print $6 }' "$TMP/r.txt")" 2000 "openat errors in the table"
	assert_contains "$TMP/r.txt" "syscall latency (ns): 102" "histogram title with the sample count"
	assert_contains "$TMP/r.txt" "p50" "percentile marks on the bars"
	# every finding of the recording (the rules' and ours) is in the text
	local n=0
	while IFS=$'\t' read -r kind summary; do
		assert_contains "$TMP/r.txt" "$kind: $summary" "finding $kind"
		n=$((n + 1))
	done < <(jq -r '.processes[].findings[] | "\(.kind)\t\(.summary)"' "$TMP/sysf.json")
	assert_ge "$n" 1 "findings checked"
	assert_eq "$(grep -c '^  \[' "$TMP/r.txt")" "$n" "findings summary lines"
	# a recording without findings says so
	if [ "$(jqr "$TMP/sys.json" '[.processes[].findings[]] | length')" = 0 ]; then
		"$FP" report "$TMP/sys.json" | grep -A1 '^Findings' | grep -qx '  none' || fail "no 'none' under Findings"
	fi
}

test_export_report_html_chromium() {
	command -v chromium >/dev/null || { echo "chromium is not installed (make deps installs it from DEB_OPT)"; return 77; }
	export_record_sysloop
	export_with_finding
	"$FP" report "$TMP/sysf.json" --format html -o "$TMP/r.html"
	# self-contained: nothing to fetch
	if grep -Eio "https?://[^\"' ]*" "$TMP/r.html" | grep -v '^http://www.w3.org/2000/svg$' | grep -q .; then
		fail "the page references a URL"
	fi
	! grep -Eiq '<script|<link|<img|<iframe|@import|url\(|src=' "$TMP/r.html" || fail "the page loads something"
	# escaped, not interpreted
	assert_contains "$TMP/r.html" "a &lt;b&gt;bold&lt;/b&gt;, &quot;quoted&quot; summary" "escaped finding"
	export_chromium --dump-dom "file://$TMP/r.html" > "$TMP/dom.html"
	assert_ge "$(grep -o '<svg' "$TMP/dom.html" | wc -l)" 3 "svg plots in the DOM (time bars, histograms)"
	assert_ge "$(grep -o '<rect' "$TMP/dom.html" | wc -l)" 5 "bars in the DOM"
	assert_ge "$(grep -o 'class="pct"' "$TMP/dom.html" | wc -l)" 3 "p50/p90/p99 marks"
	assert_contains "$TMP/dom.html" "getppid latency" "per-syscall histogram"
	export_chromium --screenshot="$TMP/shot.png" --window-size=800,1000 "file://$TMP/r.html" >/dev/null
	read -r _ colours _ ink < <(python3 "$EXPORT_CHECK" png "$TMP/shot.png")
	assert_ge "$colours" 20 "distinct colours in the screenshot"
	awk -v i="$ink" 'BEGIN { exit !(i >= 0.02) }' || fail "screenshot nearly blank (ink $ink)"
	# the oracle itself: a blank page is one colour
	echo '<!DOCTYPE html><html><body></body></html>' > "$TMP/blank.html"
	export_chromium --screenshot="$TMP/blank.png" --window-size=800,1000 "file://$TMP/blank.html" >/dev/null
	read -r _ colours _ ink < <(python3 "$EXPORT_CHECK" png "$TMP/blank.png")
	assert_eq "$colours" 1 "a blank page has one colour"
}

test_export_report_csv() {
	export_record_sysloop
	export_with_finding
	"$FP" report "$TMP/sysf.json" --format csv -o "$TMP/r.csv"
	python3 "$EXPORT_CHECK" csv "$TMP/r.csv" > "$TMP/csv.txt"
	assert_eq "$(awk -F'\t' '$1 == "sysloop" && $2 == "syscall getppid calls" { print $3 }' "$TMP/csv.txt")" 100000 "getppid calls row"
	assert_eq "$(awk -F'\t' '$1 == "sysloop" && $2 == "syscall openat errors" { print $3 }' "$TMP/csv.txt")" 2000 "openat errors row"
	assert_eq "$(awk -F'\t' '$2 == "finding test-finding" { print $3 }' "$TMP/csv.txt")" 1 "finding row"
	# the quoted summary survived the round trip
	python3 -c 'import csv,sys; rows=[r for r in csv.reader(open(sys.argv[1], newline="")) if r[2]=="finding test-finding"]; sys.exit(rows[0][5] != "a <b>bold</b>, \"quoted\" summary")' "$TMP/r.csv" ||
		fail "finding summary changed by CSV quoting"
}

# promtool if installed, else our strict parser (say which).
export_check_metrics() {
	if command -v promtool >/dev/null; then
		promtool check metrics < "$1" >&2 || fail "promtool check metrics failed on $1"
	else
		echo "promtool missing: strict parser instead" >&2
	fi
	python3 "$EXPORT_CHECK" prom "$1" >/dev/null || fail "exposition format check failed on $1"
}

test_export_report_prom() {
	export_record_sysloop
	"$FP" report "$TMP/sys.json" --format prom -o "$TMP/r.prom"
	export_check_metrics "$TMP/r.prom"
	assert_eq "$(awk '$1 == "fastpath_syscalls_total{comm=\"sysloop\",syscall=\"getppid\"}" { print $2 }' "$TMP/r.prom")" 100000 "getppid counter"
	assert_eq "$(awk '$1 == "fastpath_syscall_latency_seconds_count{comm=\"sysloop\",syscall=\"getppid\"}" { print $2 }' "$TMP/r.prom")" 100000 "histogram count"
	assert_eq "$(awk '$1 == "fastpath_syscall_latency_seconds_bucket{comm=\"sysloop\",syscall=\"getppid\",le=\"+Inf\"}" { print $2 }' "$TMP/r.prom")" 100000 "+Inf bucket"
	! grep -q 'pid="' "$TMP/r.prom" || fail "pid label without --pid-label"
	"$FP" report "$TMP/sys.json" --format prom --pid-label -o "$TMP/rp.prom"
	export_check_metrics "$TMP/rp.prom"
	assert_contains "$TMP/rp.prom" "pid=\"$(jqr "$TMP/sys.json" '.processes[0].pid')\"" "pid label with --pid-label"
}

test_export_report_folded_without_stacks() {
	export_record_sysloop
	# recorded without --stacks: no process carries a site (the error below
	# is then the one to expect)
	assert_eq "$(jqr "$TMP/sys.json" '[.processes[].alloc.top_sites // empty | .[]] | length')" 0 "no sites recorded"
	local rc=0
	"$FP" report "$TMP/sys.json" --format folded > "$TMP/f.out" 2> "$TMP/f.err" || rc=$?
	assert_eq "$rc" 1 "exit status without stacks"
	assert_eq "$(wc -l < "$TMP/f.err")" 1 "one line of error"
	assert_contains "$TMP/f.err" "no allocation stacks" "says why"
	assert_eq "$(wc -c < "$TMP/f.out")" 0 "nothing on stdout"
}

test_export_diff_story() {
	# before: sendfile carries 1 GiB; after: read+write carry it
	fp_run record -q -o "$TMP/before.json" -- "$W/zcserve" sendfile 64 16 >/dev/null
	fp_run record -q -o "$TMP/after.json" -- "$W/zcserve" copy 64 16 >/dev/null
	"$FP" diff "$TMP/before.json" "$TMP/after.json" > "$TMP/diff.txt"
	cat "$TMP/diff.txt" >&2
	local first
	first=$(grep -m1 '^ *1\. ' "$TMP/diff.txt")
	assert_contains "$first" "zcserve" "first change is the server's"
	assert_contains "$first" "zero-copy -> copy" "first change is the data path"
	# with the io section it is measured in bytes: 1 GiB moved either way
	if [ "$(jqr "$TMP/after.json" '[.processes[] | select(.comm == "zcserve") | .io // empty] | length')" != 0 ]; then
		assert_contains "$first" "zero-copy share of bytes 100% -> 0%" "zero-copy share in bytes"
		assert_contains "$first" "zero-copy 1.00 GiB -> 0 B" "the GiB that sendfile carried"
	fi
	# the read/write explosion is listed too, after it
	grep -q '^ *[0-9]*\. zcserve: write .*new\|^ *[0-9]*\. zcserve: write .*x[0-9]' "$TMP/diff.txt" ||
		fail "write calls change missing"
	# reversed, it is the improvement
	"$FP" diff "$TMP/after.json" "$TMP/before.json" | grep -m1 '^ *1\. ' | grep -q "copy -> zero-copy" ||
		fail "reverse diff does not start with copy -> zero-copy"
	"$FP" diff "$TMP/before.json" "$TMP/after.json" --format html -o "$TMP/diff.html"
	assert_contains "$TMP/diff.html" "zero-copy -&gt; copy" "html diff"
	! grep -Eiq '<script|https?://' "$TMP/diff.html" || fail "html diff loads something"
}

# Each bad input: exit 1, one line on stderr naming the file, nothing on stdout.
export_bad() { # what file [command...]
	local what=$1 file=$2 rc=0
	shift 2
	"$FP" "$@" > "$TMP/bad.out" 2> "$TMP/bad.err" || rc=$?
	assert_eq "$rc" 1 "$what: exit status"
	assert_eq "$(wc -l < "$TMP/bad.err")" 1 "$what: one line of error"
	assert_contains "$TMP/bad.err" "fastpath: $file" "$what: names the file"
	assert_eq "$(wc -c < "$TMP/bad.out")" 0 "$what: nothing on stdout"
	cat "$TMP/bad.err" >&2
}

test_export_bad_inputs() {
	export_record_sysloop
	head -c 300 "$TMP/sys.json" > "$TMP/trunc.json"
	jq '.schema = "fastpath.record/999"' "$TMP/sys.json" > "$TMP/schema.json"
	jq '.processes[0].syscalls.getppid.calls = "many"' "$TMP/sys.json" > "$TMP/type.json"
	: > "$TMP/empty.json"
	mkdir -p "$TMP/dir.json"
	for f in trunc schema type empty dir; do
		export_bad "report $f" "$TMP/$f.json" report "$TMP/$f.json"
		export_bad "report html $f" "$TMP/$f.json" report --format html "$TMP/$f.json"
		export_bad "diff $f" "$TMP/$f.json" diff "$TMP/sys.json" "$TMP/$f.json"
	done
	assert_contains "$(cat "$TMP/bad.err")" "is a directory" "directory named as such"
	export_bad "missing file" "$TMP/nope.json" report "$TMP/nope.json"
	"$FP" report "$TMP/schema.json" 2>&1 | grep -q 'fastpath.record/999' || fail "wrong schema id not named"
	"$FP" report "$TMP/trunc.json" 2>&1 | grep -q 'line [0-9]* column' || fail "truncation not located"
	local rc=0
	"$FP" report "$TMP/sys.json" --format pdf 2>/dev/null || rc=$?
	assert_eq "$rc" 2 "unknown format is a usage error"
}

test_export_serve_scrape() {
	local port=$((20000 + RANDOM % 20000)) child body
	fp_start serve --listen "127.0.0.1:$port" -i 50ms -- "$W/sysloop" -s 20000 0
	for _ in $(seq 100); do grep -q serving "$TMP/fp.err" && break; sleep 0.05; done
	for _ in $(seq 200); do grep -q done "$TMP/fp.out" && break; sleep 0.05; done
	child=$(cat /proc/"$FP_PID"/task/*/children | awk '{print $1}')
	curl -sf "http://127.0.0.1:$port/metrics" > "$TMP/m1.prom" || fail "scrape failed"
	sleep 0.2
	curl -sfD "$TMP/h2" "http://127.0.0.1:$port/metrics" > "$TMP/m2.prom" || fail "second scrape failed"
	body=$(curl -sf "http://127.0.0.1:$port/") || fail "/ failed"
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")
	kill "$child" 2>/dev/null || true
	kill -INT "$FP_PID"
	wait_pid "$FP_PID" 10
	assert_contains "$body" 'href="/metrics"' "index links to /metrics"
	assert_eq "$code" 404 "unknown path"
	assert_contains "$(cat "$TMP/h2")" "text/plain; version=0.0.4" "content type"
	export_check_metrics "$TMP/m2.prom"
	assert_eq "$(awk '$1 == "fastpath_syscalls_total{comm=\"sysloop\",syscall=\"getppid\"}" { print $2 }' "$TMP/m2.prom")" 20000 "getppid counter over HTTP"
	assert_ge "$(awk '$1 == "fastpath_bpf_runs_total" { print $2 }' "$TMP/m2.prom")" 20000 "own cost: BPF runs counted"
	assert_contains "$TMP/m2.prom" "fastpath_self_cpu_seconds_total" "own CPU time"
	! grep -q 'pid="' "$TMP/m2.prom" || fail "pid label without --pid-label"
}

test_export_serve_bad_listen() {
	local rc=0
	"$FP" serve --listen "nonsense:port" -d 1 > /dev/null 2> "$TMP/e.err" || rc=$?
	echo "$(cat "$TMP/e.err")" >&2
	assert_eq "$rc" 1 "exit status"
	assert_contains "$TMP/e.err" "listen address" "names the problem"
}

test_export_contrib_files() {
	command -v promtool >/dev/null || { echo "promtool is not installed (make deps installs prometheus from DEB_OPT)"; return 77; }
	promtool check config contrib/prometheus.yml >&2
	# the dashboard's queries parse as PromQL (as recording rules)
	jq -e '.panels | length > 5' contrib/grafana-dashboard.json >/dev/null || fail "dashboard JSON"
	jq -r '.panels[].targets[].expr' contrib/grafana-dashboard.json |
		sed 's/\$__rate_interval/5m/g; s/\$instance/.*/g; s/\$comm/.*/g' |
		awk 'BEGIN { print "groups:\n- name: dashboard\n  rules:" }
		     { gsub(/\047/, "\047\047"); printf "  - record: dashboard:q%d\n    expr: \047%s\047\n", NR, $0 }' > "$TMP/rules.yml"
	promtool check rules "$TMP/rules.yml" >&2
	# every metric the dashboard charts is one fastpath exports
	local m
	for m in $(grep -o 'fastpath_[a-z_]*' contrib/grafana-dashboard.json | sed 's/_bucket$//' | sort -u); do
		grep -q "\"$m\"\|$m\b" user/views/prom.c || fail "dashboard uses $m, which prom.c does not export"
	done
}

test_export_report_stat_paths() {
	# the stat section's top paths reach every format (when the family is on)
	fp_run record -q -o "$TMP/st.json" -- "$W/statloop" 20000 /etc/hostname
	if [ "$(jqr "$TMP/st.json" '.processes[0].stat // empty | length')" = "" ]; then
		echo "this build records no stat section"; return 77
	fi
	"$FP" report "$TMP/st.json" > "$TMP/st.txt"
	assert_eq "$(awk '$NF == "/etc/hostname" && $2 == "calls" { print $1 }' "$TMP/st.txt")" 20000 "top path in text"
	"$FP" report "$TMP/st.json" --format html -o "$TMP/st.html"
	assert_contains "$TMP/st.html" "20000 calls, 0 errors: /etc/hostname" "top path in html"
	"$FP" report "$TMP/st.json" --format csv -o "$TMP/st.csv"
	python3 "$EXPORT_CHECK" csv "$TMP/st.csv" > /dev/null
	grep -q '^[0-9]*,statloop,stat path calls,20000,calls,/etc/hostname' "$TMP/st.csv" || fail "top path in csv"
	"$FP" report "$TMP/st.json" --format prom -o "$TMP/st.prom"
	export_check_metrics "$TMP/st.prom"
	assert_eq "$(awk '$1 == "fastpath_stat_calls_total{comm=\"statloop\"}" { print $2 }' "$TMP/st.prom")" \
		"$(jqr "$TMP/st.json" '.processes[0].stat.calls')" "stat counter"
	# (the target line of fastpath_info names the command and its arguments)
	! grep -v "^fastpath_info" "$TMP/st.prom" | grep -q hostname || fail "a path became a label"
}

test_export_report_folded_from_recording() {
	# the stacks travel in the JSON: report --format folded gives what
	# record --folded gave at the time
	fp_run record -q --alloc=exact --stacks --folded "$TMP/live.folded" -o "$TMP/a.json" -- "$W/allocloop" 100000 64 > /dev/null
	"$FP" report "$TMP/a.json" --format folded -o "$TMP/report.folded"
	grep -Eq '^allocloop;.*;churn;__libc_malloc 100000$' "$TMP/report.folded" || { cat "$TMP/report.folded" >&2; fail "folded churn -> malloc line"; }
	diff <(sort "$TMP/live.folded") <(sort "$TMP/report.folded") >&2 || fail "report's folded differs from record's"
}

# ---- the allocator section (issue 5) in every format ---------------------

# The page fetches nothing and runs nothing.
export_html_selfcontained() {
	if grep -Eio "https?://[^\"' ]*" "$1" | grep -v '^http://www.w3.org/2000/svg$' | grep -q .; then
		fail "$1 references a URL"
	fi
	! grep -Eiq '<script|<link|<img|<iframe|@import|url\(|src=' "$1" || fail "$1 loads something"
}

# Value of a CSV metric of COMM (with the note, when given) through the
# strict parser.
export_csv_value() { # csv comm metric [note]
	python3 -c 'import csv,sys
rows=[r for r in csv.reader(open(sys.argv[1], newline="")) if r[1]==sys.argv[2] and r[2]==sys.argv[3] and (len(sys.argv)<5 or r[5]==sys.argv[4])]
print(rows[0][3] if rows else "missing")' "$@"
}

export_prom_value() { # file series
	awk -v s="$2" '$1 == s { print $2 }' "$1"
}

test_export_alloc_libc() {
	# exactly N malloc(100) + N free from churn(), recorded exactly with stacks
	local n=20000 malloc free
	fp_run record -q --alloc=exact --stacks -o "$TMP/a.json" -- "$W/allocloop" $n 100 >/dev/null
	malloc=$(jqr "$TMP/a.json" '.processes[] | select(.comm == "allocloop") | .alloc.libc.malloc.calls')
	free=$(jqr "$TMP/a.json" '.processes[] | select(.comm == "allocloop") | .alloc.libc.free.calls')
	# libc's own few calls (stdout's buffer) on top of ours, as test_alloc allows
	assert_ge "$malloc" $n "recorded malloc calls"; assert_le "$malloc" $((n + 20)) "recorded malloc calls"
	assert_ge "$free" $n "recorded free calls"; assert_le "$free" $((n + 20)) "recorded free calls"

	"$FP" report "$TMP/a.json" > "$TMP/a.txt"
	sed -n '/^allocator/,/^  notes\|^  no allocation/p' "$TMP/a.txt" >&2
	assert_eq "$(awk '$1 == "malloc" && NF == 4 { print $2 }' "$TMP/a.txt")" "$malloc" "malloc row of the text report"
	assert_eq "$(awk '$1 == "free" && NF == 3 { print $2 }' "$TMP/a.txt")" "$free" "free row of the text report"
	grep -Eq "^ +1\. churn allocloop\.c:[0-9]+: $n calls \(" "$TMP/a.txt" || fail "text: top site is churn() with $n calls"
	grep -A3 -E '^ +1\. churn' "$TMP/a.txt" | grep -q '<- main allocloop\.c:' || fail "text: the site's frames"
	assert_contains "$TMP/a.txt" "allocation size (bytes): $malloc samples" "size histogram in the bars"

	"$FP" report "$TMP/a.json" --format html -o "$TMP/a.html"
	export_html_selfcontained "$TMP/a.html"
	assert_contains "$TMP/a.html" "<td>churn allocloop.c:" "html: site table"
	grep -q "$n calls (100.0%), [0-9.]* [KM]iB: churn allocloop.c:" "$TMP/a.html" || fail "html: site bar"
	assert_contains "$TMP/a.html" "<figcaption>allocation size</figcaption>" "html: size histogram plot"
	! grep -q 'estimated' "$TMP/a.html" || fail "html: exact counts marked as estimates"
	if command -v chromium >/dev/null; then
		# the browser's view: the site bars and the size plot are in the DOM
		export_chromium --dump-dom "file://$TMP/a.html" > "$TMP/adom.html"
		assert_contains "$TMP/adom.html" '<svg class="sitebars"' "site bars in the DOM"
		assert_contains "$TMP/adom.html" "churn allocloop.c:" "site in the DOM"
		assert_ge "$(grep -o '<svg class="hist"' "$TMP/adom.html" | wc -l)" 2 "histogram plots in the DOM"
	else
		echo "chromium missing: DOM check skipped (static checks only)" >&2
	fi

	"$FP" report "$TMP/a.json" --format csv -o "$TMP/a.csv"
	python3 "$EXPORT_CHECK" csv "$TMP/a.csv" > /dev/null
	assert_eq "$(export_csv_value "$TMP/a.csv" allocloop "alloc libc malloc calls")" "$malloc" "csv malloc calls"
	assert_eq "$(export_csv_value "$TMP/a.csv" allocloop "alloc libc free calls")" "$free" "csv free calls"
	assert_eq "$(export_csv_value "$TMP/a.csv" allocloop "alloc estimated")" 0 "csv: exact"
	assert_eq "$(python3 -c 'import csv,sys
print([r[3] for r in csv.reader(open(sys.argv[1], newline="")) if r[2] == "alloc site calls" and r[5].startswith("churn allocloop.c:")][0])' "$TMP/a.csv")" $n "csv site calls"

	"$FP" report "$TMP/a.json" --format prom -o "$TMP/a.prom"
	export_check_metrics "$TMP/a.prom"
	assert_eq "$(export_prom_value "$TMP/a.prom" 'fastpath_alloc_libc_calls_total{comm="allocloop",function="malloc"}')" "$malloc" "prom malloc"
	assert_eq "$(export_prom_value "$TMP/a.prom" 'fastpath_alloc_libc_calls_total{comm="allocloop",function="free"}')" "$free" "prom free"
	assert_eq "$(export_prom_value "$TMP/a.prom" 'fastpath_alloc_libc_bytes_total{comm="allocloop",function="malloc"}')" \
		"$(jqr "$TMP/a.json" '.processes[] | select(.comm == "allocloop") | .alloc.libc.malloc.bytes')" "prom malloc bytes"
	assert_eq "$(export_prom_value "$TMP/a.prom" 'fastpath_alloc_estimated{comm="allocloop"}')" 0 "prom: exact"
	assert_eq "$(export_prom_value "$TMP/a.prom" 'fastpath_allocation_size_bytes_bucket{comm="allocloop",le="127"}')" \
		"$(jqr "$TMP/a.json" '[.processes[] | select(.comm == "allocloop") | .alloc.size_bytes.buckets[] | select(.hi <= 128) | .count] | add')" "prom size histogram"
	# (the finding alloc-churn may hold: its kind is a label; fastpath_info
	# names the command, whose path may say anything)
	! grep -v '^fastpath_finding{\|^fastpath_info{' "$TMP/a.prom" | grep -q 'churn\|allocloop\.c' || fail "a stack frame became a label"
}

test_export_alloc_go_sampled() {
	# the default Go mode: sampled, so every figure is an estimate
	fp_run record -q --stacks -o "$TMP/g.json" -- "$W/go-allocgo" bytes 268435456 >/dev/null
	local q='.processes[] | select(.comm == "go-allocgo") | .alloc'
	assert_eq "$(jqr "$TMP/g.json" "$q.go.mode")" sampled "recorded mode"
	"$FP" report "$TMP/g.json" > "$TMP/g.txt"
	sed -n '/^allocator/,/^ *2\. /p' "$TMP/g.txt" >&2
	assert_contains "$TMP/g.txt" "allocator (ESTIMATED: Go sampled)" "text: estimates marked"
	assert_contains "$TMP/g.txt" "sampled: ESTIMATED from $(jqr "$TMP/g.json" "$q.go.samples") heap-profile samples at MemProfileRate 524288" "text: Go mode"
	grep -Eq '^ +1\. main\.bytesLoop main\.go:[0-9]+: ' "$TMP/g.txt" || fail "text: top site is main.bytesLoop"

	"$FP" report "$TMP/g.json" --format html -o "$TMP/g.html"
	export_html_selfcontained "$TMP/g.html"
	assert_contains "$TMP/g.html" "<td>main.bytesLoop main.go:" "html: site table"
	assert_contains "$TMP/g.html" 'Top allocation sites <span class="warning">(estimated; most bytes first)</span>' "html: sites marked as estimates"
	assert_contains "$TMP/g.html" "<figcaption>allocation size (estimated)</figcaption>" "html: estimated size histogram"

	"$FP" report "$TMP/g.json" --format csv -o "$TMP/g.csv"
	python3 "$EXPORT_CHECK" csv "$TMP/g.csv" > /dev/null
	assert_eq "$(export_csv_value "$TMP/g.csv" go-allocgo "alloc go estimated_calls")" "$(jqr "$TMP/g.json" "$q.go.calls")" "csv estimated calls"
	assert_eq "$(export_csv_value "$TMP/g.csv" go-allocgo "alloc go estimated_bytes")" "$(jqr "$TMP/g.json" "$q.go.bytes")" "csv estimated bytes"
	assert_eq "$(export_csv_value "$TMP/g.csv" go-allocgo "alloc go calls")" missing "csv: no exact Go row"

	"$FP" report "$TMP/g.json" --format prom -o "$TMP/g.prom"
	export_check_metrics "$TMP/g.prom"
	assert_eq "$(export_prom_value "$TMP/g.prom" 'fastpath_alloc_go_estimated_calls_total{comm="go-allocgo"}')" "$(jqr "$TMP/g.json" "$q.go.calls")" "prom estimated calls"
	assert_eq "$(export_prom_value "$TMP/g.prom" 'fastpath_alloc_go_estimated_bytes_total{comm="go-allocgo"}')" "$(jqr "$TMP/g.json" "$q.go.bytes")" "prom estimated bytes"
	assert_eq "$(export_prom_value "$TMP/g.prom" 'fastpath_alloc_go_samples_total{comm="go-allocgo"}')" "$(jqr "$TMP/g.json" "$q.go.samples")" "prom samples"
	assert_eq "$(export_prom_value "$TMP/g.prom" 'fastpath_alloc_estimated{comm="go-allocgo"}')" 1 "prom: estimates flagged"
	! grep -q '^fastpath_alloc_go_calls_total' "$TMP/g.prom" || fail "estimates under the exact metric's name"
	! grep -q 'bytesLoop' "$TMP/g.prom" || fail "a stack frame became a label"
}

test_export_alloc_diff() {
	# twenty times the allocations, in recordings whose length is mostly the
	# start-up (1000 exact-traced malloc+free take ~3 ms, 20000 ~50 ms): the
	# allocation rate is the first rate change.  Findings (alloc-churn may
	# appear) rank above rates, and the percentiles of 35 start-up syscalls
	# are noise, so the check reads the rate rows of the HTML diff.
	fp_run record -q --alloc=exact --stacks -o "$TMP/d1.json" -- "$W/allocloop" 1000 64 >/dev/null
	fp_run record -q --alloc=exact --stacks -o "$TMP/d2.json" -- "$W/allocloop" 20000 64 >/dev/null
	"$FP" diff "$TMP/d1.json" "$TMP/d2.json" > "$TMP/diff.txt"
	cat "$TMP/diff.txt" >&2
	grep -Eq '^ *[0-9]+\. allocloop: allocator calls .* \(x[0-9.]+; in all 10[0-9][0-9] -> 20\.0k\)$' "$TMP/diff.txt" ||
		fail "allocation rate change with its totals"
	! grep -q 'new top allocation site' "$TMP/diff.txt" || fail "the same top site reported as new"
	"$FP" diff "$TMP/d1.json" "$TMP/d2.json" --format html -o "$TMP/diff.html"
	export_html_selfcontained "$TMP/diff.html"
	grep -m1 '<tr class="rate">' "$TMP/diff.html" | grep -q 'allocloop.*allocator calls' ||
		fail "the first rate change is not the allocation rate: $(grep -m1 '<tr class="rate">' "$TMP/diff.html")"
}

test_export_alloc_serve() {
	local port=$((20000 + RANDOM % 20000)) n=30000
	fp_start serve --listen "127.0.0.1:$port" -i 50ms --alloc=exact -- "$W/allocloop" $n 64
	for _ in $(seq 100); do grep -q serving "$TMP/fp.err" && break; sleep 0.05; done
	for _ in $(seq 200); do grep -q done "$TMP/fp.out" && break; sleep 0.05; done
	sleep 0.1	# one interval past the exit
	curl -sf "http://127.0.0.1:$port/metrics" > "$TMP/m.prom" || fail "scrape failed"
	kill -INT "$FP_PID"
	wait_pid "$FP_PID" 10
	export_check_metrics "$TMP/m.prom"
	local m
	m=$(export_prom_value "$TMP/m.prom" 'fastpath_alloc_libc_calls_total{comm="allocloop",function="malloc"}')
	assert_ge "$m" $n "live malloc counter"; assert_le "$m" $((n + 20)) "live malloc counter"
	m=$(export_prom_value "$TMP/m.prom" 'fastpath_alloc_libc_calls_total{comm="allocloop",function="free"}')
	assert_ge "$m" $n "live free counter"; assert_le "$m" $((n + 20)) "live free counter"
	assert_eq "$(export_prom_value "$TMP/m.prom" 'fastpath_alloc_estimated{comm="allocloop"}')" 0 "live: exact"
}
