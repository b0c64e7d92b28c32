# sluice-vrouter (vrouter/, docs/vrouter.md): the user-space router on
# libgraph, libpktio and lib/fibread.  Included by the Makefile.
# LIBVROUTER is its code minus main, for the unit tests; the HTTP client
# is sluicectl's (cli/http.c), for the transit steering selectors.
VROUTER_SRCS := $(filter-out vrouter/main.c,$(wildcard vrouter/*.c))
LIBVROUTER := $(BUILD)/libsluice-vrouter.a
VROUTER_LIBS = $(call pkg_libs,libxdp libbpf json-c libcurl) -lpthread
VROUTER_BIN := $(BUILD)/sluice-vrouter

all: $(VROUTER_BIN)

$(BUILD)/obj/vrouter/%.o: CFLAGS += -Ivrouter -Ilib/fibread -Icli -Ilib/maglev

$(LIBVROUTER): $(call obj,$(VROUTER_SRCS) cli/http.c)
	$(archive)
$(VROUTER_BIN): $(call obj,vrouter/main.c) $(LIBVROUTER) $(LIBGRAPH) \
		$(LIBPKTIO) $(LIBFIBREAD) $(LIBFIB) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(VROUTER_LIBS)

# its unit tests (tests/unit/test_vrouter_*.c) link its code too
$(BUILD)/obj/tests/unit/test_vrouter_%.o: CFLAGS += -Ivrouter
$(BUILD)/tests/unit/test_vrouter_%: $(BUILD)/obj/tests/unit/test_vrouter_%.o \
		$(LIBVROUTER) $(LIBGRAPH) $(LIBPKTIO) $(LIBFIBREAD) $(LIBFIB) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(VROUTER_LIBS) -lcmocka
