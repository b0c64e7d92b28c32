# The libpktio examples (examples/, docs/pktio.md): sluice-echo,
# sluice-l2fwd and sluice-pktio-stats.  Included by the Makefile; they
# link the static libpktio like any program of this tree.
EXAMPLE_LIB_SRCS := examples/app_cli.c
EXAMPLE_LIBS = $(call pkg_libs,libxdp libbpf json-c) -lpthread
EXAMPLES := $(BUILD)/sluice-echo $(BUILD)/sluice-l2fwd $(BUILD)/sluice-pktio-stats

all: $(EXAMPLES)

$(BUILD)/obj/examples/%.o: CFLAGS += -Iexamples

$(BUILD)/sluice-echo: $(call obj,examples/echo.c $(EXAMPLE_LIB_SRCS)) $(LIBPKTIO)
	$(CC) $(LDFLAGS) -o $@ $^ $(EXAMPLE_LIBS)
$(BUILD)/sluice-l2fwd: $(call obj,examples/l2fwd.c $(EXAMPLE_LIB_SRCS)) $(LIBPKTIO)
	$(CC) $(LDFLAGS) -o $@ $^ $(EXAMPLE_LIBS)
$(BUILD)/sluice-pktio-stats: $(call obj,examples/pktio_stats.c) $(LIBPKTIO)
	$(CC) $(LDFLAGS) -o $@ $^ $(EXAMPLE_LIBS)
# sluice-l7proxy: the L7 local hop's HTTP/1.1 proxy (docs/l7.md), libc only
$(BUILD)/sluice-l7proxy: $(call obj,examples/l7proxy.c)
	$(CC) $(LDFLAGS) -o $@ $^
all: $(BUILD)/sluice-l7proxy
# sluice-echo's turn-around is tested on its own (tests/unit/test_udp_swap.c)
$(BUILD)/obj/tests/unit/test_udp_swap.o: CFLAGS += -Iexamples
# bench/pktio.sh's baseline for sluice-echo: a recvmmsg/sendmmsg socket echo
$(BUILD)/bench/udp-echo-sock: $(call obj,bench/pktio/udp_echo_sock.c)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^
all: $(BUILD)/bench/udp-echo-sock
