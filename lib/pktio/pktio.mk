# libpktio as a shared library too (a versioned symbol map, soname
# libsluice-pktio.so.0) with a pkg-config file, so a program outside this
# tree builds with `pkg-config --cflags --libs sluice-pktio`.  Included by
# the Makefile; LIBPKTIO (the static archive) is built there.
#
# build/sluice-pktio.pc points at this tree (include/, build/); `make
# install-pktio PREFIX=/usr/local` installs the headers, both libraries
# and a .pc that points at PREFIX.
PKTIO_VERSION := 0.1.0
PKTIO_REQUIRES := libxdp libbpf json-c
PKTIO_LIBS = $(call pkg_libs,$(PKTIO_REQUIRES)) -lpthread
PKTIO_SO := $(BUILD)/libsluice-pktio.so.0
PKTIO_PC := $(BUILD)/sluice-pktio.pc
PKTIO_PIC_OBJS := $(patsubst %.c,$(BUILD)/pic/%.o,$(PKTIO_SRCS))
PKTIO_LINK_TEST := $(BUILD)/tests/unit/test_pktio_pkgconfig

PKTIO_DOC_EXAMPLE := $(BUILD)/pktio/doc_example

all: $(LIBPKTIO) $(PKTIO_SO) $(PKTIO_PC) $(PKTIO_LINK_TEST) \
	$(PKTIO_DOC_EXAMPLE)

$(BUILD)/pic/lib/pktio/%.o: lib/pktio/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib/pktio -fPIC $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(PKTIO_SO): $(PKTIO_PIC_OBJS) lib/pktio/libsluice-pktio.map
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libsluice-pktio.so.0 \
		-Wl,--version-script=lib/pktio/libsluice-pktio.map \
		-Wl,--no-undefined -o $@ $(PKTIO_PIC_OBJS) $(PKTIO_LIBS)
	ln -sf libsluice-pktio.so.0 $(BUILD)/libsluice-pktio.so

pktio_pc = sed -e 's|@PREFIX@|$(1)|' -e 's|@INCLUDEDIR@|$(2)|' \
	-e 's|@LIBDIR@|$(3)|' -e 's|@VERSION@|$(PKTIO_VERSION)|' \
	-e 's|@REQUIRES@|$(PKTIO_REQUIRES)|' lib/pktio/sluice-pktio.pc.in
$(PKTIO_PC): lib/pktio/sluice-pktio.pc.in lib/pktio/pktio.mk
	$(call pktio_pc,$(CURDIR),$(CURDIR)/include,$(abspath $(BUILD))) > $@

# A third-party program: only what pkg-config says, no -I of this tree,
# strict C11, linked against the shared library.  Built here, run by the
# unit tier (it speaks TAP).
$(PKTIO_LINK_TEST): tests/pktio/consumer.c $(PKTIO_SO) $(PKTIO_PC)
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -pedantic $(SANFLAGS) \
		-o $@ $< $$(PKG_CONFIG_PATH=$(BUILD) pkg-config --cflags \
		--libs sluice-pktio) -ldl -Wl,-rpath,$(abspath $(BUILD))

# docs/pktio.md's example program (its first ```c block) is built the
# same way, so the page cannot drift from the API
$(PKTIO_DOC_EXAMPLE): docs/pktio.md $(PKTIO_SO) $(PKTIO_PC)
	@mkdir -p $(@D)
	awk '/^```c$$/ { n++; if (n == 1) { f = 1; next } } \
		/^```$$/ { f = 0 } f' $< > $@.c
	$(CC) -std=c11 -Wall -Wextra -Werror $(SANFLAGS) -o $@ $@.c \
		$$(PKG_CONFIG_PATH=$(BUILD) pkg-config --cflags --libs \
		sluice-pktio) -Wl,-rpath,$(abspath $(BUILD))

PREFIX ?= /usr/local
# a distribution's multiarch directory goes in LIBDIR (debian/rules)
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
.PHONY: install-pktio
install-pktio: $(LIBPKTIO) $(PKTIO_SO)
	install -d $(DESTDIR)$(INCLUDEDIR)/sluice/pktio \
		$(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 include/sluice/pktio/*.h \
		$(DESTDIR)$(INCLUDEDIR)/sluice/pktio/
	install -m 644 $(LIBPKTIO) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(PKTIO_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libsluice-pktio.so.0 $(DESTDIR)$(LIBDIR)/libsluice-pktio.so
	$(call pktio_pc,$(PREFIX),$(INCLUDEDIR),$(LIBDIR)) \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/sluice-pktio.pc

-include $(shell find $(BUILD)/pic -name '*.d' 2>/dev/null)
