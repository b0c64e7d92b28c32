// SPDX-License-Identifier: BSD-2-Clause
/*
 * eth-input, ip4-input and ip6-input against the XDP router's own
 * fixtures (tests/bpf/fixtures.c, the table the BPF tier runs through
 * BPF_PROG_TEST_RUN): every frame the XDP program drops or hands to the
 * kernel for a parsing reason, the graph drops or punts under the same
 * reason; every frame the XDP program gets past parsing, the graph passes
 * on too.  One table, two data paths: a change to either parser that the
 * other does not follow fails here.
 */
#include <errno.h>
#include <uapi/sluice/reasons.h>
#include "graph_test_util.h"
/* the BPF tier's table itself, not a copy */
#include "../bpf/fixtures.c"

/* Reasons the XDP program gives while parsing (parse.h, l3.h, route.h's
 * TTL): the graph's input nodes must give the same. */
static bool parse_reason(int r)
{
	switch (r) {
	case SLUICE_DROP_TRUNC_ETH:
	case SLUICE_DROP_TRUNC_VLAN:
	case SLUICE_DROP_TRUNC_IP4:
	case SLUICE_DROP_TRUNC_IP6:
	case SLUICE_DROP_TRUNC_L4:
	case SLUICE_DROP_BAD_VERSION:
	case SLUICE_DROP_BAD_IHL:
	case SLUICE_DROP_BAD_LEN:
	case SLUICE_DROP_BAD_CSUM:
	case SLUICE_PASS_NOT_IP:
	case SLUICE_PASS_ND:
	case SLUICE_PASS_MULTICAST:
	case SLUICE_PASS_LINK_LOCAL:
	case SLUICE_PASS_IP_OPTIONS:
	case SLUICE_PASS_FRAGMENT:
	case SLUICE_PASS_TTL: return true;
	}
	return false;
}

/* Decided by the port's config (MAC, VLANs, managed or not), which the
 * graph's eth-input does not know yet: not compared. */
static bool port_reason(int r)
{
	return r == SLUICE_PASS_UNMANAGED_IF || r == SLUICE_PASS_VLAN_UNKNOWN ||
	       r == SLUICE_PASS_OTHER_HOST;
}

static void test_parity(void **state)
{
	struct pktio_pool *pool = make_pool(8);
	const struct graph_edge_spec eth_next[] = {
		{ "ip4", "ip4-input" },
		{ "ip6", "ip6-input" },
		{ "punt", "punt" },
		{ "drop", "drop" },
	};
	const struct graph_edge_spec ip_next[] = { { "ok", "ok" },
						   { "punt", "punt" },
						   { "drop", "drop" } };
	const struct graph_node_spec nodes[] = {
		{ .name = "eth-input", .next = eth_next, .n_next = 4 },
		{ .name = "ip4-input", .next = ip_next, .n_next = 3 },
		{ .name = "ip6-input", .next = ip_next, .n_next = 3 },
		{ .name = "ok", .type = "capture" },
		{ .name = "punt", .type = "capture" },
		{ .name = "drop", .type = "capture" },
	};
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 6 };
	unsigned int compared = 0, parsed = 0, bad = 0;
	struct graph *g;

	(void)state;
	register_capture();
	assert_int_equal(graph_create(&spec, &g), 0);
	for (size_t i = 0; i < n_fixtures; i++) {
		const struct fixture *fx = &fixtures[i];
		struct capture *ok = cap(g, "ok"), *pu = cap(g, "punt"),
			       *dr = cap(g, "drop");
		struct pktio_buf *b;
		struct frame f;
		int got = -1; /* -1: ok */

		if (fx->run_err || fx->meta || port_reason(fx->reason))
			continue;
		memset(&f, 0, sizeof(f));
		assert_int_equal(pkt_build(&fx->in, &f) ?:
					 pkt_mutate(&f, fx->mut, false),
				 0);
		b = buf_of(pool, f.buf, f.len);
		graph_walk(g, &b, 1);
		assert_int_equal(ok->n + pu->n + dr->n, 1);
		if (pu->n)
			got = graph_meta(pu->bufs[0])->reason;
		if (dr->n)
			got = graph_meta(dr->bufs[0])->reason;
		cap_free(ok);
		cap_free(pu);
		cap_free(dr);
		compared++;
		if (parse_reason(fx->reason)) {
			parsed++;
			if (got == fx->reason)
				continue;
		} else if (got == -1 ||
			   /* XDP checks the TTL after its lookup: to a local
			    * address it says pass_local; to the kernel both */
			   (got == SLUICE_PASS_TTL &&
			    fx->verdict == XDP_PASS)) {
			continue;
		}
		bad++;
		print_message("fixture \"%s\": XDP reason %d, graph %d\n",
			      fx->name, fx->reason, got);
	}
	print_message("%u fixtures compared, %u with a parsing reason\n",
		      compared, parsed);
	assert_int_equal(bad, 0);
	/* the table covers the parser: a test that cannot fail is none */
	assert_true(compared >= 100);
	assert_true(parsed >= 20);
	graph_destroy(g);
	assert_int_equal(pktio_pool_avail(pool), 8);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
