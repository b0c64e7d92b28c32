// SPDX-License-Identifier: BSD-2-Clause
/*
 * lb_flows: the LB flow table a sluiced pinned (uapi/sluice/lb_flows.h),
 * read and changed through its mapping, for the netns tests:
 *
 *   lb_flows PIN count   the flows in it
 *   lb_flows PIN dump    one line a flow: SRC SPORT DST DPORT PROTO VIP BE
 *   lb_flows PIN flush   forgets every flow (as a node that just started
 *                        would not know them); prints how many
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

int main(int argc, char **argv)
{
	struct lb_flow_table t = {};
	int fd, err = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: lb_flows PIN count|dump|flush\n");
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
	} else {
		fprintf(stderr, "lb_flows: unknown command '%s'\n", argv[2]);
		err = -EINVAL;
	}
	dp_lb_flow_table_unmap(&t);
	close(fd);
	return err ? 1 : 0;
}
