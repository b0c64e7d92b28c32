# libFuzzer targets (tests/fuzz, docs/development.md "Fuzzing").
#
# Everything they link is rebuilt by clang into build/fuzz with
# -fsanitize=fuzzer-no-link,address,undefined (a recursive make with
# BUILD=build/fuzz), at -O1 to keep the build short.  lib/dp's skeletons are
# the ASan build's (build/san/bpf): the fuzz build compiles no BPF, so it
# comes after `make SAN=1 all`.
FUZZ_BUILD := build/fuzz
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS := -O1 -fsanitize=fuzzer-no-link,address,undefined \
	       -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	       -Wno-format-nonliteral -Ibuild/san/bpf
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined
FUZZ_STUBS := $(filter-out tests/fuzz/fuzz_%.c,$(wildcard tests/fuzz/*.c))

$(BUILD)/obj/tests/fuzz/%.o: CFLAGS += -Idaemon -Ilib/dp -Ilib/maglev -Ilib/fw \
	-Ilib/pktio -Ilib/graph -Icli -Ivrouter
$(BUILD)/tests/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o \
			    $(call obj,$(FUZZ_STUBS)) $(LIBSLUICED) \
			    $(LIBVROUTER) $(LIBSLUICECTL) $(LIBDP) $(LIBMAGLEV) $(LIBGRAPH) \
			    $(LIBPKTIO) $(LIBFIBREAD) $(LIBFIB) $(LIBFW) $(LIBPKTGEN) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(FUZZ_LDFLAGS) -o $@ $^ $(call pkg_libs,$(PKGS)) -lpthread

.PHONY: fuzz fuzz-build fuzz-bins
fuzz-bins: $(patsubst %,$(BUILD)/tests/fuzz/%,$(FUZZ_TARGETS))
fuzz-build: san
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang SKELS= \
		EXTRA_CFLAGS="$(FUZZ_CFLAGS)" fuzz-bins
# each target for FUZZ_S seconds (`make test` runs them for 15 s each)
FUZZ_S ?= 600
fuzz: fuzz-build
	@FUZZ_S=$(FUZZ_S) tests/fuzz/run.sh $(FUZZ_BUILD)
	@# the differential packet fuzzer, PKTDIFF_N frames (tests/fuzz/diff)
	@build/san/tests/pktdiff --count $(PKTDIFF_N) --seed $(PKTDIFF_SEED)
