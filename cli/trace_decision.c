// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluicectl trace: what the stages decided for a packet (the event's
 * sluice_trace_decision, bpf/lib/trace_note.h), as words on the trace
 * line and as JSON fields.  Everything comes from the event itself: the
 * route's prefix is the address the table was asked for, cut to the
 * length of the entry that matched, so a route changed since the packet
 * does not change what is printed.
 */
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include <uapi/sluice/ct.h>
#include <uapi/sluice/fw.h>
#include "cli_trace.h"

static const char *fw_action_name(__u8 a)
{
	switch (a) {
	case SLUICE_FW_ACT_ACCEPT: return "accept";
	case SLUICE_FW_ACT_DROP: return "drop";
	case SLUICE_FW_ACT_REJECT: return "reject";
	default: return "?";
	}
}

/* SLUICE_CTM_* bits as "established" (several: "new,invalid"). */
static void ct_names(__u8 m, char *buf, size_t len)
{
	static const struct {
		__u8 bit;
		const char *name;
	} names[] = { { SLUICE_CTM_NEW, "new" },
		      { SLUICE_CTM_ESTABLISHED, "established" },
		      { SLUICE_CTM_RELATED, "related" },
		      { SLUICE_CTM_INVALID, "invalid" },
		      { SLUICE_CTM_UNTRACKED, "untracked" } };
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((m & names[i].bit) && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						off ? "," : "", names[i].name);
	if (!off)
		snprintf(buf, len, "none");
}

static void addr_txt(__u8 family, const __u8 *a, char *buf, size_t len)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
}

/* The address the route was looked up for, cut to the entry's length. */
static void route_prefix(const struct sluice_trace_decision *d, char *buf,
			 size_t len)
{
	unsigned int plen = d->plen,
		     max = d->route_family == AF_INET6 ? 128 : 32;
	char txt[INET6_ADDRSTRLEN];
	__u8 a[16];

	memcpy(a, d->route_dst, sizeof(a));
	if (plen > max)
		plen = max;
	for (unsigned int i = 0; i < 16; i++) {
		int bits = (int)plen - (int)i * 8;

		a[i] &= bits >= 8 ? 0xff :
			bits <= 0 ? 0 :
				    (__u8)(0xff00 >> bits);
	}
	addr_txt(d->route_family, a, txt, sizeof(txt));
	snprintf(buf, len, "%s/%u", txt, plen);
}

static void dev_name(__u32 ifindex, char *buf, size_t len)
{
	char name[IF_NAMESIZE];

	if (if_indextoname(ifindex, name))
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", ifindex);
}

void cli_trace_endpoint(__u8 family, const __u8 *a, bool ports, __u16 port,
			char *buf, size_t len)
{
	char txt[INET6_ADDRSTRLEN];

	addr_txt(family, a, txt, sizeof(txt));
	if (!ports)
		snprintf(buf, len, "%s", txt);
	else if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", txt, port);
	else
		snprintf(buf, len, "%s:%u", txt, port);
}

static const char *l4_name(__u8 p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	default: return "ip";
	}
}

/* Appends with snprintf's clamping: @off never passes @len. */
#define ADD(...)                                                               \
	do {                                                                   \
		if (off < len) {                                               \
			int n_ = snprintf(buf + off, len - off, __VA_ARGS__);  \
			if (n_ > 0)                                            \
				off += (size_t)n_;                             \
		}                                                              \
	} while (0)

int cli_trace_decision(const struct sluice_trace_event *ev, char *buf,
		       size_t len)
{
	const struct sluice_trace_decision *d = &ev->d;
	bool ports = ev->flags & SLUICE_TRACE_F_PORTS;
	struct cli_trace_sent s;
	char a[80], b[80];
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	if (d->flags & SLUICE_TRACE_D_CT) {
		ct_names(d->ct_state, a, sizeof(a));
		ADD(" ct %s", a);
	}
	if (d->flags & SLUICE_TRACE_D_FW)
		ADD(" fw rule %u (%s)", d->fw_id, fw_action_name(d->fw_action));
	if (d->flags & SLUICE_TRACE_D_FW_POLICY)
		ADD(" fw policy %s (%s)", fw_action_name(d->fw_action),
		    (d->fw_id - SLUICE_FW_MAX_COUNTERS) % 2 == SLUICE_FW_OUT ?
			    "out" :
			    "in");
	if (d->flags & SLUICE_TRACE_D_VIP) {
		if (ev->flags & SLUICE_TRACE_F_ENCAP) {
			cli_trace_endpoint(ev->family, ev->dst, ports,
					   ev->dport, a, sizeof(a));
			addr_txt(ev->tun_family, ev->tun_dst, b, sizeof(b));
			ADD(" vip %s/%s (id %u)", a, l4_name(ev->proto),
			    d->vip_id);
			if (d->backend_id)
				ADD(" backend %s (id %u)", b, d->backend_id);
		} else if ((ev->flags & SLUICE_TRACE_F_RX) &&
			   !cli_trace_sent(ev, &s)) {
			/* full NAT: the VIP as received, the backend as the
			 * frame left */
			cli_trace_endpoint(ev->family, ev->dst, ports,
					   ev->dport, a, sizeof(a));
			ADD(" vip %s/%s (id %u)", a, l4_name(ev->proto),
			    d->vip_id);
			if (d->backend_id) {
				cli_trace_endpoint(s.family, s.dst, s.ports,
						   s.dport, b, sizeof(b));
				ADD(" backend %s (id %u)", b, d->backend_id);
			}
		} else {
			ADD(" vip id %u", d->vip_id);
			if (d->backend_id)
				ADD(" backend id %u", d->backend_id);
		}
		if (!d->backend_id)
			ADD(" backend none");
	}
	if (d->flags & SLUICE_TRACE_D_NAT_SRC) {
		cli_trace_nat_ends(ev, false, a, sizeof(a));
		ADD(" nat src %s", a);
	}
	if (d->flags & SLUICE_TRACE_D_NAT_DST) {
		cli_trace_nat_ends(ev, true, a, sizeof(a));
		ADD(" nat dst %s", a);
	}
	if (d->flags & SLUICE_TRACE_D_ROUTE) {
		route_prefix(d, a, sizeof(a));
		ADD(" route %s", a);
		if (d->nhg_id)
			ADD(" nhg %u", d->nhg_id);
	} else if (d->flags & SLUICE_TRACE_D_HOP) {
		ADD(" hop"); /* a backend's own resolved next hop */
	}
	if (d->flags & SLUICE_TRACE_D_HOP) {
		if (d->gw_family) {
			addr_txt(d->gw_family, d->gw, a, sizeof(a));
			ADD(" via %s", a);
		}
		dev_name(d->oif, a, sizeof(a));
		ADD(" dev %s", a);
	}
	return (int)off;
}

void cli_trace_decision_json(const struct sluice_trace_event *ev,
			     json_object *o)
{
	const struct sluice_trace_decision *d = &ev->d;
	char a[80];

	if (d->flags & SLUICE_TRACE_D_CT) {
		ct_names(d->ct_state, a, sizeof(a));
		json_object_object_add(o, "ct", json_object_new_string(a));
	}
	if (d->flags & (SLUICE_TRACE_D_FW | SLUICE_TRACE_D_FW_POLICY)) {
		json_object *fw = json_object_new_object();

		if (d->flags & SLUICE_TRACE_D_FW)
			json_object_object_add(fw, "rule",
					       json_object_new_int64(d->fw_id));
		else
			json_object_object_add(
				fw, "dir",
				json_object_new_string(
					(d->fw_id - SLUICE_FW_MAX_COUNTERS) %
								2 ==
							SLUICE_FW_OUT ?
						"out" :
						"in"));
		json_object_object_add(
			fw, d->flags & SLUICE_TRACE_D_FW ? "action" : "policy",
			json_object_new_string(fw_action_name(d->fw_action)));
		json_object_object_add(o, "fw", fw);
	}
	if (d->flags & SLUICE_TRACE_D_VIP) {
		json_object *v = json_object_new_object();

		json_object_object_add(v, "id",
				       json_object_new_int64(d->vip_id));
		json_object_object_add(v, "backend_id",
				       json_object_new_int64(d->backend_id));
		if ((ev->flags & SLUICE_TRACE_F_ENCAP) && d->backend_id) {
			addr_txt(ev->tun_family, ev->tun_dst, a, sizeof(a));
			json_object_object_add(v, "backend",
					       json_object_new_string(a));
		}
		json_object_object_add(o, "vip", v);
	}
	if (d->flags & (SLUICE_TRACE_D_NAT_SRC | SLUICE_TRACE_D_NAT_DST)) {
		json_object *n = json_object_new_object();

		if (d->flags & SLUICE_TRACE_D_NAT_SRC) {
			cli_trace_nat_ends(ev, false, a, sizeof(a));
			json_object_object_add(n, "src",
					       json_object_new_string(a));
		}
		if (d->flags & SLUICE_TRACE_D_NAT_DST) {
			cli_trace_nat_ends(ev, true, a, sizeof(a));
			json_object_object_add(n, "dst",
					       json_object_new_string(a));
		}
		json_object_object_add(o, "nat", n);
	}
	if (d->flags & (SLUICE_TRACE_D_ROUTE | SLUICE_TRACE_D_HOP)) {
		json_object *r = json_object_new_object();

		if (d->flags & SLUICE_TRACE_D_ROUTE) {
			route_prefix(d, a, sizeof(a));
			json_object_object_add(r, "prefix",
					       json_object_new_string(a));
			json_object_object_add(
				r, "nhg", json_object_new_int64(d->nhg_id));
		}
		if (d->flags & SLUICE_TRACE_D_HOP) {
			if (d->gw_family) {
				addr_txt(d->gw_family, d->gw, a, sizeof(a));
				json_object_object_add(
					r, "via", json_object_new_string(a));
			}
			dev_name(d->oif, a, sizeof(a));
			json_object_object_add(r, "dev",
					       json_object_new_string(a));
			json_object_object_add(r, "oif",
					       json_object_new_int64(d->oif));
		}
		json_object_object_add(o, "route", r);
	}
}
