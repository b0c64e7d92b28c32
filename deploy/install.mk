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

.PHONY: install uninstall install-files deb
# what install takes, built alone (debian/rules builds only this)
install-files: $(INSTALL_SBIN) $(INSTALL_BIN) $(LIBPKTIO) $(PKTIO_SO)
install: install-files install-pktio
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

# make deb: dpkg-buildpackage (debhelper compat 13, debian/) in a copy of
# the tracked files under $(BUILD)/deb, so that its clean and its build
# leave this tree alone; the package lands in $(BUILD).  A full build of
# what the package holds: about a minute on 2 cores.
DEB_VERSION = $(shell dpkg-parsechangelog -S Version 2>/dev/null)
DEB_ARCH = $(shell dpkg --print-architecture 2>/dev/null)
DEB_SRC = $(BUILD)/deb/sluice-$(DEB_VERSION)
DEB = $(BUILD)/sluice_$(DEB_VERSION)_$(DEB_ARCH).deb
deb:
	rm -rf $(BUILD)/deb
	mkdir -p $(DEB_SRC)
	git ls-files -z | xargs -0 cp -a --parents -t $(DEB_SRC)
	cd $(DEB_SRC) && dpkg-buildpackage -b -us -uc
	cp $(BUILD)/deb/sluice_$(DEB_VERSION)_$(DEB_ARCH).deb $(DEB)
	@echo "deb: $(DEB)"
