# enforcer: a daemonless, declarative state enforcer for Windows hosts.
#
#   make            build bin/enforcer and bin/winrm-sim
#   make check      build and run every test          (SAN=1: ASan + UBSan)
#   make demo       run the main job against a simulated fleet
#   make bench      print the benchmark figures
#   make install    PREFIX=/usr/local DESTDIR=
#
# Every target that builds runs `deps` first, so each works alone on a fresh
# Debian 12 machine.

PREFIX	?= /usr/local
CC	?= cc
CFLAGS	?= -O2 -g
SAN	?= 0

# Debian packages providing what the build, the tests and the demo need.
DEBS	:= pkg-config make gcc git libyaml-dev libssl-dev libcurl4-openssl-dev \
	   libgit2-dev libxml2-dev libcmocka-dev libevent-dev python3 \
	   python3-winrm python3-jsonschema python3-yaml gnupg libkrb5-dev \
	   gss-ntlmssp krb5-kdc krb5-admin-server krb5-user python3-gssapi \
	   python3-requests-ntlm python3-requests-kerberos faketime
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

WARN	:= -std=c11 -Wall -Wextra -Werror -Wformat=2 -Wwrite-strings \
	   -Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith \
	   -Wno-unused-parameter -Wno-format-nonliteral
# Recursively expanded on purpose: pkg-config runs after `deps`.
PCFLAGS	 = $(shell pkg-config --cflags $(PKGS) $(SIMPKGS) $(TESTPKGS))
ALL_CFLAGS = $(WARN) -D_GNU_SOURCE -Ienforcer -Istates $(PCFLAGS) $(CFLAGS) \
	     $(SANFLAGS) -MMD -MP
LIBS	 = $(shell pkg-config --libs $(PKGS)) -lpthread
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
	       $(O)/enforcer/errors.o $(O)/enforcer/node.o
UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)

all: deps bin/enforcer $(if $(SIM_SRCS),bin/winrm-sim)

# --- dependencies ----------------------------------------------------------

# On Debian every package of DEBS is checked as installed, so a package a
# new test needs is installed on a fresh machine as soon as it is listed;
# elsewhere, what the build and the tests use is looked for directly.
deps:
	@missing=""; \
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
	for c in krb5kdc kadmin.local kinit faketime; do \
		PATH=$$PATH:/usr/sbin command -v $$c >/dev/null || \
			missing="$$missing $$c"; \
	done; \
	ls /usr/lib/*/gssntlmssp/gssntlmssp.so >/dev/null 2>&1 || \
		missing="$$missing gss-ntlmssp"; \
	command -v gpg >/dev/null && command -v gpgv >/dev/null || \
		missing="$$missing gnupg"; \
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
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $(O)/enforcer/main.o $(O)/libenforcer.a $(LIBS)

bin/winrm-sim: $(SIM_OBJS) $(SIM_SHARED) bin/.variant
	@mkdir -p bin
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $(SIM_OBJS) $(SIM_SHARED) $(SIMLIBS) $(LIBS)

$(O)/tests/test_%: tests/unit/test_%.c $(O)/libenforcer.a | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(O)/libenforcer.a $(LIBS) $(TESTLIBS)

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
	$(CC) $(ALL_CFLAGS) -Itests/winrm-sim -o $@ $< $(SIM_CMD_OBJS) \
	    $(SIM_SHARED) $(SIMLIBS) $(LIBS) $(TESTLIBS)

# --- tests, demo, benchmarks -----------------------------------------------

check: all $(UNIT_BINS)
	@ENFORCER_BUILD=$(O) SAN=$(SAN) sh tests/run.sh $(UNIT_BINS)

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

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/enforcer \
	    $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 bin/enforcer $(DESTDIR)$(PREFIX)/bin/enforcer
	install -m 0644 schemas/enforcer.schema.json $(DESTDIR)$(PREFIX)/share/enforcer/
	install -m 0644 docs/enforcer.1 $(DESTDIR)$(PREFIX)/share/man/man1/enforcer.1

clean:
	rm -rf build bin

FORCE:
.PHONY: all deps check demo bench hdr-check install clean FORCE

-include $(shell find build -name '*.d' 2>/dev/null)
