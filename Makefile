# fastpath — eBPF live tracer.  `make` builds ./fastpath; `make V=1` shows commands.
# Layout follows libbpf-bootstrap: bpf/*.bpf.c -> build/*.bpf.o -> build/*.skel.h,
# embedded into one binary.

OUTPUT    := build
CLANG     ?= clang
BPFTOOL   ?= bpftool
CC        ?= cc
ARCH      := x86
# The release, plus the commit it was built from when built from git
# (semver build metadata: 0.1.0+g9cc0192).
BASE_VERSION := 0.1.0
GIT_REV   := $(shell git describe --always --dirty 2>/dev/null)
VERSION   := $(BASE_VERSION)$(if $(GIT_REV),+g$(GIT_REV))

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Debian packages: build, run and test dependencies.  `make deps` installs the
# missing ones; every other target names what it lacks.
DEB_PKGS := clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libdw-dev \
	    libncurses-dev libjansson-dev libmicrohttpd-dev libcmocka-dev \
	    pkg-config golang-go strace hyperfine tmux git jq util-linux curl python3 \
	    libcapstone-dev time libprotobuf-c-dev protobuf-c-compiler bash-completion python3-yaml \
	    golang-golang-x-sync-dev
DEB_OPT  := bpftrace prometheus chromium
# Real-world Go binaries from the npm registry, pinned: tsgo (the TypeScript
# compiler's Go port) is Go 1.26, statically linked and stripped.
TSGO_VER := 7.0.0-dev.20260707.2
# esbuild's build has no .go.buildinfo at all: Go found by its function table.
ESBUILD_VER := 0.28.2
# lefthook's build is Go 1.27: its compiler calls the size-specialised allocators.
LEFTHOOK_VER := 2.2.2
NPM_PKGS := @typescript/native-preview-linux-x64@$(TSGO_VER) @esbuild/linux-x64@$(ESBUILD_VER) \
	    lefthook-linux-x64@$(LEFTHOOK_VER)
LEFTHOOK := $(OUTPUT)/npm/node_modules/lefthook-linux-x64/bin/lefthook
ESBUILD  := $(OUTPUT)/npm/node_modules/@esbuild/linux-x64/bin/esbuild
TSGO_PKG := $(OUTPUT)/npm/node_modules/@typescript/native-preview-linux-x64
TSGO     := $(TSGO_PKG)/lib/tsgo
PKG_LIBS := libbpf libelf zlib libdw ncursesw jansson libmicrohttpd capstone libprotobuf-c

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
USER_SRCS := $(wildcard user/*.c user/*/*.c)
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS)) $(OUTPUT)/syscall_names.o $(OUTPUT)/pprof.pb-c.o
# The model and views are pure C: unit tests link them without BPF or probes.
MODEL_OBJS := $(filter $(OUTPUT)/user/model/% $(OUTPUT)/user/views/% $(OUTPUT)/user/util/%,$(USER_OBJS)) \
	      $(OUTPUT)/user/cli/opts.o $(OUTPUT)/user/cli/output.o $(OUTPUT)/syscall_names.o $(OUTPUT)/pprof.pb-c.o

CFLAGS  ?= -g -O2
CFLAGS  += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	   -std=gnu11 -D_GNU_SOURCE -DFP_VERSION='"$(VERSION)"' \
	   -Iuser -Ibpf -I$(OUTPUT)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKG_LIBS) 2>/dev/null)
# Opened with dlopen where needed, not linked (user/util/dynlib.h): capstone to
# disassemble, libmicrohttpd (and gnutls behind it) for serve, libdw to symbolize,
# ncurses for top's view; 6 MB resident from exec otherwise (issue 13).
PKG_DLOPEN := libmicrohttpd capstone libdw ncursesw
PKG_LDLIBS = $(shell pkg-config --libs $(filter-out $(PKG_DLOPEN),$(PKG_LIBS)) 2>/dev/null)
LDLIBS  += $(PKG_LDLIBS) -lm -lpthread

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Ivmlinux -Ibpf \
	      -Wall -Wno-unused-function $(shell $(CLANG) -print-file-name=include >/dev/null 2>&1 && echo)

.PHONY: all deps check-deps vmlinux test unit e2e demo bench clean install uninstall
.DELETE_ON_ERROR:
.SECONDARY:

all: check-deps fastpath

# ---- dependencies ---------------------------------------------------------
missing_pkgs = $(shell for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done)

deps:
	@miss="$(call missing_pkgs,$(DEB_PKGS))"; \
	if [ -n "$$miss" ]; then \
		echo "make deps: installing $$miss"; \
		( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$miss ) >$(OUTPUT).deps.log 2>&1 \
		  || { tail -20 $(OUTPUT).deps.log; echo "make deps: apt-get failed (see above); run as root"; exit 1; }; \
	fi
	@miss="$(call missing_pkgs,$(DEB_OPT))"; \
	if [ -n "$$miss" ]; then \
		echo "make deps: installing optional $$miss (comparisons and report tests)"; \
		( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$miss ) >>$(OUTPUT).deps.log 2>&1 \
		  || echo "make deps: optional packages unavailable: $$miss (the tests that need them say so)"; \
	fi
	@if [ ! -x "$(TSGO)" ] || ! grep -qF '"version": "$(TSGO_VER)"' $(TSGO_PKG)/package.json || \
	    [ ! -x "$(ESBUILD)" ] || ! grep -qF '"version": "$(ESBUILD_VER)"' $(ESBUILD:/bin/esbuild=/package.json) || \
	    [ ! -x "$(LEFTHOOK)" ] || ! grep -qF '"version": "$(LEFTHOOK_VER)"' $(LEFTHOOK:/bin/lefthook=/package.json); then \
		command -v npm >/dev/null || { echo "make deps: installing npm"; \
			( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm ) >>$(OUTPUT).deps.log 2>&1 \
			|| { tail -20 $(OUTPUT).deps.log; echo "make deps: cannot install npm (needed for $(NPM_PKGS))"; exit 1; }; }; \
		echo "make deps: installing $(NPM_PKGS) into $(OUTPUT)/npm"; \
		mkdir -p $(OUTPUT)/npm; \
		npm install --prefix $(OUTPUT)/npm --no-save --no-audit --no-fund --no-package-lock $(NPM_PKGS) >>$(OUTPUT).deps.log 2>&1 \
		  || { tail -20 $(OUTPUT).deps.log; echo "make deps: npm install $(NPM_PKGS) failed (see above)"; exit 1; }; \
		for b in $(TSGO) $(ESBUILD) $(LEFTHOOK); do [ -x $$b ] || { echo "make deps: $$b missing after npm install"; exit 1; }; done; \
	fi

check-deps:
	@miss="$(call missing_pkgs,clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libdw-dev libncurses-dev libjansson-dev libmicrohttpd-dev pkg-config libcapstone-dev libprotobuf-c-dev protobuf-c-compiler)"; \
	if [ -n "$$miss" ]; then \
		echo "fastpath: missing build packages: $$miss"; \
		echo "fastpath: install them with 'make deps' (or: apt-get install $$miss)"; \
		exit 1; \
	fi

# ---- BPF ------------------------------------------------------------------
$(OUTPUT) $(OUTPUT)/user:
	$(Q)mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) vmlinux/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

vmlinux:
	$(call msg,GEN,vmlinux/vmlinux.h)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h.tmp
	$(Q)mv vmlinux/vmlinux.h.tmp vmlinux/vmlinux.h

# ---- user space -----------------------------------------------------------
# Syscall names as strace prints them, from the x86_64 syscall table.
# Syscalls newer than Debian 12's headers (6.1), from the kernel's
# syscall_64.tbl; the header wins where it knows a number.
NEWER_SYSCALLS := 451 cachestat,452 fchmodat2,453 map_shadow_stack,454 futex_wake,455 futex_wait,\
	456 futex_requeue,457 statmount,458 listmount,459 lsm_get_self_attr,460 lsm_set_self_attr,\
	461 lsm_list_modules,462 mseal,463 setxattrat,464 getxattrat,465 listxattrat,466 removexattrat,\
	467 open_tree_attr,468 file_getattr,469 file_setattr
UNISTD := $(firstword $(wildcard /usr/include/x86_64-linux-gnu/asm/unistd_64.h /usr/include/asm/unistd_64.h))
$(OUTPUT)/syscall_names.c: $(UNISTD) | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q){ echo '/* generated from $(UNISTD) */'; \
	      echo '#include "model/syscalls.h"'; \
	      echo 'const char *const fp_syscall_table[FP_SYSCALL_TABLE_SIZE] = {'; \
	      { awk '/^#define __NR_[a-z0-9_]+ [0-9]+$$/ { sub("__NR_", "", $$2); print $$3, $$2 }' $<; \
	        echo "$(NEWER_SYSCALLS)" | tr ',' '\n'; } | awk 'NF == 2 && !seen[$$1]++ { printf "\t[%s] = \"%s\",\n", $$1, $$2 }'; \
	      echo '};'; } > $@

$(OUTPUT)/syscall_names.o: $(OUTPUT)/syscall_names.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# pprof's profile.proto (the messages fastpath writes), by protobuf-c.
$(OUTPUT)/pprof.pb-c.c $(OUTPUT)/pprof.pb-c.h: proto/pprof.proto | $(OUTPUT)
	$(call msg,PROTOC,$@)
	$(Q)protoc-c --c_out=$(OUTPUT) --proto_path=proto pprof.proto

$(OUTPUT)/pprof.pb-c.o: $(OUTPUT)/pprof.pb-c.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) -Wno-unused-parameter -c $< -o $@

# Only the probes include skeletons, but every object waits for them so
# the dependency stays simple and parallel builds stay correct.
$(OUTPUT)/user/%.o: user/%.c $(wildcard user/*.h user/*/*.h bpf/*.h) $(SKELS) $(OUTPUT)/pprof.pb-c.h | $(OUTPUT)/user
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

# user/probes/vmlinux_btf.c's definitions take the place of libbpf's: exported
# (ld would, as libbpf.so defines it; said here so it cannot quietly stop).
fastpath: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -Wl,--export-dynamic-symbol=btf__load_vmlinux_btf \
		-Wl,--export-dynamic-symbol=btf__free -o $@

# ---- tests ----------------------------------------------------------------
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))
WORKLOAD_SRCS := $(wildcard tests/workloads/*.c)
WORKLOADS := $(patsubst tests/workloads/%.c,$(OUTPUT)/workloads/%,$(WORKLOAD_SRCS))
GO_WORKLOAD_DIRS := $(wildcard tests/workloads/go/*/)
GO_WORKLOADS := $(patsubst tests/workloads/go/%/,$(OUTPUT)/workloads/go-%,$(GO_WORKLOAD_DIRS))

$(OUTPUT)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(MODEL_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) $< $(MODEL_OBJS) -lcmocka $(LDLIBS) -o $@

# Workloads keep frame pointers so --stacks can walk them.
$(OUTPUT)/workloads/%: tests/workloads/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -g -O1 -fno-omit-frame-pointer -Wall $< -o $@ -lpthread

$(OUTPUT)/workloads/go-%: tests/workloads/go/%/main.go
	$(call msg,GO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)cd $(<D) && GOFLAGS=-mod=mod GOCACHE=$(CURDIR)/$(OUTPUT)/gocache GO111MODULE=off GOPATH=/usr/share/gocode go build -o $(CURDIR)/$@ .

# Stripped copies, as release builds ship: Go without .symtab and DWARF
# (only .gopclntab left), C through strip(1).
STRIPPED_WORKLOADS := $(OUTPUT)/workloads/go-allocgo-stripped $(OUTPUT)/workloads/allocloop-stripped \
		      $(OUTPUT)/workloads/go-hotloop-stripped $(OUTPUT)/workloads/go-backpressure-stripped

$(OUTPUT)/workloads/go-%-stripped: tests/workloads/go/%/main.go
	$(call msg,GO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)cd $(<D) && GOFLAGS=-mod=mod GOCACHE=$(CURDIR)/$(OUTPUT)/gocache GO111MODULE=off GOPATH=/usr/share/gocode go build -ldflags='-s -w' -o $(CURDIR)/$@ .

$(OUTPUT)/workloads/%-stripped: $(OUTPUT)/workloads/%
	$(call msg,STRIP,$@)
	$(Q)strip -o $@ $<

workloads: $(WORKLOADS) $(GO_WORKLOADS) $(STRIPPED_WORKLOADS)

unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do $$t || fail=1; done; exit $$fail

e2e: fastpath workloads
	@TESTS=$${TESTS:-} UNIT=0 tests/run-all.sh

test: deps
	$(Q)$(MAKE) --no-print-directory all workloads $(UNIT_BINS) $(BENCH_BINS)
	$(Q)tests/run-all.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all workloads
	$(Q)tests/demo.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory all workloads $(BENCH_BINS)
	$(Q)bench/run.sh

# The benchmark's floor loader: empty programs on fastpath's hooks, with its
# own skeleton under build/bench/, never embedded in ./fastpath.
BENCH_BINS := $(OUTPUT)/bench/floor
e2e: $(BENCH_BINS)

$(OUTPUT)/bench/floor.bpf.o: bench/floor.bpf.c bpf/fp_sys.h bpf/fp_hist.h vmlinux/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

$(OUTPUT)/bench/floor.skel.h: $(OUTPUT)/bench/floor.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name floor_bpf > $@

$(OUTPUT)/bench/floor: bench/floor.c bpf/fp_sys.h $(OUTPUT)/bench/floor.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUTPUT)/bench $(PKG_CFLAGS) $< $(LDLIBS) -o $@

# ---- install ----------------------------------------------------------------
# GNU conventions: `make install PREFIX=/usr DESTDIR=/tmp/pkg`.  Section 8
# pages, so the binary goes to sbin (as bpftool's).  Paths in the pages and
# the unit are written for the default prefix and rewritten for this one.
PREFIX         ?= /usr/local
SBINDIR        ?= $(PREFIX)/sbin
MANDIR         ?= $(PREFIX)/share/man
BASHCOMPDIR    ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DATADIR        ?= $(PREFIX)/share/fastpath
DOCDIR         ?= $(PREFIX)/share/doc/fastpath
INSTALL        ?= install

MAN_PAGES    := $(wildcard man/*.8)
CONTRIB_DATA := contrib/prometheus.yml contrib/grafana-dashboard.json contrib/fastpath-daemonset.yaml
DOC_FILES    := README.md $(wildcard docs/*.md)
# Every file install lays, so uninstall removes exactly these.
INSTALLED := $(SBINDIR)/fastpath \
	     $(patsubst man/%,$(MANDIR)/man8/%,$(MAN_PAGES)) \
	     $(BASHCOMPDIR)/fastpath \
	     $(SYSTEMDUNITDIR)/fastpath-serve.service \
	     $(patsubst contrib/%,$(DATADIR)/%,$(CONTRIB_DATA)) \
	     $(patsubst %,$(DOCDIR)/%,$(notdir $(DOC_FILES)))
FIX_PATHS := sed -e 's|/usr/local/sbin/fastpath|$(SBINDIR)/fastpath|g' \
		 -e 's|/usr/local/lib/systemd/system|$(SYSTEMDUNITDIR)|g' \
		 -e 's|/usr/local/share/doc/fastpath|$(DOCDIR)|g' \
		 -e 's|/usr/local/share/fastpath|$(DATADIR)|g'

install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d $(addprefix $(DESTDIR),$(SBINDIR) $(MANDIR)/man8 $(BASHCOMPDIR) $(SYSTEMDUNITDIR) $(DATADIR) $(DOCDIR))
	$(Q)$(INSTALL) -m 0755 fastpath $(DESTDIR)$(SBINDIR)/fastpath
	$(Q)for f in $(MAN_PAGES); do \
		$(FIX_PATHS) $$f > $(DESTDIR)$(MANDIR)/man8/$${f#man/} && \
		chmod 0644 $(DESTDIR)$(MANDIR)/man8/$${f#man/} || exit 1; \
	done
	$(Q)$(INSTALL) -m 0644 bash-completion/fastpath $(DESTDIR)$(BASHCOMPDIR)/fastpath
	$(Q)$(FIX_PATHS) contrib/fastpath-serve.service > $(DESTDIR)$(SYSTEMDUNITDIR)/fastpath-serve.service
	$(Q)chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/fastpath-serve.service
	$(Q)$(INSTALL) -m 0644 $(CONTRIB_DATA) $(DESTDIR)$(DATADIR)/
	$(Q)$(INSTALL) -m 0644 $(DOC_FILES) $(DESTDIR)$(DOCDIR)/

# Only the files install laid, and the two directories that are fastpath's
# own; shared ones (sbin, man8, ...) stay.
uninstall:
	$(call msg,RM,$(words $(INSTALLED)) files under $(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	$(Q)rmdir $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	rm -rf $(OUTPUT) fastpath
