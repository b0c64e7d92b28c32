/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The L7 local hop's control plane (docs/l7.md): whether it is on, the
 * cgroup (v2) its programs are attached to and the service ports
 * selected, from the config file's "l7" object, the API (/v1/l7) and the
 * state file l7.json; written into the data path through lib/dp
 * (dp_l7.h).  The data path is bpf/sluice_l7.bpf.c.
 *
 * The config file's "l7": {"enabled": true, "cgroup": PATH, "ports":
 * [8080, ...]}, every field optional (enabled false, cgroup the cgroup v2
 * root, no ports).  It seeds the first start only: l7.json, written by
 * every change through the API, wins from then on.
 */
#ifndef SLUICED_L7_H
#define SLUICED_L7_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uapi/sluice/l7.h>

struct json_object;

#define L7_STATE_FILE "l7.json"
#define L7_MAX_PORTS (SLUICE_L7_MAX_SELECTORS - 1)
#define L7_CGROUP_LEN 256

/* What the config file, the state file or a PUT says. */
struct l7_conf {
	bool enabled;
	char cgroup[L7_CGROUP_LEN]; /* "": the cgroup v2 root */
	uint16_t ports[L7_MAX_PORTS];
	uint32_t ids[L7_MAX_PORTS]; /* the state file's; 0: not given */
	size_t n_ports;
};

/* @v (the config file's "l7" object) into @c: 0, or -EINVAL with the
 * field and the value in @err ("l7.ports[1]: 70000 is not a port
 * 1..65535").  @where prefixes field names ("l7." or ""). */
int l7_conf_parse(struct json_object *v, const char *where, struct l7_conf *c,
		  char *err, size_t errlen);

struct l7;

/* What l7_new() will use (l7.json's settings, else @cfg's), checked now,
 * the cgroup against the filesystem too: --check-config's, and the
 * start's before anything is attached.  0 or -EINVAL with @err naming the
 * field and value. */
int l7_check(const char *state_dir, struct json_object *cfg, char *err,
	     size_t errlen);

/*
 * Loads the programs (maps pinned in @pin_dir/l7, reused when there),
 * reads @state_dir/l7.json or else @cfg (the config file's "l7", may be
 * NULL), writes the selectors and attaches when enabled.  0, or -errno
 * with the reason in @err (the kernel refusing the programs, a bad state
 * file, a cgroup that cannot be attached to).
 */
int l7_new(struct l7 **out, const char *pin_dir, const char *state_dir,
	   struct json_object *cfg, char *err, size_t errlen);
/* With @detach (sluiced's exit without keep_on_exit), turns the feature
 * off and removes the pins, unless sockets are still in the sockhash:
 * then its maps stay pinned (removing them would drop what was
 * redirected to those sockets and not yet read). */
void l7_free(struct l7 *l, bool detach);

/* Selects @port (*@id its selector).  -EEXIST when it is selected, -ENOSPC,
 * or the data path's error; nothing changed on error. */
int l7_port_add(struct l7 *l, uint16_t port, uint32_t *id, char *err,
		size_t errlen);
/* -ENOENT when @port is not selected.  Its connections already open keep
 * their path until they close. */
int l7_port_del(struct l7 *l, uint16_t port, char *err, size_t errlen);
/* On or off, and (when @cgroup is not NULL) the cgroup: attaches or
 * detaches.  -EINVAL naming the cgroup when it cannot be attached to;
 * nothing changed on error. */
int l7_set(struct l7 *l, bool enabled, const char *cgroup, char *err,
	   size_t errlen);
/* GET /v1/l7: on or off, attached, the cgroup, the sockets in the
 * sockhash and every selector with its counters. */
struct json_object *l7_json(struct l7 *l);

/* Prometheus text for /metrics (malloc'd), NULL without memory. */
char *l7_metrics(struct l7 *l);

#endif
