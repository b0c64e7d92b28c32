/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The load balancer's flow table as an operator sees it (GET and DELETE
 * /v1/lb/flows, docs/lb-api.md "Flows"): a filter by VIP, backend and
 * client, a page of flows from a slot on, and a flush.  Reads and deletes
 * through the table's memory (lib/dp/lb_flow_table.h), never a syscall a
 * flow, while the data path keeps entering flows.
 */
#ifndef SLUICED_LB_FLOW_QUERY_H
#define SLUICED_LB_FLOW_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lb.h"

#define LB_FLOWS_LIMIT_DEFAULT 100 /* flows a page */
#define LB_FLOWS_LIMIT_MAX 10000

struct lb_flow_filter {
	uint32_t vip_id; /* 0: any */
	bool by_backend;
	/* by_backend: the ids the backend's address has (one a VIP) */
	uint8_t backend_ids[SLUICE_LB_MAX_BACKENDS / 8];
	uint8_t family; /* of src; 0: any client */
	uint8_t src_plen;
	uint8_t src[16];
};

/* ?vip=, ?backend=, ?src= (each NULL: any) into @f: 0; -EINVAL (a value
 * of the wrong shape) or -ENOENT (no such VIP, or no backend with that
 * address in it or in any VIP), with @err naming the field and value. */
int lb_flow_filter_parse(const struct lb *lb, const char *vip,
			 const char *backend, const char *src,
			 struct lb_flow_filter *f, char *err, size_t errlen);

struct lb_flow_page {
	struct json_object *flows; /* the array the flows are added to */
	uint32_t limit;		   /* at most this many */
	uint32_t n;		   /* added */
	uint32_t next;		   /* the slot to go on from */
	bool more;		   /* the walk stopped before the table's end */
	uint32_t slots;		   /* the table's size */
};

/* The flows @f matches from slot @from on, into @pg (flows, limit set by
 * the caller): 0, or -EOPNOTSUPP without a table. */
int lb_flows_page(const struct lb *lb, const struct lb_flow_filter *f,
		  uint32_t from, struct lb_flow_page *pg);
/* Deletes the flows @f matches, *@n of them: their next packet goes
 * through Maglev again. */
int lb_flows_flush(const struct lb *lb, const struct lb_flow_filter *f,
		   uint32_t *n);

#endif
