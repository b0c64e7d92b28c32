// SPDX-License-Identifier: BSD-2-Clause
/*
 * The firewall's rule sets for the stateful figures (statecost.c): on
 * the ingress port, "in", policy drop, with conntrack on and the flows
 * established (TCP, 198.18.0.2 to 198.19.x.y:80):
 *  - SCFW_LAST_10, SCFW_LAST_10K: 9 (9,999) rules that drop TCP to
 *    ports 1000 and up from other /32s of 198.18.64.0/18, then "tcp
 *    accept", the last rule, which every packet of the flows meets;
 *  - SCFW_EARLY_10, SCFW_EARLY_10K: "state established,related accept"
 *    first, then the same rules (the last still lets the SYN in).
 * The rule that accepts the measured packets has the id SCFW_HIT.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dp.h"
#include "dp_fw.h"
#include "fw.h"
#include "statecost.h"

static struct fw_compiled sets[SCFW_N];
static const unsigned int sizes[SCFW_N] = {
	[SCFW_LAST_10] = 10,
	[SCFW_LAST_10K] = 10000,
	[SCFW_EARLY_10] = 10,
	[SCFW_EARLY_10K] = 10000,
};

static int compile_one(int which)
{
	unsigned int n = sizes[which];
	bool early = which == SCFW_EARLY_10 || which == SCFW_EARLY_10K;
	struct fw_rule *r = calloc(n, sizeof(*r));
	char err[FW_ERR_MAX] = "", v[64];
	int rc = r ? 0 : -ENOMEM;

	for (unsigned int i = 0; !rc && i < n; i++) {
		unsigned int k = i - (early ? 1 : 0); /* the drop's number */

		fw_rule_init(&r[i]);
		r[i].id = SCFW_HIT + 1 + i;
		strcpy(r[i].iface, "b0");
		if (early && i == 0) {
			r[i].id = SCFW_HIT;
			rc = fw_rule_set(&r[i], "state", "established,related",
					 err, sizeof(err));
			continue;
		}
		rc = fw_rule_set(&r[i], "proto", "tcp", err, sizeof(err));
		if (rc || i == n - 1) {
			if (!early)
				r[i].id = SCFW_HIT;
			continue;
		}
		r[i].action = SLUICE_FW_ACT_DROP;
		snprintf(v, sizeof(v), "198.18.%u.%u/32", 64 + k / 256,
			 k % 256);
		rc = fw_rule_set(&r[i], "src", v, err, sizeof(err));
		r[i].dport = (struct fw_range){ (__u16)(1000 + k),
						(__u16)(1000 + k) };
	}
	if (!rc)
		rc = fw_compile(r, n, SLUICE_FW_ACT_DROP, NULL, NULL,
				&sets[which], err, sizeof(err));
	if (rc)
		note("stateful: compiling %u rules: %s", n, err);
	free(r);
	return rc;
}

int scfw_setup(void)
{
	int rc = 0;

	for (int k = SCFW_NONE + 1; k < SCFW_N && !rc; k++)
		rc = compile_one(k);
	return rc;
}

int scfw_install(struct dp *dp, __u32 slot, int which)
{
	if (which <= SCFW_NONE || which >= SCFW_N)
		return dp_fw_remove(dp, slot, SLUICE_FW_IN);
	return dp_fw_install(dp, slot, SLUICE_FW_IN, &sets[which]);
}

void scfw_free(void)
{
	for (int k = 0; k < SCFW_N; k++)
		fw_compiled_free(&sets[k]);
}
