# The differential packet fuzzer (tests/fuzz/diff, docs/development.md
# "Differential packet fuzzing"): not a libFuzzer target (it needs root and
# BPF, and is deterministic), a program of the normal and SAN builds that
# the bpf tier runs for 1,000,000 frames and `make fuzz` for PKTDIFF_N.
PKTDIFF_SRCS := $(wildcard tests/fuzz/diff/*.c)
PKTDIFF_BIN := $(BUILD)/tests/pktdiff
PKTDIFF_N ?= 10000000
# a new seed each run; its TAP lines print it, which reproduces the run
PKTDIFF_SEED ?= $(shell date +%s)

$(BUILD)/obj/tests/fuzz/diff/%.o: CFLAGS += -Ilib/dp -Ilib/maglev
all: $(PKTDIFF_BIN)
$(PKTDIFF_BIN): $(call obj,$(PKTDIFF_SRCS)) $(LIBDP) $(LIBPKTGEN) $(LIBMAGLEV) \
		$(LIBFIB) $(LIBFW) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(BENCH_LIBS)
