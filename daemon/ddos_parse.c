// SPDX-License-Identifier: BSD-2-Clause
/* The DDoS guard's syntax: modes, rates, prefixes, services and the
 * settings object of the API, the config file and ddos.json.  Pure. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include "ddos.h"
#include "errbuf.h"

void ddos_settings_default(struct ddos_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->cookie_mode = SLUICE_DDOS_COOKIES_OFF;
	s->syn_threshold = DDOS_DEFAULT_THRESHOLD;
	s->hold_s = DDOS_DEFAULT_HOLD_S;
}

static const char *const mode_names[] = {
	[SLUICE_DDOS_COOKIES_OFF] = "off",
	[SLUICE_DDOS_COOKIES_ON] = "on",
	[SLUICE_DDOS_COOKIES_AUTO] = "auto",
};

const char *ddos_mode_name(uint32_t mode)
{
	return mode < 3 ? mode_names[mode] : "unknown";
}

int ddos_parse_mode(const char *field, const char *s, uint32_t *mode, char *err,
		    size_t errlen)
{
	for (uint32_t m = 0; m < 3; m++) {
		if (!strcmp(s, mode_names[m])) {
			*mode = m;
			return 0;
		}
	}
	return errbuf_einval(err, errlen,
			     "%s: '%s' is not a mode (off, on, auto)", field,
			     s);
}

/* Decimal digits only, @min..@max. */
static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	unsigned long long n = 0;

	if (!*s || strlen(s) > 10)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		n = n * 10 + (unsigned)(*p - '0');
	}
	if (n < min || n > max)
		return -EINVAL;
	*v = (uint32_t)n;
	return 0;
}

int ddos_parse_rate(const char *field, const char *s, bool v6,
		    struct ddos_rate *r, char *err, size_t errlen)
{
	char buf[64], *pps, *burst;
	uint32_t plen, p, b;

	if (!strcmp(s, "off")) {
		memset(r, 0, sizeof(*r));
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return errbuf_einval(err, errlen, "%s: '%.32s...' is too long",
				     field, s);
	strcpy(buf, s);
	pps = strchr(buf, ':');
	if (!pps)
		return errbuf_einval(
			err, errlen,
			"%s: '%s': expected PREFIXLEN:PPS[:BURST] or off",
			field, s);
	*pps++ = '\0';
	burst = strchr(pps, ':');
	if (burst)
		*burst++ = '\0';
	if (parse_u32(buf, 0, v6 ? 128 : 32, &plen))
		return errbuf_einval(
			err, errlen,
			"%s: '%s': prefix length '%s' is not 0..%d", field, s,
			buf, v6 ? 128 : 32);
	if (parse_u32(pps, 1, SLUICE_DDOS_MAX_PPS, &p))
		return errbuf_einval(err, errlen,
				     "%s: '%s': rate '%s' is not 1..%u", field,
				     s, pps, SLUICE_DDOS_MAX_PPS);
	b = p;
	if (burst && parse_u32(burst, 1, SLUICE_DDOS_MAX_BURST, &b))
		return errbuf_einval(err, errlen,
				     "%s: '%s': burst '%s' is not 1..%u", field,
				     s, burst, SLUICE_DDOS_MAX_BURST);
	r->plen = (uint8_t)plen;
	r->pps = p;
	r->burst = b;
	return 0;
}

void ddos_rate_text(const struct ddos_rate *r, char *buf, size_t len)
{
	if (!r->pps)
		snprintf(buf, len, "off");
	else
		snprintf(buf, len, "%u:%u:%u", r->plen, r->pps, r->burst);
}

int ddos_parse_prefix(const char *field, const char *s,
		      struct dp_ddos_prefix *pf, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	uint32_t plen, bits;

	memset(pf, 0, sizeof(*pf));
	if (!s)
		return errbuf_einval(err, errlen, "%s: a prefix is required",
				     field);
	if (strlen(s) >= sizeof(buf))
		return errbuf_einval(err, errlen,
				     "%s: '%.48s...' is not a prefix", field,
				     s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, pf->addr) == 1)
		pf->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, pf->addr) == 1)
		pf->family = AF_INET6;
	else
		return errbuf_einval(err, errlen,
				     "%s: '%s' is not an IPv4 or IPv6 prefix",
				     field, s);
	bits = pf->family == AF_INET ? 32 : 128;
	plen = bits;
	if (slash && parse_u32(slash, 0, bits, &plen))
		return errbuf_einval(
			err, errlen,
			"%s: '%s': prefix length '%s' is not 0..%u", field, s,
			slash, bits);
	for (uint32_t b = plen; b < bits; b++)
		if (pf->addr[b / 8] & (0x80 >> (b % 8)))
			return errbuf_einval(
				err, errlen,
				"%s: '%s' has host bits set past /%u", field, s,
				plen);
	pf->plen = (uint8_t)plen;
	return 0;
}

void ddos_prefix_text(const struct dp_ddos_prefix *pf, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(pf->family, pf->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, pf->plen);
}

int ddos_parse_service(const char *field, const char *s,
		       struct sluice_ddos_service_key *k, char *err,
		       size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 16], *port, *addr = buf;
	uint32_t p;

	memset(k, 0, sizeof(*k));
	if (strlen(s) >= sizeof(buf))
		return errbuf_einval(err, errlen,
				     "%s: '%.48s...' is not ADDR:PORT", field,
				     s);
	strcpy(buf, s);
	port = strrchr(buf, ':');
	if (!port)
		return errbuf_einval(
			err, errlen,
			"%s: '%s': expected ADDR:PORT or [ADDR6]:PORT", field,
			s);
	*port++ = '\0';
	if (buf[0] == '[') {
		size_t n = strlen(buf);

		if (n < 3 || buf[n - 1] != ']')
			return errbuf_einval(err, errlen,
					     "%s: '%s': expected [ADDR6]:PORT",
					     field, s);
		buf[n - 1] = '\0';
		addr = buf + 1;
		if (inet_pton(AF_INET6, addr, k->addr) != 1)
			return errbuf_einval(
				err, errlen,
				"%s: '%s': '%s' is not an IPv6 address", field,
				s, addr);
		k->family = AF_INET6;
	} else if (inet_pton(AF_INET, addr, k->addr) == 1) {
		k->family = AF_INET;
	} else {
		return errbuf_einval(
			err, errlen,
			"%s: '%s': '%s' is not an IPv4 address (IPv6 "
			"goes in brackets)",
			field, s, addr);
	}
	if (parse_u32(port, 1, 65535, &p))
		return errbuf_einval(err, errlen,
				     "%s: '%s': port '%s' is not 1..65535",
				     field, s, port);
	k->port = htons((uint16_t)p);
	return 0;
}

void ddos_service_text(const struct sluice_ddos_service_key *k, char *buf,
		       size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(k->family, k->addr, a, sizeof(a));
	snprintf(buf, len, k->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
		 ntohs(k->port));
}

/* The settings object's rate fields and their limit index. */
static const struct {
	const char *name;
	int limit;
	bool v6;
} rate_fields[] = {
	{ "rate", SLUICE_DDOS_L_PKT_V4, false },
	{ "rate6", SLUICE_DDOS_L_PKT_V6, true },
	{ "conn_rate", SLUICE_DDOS_L_CONN_V4, false },
	{ "conn_rate6", SLUICE_DDOS_L_CONN_V6, true },
};
#define N_RATE_FIELDS (sizeof(rate_fields) / sizeof(rate_fields[0]))

static int want_u32(struct json_object *v, const char *field, uint32_t min,
		    uint32_t max, uint32_t *out, char *err, size_t errlen)
{
	int64_t n;

	if (!json_object_is_type(v, json_type_int))
		return errbuf_einval(
			err, errlen, "%s: '%s' is not an integer", field,
			json_object_to_json_string_ext(
				v, JSON_C_TO_STRING_SPACED |
					   JSON_C_TO_STRING_NOSLASHESCAPE));
	n = json_object_get_int64(v);
	if (n < min || n > max)
		return errbuf_einval(err, errlen, "%s: %lld is not %u..%u",
				     field, (long long)n, min, max);
	*out = (uint32_t)n;
	return 0;
}

static int want_str(struct json_object *v, const char *field, const char **s,
		    char *err, size_t errlen)
{
	if (!json_object_is_type(v, json_type_string))
		return errbuf_einval(
			err, errlen, "%s: '%s' is not a string", field,
			json_object_to_json_string_ext(
				v, JSON_C_TO_STRING_SPACED |
					   JSON_C_TO_STRING_NOSLASHESCAPE));
	*s = json_object_get_string(v);
	return 0;
}

static int settings_field(const char *key, struct json_object *v,
			  const char *field, struct ddos_settings *s, char *err,
			  size_t errlen)
{
	const char *str = NULL;
	uint32_t n;
	int rc;

	if (!strcmp(key, "syn_cookies"))
		return want_str(v, field, &str, err, errlen) ?:
			       ddos_parse_mode(field, str, &s->cookie_mode, err,
					       errlen);
	if (!strcmp(key, "syn_threshold"))
		return want_u32(v, field, 1, SLUICE_DDOS_MAX_PPS,
				&s->syn_threshold, err, errlen);
	if (!strcmp(key, "hold_s"))
		return want_u32(v, field, 1, 86400, &s->hold_s, err, errlen);
	if (!strcmp(key, "mss4") || !strcmp(key, "mss6")) {
		rc = want_u32(v, field, 0, 65535, &n, err, errlen);
		if (!rc && n && n < 536)
			rc = errbuf_einval(err, errlen,
					   "%s: %u is not 0 or 536..65535",
					   field, n);
		if (!rc && key[3] == '4')
			s->mss4 = (uint16_t)n;
		else if (!rc)
			s->mss6 = (uint16_t)n;
		return rc;
	}
	for (size_t i = 0; i < N_RATE_FIELDS; i++)
		if (!strcmp(key, rate_fields[i].name))
			return want_str(v, field, &str, err, errlen) ?:
				       ddos_parse_rate(
					       field, str, rate_fields[i].v6,
					       &s->limit[rate_fields[i].limit],
					       err, errlen);
	return errbuf_einval(
		err, errlen,
		"unknown field '%s' (known: syn_cookies, syn_threshold, "
		"hold_s, mss4, mss6, rate, rate6, conn_rate, conn_rate6)",
		field);
}

int ddos_settings_from_json(struct json_object *o, const char *where,
			    bool lists, struct ddos_settings *s, char *err,
			    size_t errlen)
{
	struct ddos_settings n = *s;
	char field[96];
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return errbuf_einval(err, errlen, "%s: expected an object",
				     *where ? where : "body");
	json_object_object_foreach(o, key, v) {
		if (lists &&
		    (!strcmp(key, "services") || !strcmp(key, "block")))
			continue; /* the caller's */
		snprintf(field, sizeof(field), "%s%s", where, key);
		rc = settings_field(key, v, field, &n, err, errlen);
		if (rc)
			return rc;
	}
	*s = n;
	return 0;
}

struct json_object *ddos_settings_json(const struct ddos_settings *s)
{
	struct json_object *o = json_object_new_object();
	char buf[64];

	json_object_object_add(
		o, "syn_cookies",
		json_object_new_string(ddos_mode_name(s->cookie_mode)));
	json_object_object_add(o, "syn_threshold",
			       json_object_new_int64(s->syn_threshold));
	json_object_object_add(o, "hold_s", json_object_new_int64(s->hold_s));
	json_object_object_add(o, "mss4", json_object_new_int64(s->mss4));
	json_object_object_add(o, "mss6", json_object_new_int64(s->mss6));
	for (size_t i = 0; i < N_RATE_FIELDS; i++) {
		ddos_rate_text(&s->limit[rate_fields[i].limit], buf,
			       sizeof(buf));
		json_object_object_add(o, rate_fields[i].name,
				       json_object_new_string(buf));
	}
	return o;
}

int ddos_config_check(struct json_object *o, char *err, size_t errlen)
{
	static const char *const lists[] = { "services", "block" };
	struct ddos_settings s;
	char field[64];
	int rc;

	ddos_settings_default(&s);
	rc = ddos_settings_from_json(o, "ddos.", true, &s, err, errlen);
	for (size_t l = 0; !rc && l < 2; l++) {
		struct json_object *a;

		if (!json_object_object_get_ex(o, lists[l], &a))
			continue;
		if (!json_object_is_type(a, json_type_array))
			return errbuf_einval(err, errlen,
					     "ddos.%s: expected an array",
					     lists[l]);
		for (size_t i = 0; !rc && i < json_object_array_length(a);
		     i++) {
			struct json_object *e = json_object_array_get_idx(a, i);
			struct sluice_ddos_service_key k;
			struct dp_ddos_prefix pf;

			snprintf(field, sizeof(field), "ddos.%s[%zu]", lists[l],
				 i);
			if (!json_object_is_type(e, json_type_string))
				return errbuf_einval(
					err, errlen, "%s: '%s' is not a string",
					field,
					json_object_to_json_string_ext(
						e,
						JSON_C_TO_STRING_SPACED |
							JSON_C_TO_STRING_NOSLASHESCAPE));
			rc = l ? ddos_parse_prefix(field,
						   json_object_get_string(e),
						   &pf, err, errlen) :
				 ddos_parse_service(field,
						    json_object_get_string(e),
						    &k, err, errlen);
		}
	}
	return rc;
}
