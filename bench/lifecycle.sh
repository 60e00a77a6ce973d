#!/usr/bin/env bash
# Exit time and peak memory of fastpath (issue 13): for each configuration,
# `fastpath record -p` of an idle process under /usr/bin/time -f %M; once
# it says "attached", SIGINT, and the time from the signal to the process's
# exit (the recording written, every link detached).  The uprobes are the
# slow ones to detach: --alloc=exact on a libc process (sleep), on a Go one
# (lefthook, Go 1.27: mallocgc and 14 size-specialised allocators, waiting
# for the command of its hook) and with -a (every process's libc), --parks
# on the Go one.  And every other mode (issue 13's "every
# configuration"): --waits, --waits=stacks, --profile and --stacks (of the
# Go target: its runtime's threads wake, so stacks are named), top -b and
# serve -a.  Prints markdown; with BENCH_FIGURES set, appends "exit.CFG MS" (median) and
# "rss.life.CFG KB" (max) lines to it.
#   bench/lifecycle.sh [--quick]      LIFE_RUNS (runs per configuration, 5), FP
set -u
cd "$(dirname "$0")/.."
FP=${FP:-$PWD/fastpath}	# FP=/other/fastpath: another build, for a before/after
TIME=/usr/bin/time
RUNS=${LIFE_RUNS:-5}
[ "${1:-}" = "--quick" ] && RUNS=1
die() { echo "bench/lifecycle.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (BPF)"
[ -x "$FP" ] || die "build first: make all"
[ -x "$TIME" ] || die "/usr/bin/time missing: make deps"

. bench/tmp.sh.inc
bench_tmp life

# lefthook (make deps): a Go target that idles, running a hook whose one
# command sleeps, in a git repository of its own.
LEFTHOOK=$PWD/build/npm/node_modules/lefthook-linux-x64/bin/lefthook
CFGS=(sys all exact exact_a exact_go parks waits waits_stacks profile stacks top serve_a)
declare -A OPTS=([sys]="--no-io --no-stat --alloc=off" [all]="" [exact]="--alloc=exact"
	[exact_a]="-a --alloc=exact" [exact_go]="--alloc=exact" [parks]="--parks"
	[waits]="--waits" [waits_stacks]="--waits=stacks" [profile]="--profile" [stacks]="--stacks"
	[top]="-b" [serve_a]="-a --listen 127.0.0.1:19465")
declare -A TARGET=([sys]=sleep [all]=sleep [exact]=sleep [exact_a]="" [exact_go]=go [parks]=go
	[waits]=sleep [waits_stacks]=go [profile]=go [stacks]=go [top]=sleep [serve_a]="")
declare -A LABEL=([sys]="syscall accounting only" [all]="default: all families" [exact]="default with --alloc=exact"
	[exact_a]="every process, --alloc=exact" [exact_go]="Go target (lefthook), --alloc=exact" [parks]="Go target (lefthook), --parks"
	[waits]="scheduler waits" [waits_stacks]="Go target, waits with stacks" [profile]="Go target, CPU profile"
	[stacks]="Go target, allocation stacks" [top]="top, plain text" [serve_a]="Prometheus exporter, every process")
# the command of cfg (record unless named), and what it writes
declare -A CMD=([top]=top [serve_a]=serve)
if [ -x "$LEFTHOOK" ] && mkdir "$T/lh" && git -C "$T/lh" init -q; then
	printf 'idle:\n  commands:\n    wait:\n      run: exec sleep 600\n' > "$T/lh/lefthook.yml"
else
	echo "bench/lifecycle.sh: $LEFTHOOK (make deps) or git missing: no Go configurations" >&2
	CFGS=(sys all exact exact_a waits top serve_a)
fi

# the idle target of cfg, its pid in SP ("" for -a)
start_target() { # cfg
	SP= KID=
	case ${TARGET[$1]} in
	sleep) sleep 600 & SP=$! ;;
	go) (cd "$T/lh" && exec "$LEFTHOOK" run idle >/dev/null 2>&1) & SP=$!
		# idle once its command runs: that pid (sh exec'd sleep) goes too
		for _ in $(seq 100); do KID=$(pgrep -P "$SP") && break; sleep 0.02; done
		PIDS+=($KID) ;;
	esac
	[ -z "$SP" ] || PIDS+=("$SP")
}

stop_target() {
	[ -n "$SP" ] || return 0
	if [ "${TARGET[$1]}" = go ]; then kill "$SP" $KID; else kill "$SP"; fi
	wait "$SP" 2>/dev/null
}

# one run: appends ms from SIGINT to exit to $T/CFG.exit, peak KB to $T/CFG.rss
run_one() { # cfg
	local cfg=$1 cmd=${CMD[$1]:-record} tp fp t0 t1 opts
	read -ra opts <<< "${OPTS[$cfg]}"
	start_target "$cfg"
	[ -n "$SP" ] && opts+=(-p "$SP")
	[ "$cmd" = record ] && opts+=(-o "$T/r.json")
	: > "$T/err"
	"$TIME" -f %M -o "$T/rss" "$FP" "$cmd" "${opts[@]}" >/dev/null 2>"$T/err" &
	tp=$!; PIDS+=("$tp")
	for _ in $(seq 400); do
		grep -q attached "$T/err" && break
		kill -0 "$tp" 2>/dev/null || break
		sleep 0.025
	done
	grep -q attached "$T/err" || { echo "bench/lifecycle.sh: $cfg: no 'attached':" >&2; cat "$T/err" >&2; stop_target "$cfg"; kill -9 "$tp"; return 1; }
	sleep 0.2	# steady state: the reader loop running
	fp=$(pgrep -P "$tp" -x fastpath | head -1)
	[ -n "$fp" ] || { stop_target "$cfg"; kill -9 "$tp"; return 1; }
	t0=$EPOCHREALTIME
	kill -INT "$fp"
	wait "$tp"	# /usr/bin/time exits as soon as fastpath has
	t1=$EPOCHREALTIME
	stop_target "$cfg"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }' >> "$T/$cfg.exit"
	tail -1 "$T/rss" >> "$T/$cfg.rss"
}

median() { [ -s "$1" ] || { echo nan; return; }; sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for r in $(seq "$RUNS"); do
	for cfg in $(printf '%s\n' "${CFGS[@]}" | shuf); do
		run_one "$cfg" || echo "bench/lifecycle.sh: $cfg run failed (round $r)" >&2
	done
done

cat <<EOF
## Exit time and peak memory (\`bench/lifecycle.sh\`)

\`fastpath record -p\` (and \`top\`, \`serve\`) of an idle \`sleep\` (or of lefthook, Go 1.27, waiting for its hook's command;
or \`-a\`), $RUNS runs per configuration in random order: the time from SIGINT to the process's exit, and peak resident memory
(\`/usr/bin/time -f %M\`).

| configuration | exit ms (median) | exit ms (max) | peak RSS MB (max) | runs |
|---|---:|---:|---:|---:|
EOF
for cfg in "${CFGS[@]}"; do
	printf '| %s (`%s`) | %s | %s | %s | %d |\n' "${LABEL[$cfg]}" "${CMD[$cfg]:-record}${OPTS[$cfg]:+ ${OPTS[$cfg]}}${TARGET[$cfg]:+ -p PID}" \
		"$(median "$T/$cfg.exit")" "$(sort -g "$T/$cfg.exit" 2>/dev/null | tail -1)" \
		"$(awk -v k="$(sort -n "$T/$cfg.rss" 2>/dev/null | tail -1)" 'BEGIN { printf "%.1f", k / 1024 }')" \
		"$(cat "$T/$cfg.exit" 2>/dev/null | wc -l)"
	if [ -n "${BENCH_FIGURES:-}" ]; then
		echo "exit.$cfg $(median "$T/$cfg.exit")" >> "$BENCH_FIGURES"
		echo "rss.life.$cfg $(sort -n "$T/$cfg.rss" 2>/dev/null | tail -1)" >> "$BENCH_FIGURES"
	fi
done
