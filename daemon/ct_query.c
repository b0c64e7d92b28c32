// SPDX-License-Identifier: BSD-2-Clause
/* Conntrack queries: the filter, the page and its cursor, an entry's JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include "ct.h"
#include "decimal.h"
#include "dp_ct.h"
#include "json_out.h"

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP },
	{ "icmpv6", IPPROTO_ICMPV6 },
};

#define N_PROTOS (sizeof(protos) / sizeof(protos[0]))

const char *ct_proto_str(uint8_t proto, char *buf, size_t len)
{
	for (size_t i = 0; i < N_PROTOS; i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	snprintf(buf, len, "%u", proto);
	return buf;
}

/* "ADDR" or "ADDR/LEN" into @a (host bits cleared), @plen, @family. */
static int parse_prefix(const char *s, uint8_t *a, uint8_t *plen,
			uint8_t *family)
{
	char buf[INET6_ADDRSTRLEN + 4];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len, max;
	int af;

	if (!alen || alen >= INET6_ADDRSTRLEN)
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(a, 0, 16);
	if (inet_pton(AF_INET, buf, a) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, buf, a) == 1)
		af = AF_INET6;
	else
		return -EINVAL;
	max = af == AF_INET ? 32 : 128;
	len = max;
	if (slash && decimal_parse(slash + 1, 0, max, &len))
		return -EINVAL;
	for (unsigned int bit = (unsigned int)len; bit < max; bit++)
		a[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
	/* plen 0 means "any" to the filter: ::/0 and 0.0.0.0/0 are that */
	*plen = (uint8_t)len;
	*family = (uint8_t)af;
	return 0;
}

int ct_filter_parse(const struct ct_filter_args *a, struct sluice_ct_filter *f,
		    char *err, size_t errlen)
{
	uint8_t fam_src = 0, fam_dst = 0;
	unsigned long n;
	int st;

	memset(f, 0, sizeof(*f));
	if (a->src && parse_prefix(a->src, f->src, &f->src_plen, &fam_src)) {
		snprintf(err, errlen,
			 "src: '%s' is not an address or a prefix "
			 "(ADDR or ADDR/LEN, IPv4 or IPv6)",
			 a->src);
		return -EINVAL;
	}
	if (a->dst && parse_prefix(a->dst, f->dst, &f->dst_plen, &fam_dst)) {
		snprintf(err, errlen,
			 "dst: '%s' is not an address or a prefix "
			 "(ADDR or ADDR/LEN, IPv4 or IPv6)",
			 a->dst);
		return -EINVAL;
	}
	if (fam_src && fam_dst && fam_src != fam_dst) {
		snprintf(err, errlen,
			 "dst: '%s' is not of the family of src '%s'", a->dst,
			 a->src);
		return -EINVAL;
	}
	f->family = fam_src ? fam_src : fam_dst;
	if (a->proto) {
		for (size_t i = 0; i < N_PROTOS && !f->proto; i++)
			if (!strcmp(a->proto, protos[i].name))
				f->proto = protos[i].proto;
		if (!f->proto) {
			if (decimal_parse(a->proto, 1, 255, &n)) {
				snprintf(err, errlen,
					 "proto: '%s' is not one of tcp, udp, "
					 "icmp, icmpv6 or a number 1..255",
					 a->proto);
				return -EINVAL;
			}
			f->proto = (uint8_t)n;
		}
	}
	if (a->state) {
		st = dp_ct_state_parse(a->state);
		if (st < 0) {
			snprintf(err, errlen,
				 "state: '%s' is not one of syn_sent, "
				 "syn_recv, established, fin_wait, "
				 "close_wait, last_ack, time_wait, close, "
				 "unreplied, replied",
				 a->state);
			return -EINVAL;
		}
		f->state = (uint8_t)st;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int ct_page_parse(const char *limit, const char *cursor, uint32_t *n,
		  struct sluice_ct_key *key, bool *has_cursor, char *err,
		  size_t errlen)
{
	uint8_t *b = (uint8_t *)key;
	unsigned long v = CT_LIMIT_DEFAULT;

	if (limit && decimal_parse(limit, 1, CT_LIMIT_MAX, &v)) {
		snprintf(err, errlen, "limit: '%s' is not a number 1..%u",
			 limit, CT_LIMIT_MAX);
		return -EINVAL;
	}
	*n = (uint32_t)v;
	*has_cursor = false;
	memset(key, 0, sizeof(*key));
	if (!cursor)
		return 0;
	if (strlen(cursor) != CT_CURSOR_LEN)
		goto bad;
	for (size_t i = 0; i < sizeof(*key); i++) {
		int hi = hexval(cursor[2 * i]), lo = hexval(cursor[2 * i + 1]);

		if (hi < 0 || lo < 0)
			goto bad;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*has_cursor = true;
	return 0;
bad:
	snprintf(err, errlen,
		 "cursor: '%.100s' is not a cursor (the 'next' of the previous "
		 "page: %zu lowercase hex digits)",
		 cursor, (size_t)CT_CURSOR_LEN);
	return -EINVAL;
}

void ct_cursor_str(const struct sluice_ct_key *k, char *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)k;
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(*k) && n + 3 <= len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%02x", b[i]);
}

static uint64_t secs_since(uint64_t now_ns, uint64_t t_ns)
{
	return now_ns > t_ns ? (now_ns - t_ns) / 1000000000ull : 0;
}

struct json_object *ct_entry_json(const struct sluice_ct_key *k,
				  const struct sluice_ct_entry *e,
				  uint64_t now_ns, const uint32_t *timeouts)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} flag_names[] = {
		{ SLUICE_CTF_REPLIED, "replied" },
		{ SLUICE_CTF_FIN_ORIG, "fin_orig" },
		{ SLUICE_CTF_FIN_REPL, "fin_reply" },
		{ SLUICE_CTF_PICKUP, "pickup" },
		{ SLUICE_CTF_SYNPROXY, "synproxy" },
		{ SLUICE_CTF_NAT, "nat" },
	};
	struct json_object *o = json_object_new_object();
	struct json_object *flags = json_object_new_array();
	const uint8_t *src, *dst;
	char a[INET6_ADDRSTRLEN], pbuf[8];
	__be16 sport, dport;
	uint64_t deadline;
	int af = k->family == AF_INET6 ? AF_INET6 : AF_INET;
	bool icmp = k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6;

	dp_ct_sides(k, e, &src, &sport, &dst, &dport);
	json_add_str(o, "family", af == AF_INET ? "ipv4" : "ipv6");
	json_add_str(o, "proto", ct_proto_str(k->proto, pbuf, sizeof(pbuf)));
	json_add_str(o, "src", inet_ntop(af, src, a, sizeof(a)));
	if (!icmp)
		json_add_int(o, "sport", ntohs(sport));
	json_add_str(o, "dst", inet_ntop(af, dst, a, sizeof(a)));
	if (!icmp)
		json_add_int(o, "dport", ntohs(dport));
	else
		json_add_int(o, "id", ntohs(sport));
	json_add_str(o, "state", dp_ct_state_name(e->state));
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (e->flags & flag_names[i].bit)
			json_object_array_add(
				flags,
				json_object_new_string(flag_names[i].name));
	json_object_object_add(o, "flags", flags);
	json_add_int(o, "age_s", (int64_t)secs_since(now_ns, e->created_ns));
	json_add_int(o, "idle_s", (int64_t)secs_since(now_ns, e->last_seen_ns));
	/* when the entry goes if nothing more comes: its state's timeout
	 * from the last packet (the timer may fire up to a timeout late of
	 * a deadline that moved, and then re-arms itself) */
	deadline = e->last_seen_ns +
		   (e->state < SLUICE_CT_NSTATES ? timeouts[e->state] : 0) *
			   1000000000ull;
	json_add_int(o, "expires_s",
		     deadline > now_ns ?
			     (int64_t)((deadline - now_ns) / 1000000000ull) :
			     0);
	json_add_int(o, "packets_orig", (int64_t)e->packets[0]);
	json_add_int(o, "bytes_orig", (int64_t)e->bytes[0]);
	json_add_int(o, "packets_reply", (int64_t)e->packets[1]);
	json_add_int(o, "bytes_reply", (int64_t)e->bytes[1]);
	json_add_int(o, "in_ifindex", e->in_ifindex);
	return o;
}
