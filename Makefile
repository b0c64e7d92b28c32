# sluice — build, test, demo.  `make help` lists the targets.
BUILD ?= build
ifeq ($(SAN),1)
BUILD := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined
endif

CC ?= gcc
# The builds that test, demo, bench and soak make for themselves run on
# every CPU: serial, `make test` spent 188 s building on a 2-CPU machine
# (94 s with -j2) of CI's 30 minutes.  JOBS=1 for a serial build.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
SUBMAKE = $(MAKE) --no-print-directory -j$(JOBS)
CLANG ?= clang
BPFTOOL ?= bpftool
MULTIARCH := $(shell $(CC) -dumpmachine)
# bpf_tracing.h's register names follow the build host's architecture
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
	      -e 's/ppc64le/powerpc/' -e 's/s390x/s390/' -e 's/riscv64/riscv/' \
	      -e 's/loongarch64/loongarch/')

# System libraries, and which program links which: sluicectl needs no
# libbpf, the daemon no libcurl.
pkg_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pkg_libs = $(shell pkg-config --libs $(1) 2>/dev/null)
PKGS := libbpf libmnl libmicrohttpd json-c libcurl libxdp
PKG_CFLAGS := $(call pkg_cflags,$(PKGS))
DAEMON_LIBS = $(call pkg_libs,libbpf libmnl libmicrohttpd json-c) -lpthread
CLI_LIBS = $(call pkg_libs,json-c libcurl libbpf)
BPF_LIBS = $(call pkg_libs,libbpf libxdp)
BENCH_LIBS = $(call pkg_libs,libbpf libmnl json-c)
UNIT_LIBS = $(call pkg_libs,$(PKGS)) -lcmocka -lpthread

# Every file sees the UAPI contract and lib/common; each component adds the
# headers of what it uses (below).  Only lib/dp sees $(BUILD)/bpf, where the
# skeletons are: the rule "skeletons stay behind lib/dp" is the build's.
CFLAGS := -O2 -g -std=gnu11 -D_GNU_SOURCE \
	  -Wall -Wextra -Werror -Wmissing-prototypes -Wformat=2 \
	  -Iinclude -Ilib/common $(SANFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(SANFLAGS)
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
	      -Iinclude -Ibpf -I/usr/include/$(MULTIARCH) $(BPF_EXTRA_CFLAGS)

BPF_PROGS := sluice_xdp sluice_tc sluice_egress sluice_ct sluice_decap sluice_xmit xdp_floor fib_lookup sluice_l7
BPF_OBJS := $(patsubst %,$(BUILD)/bpf/%.bpf.o,$(BPF_PROGS))
SKELS := $(patsubst %,$(BUILD)/bpf/%.skel.h,$(BPF_PROGS))

COMMON_SRCS := $(wildcard lib/common/*.c)
DP_SRCS := $(wildcard lib/dp/*.c)
MAGLEV_SRCS := $(wildcard lib/maglev/*.c)
FIB_SRCS := $(wildcard lib/fib/*.c)
FIBREAD_SRCS := $(wildcard lib/fibread/*.c)
FW_SRCS := $(wildcard lib/fw/*.c)
PKTGEN_SRCS := $(wildcard lib/pktgen/*.c)
PKTIO_SRCS := $(wildcard lib/pktio/*.c lib/pktio/drivers/*.c)
GRAPH_SRCS := $(wildcard lib/graph/*.c lib/graph/nodes/*.c)
DAEMON_SRCS := $(filter-out daemon/main.c,$(wildcard daemon/*.c))
CLI_SRCS := $(wildcard cli/*.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
BPFT_SRCS := $(wildcard tests/bpf/*.c)
BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard bench/*.c))
GEN_SRCS := $(filter-out %.bpf.c,$(wildcard bench/gen/*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

# what each component's files may include, besides include/ and lib/common
$(BUILD)/obj/lib/dp/%.o: CFLAGS += -Ilib/dp -Ilib/fib -Ilib/fw -Ilib/pktgen -I$(BUILD)/bpf
$(BUILD)/obj/lib/maglev/%.o: CFLAGS += -Ilib/maglev
$(BUILD)/obj/lib/fib/%.o: CFLAGS += -Ilib/fib
$(BUILD)/obj/lib/fibread/%.o: CFLAGS += -Ilib/fibread -Ilib/fib
$(BUILD)/obj/lib/fw/%.o: CFLAGS += -Ilib/fw
$(BUILD)/obj/lib/pktgen/%.o: CFLAGS += -Ilib/pktgen
$(BUILD)/obj/lib/pktio/%.o: CFLAGS += -Ilib/pktio
$(BUILD)/obj/lib/graph/%.o: CFLAGS += -Ilib/graph -Ilib/fibread
$(BUILD)/obj/daemon/%.o: CFLAGS += -Idaemon -Ilib/dp -Ilib/maglev -Ilib/fw
$(BUILD)/obj/cli/%.o: CFLAGS += -Icli -Ilib/maglev -Ilib/dp
$(BUILD)/obj/tests/bpf/%.o: CFLAGS += -Ilib/dp -Ilib/pktgen -Ilib/maglev -Ilib/fw \
	-Ilib/fibread
$(BUILD)/obj/bench/%.o: CFLAGS += -Ilib/dp -Ilib/fib -Ilib/pktgen -Ilib/maglev -Ilib/fw
$(BUILD)/obj/bench/gen/%.o: CFLAGS += -Ibench/gen -I$(BUILD)/gen
# unit tests see the headers of the programs whose code they test
$(BUILD)/obj/tests/unit/%.o: CFLAGS += -Idaemon -Ilib/dp -Ilib/maglev \
	-Ilib/fib -Ilib/fw -Ilib/pktgen -Ilib/pktio -Ilib/graph -Ilib/fibread \
	-Icli -Ibench/gen

LIBCOMMON := $(BUILD)/libsluice-common.a
LIBDP := $(BUILD)/libsluice-dp.a
LIBMAGLEV := $(BUILD)/libsluice-maglev.a
LIBFIB := $(BUILD)/libsluice-fib.a
LIBFIBREAD := $(BUILD)/libsluice-fibread.a
LIBFW := $(BUILD)/libsluice-fw.a
LIBPKTGEN := $(BUILD)/libsluice-pktgen.a
LIBPKTIO := $(BUILD)/libsluice-pktio.a
LIBGRAPH := $(BUILD)/libsluice-graph.a
LIBSLUICED := $(BUILD)/libsluiced.a
# sluicectl's and sluice-gen's code minus their main, for the unit tests
LIBSLUICECTL := $(BUILD)/libsluicectl.a
LIBSLUICEGEN := $(BUILD)/libsluicegen.a
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
BPFT_BIN := $(BUILD)/tests/bpf_runner
BENCH_BIN := $(BUILD)/bench/sluice-bench

# the container image, without any registry: deploy/image/build.sh
.PHONY: image
image: $(BUILD)/sluiced $(BUILD)/sluicectl $(BUILD)/sluice-vrouter
	deploy/image/build.sh $(BUILD)

.PHONY: all deps build san test test-build test-unit test-bpf test-netns test-bench demo bench soak \
	format format-check clean help
all: $(BUILD)/sluiced $(BUILD)/sluicectl $(UNIT_BINS) \
     $(if $(BPFT_SRCS),$(BPFT_BIN)) $(if $(BENCH_SRCS),$(BENCH_BIN))

help:
	@echo "make demo        install deps, build, run the demo topology"
	@echo "make test        install deps, build (plain + ASan/UBSan), run all tiers"
	@echo "make build       build into build/ (needs deps)"
	@echo "make deps        install Debian packages (idempotent)"
	@echo "make bench       all benchmarks next to their baselines: table on stdout,"
	@echo "                 build/bench/results.json and plots (docs/performance.md)"
	@echo "make test-unit|test-bpf|test-netns|test-bench|test-style   one tier (builds what it runs)"
	@echo "make soak        the API soak for 10 minutes (docs/api.md), the fault tests for 30 s"
	@echo "make fuzz        every libFuzzer target for FUZZ_S [600] seconds, then"
	@echo "                 the differential packet fuzzer for PKTDIFF_N [10000000] frames"
	@echo "make format      reformat the C sources with .clang-format (kernel style)"
	@echo "make format-check  fail when a C source is not formatted"
	@echo "make install     install under PREFIX [/usr/local] (DESTDIR honoured); make uninstall"
	@echo "make deb         build/sluice_<version>_<arch>.deb (dpkg-buildpackage)"

deps:
	@scripts/deps.sh

build: all
san:
	@$(SUBMAKE) SAN=1 all

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/lib/*.h bpf/ctx/*.h include/uapi/sluice/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
# bench programs use bpf/lib's headers (csum.h, fib.h) and the contract
$(BUILD)/bpf/%.bpf.o: bench/%.bpf.c $(wildcard bpf/lib/*.h include/uapi/sluice/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
# bench/throughput.sh loads it with bpftool (no skeleton: nothing in C uses it)
all: $(BUILD)/bpf/xdp_ceiling.bpf.o $(BUILD)/bpf/xdp_src_sink.bpf.o
$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $* > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@
# lib/dp is built after the skeletons it includes
$(call obj,$(DP_SRCS)): | $(SKELS)

archive = @rm -f $@ && ar rcs $@ $^
$(LIBCOMMON): $(call obj,$(COMMON_SRCS))
	$(archive)
$(LIBDP): $(call obj,$(DP_SRCS))
	$(archive)
$(LIBMAGLEV): $(call obj,$(MAGLEV_SRCS))
	$(archive)
$(LIBFIB): $(call obj,$(FIB_SRCS))
	$(archive)
$(LIBFIBREAD): $(call obj,$(FIBREAD_SRCS))
	$(archive)
$(LIBFW): $(call obj,$(FW_SRCS))
	$(archive)
$(LIBPKTGEN): $(call obj,$(PKTGEN_SRCS))
	$(archive)
$(LIBPKTIO): $(call obj,$(PKTIO_SRCS))
	$(archive)
$(LIBGRAPH): $(call obj,$(GRAPH_SRCS))
	$(archive)
$(LIBSLUICED): $(call obj,$(DAEMON_SRCS))
	$(archive)
$(LIBSLUICECTL): $(call obj,$(filter-out cli/main.c,$(CLI_SRCS)))
	$(archive)
$(LIBSLUICEGEN): $(call obj,$(filter-out bench/gen/main.c,$(GEN_SRCS)))
	$(archive)

$(BUILD)/sluiced: $(call obj,daemon/main.c) $(LIBSLUICED) $(LIBDP) $(LIBMAGLEV) \
		  $(LIBFIB) $(LIBFW) $(LIBPKTGEN) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(DAEMON_LIBS)
$(BUILD)/sluicectl: $(call obj,cli/main.c) $(LIBSLUICECTL) $(LIBDP) $(LIBMAGLEV) \
		    $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(CLI_LIBS)
$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(LIBSLUICED) \
		       $(LIBSLUICECTL) $(LIBSLUICEGEN) $(LIBDP) $(LIBMAGLEV) \
		       $(LIBPKTGEN) $(LIBGRAPH) $(LIBPKTIO) $(LIBFIBREAD) \
		       $(LIBFIB) $(LIBFW) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(UNIT_LIBS)
# the fuzz targets' data path, whose LB flow table is plain memory
$(BUILD)/tests/unit/test_lb_flows_api: $(call obj,tests/fuzz/fake_dp.c)
$(BUILD)/obj/tests/unit/test_lb_flows_api.o: CFLAGS += -Itests/fuzz
$(BPFT_BIN): $(call obj,$(BPFT_SRCS)) $(LIBDP) $(LIBPKTGEN) $(LIBMAGLEV) \
	     $(LIBGRAPH) $(LIBPKTIO) $(LIBFIBREAD) $(LIBFIB) \
	     $(LIBFW) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(BPF_LIBS) $(PKTIO_LIBS)
$(BENCH_BIN): $(call obj,$(BENCH_SRCS)) $(LIBDP) $(LIBPKTGEN) $(LIBMAGLEV) \
	      $(LIBFIB) $(LIBFW) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(BENCH_LIBS)

# ---- test tools (tests/tools): small programs the netns tier runs ----------
# steer_rx uses only libbpf, libxdp and the UAPI contract (no lib/dp): it
# proves what an application needs to register an AF_XDP socket; the
# pktio_* tools drive libpktio's drivers.
TOOLS_SRCS := $(wildcard tests/tools/*.c)
TOOLS_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TOOLS_SRCS))
all: $(TOOLS_BINS)
$(BUILD)/tests/tools/%: $(BUILD)/obj/tests/tools/%.o $(LIBPKTIO)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,libbpf libxdp) -lpthread
# l7_ctl makes sluiced's L7 calls (lib/dp/l7.c) for t_l7.sh
$(BUILD)/obj/tests/tools/l7_ctl.o: CFLAGS += -Ilib/dp
$(BUILD)/tests/tools/l7_ctl: $(BUILD)/obj/tests/tools/l7_ctl.o $(LIBDP) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,libbpf)
# lb_flows reads and flushes a pinned LB flow table (lib/dp) for the tests
$(BUILD)/obj/tests/tools/lb_flows.o: CFLAGS += -Ilib/dp
$(BUILD)/tests/tools/lb_flows: $(BUILD)/obj/tests/tools/lb_flows.o $(LIBDP) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,libbpf)
# bench/l7.sh's client and server (the L7 local hop, docs/l7.md)
$(BUILD)/bench/l7bench: $(call obj,bench/l7/l7bench.c)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lpthread
all: $(BUILD)/bench/l7bench
# bench/lineprof.sh's mapper: perf samples in a BPF program to source lines
$(BUILD)/bench/sluice-lineprof: $(call obj,bench/lineprof/lineprof.c)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,libbpf)
all: $(BUILD)/bench/sluice-lineprof
# bench/mapcost: what map accesses cost on this machine (docs/performance.md)
$(BUILD)/bench/sluice-mapcost: $(call obj,bench/mapcost/mapcost.c)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,libbpf)
all: $(BUILD)/bench/sluice-mapcost $(BUILD)/bpf/mapcost.bpf.o
$(BUILD)/bpf/mapcost.bpf.o: bench/mapcost/mapcost.h lib/common/mix64.h

# ---- sluice-gen: traffic generator (bench/gen; bench/throughput.sh uses it) --
# Its own BPF object's skeleton goes to $(BUILD)/gen, out of lib/dp's way.
GEN_BIN := $(BUILD)/sluice-gen
all: $(GEN_BIN) $(BUILD)/bpf/sluice_sink.bpf.o
$(BUILD)/bpf/%.bpf.o: bench/gen/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/gen/sluice_gen.skel.h: $(BUILD)/bpf/sluice_gen.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name sluice_gen > $@.tmp && mv $@.tmp $@
$(call obj,$(GEN_SRCS)): | $(BUILD)/gen/sluice_gen.skel.h
$(GEN_BIN): $(call obj,$(GEN_SRCS)) $(LIBPKTGEN) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(BPF_LIBS) -lm

# Every test tier runs the ASan/UBSan build; `make test` ends with one
# "N passed, N failed" line.
# What the tiers run, built (incremental after the first time).
test-build: deps
	@$(SUBMAKE) all
	@$(SUBMAKE) SAN=1 all
	@# the bpf tier runs its fixtures again on the flow table's variant
	@# for weakly ordered CPUs (bpf/lib/lb_flows.h), built here on x86
	@$(SUBMAKE) BUILD=build/weak BPF_EXTRA_CFLAGS=-DSLUICE_BPF_WEAK_ORDER \
		build/weak/tests/bpf_runner
	@$(SUBMAKE) fuzz-build

test: test-build
	@tests/run.sh build/san

# One tier, built first as `make test` builds (build/san: the ASan/UBSan
# build every tier runs).
test-unit test-bpf test-netns test-bench test-style: test-build
	@tests/run.sh build/san $(patsubst test-%,%,$@)

demo: deps
	@$(SUBMAKE) all
	@scripts/demo.sh build

# the API soak for 10 minutes (`make test` runs it for 1; docs/api.md)
soak: deps
	@$(SUBMAKE) SAN=1 all
	@flock /tmp/sluice-netns.lock env SOAK_S=600 \
		SLUICED=$(CURDIR)/build/san/sluiced SLUICECTL=$(CURDIR)/build/san/sluicectl \
		timeout 900 bash tests/netns/t_api_soak.sh
	@# the fault tests' long variants (docs/operations.md)
	@for t in t_fault_kill t_upgrade_traffic t_flap_storm; do \
		flock /tmp/sluice-netns.lock env FAULT_KILL_S=30 UPGRADE_S=30 FLAP_S=30 \
			SLUICED=$(CURDIR)/build/san/sluiced SLUICECTL=$(CURDIR)/build/san/sluicectl \
			timeout 600 bash tests/netns/$$t.sh || exit 1; \
	done

# stdout carries only the table: the build's output goes to stderr
bench: deps
	@$(SUBMAKE) all >&2
	@bench/run.sh build

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')
format-check:
	@tests/style.sh >/dev/null || { echo "not formatted: run make format" >&2; exit 1; }

clean:
	rm -rf build

# libpktio's shared library, pkg-config file and install target
include lib/pktio/pktio.mk
# libgraph's doc example
include lib/graph/graph.mk
# the libpktio examples: sluice-echo, sluice-l2fwd, sluice-pktio-stats
include examples/examples.mk
# sluice-vrouter, the user-space router (docs/vrouter.md)
include vrouter/vrouter.mk
# make install, make uninstall, make deb (docs/deploy.md)
include deploy/install.mk
# the differential packet fuzzer: build/tests/pktdiff (make fuzz runs it)
include tests/fuzz/diff/diff.mk
# the libFuzzer targets: make fuzz, make fuzz-build (docs/development.md);
# last, as they link every other part's library
include tests/fuzz/fuzz.mk

.SECONDARY:

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

