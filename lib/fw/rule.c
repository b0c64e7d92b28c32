// SPDX-License-Identifier: BSD-2-Clause
/* The rule model's text: parsing, validation and formatting. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <uapi/sluice/ct.h>
#include "fw.h"
#include "fw_internal.h"

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -EINVAL)

void fw_rule_init(struct fw_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->sport.hi = 65535;
	r->dport.hi = 65535;
	r->icmp_type = -1;
	r->action = SLUICE_FW_ACT_ACCEPT;
}

/* A decimal number in [0, max], nothing else. */
static int parse_num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || *out > max)
		return -EINVAL;
	return 0;
}

int fw_prefix_parse(const char *txt, struct fw_prefix *p)
{
	char buf[64], *slash;
	unsigned long plen;
	unsigned int max;

	if (!txt || strlen(txt) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, txt);
	memset(p, 0, sizeof(*p));
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	plen = max;
	if (slash && parse_num(slash + 1, max, &plen))
		return -EINVAL;
	p->plen = (__u8)plen;
	/* host bits must be zero: 198.18.0.1/24 is a mistake, not a net */
	for (unsigned int i = 0; i < max / 8; i++) {
		unsigned int keep = plen >= (i + 1) * 8 ? 8 :
				    plen > i * 8	? plen - i * 8 :
							  0;
		__u8 mask = keep ? (__u8)(0xff << (8 - keep)) : 0;

		if (p->addr[i] & ~mask)
			return -EINVAL;
	}
	return 0;
}

void fw_prefix_format(const struct fw_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->plen);
}

static const char *const action_names[] = {
	[SLUICE_FW_ACT_ACCEPT] = "accept",
	[SLUICE_FW_ACT_DROP] = "drop",
	[SLUICE_FW_ACT_REJECT] = "reject",
};

int fw_action_parse(const char *txt, __u8 *action)
{
	for (__u8 i = 0; i < 3; i++)
		if (txt && !strcmp(txt, action_names[i])) {
			*action = i;
			return 0;
		}
	return -EINVAL;
}

const char *fw_action_name(__u8 action)
{
	return action < 3 ? action_names[action] : "?";
}

const char *fw_dir_name(__u8 dir)
{
	return dir == SLUICE_FW_OUT ? "out" : "in";
}

int fw_dir_parse(const char *txt, __u8 *dir)
{
	if (txt && !strcmp(txt, "in"))
		*dir = SLUICE_FW_IN;
	else if (txt && !strcmp(txt, "out"))
		*dir = SLUICE_FW_OUT;
	else
		return -EINVAL;
	return 0;
}

static const struct {
	const char *name;
	__u8 proto;
} protos[] = {
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP },
	{ "icmpv6", IPPROTO_ICMPV6 },
};

const char *fw_proto_name(__u8 proto)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return "";
}

static const struct {
	const char *name;
	__u8 bit;
} states[] = {
	{ "new", SLUICE_CTM_NEW },
	{ "established", SLUICE_CTM_ESTABLISHED },
	{ "related", SLUICE_CTM_RELATED },
	{ "invalid", SLUICE_CTM_INVALID },
	{ "untracked", SLUICE_CTM_UNTRACKED },
};

int fw_states_parse(const char *txt, __u8 *out)
{
	char buf[128], *tok, *save = NULL;
	__u8 bits = 0;

	if (!txt || !*txt || strlen(txt) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, txt);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
			if (!strcmp(tok, states[i].name))
				break;
		if (i == sizeof(states) / sizeof(states[0]))
			return -EINVAL;
		bits |= states[i].bit;
	}
	if (!bits)
		return -EINVAL;
	*out = bits;
	return 0;
}

void fw_states_format(__u8 bits, char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (bits & states[i].bit && pos < len)
			pos += snprintf(buf + pos, len - pos, "%s%s",
					pos ? "," : "", states[i].name);
}

static int parse_range(const char *v, struct fw_range *r)
{
	char buf[32], *dash;
	unsigned long lo, hi;

	if (!v || strlen(v) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, v);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (parse_num(buf, 65535, &lo))
		return -EINVAL;
	hi = lo;
	if (dash && parse_num(dash + 1, 65535, &hi))
		return -EINVAL;
	if (hi < lo)
		return -ERANGE;
	r->lo = (__u16)lo;
	r->hi = (__u16)hi;
	return 0;
}

static int parse_addr(const char *field, const char *v, struct fw_addr *a,
		      char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	if (v && v[0] == '@') {
		size_t n = strlen(v + 1);

		if (!n || n >= FW_NAME_MAX)
			return ERR("%s: %s is not a set name (1 to %d "
				   "characters after @)",
				   field, v, FW_NAME_MAX - 1);
		a->kind = FW_ADDR_SET;
		strcpy(a->set, v + 1);
		return 0;
	}
	if (fw_prefix_parse(v, &a->p))
		return ERR("%s: %s is not a prefix", field, v ? v : "(none)");
	a->kind = FW_ADDR_PREFIX;
	return 0;
}

int fw_rule_set(struct fw_rule *r, const char *field, const char *v, char *err,
		size_t errlen)
{
	unsigned long n;
	int e;

	if (!v)
		v = "";
	if (!strcmp(field, "iface")) {
		if (!*v || strlen(v) >= FW_IFNAME_MAX)
			return ERR("iface: '%s' is not an interface name", v);
		strcpy(r->iface, v);
	} else if (!strcmp(field, "dir")) {
		if (fw_dir_parse(v, &r->dir))
			return ERR("dir: %s is not in or out", v);
	} else if (!strcmp(field, "src")) {
		return parse_addr("src", v, &r->src, err, errlen);
	} else if (!strcmp(field, "dst")) {
		return parse_addr("dst", v, &r->dst, err, errlen);
	} else if (!strcmp(field, "proto")) {
		size_t i;

		for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
			if (!strcmp(v, protos[i].name))
				break;
		if (i == sizeof(protos) / sizeof(protos[0]))
			return ERR("proto: %s is not tcp, udp, icmp or icmpv6",
				   v);
		r->proto = protos[i].proto;
	} else if (!strcmp(field, "sport") || !strcmp(field, "dport")) {
		struct fw_range *rg = field[0] == 's' ? &r->sport : &r->dport;

		e = parse_range(v, rg);
		if (e == -ERANGE)
			return ERR("%s: %s is not a range (the first port "
				   "is above the last)",
				   field, v);
		if (e)
			return ERR("%s: %s is not a port", field, v);
	} else if (!strcmp(field, "icmp_type")) {
		if (parse_num(v, 255, &n))
			return ERR("icmp_type: %s is not an ICMP type (0-255)",
				   v);
		r->icmp_type = (__s16)n;
	} else if (!strcmp(field, "state")) {
		if (fw_states_parse(v, &r->states))
			return ERR("state: %s is not a list of new, "
				   "established, related, invalid, untracked",
				   v);
	} else if (!strcmp(field, "action")) {
		if (fw_action_parse(v, &r->action))
			return ERR("action: %s is not accept, drop or reject",
				   v);
	} else {
		return ERR("%s: unknown field", field);
	}
	return 0;
}

static bool any_range(const struct fw_range *r)
{
	return r->lo == 0 && r->hi == 65535;
}

bool fw_rule_class_ok(const struct fw_rule *r, __u32 cls)
{
	if (r->proto)
		return fw_class_of(r->proto) == cls;
	if (any_range(&r->sport) && any_range(&r->dport))
		return true;
	return cls == SLUICE_FW_P_TCP || cls == SLUICE_FW_P_UDP;
}

int fw_rule_validate(const struct fw_rule *r, char *err, size_t errlen)
{
	bool ports = !any_range(&r->sport) || !any_range(&r->dport);
	__u8 fam = 0;

	if (!r->iface[0])
		return ERR("iface: missing");
	/* without a protocol, ports mean TCP and UDP */
	if (ports && r->proto && r->proto != IPPROTO_TCP &&
	    r->proto != IPPROTO_UDP)
		return ERR("%s: ports need proto tcp or udp (proto is '%s')",
			   any_range(&r->sport) ? "dport" : "sport",
			   r->proto ? fw_proto_name(r->proto) : "any");
	if (r->icmp_type >= 0 && r->proto != IPPROTO_ICMP &&
	    r->proto != IPPROTO_ICMPV6)
		return ERR("icmp_type: %d needs proto icmp or icmpv6",
			   r->icmp_type);
	if (r->src.kind == FW_ADDR_PREFIX)
		fam = r->src.p.family;
	if (r->dst.kind == FW_ADDR_PREFIX) {
		if (fam && fam != r->dst.p.family)
			return ERR("dst: an %s prefix with an %s src",
				   r->dst.p.family == AF_INET ? "IPv4" : "IPv6",
				   fam == AF_INET ? "IPv4" : "IPv6");
		fam = r->dst.p.family;
	}
	if ((r->proto == IPPROTO_ICMP && fam == AF_INET6) ||
	    (r->proto == IPPROTO_ICMPV6 && fam == AF_INET))
		return ERR("proto: %s with %s addresses",
			   fw_proto_name(r->proto),
			   fam == AF_INET ? "IPv4" : "IPv6");
	if (r->action > SLUICE_FW_ACT_REJECT)
		return ERR("action: %u is not accept, drop or reject",
			   r->action);
	return 0;
}

static void addr_format(const struct fw_addr *a, char *buf, size_t len)
{
	if (a->kind == FW_ADDR_SET)
		snprintf(buf, len, "@%s", a->set);
	else
		fw_prefix_format(&a->p, buf, len);
}

void fw_rule_format(const struct fw_rule *r, char *buf, size_t len)
{
	char a[64], s[80];
	size_t pos = 0;

#define PUT(...)                                                               \
	do {                                                                   \
		if (pos < len)                                                 \
			pos += snprintf(buf + pos, len - pos, __VA_ARGS__);    \
	} while (0)
	buf[0] = '\0';
	if (r->src.kind != FW_ADDR_ANY) {
		addr_format(&r->src, a, sizeof(a));
		PUT("--src %s ", a);
	}
	if (r->dst.kind != FW_ADDR_ANY) {
		addr_format(&r->dst, a, sizeof(a));
		PUT("--dst %s ", a);
	}
	if (r->proto)
		PUT("--proto %s ", fw_proto_name(r->proto));
	if (r->sport.lo == r->sport.hi)
		PUT("--sport %u ", r->sport.lo);
	else if (!any_range(&r->sport))
		PUT("--sport %u-%u ", r->sport.lo, r->sport.hi);
	if (r->dport.lo == r->dport.hi)
		PUT("--dport %u ", r->dport.lo);
	else if (!any_range(&r->dport))
		PUT("--dport %u-%u ", r->dport.lo, r->dport.hi);
	if (r->icmp_type >= 0)
		PUT("--icmp-type %d ", r->icmp_type);
	if (r->states) {
		fw_states_format(r->states, s, sizeof(s));
		PUT("--state %s ", s);
	}
	PUT("--action %s", fw_action_name(r->action));
#undef PUT
}
