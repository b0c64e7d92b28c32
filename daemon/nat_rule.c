// SPDX-License-Identifier: BSD-2-Clause
/*
 * NAT rules as text: parsed the same way from a POST /v1/nat body, the
 * config file's "nat" array and the state file nat.json, and written back
 * in the same words.  Every error names the field and the value.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include "dp_nat.h"
#include "json_out.h"
#include "nat.h"
#include "errbuf.h"

#define ADDR_TEXT 64

static const char *json_text(struct json_object *v)
{
	return json_object_to_json_string_ext(
		v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* An address of either family: 0 and its family, or -EINVAL. */
static int addr_parse(const char *s, int *family, uint8_t out[16])
{
	memset(out, 0, 16);
	if (strchr(s, ':')) {
		*family = AF_INET6;
		return inet_pton(AF_INET6, s, out) == 1 ? 0 : -EINVAL;
	}
	*family = AF_INET;
	return inet_pton(AF_INET, s, out) == 1 ? 0 : -EINVAL;
}

static unsigned int addr_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* Decimal 1..65535, nothing else. */
static int port_parse(const char *s, uint16_t *out)
{
	unsigned long v;
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5)
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (v < 1 || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

/* "ADDR/LEN" or "ADDR" (a host); the bits past LEN must be zero, as
 * "198.18.0.1/24" most likely says something other than what was meant. */
static int prefix_field(const char *where, const char *field, const char *s,
			struct nat_rule *r, char *err, size_t errlen)
{
	char buf[ADDR_TEXT], *slash;
	unsigned long plen;
	uint8_t a[16];
	int family;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (addr_parse(buf, &family, a))
		goto bad;
	plen = addr_bits(family);
	if (slash) {
		char *end;

		if (!*slash || strspn(slash, "0123456789") != strlen(slash))
			goto bad;
		plen = strtoul(slash, &end, 10);
		if (plen > addr_bits(family))
			return errbuf_einval(
				err, errlen,
				"%s%s: '%s': prefix length %lu is over %u",
				where, field, s, plen, addr_bits(family));
	}
	for (unsigned int b = (unsigned int)plen; b < addr_bits(family); b++)
		if (a[b / 8] & (0x80 >> (b % 8)))
			return errbuf_einval(
				err, errlen,
				"%s%s: '%s' has bits set past /%lu (the "
				"network is written with them zero)",
				where, field, s, plen);
	r->family = family;
	memcpy(r->src, a, 16);
	r->src_plen = (uint8_t)plen;
	return 0;
bad:
	return errbuf_einval(
		err, errlen,
		"%s%s: '%s' is not a prefix (ADDR/LEN, IPv4 or IPv6)", where,
		field, s);
}

/* SNAT's "to": "ADDR" or "ADDR-ADDR", of @family, low end first, within
 * the last 32 bits (the data path picks from those). */
static int range_field(const char *where, const char *s, struct nat_rule *r,
		       char *err, size_t errlen)
{
	char buf[2 * ADDR_TEXT], *dash;
	int f1, f2;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (addr_parse(buf, &f1, r->to_lo))
		goto bad;
	if (!dash) {
		f2 = f1;
		memcpy(r->to_hi, r->to_lo, 16);
	} else if (addr_parse(dash, &f2, r->to_hi)) {
		goto bad;
	}
	if (f1 != f2)
		return errbuf_einval(
			err, errlen,
			"%sto: '%s' spans two families (IPv4 and IPv6)", where,
			s);
	if (f1 != r->family)
		return errbuf_einval(err, errlen,
				     "%sto: '%s' is %s and src is %s: a rule "
				     "translates within one family",
				     where, s, f1 == AF_INET ? "IPv4" : "IPv6",
				     r->family == AF_INET ? "IPv4" : "IPv6");
	if (memcmp(r->to_lo, r->to_hi, 16) > 0)
		return errbuf_einval(
			err, errlen,
			"%sto: '%s': the first address is above the last",
			where, s);
	if (f1 == AF_INET6 && memcmp(r->to_lo, r->to_hi, 12))
		return errbuf_einval(
			err, errlen,
			"%sto: '%s': an IPv6 pool lies within one /96 "
			"(the last 32 bits vary)",
			where, s);
	return 0;
bad:
	return errbuf_einval(
		err, errlen,
		"%sto: '%s' is not an address or a range ADDR-ADDR", where, s);
}

static int ports_field(const char *where, const char *s, struct nat_rule *r,
		       char *err, size_t errlen)
{
	char buf[16], *dash;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (port_parse(buf, &r->port_lo) ||
	    port_parse(dash ? dash : buf, &r->port_hi))
		goto bad;
	if (r->port_lo > r->port_hi)
		return errbuf_einval(
			err, errlen,
			"%sports: '%s': the first port is above the last",
			where, s);
	return 0;
bad:
	return errbuf_einval(
		err, errlen,
		"%sports: '%s' is not a port range N-M within 1..65535", where,
		s);
}

/* "ADDR:PORT" (IPv4), "[ADDR]:PORT" (IPv6), and where @port_optional,
 * "ADDR" (either family, unbracketed).  *@port 0 when there is none. */
static int endpoint_split(const char *s, bool port_optional, int *family,
			  uint8_t addr[16], uint16_t *port)
{
	char buf[ADDR_TEXT + 8], *colon = NULL, *a = buf;

	*port = 0;
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close)
			return -EINVAL;
		*close = '\0';
		a = buf + 1;
		if (close[1] == ':')
			colon = close + 1;
		else if (close[1] || !port_optional)
			return -EINVAL;
		if (!strchr(a, ':'))
			return -EINVAL; /* brackets are for IPv6 */
	} else if (strchr(buf, ':') && strchr(buf, ':') == strrchr(buf, ':')) {
		colon = strchr(buf, ':'); /* IPv4:PORT */
	} else if (!port_optional) {
		return -EINVAL;
	}
	if (colon) {
		*colon = '\0';
		if (port_parse(colon + 1, port))
			return -EINVAL;
	} else if (!port_optional) {
		return -EINVAL;
	}
	return addr_parse(a, family, addr);
}

/* DNAT's "dst": ADDR:PORT/PROTO. */
static int dst_field(const char *where, const char *s, struct nat_rule *r,
		     char *err, size_t errlen)
{
	char buf[ADDR_TEXT + 16], *slash;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strrchr(buf, '/');
	if (!slash)
		goto bad;
	*slash++ = '\0';
	if (!strcmp(slash, "tcp"))
		r->proto = IPPROTO_TCP;
	else if (!strcmp(slash, "udp"))
		r->proto = IPPROTO_UDP;
	else
		return errbuf_einval(
			err, errlen,
			"%sdst: '%s': protocol '%s' is not tcp or udp", where,
			s, slash);
	if (endpoint_split(buf, false, &r->family, r->daddr, &r->dport))
		goto bad;
	return 0;
bad:
	return errbuf_einval(
		err, errlen,
		"%sdst: '%s' is not ADDR:PORT/PROTO ([ADDR]:PORT/PROTO "
		"for IPv6, PORT 1..65535, PROTO tcp or udp)",
		where, s);
}

static int dnat_to_field(const char *where, const char *s, struct nat_rule *r,
			 char *err, size_t errlen)
{
	int family;

	if (endpoint_split(s, true, &family, r->to_addr, &r->to_port))
		return errbuf_einval(err, errlen,
				     "%sto: '%s' is not ADDR, ADDR:PORT or "
				     "[ADDR]:PORT (PORT 1..65535)",
				     where, s);
	if (family != r->family)
		return errbuf_einval(err, errlen,
				     "%sto: '%s' is %s and dst is %s: a rule "
				     "translates within one family",
				     where, s,
				     family == AF_INET ? "IPv4" : "IPv6",
				     r->family == AF_INET ? "IPv4" : "IPv6");
	return 0;
}

/* An interface name as the kernel takes it: 1..15 bytes, no '/', no
 * white space. */
static int iface_field(const char *where, const char *field, const char *s,
		       struct nat_rule *r, char *err, size_t errlen)
{
	if (!*s || strlen(s) >= sizeof(r->iface) || strpbrk(s, "/ \t\n:"))
		return errbuf_einval(err, errlen,
				     "%s%s: '%s' is not an interface name",
				     where, field, s);
	strcpy(r->iface, s);
	return 0;
}

enum {
	K_TYPE = 1 << 0,
	K_ID = 1 << 1,
	K_SRC = 1 << 2,
	K_OUT = 1 << 3,
	K_TO = 1 << 4,
	K_PORTS = 1 << 5,
	K_IN = 1 << 6,
	K_DST = 1 << 7,
};

static const struct {
	const char *name;
	unsigned int bit;
} rule_keys[] = {
	{ "type", K_TYPE }, { "id", K_ID },   { "src", K_SRC },
	{ "out", K_OUT },   { "to", K_TO },   { "ports", K_PORTS },
	{ "in", K_IN },	    { "dst", K_DST },
};

#define N_RULE_KEYS (sizeof(rule_keys) / sizeof(rule_keys[0]))

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ?
		       json_object_get_string(v) :
		       NULL;
}

int nat_rule_parse(struct json_object *o, const char *where, unsigned int keys,
		   struct nat_rule *r, char *err, size_t errlen)
{
	unsigned int allowed, seen = 0;
	const char *type, *s;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!json_object_is_type(o, json_type_object))
		return errbuf_einval(err, errlen,
				     "%s: expected object, got %s (%s)",
				     *where ? where : "body",
				     json_type_to_name(json_object_get_type(o)),
				     json_text(o));
	type = get_str(o, "type");
	if (!type)
		return errbuf_einval(err, errlen,
				     "%stype: required (snat or dnat)", where);
	if (!strcmp(type, "snat")) {
		r->kind = NAT_SNAT;
		allowed = K_TYPE | K_SRC | K_OUT | K_TO | K_PORTS;
	} else if (!strcmp(type, "dnat")) {
		r->kind = NAT_DNAT;
		allowed = K_TYPE | K_IN | K_DST | K_TO;
	} else {
		return errbuf_einval(err, errlen,
				     "%stype: '%s' is not snat or dnat", where,
				     type);
	}
	if (keys & NAT_PARSE_ID)
		allowed |= K_ID;
	json_object_object_foreach(o, key, v) {
		unsigned int bit = 0;

		for (size_t i = 0; i < N_RULE_KEYS; i++)
			if (!strcmp(key, rule_keys[i].name))
				bit = rule_keys[i].bit;
		if (!(bit & allowed)) {
			char known[96];
			size_t n = 0;

			known[0] = '\0';
			for (size_t i = 0; i < N_RULE_KEYS; i++)
				if (rule_keys[i].bit & allowed)
					n += (size_t)snprintf(
						known + n, sizeof(known) - n,
						"%s%s", n ? ", " : "",
						rule_keys[i].name);
			return errbuf_einval(
				err, errlen,
				"%s%s: not a field of a %s rule (known: "
				"%s)%s",
				where, key, type, known,
				bit == K_ID ? "; ids are given by sluiced" :
					      "");
		}
		if (bit == K_ID) {
			int64_t id = json_object_get_int64(v);

			if (!json_object_is_type(v, json_type_int) || id < 1 ||
			    id > UINT32_MAX)
				return errbuf_einval(
					err, errlen,
					"%sid: %s is not a rule id "
					"1..4294967295",
					where, json_text(v));
			r->id = (uint32_t)id;
		} else if (!json_object_is_type(v, json_type_string)) {
			return errbuf_einval(
				err, errlen,
				"%s%s: expected string, got %s (%s)", where,
				key, json_type_to_name(json_object_get_type(v)),
				json_text(v));
		}
		seen |= bit;
	}
	if (r->kind == NAT_SNAT) {
		if (!(seen & K_SRC))
			return errbuf_einval(
				err, errlen,
				"%ssrc: required (the source prefix to "
				"translate)",
				where);
		if (!(seen & K_OUT))
			return errbuf_einval(
				err, errlen,
				"%sout: required (the interface the "
				"translated packets leave by)",
				where);
		rc = prefix_field(where, "src", get_str(o, "src"), r, err,
				  errlen);
		if (!rc)
			rc = iface_field(where, "out", get_str(o, "out"), r,
					 err, errlen);
		s = get_str(o, "to");
		r->masquerade = !s;
		if (!rc && s)
			rc = range_field(where, s, r, err, errlen);
		s = get_str(o, "ports");
		r->port_lo = NAT_PORT_LO_DEFAULT;
		r->port_hi = NAT_PORT_HI_DEFAULT;
		if (!rc && s)
			rc = ports_field(where, s, r, err, errlen);
		return rc;
	}
	if (!(seen & K_IN))
		return errbuf_einval(
			err, errlen,
			"%sin: required (the interface the packets to "
			"forward come in by)",
			where);
	if (!(seen & K_DST))
		return errbuf_einval(err, errlen,
				     "%sdst: required (ADDR:PORT/PROTO)",
				     where);
	if (!(seen & K_TO))
		return errbuf_einval(err, errlen,
				     "%sto: required (ADDR[:PORT])", where);
	rc = iface_field(where, "in", get_str(o, "in"), r, err, errlen);
	if (!rc)
		rc = dst_field(where, get_str(o, "dst"), r, err, errlen);
	if (!rc)
		rc = dnat_to_field(where, get_str(o, "to"), r, err, errlen);
	return rc;
}

int nat_rules_parse(struct json_object *a, const char *where,
		    struct nat_rule **out, size_t *n, char *err, size_t errlen)
{
	struct nat_rule *rules;
	size_t len;
	char at[48];

	*out = NULL;
	*n = 0;
	if (!json_object_is_type(a, json_type_array))
		return errbuf_einval(err, errlen,
				     "%s: expected array, got %s (%s)", where,
				     json_type_to_name(json_object_get_type(a)),
				     json_text(a));
	len = json_object_array_length(a);
	if (len > NAT_MAX_RULES)
		return errbuf_einval(err, errlen, "%s: %zu rules, at most %d",
				     where, len, NAT_MAX_RULES);
	rules = calloc(len ? len : 1, sizeof(*rules));
	if (!rules)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		int rc;

		snprintf(at, sizeof(at), "%s[%zu].", where, i);
		rc = nat_rule_parse(json_object_array_get_idx(a, i), at,
				    NAT_PARSE_ID, &rules[i], err, errlen);
		for (size_t j = 0; !rc && j < i; j++)
			if (nat_rule_same_key(&rules[i], &rules[j]) ||
			    (rules[i].id && rules[i].id == rules[j].id))
				rc = errbuf_einval(
					err, errlen,
					"%s: rules %zu and %zu have the "
					"same %s",
					where, j, i,
					nat_rule_same_key(&rules[i],
							  &rules[j]) ?
						"key" :
						"id");
		if (rc) {
			free(rules);
			return rc;
		}
	}
	*out = rules;
	*n = len;
	return 0;
}

static void addr_str(int family, const uint8_t *a, char *buf, size_t len)
{
	if (!inet_ntop(family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

struct json_object *nat_rule_json(const struct nat_rule *r)
{
	struct json_object *o = json_object_new_object();
	char a[ADDR_TEXT], b[ADDR_TEXT], buf[2 * ADDR_TEXT + 16];

	if (!o)
		return NULL;
	json_add_int(o, "id", r->id);
	json_add_str(o, "type", r->kind == NAT_SNAT ? "snat" : "dnat");
	if (r->kind == NAT_SNAT) {
		addr_str(r->family, r->src, a, sizeof(a));
		snprintf(buf, sizeof(buf), "%s/%u", a, r->src_plen);
		json_add_str(o, "src", buf);
		json_add_str(o, "out", r->iface);
		if (!r->masquerade) {
			addr_str(r->family, r->to_lo, a, sizeof(a));
			addr_str(r->family, r->to_hi, b, sizeof(b));
			if (memcmp(r->to_lo, r->to_hi, 16))
				snprintf(buf, sizeof(buf), "%s-%s", a, b);
			else
				snprintf(buf, sizeof(buf), "%s", a);
			json_add_str(o, "to", buf);
		}
		snprintf(buf, sizeof(buf), "%u-%u", r->port_lo, r->port_hi);
		json_add_str(o, "ports", buf);
		return o;
	}
	json_add_str(o, "in", r->iface);
	addr_str(r->family, r->daddr, a, sizeof(a));
	snprintf(buf, sizeof(buf),
		 r->family == AF_INET ? "%s:%u/%s" : "[%s]:%u/%s", a, r->dport,
		 r->proto == IPPROTO_TCP ? "tcp" : "udp");
	json_add_str(o, "dst", buf);
	addr_str(r->family, r->to_addr, a, sizeof(a));
	if (!r->to_port)
		snprintf(buf, sizeof(buf), "%s", a);
	else
		snprintf(buf, sizeof(buf),
			 r->family == AF_INET ? "%s:%u" : "[%s]:%u", a,
			 r->to_port);
	json_add_str(o, "to", buf);
	return o;
}

bool nat_rule_same_key(const struct nat_rule *a, const struct nat_rule *b)
{
	if (a->kind != b->kind || a->family != b->family ||
	    strcmp(a->iface, b->iface))
		return false;
	if (a->kind == NAT_SNAT)
		return a->src_plen == b->src_plen &&
		       !memcmp(a->src, b->src, 16);
	return a->proto == b->proto && a->dport == b->dport &&
	       !memcmp(a->daddr, b->daddr, 16);
}

void nat_rule_to_snat(const struct nat_rule *r, uint32_t ifindex,
		      struct dp_snat_rule *out)
{
	memset(out, 0, sizeof(*out));
	out->id = r->id;
	out->ifindex = ifindex;
	out->family = r->family;
	memcpy(out->src, r->src, 16);
	out->src_plen = r->src_plen;
	out->masquerade = r->masquerade;
	if (!r->masquerade) {
		memcpy(out->to_lo, r->to_lo, 16);
		memcpy(out->to_hi, r->to_hi, 16);
	}
	out->port_lo = r->port_lo;
	out->port_hi = r->port_hi;
}

void nat_rule_to_dnat(const struct nat_rule *r, uint32_t ifindex,
		      struct dp_dnat_rule *out)
{
	memset(out, 0, sizeof(*out));
	out->id = r->id;
	out->ifindex = ifindex;
	out->family = r->family;
	out->proto = r->proto;
	memcpy(out->daddr, r->daddr, 16);
	out->dport = r->dport;
	memcpy(out->to_addr, r->to_addr, 16);
	out->to_port = r->to_port;
}
