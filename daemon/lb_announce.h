/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VIP announcement (docs/deploy.md, "BGP announcement and drains"): each
 * VIP address is published as a kernel route that a routing daemon (FRR
 * bgpd, BIRD) redistributes, only while one of the VIPs on that address
 * has a healthy backend and the node is not drained.  The route is a
 * blackhole VIP/32 (/128) in a table of its own (no `ip rule` points at
 * it, so the host never routes by it, and XDP sees the VIP's packets long
 * before any route would) with sluice's own protocol number, which is how
 * the routing daemon and this file recognise it.
 *
 * A restart never withdraws anything: with --keep-on-exit the routes are
 * left in place at exit (with the data path), adopted at the next start,
 * and a VIP whose backends have not been checked yet since that start
 * keeps the route it had.  Only health, the VIP set and a drain move
 * them.
 */
#ifndef SLUICED_LB_ANNOUNCE_H
#define SLUICED_LB_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;
struct lb;
struct lb_vip;

#define ANNOUNCE_TABLE_DEFAULT 83
#define ANNOUNCE_GSHUT_TABLE_DEFAULT 84
#define ANNOUNCE_PROTO_DEFAULT 83 /* "proto 83", like the neighbours */
#define ANNOUNCE_MAX_ADDRS 256

/* The config file's "announce" section. */
struct announce_conf {
	bool enabled;	/* default false: no routes at all */
	uint32_t table; /* 1..0xffffffff except 253..255 (local/main/default) */
	uint8_t protocol; /* 5..255 (0..4 are the kernel's own) */
	/* "drain": "withdraw" (false, the default) or "graceful_shutdown":
	 * a drain moves the routes to @gshut_table, which the routing
	 * daemon announces with the GRACEFUL_SHUTDOWN community (RFC 8326) */
	bool gshut;
	uint32_t gshut_table; /* as @table, and not @table */
};

void announce_conf_init(struct announce_conf *c);
/* {"enabled": true, "table": 83, "protocol": 83, "drain": "withdraw",
 * "gshut_table": 84}: 0, or -EINVAL with @err
 * naming the field and value ("announce.table: 254 is the main table"). */
int announce_conf_parse(struct announce_conf *c, struct json_object *o,
			char *err, size_t errlen);

struct announce;

/* Opens a netlink socket and adopts the routes of table/protocol already
 * in the kernel (a previous run's); 0 or -errno.  Disabled: nothing is
 * opened and every call below is a no-op. */
int announce_new(struct announce **out, const struct announce_conf *c,
		 struct lb *lb);
/* @withdraw false (--keep-on-exit: the data path stays, a restart must
 * not withdraw anything): every route stays.  True (the data path goes
 * with the process): they are withdrawn, or the VIPs would be announced
 * with nobody to forward them. */
void announce_free(struct announce *a, bool withdraw);
/* Makes the routes follow the VIP set now (lb_watch.changed). */
void announce_sync(void *a);
/* lb_watch.announced: the VIP's address has its route (-1: disabled). */
int announce_vip(void *a, const struct lb_vip *v);
/* Drained: every route withdrawn, whatever the health (or moved to
 * gshut_table with the graceful_shutdown drain). */
void announce_set_drained(struct announce *a, bool drained);
bool announce_enabled(const struct announce *a);
/* Prometheus text: sluice_lb_vip_announced{vip} per VIP (nothing when
 * disabled), to @f. */
void announce_metrics(const struct announce *a, FILE *f);
/* Routes installed now; route writes that failed since the start. */
uint32_t announce_count(const struct announce *a);
uint64_t announce_errors(const struct announce *a);
/* {"enabled", "table", "protocol", "drain", "gshut_table", "routes",
 * "errors"} */
struct json_object *announce_json(const struct announce *a);

#endif
