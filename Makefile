# enforcer: a daemonless, declarative state enforcer for Windows hosts.
#
#   make            build bin/enforcer and bin/winrm-sim
#   make check      build and run every test          (SAN=1: ASan + UBSan)
#   make demo       run the main job against a simulated fleet
#   make bench      print the benchmark figures
#   make fuzz       run each libFuzzer target FUZZ_TIME seconds (60)
#   make kill-test  the history kill test at the issue's scale (KILLS=200)
#   make install    PREFIX=/usr/local DESTDIR= (make uninstall the same)
#   make deb        the Debian package, in ../ (dpkg-buildpackage -us -uc -b)
#   make deb-check  build the package in a scratch copy and test it
#
# CC, CPPFLAGS, CFLAGS and LDFLAGS are honoured.  Warnings are errors
# (-Werror) only where the project checks itself: make check, demo, bench,
# hdr-check and CI (WERROR=1); a plain `make` or `make install` with a
# newer compiler warns and builds.  WERROR=0 or 1 on the command line wins.
#
# Every target that builds runs `deps` first, so each works alone on a fresh
# Debian 12 machine.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
DATADIR	?= $(PREFIX)/share
MANDIR	?= $(DATADIR)/man
DOCDIR	?= $(DATADIR)/doc/enforcer
SYSCONFDIR ?= /etc
# systemd reads /usr/local/lib/systemd/system too; Debian 12 packages use
# /lib/systemd/system (debian/rules says so).
UNITDIR	?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
CC	?= cc
CFLAGS	?= -O2 -g
SAN	?= 0

# Debian packages providing what the build, the tests and the demo need.
DEBS	:= pkg-config make gcc git libyaml-dev libssl-dev libcurl4-openssl-dev \
	   libgit2-dev libxml2-dev libcmocka-dev libevent-dev python3 \
	   python3-winrm python3-jsonschema python3-yaml gnupg libkrb5-dev \
	   gss-ntlmssp krb5-kdc krb5-admin-server krb5-user python3-gssapi \
	   python3-requests-ntlm python3-requests-kerberos faketime \
	   clang json-schema-test-suite systemd prometheus ansible-core \
	   bash-completion debhelper lintian
PKGS	 := yaml-0.1 libcurl openssl libgit2 libxml-2.0 krb5-gssapi krb5
SIMPKGS	 := libevent libevent_openssl yaml-0.1 openssl krb5-gssapi
TESTPKGS := cmocka

ifeq ($(SAN),1)
VARIANT	 := san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	    -fno-omit-frame-pointer
else
VARIANT	 := default
SANFLAGS :=
endif
O := build/$(VARIANT)

WARN	 = -std=c11 -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) \
	   -Wformat=2 -Wwrite-strings \
	   -Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith \
	   -Wno-unused-parameter -Wno-format-nonliteral
# Recursively expanded on purpose: pkg-config runs after `deps`.
# The simulator's and the tests' libraries may be absent (a package build).
PCFLAGS	 = $(shell pkg-config --cflags $(PKGS)) \
	   $(shell pkg-config --cflags $(SIMPKGS) $(TESTPKGS) 2>/dev/null)
ALL_CFLAGS = $(WARN) -D_GNU_SOURCE -Ienforcer -Istates $(PCFLAGS) \
	     $(CPPFLAGS) $(CFLAGS) \
	     $(SANFLAGS) -MMD -MP
LIBS	 = $(shell pkg-config --libs $(PKGS)) -lpthread -lm
SIMLIBS	 = $(shell pkg-config --libs $(SIMPKGS))
TESTLIBS = $(shell pkg-config --libs $(TESTPKGS))

# The engine and the state modules; main.c alone makes the binary, the rest
# is a static library the unit tests link too.
ENGINE_SRCS := $(filter-out enforcer/main.c,$(wildcard enforcer/*.c))
STATE_SRCS  := $(wildcard states/*.c)
LIB_OBJS    := $(ENGINE_SRCS:%.c=$(O)/%.o) $(STATE_SRCS:%.c=$(O)/%.o) \
	       $(O)/schema_data.o
SIM_SRCS    := $(wildcard tests/winrm-sim/*.c)
SIM_OBJS    := $(SIM_SRCS:%.c=$(O)/%.o)
# The simulator shares only the plain utilities with the engine.
SIM_SHARED  := $(O)/enforcer/xmalloc.o $(O)/enforcer/buf.o \
	       $(O)/enforcer/errors.o $(O)/enforcer/node.o \
	       $(O)/enforcer/strmap.o
UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)

all: deps bin/enforcer $(if $(SIM_SRCS),bin/winrm-sim)

# --- dependencies ----------------------------------------------------------

# On Debian every package of DEBS is checked as installed, so a package a
# new test needs is installed on a fresh machine as soon as it is listed;
# elsewhere, what the build and the tests use is looked for directly.
# NODEPS=1 (debian/rules): the packaging system provides them.
deps:
	@[ "$(NODEPS)" != 1 ] || exit 0; \
	missing=""; \
	if command -v dpkg-query >/dev/null; then \
		have=$$(dpkg-query -W -f='$${db:Status-Abbrev} $${Package}\n' \
		    $(DEBS) 2>/dev/null | awk '$$1 == "ii" { print $$2 }'); \
		for p in $(DEBS); do \
			echo "$$have" | grep -qx "$$p" || missing="$$missing $$p"; \
		done; \
	else \
	for p in $(PKGS) $(SIMPKGS) $(TESTPKGS); do \
		pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; \
	done; \
	for m in winrm jsonschema yaml gssapi requests_ntlm requests_kerberos; do \
		/usr/bin/python3 -c "import $$m" 2>/dev/null || missing="$$missing python3-$$m"; \
	done; \
	command -v git >/dev/null || missing="$$missing git"; \
	for c in krb5kdc kadmin.local kinit faketime clang systemd-analyze \
	    promtool ansible-inventory dh lintian; do \
		PATH=$$PATH:/usr/sbin command -v $$c >/dev/null || \
			missing="$$missing $$c"; \
	done; \
	ls /usr/lib/*/gssntlmssp/gssntlmssp.so >/dev/null 2>&1 || \
		missing="$$missing gss-ntlmssp"; \
	[ -d /usr/share/json-schema-test-suite/tests/draft7 ] || \
		missing="$$missing json-schema-test-suite"; \
	command -v gpg >/dev/null && command -v gpgv >/dev/null || \
		missing="$$missing gnupg"; \
	[ -f /usr/share/bash-completion/bash_completion ] || \
		missing="$$missing bash-completion"; \
	fi; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "deps: missing:$$missing"; \
	if [ "$$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then \
		echo "deps: apt-get install -y $(DEBS)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq $(DEBS) >/dev/null || exit 1; \
	else \
		echo "deps: run as root: apt-get install -y $(DEBS)"; exit 1; \
	fi

# --- build -----------------------------------------------------------------

# bin/ holds one variant at a time: bin/.variant changes (and the binaries
# relink) only when SAN= changes.
bin/.variant: FORCE
	@mkdir -p bin; [ "$$(cat $@ 2>/dev/null)" = $(VARIANT) ] || echo $(VARIANT) > $@

$(O)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The JSON Schema is compiled into the binary: the loader validates with it.
$(O)/schema_data.c: schemas/enforcer.schema.json
	@mkdir -p $(@D)
	{ echo '/* generated from $< by the Makefile; do not edit */'; \
	  echo '#include <stddef.h>'; \
	  echo 'const char schema_json[] = {'; \
	  od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0x00 };'; \
	  echo 'const size_t schema_json_len = sizeof(schema_json) - 1;'; } > $@

$(O)/schema_data.o: $(O)/schema_data.c
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(O)/libenforcer.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

bin/enforcer: $(O)/enforcer/main.o $(O)/libenforcer.a bin/.variant
	@mkdir -p bin
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $(O)/enforcer/main.o \
	    $(O)/libenforcer.a $(LIBS)

bin/winrm-sim: $(SIM_OBJS) $(SIM_SHARED) bin/.variant
	@mkdir -p bin
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $(SIM_OBJS) $(SIM_SHARED) \
	    $(SIMLIBS) $(LIBS)

$(O)/tests/test_%: tests/unit/test_%.c $(O)/libenforcer.a | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libenforcer.a $(LIBS) \
	    $(TESTLIBS)

# The simulator's ground truth and cmd.exe interpreter are tested on their
# own: test_sim_* link them, not the server files nor libenforcer.a.
SIM_CMD_OBJS  := $(O)/tests/winrm-sim/cmd.o $(O)/tests/winrm-sim/state.o \
		 $(O)/tests/winrm-sim/lang.o $(O)/tests/winrm-sim/truststore.o \
		 $(O)/tests/winrm-sim/reboot.o \
		 $(patsubst %.c,$(O)/%.o,$(wildcard tests/winrm-sim/prog_*.c))
SIM_UNIT_BINS := $(filter $(O)/tests/test_sim_%,$(UNIT_BINS))

$(SIM_UNIT_BINS): $(O)/tests/test_sim_%: tests/unit/test_sim_%.c \
    $(SIM_CMD_OBJS) $(SIM_SHARED) | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Itests/winrm-sim -o $@ $< $(SIM_CMD_OBJS) \
	    $(SIM_SHARED) $(SIMLIBS) $(LIBS) $(TESTLIBS)

# --- fuzzing --------------------------------------------------------------

# libFuzzer targets (tests/fuzz/README.md): the engine and the modules
# rebuilt with clang under ASan/UBSan and coverage into build/fuzz, whatever
# SAN says; each target links one tests/fuzz/fuzz_<name>.c.
FUZZCC	   ?= clang
FUZZ_TIME  ?= 60
FO	   := build/fuzz
FUZZFLAGS  := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	      -fno-omit-frame-pointer
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(FUZZ_SRCS:tests/fuzz/%.c=$(FO)/%)
FUZZ_OBJS  := $(LIB_OBJS:$(O)/%=$(FO)/%)
FUZZ_CFLAGS = $(WARN) -D_GNU_SOURCE -Ienforcer -Istates -Itests/fuzz $(PCFLAGS) \
	      $(FUZZFLAGS) -MMD -MP

$(FO)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FO)/schema_data.o: $(O)/schema_data.c
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZ_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(FO)/libenforcer.a: $(FUZZ_OBJS)
	rm -f $@
	ar rcs $@ $^

$(FO)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FO)/libenforcer.a | deps
	$(FUZZCC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Wl,--wrap=nanosleep \
	    -o $@ $< $(FO)/libenforcer.a $(LIBS)

fuzz-build: $(FUZZ_BINS)

# Each target FUZZ_TIME seconds from its seeds (tests/fuzz/run.sh); new
# inputs go to build/fuzz/corpus/, crashes to build/fuzz/crashes/.
fuzz: all $(FUZZ_BINS)
	@FUZZ_TIME=$(FUZZ_TIME) sh tests/fuzz/run.sh fuzz $(FUZZ_BINS)

# --- tests, demo, benchmarks -----------------------------------------------

check: all $(UNIT_BINS) $(FUZZ_BINS)
	@ENFORCER_BUILD=$(O) SAN=$(SAN) sh tests/run.sh $(UNIT_BINS)

# make check runs history_kill.sh with 25 kills; this, with the issue's 200
# (several minutes).
KILLS ?= 200
kill-test: all
	@HISTORY_KILLS=$(KILLS) ENFORCER_BUILD=$(O) SAN=$(SAN) TOP=$(CURDIR) \
	    ENFORCER=$(CURDIR)/bin/enforcer WINRM_SIM=$(CURDIR)/bin/winrm-sim \
	    sh tests/e2e/history_kill.sh

demo: all
	@sh examples/demo.sh

bench: all
	@ENFORCER_BUILD=$(O) sh tests/bench/run.sh

# Every header compiles on its own.
hdr-check: deps
	@for h in enforcer/*.h states/*.h tests/winrm-sim/*.h; do \
		[ -f "$$h" ] || continue; \
		echo "#include \"$$h\"" | $(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -I. -fsyntax-only -x c - || exit 1; \
	done; echo "hdr-check: ok"

# What a package ships (debian/rules calls this with DESTDIR and PREFIX=/usr).
DOCS	  := README.md $(wildcard docs/*.md)
EXAMPLES  := $(wildcard examples/hci-cluster/*.yaml)
DIST	  := dist

install: deps bin/enforcer
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/enforcer \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)/examples/hci-cluster \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(COMPLETIONDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/enforcer
	install -m 0755 bin/enforcer $(DESTDIR)$(BINDIR)/enforcer
	install -m 0644 schemas/enforcer.schema.json \
	    $(DESTDIR)$(DATADIR)/enforcer/
	install -m 0644 docs/enforcer.1 $(DESTDIR)$(MANDIR)/man1/enforcer.1
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/hci-cluster/
	sed 's|@BINDIR@|$(BINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    $(DIST)/enforcer.service.in > $(DESTDIR)$(UNITDIR)/enforcer.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/enforcer.service
	install -m 0644 $(DIST)/enforcer.timer $(DESTDIR)$(UNITDIR)/
	install -m 0644 $(DIST)/enforcer.bash \
	    $(DESTDIR)$(COMPLETIONDIR)/enforcer
	install -m 0644 $(DIST)/enforcer.conf.example \
	    $(DESTDIR)$(SYSCONFDIR)/enforcer/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/enforcer \
	    $(DESTDIR)$(DATADIR)/enforcer/enforcer.schema.json \
	    $(DESTDIR)$(MANDIR)/man1/enforcer.1 \
	    $(DESTDIR)$(UNITDIR)/enforcer.service \
	    $(DESTDIR)$(UNITDIR)/enforcer.timer \
	    $(DESTDIR)$(COMPLETIONDIR)/enforcer \
	    $(DESTDIR)$(SYSCONFDIR)/enforcer/enforcer.conf.example
	rm -rf $(DESTDIR)$(DOCDIR)
	-rmdir $(DESTDIR)$(DATADIR)/enforcer $(DESTDIR)$(SYSCONFDIR)/enforcer \
	    2>/dev/null

# The Debian package, built as Debian builds it; the .deb lands in ../.
deb: deps
	dpkg-buildpackage -us -uc -b

# Build the package from a copy of the tree and check it (tests/pkg/deb.sh,
# about 2 minutes: not part of make check).  ENFORCER_DPKG_INSTALL=1, as
# root: install it with dpkg -i too (CI, on a throwaway machine).
deb-check: all
	@ENFORCER_BUILD=$(O) sh tests/pkg/deb.sh

clean:
	rm -rf build bin

FORCE:
# The project's own builds turn warnings into errors (CI: WERROR=1 too).
check demo bench hdr-check deb-check: WERROR ?= 1

.PHONY: all deps check demo bench hdr-check install uninstall deb deb-check \
	clean fuzz fuzz-build kill-test FORCE

-include $(shell find build -name '*.d' 2>/dev/null)
