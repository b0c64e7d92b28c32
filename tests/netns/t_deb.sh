#!/usr/bin/env bash
# make deb (debian/, deploy/install.mk): the package dpkg-buildpackage
# builds (about a minute: only what it holds), its control fields and
# files, a real `dpkg --root` install into a throw-away root (maintainer
# scripts run outside a chroot with DPKG_ROOT, so they touch nothing of
# this machine's; the libraries come from the host, hence --force-depends)
# where the installed sluiced and sluicectl run, a purge that leaves
# nothing, and `apt-get install --simulate` of the file (every dependency
# resolvable here).  Needs no namespace.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B="$T_TMP/build"	# make deb's copy and package, out of build/'s way
ver=$(cd "$ROOT" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
DEB="$B/sluice_${ver}_${arch}.deb"

if ! make -C "$ROOT" --no-print-directory BUILD="$B" deb >"$T_TMP/deb.log" 2>&1; then
	tail -20 "$T_TMP/deb.log" | sed 's/^/#   /'
	die "make deb"
fi
check "make deb: $(basename "$DEB")" test -s "$DEB"
field() { dpkg-deb -f "$DEB" "$1"; }
check "Package: sluice" test "$(field Package)" = sluice
check "Version: $ver (debian/changelog)" test "$(field Version)" = "$ver"
deps=$(field Depends)
for lib in libbpf1 libxdp1 libjson-c5 libmicrohttpd12 libmnl0 libcurl4 libc6; do
	check "Depends on $lib (dh_shlibdeps)" grep -q "$lib" <<<"$deps"
done
files=$(dpkg-deb -c "$DEB" | awk '{ print $6 }')
for f in ./usr/sbin/sluiced ./usr/sbin/sluice-vrouter ./usr/bin/sluicectl \
	./usr/lib/"$(dpkg-architecture -qDEB_HOST_MULTIARCH)"/libsluice-pktio.so.0 \
	./usr/include/sluice/pktio/pktio.h ./lib/systemd/system/sluiced.service \
	./usr/share/man/man8/sluiced.8.gz ./usr/share/man/man8/sluicectl.8.gz \
	./usr/share/bash-completion/completions/sluicectl ./etc/sluice/sluiced.json; do
	check "holds $f" grep -qx -- "$f" <<<"$files"
done
dpkg-deb -e "$DEB" "$T_TMP/control"
check "conffile /etc/sluice/sluiced.json" grep -qx /etc/sluice/sluiced.json "$T_TMP/control/conffiles"
# the unit is neither enabled nor started by the package
check "postinst starts nothing" sh -c "! grep -qE 'deb-systemd-invoke (start|restart)|systemctl.* start' '$T_TMP/control/postinst'"

# ---- installed into a throw-away root --------------------------------------------
R="$T_TMP/root"
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" && touch "$R/var/lib/dpkg/status"
check "dpkg --root -i" dpkg --root="$R" --force-depends --force-script-chrootless -i "$DEB"
check "dpkg --root: sluice installed (ii)" sh -c "dpkg --root='$R' -l sluice | grep -q '^ii  sluice '"
out=$("$R/usr/sbin/sluiced" --version 2>&1)
check "the installed sluiced --version: $out" test "$out" = "sluiced ${ver%-*}"
check "the installed sluicectl --version" sh -c "'$R/usr/bin/sluicectl' --version | grep -qx 'sluicectl ${ver%-*}'"
check "the installed unit runs /usr/sbin/sluiced" \
	grep -q '^ExecStart=/usr/sbin/sluiced ' "$R/lib/systemd/system/sluiced.service"
check "dpkg --root --purge" dpkg --root="$R" --force-depends --force-script-chrootless --purge sluice
left=$(cd "$R" && find . -path ./var -prune -o \( -type f -o -type l \) -print | wc -l)
check "purged: no file left outside /var" test "$left" = 0

# every dependency resolvable from this machine's archives
out=$(apt-get install --simulate "$DEB" 2>&1)
check "apt-get install --simulate ./$(basename "$DEB")" grep -qE '^(Inst sluice|sluice is already)' <<<"$out"

tap_done
