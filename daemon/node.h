/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The node's drain (docs/deploy.md, "BGP announcement and drains"): a
 * drained node withdraws its VIP routes (lb_announce.h) so that the
 * upstream routers stop sending new flows, and keeps forwarding whatever
 * still arrives: the data path is not touched.  SIGTERM with a grace
 * period (config node.sigterm_grace_s, default 0: exit at once, routes
 * and pinned state left in place, as a restart wants) drains, waits the
 * grace period, then exits.
 */
#ifndef SLUICED_NODE_H
#define SLUICED_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct announce;
struct json_object;
struct loop;
struct node;

#define NODE_GRACE_MAX 86400

/* The config file's "node" section: {"sigterm_grace_s": 30}. */
int node_conf_parse(uint32_t *sigterm_grace_s, struct json_object *o, char *err,
		    size_t errlen);

int node_new(struct node **out, struct announce *an, uint32_t sigterm_grace_s);
void node_free(struct node *n);
/* The grace timers run in @l (NULL: node_loop_del()). */
void node_loop_set(struct node *n, struct loop *l);
/* 0; -EALREADY with @err when already draining (nothing changes: the
 * drain in progress keeps its start and grace); -EINVAL for a grace
 * above NODE_GRACE_MAX. */
int node_drain(struct node *n, uint32_t grace_s, char *err, size_t errlen);
/* 0; -EALREADY with @err when not draining; -EBUSY while SIGTERM's
 * grace runs (the exit is decided). */
int node_undrain(struct node *n, char *err, size_t errlen);
/* SIGTERM: true when it starts a drain whose grace ends the loop (the
 * caller must not stop it now); false: stop now (no grace configured, or
 * a second SIGTERM). */
bool node_sigterm(struct node *n);
bool node_draining(const struct node *n);
/* {"state": "active"|"draining", "grace_s", "draining_for_ms",
 *  "exit_in_ms" (SIGTERM), "sigterm_grace_s", "announce": {...}} */
struct json_object *node_json(const struct node *n);
/* Prometheus text (malloc'd, NULL: out of memory): sluice_node_draining,
 * sluice_announce_routes, sluice_announce_errors_total and
 * sluice_lb_vip_announced{vip}. */
char *node_metrics(const struct node *n);
/* The body of POST /v1/node/drain: {} or {"grace_s": N}. */
int node_drain_body(struct json_object *o, uint32_t *grace_s, char *err,
		    size_t errlen);

#endif
