# End-to-end: `fastpath top` (issue: top), batch, JSON lines and the
# interactive view under tmux.

# Sum of calls of syscall $3 for pid $2 over every line of a JSON-lines file.
top_sum() { jq -s --argjson p "$2" --arg s "$3" '[.[].processes[] | select(.pid == $p) | .syscalls[$s].calls // 0] | add // 0' "$1"; }
top_sum_err() { jq -s --argjson p "$2" --arg s "$3" '[.[].processes[] | select(.pid == $p) | .syscalls[$s].errors // 0] | add // 0' "$1"; }

wait_line() { # file pattern [seconds]
	for _ in $(seq $((${3:-10} * 20))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	fail "'$2' not in $1 within ${3:-10} s"
}

test_top_json_counts_add_up() {
	"$W/sysloop" -w 30000 500 > "$TMP/w.out" &
	local wp=$!
	wait_line "$TMP/w.out" ready
	fp_start top --json -i 0.2 -p "$wp"
	kill -USR1 "$wp"
	# top ends by itself once its only target has exited
	wait_pid "$FP_PID" 20
	local f=$TMP/fp.out
	assert_ge "$(wc -l < "$f")" 1 "intervals"
	assert_eq "$(jq -r .schema "$f" | sort -u)" "fastpath.top/1" "one JSON object per line, all fastpath.top/1"
	assert_eq "$(jq -s '[.[].interval] == [range(1; length + 1)]' "$f")" true "intervals numbered 1..N"
	assert_eq "$(top_sum "$f" "$wp" getppid)" 30000 "getppid over all intervals"
	assert_eq "$(top_sum_err "$f" "$wp" openat)" 500 "failed openat over all intervals"
	assert_eq "$(jq -s 'last.processes[0].exited' "$f")" true "the last interval shows the exit"
	# rates are the interval's counts over its length
	assert_eq "$(jq -s '[.[] | .interval_s as $s | .processes[] | ((.syscalls | [.[].calls] | add) / $s - .rates.syscalls) | fabs < 0.001] | all' "$f")" true "rates.syscalls = calls / interval_s"
}

test_top_json_partial_interval_on_sigint() {
	# stopped by Ctrl-C while the target lives: the last partial interval
	# is still written, so nothing is lost
	"$W/sysloop" -w -s 20000 0 > "$TMP/w.out" &
	local wp=$!
	wait_line "$TMP/w.out" ready
	fp_start top --json -i 5 -p "$wp"
	kill -USR1 "$wp"
	wait_line "$TMP/w.out" done
	kill -INT "$FP_PID"
	wait_pid "$FP_PID"
	kill "$wp"; wait "$wp" 2>/dev/null || true
	assert_eq "$(wc -l < "$TMP/fp.out")" 1 "one (partial) interval"
	assert_eq "$(top_sum "$TMP/fp.out" "$wp" getppid)" 20000 "getppid in the partial interval"
}

test_top_json_ticker_total_and_self_cost() {
	# a steady workload stopped from outside: the per-interval counts add
	# up to the number of calls it reports itself
	"$W/ticker" -w 3000 0 > "$TMP/w.out" &
	local wp=$!
	wait_line "$TMP/w.out" ready
	fp_start top --json -i 0.3 -p "$wp"
	kill -USR1 "$wp"
	sleep 1.5
	kill -TERM "$wp"
	wait "$wp" || true
	wait_pid "$FP_PID" 10
	local total
	total=$(awk '/^calls/ { print $2 }' "$TMP/w.out")
	assert_ge "$total" 1000 "ticker ran"
	assert_eq "$(top_sum "$TMP/fp.out" "$wp" getppid)" "$total" "getppid over the intervals = the ticker's own count"
	# the BPF programs' run time is reported and positive while it runs
	assert_eq "$(jq -s '[.[1:-1][] | .self.bpf_cpu_pct > 0 and .self.bpf_run_ns > 0] | all and length > 0' "$TMP/fp.out")" true "self.bpf_cpu_pct > 0"
	assert_eq "$(jq -s '[.[] | .self.cpu_pct >= 0] | all' "$TMP/fp.out")" true "self.cpu_pct present"
}

test_top_batch_text() {
	"$W/ticker" 1000 20 > /dev/null &
	local wp=$!
	fp_run top -b -q -n 3 -i 0.5 -p "$wp" > "$TMP/b.txt"
	assert_eq "$(grep -c '^fastpath top - ' "$TMP/b.txt")" 3 "three intervals (-n 3)"
	assert_eq "$(grep -c '^self: BPF [0-9.]*% of a CPU' "$TMP/b.txt")" 3 "self-cost line in each"
	assert_contains "$TMP/b.txt" "PID COMM" "column titles"
	# the ticker's row in the last interval: pid, comm, syscalls/s near
	# 1000 getppid + 100 nanosleep a second (30%: a shared, noisy machine)
	local rate
	rate=$(awk -v p="$wp" '$1 == p && $2 == "ticker" { r = $4 } END { print r }' "$TMP/b.txt")
	assert_within "$rate" 1100 30 "ticker's syscalls/s"
	# not a terminal: batch is the default
	fp_run top -q -n 1 -i 0.2 -p "$wp" > "$TMP/b2.txt" 2>&1 || true
	kill "$wp"; wait "$wp" 2>/dev/null || true
	assert_contains "$TMP/b2.txt" "fastpath top - " "batch by default when stdout is a pipe"
}

test_top_errors() {
	local out
	! out=$("$FP" top -b -p 999999 2>&1) || fail "unknown pid accepted"
	assert_eq "$(printf '%s\n' "$out" | wc -l)" 1 "one line"
	assert_contains "$out" "no process with pid 999999" "message"
	! out=$("$FP" top -i 1ms 2>&1) || fail "tiny interval accepted"
	assert_contains "$out" "bad interval" "interval message"
}

# ---- the interactive view, under tmux --------------------------------------

tui_init() { # cols rows
	command -v tmux > /dev/null || { echo "tmux not installed (make deps installs it)"; exit 77; }
	TM="tmux -L fastpath-test-$$ -f $TMP/tmux.conf"
	printf 'set -g status off\n' > "$TMP/tmux.conf"
	trap 'tui_end' EXIT
	$TM new-session -d -x "$1" -y "$2" -s t "env PS1='PROMPT\$ ' bash --norc --noprofile"
	tui_wait 'PROMPT\$'
}

tui_end() {
	$TM kill-server 2> /dev/null || true
	for p in ${TUI_KILL:-}; do kill "$p" 2> /dev/null || true; done
}

tui_screen() { $TM capture-pane -p -t t; }

tui_wait() { # regex [seconds]
	for _ in $(seq $((${2:-10} * 10))); do
		tui_screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	tui_screen | sed 's/^/    | /' >&2
	fail "screen never showed /$1/"
}

tui_top() { # args...: start fastpath top in the pane, record its pid
	rm -f "$TMP/tui.pid"
	$TM send-keys -t t "bash -c 'echo \$\$ > $TMP/tui.pid; exec $FP top -q $*'" Enter
	for _ in $(seq 50); do [ -s "$TMP/tui.pid" ] && break; sleep 0.1; done
	TUI_PID=$(cat "$TMP/tui.pid")
	echo "$TUI_PID" >> "$FP_PIDS_FILE"
}

# fastpath in the pane is not our child: poll until it is gone.
tui_gone() {
	for _ in $(seq 100); do kill -0 "$TUI_PID" 2> /dev/null || return 0; sleep 0.1; done
	fail "fastpath top (pid $TUI_PID) still running after 10 s"
}

# The line number (from 1) of pid's row on the screen, 0 if absent.
tui_row() { tui_screen | awk -v p="$1" '$1 == p { print NR; f = 1; exit } END { if (!f) print 0 }'; }

tui_quit_restores() {
	$TM send-keys -t t q
	tui_gone
	tui_wait 'PROMPT\$ *$'
	tui_screen | grep -q 'SYSCALLS' && fail "the table is still on the screen after q"
	$TM send-keys -t t "echo shell-ok-\$((6 * 7))" Enter
	tui_wait '^shell-ok-42'
}

# Two tickers at 500/s and 5000/s, the faster one started second.
tui_tickers() {
	"$W/ticker" 500 30 > /dev/null &
	SLOW=$!
	"$W/ticker" 5000 30 > /dev/null &
	FAST=$!
	TUI_KILL="$SLOW $FAST"
}

test_top_tui_80x24() {
	tui_init 80 24
	tui_tickers
	tui_top -i 0.5 -p "$SLOW,$FAST"
	tui_wait "^ *$FAST +ticker +[0-9]"
	tui_wait "^ *$SLOW +ticker +[0-9]"
	sleep 1	# a full interval for both
	local s
	s=$(tui_screen)
	# fits: header, column titles, footer, nothing wider than 80
	[ "$(printf '%s\n' "$s" | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 80 ] || fail "a line wider than 80"
	assert_contains "$s" "fastpath top" "header"
	assert_contains "$s" "PID COMM" "column titles"
	printf '%s\n' "$s" | tail -1 | grep -q "q quit" || fail "footer with the keys"
	# the rate shown for the fast ticker: 5000 getppid + 100 nanosleep
	assert_within "$(printf '%s\n' "$s" | awk -v p="$FAST" '$1 == p { print $4 }')" 5100 30 "fast ticker's syscalls/s"
	# self-cost: BPF CPU present and positive
	local bpf
	bpf=$(printf '%s\n' "$s" | sed -n 's/^self: BPF \([0-9.]*\)% CPU.*/\1/p')
	[ -n "$bpf" ] || fail "no BPF CPU figure in the header"
	awk -v b="$bpf" 'BEGIN { exit !(b > 0) }' || fail "BPF CPU figure not positive: $bpf"
	# default sort: syscalls/s, busiest first
	[ "$(tui_row "$FAST")" -lt "$(tui_row "$SLOW")" ] || fail "fast ticker not above the slow one by syscalls/s"
	# N sorts by PID: the slow one (smaller pid) comes first
	$TM send-keys -t t N
	sleep 0.3
	if [ "$SLOW" -lt "$FAST" ]; then
		[ "$(tui_row "$SLOW")" -lt "$(tui_row "$FAST")" ] || fail "sorting by PID did not reorder the rows"
	fi
	tui_wait 'sort PID \^'
	# Enter opens the detail of the selected (first) row, with a histogram
	$TM send-keys -t t Home Enter
	tui_wait 'HISTOGRAMS'
	tui_wait 'syscall latency: [0-9]+ samples'
	tui_wait '^  \[ *[0-9.]+[num]?s, *[0-9.]+[num]?s\) #+ +[0-9]+ '
	tui_wait "^pid ($SLOW|$FAST) \\(ticker\\)"
	tui_wait 'getppid'
	# Esc back to the list
	$TM send-keys -t t Escape
	tui_wait "PID COMM"
	tui_quit_restores
}

test_top_tui_large_and_resize() {
	tui_init 160 50
	tui_tickers
	tui_top -i 0.5 -p "$SLOW,$FAST"
	tui_wait "^ *$FAST +ticker +[0-9]"
	# wide: every column title, the FLAGS column at the far right
	tui_wait 'PID COMM +CPU% +/s +p99 +err/s +/s +copy +zero +zc% +/s +MiB/s +CONTAINER +FLAGS'
	# filter: only the matching pid stays
	$TM send-keys -t t / "$SLOW" Enter
	tui_wait "filter '$SLOW'"
	[ "$(tui_row "$FAST")" -eq 0 ] || fail "the filter kept the other process"
	[ "$(tui_row "$SLOW")" -gt 0 ] || fail "the filter hid the matching process"
	$TM send-keys -t t Escape
	tui_wait "^ *$FAST +ticker"
	# help, then back
	$TM send-keys -t t h
	tui_wait 'KEYS'
	$TM send-keys -t t x
	tui_wait 'PID COMM'
	# shrink to 80x24 while running: it redraws to the new size
	$TM resize-window -t t -x 80 -y 24
	sleep 0.5
	tui_wait 'PID COMM'
	local s
	s=$(tui_screen)
	[ "$(printf '%s\n' "$s" | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 80 ] || fail "a line wider than 80 after the resize"
	printf '%s\n' "$s" | head -1 | grep -q '^fastpath top' || fail "header not on the first line after the resize"
	tui_quit_restores
}

test_top_tui_restores_on_signals() {
	tui_init 80 24
	"$W/ticker" 200 30 > /dev/null &
	TUI_KILL=$!
	# Ctrl-C
	tui_top -i 0.5 -p "$TUI_KILL"
	tui_wait "PID COMM"
	$TM send-keys -t t C-c
	tui_gone
	tui_wait 'PROMPT\$ *$'
	tui_screen | grep -q 'PID COMM' && fail "table left on the screen after Ctrl-C"
	# SIGTERM
	$TM send-keys -t t clear Enter
	tui_top -i 0.5 -p "$TUI_KILL"
	tui_wait "PID COMM"
	kill -TERM "$TUI_PID"
	tui_gone
	tui_wait 'PROMPT\$ *$'
	tui_screen | grep -q 'PID COMM' && fail "table left on the screen after SIGTERM"
	$TM send-keys -t t "echo shell-ok-\$((6 * 7))" Enter
	tui_wait '^shell-ok-42'
}

test_top_flags_demo_stories() {
	# the demo's stat storm and file server: their columns and flags light
	# in batch text, the findings in full in JSON lines
	"$W/demo_statstorm" 10 > /dev/null &
	local ws=$!
	"$W/demo_fileserver" 10 > /dev/null &
	local wf=$!
	fp_run top -b -q -n 2 -i 0.5 -p "$ws,$wf" > "$TMP/b.txt"
	fp_run top --json -q -n 2 -i 0.5 -p "$ws,$wf" > "$TMP/j.txt"
	kill "$ws" "$wf"; wait "$ws" "$wf" 2>/dev/null || true
	local row
	row=$(awk -v p="$ws" '$1 == p' "$TMP/b.txt" | tail -1)
	assert_contains "$row" "STAT-STORM" "stat storm: flag in the FLAGS column"
	# STAT /s is the 6th field: above the rule's 2000/s
	assert_ge "$(echo "$row" | awk '{ printf "%d", $7 }')" 2000 "stat calls/s"
	row=$(awk -v p="$wf" '$1 == p' "$TMP/b.txt" | tail -1)
	assert_contains "$row" "SENDFILE-LOST" "file server: flag in the FLAGS column"
	# copy MiB/s (7th) positive, zero-copy (8th) nothing, ratio 0%
	awk -v r="$row" 'BEGIN { split(r, f); exit !(f[8] > 0 && f[9] == 0 && f[10] == "0%") }' || fail "file server's data path columns: $row"
	jqp() { jq -s --argjson p "$1" "[.[-1].processes[] | select(.pid == \$p)][0] | $2" "$TMP/j.txt"; }
	assert_eq "$(jqp "$ws" '[.findings[].kind] | index("stat-storm") != null')" true "stat-storm in JSON"
	assert_eq "$(jqp "$ws" '.rates.stat > 2000')" true "rates.stat"
	assert_eq "$(jqp "$wf" '[.findings[].kind] | index("sendfile-lost") != null')" true "sendfile-lost in JSON"
	assert_eq "$(jqp "$wf" '.rates.copy_bytes > 1048576 and .rates.zero_copy_ratio == 0')" true "rates.copy_bytes, zero_copy_ratio"
}

test_top_tui_detail_sections() {
	# the detail of the file server ends with its data path by fd kind
	tui_init 100 40
	"$W/demo_fileserver" 20 > /dev/null &
	TUI_KILL=$!
	tui_top -i 0.5 -p "$TUI_KILL"
	tui_wait "^ *$TUI_KILL +demo_fileserver +[0-9]"
	tui_wait "SENDFILE-LOST"
	$TM send-keys -t t Enter
	tui_wait 'HISTOGRAMS'
	$TM send-keys -t t End
	tui_wait 'DATA PATH BY FD KIND'
	tui_wait '^  file +[0-9.]+ +0 '
	tui_wait '^  socket:unix +0 +[0-9.]+ '
	tui_quit_restores
}

test_top_tui_alloc_churn_sites() {
	# the demo's allocation churn, libc probed exactly with call sites: the
	# ALLOC-CHURN flag, and the detail ends with the allocating function
	tui_init 120 40
	"$W/demo_alloc" 20 > /dev/null &
	TUI_KILL=$!
	tui_top -i 1 --alloc=exact --stacks -p "$TUI_KILL"
	tui_wait "^ *$TUI_KILL +demo_alloc +[0-9]" 15
	tui_wait "ALLOC-CHURN" 15
	$TM send-keys -t t Enter
	tui_wait 'HISTOGRAMS'
	$TM send-keys -t t End
	tui_wait 'ALLOCATOR \(this interval\)'
	tui_wait 'top allocation sites'
	tui_wait 'make_(object|buffer) demo_alloc\.c:[0-9]+'
	tui_quit_restores
}
