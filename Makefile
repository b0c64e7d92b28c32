# sluice — build, test, demo.  `make help` lists the targets.
BUILD ?= build
ifeq ($(SAN),1)
BUILD := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined
endif

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
MULTIARCH := $(shell $(CC) -dumpmachine)
# bpf_tracing.h's register names follow the build host's architecture
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
	      -e 's/ppc64le/powerpc/' -e 's/s390x/s390/' -e 's/riscv64/riscv/' \
	      -e 's/loongarch64/loongarch/')

PKGS := libbpf libmnl libmicrohttpd json-c libcurl
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS := -O2 -g -std=gnu11 -D_GNU_SOURCE \
	  -Wall -Wextra -Werror -Wmissing-prototypes -Wformat=2 \
	  -Iinclude -Ilib/common -Ilib/dp -Ilib/maglev -Ilib/pktgen -Idaemon -I$(BUILD)/bpf \
	  $(SANFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(SANFLAGS)
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
	      -Iinclude -Ibpf -I/usr/include/$(MULTIARCH)

BPF_PROGS := sluice_xdp sluice_tc sluice_decap xdp_floor
BPF_OBJS := $(patsubst %,$(BUILD)/bpf/%.bpf.o,$(BPF_PROGS))
SKELS := $(patsubst %,$(BUILD)/bpf/%.skel.h,$(BPF_PROGS))

LIB_SRCS := $(wildcard lib/common/*.c lib/dp/*.c lib/maglev/*.c lib/pktgen/*.c)
DAEMON_SRCS := $(filter-out daemon/main.c,$(wildcard daemon/*.c))
CLI_SRCS := $(wildcard cli/*.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
BPFT_SRCS := $(wildcard tests/bpf/*.c)
BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard bench/*.c))
GEN_SRCS := $(filter-out %.bpf.c,$(wildcard bench/gen/*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBSLUICE := $(BUILD)/libsluice.a
LIBSLUICED := $(BUILD)/libsluiced.a
# sluicectl's and sluice-gen's code minus their main, for the unit tests
LIBSLUICECTL := $(BUILD)/libsluicectl.a
LIBSLUICEGEN := $(BUILD)/libsluicegen.a
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
BPFT_BIN := $(BUILD)/tests/bpf_runner
BENCH_BIN := $(BUILD)/bench/sluice-bench

.PHONY: all deps build san test test-unit test-bpf test-netns test-bench demo bench \
	format-check clean help
all: $(BUILD)/sluiced $(BUILD)/sluicectl $(UNIT_BINS) \
     $(if $(BPFT_SRCS),$(BPFT_BIN)) $(if $(BENCH_SRCS),$(BENCH_BIN))

help:
	@echo "make demo        install deps, build, run the demo topology"
	@echo "make test        install deps, build (plain + ASan/UBSan), run all tiers"
	@echo "make build       build into build/ (needs deps)"
	@echo "make deps        install Debian packages (idempotent)"
	@echo "make bench       all benchmarks next to their baselines: table on stdout,"
	@echo "                 build/bench/results.json and plots (docs/performance.md)"
	@echo "make test-unit|test-bpf|test-netns|test-bench   one tier (after a build)"

deps:
	@scripts/deps.sh

build: all
san:
	@$(MAKE) --no-print-directory SAN=1 all

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/lib/*.h bpf/ctx/*.h include/uapi/sluice/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/bpf/%.bpf.o: bench/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $* > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(LIBSLUICE): $(call obj,$(LIB_SRCS))
	@rm -f $@
	ar rcs $@ $^
$(LIBSLUICED): $(call obj,$(DAEMON_SRCS))
	@rm -f $@
	ar rcs $@ $^
$(LIBSLUICECTL): $(call obj,$(filter-out cli/main.c,$(CLI_SRCS)))
	@rm -f $@
	ar rcs $@ $^
$(LIBSLUICEGEN): $(call obj,$(filter-out bench/gen/main.c,$(GEN_SRCS)))
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/sluiced: $(call obj,daemon/main.c) $(LIBSLUICED) $(LIBSLUICE)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
$(BUILD)/sluicectl: $(call obj,cli/main.c) $(LIBSLUICECTL) $(LIBSLUICE)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
# Unit tests see the headers of the programs whose code they test.
$(BUILD)/obj/tests/unit/%.o: CFLAGS += -Icli -Ibench/gen
$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(LIBSLUICED) \
		       $(LIBSLUICECTL) $(LIBSLUICEGEN) $(LIBSLUICE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka -lpthread
$(BPFT_BIN): $(call obj,$(BPFT_SRCS)) $(LIBSLUICE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(BENCH_BIN): $(call obj,$(BENCH_SRCS)) $(LIBSLUICE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# ---- sluice-gen: traffic generator (bench/gen; bench/throughput.sh uses it) --
GEN_BIN := $(BUILD)/sluice-gen
all: $(GEN_BIN) $(BUILD)/bpf/sluice_sink.bpf.o
$(BUILD)/bpf/%.bpf.o: bench/gen/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(call obj,$(GEN_SRCS)): $(BUILD)/bpf/sluice_gen.skel.h
$(GEN_BIN): $(call obj,$(GEN_SRCS)) $(LIBSLUICE)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# Every test tier runs the ASan/UBSan build; `make test` ends with one
# "N passed, N failed" line.
test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory SAN=1 all
	@tests/run.sh build/san

test-unit test-bpf test-netns test-bench:
	@tests/run.sh build/san $(patsubst test-%,%,$@)

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh build

# stdout carries only the table: the build's output goes to stderr
bench: deps
	@$(MAKE) --no-print-directory all >&2
	@bench/run.sh build

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

.SECONDARY:

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
