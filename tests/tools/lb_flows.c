// SPDX-License-Identifier: BSD-2-Clause
/*
 * lb_flows: the LB flow table a sluiced pinned (uapi/sluice/lb_flows.h),
 * read and changed through its mapping, for the netns tests:
 *
 *   lb_flows PIN count   the flows in it
 *   lb_flows PIN dump    one line a flow: SRC SPORT DST DPORT PROTO VIP BE
 *   lb_flows PIN flush   forgets every flow (as a node that just started
 *                        would not know them); prints how many
 *   lb_flows PIN fill    a made-up flow in every slot that holds none, seen
 *                        long ago (198.19.H.L:1 -> 198.18.99.99:9/udp, no
 *                        VIP: no test sends such a packet), so that the
 *                        table is full and a new flow evicts; prints how
 *                        many
 *
 * A flow is forgotten the way lib/dp forgets one (its slot tagged
 * deleted), while the data path runs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "dp.h"

static int print_one(const struct sluice_flow_key *k,
		     const struct sluice_flow *v, void *arg)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int af = k->family == 2 ? AF_INET : AF_INET6;

	(void)arg;
	inet_ntop(af, k->saddr, s, sizeof(s));
	inet_ntop(af, k->daddr, d, sizeof(d));
	printf("%s %u %s %u %u %u %u\n", s, ntohs(k->sport), d, ntohs(k->dport),
	       k->proto, v->vip_id, v->backend_id);
	return 0;
}

struct flush {
	const struct lb_flow_table *t;
	long forgotten;
};

static int forget_one(const struct sluice_flow_key *k,
		      const struct sluice_flow *v, void *arg)
{
	struct flush *f = arg;

	(void)v;
	if (!lb_flow_table_del(f->t, k))
		f->forgotten++;
	return 0;
}

/* Made-up flows entered as the data path enters them (a real flow of
 * its own probes, which a flush or the API finds), until every slot holds
 * one.  Seen long ago: a full window evicts a made-up flow before a real
 * one.  Bounded: 64 keys a slot at most. */
static long fill(const struct lb_flow_table *t)
{
	__u32 slots = 1u << t->bits;
	long before = lb_flow_table_count(t);
	const struct sluice_flow v = { .last_seen_ns = 1 };

	for (__u32 j = 0; j < 64 * slots; j++) {
		struct sluice_flow_key k = { .family = 2, .proto = 17 };

		if (!(j % 4096) && lb_flow_table_count(t) == slots)
			break;
		k.saddr[0] = 198;
		k.saddr[1] = 19;
		k.saddr[2] = (__u8)(j >> 8);
		k.saddr[3] = (__u8)j;
		memcpy(k.daddr, (const __u8[]){ 198, 18, 99, 99 }, 4);
		k.sport = htons((__u16)(1 + (j >> 16)));
		k.dport = htons(9);
		if (lb_flow_table_put(t, &k, &v) < 0)
			break;
	}
	return lb_flow_table_count(t) - before;
}

int main(int argc, char **argv)
{
	struct lb_flow_table t = {};
	int fd, err = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: lb_flows PIN count|dump|flush|fill\n");
		return 2;
	}
	fd = bpf_obj_get(argv[1]);
	if (fd < 0 || (err = dp_lb_flow_table_map(fd, &t))) {
		fprintf(stderr, "lb_flows: %s: %s\n", argv[1],
			strerror(fd < 0 ? errno : -err));
		return 1;
	}
	if (!strcmp(argv[2], "count")) {
		printf("%ld\n", lb_flow_table_count(&t));
	} else if (!strcmp(argv[2], "dump")) {
		err = lb_flow_table_foreach(&t, print_one, NULL);
	} else if (!strcmp(argv[2], "flush")) {
		struct flush f = { &t, 0 };

		err = lb_flow_table_foreach(&t, forget_one, &f);
		printf("%ld\n", f.forgotten);
	} else if (!strcmp(argv[2], "fill")) {
		printf("%ld\n", fill(&t));
	} else {
		fprintf(stderr, "lb_flows: unknown command '%s'\n", argv[2]);
		err = -EINVAL;
	}
	dp_lb_flow_table_unmap(&t);
	close(fd);
	return err ? 1 : 0;
}
