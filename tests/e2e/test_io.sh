# End-to-end: the data path (issue 3): copy versus zero-copy per fd kind,
# and the sendfile-lost finding.

# io_cell JSON COMM FAMILY SYSCALL BY_FD_KEY calls|bytes: one exact cell
io_cell() {
	jq -r --arg c "$2" --arg f "$3" --arg s "$4" --arg k "$5" --arg x "$6" \
		'[.processes[] | select(.comm == $c) | .io[$f].syscalls[$s].by_fd[$k][$x] // 0] | add // 0' "$1"
}
# io_get JSON COMM JQ-PATH-UNDER-.io
io_get() { jq -r --arg c "$2" "[.processes[] | select(.comm == \$c) | .io$3 // 0] | add // 0" "$1"; }
findings_of() { jq -r --arg c "$2" '[.processes[] | select(.comm == $c) | .findings[].kind] | join(",")' "$1"; }
# kv FILE KEY: a key=value line of a workload's output
kv() { sed -n "s/^$2=//p" "$1"; }

IO_FILE_SIZE=$((1 << 20))
IO_TRANSFERS=4
IO_CHUNK=32768

io_make_file() { head -c "$1" /dev/urandom > "$2"; }

# Record `filesend ARGS...` into $TMP/$1.json, its own output in $TMP/$1.out.
io_filesend() {
	local name=$1
	shift
	fp_run record -q -o "$TMP/$name.json" -- "$W/filesend" "$@" > "$TMP/$name.out"
	assert_eq "$(jqr "$TMP/$name.json" '.dropped | length')" 0 "nothing dropped ($name)"
}

# cell of run $1 minus the same cell of the zero-transfer baseline run
io_delta() {
	echo $(( $(io_cell "$TMP/$1.json" filesend "$2" "$3" "$4" "$5") - \
		 $(io_cell "$TMP/base.json" filesend "$2" "$3" "$4" "$5") ))
}

test_io_filesend_exact() {
	local f=$TMP/data total=$((IO_FILE_SIZE * IO_TRANSFERS))
	local per=$((IO_FILE_SIZE / IO_CHUNK + 1))	# reads/sendfiles per transfer, EOF included
	io_make_file "$IO_FILE_SIZE" "$f"
	# The baseline makes the same setup calls (and the loader's reads) but
	# no transfer: the differences are exactly the transfers.
	io_filesend base rw "$f" 0 "$IO_CHUNK"
	for m in rw sendfile splice; do
		io_filesend "$m" "$m" "$f" "$IO_TRANSFERS" "$IO_CHUNK"
		assert_eq "$(kv "$TMP/$m.out" received)" "$total" "$m: the receiver got every byte"
		# the receiving thread's reads from the TCP socket: every byte, exactly
		assert_eq "$(io_delta "$m" copy_in read socket:tcp bytes)" "$total" "$m: socket reads bytes"
	done
	# read + write: file reads and socket writes, as the workload counted them
	assert_eq "$(kv "$TMP/rw.out" file_reads)" $((per * IO_TRANSFERS)) "rw: workload's own read count"
	assert_eq "$(io_delta rw copy_in read file calls)" "$(kv "$TMP/rw.out" file_reads)" "rw: file reads"
	assert_eq "$(io_delta rw copy_in read file bytes)" "$total" "rw: file read bytes"
	assert_eq "$(io_delta rw copy_out write socket:tcp calls)" "$(kv "$TMP/rw.out" sock_writes)" "rw: socket writes"
	assert_eq "$(io_delta rw copy_out write socket:tcp bytes)" "$total" "rw: socket write bytes"
	assert_eq "$(io_get "$TMP/rw.json" filesend .zero_copy.calls)" 0 "rw: no zero-copy calls"
	assert_eq "$(io_get "$TMP/rw.json" filesend .zero_copy_ratio)" 0 "rw: zero-copy ratio"
	# sendfile: file -> socket, no copies of the file
	assert_eq "$(io_delta sendfile zero_copy sendfile file-\>socket:tcp calls)" $((per * IO_TRANSFERS)) "sendfile calls"
	assert_eq "$(io_delta sendfile zero_copy sendfile file-\>socket:tcp bytes)" "$total" "sendfile bytes"
	assert_eq "$(io_get "$TMP/sendfile.json" filesend '.zero_copy.by_fd["file->socket"]')" "$total" "sendfile: coarse pair"
	assert_eq "$(io_get "$TMP/sendfile.json" filesend '.zero_copy.by_socket.tcp')" "$total" "sendfile: TCP detail"
	assert_eq "$(io_delta sendfile copy_out write socket:tcp calls)" 0 "sendfile: no socket writes"
	# not exactly 1: the workload's report to its stdout file is a copy
	assert_eq "$(jqr "$TMP/sendfile.json" '.processes[0].io.zero_copy_ratio > 0.9999')" true "sendfile: zero-copy ratio"
	# splice: file -> pipe -> socket
	assert_eq "$(io_delta splice zero_copy splice file-\>pipe calls)" "$(kv "$TMP/splice.out" splices_in)" "splice in calls"
	assert_eq "$(io_delta splice zero_copy splice file-\>pipe bytes)" "$total" "splice in bytes"
	assert_eq "$(io_delta splice zero_copy splice pipe-\>socket:tcp calls)" "$(kv "$TMP/splice.out" splices_out)" "splice out calls"
	assert_eq "$(io_delta splice zero_copy splice pipe-\>socket:tcp bytes)" "$total" "splice out bytes"
	# the finding: only for read + write
	assert_eq "$(findings_of "$TMP/rw.json" filesend)" "sendfile-lost" "rw: sendfile-lost"
	assert_eq "$(findings_of "$TMP/sendfile.json" filesend)" "" "sendfile: no finding"
	assert_eq "$(findings_of "$TMP/splice.json" filesend)" "" "splice: no finding"
	assert_eq "$(findings_of "$TMP/base.json" filesend)" "" "baseline: no finding"
	assert_contains "$(jqr "$TMP/rw.json" '.processes[].findings[].summary')" "4.0 MiB" "summary names the volume"
	assert_contains "$(jqr "$TMP/rw.json" '.processes[].findings[].summary')" "$(kv "$TMP/rw.out" sock_writes) writes" "summary names the calls"
	assert_contains "$(jqr "$TMP/rw.json" '.processes[].findings[].detail')" "p50 32.0 KiB" "detail names the chunk size"
	assert_eq "$(io_get "$TMP/rw.json" filesend '.copy_in.size_bytes_by_fd.file.p50')" "$IO_CHUNK" "file read size p50"
}

test_io_unix_socket_kind() {
	local f=$TMP/data total=$((IO_FILE_SIZE * 2))
	io_make_file "$IO_FILE_SIZE" "$f"
	io_filesend unix -u sendfile "$f" 2 65536
	assert_eq "$(io_cell "$TMP/unix.json" filesend zero_copy sendfile file-\>socket:unix bytes)" "$total" "sendfile to a Unix socket"
	assert_eq "$(io_cell "$TMP/unix.json" filesend copy_in read socket:unix bytes)" "$total" "reads from a Unix socket"
	assert_eq "$(io_get "$TMP/unix.json" filesend '.zero_copy.by_socket.unix')" "$total" "Unix detail"
}

# Go's io.Copy: sendfile with an *os.File, a copy loop behind a wrapper.
test_io_go_io_copy() {
	local f=$TMP/data size=$((4 << 20)) n=4 total
	total=$((size * n))
	io_make_file "$size" "$f"
	for m in direct wrapped; do
		fp_run record -q -o "$TMP/$m.json" -- "$W/go-fileserve" -mode "$m" -file "$f" -n "$n" > "$TMP/$m.out"
		assert_eq "$(kv "$TMP/$m.out" received)" "$total" "$m: client received every byte"
		assert_eq "$(io_get "$TMP/$m.json" go-fileserve '.copy_in.by_socket.tcp')" "$total" "$m: client socket reads"
	done
	assert_eq "$(io_get "$TMP/direct.json" go-fileserve .zero_copy.bytes)" "$total" "direct: zero-copy bytes = size x transfers"
	assert_eq "$(io_get "$TMP/direct.json" go-fileserve '.zero_copy.syscalls.sendfile.by_fd["file->socket:tcp"].bytes')" "$total" "direct: by sendfile"
	assert_eq "$(io_get "$TMP/direct.json" go-fileserve '.copy_out.by_fd.socket')" 0 "direct: no socket writes"
	assert_eq "$(findings_of "$TMP/direct.json" go-fileserve)" "" "direct: no finding"
	assert_eq "$(io_get "$TMP/wrapped.json" go-fileserve .zero_copy.bytes)" 0 "wrapped: no zero-copy"
	assert_eq "$(io_get "$TMP/wrapped.json" go-fileserve '.copy_out.by_fd.socket')" "$total" "wrapped: socket writes"
	# the Go runtime reads a few small sysfs/proc files at start: < 64 KiB
	assert_ge "$(io_get "$TMP/wrapped.json" go-fileserve '.copy_in.by_fd.file')" "$total" "wrapped: file reads"
	assert_le "$(io_get "$TMP/wrapped.json" go-fileserve '.copy_in.by_fd.file')" $((total + 65536)) "wrapped: file reads"
	assert_eq "$(findings_of "$TMP/wrapped.json" go-fileserve)" "sendfile-lost" "wrapped: sendfile-lost"
	assert_contains "$(jqr "$TMP/wrapped.json" '.processes[].findings[].detail')" "Go's io.Copy" "detail names the cause"
	assert_eq "$(io_get "$TMP/wrapped.json" go-fileserve '.copy_in.size_bytes_by_fd.file.p50')" 32768 "wrapped: 32 KiB reads"
}

# Per round of iomix: family syscall by_fd-key calls bytes (see its header).
IOMIX_ROUND='copy_in pread64 file 1 4096
copy_in read chardev 1 4096
copy_out write chardev 1 4096
copy_out write pipe 1 1000
copy_in read pipe 3 2024
copy_out writev socket:unix 1 1000
copy_in readv socket:unix 1 1000
copy_out sendto socket:udp 1 700
copy_in recvfrom socket:udp 1 700
copy_out sendmsg socket:unix 1 300
copy_in recvmsg socket:unix 1 300
copy_out sendmmsg socket:unix 1 600
copy_in recvmmsg socket:unix 1 600
zero_copy sendfile file->socket:unix 1 8192
copy_in read socket:unix 2 12288
zero_copy splice file->pipe 1 4096
zero_copy splice pipe->socket:unix 1 4096
zero_copy vmsplice memory->pipe 1 512
zero_copy tee pipe->pipe 1 512
zero_copy copy_file_range file->file 1 4096
copy_out write other 1 8
copy_in read other 1 8
copy_out pwrite64 file 1 100
copy_out pwritev file 1 200
copy_out pwritev2 file 1 200
copy_in preadv file 1 200
copy_in preadv2 file 1 200'

test_io_mixed_exact_and_strace() {
	local f=$TMP/data rounds=50 fam sc key calls bytes got base
	io_make_file 65536 "$f"
	fp_run record -q -o "$TMP/m0.json" -- "$W/iomix" "$f" 0
	fp_run record -q -o "$TMP/m.json" -- "$W/iomix" "$f" "$rounds"
	while read -r fam sc key calls bytes; do
		for x in calls bytes; do
			got=$(io_cell "$TMP/m.json" iomix "$fam" "$sc" "$key" "$x")
			base=$(io_cell "$TMP/m0.json" iomix "$fam" "$sc" "$key" "$x")
			want=$(( ${!x} * rounds ))
			assert_eq $((got - base)) "$want" "$sc $key $x over $rounds rounds"
		done
	done <<< "$IOMIX_ROUND"
	# every call count agrees with strace -c -f: all syscalls, and the data
	# path's own per-syscall counts
	strace_counts "$W/iomix" "$f" "$rounds" | awk '{ print $1, $2 }' | sort > "$TMP/strace.txt"
	jq -r '.processes[] | select(.comm=="iomix") | .syscalls | to_entries[] | "\(.key) \(.value.calls)"' "$TMP/m.json" | sort > "$TMP/fp.txt"
	diff "$TMP/strace.txt" "$TMP/fp.txt" >&2 || fail "syscall counts differ from strace -c -f (< strace, > fastpath)"
	jq -r '.processes[] | select(.comm=="iomix") | .io | (.copy_in, .copy_out, .zero_copy) | .syscalls | to_entries[] | "\(.key) \(.value.calls)"' "$TMP/m.json" | sort > "$TMP/fpio.txt"
	join "$TMP/strace.txt" "$TMP/fpio.txt" | awk '$2 != $3 { print; bad = 1 } END { exit bad }' >&2 ||
		fail "data-path call counts differ from strace -c -f (syscall strace fastpath)"
	assert_eq "$(wc -l < "$TMP/fpio.txt")" 21 "all 21 data-path syscalls seen"
}

test_io_text_and_no_io() {
	local f=$TMP/data
	io_make_file "$IO_FILE_SIZE" "$f"
	fp_run record -q -- "$W/filesend" rw "$f" 2 > "$TMP/out.txt"
	assert_contains "$TMP/out.txt" "data path" "data-path summary in the text"
	grep -Eq '^copy-out +[0-9]+ +2\.0 MiB +.*socket 2\.0 MiB \(tcp 2\.0 MiB\)$' "$TMP/out.txt" || fail "copy-out line with 2.0 MiB to TCP sockets"
	assert_contains "$TMP/out.txt" "[warning] sendfile-lost: 2.0 MiB" "finding in the text"
	fp_run record -q --no-io -o "$TMP/n.json" -- "$W/filesend" rw "$f" 2 > /dev/null
	assert_eq "$(jqr "$TMP/n.json" '[.processes[] | select(has("io"))] | length')" 0 "--no-io: no io section"
	assert_ge "$(jqr "$TMP/n.json" '[.processes[].syscalls.read.calls // 0] | add')" 1 "--no-io: syscalls still counted"
}
