#!/usr/bin/env bash
# make install / make uninstall (deploy/install.mk, docs/deploy.md): the
# tree `make install DESTDIR=... PREFIX=/usr` lays out (files, modes, the
# unit's ExecStart, the .pc's prefix), a program built and linked with only
# what the installed pkg-config file says, the installed man pages (man -l
# without a warning, every option of sluiced --help and every noun and
# option of sluicectl's help in them), the installed bash completion
# (every noun, verb and option sluicectl's help prints is completed), and
# an uninstall that leaves only the configuration.  Needs no namespace.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BDIR=$(dirname "$SLUICED")
MK=(-C "$ROOT" --no-print-directory BUILD="$BDIR")
SANCC=()
if [ "$(basename "$BDIR")" = san ]; then
	MK+=(SAN=1)
	SANCC=(-fsanitize=address,undefined)
fi
D="$T_TMP/root"

check "make install DESTDIR PREFIX=/usr" make "${MK[@]}" install DESTDIR="$D" PREFIX=/usr

# mode PATH MODE: a regular file with that mode
mode() { [ -f "$D$1" ] && [ ! -L "$D$1" ] && [ "$(stat -c %a "$D$1")" = "$2" ]; }
for f in /usr/sbin/sluiced /usr/sbin/sluice-vrouter /usr/bin/sluicectl /usr/bin/sluice-gen \
	/usr/bin/sluice-echo /usr/bin/sluice-l2fwd /usr/bin/sluice-pktio-stats \
	/usr/lib/libsluice-pktio.so.0; do
	check "installed $f (755)" mode "$f" 755
done
for f in /usr/lib/libsluice-pktio.a /usr/lib/pkgconfig/sluice-pktio.pc \
	/usr/include/sluice/pktio/pktio.h /usr/include/sluice/pktio/ring.h \
	/usr/share/man/man8/sluiced.8 /usr/share/man/man8/sluicectl.8 \
	/usr/share/bash-completion/completions/sluicectl \
	/usr/lib/systemd/system/sluiced.service /etc/sluice/sluiced.json \
	/usr/share/doc/sluice/examples/sluiced.json; do
	check "installed $f (644)" mode "$f" 644
done
check "libsluice-pktio.so -> libsluice-pktio.so.0" \
	test "$(readlink "$D/usr/lib/libsluice-pktio.so")" = libsluice-pktio.so.0
check "the unit's ExecStart is /usr/sbin/sluiced" \
	grep -qx 'ExecStart=/usr/sbin/sluiced --config /etc/sluice/sluiced.json' \
	"$D/usr/lib/systemd/system/sluiced.service"
# a reload would be a clean stop (every signal ends sluiced): none
check "the unit has no ExecReload" \
	bash -c '! grep -q "^ExecReload" "$1"' _ "$D/usr/lib/systemd/system/sluiced.service"
check "the installed sluiced runs (--version)" "$D/usr/sbin/sluiced" --version
out=$(systemd-analyze verify --man=no "$D/usr/lib/systemd/system/sluiced.service" 2>&1)
# its ExecStart names /usr/sbin/sluiced, which is in $D, not on this host
out=$(grep -v 'Command /usr/sbin/sluiced is not executable' <<<"$out")
check "systemd-analyze verify: the installed unit, nothing else to say" test -z "$out"

# ---- libpktio through the installed pkg-config file -------------------------------
PC="$D/usr/lib/pkgconfig"
check "sluice-pktio.pc: prefix=/usr" grep -qx 'prefix=/usr' "$PC/sluice-pktio.pc"
check "sluice-pktio.pc: libdir=/usr/lib" grep -qx 'libdir=/usr/lib' "$PC/sluice-pktio.pc"
# (pkg-config leaves out -L of a system directory such as /usr/lib)
libs=$(pkg-config --with-path "$PC" --libs sluice-pktio)
check "pkg-config --libs sluice-pktio: -lsluice-pktio ($libs)" \
	grep -qE '^(-L/usr/lib )?-lsluice-pktio *$' <<<"$libs"
cat >"$T_TMP/consumer.c" <<'C'
#include <stdio.h>
#include <sluice/pktio/pktio.h>

int main(void)
{
	const char *const *d = pktio_driver_names();
	int n = 0;

	while (d && d[n])
		n++;
	printf("%d drivers\n", n);
	return n > 0 ? 0 : 1;
}
C
# the sysroot prefixes /usr/include and /usr/lib with the install tree
flags=$(PKG_CONFIG_SYSROOT_DIR="$D" pkg-config --with-path "$PC" --cflags --libs sluice-pktio)
check "a C program compiles and links against the installed library" \
	cc -std=c11 -Wall -Werror "${SANCC[@]}" -o "$T_TMP/consumer" "$T_TMP/consumer.c" $flags
check "and runs with it (LD_LIBRARY_PATH)" env LD_LIBRARY_PATH="$D/usr/lib" "$T_TMP/consumer"
check "it loaded the installed library" sh -c \
	"LD_LIBRARY_PATH='$D/usr/lib' ldd '$T_TMP/consumer' | grep -q '$D/usr/lib/libsluice-pktio.so.0'"

# ---- man pages -----------------------------------------------------------------------
MAN8="$D/usr/share/man/man8"
for p in sluiced sluicectl; do
	w=$(MANWIDTH=80 man --warnings -l "$MAN8/$p.8" 2>&1 >/dev/null)
	[ -z "$w" ] && tap_ok "man -l $p.8: no warnings" || tap_fail "man -l $p.8: no warnings" "$w"
done
page=$(MANWIDTH=80 man -l "$MAN8/sluiced.8" 2>/dev/null | col -b)
opts=$("$SLUICED" --help | grep -oE -- '(^|[ ,])--?[a-zA-Z][a-z-]*' | tr -d ' ,' | sort -u)
miss=""
for o in $opts; do grep -qF -- "$o" <<<"$page" || miss="$miss $o"; done
check "sluiced.8 has every option of sluiced --help ($(wc -w <<<"$opts"))" test -z "$miss"
[ -n "$miss" ] && echo "# missing:$miss"

page=$(MANWIDTH=200 man -l "$MAN8/sluicectl.8" 2>/dev/null | col -b)
NOUNS=$("$SLUICECTL" --help | awk '/^  [a-z]+ / || /^  help/ { print $1 }' | sort -u)
[ "$(wc -w <<<"$NOUNS")" -ge 14 ] || tap_fail "sluicectl --help lists its nouns" "$NOUNS"
miss=""
for n in $NOUNS; do grep -qE "^ +$n( |$)" <<<"$page" || miss="$miss $n"; done
check "sluicectl.8 has every noun of sluicectl --help ($(wc -w <<<"$NOUNS"))" test -z "$miss"
[ -n "$miss" ] && echo "# missing:$miss"
ALLOPTS=$( ("$SLUICECTL" --help; for n in $NOUNS; do "$SLUICECTL" "$n" help; done) 2>&1 |
	grep -oE -- '(^|[ ,[(|])--?[a-z0-9][a-z0-9-]*' | tr -d ' ,[(|' | sort -u)
miss=""
for o in $ALLOPTS; do grep -qF -- "$o" <<<"$page" || miss="$miss $o"; done
check "sluicectl.8 has every option sluicectl's help prints ($(wc -w <<<"$ALLOPTS"))" test -z "$miss"
[ -n "$miss" ] && echo "# missing:$miss"

# ---- bash completion -------------------------------------------------------------------
# shellcheck source=/dev/null
. "$D/usr/share/bash-completion/completions/sluicectl"
# complete WORD...: what completing the last word offers
complete_words() {
	COMP_WORDS=(sluicectl "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_sluicectl
	printf '%s\n' "${COMPREPLY[@]}"
}
got=$(complete_words "")
miss=""
for n in $NOUNS; do grep -qx "$n" <<<"$got" || miss="$miss $n"; done
check "completion: every noun of sluicectl --help" test -z "$miss"
[ -n "$miss" ] && echo "# missing:$miss"
# a noun's verbs: the words after "NOUN" in its usage lines ("add|set" two)
miss=""
for n in $NOUNS; do
	[ "$n" = help ] && continue
	verbs=$("$SLUICECTL" "$n" help 2>&1 | grep -oE "sluicectl( \[OPTIONS\])? $n [a-z|]+" |
		awk '{ print $NF }' | tr '|' '\n' | sort -u)
	got=$(complete_words "$n" "")
	for v in $verbs show help; do grep -qx "$v" <<<"$got" || miss="$miss $n:$v"; done
	opts=$("$SLUICECTL" "$n" help 2>&1 | grep -oE -- '(^|[ ,[(|])--?[a-z0-9][a-z0-9-]*' |
		tr -d ' ,[(|' | sort -u)
	got=$(complete_words "$n" add -)
	for o in $opts; do grep -qx -- "$o" <<<"$got" || miss="$miss $n:$o"; done
done
check "completion: every verb and option of each noun's help" test -z "$miss"
[ -n "$miss" ] && echo "# missing:$miss"
check "completion: a prefix narrows (ro -> route)" test "$(complete_words ro)" = route
check "completion: global options before the noun" sh -c \
	"printf '%s\n' $(complete_words --a) | grep -qx -- --api"
check "completion: --mode values" test "$(complete_words vip add 198.18.1.1:80/tcp --mode "" | tr '\n' ' ')" = "dsr fullnat "

# ---- uninstall ---------------------------------------------------------------------------
check "make uninstall DESTDIR PREFIX=/usr" make "${MK[@]}" uninstall DESTDIR="$D" PREFIX=/usr
left=$(cd "$D" && find . \( -type f -o -type l \) | sort | tr '\n' ' ')
check "uninstall leaves only the configuration" test "$left" = "./etc/sluice/sluiced.json "
[ "$left" = "./etc/sluice/sluiced.json " ] || echo "# left: $left"

tap_done
