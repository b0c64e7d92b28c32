/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/dp's firewall operations (fw.c): install a compiled rule set
 * (lib/fw) for an interface slot and direction, atomically; named prefix
 * sets; the per-rule and per-policy counters.  Router role only
 * (-EOPNOTSUPP otherwise).  Functions return 0 or -errno.
 */
#ifndef SLUICE_DP_FW_H
#define SLUICE_DP_FW_H

#include <linux/types.h>
#include <uapi/sluice/sluice.h>

struct dp;
struct fw_compiled;
struct fw_prefix;

/*
 * Writes @c into a set id no interface uses (cleared first), then points
 * (@slot, @dir) at it with one element write: a packet sees the old rule
 * set or the new one, never a mix.  The old set's entries stay until its
 * id is reused, ids taking turns, so a packet that read the old id just
 * before the swap still finds all of it.
 */
int dp_fw_install(struct dp *dp, __u32 slot, __u8 dir,
		  const struct fw_compiled *c);
/* No rules on (@slot, @dir) any more: the one lookup and nothing else. */
int dp_fw_remove(struct dp *dp, __u32 slot, __u8 dir);
int dp_fw_port_get(struct dp *dp, __u32 slot, struct sluice_fw_port *e);

/* Named prefix sets (ids 1..SLUICE_FW_MAX_NSETS-1). */
int dp_fw_nset_add(struct dp *dp, __u16 nset, const struct fw_prefix *p);
int dp_fw_nset_del(struct dp *dp, __u16 nset, const struct fw_prefix *p);
/* Removes every prefix of @nset. */
int dp_fw_nset_flush(struct dp *dp, __u16 nset);

/* Counter @idx: a rule id, or SLUICE_FW_POLICY_COUNTER(slot, dir). */
int dp_fw_counter_read(struct dp *dp, __u32 idx, struct sluice_counter *out);
int dp_fw_counter_clear(struct dp *dp, __u32 idx);

#endif
