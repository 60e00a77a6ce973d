# End-to-end: Go park reasons (issue 12, --parks).  Oracle: the
# backpressure workload counts its own blocking operations, each detected
# as a would-block first (select with default, the semaphore's condition,
# an empty token bucket) and then blocked on.

GP_SRC=tests/workloads/go/backpressure/main.go

# gp_run DESIGN [BINARY]: record the workload under --parks into $TMP/DESIGN.json,
# its own counts in $TMP/DESIGN.w.
gp_run() {
	local bin=${2:-$W/go-backpressure}
	fp_run record -q --parks -o "$TMP/$1.json" -- "$bin" -design "$1" -consumers 1 > "$TMP/$1.w"
}

# gp_q DESIGN JQ: over the workload's gopark section.
gp_q() { jq -r "[.processes[] | select(.gopark)][0].gopark | $2" "$TMP/$1.json"; }

# The reason with the most parked time, the runtime's idle waits aside.
gp_dominant() {
	gp_q "$1" '[.reasons[] | select(.reason | test("idle|^GC |finalizer|force gc") | not)] | max_by(.parked_ns) | .reason'
}

gp_parks() { gp_q "$1" "[.reasons[] | select(.reason == \"$2\") | .parks] | add // 0"; }
gp_site() { gp_q "$1" "[.sites[] | select(.reason == \"$2\")] | max_by(.parked_ns) | .where"; }
gp_line() { grep -n "PARK-SITE-$1" "$GP_SRC" | cut -d: -f1; }

test_gopark_bounded_channel() {
	gp_run chan
	assert_eq "$(gp_dominant chan)" "chan send" "dominant reason of the bounded channel"
	assert_ge "$(jq .chan_send_blocked "$TMP/chan.w")" 1000 "the workload blocked on its channel"
	assert_within "$(gp_parks chan "chan send")" "$(jq .chan_send_blocked "$TMP/chan.w")" 2 "chan send parks vs the workload's count"
	assert_eq "$(gp_site chan "chan send")" "main.producerChan main.go:$(gp_line CHAN)" "the producer's send site"
	assert_eq "$(jq -r '[.processes[].findings[] | select(.kind == "blocked-on-queue")] | length' "$TMP/chan.json")" 1 "blocked-on-queue"
	jq -r '.processes[].findings[] | select(.kind == "blocked-on-queue") | .summary' "$TMP/chan.json" > "$TMP/f.txt"
	assert_contains "$TMP/f.txt" "main.producerChan main.go:$(gp_line CHAN)" "the finding names the site"
	# the parked-time histogram holds every park that ended
	assert_eq "$(gp_q chan '[.reasons[] | select(.reason == "chan send") | .parked.count == .parks] | .[0]')" true "every chan send park timed"
	assert_ge "$(gp_q chan '[.reasons[] | select(.reason == "chan send") | .parked.p99] | .[0]')" 1000 "p99 parked ns"
	"$FP" report "$TMP/chan.json" > "$TMP/chan.txt"
	assert_contains "$TMP/chan.txt" "parked: chan send" "report text histogram"
}

# A weighted semaphore on sync.Mutex + sync.Cond parks in sync.Cond.Wait
# (x/sync/semaphore would park in select: it waits on a channel and ctx).
test_gopark_semaphore() {
	gp_run sem
	assert_eq "$(gp_dominant sem)" "sync.Cond.Wait" "dominant reason of the semaphore"
	assert_ge "$(jq .cond_waits "$TMP/sem.w")" 1000 "the workload waited on its semaphore"
	assert_within "$(gp_parks sem "sync.Cond.Wait")" "$(jq .cond_waits "$TMP/sem.w")" 2 "sync.Cond.Wait parks vs the workload's count"
	assert_eq "$(gp_site sem "sync.Cond.Wait")" "main.(*semaphore).Acquire main.go:$(gp_line SEM)" "the semaphore's wait site"
	assert_eq "$(jq -r '[.processes[].findings[] | select(.kind == "blocked-on-queue")] | length' "$TMP/sem.json")" 0 "no queue finding"
}

# golang.org/x/sync/semaphore (Debian's golang-golang-x-sync-dev) queues each
# waiter on a channel of its own and parks it in select; the site is its
# caller (x/sync's frames are skipped as sync's are).
test_gopark_xsync_semaphore() {
	gp_run xsem
	assert_eq "$(gp_dominant xsem)" "select" "dominant reason of x/sync/semaphore"
	assert_ge "$(jq .xsem_blocked "$TMP/xsem.w")" 1000 "the workload blocked on the semaphore"
	assert_within "$(gp_parks xsem select)" "$(jq .xsem_blocked "$TMP/xsem.w")" 2 "select parks vs the workload's count"
	assert_eq "$(gp_site xsem select)" "main.producerXSem main.go:$(gp_line XSEM)" "the producer's acquire site"
}

# A token bucket refilled by a time.Ticker: producers sleep (time.Sleep)
# until the next refill; the refill goroutine waits in select on the
# ticker's channel and a stop channel.
test_gopark_token_bucket() {
	gp_run ticker
	assert_eq "$(gp_dominant ticker)" "sleep" "dominant reason of the token bucket"
	assert_within "$(gp_parks ticker sleep)" "$(jq .sleeps "$TMP/ticker.w")" 2 "sleep parks vs the workload's count"
	assert_within "$(gp_parks ticker select)" "$(jq .tick_recv_blocked "$TMP/ticker.w")" 2 "select parks vs the ticker waits"
	assert_eq "$(gp_site ticker sleep)" "main.producerTicker main.go:$(gp_line TICKER)" "the producer's sleep site"
}

test_gopark_lock_contention() {
	gp_run mutex
	assert_eq "$(gp_dominant mutex)" "semacquire" "Go 1.19's sync.Mutex parks in semacquire"
	assert_eq "$(jq -r '[.processes[].findings[] | select(.kind == "lock-contention")] | length' "$TMP/mutex.json")" 1 "lock-contention"
}

# Stripped (-s -w): functions from the function table, the reasons still
# named from the binary, the site symbolized from the pclntab.
test_gopark_stripped() {
	gp_run chan "$W/go-backpressure-stripped"
	assert_eq "$(gp_dominant chan)" "chan send" "dominant reason, stripped"
	assert_within "$(gp_parks chan "chan send")" "$(jq .chan_send_blocked "$TMP/chan.w")" 2 "chan send parks, stripped"
	assert_eq "$(gp_site chan "chan send")" "main.producerChan main.go:$(gp_line CHAN)" "the send site, stripped"
	assert_contains "$(gp_q chan .notes)" "stripped binary" "the note says so"
}

# Issue 13: peak RSS (VmHWM, /usr/bin/time -f %M) of --parks on a stripped
# Go binary, whose function table each probe family reads (18.7 MB before
# the table was read from the file's mapping and the kernel's BTF parsed
# from its own); the parks counted, so the probes were in place.
test_gopark_peak_rss_bounded() {
	[ -x /usr/bin/time ] || { echo "no /usr/bin/time (make deps)"; return 77; }
	/usr/bin/time -f %M -o "$TMP/rss" "$FP" record -q --parks -o "$TMP/chan.json" \
		-- "$W/go-backpressure-stripped" -design chan -consumers 1 > "$TMP/chan.w" &
	echo $! >> "$FP_PIDS_FILE"
	wait $!
	assert_within "$(gp_parks chan "chan send")" "$(jq .chan_send_blocked "$TMP/chan.w")" 2 "chan send parks, stripped"
	assert_le "$(tail -1 "$TMP/rss")" $((15 * 1024)) "peak RSS in kB of record --parks of a stripped Go binary"
}

test_gopark_needs_targets() {
	local rc=0
	"$FP" record --parks -d 0.1 -o "$TMP/x.json" 2> "$TMP/err" || rc=$?
	assert_eq "$rc" 2 "exit status of --parks without targets"
	assert_contains "$TMP/err" "--parks needs targets" "the message"
	[ ! -e "$TMP/x.json" ] || fail "no recording written"
}

# check names what --parks would use, the reason table by content.
test_gopark_check_binary() {
	"$FP" check "$W/go-backpressure-stripped" > "$TMP/check.txt"
	assert_contains "$TMP/check.txt" "runtime.gopark               yes" "gopark found, stripped"
	assert_contains "$TMP/check.txt" "runtime.execute              yes" "execute found, stripped"
	assert_contains "$TMP/check.txt" "(27 park reasons; chan send is 15)" "Go 1.19's reason table"
}

# tsgo (Go 1.26.4, stripped, from the npm registry: make deps) behind a
# wrapper shell: found at its exec, its reasons named from its own table
# (sync.WaitGroup.Wait and the GOMAXPROCS updater exist from Go 1.25 only,
# so a Go 1.19 table, or numbers, would not name them), and it still works.
test_gopark_tsgo_through_sh_c() {
	local tsgo=$TOP/build/npm/node_modules/@typescript/native-preview-linux-x64/lib/tsgo q
	[ -x "$tsgo" ] || fail "$tsgo missing: run 'make deps'"
	python3 tests/workloads/ts/gen_project.py "$TMP/ts" 100 > /dev/null
	fp_run record -q --parks -o "$TMP/ts.json" -- sh -c "'$tsgo' -p '$TMP/ts' > '$TMP/ts.out'; echo \$? > '$TMP/ts.rc'"
	assert_eq "$(cat "$TMP/ts.rc")" 0 "tsgo's own exit status under --parks"
	q='[.processes[] | select(.comm == "tsgo")][0].gopark'
	assert_ge "$(jqr "$TMP/ts.json" "[$q.reasons[].parks] | add")" 20 "tsgo's parks"
	assert_ge "$(jqr "$TMP/ts.json" "[$q.reasons[] | select(.reason == \"sync.WaitGroup.Wait\")] | length")" 1 "a Go 1.25+ reason, named"
	assert_eq "$(jqr "$TMP/ts.json" "[$q.reasons[] | select(.reason | test(\"^[0-9]+\$\"))] | length")" 0 "no reason left as a number"
	assert_contains "$(jqr "$TMP/ts.json" "$q.notes")" "stripped binary" "stripped, and says so"
	assert_eq "$(jqr "$TMP/ts.json" '[.processes[] | select(.comm == "sh")][0].gopark')" null "the wrapper shell has no park probes"
}
