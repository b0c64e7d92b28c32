// SPDX-License-Identifier: BSD-2-Clause
/* A VIP's text id: see vip_id.h. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "vip_id.h"
#include "errbuf.h"

/* At most 6 digits: leading zeros are fine, an overlong number is not. */
#define PORT_DIGITS_MAX 6

int vip_id_parse(const char *s, struct sluice_vip_key *k, char *why,
		 size_t whylen)
{
	char addr[INET6_ADDRSTRLEN];
	const char *a = s, *aend, *colon, *slash;
	int family = *s == '[' ? AF_INET6 : AF_INET;
	size_t alen, plen, i;
	unsigned long port = 0;

	memset(k, 0, sizeof(*k));
	if (family == AF_INET6) {
		a = s + 1;
		aend = strchr(a, ']');
		if (!aend || aend[1] != ':')
			return errbuf_einval(why, whylen, VIP_ID_EXPECTED);
		colon = aend + 1;
	} else {
		/* the last ':' before any '/' */
		slash = strchr(s, '/');
		colon = NULL;
		for (const char *c = s; *c && (!slash || c < slash); c++)
			if (*c == ':')
				colon = c;
		if (!colon)
			return errbuf_einval(why, whylen, VIP_ID_EXPECTED);
		/* "2001:db8::1:80" would be ambiguous */
		if (memchr(s, ':', (size_t)(colon - s)))
			return errbuf_einval(
				why, whylen,
				"an IPv6 address goes in brackets, [ADDR]:PORT/PROTO");
		aend = colon;
	}
	slash = strchr(colon, '/');
	if (!slash)
		return errbuf_einval(why, whylen,
				     "no /PROTO (tcp or udp) after the port");
	alen = (size_t)(aend - a);
	plen = (size_t)(slash - colon - 1);
	if (alen >= sizeof(addr))
		alen = sizeof(addr) - 1; /* fails inet_pton below */
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	if (inet_pton(family, addr, k->addr) != 1)
		return errbuf_einval(why, whylen,
				     "'%.*s' is not an IPv%d address",
				     (int)(aend - a), a,
				     family == AF_INET6 ? 6 : 4);
	for (i = 0; i < plen && i < PORT_DIGITS_MAX &&
		    isdigit((unsigned char)colon[1 + i]);
	     i++)
		port = port * 10 + (unsigned long)(colon[1 + i] - '0');
	if (!plen || i < plen || port > 65535)
		return errbuf_einval(why, whylen, "port '%.*s' is not 0..65535",
				     (int)(slash - colon - 1), colon + 1);
	if (!strcmp(slash + 1, "tcp"))
		k->proto = IPPROTO_TCP;
	else if (!strcmp(slash + 1, "udp"))
		k->proto = IPPROTO_UDP;
	else
		return errbuf_einval(why, whylen,
				     "protocol '%s' is not tcp or udp",
				     slash + 1);
	k->family = (__u8)family;
	k->port = htons((uint16_t)port);
	return 0;
}

const char *vip_id_str(const struct sluice_vip_key *k, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(k->family, k->addr, a, sizeof(a));
	snprintf(buf, len, k->family == AF_INET6 ? "[%s]:%u/%s" : "%s:%u/%s", a,
		 ntohs(k->port), k->proto == IPPROTO_UDP ? "udp" : "tcp");
	return buf;
}
