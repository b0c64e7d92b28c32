/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Steering's control plane (docs/steering.md): the selectors an operator
 * writes (the config file's "steer" array, POST /v1/steer, the state
 * file steer.json), written into the data path through lib/dp
 * (dp_steer.h); the data path itself is bpf/lib/steer.h.  Applications
 * register their AF_XDP sockets themselves (uapi/sluice/steer.h): sluiced
 * only reports which queues have one.
 */
#ifndef SLUICED_STEER_H
#define SLUICED_STEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uapi/sluice/steer.h>

struct dp;
struct json_object;

/* steer.json in the state directory ({"version": 1, "selectors": [...]}):
 * the selectors as changed through the API; it wins over the config
 * file's "steer" array, which only seeds the first start. */
#define STEER_STATE_FILE "steer.json"
#define STEER_MAX_SELECTORS (SLUICE_STEER_MAX_SELECTORS - 1)

enum steer_kind {
	STEER_PORT = 1, /* protocol and destination port (range) */
	STEER_DST,	/* destination prefix */
	STEER_VIP,	/* a VIP's address: the host prefix, for the LB's
			 * "userspace" VIPs (docs/steering.md) */
	STEER_TRANSIT,	/* every packet the router forwards, any protocol
			 * (a user-space router's traffic) */
};

/* One selector, as written and as kept.  Addresses in network order. */
struct steer_sel {
	uint32_t id; /* 1..STEER_MAX_SELECTORS; 0: not assigned yet */
	enum steer_kind kind;
	char iface[16]; /* "": packets from every port */
	uint8_t proto;	/* PORT: IPPROTO_TCP, IPPROTO_UDP */
	uint16_t port_lo, port_hi;
	int family; /* DST, VIP: AF_INET, AF_INET6 */
	uint8_t addr[16];
	uint8_t plen;
	uint32_t queue; /* SLUICE_STEER_ANY_QUEUE, or 0..MAX_QUEUES-1 */
};

#define STEER_PARSE_ID 0x1 /* "id" allowed (the state file) */

/*
 * One selector from a JSON object: {"proto": "udp", "dport": "5000" or
 * "5000-5010" or 5000} or {"dst": PREFIX} or {"vip": ADDR} or
 * {"transit": true}, with optional "iface" and "queue".  @where prefixes
 * field names in errors
 * ("steer[2]." in the config file, "" in a body).  0, or -EINVAL with the
 * field and the value in @err ("dport: '70000' is not a port 1..65535").
 */
int steer_sel_parse(struct json_object *o, const char *where, unsigned int keys,
		    struct steer_sel *s, char *err, size_t errlen);
/* An array of selectors: *@out malloc'd (free()); with STEER_PARSE_ID
 * each has a distinct id, else ids are left 0. */
int steer_sels_parse(struct json_object *a, const char *where,
		     unsigned int keys, struct steer_sel **out, size_t *n,
		     char *err, size_t errlen);
/* The selector as written, with its id. */
struct json_object *steer_sel_json(const struct steer_sel *s);
/* "udp 5000-5010", "dst 198.18.0.0/24", "vip 198.18.0.10", "transit" */
void steer_sel_text(const struct steer_sel *s, char *buf, size_t len);
/* "port", "dst", "vip", "transit" */
const char *steer_kind_name(enum steer_kind k);
/* Two selectors that would write the same map key (same interface and
 * an overlapping port range of the same protocol, the same prefix, or
 * both transit). */
bool steer_sel_overlap(const struct steer_sel *a, const struct steer_sel *b);
/* Why @s overlaps another selector, for the 409's message. */
const char *steer_overlap_why(const struct steer_sel *s);
/* Port entries @s writes (a range is one per port). */
size_t steer_sel_entries(const struct steer_sel *s);

/* ---- the running part (steer.c) ---- */
struct steer;

/* An interface name to its ifindex: 0 and *@ifindex (0 while absent),
 * or -ENODEV when sluiced does not manage it (nat_resolve_state). */
typedef int (*steer_resolve_fn)(void *arg, const char *name, uint32_t *ifindex);

/*
 * Reads @state_dir/steer.json, or uses @cfg (the config file's selectors)
 * when there is none, and writes them into the data path, replacing what
 * an earlier run left pinned (the sockets' map stays).  0, or -errno with
 * @err naming the file, the field or the selector.
 */
int steer_new(struct steer **out, struct dp *dp, steer_resolve_fn resolve,
	      void *resolve_arg, const char *state_dir,
	      const struct steer_sel *cfg, size_t n_cfg, char *err,
	      size_t errlen);
void steer_free(struct steer *st);
/* Adds @s (*@id its new id).  -EINVAL (an interface sluiced does not
 * manage), -EEXIST (overlaps selector N, named in @err), -ENOSPC, or the
 * data path's error; nothing changed on error. */
int steer_add(struct steer *st, const struct steer_sel *s, uint32_t *id,
	      char *err, size_t errlen);
/* -ENOENT when there is no selector @id. */
int steer_del(struct steer *st, uint32_t id, char *err, size_t errlen);
/* GET /v1/steer: the selectors with their counters, and per port the
 * queues that have a socket. */
struct json_object *steer_json(struct steer *st);

#endif
