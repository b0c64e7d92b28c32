// SPDX-License-Identifier: BSD-2-Clause
/*
 * A VIP's whole backend set in one change (PUT /v1/vips/{vip}/backends):
 * the backends that stay keep their ids (their flows stay where they are),
 * new ones get ids, the ones not named leave; the table is computed once
 * and written as one diff, in the same order and with the same rollback
 * as a single change (lb_program_change()).  A thousand backends changed
 * this way cost about what one change costs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "lb_internal.h"
#include "log.h"

static bool in_set(const struct lb_backend_spec *be, size_t n,
		   const struct lb_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (addr_eq(&be[i].addr, a))
			return true;
	return false;
}

int lb_backends_replace(struct lb *lb, uint32_t vip_id,
			const struct lb_backend_spec *be, size_t n,
			struct lb_replace_stats *st, char *err, size_t errlen)
{
	struct lb_replace_stats s = {};
	char name[LB_VIP_ID_LEN];
	struct lb_vip *v, *nw;
	uint32_t *ids = NULL;
	size_t fresh = 0;
	int rc;

	v = lb_vip_get_err(lb, vip_id, err, errlen);
	if (!v)
		return -ENOENT;
	rc = lb_backend_set_check(be, n, err, errlen);
	for (size_t i = 0; !rc && i < n; i++) {
		char field[64];

		snprintf(field, sizeof(field), "backends[%zu].address", i);
		rc = lb_fullnat_backend_check(&v->conf, &be[i].addr, field, err,
					      errlen);
	}
	if (rc)
		return rc;
	lb_vip_id_str(&v->conf.key, name, sizeof(name));
	for (size_t i = 0; i < n; i++)
		fresh += !lb_backend_find(v, &be[i].addr);
	/* the ones that leave free their ids only once the change is in */
	if (fresh > lb->free_n) {
		snprintf(err, errlen,
			 "backends: %zu new backends, but only %u backend ids "
			 "are free (%u for all VIPs together)",
			 fresh, lb->free_n, LB_MAX_BACKENDS);
		return -ENOSPC;
	}
	nw = lb_vip_clone(v, n > v->n_be ? n - v->n_be : 0);
	ids = calloc(fresh ? fresh : 1, sizeof(*ids));
	if (!nw || !ids) {
		lb_vip_free(nw);
		free(ids);
		return -ENOMEM;
	}
	nw->n_be = 0;
	for (size_t i = 0; i < n; i++) {
		const struct lb_backend *old = lb_backend_find(v, &be[i].addr);
		struct lb_backend *b = &nw->be[nw->n_be++];

		if (!old) {
			ids[s.added] = lb_be_id_alloc(lb);
			lb_backend_init(b, &be[i], ids[s.added++]);
			continue;
		}
		*b = *old; /* its id, health and slots */
		s.changed += b->spec.weight != be[i].weight ||
			     b->spec.state != be[i].state;
		b->spec.weight = be[i].weight;
		b->spec.state = be[i].state;
	}
	for (size_t i = 0; i < v->n_be; i++)
		s.removed += !in_set(be, n, &v->be[i].spec.addr);
	rc = lb_change(lb, nw, &s.slots_written, err, errlen);
	if (rc) {
		/* back to the front of the queue, the last one first */
		while (s.added-- > 0)
			lb_be_id_unalloc(lb, ids[s.added]);
		free(ids);
		return rc;
	}
	free(ids);
	pr_info("lb: VIP %s: backends replaced: %u added, %u removed, %u "
		"changed (%u slots written)",
		name, s.added, s.removed, s.changed, s.slots_written);
	lb_state_changed(lb, &lb->vips[vip_id]->conf.key);
	if (st)
		*st = s;
	return 0;
}
