#!/usr/bin/env bash
# The targets of issue 13 as MET / NOT MET, from the figures one `make
# bench` run wrote (bench/run.sh passes BENCH_FIGURES to every script:
# "key value..." lines of medians).  Costs are differences against the floor
# of the same run (empty programs on tp_btf sys_enter/sys_exit) and ratios
# of the added cost to the floor's added cost, bpftrace and strace -c beside.
#   bench/targets.sh FIGURES
set -u
F=${1:?usage: bench/targets.sh FIGURES}
[ -r "$F" ] || { echo "bench/targets.sh: $F unreadable" >&2; exit 1; }
fig() { awk -v k="$1" -v i="${2:-2}" '$1 == k { v = $i } END { print (v == "" ? "nan" : v) }' "$F"; }
verdict() { [ "$1" = 1 ] && echo MET || echo "NOT MET"; }

# cost ROW MODE BARE FLOOR LIMIT: "+D ns over the floor (R× the floor)"
over() { # mode bare floor
	awk -v m="$(fig "ns.$1")" -v b="$(fig "ns.$2")" -v f="$(fig "ns.$3")" 'BEGIN {
		if (m == "nan" || f == "nan" || b == "nan") { print "nan nan"; exit }
		r = (f - b) > 0 ? (m - b) / (f - b) : 0
		printf "%+.0f %.1f\n", m - f, r }'
}
cost_row() { # label mode bare floor limit beside
	local d r ok
	read -r d r <<< "$(over "$2" "$3" "$4")"
	ok=$(awk -v d="$d" -v l="$5" 'BEGIN { print (d != "nan" && d <= l) }')
	echo "| $1 | ≤ floor + $5 ns | floor $(fig "ns.$4" | awk '{ printf "%.0f", $1 }') ns/call, this $(fig "ns.$2" | awk '{ printf "%.0f", $1 }') ns/call: **$d ns** over the floor, ${r}× the floor's added cost | $6 | $(verdict "$ok") |"
}
beside() { # mode bare floor label
	local d r
	[ "$(fig "ns.$1")" = nan ] && { echo "$4: not run"; return; }
	read -r d r <<< "$(over "$1" "$2" "$3")"
	echo "$4 $d ns, ${r}×"
}
ms_row() { # label limit value-key [beside]
	local v ok
	v=$(fig "$3")
	ok=$(awk -v v="$v" -v l="$2" 'BEGIN { print (v != "nan" && v <= l) }')
	echo "| $1 | ≤ $2 ms | $v ms (median) | ${4:-} | $(verdict "$ok") |"
}

# every mode bench/lifecycle.sh measured (a nan, not run, sorts first: a
# missing configuration is named below, never taken for a pass)
EXIT_CFGS="sys all exact exact_a exact_go parks waits waits_stacks profile stacks top serve_a"
exit_max=$(for c in $EXIT_CFGS; do echo "$c $(fig "exit.$c")"; done | sort -k2 -g | tail -1)
exit_nan=$(for c in $EXIT_CFGS; do [ "$(fig "exit.$c")" = nan ] && echo "$c"; done | paste -sd " ")
# the largest peak of every rss.* figure (bench/lifecycle.sh's every mode and
# the start-up runs), and which it is
read -r rss_max rss_max_key <<< "$(awk '$1 ~ /^rss\./ && $2 ~ /^[0-9]+$/ { if ($2 > m) { m = $2; k = $1 } } END { print m + 0, k }' "$F")"
rss_nan=$(for c in $EXIT_CFGS; do [ "$(fig "rss.life.$c")" = nan ] && echo "$c"; done | paste -sd " ")
lost_ok=$(awk '$1 ~ /^exact\.(stat|getppid|drops)$/ { n++; if ($2 != 1) bad = 1 } END { print (!bad && n == 3) }' "$F")

cat <<EOF
## Targets (issue 13), from the figures of this run

Medians of this run; "over the floor" = this configuration's ns/call minus the floor's (empty programs on
tp_btf sys_enter/sys_exit, \`build/bench/floor\`) on the same loop; "× the floor" = added cost over bare
divided by the floor's added cost over bare.

| target | goal | measured | beside | |
|---|---|---|---|---|
EOF
cost_row "syscall accounting with latency histograms (stat loop, \`--no-io --no-stat --alloc=off\`)" fastpath bare floor 100 \
	"$(beside bpftrace bare floor bpftrace), $(beside strace bare floor "strace -c -f") ($(fig strace_n) calls)"
cost_row "the default on a stat loop (paths on)" fastpath-all bare floor 250 ""
cost_row "the default on getppid" fastpath-all-g bare-g floor-g 120 ""
cost_row "untraced processes (fastpath on another, idle process)" fastpath-other bare floor 15 ""
ms_row "\`record -- CMD\` tracing from start, default" 50 start.all "syscall accounting only $(fig start.sys) ms; \`bpftrace -c\` $(fig start.bpftrace) ms"
echo "| peak RSS (\`/usr/bin/time -f %M\`), every configuration | ≤ 15 MB | $(awk -v k="$rss_max" 'BEGIN { printf "%.1f MB", k / 1024 }') (max, ${rss_max_key:-none})${rss_nan:+; not run: $rss_nan} | default $(awk -v k="$(fig rss.all)" 'BEGIN { printf "%.1f", k / 1024 }') MB, syscalls only $(awk -v k="$(fig rss.sys)" 'BEGIN { printf "%.1f", k / 1024 }') MB, --alloc=exact $(awk -v k="$(fig rss.life.exact)" 'BEGIN { printf "%.1f", k / 1024 }') MB | $(verdict "$(awk -v k="$rss_max" -v n="$rss_nan" 'BEGIN { print (k > 0 && k <= 15 * 1024 && n == "") }')") |"
echo "| exit, SIGINT to process exit, every mode | ≤ 200 ms | slowest ${exit_max% *}: ${exit_max#* } ms (median)${exit_nan:+; not run: $exit_nan} | syscalls only $(fig exit.sys) ms, default $(fig exit.all) ms, --alloc=exact $(fig exit.exact) ms, -a --alloc=exact $(fig exit.exact_a) ms, Go --alloc=exact $(fig exit.exact_go) ms, Go --parks $(fig exit.parks) ms | $(verdict "$(awk -v v="${exit_max#* }" -v n="$exit_nan" 'BEGIN { print (v != "nan" && v <= 200 && n == "") }')") |"
echo "| zero lost events (exact counts, no drops) | every run | newfstatat $(fig exact.stat 3) runs exact, getppid $(fig exact.getppid 3) runs exact, drops $(fig exact.drops 3) runs 0 | untraced process: $(fig exact.untraced 3) runs counted 0 | $(verdict "$lost_ok") |"
