// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluice-bench nat-router: R of bench/throughput.sh's SNAT round.  sluiced
 * has no NAT API yet, so this programs sluice's data path through lib/dp
 * itself, in the namespace it runs in: the two ports, one route via a
 * gateway out of the second port, connection tracking on, and an SNAT
 * rule masquerading a source prefix to the second port's address on the
 * way out of it.  Then it waits.
 *
 *   sluice-bench nat-router --in IF --out IF --addr A --src P/LEN
 *                           --route P/LEN --via A --via-mac MAC
 *                           --stats FILE
 *
 * SIGUSR1 writes the counters to FILE (one line, "name value" pairs:
 * the ingress port's fwd_redirect and drop packets, conntrack's created,
 * NAT's snat_bound, xlate_orig and port_exhausted); SIGTERM or SIGINT
 * detaches and exits.  Nothing is pinned: the programs go with it.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "bench.h"
#include "dp.h"
#include "dp_ct.h"
#include "dp_nat.h"

#define SLOT_IN 1
#define SLOT_OUT 2
#define NHG 1

struct nr_args {
	const char *in, *out, *stats;
	__u8 addr[16], src[16], route[16], via[16], via_mac[6];
	unsigned int src_plen, route_plen;
	bool have_addr, have_src, have_route, have_via, have_mac;
};

static int prefix(const char *txt, __u8 addr[16], unsigned int *plen)
{
	char buf[64];
	char *slash;
	int family;

	snprintf(buf, sizeof(buf), "%s", txt);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	*plen = (unsigned int)atoi(slash + 1);
	return parse_addr(buf, &family, addr) || family != AF_INET ||
			       *plen > 32 ?
		       -EINVAL :
		       0;
}

static int mac_of(const char *ifname, __u8 mac[6])
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

static int program(struct dp *dp, const struct nr_args *a, __u32 in, __u32 out)
{
	struct sluice_iface i0 = { .mtu = 1500, .slot = SLOT_IN };
	struct sluice_iface i1 = { .mtu = 1500, .slot = SLOT_OUT };
	struct sluice_nhg g = { .count = 1 };
	struct sluice_route rt = { .type = SLUICE_RT_FORWARD, .nhg_id = NHG };
	struct sluice_neigh_key nk = { .family = AF_INET, .ifindex = out };
	struct sluice_neigh nv = { 0 };
	struct dp_snat_rule s = { .id = 1,
				  .ifindex = out,
				  .family = AF_INET,
				  .src_plen = (__u8)a->src_plen,
				  .masquerade = true };
	struct sluice_ct_config cfg;
	int err;

	err = mac_of(a->in, i0.mac) ?: mac_of(a->out, i1.mac);
	if (err)
		return err;
	memcpy(i1.addr4, a->addr, 4);
	g.nh[0] = (struct sluice_nh){ .ifindex = out, .family = AF_INET };
	memcpy(g.nh[0].gw, a->via, 16);
	memcpy(nk.addr, a->via, 16);
	memcpy(nv.mac, a->via_mac, 6);
	memcpy(s.src, a->src, 16);
	dp_ct_default_config(&cfg);
	cfg.enabled = 1;
	return dp_iface_set(dp, in, &i0)	  ?:
		       dp_iface_set(dp, out, &i1) ?:
		       dp_port_set(dp, in)	  ?:
		       dp_port_set(dp, out)	  ?:
		       dp_nhg_set(dp, NHG, &g)	  ?:
		       dp_route_set(dp, AF_INET, a->route, a->route_plen, &rt) ?:
		       dp_neigh_set(dp, &nk, &nv) ?:
		       dp_ct_config_set(dp, &cfg) ?:
		       dp_snat_set(dp, &s)	  ?:
		       dp_nat_config_set(dp, SLUICE_NAT_HAS_SNAT);
}

/* Written to a temporary file and renamed: a reader never sees half. */
static int write_stats(struct dp *dp, const char *path)
{
	struct sluice_counter c[SLUICE_REASON_SLOTS];
	__u64 nat[SLUICE_NAT_NEVENTS];
	struct dp_ct_counts ct;
	unsigned long long other = 0;
	char tmp[4096];
	FILE *f;
	int err = dp_stats_read(dp, SLOT_IN, c) ?:
			  dp_ct_counts(dp, &ct) ?:
						  dp_nat_events(dp, nat);

	if (err)
		return err;
	for (int r = 0; r < SLUICE_REASON_SLOTS; r++)
		if (r != SLUICE_FWD_REDIRECT)
			other += c[r].packets;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f,
		"fwd_redirect %llu other %llu ct_created %llu snat_bound %llu "
		"xlate_orig %llu port_exhausted %llu\n",
		(unsigned long long)c[SLUICE_FWD_REDIRECT].packets, other,
		(unsigned long long)ct.events[SLUICE_CTE_CREATED],
		(unsigned long long)nat[SLUICE_NATE_SNAT_BOUND],
		(unsigned long long)nat[SLUICE_NATE_XLATE_ORIG],
		(unsigned long long)nat[SLUICE_NATE_PORT_EXHAUSTED]);
	if (fclose(f))
		return -errno;
	return rename(tmp, path) ? -errno : 0;
}

static int parse(int argc, char **argv, struct nr_args *a)
{
	static const struct option lo[] = {
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "addr", required_argument, NULL, 'a' },
		{ "src", required_argument, NULL, 's' },
		{ "route", required_argument, NULL, 'r' },
		{ "via", required_argument, NULL, 'v' },
		{ "via-mac", required_argument, NULL, 'm' },
		{ "stats", required_argument, NULL, 'S' },
		{ 0 },
	};
	unsigned int m[6];
	int c, fam;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'i': a->in = optarg; break;
		case 'o': a->out = optarg; break;
		case 'S': a->stats = optarg; break;
		case 'a':
			a->have_addr = !parse_addr(optarg, &fam, a->addr) &&
				       fam == AF_INET;
			break;
		case 's':
			a->have_src = !prefix(optarg, a->src, &a->src_plen);
			break;
		case 'r':
			a->have_route =
				!prefix(optarg, a->route, &a->route_plen);
			break;
		case 'v':
			a->have_via = !parse_addr(optarg, &fam, a->via) &&
				      fam == AF_INET;
			break;
		case 'm':
			a->have_mac = sscanf(optarg, "%x:%x:%x:%x:%x:%x", &m[0],
					     &m[1], &m[2], &m[3], &m[4],
					     &m[5]) == 6;
			for (int i = 0; i < 6; i++)
				a->via_mac[i] = (__u8)m[i];
			break;
		default: return -EINVAL;
		}
	}
	return a->in && a->out && a->stats && a->have_addr && a->have_src &&
			       a->have_route && a->have_via && a->have_mac ?
		       0 :
		       -EINVAL;
}

int nat_router_main(int argc, char **argv)
{
	struct nr_args a = { 0 };
	enum dp_xdp_mode got;
	struct dp *dp = NULL;
	__u32 in, out;
	sigset_t set;
	bool adopted;
	int err, sig = 0;

	if (parse(argc, argv, &a)) {
		fprintf(stderr,
			"usage: sluice-bench nat-router --in IF --out IF "
			"--addr A --src P/LEN --route P/LEN --via A --via-mac "
			"MAC --stats FILE\n");
		return 2;
	}
	in = if_nametoindex(a.in);
	out = if_nametoindex(a.out);
	if (!in || !out) {
		fprintf(stderr, "nat-router: no interface %s or %s\n", a.in,
			a.out);
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	err = dp_open(&dp, &(struct dp_opts){ .lb_disabled = true });
	err = err ?: program(dp, &a, in, out);
	err = err   ?:
		      dp_attach(dp, (int)in, a.in, DP_XDP_NATIVE, &got,
				&adopted);
	err = err   ?:
		      dp_attach(dp, (int)out, a.out, DP_XDP_NATIVE, &got,
				&adopted);
	err = err ?: write_stats(dp, a.stats);
	if (err) {
		fprintf(stderr, "nat-router: %s\n", strerror(-err));
		goto out;
	}
	fprintf(stderr, "nat-router: ready\n");
	while (!sigwait(&set, &sig) && sig == SIGUSR1) {
		err = write_stats(dp, a.stats);
		if (err)
			fprintf(stderr, "nat-router: stats: %s\n",
				strerror(-err));
	}
	dp_detach(dp, a.in, false);
	dp_detach(dp, a.out, false);
out:
	dp_close(dp);
	return err ? 1 : 0;
}
