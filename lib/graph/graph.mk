# libgraph's extras, included by the Makefile (LIBGRAPH, the static
# archive, is built there): docs/graph.md's node example (its first ```c
# block) is compiled, so the page cannot drift from the API.
GRAPH_DOC_EXAMPLE := $(BUILD)/graph/doc_example.o

all: $(GRAPH_DOC_EXAMPLE)

$(GRAPH_DOC_EXAMPLE): docs/graph.md $(wildcard include/sluice/graph/*.h)
	@mkdir -p $(@D)
	awk '/^```c$$/ { n++; if (n == 1) { f = 1; next } } \
		/^```$$/ { f = 0 } f' $< > $(@:.o=.c)
	$(CC) $(CFLAGS) -Wno-missing-prototypes -Wno-missing-variable-declarations -c $(@:.o=.c) -o $@

# tests/tools/graph_udp_echo runs a graph on sluiced's FIB: libgraph (before
# libpktio and libfibread, which it uses) on top of the tools' rule
$(BUILD)/obj/tests/tools/graph_udp_echo.o: CFLAGS += -Ilib/fibread
$(BUILD)/tests/tools/graph_udp_echo: $(BUILD)/obj/tests/tools/graph_udp_echo.o \
		$(LIBGRAPH) $(LIBPKTIO) $(LIBFIBREAD) $(LIBFIB) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,libbpf libxdp) -lpthread

# the UDP channels' example: the ```c block after "<!-- doc-example: udp -->"
GRAPH_DOC_UDP_EXAMPLE := $(BUILD)/graph/doc_udp_example.o
all: $(GRAPH_DOC_UDP_EXAMPLE)
$(GRAPH_DOC_UDP_EXAMPLE): docs/graph.md $(wildcard include/sluice/graph/*.h)
	@mkdir -p $(@D)
	awk '/^<!-- doc-example: udp -->$$/ { m = 1; next } \
		m && /^```c$$/ { f = 1; next } f && /^```$$/ { exit } f' $< > $(@:.o=.c)
	$(CC) $(CFLAGS) -Wno-missing-prototypes -c $(@:.o=.c) -o $@
