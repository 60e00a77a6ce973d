#!/usr/bin/env bash
# Data-path overhead (issue 3): a copy-heavy workload, read(2) from a file and
# write(2) to a loopback TCP socket in 32 KiB chunks, 1 GiB in all (a 64 MiB
# file sent 16 times; a thread drains the socket), run bare, under
# `fastpath record` with and without the data-path probes, and under a
# bpftrace script counting the same (calls and bytes of the data-path
# syscalls) when bpftrace can attach here.  hyperfine runs each; the table
# gives medians and ratios to bare.  Includes each tracer's start-up, which
# a row of its own measures (`record -- true`).
#   bench/io.sh [--quick]     (from the repo root, after `make all workloads`)
# Prints markdown on stdout; progress and hyperfine's own output on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${FP_BENCH_RUNS:-7}
mib=${FP_BENCH_MIB:-1024}
if [ "${1:-}" = "--quick" ]; then
	runs=3
	mib=128
fi
file_mib=64
transfers=$((mib / file_mib))
chunk=32768
FP=./fastpath
WL=build/workloads/filesend

for need in "$FP" "$WL"; do
	[ -x "$need" ] || { echo "bench/io.sh: $need missing: run 'make all workloads' first" >&2; exit 1; }
done
command -v hyperfine >/dev/null || { echo "bench/io.sh: hyperfine missing: apt-get install hyperfine" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench/io.sh: needs root (BPF)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/fastpath-bench-io.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
head -c $((file_mib << 20)) /dev/urandom > "$tmp/data"
work="$WL rw $tmp/data $transfers $chunk"

# The bpftrace equivalent: calls and bytes of the 21 data-path syscalls of
# the command, per syscall (no fd kinds: that would need the fd table walk).
cat > "$tmp/io.bt" <<'EOF'
tracepoint:raw_syscalls:sys_enter /pid == cpid/ {
	$n = args->id;
	if ($n == 0 || $n == 1 || ($n >= 17 && $n <= 20) || $n == 40 || ($n >= 44 && $n <= 47) ||
	    $n == 275 || $n == 276 || $n == 278 || $n == 295 || $n == 296 || $n == 299 ||
	    $n == 307 || ($n >= 326 && $n <= 328)) {
		@nr[tid] = $n + 1;
	}
}
tracepoint:raw_syscalls:sys_exit /@nr[tid]/ {
	$n = @nr[tid] - 1;
	@calls[$n] = count();
	if (args->ret >= 0) { @bytes[$n] = sum(args->ret); }
	delete(@nr[tid]);
}
EOF
# bpftrace 0.17 reads tracepoint formats from tracefs, which this machine
# does not mount: it runs in a mount namespace of its own with tracefs.
printf '%s\n' '#!/bin/sh' \
	"exec unshare -m sh -c 'mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; exec bpftrace \"\$0\" -c \"\$1\"' \"\$@\"" \
	> "$tmp/bt-run"
chmod +x "$tmp/bt-run"
bt_cmd=""
bt_note="bpftrace not installed"
if command -v bpftrace >/dev/null; then
	if err=$(timeout 60 "$tmp/bt-run" "$tmp/io.bt" /bin/true 2>&1 >/dev/null); then
		bt_cmd="$tmp/bt-run $tmp/io.bt '$work'"
	else
		bt_note="bpftrace $(bpftrace --version | awk '{print $2}') cannot attach here: $(printf '%s\n' "$err" | grep -v RLIMIT_MEMLOCK | grep -m1 -E 'ERROR|FATAL' | sed 's/^[^ ]*: ERROR: //')"
	fi
fi

names=(bare "fastpath record (syscalls + data path)" "fastpath record --no-io (syscalls only)"
       "fastpath record -- true (start-up only)")
cmds=("$work"
      "$FP record -q -o $tmp/r.json -- $work"
      "$FP record -q --no-io -o $tmp/r.json -- $work"
      "$FP record -q -o $tmp/r.json -- true")
if [ -n "$bt_cmd" ]; then
	names+=("bpftrace, same counts")
	cmds+=("$bt_cmd")
fi

echo "bench/io.sh: $mib MiB read+write in 32 KiB chunks, $runs runs each" >&2
# -N: no intermediate shell, so nothing but the command is timed.
hyperfine -N --warmup 1 --runs "$runs" --export-json "$tmp/h.json" "${cmds[@]}" >&2

# Check the traced run really counted the transfer, so the figures are not
# those of a tracer that saw nothing.
"$FP" record -q -o "$tmp/check.json" -- $work > /dev/null
got=$(jq '[.processes[].io.copy_out.by_fd.socket // 0] | add' "$tmp/check.json")
[ "$got" -eq $((mib << 20)) ] || { echo "bench/io.sh: fastpath counted $got socket bytes, expected $((mib << 20))" >&2; exit 1; }

echo "## Data path: read+write $mib MiB in 32 KiB chunks (bench/io.sh)"
echo
echo "\`$WL rw FILE $transfers $chunk\`: $((mib * 1024 / 32)) reads of a $file_mib MiB file and as many"
echo "writes to loopback TCP, plus the receiving thread's reads; $runs runs each (hyperfine). CPU time"
echo "(the process tree's, tracer included) is steadier than wall time on a busy machine: the"
echo "probes run in the traced syscalls and are charged to them."
echo
echo "| run | median wall (s) | ratio to bare | CPU user+sys (s, mean) | ratio to bare |"
echo "|---|---:|---:|---:|---:|"
jq -r --argjson n "$(printf '%s\n' "${names[@]}" | jq -R . | jq -s .)" '
	def r3: . * 1000 | round / 1000;
	def r2: . * 100 | round / 100;
	.results as $r | ($r[0].median) as $bare | ($r[0].user + $r[0].system) as $bcpu |
	range(0; $r | length) as $i | ($r[$i].user + $r[$i].system) as $cpu |
	"| \($n[$i]) | \($r[$i].median | r3) | \($r[$i].median / $bare | r2) | \($cpu | r3) | \($cpu / $bcpu | r2) |"' "$tmp/h.json"
if [ -z "$bt_cmd" ]; then
	echo "| bpftrace, same counts | n/a | n/a | n/a | n/a |"
	echo
	echo "bpftrace: $bt_note."
fi
