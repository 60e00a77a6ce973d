# End-to-end: `make install` / `make uninstall`, the man pages, --version and
# `help COMMAND` (issue 14).  Nothing here loads BPF; it runs with the others
# because it installs the real build.

INSTALL_CMDS="record top report diff serve check"

# install_tree DIR [MAKE ARGS...]: make install into DESTDIR=DIR.
install_tree() {
	local d=$1
	shift
	rm -rf "$d"
	make -s -C "$TOP" install DESTDIR="$d" "$@" >"$TMP/install.log" 2>&1 ||
		{ cat "$TMP/install.log" >&2; fail "make install DESTDIR=$d $* failed"; }
}

# Every file and symlink under DIR, relative, sorted.
install_files() { (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort); }

# The options a man page documents in its TARGETS and OPTIONS sections: the
# tag line after each .TP, "\-x" and "\-\-long" with the argument's name
# (PID, TIME, FILE, ...) when it takes one.  Prints "OPTION ARGNAME" lines.
man_options() {
	awk '
	/^\.SH / { sect = $2 }
	sect != "OPTIONS" && sect != "TARGETS" { next }
	/^\.TP/ { tag = 1; next }
	tag {
		tag = 0
		line = $0
		gsub(/\\f[BIRP]/, "", line); gsub(/"/, "", line); gsub(/\\-/, "-", line)
		sub(/^\.[A-Z]+ /, "", line)
		arg = ""
		if (match(line, /[A-Z][A-Z_]+/)) arg = substr(line, RSTART, RLENGTH)
		# a literal value ("--waits [=stacks]"): the value itself
		else if (match(line, /=[a-z]+/)) arg = substr(line, RSTART + 1, RLENGTH - 1)
		n = split(line, w, /[ ,=]+/)
		for (i = 1; i <= n; i++)
			if (w[i] ~ /^(-[a-zA-Z]|--[a-z][a-z-]*)$/) print w[i], arg, (line ~ /=/ ? "=" : " ")
	}' "$1"
}

# A well-formed value for an option's argument, so that the parser accepts it.
option_value() {
	case $1 in
	[a-z]*) echo "$1" ;;	# a literal value, as the page spells it
	PID) echo 1 ;;
	TIME) echo 1s ;;
	FILE) echo "$TMP/opt.out" ;;
	NAME) echo x ;;
	ID) echo x ;;
	DIR) echo /sys/fs/cgroup ;;
	MODE) echo sampled ;;
	ADDR) echo 127.0.0.1:0 ;;
	COUNT) echo 1 ;;
	FORMAT) echo text ;;
	HZ) echo 99 ;;
	*) return 1 ;;
	esac
}

test_install_layout() {
	local d=$TMP/inst
	install_tree "$d" PREFIX=/usr
	{
		echo usr/sbin/fastpath
		for c in "" $INSTALL_CMDS; do echo "usr/share/man/man8/fastpath${c:+-$c}.8"; done
		echo usr/share/bash-completion/completions/fastpath
		echo usr/lib/systemd/system/fastpath-serve.service
		echo usr/share/fastpath/prometheus.yml
		echo usr/share/fastpath/grafana-dashboard.json
		echo usr/share/fastpath/fastpath-daemonset.yaml
		echo usr/share/doc/fastpath/README.md
		for f in docs/*.md; do echo "usr/share/doc/fastpath/${f#docs/}"; done
	} | sort > "$TMP/inst.expected"
	install_files "$d" > "$TMP/inst.got"
	diff -u "$TMP/inst.expected" "$TMP/inst.got" || fail "installed tree differs from the expected one"
	assert_eq "$(stat -c %a "$d/usr/sbin/fastpath")" 755 "binary mode"
	assert_eq "$(find "$d" -type f ! -path '*/sbin/*' ! -perm 0644 | wc -l)" 0 "data files not 0644"
	# the installed binary is this build
	assert_eq "$("$d/usr/sbin/fastpath" --version)" "$("$FP" --version)" "installed --version"
	# paths in the unit and the pages are the prefix's, not the default's
	assert_contains "$d/usr/lib/systemd/system/fastpath-serve.service" \
		"ExecStart=/usr/sbin/fastpath serve -a --listen 127.0.0.1:9464" "unit's ExecStart"
	! grep -l /usr/local "$d"/usr/share/man/man8/* "$d"/usr/lib/systemd/system/* ||
		fail "a page or the unit still names /usr/local after PREFIX=/usr"
	assert_contains "$d/usr/share/man/man8/fastpath-serve.8" ".I /usr/share/fastpath/" "FILES of the prefix"
	# every other prefix and directory variable is followed too
	install_tree "$TMP/inst2" PREFIX=/opt/fp SYSTEMDUNITDIR=/etc/systemd/system
	assert_contains "$TMP/inst2/etc/systemd/system/fastpath-serve.service" \
		"ExecStart=/opt/fp/sbin/fastpath serve" "unit's ExecStart under /opt/fp"
	[ -x "$TMP/inst2/opt/fp/sbin/fastpath" ] || fail "no /opt/fp/sbin/fastpath"
	assert_contains "$TMP/inst2/opt/fp/share/man/man8/fastpath.8" ".I /etc/systemd/system/" "unit dir in fastpath(8)"
}

test_install_uninstall() {
	local d=$TMP/uninst
	install_tree "$d" PREFIX=/usr
	assert_ge "$(install_files "$d" | wc -l)" 12 "files installed"
	# a file of someone else's in a shared directory must survive
	echo keep > "$d/usr/share/man/man8/other.8"
	make -s -C "$TOP" uninstall DESTDIR="$d" PREFIX=/usr >"$TMP/uninstall.log" 2>&1 ||
		{ cat "$TMP/uninstall.log" >&2; fail "make uninstall failed"; }
	assert_eq "$(install_files "$d")" "usr/share/man/man8/other.8" "files left after uninstall"
	[ ! -e "$d/usr/share/fastpath" ] || fail "usr/share/fastpath left behind"
	[ ! -e "$d/usr/share/doc/fastpath" ] || fail "usr/share/doc/fastpath left behind"
	# twice is harmless
	make -s -C "$TOP" uninstall DESTDIR="$d" PREFIX=/usr >/dev/null 2>&1 || fail "second uninstall failed"
}

test_install_man_pages() {
	local d=$TMP/man p name err base
	install_tree "$d" PREFIX=/usr
	base=$("$FP" --version | sed -n 's/^fastpath \([0-9][0-9.]*\).*/\1/p')
	[ -n "$base" ] || fail "no version number in '$("$FP" --version)'"
	for c in "" $INSTALL_CMDS; do
		name=fastpath${c:+-$c}
		p=$d/usr/share/man/man8/$name.8
		for w in 80 60; do
			MANWIDTH=$w man --warnings -l "$p" >"$TMP/man.out" 2>"$TMP/man.err" || fail "man -l $name.8 failed"
			[ ! -s "$TMP/man.err" ] || { cat "$TMP/man.err" >&2; fail "$name.8 at $w columns: warnings"; }
		done
		grep -q '^NAME' "$TMP/man.out" || fail "$name.8 renders no NAME"
		grep -q '^SYNOPSIS' "$TMP/man.out" || fail "$name.8 renders no SYNOPSIS"
		lexgrog "$p" > "$TMP/lexgrog.out" || fail "lexgrog cannot parse $name.8"
		assert_contains "$TMP/lexgrog.out" "\"$name - " "lexgrog's whatis for $name"
		# found by name once the tree is in MANPATH, as man(1) looks pages up
		assert_eq "$(MANPATH=$d/usr/share/man man -w "$name")" "$p" "man -w $name"
		# the page's version is the binary's
		grep -q "^\.TH [^ ]* 8 [0-9-]* \"fastpath $base\"" "$p" || fail "$name.8: .TH is not fastpath $base"
	done
	# every command has a page and every page a command
	"$FP" --help | awk '/^commands:/ { on = 1; next } on && !NF { exit } on { print $1 }' | sort > "$TMP/cmds"
	assert_eq "$(tr ' ' '\n' <<<"$INSTALL_CMDS" | sort | tr '\n' ' ')" "$(tr '\n' ' ' < "$TMP/cmds")" \
		"commands in --help versus pages"
}

test_install_help_version() {
	local c
	"$FP" --version | grep -Eqx 'fastpath [0-9]+\.[0-9]+\.[0-9]+(\+g[0-9a-f]+(-dirty)?)?' ||
		fail "--version: '$("$FP" --version)'"
	assert_eq "$("$FP" -V)" "$("$FP" --version)" "-V"
	for c in $INSTALL_CMDS; do
		"$FP" help "$c" > "$TMP/help.out" || fail "fastpath help $c: exit $?"
		"$FP" "$c" --help > "$TMP/help2.out" || fail "fastpath $c --help: exit $?"
		cmp -s "$TMP/help.out" "$TMP/help2.out" || fail "help $c differs from $c --help"
		grep -q "^usage: fastpath $c" "$TMP/help.out" || fail "help $c: no usage line"
	done
	"$FP" help > "$TMP/help.out" || fail "fastpath help: exit $?"
	assert_contains "$TMP/help.out" "commands:" "fastpath help"
	local rc=0
	"$FP" help nosuch > "$TMP/help.out" 2> "$TMP/help.err" || rc=$?
	assert_eq "$rc" 2 "help of an unknown command: exit"
	assert_eq "$(wc -l < "$TMP/help.err")" 1 "one error line"
	assert_contains "$TMP/help.err" "unknown command 'nosuch'" "error names it"
	[ ! -s "$TMP/help.out" ] || fail "help of an unknown command printed on stdout"
}

# Each option a page documents is one its command accepts: given a
# well-formed value, `fastpath CMD OPT [VALUE] --help` reaches --help.
test_install_man_options_accepted() {
	local c opt arg eq v n=0 rc
	for c in $INSTALL_CMDS; do
		while read -r opt arg eq; do
			set -- "$opt"
			if [ -n "$arg" ]; then
				v=$(option_value "$arg") || fail "fastpath-$c.8: $opt: unknown argument name '$arg'"
				if [ "$eq" = "=" ]; then set -- "$opt=$v"; else set -- "$opt" "$v"; fi
			fi
			rc=0
			"$FP" "$c" "$@" --help > "$TMP/opt.help" 2> "$TMP/opt.err" || rc=$?
			[ "$rc" = 0 ] || { cat "$TMP/opt.err" >&2; fail "fastpath $c $*: exit $rc, documented in fastpath-$c.8"; }
			n=$((n + 1))
		done < <(man_options "man/fastpath-$c.8")
	done
	assert_ge "$n" 60 "documented options tried"
}

# ---- bash completion --------------------------------------------------------
# complete_line [--with-bash-completion] LINE: what bash offers at the end of
# LINE (a trailing space starts a new, empty word), one per line.  A fresh
# non-interactive bash sources the installed file, fills COMP_WORDS and
# COMP_CWORD as readline would (bash splits "--opt=v" at "="), and calls the
# function `complete -p fastpath` names.
complete_line() {
	local pre=:
	if [ "$1" = --with-bash-completion ]; then
		pre=". /usr/share/bash-completion/bash_completion"
		shift
	fi
	COMPFILE=$INSTALL_COMPLETION LINE=$1 bash --norc --noprofile -c "$pre"'
		. "$COMPFILE" || exit 1
		fn=$(complete -p fastpath | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		[ -n "$fn" ] || { echo "no completion function for fastpath" >&2; exit 1; }
		COMP_LINE=$LINE COMP_POINT=${#LINE}
		read -ra COMP_WORDS <<< "${LINE//=/ = }"
		[[ $LINE == *" " || $LINE == *= ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		"$fn" fastpath "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"'
}

# The options the completion offers for CMD, sorted ("--alloc=" as "--alloc").
complete_options() { complete_line "fastpath $1 -" | sed 's/=$//' | sort; }

install_completion_tree() {
	install_tree "$TMP/comp" PREFIX=/usr
	INSTALL_COMPLETION=$TMP/comp/usr/share/bash-completion/completions/fastpath
	[ -f "$INSTALL_COMPLETION" ] || fail "no completion installed at $INSTALL_COMPLETION"
}

test_install_completion_words() {
	install_completion_tree
	assert_eq "$(complete_line "fastpath " | sort | tr '\n' ' ')" \
		"--help --version check diff help record report serve top " "commands"
	assert_eq "$(complete_line "fastpath re" | sort | tr '\n' ' ')" "record report " "commands by prefix"
	assert_eq "$(complete_line "fastpath help t" | tr '\n' ' ')" "top " "help COMMAND"
	assert_eq "$(complete_line "fastpath record --no-p" | tr '\n' ' ')" "--no-paths " "an option by prefix"
	assert_eq "$(complete_line "fastpath report --format " | tr '\n' ' ')" "text html csv prom folded pprof " "report formats"
	assert_eq "$(complete_line "fastpath diff --format " | tr '\n' ' ')" "text html " "diff formats"
	assert_eq "$(complete_line "fastpath record --alloc=" | tr '\n' ' ')" "sampled exact off " "--alloc= modes"
	assert_eq "$(complete_line "fastpath top --alloc=ex" | tr '\n' ' ')" "exact " "--alloc=ex"
	assert_eq "$(complete_line "fastpath serve --alloc o" | tr '\n' ' ')" "off " "--alloc MODE"
}

test_install_completion_pids_comms() {
	install_completion_tree
	"$W/ticker" 1 30 > /dev/null &
	local pid=$! got
	echo "$pid" >> "$FP_PIDS_FILE"
	sleep 0.2
	got=$(complete_line "fastpath record -p ")
	grep -qx "$pid" <<< "$got" || fail "-p: pid $pid not offered"
	grep -qx 1 <<< "$got" || fail "-p: pid 1 not offered"
	! grep -qv '^[0-9]*$' <<< "$got" || fail "-p: something else than PIDs offered"
	grep -qx "$pid" <<< "$(complete_line "fastpath top --pid ${pid:0:2}")" || fail "--pid by prefix"
	! grep -qvx "[0-9]*" <<< "$(complete_line "fastpath top --pid ${pid:0:2}" | grep -v "^${pid:0:2}")" ||
		fail "--pid ${pid:0:2}: PIDs that do not start with it"
	grep -qx "1,$pid" <<< "$(complete_line "fastpath record -p 1,$pid")" || fail "the last PID of a list"
	got=$(complete_line "fastpath record -c tick")
	assert_eq "$got" ticker "-c: the command name of a running process"
	assert_eq "$(complete_line "fastpath serve --comm " | sort | uniq -d)" "" "-c: each name once"
	kill "$pid"; wait "$pid" 2>/dev/null || true
}

test_install_completion_files() {
	install_completion_tree
	local d=$TMP/cfiles
	mkdir -p "$d/sub dir"
	: > "$d/a.json"; : > "$d/b.txt"; : > "$d/c d.json"
	assert_eq "$(complete_line "fastpath report $d/" | sort | tr '\n' '|')" "$d/a.json|$d/c d.json|$d/sub dir|" \
		"report: recordings and directories"
	assert_eq "$(complete_line "fastpath diff $d/a.json $d/" | sort | tr '\n' '|')" "$d/a.json|$d/c d.json|$d/sub dir|" \
		"diff: the second recording"
	assert_eq "$(complete_line "fastpath record -o $d/" | sort | tr '\n' '|')" "$d/a.json|$d/b.txt|$d/c d.json|$d/sub dir|" \
		"-o: any file"
	assert_eq "$(complete_line "fastpath report --output $d/b" | tr '\n' '|')" "$d/b.txt|" "--output by prefix"
	assert_eq "$(complete_line "fastpath record --folded $d/b" | tr '\n' '|')" "$d/b.txt|" "--folded FILE"
	assert_contains "$(complete_line "fastpath record -G /sys/fs/cg")" /sys/fs/cgroup "-G: directories"
	# after --: a command, then (without bash-completion) files
	assert_contains "$(complete_line "fastpath record -- bas")" bash "the command after --"
	assert_eq "$(complete_line "fastpath record -p 1 -- cat $d/b" | tr '\n' '|')" "$d/b.txt|" "its arguments"
	if [ -f /usr/share/bash-completion/bash_completion ]; then
		# with the bash-completion package, the command's own completion
		assert_eq "$(complete_line --with-bash-completion "fastpath record -- cat $d/b" | tr '\n' '|')" \
			"$d/b.txt|" "arguments through _command_offset"
		assert_contains "$(complete_line --with-bash-completion "fastpath top -- bas")" bash "command with bash-completion"
	fi
}

# The completion offers each command exactly the options its page documents
# (which test_install_man_options_accepted ties to the binary).
test_install_completion_matches_man() {
	install_completion_tree
	local c
	for c in $INSTALL_CMDS; do
		man_options "man/fastpath-$c.8" | awk '{ print $1 }' | sort > "$TMP/man.opts"
		complete_options "$c" > "$TMP/comp.opts"
		diff -u "$TMP/man.opts" "$TMP/comp.opts" > "$TMP/opts.diff" ||
			{ cat "$TMP/opts.diff" >&2; fail "$c: completion and fastpath-$c.8 differ"; }
	done
}

# ---- contrib: the Kubernetes DaemonSet ----------------------------------------
# No kubeconform in Debian 12: manifest_check.py parses it (python3-yaml) and
# asserts the pod's privileges, mounts and listen address; the container's
# arguments, expanded as Kubernetes does, must be ones `fastpath` accepts.
test_install_daemonset() {
	python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml is missing: make deps installs it"
	local m=contrib/fastpath-daemonset.yaml argv
	mapfile -t argv < <(python3 tests/e2e/manifest_check.py "$m") || fail "manifest check failed"
	assert_eq "${argv[0]}" /usr/sbin/fastpath "the binary, where make install PREFIX=/usr puts it"
	"$FP" "${argv[@]:1}" --help > /dev/null || fail "fastpath ${argv[*]:1}: not accepted"
	mapfile -t argv < <(python3 tests/e2e/manifest_check.py "$m" --opt-in) || fail "manifest check (opt-in) failed"
	argv=("${argv[@]//<status.hostIP>/10.0.0.5}")
	"$FP" "${argv[@]:1}" --help > /dev/null || fail "opt-in: fastpath ${argv[*]:1}: not accepted"
	# the checker can fail: a writable BTF mount, a pod without hostPID
	sed 's/readOnly: true/readOnly: false/' "$m" > "$TMP/ds.yaml"
	! python3 tests/e2e/manifest_check.py "$TMP/ds.yaml" >/dev/null 2>&1 || fail "a writable mount passed"
	sed 's/hostPID: true/hostPID: false/' "$m" > "$TMP/ds.yaml"
	! python3 tests/e2e/manifest_check.py "$TMP/ds.yaml" >/dev/null 2>&1 || fail "hostPID: false passed"
}

test_install_prometheus_config() {
	command -v promtool >/dev/null || { echo "promtool is not installed (make deps installs prometheus from DEB_OPT)"; return 77; }
	install_tree "$TMP/prom" PREFIX=/usr
	promtool check config "$TMP/prom/usr/share/fastpath/prometheus.yml" >&2 || fail "promtool check config failed"
}

# The same completion through readline: an interactive bash in tmux, keys
# typed with Tab, the line read off the screen.  This is what COMP_WORDS
# above stands for: bash's own word splitting ("--alloc=", "sub\ dir/"),
# -o filenames quoting, nospace after "--alloc=".
test_install_completion_readline() {
	install_completion_tree
	local s=$TMP/rl.tmux d=$TMP/rl
	mkdir -p "$d/sub dir"
	: > "$d/sub dir/rec one.json"
	trap "tmux -S '$s' kill-server 2>/dev/null" EXIT
	tmux -S "$s" -f /dev/null new-session -d -x 200 -y 10 \
		"env -i PATH=/usr/bin:/bin TERM=xterm HOME=$TMP PS1='$ ' bash --norc --noprofile -i"
	rl_line() { # KEYS... then the expected line
		local want=${!#} i
		tmux -S "$s" send-keys C-u
		tmux -S "$s" send-keys "${@:1:$#-1}"
		# the line, and the cursor after it (a space typed by completion
		# shows only as the cursor's column)
		for i in $(seq 100); do
			[ "$(tmux -S "$s" capture-pane -p | grep '^\$' | tail -1)" = "$(echo "\$ $want" | sed 's/ *$//')" ] &&
				[ "$(tmux -S "$s" display -p '#{cursor_x}')" = "$((${#want} + 2))" ] && return 0
			sleep 0.1
		done
		tmux -S "$s" capture-pane -p >&2
		fail "readline: '$want' not on the screen"
	}
	rl_line ". $INSTALL_COMPLETION" Enter ""
	rl_line "fastpath rec" Tab "fastpath record "
	rl_line "fastpath record --no-pa" Tab "fastpath record --no-paths "
	rl_line "fastpath top --allo" Tab "fastpath top --alloc="
	rl_line "fastpath top --alloc=ex" Tab "fastpath top --alloc=exact "
	rl_line "fastpath report $d/s" Tab Tab "fastpath report $d/sub\\ dir/rec\\ one.json "
	rl_line "fastpath help dif" Tab "fastpath help diff "
}

# The options docs/cli.md gives CMD: the first cells of the tables in the
# sections whose heading names it ("## `fastpath CMD ...`" or "(record, top,
# serve)"), plus -h/--help, which it states for every command once.
cli_doc_options() {
	awk -v cmd="$1" '
	/^## / {
		on = index($0, "`fastpath " cmd) > 0 || ($0 ~ /\(.*\)$/ && index($0, cmd) > 0)
		next
	}
	on && /^\| `-/ {
		split($0, cell, "|")
		n = split(cell[2], w, /[` ,=]+/)
		for (i = 1; i <= n; i++) if (w[i] ~ /^(-[a-zA-Z]|--[a-z][a-z-]*)$/) print w[i]
	}' docs/cli.md
	printf '%s\n' -h --help
}

test_install_cli_doc_matches_man() {
	local c
	for c in $INSTALL_CMDS; do
		man_options "man/fastpath-$c.8" | awk '{ print $1 }' | sort > "$TMP/man.opts"
		cli_doc_options "$c" | sort > "$TMP/doc.opts"
		diff -u "$TMP/man.opts" "$TMP/doc.opts" > "$TMP/opts.diff" ||
			{ cat "$TMP/opts.diff" >&2; fail "$c: docs/cli.md and fastpath-$c.8 differ"; }
	done
}
