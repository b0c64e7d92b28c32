// SPDX-License-Identifier: BSD-2-Clause
/* Netlink message bytes → route/neighbour/link structs → data-path entries.
 * Messages are built here the way the kernel lays them out. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include "nl.h"

static char buf[8192];
static unsigned char nh_flags[16]; /* rtnh_flags per member, put_multipath */

static struct nlmsghdr *route_msg(uint16_t type, uint8_t family,
				  const char *dst, uint8_t len, uint8_t rtype)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	uint8_t addr[16];

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_type = rtype;
	rtm->rtm_protocol = RTPROT_STATIC;
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	if (dst) {
		assert_int_equal(inet_pton(family, dst, addr), 1);
		mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, addr);
	}
	return nlh;
}

static void put_gw(struct nlmsghdr *nlh, uint8_t family, const char *gw)
{
	uint8_t addr[16];

	assert_int_equal(inet_pton(family, gw, addr), 1);
	mnl_attr_put(nlh, RTA_GATEWAY, family == AF_INET ? 4 : 16, addr);
}

/* RTA_MULTIPATH: rtnexthop headers each followed by their own attrs */
static void put_multipath(struct nlmsghdr *nlh, uint8_t family, int n,
			  const char *const *gws, const int *ifindex,
			  const int *hops)
{
	struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);

	for (int i = 0; i < n; i++) {
		struct rtnexthop *rtnh = mnl_nlmsg_get_payload_tail(nlh);
		uint8_t addr[16];

		nlh->nlmsg_len += MNL_ALIGN(sizeof(*rtnh));
		memset(rtnh, 0, sizeof(*rtnh));
		rtnh->rtnh_ifindex = ifindex[i];
		rtnh->rtnh_hops = (unsigned char)hops[i];
		rtnh->rtnh_flags = nh_flags[i];
		assert_int_equal(inet_pton(family, gws[i], addr), 1);
		mnl_attr_put(nlh, RTA_GATEWAY, family == AF_INET ? 4 : 16,
			     addr);
		rtnh->rtnh_len =
			(unsigned short)((char *)mnl_nlmsg_get_payload_tail(
						 nlh) -
					 (char *)rtnh);
	}
	mnl_attr_nest_end(nlh, mp);
}

static void test_v4_gateway_route(void **state)
{
	struct nlmsghdr *nlh =
		route_msg(RTM_NEWROUTE, AF_INET, "198.18.2.0", 24, RTN_UNICAST);
	struct sluice_nhg g;
	struct nl_route r;
	const char *why;

	(void)state;
	put_gw(nlh, AF_INET, "198.18.1.2");
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 20);
	assert_int_equal(nl_parse_route(nlh, &r), 0);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.dst_len, 24);
	assert_int_equal(r.table, RT_TABLE_MAIN);
	assert_int_equal(r.priority, 20);
	assert_int_equal(r.n_nh, 1);
	assert_int_equal(r.nh[0].ifindex, 7);
	assert_int_equal(r.nh[0].gw_family, AF_INET);
	assert_memory_equal(r.nh[0].gw, "\xc6\x12\x01\x02", 4);

	assert_int_equal(nl_route_translate(&r, &g, &why), SLUICE_RT_FORWARD);
	assert_int_equal(g.count, 1);
	assert_int_equal(g.nh[0].ifindex, 7);
	assert_int_equal(g.nh[0].family, AF_INET);
	assert_memory_equal(g.nh[0].gw, "\xc6\x12\x01\x02", 4);
}

static void test_connected_route_is_on_link(void **state)
{
	struct nlmsghdr *nlh = route_msg(RTM_NEWROUTE, AF_INET6,
					 "2001:db8:2::", 64, RTN_UNICAST);
	struct sluice_nhg g;
	struct nl_route r;
	const char *why;

	(void)state;
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	assert_int_equal(nl_parse_route(nlh, &r), 0);
	assert_int_equal(nl_route_translate(&r, &g, &why), SLUICE_RT_FORWARD);
	assert_int_equal(g.count, 1);
	assert_int_equal(g.nh[0].family, 0); /* neighbour = packet's dst */
	assert_int_equal(g.nh[0].ifindex, 3);
}

static void test_multipath_weights(void **state)
{
	static const char *const gws[] = { "198.18.1.2", "198.18.3.2" };
	static const int ifs[] = { 5, 6 }, hops[] = { 0, 2 };
	struct nlmsghdr *nlh = route_msg(RTM_NEWROUTE, AF_INET, "198.18.100.0",
					 24, RTN_UNICAST);
	struct sluice_nhg g;
	struct nl_route r;
	const char *why;

	(void)state;
	put_multipath(nlh, AF_INET, 2, gws, ifs, hops);
	assert_int_equal(nl_parse_route(nlh, &r), 0);
	assert_int_equal(r.n_nh, 2);
	assert_int_equal(r.nh[1].ifindex, 6);
	assert_int_equal(r.nh[1].weight, 3);
	assert_int_equal(nl_route_translate(&r, &g, &why), SLUICE_RT_FORWARD);
	/* weight 1 + weight 3: members repeated by weight */
	assert_int_equal(g.count, 4);
	assert_int_equal(g.nh[0].ifindex, 5);
	assert_int_equal(g.nh[1].ifindex, 6);
	assert_int_equal(g.nh[3].ifindex, 6);
}

static void test_v6_multipath(void **state)
{
	static const char *const gws[] = { "2001:db8:1::2", "2001:db8:3::2",
					   "fe80::1" };
	static const int ifs[] = { 5, 6, 7 }, hops[] = { 0, 0, 0 };
	struct nlmsghdr *nlh = route_msg(RTM_NEWROUTE, AF_INET6,
					 "2001:db8:100::", 48, RTN_UNICAST);
	struct sluice_nhg g;
	struct nl_route r;
	const char *why;

	(void)state;
	put_multipath(nlh, AF_INET6, 3, gws, ifs, hops);
	assert_int_equal(nl_parse_route(nlh, &r), 0);
	assert_int_equal(nl_route_translate(&r, &g, &why), SLUICE_RT_FORWARD);
	assert_int_equal(g.count, 3);
	assert_int_equal(g.nh[2].family, AF_INET6);
	assert_int_equal(g.nh[2].gw[0], 0xfe); /* link-local gw keeps ifindex */
	assert_int_equal(g.nh[2].ifindex, 7);
}

static void test_route_types(void **state)
{
	static const struct {
		uint8_t rtn;
		int expect;
	} cases[] = {
		{ RTN_LOCAL, SLUICE_RT_LOCAL },
		{ RTN_BLACKHOLE, SLUICE_RT_KERNEL },
		{ RTN_UNREACHABLE, SLUICE_RT_KERNEL },
		{ RTN_PROHIBIT, SLUICE_RT_KERNEL },
		{ RTN_BROADCAST, SLUICE_RT_KERNEL },
		{ RTN_MULTICAST, SLUICE_RT_KERNEL },
	};
	struct sluice_nhg g;
	struct nl_route r;
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nlmsghdr *nlh = route_msg(
			RTM_NEWROUTE, AF_INET, "198.18.9.0", 24, cases[i].rtn);

		assert_int_equal(nl_parse_route(nlh, &r), 0);
		assert_int_equal(nl_route_translate(&r, &g, &why),
				 cases[i].expect);
	}
}

static void test_unsupported_left_to_kernel(void **state)
{
	struct nlmsghdr *nlh =
		route_msg(RTM_NEWROUTE, AF_INET, "198.18.9.0", 24, RTN_UNICAST);
	struct sluice_nhg g;
	struct nl_route r;
	const char *why;

	(void)state;
	mnl_attr_put_u32(nlh, 30 /* RTA_NH_ID */, 12);
	assert_int_equal(nl_parse_route(nlh, &r), 0);
	assert_int_equal(nl_route_translate(&r, &g, &why), SLUICE_RT_KERNEL);
	assert_non_null(strstr(why, "nexthop object"));

	/* unicast without any nexthop */
	nlh = route_msg(RTM_NEWROUTE, AF_INET, "198.18.9.0", 24, RTN_UNICAST);
	assert_int_equal(nl_parse_route(nlh, &r), 0);
	assert_int_equal(nl_route_translate(&r, &g, &why), SLUICE_RT_KERNEL);
}

static void test_too_many_nexthops(void **state)
{
	const char *gws[SLUICE_MAX_ECMP + 1];
	int ifs[SLUICE_MAX_ECMP + 1], hops[SLUICE_MAX_ECMP + 1];
	struct nlmsghdr *nlh =
		route_msg(RTM_NEWROUTE, AF_INET, "198.18.9.0", 24, RTN_UNICAST);
	struct sluice_nhg g;
	struct nl_route r;
	const char *why;

	(void)state;
	for (int i = 0; i <= SLUICE_MAX_ECMP; i++) {
		gws[i] = "198.18.1.2";
		ifs[i] = i + 1;
		hops[i] = 0;
	}
	put_multipath(nlh, AF_INET, SLUICE_MAX_ECMP + 1, gws, ifs, hops);
	assert_int_equal(nl_parse_route(nlh, &r), 0);
	assert_int_equal(nl_route_translate(&r, &g, &why), SLUICE_RT_KERNEL);
}

/* The kernel keeps dead/linkdown nexthops in its FIB (and dumps them) but
 * never uses them: neither may we. */
static void test_dead_nexthops_skipped(void **state)
{
	static const char *const gws[] = { "198.18.1.2", "198.18.3.2" };
	static const int ifs[] = { 5, 6 }, hops[] = { 0, 0 };
	struct nlmsghdr *nlh = route_msg(RTM_NEWROUTE, AF_INET, "198.18.100.0",
					 24, RTN_UNICAST);
	struct sluice_nhg g;
	struct nl_route r;
	const char *why;

	(void)state;
	nh_flags[0] = RTNH_F_DEAD;
	put_multipath(nlh, AF_INET, 2, gws, ifs, hops);
	memset(nh_flags, 0, sizeof(nh_flags));
	assert_int_equal(nl_parse_route(nlh, &r), 0);
	assert_int_equal(r.n_nh, 1);
	assert_int_equal(r.nh[0].ifindex, 6);

	nlh = route_msg(RTM_NEWROUTE, AF_INET, "198.18.100.0", 24, RTN_UNICAST);
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_flags =
		RTNH_F_LINKDOWN;
	put_gw(nlh, AF_INET, "198.18.1.2");
	mnl_attr_put_u32(nlh, RTA_OIF, 5);
	assert_int_equal(nl_parse_route(nlh, &r), 0);
	assert_int_equal(r.n_nh, 0);
	assert_int_equal(nl_route_translate(&r, &g, &why), SLUICE_RT_KERNEL);
}

static struct nlmsghdr *nexthop_msg(uint8_t family, uint32_t id)
{
	struct nlmsghdr *nlh;
	struct nhmsg *nhm;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEXTHOP;
	nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	nhm->nh_family = family;
	mnl_attr_put_u32(nlh, NHA_ID, id);
	return nlh;
}

/* Nexthop objects (ip nexthop): a gateway, a group, a blackhole. */
static void test_nexthop_objects(void **state)
{
	struct nexthop_grp grp[2] = { { .id = 12, .weight = 0 },
				      { .id = 13, .weight = 2 } };
	struct nlmsghdr *nlh;
	struct nl_nexthop nh;
	uint8_t gw[4];

	(void)state;
	nlh = nexthop_msg(AF_INET, 12);
	inet_pton(AF_INET, "198.18.2.2", gw);
	mnl_attr_put(nlh, NHA_GATEWAY, 4, gw);
	mnl_attr_put_u32(nlh, NHA_OIF, 3);
	assert_int_equal(nl_parse_nexthop(nlh, &nh), 0);
	assert_int_equal(nh.id, 12);
	assert_true(nh.has_gw);
	assert_int_equal(nh.oif, 3);
	assert_memory_equal(nh.gw, gw, 4);
	assert_false(nh.dead);

	nlh = nexthop_msg(AF_UNSPEC, 20);
	mnl_attr_put(nlh, NHA_GROUP, sizeof(grp), grp);
	assert_int_equal(nl_parse_nexthop(nlh, &nh), 0);
	assert_int_equal(nh.n_grp, 2);
	assert_int_equal(nh.grp[1].id, 13);
	assert_int_equal(nh.grp[0].weight, 1); /* the kernel stores weight-1 */
	assert_int_equal(nh.grp[1].weight, 3);

	nlh = nexthop_msg(AF_INET, 30);
	mnl_attr_put(nlh, NHA_BLACKHOLE, 0, NULL);
	assert_int_equal(nl_parse_nexthop(nlh, &nh), 0);
	assert_true(nh.blackhole);

	/* malformed: no id; a group of a length that is not whole entries */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct nhmsg));
	assert_int_equal(nl_parse_nexthop(nlh, &nh), -EINVAL);
	nlh = nexthop_msg(AF_UNSPEC, 21);
	mnl_attr_put(nlh, NHA_GROUP, 5, grp);
	assert_int_equal(nl_parse_nexthop(nlh, &nh), -EINVAL);
}

/* A route naming an object: with compat mode the nexthops are spelled
 * out too and used as they are; without, only the id comes. */
static void test_route_with_nhid(void **state)
{
	struct nlmsghdr *nlh = route_msg(RTM_NEWROUTE, AF_INET, "198.18.100.0",
					 24, RTN_UNICAST);
	struct sluice_nhg g;
	struct nl_route r;
	const char *why;

	(void)state;
	mnl_attr_put_u32(nlh, 30 /* RTA_NH_ID */, 12);
	put_gw(nlh, AF_INET, "198.18.2.2");
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	assert_int_equal(nl_parse_route(nlh, &r), 0);
	assert_int_equal(r.nh_id, 12);
	assert_int_equal(r.n_nh, 1);
	assert_int_equal(nl_route_translate(&r, &g, &why), SLUICE_RT_FORWARD);
	assert_int_equal(g.nh[0].ifindex, 3);

	nlh = route_msg(RTM_NEWROUTE, AF_INET, "198.18.100.0", 24, RTN_UNICAST);
	mnl_attr_put_u32(nlh, 30 /* RTA_NH_ID */, 12);
	assert_int_equal(nl_parse_route(nlh, &r), 0);
	assert_int_equal(r.nh_id, 12);
	assert_int_equal(r.n_nh, 0);
	assert_false(r.unsupported);
}

static void test_malformed_route(void **state)
{
	struct nlmsghdr *nlh;
	struct nl_route r;

	(void)state;
	/* dst_len beyond the family */
	nlh = route_msg(RTM_NEWROUTE, AF_INET, "198.18.9.0", 33, RTN_UNICAST);
	assert_int_equal(nl_parse_route(nlh, &r), -EINVAL);
	/* an RTA_DST of the wrong size */
	nlh = route_msg(RTM_NEWROUTE, AF_INET, NULL, 24, RTN_UNICAST);
	mnl_attr_put(nlh, RTA_DST, 3, "\xc6\x12\x09");
	assert_int_equal(nl_parse_route(nlh, &r), -EINVAL);
	/* truncated header */
	nlh = route_msg(RTM_NEWROUTE, AF_INET, NULL, 24, RTN_UNICAST);
	nlh->nlmsg_len = NLMSG_LENGTH(4);
	assert_int_equal(nl_parse_route(nlh, &r), -EINVAL);
	/* other families and cloned routes are not ours */
	nlh = route_msg(RTM_NEWROUTE, AF_INET, NULL, 0, RTN_UNICAST);
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_family = AF_BRIDGE;
	assert_int_equal(nl_parse_route(nlh, &r), -ENOENT);
	nlh = route_msg(RTM_NEWROUTE, AF_INET6, NULL, 0, RTN_UNICAST);
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_flags = RTM_F_CLONED;
	assert_int_equal(nl_parse_route(nlh, &r), -ENOENT);
}

static void test_neigh(void **state)
{
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	struct nl_neigh n;
	uint8_t addr[4];

	(void)state;
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET;
	ndm->ndm_ifindex = 4;
	ndm->ndm_state = NUD_REACHABLE;
	inet_pton(AF_INET, "198.18.1.2", addr);
	mnl_attr_put(nlh, NDA_DST, 4, addr);
	mnl_attr_put(nlh, NDA_LLADDR, 6, "\x02\x00\x00\x00\x01\x02");
	assert_int_equal(nl_parse_neigh(nlh, &n), 0);
	assert_int_equal(n.ifindex, 4);
	assert_true(nl_neigh_usable(&n));
	assert_memory_equal(n.mac, "\x02\x00\x00\x00\x01\x02", 6);
	assert_string_equal(nl_neigh_state_name(n.state), "reachable");

	ndm->ndm_state = NUD_FAILED;
	assert_int_equal(nl_parse_neigh(nlh, &n), 0);
	assert_false(nl_neigh_usable(&n));
	ndm->ndm_state = NUD_STALE;
	assert_int_equal(nl_parse_neigh(nlh, &n), 0);
	assert_true(nl_neigh_usable(&n));

	/* a group the kernel joined: NOARP, a MAC, never a next hop */
	ndm->ndm_state = NUD_NOARP;
	assert_int_equal(nl_parse_neigh(nlh, &n), 0);
	assert_true(nl_neigh_usable(&n)); /* a unicast NOARP entry is */
	inet_pton(AF_INET, "224.0.0.22", addr);
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET;
	ndm->ndm_state = NUD_NOARP;
	mnl_attr_put(nlh, NDA_DST, 4, addr);
	mnl_attr_put(nlh, NDA_LLADDR, 6, "\x01\x00\x5e\x00\x00\x16");
	assert_int_equal(nl_parse_neigh(nlh, &n), 0);
	assert_false(nl_neigh_usable(&n));
	inet_pton(AF_INET, "239.255.255.250", n.addr);
	assert_false(nl_neigh_usable(&n));
	inet_pton(AF_INET, "223.255.255.254", n.addr);
	assert_true(nl_neigh_usable(&n));
	n.family = AF_INET6;
	inet_pton(AF_INET6, "ff02::16", n.addr);
	assert_false(nl_neigh_usable(&n));
	inet_pton(AF_INET6, "fe80::1", n.addr);
	assert_true(nl_neigh_usable(&n));

	/* incomplete: no lladdr yet */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET;
	ndm->ndm_state = NUD_INCOMPLETE;
	mnl_attr_put(nlh, NDA_DST, 4, addr);
	assert_int_equal(nl_parse_neigh(nlh, &n), 0);
	assert_false(nl_neigh_usable(&n));
	assert_int_equal(n.protocol, 0);
	assert_int_equal(n.flags_ext, 0);

	/* the neighbour probe's own entry: who made it, and "managed" */
	mnl_attr_put_u8(nlh, NDA_PROTOCOL, 83);
	mnl_attr_put_u32(nlh, NDA_FLAGS_EXT, NTF_EXT_MANAGED);
	assert_int_equal(nl_parse_neigh(nlh, &n), 0);
	assert_int_equal(n.protocol, 83);
	assert_int_equal(n.flags_ext, NTF_EXT_MANAGED);
}

static void test_link_vlan(void **state)
{
	struct nlattr *li, *data;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nl_link l;

	(void)state;
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 9;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "r0.100");
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, "\x02\x00\x00\x00\x01\x01");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1496);
	mnl_attr_put_u32(nlh, IFLA_LINK, 2);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u16(nlh, IFLA_VLAN_ID, 100);
	mnl_attr_put_u16(nlh, IFLA_VLAN_PROTOCOL, htons(0x8100));
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	assert_int_equal(nl_parse_link(nlh, &l), 0);
	assert_string_equal(l.name, "r0.100");
	assert_int_equal(l.mtu, 1496);
	assert_true(l.is_vlan);
	assert_true(l.vlan_8021q);
	assert_int_equal(l.vlan_id, 100);
	assert_int_equal(l.parent, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_gateway_route),
		cmocka_unit_test(test_connected_route_is_on_link),
		cmocka_unit_test(test_multipath_weights),
		cmocka_unit_test(test_v6_multipath),
		cmocka_unit_test(test_route_types),
		cmocka_unit_test(test_unsupported_left_to_kernel),
		cmocka_unit_test(test_too_many_nexthops),
		cmocka_unit_test(test_dead_nexthops_skipped),
		cmocka_unit_test(test_nexthop_objects),
		cmocka_unit_test(test_route_with_nhid),
		cmocka_unit_test(test_malformed_route),
		cmocka_unit_test(test_neigh),
		cmocka_unit_test(test_link_vlan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
