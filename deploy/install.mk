# make install / make uninstall (docs/deploy.md, "Install"), included by
# the Makefile after lib/pktio/pktio.mk (which defines PREFIX, LIBDIR,
# INCLUDEDIR and install-pktio).  Honours DESTDIR; the systemd unit's
# ExecStart is rewritten to $(SBINDIR).  A configuration already in
# $(SYSCONFDIR)/sluice is left alone (the example goes beside it).
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/sluice
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

INSTALL_SBIN := $(BUILD)/sluiced $(BUILD)/sluice-vrouter
INSTALL_BIN := $(BUILD)/sluicectl $(BUILD)/sluice-gen $(BUILD)/sluice-echo \
	$(BUILD)/sluice-l2fwd $(BUILD)/sluice-pktio-stats
INSTALL_MAN8 := docs/man/sluiced.8 docs/man/sluicectl.8

.PHONY: install uninstall
install: $(INSTALL_SBIN) $(INSTALL_BIN) install-pktio
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(SYSCONFDIR)/sluice
	install -m 755 $(INSTALL_SBIN) $(DESTDIR)$(SBINDIR)/
	install -m 755 $(INSTALL_BIN) $(DESTDIR)$(BINDIR)/
	install -m 644 $(INSTALL_MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -m 644 deploy/bash-completion/sluicectl $(DESTDIR)$(BASHCOMPDIR)/
	sed -e 's|^ExecStart=/usr/local/sbin/|ExecStart=$(SBINDIR)/|' \
		-e 's| /etc/sluice/| $(SYSCONFDIR)/sluice/|' \
		deploy/systemd/sluiced.service > $(DESTDIR)$(SYSTEMDUNITDIR)/sluiced.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/sluiced.service
	install -m 644 deploy/systemd/sluiced.json $(DESTDIR)$(DOCDIR)/examples/
	[ -e $(DESTDIR)$(SYSCONFDIR)/sluice/sluiced.json ] || \
		install -m 644 deploy/systemd/sluiced.json $(DESTDIR)$(SYSCONFDIR)/sluice/

# the configuration stays (it is the user's); everything else goes
uninstall:
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(INSTALL_SBIN))) \
		$(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(INSTALL_BIN))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(INSTALL_MAN8))) \
		$(DESTDIR)$(BASHCOMPDIR)/sluicectl \
		$(DESTDIR)$(SYSTEMDUNITDIR)/sluiced.service \
		$(DESTDIR)$(LIBDIR)/libsluice-pktio.a \
		$(DESTDIR)$(LIBDIR)/libsluice-pktio.so \
		$(DESTDIR)$(LIBDIR)/libsluice-pktio.so.0 \
		$(DESTDIR)$(LIBDIR)/pkgconfig/sluice-pktio.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/sluice/pktio $(DESTDIR)$(DOCDIR)
	-rmdir $(DESTDIR)$(INCLUDEDIR)/sluice 2>/dev/null
