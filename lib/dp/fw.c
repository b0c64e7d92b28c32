// SPDX-License-Identifier: BSD-2-Clause
/*
 * The firewall's maps (uapi/sluice/fw.h): a compiled rule set (lib/fw)
 * written under a free set id and swapped in with one fw_ports write.
 *
 * A set id's fw_ps, fw_rules and fw_sets entries are overwritten whole
 * when the id is reused; its LPM entries are found by their tag and
 * deleted first.  Ids are handed out in turn (dp->fw_next), so an id
 * that just went out of use is the last to be reused: a packet that read
 * it a moment before the swap finds its set intact.
 *
 * fw_ports values are 8 bytes that the kernel copies as a whole; each set
 * id fits in its low byte (SLUICE_FW_MAX_SETS <= 256), so even a copy
 * done byte by byte never shows a reader an id that was not written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp_fw.h"
#include "dp_internal.h"
#include "fw.h"

_Static_assert(SLUICE_FW_MAX_SETS <= 256, "fw set ids fit a byte");

static int ports_read(struct dp *dp, struct sluice_fw_port *all)
{
	for (__u32 s = 0; s < SLUICE_MAX_IFACES; s++) {
		int err = dp_lookup(dp, DP_MAP_FW_PORTS, &s, &all[s]);

		if (err)
			return err;
	}
	return 0;
}

/* A set id no slot points at, in turn after the last one given. */
static int free_set(struct dp *dp, const struct sluice_fw_port *all)
{
	bool used[SLUICE_FW_MAX_SETS] = { 0 };

	for (__u32 s = 0; s < SLUICE_MAX_IFACES; s++) {
		if (all[s].set[0] < SLUICE_FW_MAX_SETS)
			used[all[s].set[0]] = true;
		if (all[s].set[1] < SLUICE_FW_MAX_SETS)
			used[all[s].set[1]] = true;
	}
	for (__u32 i = 0; i < SLUICE_FW_MAX_SETS - 1; i++) {
		__u32 id = 1 + (dp->fw_next + i) % (SLUICE_FW_MAX_SETS - 1);

		if (!used[id]) {
			dp->fw_next = id;
			return (int)id;
		}
	}
	return -ENOSPC;
}

/* Deletes the keys of map @id whose 32-bit word after prefixlen, masked
 * by @mask, equals @want (a set's tag, or a named set's id). */
static int lpm_purge(struct dp *dp, int id, __u32 mask, __u32 want)
{
	int fd = dp_fd(dp, id), err = 0;
	size_t ks, n = 0, cap = 0;
	char *keys = NULL, *key, *next;

	if (fd < 0)
		return fd;
	ks = bpf_map__key_size(dp->maps[id]);
	key = calloc(2, ks);
	if (!key)
		return -ENOMEM;
	next = key + ks;
	/* collect, then delete: deleting under get_next_key restarts it */
	for (bool first = true;
	     !bpf_map_get_next_key(fd, first ? NULL : key, next);
	     first = false) {
		__u32 tag;

		memcpy(key, next, ks);
		memcpy(&tag, key + 4, 4);
		if ((tag & mask) != want)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			char *m = realloc(keys, nc * ks);

			if (!m) {
				err = -ENOMEM;
				goto out;
			}
			keys = m;
			cap = nc;
		}
		memcpy(keys + n * ks, key, ks);
		n++;
	}
	for (size_t i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, keys + i * ks) && errno != ENOENT) {
			err = -errno;
			break;
		}
out:
	free(keys);
	free(key);
	return err;
}

static int write_lpm(struct dp *dp, __u32 set, const struct fw_lpm_entry *e)
{
	__u32 tag = set << 1 | e->dim;

	if (e->p.family == AF_INET) {
		struct sluice_fw_lpm4_key k = { .prefixlen = 32 + e->p.plen,
						.tag = tag };

		memcpy(k.addr, e->p.addr, 4);
		return dp_update(dp, DP_MAP_FW_LPM4, &k, &e->bits);
	} else {
		struct sluice_fw_lpm6_key k = { .prefixlen = 32 + e->p.plen,
						.tag = tag };

		memcpy(k.addr, e->p.addr, 16);
		return dp_update(dp, DP_MAP_FW_LPM6, &k, &e->bits);
	}
}

static int write_set(struct dp *dp, __u32 set, __u32 slot, __u8 dir,
		     const struct fw_compiled *c)
{
	struct sluice_fw_set hdr = c->hdr;
	int err;

	/* what an earlier use of this id left */
	err = lpm_purge(dp, DP_MAP_FW_LPM4, ~1u, set << 1)	   ?:
		      lpm_purge(dp, DP_MAP_FW_LPM6, ~1u, set << 1) ?:
		      lpm_purge(dp, DP_MAP_FW_LPM_PORT, ~1u, set << 1);
	for (__u32 i = 0; !err && i < SLUICE_FW_NCLASS * SLUICE_FW_NSTATE;
	     i++) {
		__u32 k = set * SLUICE_FW_NCLASS * SLUICE_FW_NSTATE + i;

		err = dp_update(dp, DP_MAP_FW_PS, &k, &c->ps[i]);
	}
	/* fw_psx: this id's keys, the combinations written below and the
	 * ones an earlier use left */
	for (__u32 i = 0;
	     !err && i < SLUICE_FW_NCLASS * SLUICE_FW_NSTATE * SLUICE_FW_MISS;
	     i++) {
		__u32 k = set * SLUICE_FW_NCLASS * SLUICE_FW_NSTATE *
				  SLUICE_FW_MISS +
			  i;
		__u32 miss = i % SLUICE_FW_MISS, ps = i / SLUICE_FW_MISS;

		if (!miss)
			continue;
		if (miss <= (1u << c->hdr.nrefs) - 1)
			err = dp_update(
				dp, DP_MAP_FW_PSX, &k,
				&c->psx[ps * (SLUICE_FW_MISS - 1) + miss - 1]);
		else if (bpf_map_delete_elem(dp_fd(dp, DP_MAP_FW_PSX), &k) &&
			 errno != ENOENT)
			err = -errno;
	}
	for (__u32 i = 0; !err && i < c->nrules; i++) {
		__u32 k = set * SLUICE_FW_MAX_RULES + i;

		err = dp_update(dp, DP_MAP_FW_RULES, &k, &c->rules[i]);
	}
	for (size_t i = 0; !err && i < c->n_lpm; i++)
		err = write_lpm(dp, set, &c->lpm[i]);
	for (size_t i = 0; !err && i < c->n_ports; i++) {
		const struct fw_port_entry *e = &c->ports[i];
		struct sluice_fw_port_key k = {
			.prefixlen = 32 + e->plen,
			.tag = set << 1 | e->dim,
			.port = htons(e->port),
		};

		err = dp_update(dp, DP_MAP_FW_LPM_PORT, &k, &e->bits);
	}
	hdr.policy_counter = SLUICE_FW_POLICY_COUNTER(slot, dir);
	return err ?: dp_update(dp, DP_MAP_FW_SETS, &set, &hdr);
}

/* out_any in every slot: whether any slot has "out" rules. */
static int sync_out_any(struct dp *dp, struct sluice_fw_port *all)
{
	__u16 any = 0;

	for (__u32 s = 0; s < SLUICE_MAX_IFACES; s++)
		if (all[s].set[SLUICE_FW_OUT])
			any = 1;
	for (__u32 s = 0; s < SLUICE_MAX_IFACES; s++) {
		int err;

		if (all[s].out_any == any)
			continue;
		all[s].out_any = any;
		err = dp_update(dp, DP_MAP_FW_PORTS, &s, &all[s]);
		if (err)
			return err;
	}
	return 0;
}

static int point(struct dp *dp, __u32 slot, __u8 dir, __u32 set)
{
	struct sluice_fw_port all[SLUICE_MAX_IFACES];
	int err = ports_read(dp, all);

	if (err)
		return err;
	all[slot].set[dir] = (__u16)set;
	/* an "out" set is in place before out_any tells packets to look,
	 * and out_any goes only after the last "out" set */
	err = dp_update(dp, DP_MAP_FW_PORTS, &slot, &all[slot]);
	return err ?: sync_out_any(dp, all);
}

int dp_fw_install(struct dp *dp, __u32 slot, __u8 dir,
		  const struct fw_compiled *c)
{
	struct sluice_fw_port all[SLUICE_MAX_IFACES];
	int err, set;

	if (slot >= SLUICE_MAX_IFACES || dir > SLUICE_FW_OUT ||
	    c->nrules > SLUICE_FW_MAX_RULES)
		return -EINVAL;
	err = ports_read(dp, all);
	if (err)
		return err;
	set = free_set(dp, all);
	if (set < 0)
		return set;
	err = write_set(dp, (__u32)set, slot, dir, c);
	return err ?: point(dp, slot, dir, (__u32)set);
}

int dp_fw_remove(struct dp *dp, __u32 slot, __u8 dir)
{
	if (slot >= SLUICE_MAX_IFACES || dir > SLUICE_FW_OUT)
		return -EINVAL;
	return point(dp, slot, dir, 0);
}

int dp_fw_port_get(struct dp *dp, __u32 slot, struct sluice_fw_port *e)
{
	if (slot >= SLUICE_MAX_IFACES)
		return -EINVAL;
	return dp_lookup(dp, DP_MAP_FW_PORTS, &slot, e);
}

typedef union {
	struct sluice_fw_nset4_key v4;
	struct sluice_fw_nset6_key v6;
} nset_key_t;

static int nset_key(__u16 nset, const struct fw_prefix *p, int *id,
		    nset_key_t *k)
{
	if (!nset || nset >= SLUICE_FW_MAX_NSETS)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	if (p->family == AF_INET && p->plen <= 32) {
		k->v4.prefixlen = 32 + p->plen;
		k->v4.nset = nset;
		memcpy(k->v4.addr, p->addr, 4);
		*id = DP_MAP_FW_NSET4;
	} else if (p->family == AF_INET6 && p->plen <= 128) {
		k->v6.prefixlen = 32 + p->plen;
		k->v6.nset = nset;
		memcpy(k->v6.addr, p->addr, 16);
		*id = DP_MAP_FW_NSET6;
	} else {
		return -EINVAL;
	}
	return 0;
}

int dp_fw_nset_add(struct dp *dp, __u16 nset, const struct fw_prefix *p)
{
	__u8 one = 1;
	nset_key_t k;
	int id, err = nset_key(nset, p, &id, &k);

	return err ?: dp_update(dp, id, &k, &one);
}

int dp_fw_nset_del(struct dp *dp, __u16 nset, const struct fw_prefix *p)
{
	nset_key_t k;
	int id, err = nset_key(nset, p, &id, &k);

	return err ?: dp_delete(dp, id, &k);
}

int dp_fw_nset_flush(struct dp *dp, __u16 nset)
{
	return lpm_purge(dp, DP_MAP_FW_NSET4, ~0u, nset) ?:
		       lpm_purge(dp, DP_MAP_FW_NSET6, ~0u, nset);
}

int dp_fw_counter_read(struct dp *dp, __u32 idx, struct sluice_counter *out)
{
	if (idx >= SLUICE_FW_COUNTERS)
		return -EINVAL;
	return dp_percpu_sum(dp, DP_MAP_FW_COUNTERS, &idx, out, sizeof(*out));
}

int dp_fw_counter_clear(struct dp *dp, __u32 idx)
{
	if (idx >= SLUICE_FW_COUNTERS)
		return -EINVAL;
	return dp_percpu_zero(dp, DP_MAP_FW_COUNTERS, &idx,
			      sizeof(struct sluice_counter));
}
