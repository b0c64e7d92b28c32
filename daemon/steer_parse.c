// SPDX-License-Identifier: BSD-2-Clause
/*
 * Steering selectors from JSON and back (steer.h): pure, each refusal
 * naming the field and the value.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <json-c/json.h>
#include "json_out.h"
#include "steer.h"
#include "errbuf.h"

enum {
	K_ID = 1u << 0,
	K_IFACE = 1u << 1,
	K_PROTO = 1u << 2,
	K_DPORT = 1u << 3,
	K_DST = 1u << 4,
	K_VIP = 1u << 5,
	K_QUEUE = 1u << 6,
	K_TRANSIT = 1u << 7,
};

static const struct {
	const char *name;
	unsigned int bit;
} sel_keys[] = {
	{ "id", K_ID },	      { "iface", K_IFACE },	{ "proto", K_PROTO },
	{ "dport", K_DPORT }, { "dst", K_DST },		{ "vip", K_VIP },
	{ "queue", K_QUEUE }, { "transit", K_TRANSIT },
};
#define N_SEL_KEYS (sizeof(sel_keys) / sizeof(sel_keys[0]))

static const char *json_text(struct json_object *v)
{
	return json_object_to_json_string_ext(
		v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* "N" within @lo..@hi, digits only. */
static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_dport(struct json_object *v, const char *where,
		       struct steer_sel *s, char *err, size_t errlen)
{
	char buf[16], *dash;
	uint32_t lo, hi;

	if (json_object_is_type(v, json_type_int)) {
		int64_t p = json_object_get_int64(v);

		if (p < 1 || p > 65535)
			goto bad;
		s->port_lo = s->port_hi = (uint16_t)p;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) >= (int)sizeof(buf))
		goto bad;
	strcpy(buf, json_object_get_string(v));
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (parse_u32(buf, 1, 65535, &lo) ||
	    parse_u32(dash ? dash : buf, 1, 65535, &hi) || lo > hi)
		goto bad;
	s->port_lo = (uint16_t)lo;
	s->port_hi = (uint16_t)hi;
	return 0;
bad:
	return errbuf_einval(err, errlen,
			     "%sdport: %s is not a port or a range N-M within "
			     "1..65535 (N <= M)",
			     where, json_text(v));
}

/* "ADDR/LEN" (@prefix) or "ADDR", no host bits set. */
static int parse_addr(const char *txt, bool prefix, struct steer_sel *s)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned int bits;
	uint32_t plen;

	if (strlen(txt) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, txt);
	slash = strchr(buf, '/');
	if (slash) {
		if (!prefix)
			return -EINVAL;
		*slash++ = '\0';
	}
	s->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	memset(s->addr, 0, sizeof(s->addr));
	if (inet_pton(s->family, buf, s->addr) != 1)
		return -EINVAL;
	bits = s->family == AF_INET ? 32 : 128;
	if (slash) {
		if (parse_u32(slash, 0, bits, &plen))
			return -EINVAL;
	} else {
		plen = bits;
	}
	for (unsigned int b = plen; b < bits; b++)
		if (s->addr[b / 8] & (0x80 >> (b % 8)))
			return -EINVAL;
	s->plen = (uint8_t)plen;
	return 0;
}

static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n < IFNAMSIZ && !strchr(s, '/') && !strchr(s, ' ') &&
	       strcmp(s, ".") && strcmp(s, "..");
}

/* One field of a selector into @s. */
static int parse_field(unsigned int bit, struct json_object *v,
		       const char *where, const char *key, struct steer_sel *s,
		       char *err, size_t errlen)
{
	const char *str;

	if (bit == K_ID || bit == K_QUEUE) {
		int64_t n = json_object_get_int64(v);
		int64_t max = bit == K_ID ? STEER_MAX_SELECTORS :
					    SLUICE_STEER_MAX_QUEUES - 1;

		if (!json_object_is_type(v, json_type_int) ||
		    n < (bit == K_ID) || n > max)
			return errbuf_einval(
				err, errlen, "%s%s: %s is not %s %d..%" PRId64,
				where, key, json_text(v),
				bit == K_ID ? "a selector id" : "an rx queue",
				bit == K_ID, max);
		if (bit == K_ID)
			s->id = (uint32_t)n;
		else
			s->queue = (uint32_t)n;
		return 0;
	}
	if (bit == K_DPORT)
		return parse_dport(v, where, s, err, errlen);
	if (bit == K_TRANSIT) {
		/* the kind's name, not a switch: false would read as "not
		 * transit", which is no selector at all */
		if (!json_object_is_type(v, json_type_boolean) ||
		    !json_object_get_boolean(v))
			return errbuf_einval(
				err, errlen,
				"%stransit: %s is not true (a transit "
				"selector is {\"transit\": true})",
				where, json_text(v));
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return errbuf_einval(err, errlen,
				     "%s%s: expected string, got %s (%s)",
				     where, key,
				     json_type_to_name(json_object_get_type(v)),
				     json_text(v));
	str = json_object_get_string(v);
	switch (bit) {
	case K_IFACE:
		if (!ifname_ok(str))
			return errbuf_einval(
				err, errlen,
				"%siface: '%s' is not an interface name", where,
				str);
		snprintf(s->iface, sizeof(s->iface), "%s", str);
		return 0;
	case K_PROTO:
		if (!strcmp(str, "udp"))
			s->proto = IPPROTO_UDP;
		else if (!strcmp(str, "tcp"))
			s->proto = IPPROTO_TCP;
		else
			return errbuf_einval(
				err, errlen,
				"%sproto: '%s' is not udp or tcp (only "
				"TCP and UDP are steered)",
				where, str);
		return 0;
	case K_DST:
		if (parse_addr(str, true, s))
			return errbuf_einval(
				err, errlen,
				"%sdst: '%s' is not a prefix (ADDR/LEN, "
				"no host bits set)",
				where, str);
		return 0;
	default: /* K_VIP */
		if (parse_addr(str, false, s))
			return errbuf_einval(err, errlen,
					     "%svip: '%s' is not an address",
					     where, str);
		return 0;
	}
}

static int unknown_key(const char *where, const char *key, unsigned int allowed,
		       char *err, size_t errlen)
{
	char known[96] = "";
	size_t n = 0;

	for (size_t i = 0; i < N_SEL_KEYS; i++)
		if (sel_keys[i].bit & allowed)
			n += (size_t)snprintf(known + n, sizeof(known) - n,
					      "%s%s", n ? ", " : "",
					      sel_keys[i].name);
	return errbuf_einval(
		err, errlen, "%s%s: not a field of a selector (known: %s)%s",
		where, key, known,
		!strcmp(key, "id") ? "; ids are given by sluiced" : "");
}

int steer_sel_parse(struct json_object *o, const char *where, unsigned int keys,
		    struct steer_sel *s, char *err, size_t errlen)
{
	unsigned int allowed = K_IFACE | K_PROTO | K_DPORT | K_DST | K_VIP |
			       K_QUEUE | K_TRANSIT,
		     seen = 0, kinds;
	struct steer_sel v = { .queue = SLUICE_STEER_ANY_QUEUE };
	int rc;

	if (keys & STEER_PARSE_ID)
		allowed |= K_ID;
	if (!json_object_is_type(o, json_type_object))
		return errbuf_einval(err, errlen,
				     "%s: expected object, got %s (%s)",
				     *where ? where : "body",
				     json_type_to_name(json_object_get_type(o)),
				     json_text(o));
	json_object_object_foreach(o, key, val) {
		unsigned int bit = 0;

		for (size_t i = 0; i < N_SEL_KEYS; i++)
			if (!strcmp(key, sel_keys[i].name))
				bit = sel_keys[i].bit;
		if (!(bit & allowed))
			return unknown_key(where, key, allowed, err, errlen);
		rc = parse_field(bit, val, where, key, &v, err, errlen);
		if (rc)
			return rc;
		seen |= bit;
	}
	if (seen & K_TRANSIT) {
		const char *other = (seen & K_PROTO) ? "proto" :
				    (seen & K_DPORT) ? "dport" :
				    (seen & K_DST)   ? "dst" :
				    (seen & K_VIP)   ? "vip" :
						       NULL;

		if (other)
			return errbuf_einval(
				err, errlen,
				"%s%s: not with transit (a transit "
				"selector takes every packet the router "
				"forwards, whatever its protocol, port or "
				"destination)",
				where, other);
	}
	kinds = !!(seen & (K_PROTO | K_DPORT)) + !!(seen & K_DST) +
		!!(seen & K_VIP) + !!(seen & K_TRANSIT);
	if (kinds != 1)
		return errbuf_einval(
			err, errlen,
			"%s%s: a selector is one of proto and dport, dst, "
			"vip, or transit",
			where, kinds ? "dst" : "proto");
	if ((seen & K_PROTO) && !(seen & K_DPORT))
		return errbuf_einval(
			err, errlen,
			"%sdport: required with proto (a port or N-M)", where);
	if ((seen & K_DPORT) && !(seen & K_PROTO))
		return errbuf_einval(
			err, errlen,
			"%sproto: required with dport (udp or tcp)", where);
	v.kind = (seen & K_PROTO)   ? STEER_PORT :
		 (seen & K_DST)	    ? STEER_DST :
		 (seen & K_TRANSIT) ? STEER_TRANSIT :
				      STEER_VIP;
	if ((keys & STEER_PARSE_ID) && !(seen & K_ID))
		return errbuf_einval(err, errlen, "%sid: required", where);
	*s = v;
	return 0;
}

int steer_sels_parse(struct json_object *a, const char *where,
		     unsigned int keys, struct steer_sel **out, size_t *n,
		     char *err, size_t errlen)
{
	struct steer_sel *v;
	size_t len;

	if (!json_object_is_type(a, json_type_array))
		return errbuf_einval(
			err, errlen, "%s: expected array, got %s", where,
			json_type_to_name(json_object_get_type(a)));
	len = json_object_array_length(a);
	if (len > STEER_MAX_SELECTORS)
		return errbuf_einval(err, errlen,
				     "%s: %zu selectors, at most %d", where,
				     len, STEER_MAX_SELECTORS);
	v = calloc(len ? len : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		char w[48];
		int rc;

		snprintf(w, sizeof(w), "%s[%zu].", where, i);
		rc = steer_sel_parse(json_object_array_get_idx(a, i), w, keys,
				     &v[i], err, errlen);
		for (size_t j = 0; !rc && j < i; j++)
			if (v[i].id && v[i].id == v[j].id)
				rc = errbuf_einval(err, errlen,
						   "%sid: %u is %s[%zu]'s too",
						   w, v[i].id, where, j);
			else if (steer_sel_overlap(&v[i], &v[j]))
				rc = errbuf_einval(err, errlen,
						   "%s: overlaps %s[%zu] (%s)",
						   w, where, j,
						   steer_overlap_why(&v[i]));
		if (rc) {
			free(v);
			return rc;
		}
	}
	*out = v;
	*n = len;
	return 0;
}

const char *steer_kind_name(enum steer_kind k)
{
	switch (k) {
	case STEER_PORT: return "port";
	case STEER_DST: return "dst";
	case STEER_VIP: return "vip";
	case STEER_TRANSIT: return "transit";
	}
	return "?";
}

const char *steer_overlap_why(const struct steer_sel *s)
{
	return s->kind == STEER_TRANSIT ?
		       "a transit selector of the same interface: one per "
		       "interface, and one for every port" :
		       "the same interface and port or prefix";
}

void steer_sel_text(const struct steer_sel *s, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (s->kind == STEER_TRANSIT) {
		snprintf(buf, len, "transit");
		return;
	}
	if (s->kind == STEER_PORT) {
		const char *p = s->proto == IPPROTO_TCP ? "tcp" : "udp";

		if (s->port_lo == s->port_hi)
			snprintf(buf, len, "%s %u", p, s->port_lo);
		else
			snprintf(buf, len, "%s %u-%u", p, s->port_lo,
				 s->port_hi);
		return;
	}
	inet_ntop(s->family, s->addr, a, sizeof(a));
	if (s->kind == STEER_VIP)
		snprintf(buf, len, "vip %s", a);
	else
		snprintf(buf, len, "dst %s/%u", a, s->plen);
}

struct json_object *steer_sel_json(const struct steer_sel *s)
{
	struct json_object *o = json_object_new_object();
	char a[INET6_ADDRSTRLEN + 8], t[64];

	if (!o)
		return NULL;
	json_add_int(o, "id", s->id);
	if (s->iface[0])
		json_add_str(o, "iface", s->iface);
	if (s->kind == STEER_PORT) {
		json_add_str(o, "proto",
			     s->proto == IPPROTO_TCP ? "tcp" : "udp");
		if (s->port_lo == s->port_hi)
			snprintf(t, sizeof(t), "%u", s->port_lo);
		else
			snprintf(t, sizeof(t), "%u-%u", s->port_lo, s->port_hi);
		json_add_str(o, "dport", t);
	} else if (s->kind == STEER_TRANSIT) {
		json_add_bool(o, "transit", true);
	} else {
		inet_ntop(s->family, s->addr, a, sizeof(a));
		if (s->kind == STEER_DST) {
			size_t n = strlen(a);

			snprintf(a + n, sizeof(a) - n, "/%u", s->plen);
		}
		json_add_str(o, s->kind == STEER_DST ? "dst" : "vip", a);
	}
	if (s->queue != SLUICE_STEER_ANY_QUEUE)
		json_add_int(o, "queue", s->queue);
	return o;
}

/* The address part of a DST or VIP (a VIP is its host prefix). */
static bool same_prefix(const struct steer_sel *a, const struct steer_sel *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

bool steer_sel_overlap(const struct steer_sel *a, const struct steer_sel *b)
{
	if (strcmp(a->iface, b->iface))
		return false;
	if (a->kind == STEER_TRANSIT || b->kind == STEER_TRANSIT)
		return a->kind == b->kind;
	if (a->kind == STEER_PORT || b->kind == STEER_PORT)
		return a->kind == b->kind && a->proto == b->proto &&
		       a->port_lo <= b->port_hi && b->port_lo <= a->port_hi;
	return same_prefix(a, b);
}

size_t steer_sel_entries(const struct steer_sel *s)
{
	return s->kind == STEER_PORT ? (size_t)(s->port_hi - s->port_lo) + 1 :
				       1;
}
