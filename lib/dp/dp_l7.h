/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The L7 local hop through lib/dp (lib/dp/l7.c, uapi/sluice/l7.h,
 * docs/l7.md): the sockops and sk_msg programs of bpf/sluice_l7.bpf.c,
 * their maps pinned under PIN/l7, the attachment to a cgroup (v2), the
 * selectors and the counters.  Independent of the XDP router: it has a
 * handle of its own.  Functions return 0 or -errno.
 */
#ifndef SLUICE_DP_L7_H
#define SLUICE_DP_L7_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <uapi/sluice/l7.h>

struct dp_l7;

/*
 * Loads the programs (the verifier's verdict on this kernel) and pins the
 * maps in @pin_dir/l7, reusing what is pinned there (the sockets of
 * connections open across a restart stay in the sockhash).  @pin_dir
 * NULL: nothing pinned (tests).  Attaches nothing.
 */
int dp_l7_open(struct dp_l7 **out, const char *pin_dir);
/* Closes what this process holds; pins and attachments stay. */
void dp_l7_close(struct dp_l7 *l);

/*
 * Attaches sk_msg to the sockhash and sockops to the cgroup at @cgroup
 * (a cgroup v2 directory) through a link pinned as
 * @pin_dir/l7/l7_sockops_link.  A pinned link on the same cgroup is
 * adopted (switched to this program, no gap); one on another cgroup is
 * replaced.  Needs CAP_BPF and CAP_NET_ADMIN (and the cgroup directory
 * readable), nothing more: it works after sluiced's capability drop.
 */
int dp_l7_attach(struct dp_l7 *l, const char *cgroup);
/*
 * Turns the switch (l7_config) off and detaches both programs.  Sockets
 * already in the sockhash stay there until they close and keep the
 * sk_msg program they were given, which now sends their bytes the normal
 * way (counted as "disabled"), after what was already redirected (which
 * stays readable, and is read first).  Entries are never deleted: deleting a socket
 * drops what was redirected to it and not yet read.
 */
int dp_l7_detach(struct dp_l7 *l);
/* Removes the map pins and PIN/l7 (after dp_l7_detach(): full
 * teardown).  -EBUSY, nothing removed, while sockets are in the sockhash:
 * the last reference gone, the sockhash would drop what was redirected
 * to them and not yet read. */
int dp_l7_unpin(struct dp_l7 *l);
/* A pinned (or our own) sockops link is in place. */
bool dp_l7_attached(const struct dp_l7 *l);

/* The selector @id (1..SLUICE_L7_MAX_SELECTORS-1) for service @port
 * (host order); -EINVAL for a bad id or port 0. */
int dp_l7_port_set(struct dp_l7 *l, __u16 port, __u32 id);
int dp_l7_port_del(struct dp_l7 *l, __u16 port);
/* Every selector out (a start rewrites what is in force). */
int dp_l7_ports_flush(struct dp_l7 *l);

/* Selector @id's counters summed over the CPUs; _clear zeroes them (an id
 * given again starts from nothing). */
int dp_l7_counters(struct dp_l7 *l, __u32 id, struct sluice_l7_counter *c);
int dp_l7_counters_clear(struct dp_l7 *l, __u32 id);
/* Sockets in the sockhash (walks it). */
int dp_l7_socks_count(struct dp_l7 *l);
/* The root of the cgroup v2 hierarchy: /sys/fs/cgroup when it is cgroup2,
 * else the first cgroup2 mount in /proc/mounts (/sys/fs/cgroup/unified on
 * a hybrid host); -ENOENT when there is none. */
int dp_l7_cgroup_root(char *buf, size_t len);
/* The name of fallback reason @why ("no_peer"), or "?". */
const char *dp_l7_fallback_name(__u32 why);

#endif
