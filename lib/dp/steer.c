// SPDX-License-Identifier: BSD-2-Clause
/* Steering's maps (uapi/sluice/steer.h, dp_steer.h). */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "dp_internal.h"
#include "dp_steer.h"
#include "testrun.h"

int dp_steer_flags_set(struct dp *dp, __u32 flags)
{
	struct sluice_steer_config c = { .flags = flags };
	__u32 zero = 0;

	return dp_update(dp, DP_MAP_STEER_CONFIG, &zero, &c);
}

int dp_steer_flags_get(struct dp *dp, __u32 *flags)
{
	struct sluice_steer_config c;
	__u32 zero = 0;
	int err = dp_lookup(dp, DP_MAP_STEER_CONFIG, &zero, &c);

	if (!err)
		*flags = c.flags;
	return err;
}

static bool host_bits_zero(const __u8 *addr, unsigned int plen,
			   unsigned int bits)
{
	for (unsigned int b = plen; b < bits; b++)
		if (addr[b / 8] & (0x80 >> (b % 8)))
			return false;
	return true;
}

/* The map and key of @e. */
static int entry_key(const struct dp_steer_entry *e, int *id,
		     struct sluice_steer_port_key *pk,
		     struct sluice_steer_dst_key *dk, void **key)
{
	if (e->kind == DP_STEER_PORT || e->kind == DP_STEER_TRANSIT) {
		bool transit = e->kind == DP_STEER_TRANSIT;

		if (!transit && e->proto != IPPROTO_TCP &&
		    e->proto != IPPROTO_UDP)
			return -EINVAL;
		/* a transit selector is steer_ports' entry of protocol
		 * SLUICE_STEER_PROTO_TRANSIT, port 0 (uapi/sluice/steer.h) */
		memset(pk, 0, sizeof(*pk));
		pk->ifindex = e->ifindex;
		pk->proto = transit ? SLUICE_STEER_PROTO_TRANSIT : e->proto;
		pk->dport = transit ? 0 : htons(e->dport);
		*id = DP_MAP_STEER_PORTS;
		*key = pk;
		return 0;
	}
	if (e->kind != DP_STEER_DST)
		return -EINVAL;
	memset(dk, 0, sizeof(*dk));
	dk->ifindex = e->ifindex;
	if (e->family == AF_INET) {
		if (e->plen > 32 || !host_bits_zero(e->addr, e->plen, 32))
			return -EINVAL;
		dk->addr[10] = 0xff;
		dk->addr[11] = 0xff;
		memcpy(&dk->addr[12], e->addr, 4);
		dk->prefixlen = 32 + SLUICE_STEER_V4MAPPED_PLEN + e->plen;
	} else if (e->family == AF_INET6) {
		if (e->plen > 128 || !host_bits_zero(e->addr, e->plen, 128))
			return -EINVAL;
		memcpy(dk->addr, e->addr, 16);
		dk->prefixlen = 32 + e->plen;
	} else {
		return -EINVAL;
	}
	*id = DP_MAP_STEER_DST;
	*key = dk;
	return 0;
}

int dp_steer_entry_set(struct dp *dp, const struct dp_steer_entry *e,
		       const struct sluice_steer_sel *sel)
{
	struct sluice_steer_port_key pk;
	struct sluice_steer_dst_key dk;
	void *key;
	int id, err = entry_key(e, &id, &pk, &dk, &key);

	if (err)
		return err;
	if (!sel->id || sel->id >= SLUICE_STEER_MAX_SELECTORS)
		return -EINVAL;
	return dp_update(dp, id, key, sel);
}

int dp_steer_entry_del(struct dp *dp, const struct dp_steer_entry *e)
{
	struct sluice_steer_port_key pk;
	struct sluice_steer_dst_key dk;
	void *key;
	int id, err = entry_key(e, &id, &pk, &dk, &key);

	return err ?: dp_delete(dp, id, key);
}

/* Every key of map @id out. */
static int map_clear(struct dp *dp, int id, void *key, void *next)
{
	int fd = dp_fd(dp, id);

	if (fd < 0)
		return fd;
	while (!bpf_map_get_next_key(fd, NULL, next)) {
		memcpy(key, next, sizeof(struct sluice_steer_dst_key));
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	}
	return errno == ENOENT ? 0 : -errno;
}

int dp_steer_flush(struct dp *dp)
{
	struct sluice_steer_dst_key k, next;
	int err;

	/* the switch first: no lookup meets a half-emptied map */
	err = dp_steer_flags_set(dp, 0);
	if (!err)
		err = map_clear(dp, DP_MAP_STEER_PORTS, &k, &next);
	if (!err)
		err = map_clear(dp, DP_MAP_STEER_DST, &k, &next);
	return err;
}

int dp_steer_counters(struct dp *dp, __u32 id, struct sluice_steer_counter *c)
{
	if (id >= SLUICE_STEER_MAX_SELECTORS)
		return -EINVAL;
	return dp_percpu_sum(dp, DP_MAP_STEER_COUNTERS, &id, c, sizeof(*c));
}

int dp_steer_counters_clear(struct dp *dp, __u32 id)
{
	if (id >= SLUICE_STEER_MAX_SELECTORS)
		return -EINVAL;
	return dp_percpu_zero(dp, DP_MAP_STEER_COUNTERS, &id,
			      sizeof(struct sluice_steer_counter));
}

static int port_slot(struct dp *dp, __u32 ifindex, __u32 *slot)
{
	struct sluice_iface v;
	int err = dp_lookup(dp, DP_MAP_IFACES, &ifindex, &v);

	if (err)
		return err;
	if (v.slot >= SLUICE_MAX_IFACES)
		return -ERANGE;
	*slot = v.slot;
	return 0;
}

int dp_steer_xsk_key(struct dp *dp, __u32 ifindex, __u32 queue, __u32 *key)
{
	__u32 slot;
	int err;

	if (queue >= SLUICE_STEER_MAX_QUEUES)
		return -ERANGE;
	err = port_slot(dp, ifindex, &slot);
	if (!err)
		*key = SLUICE_STEER_XSK_KEY(slot, queue);
	return err;
}

int dp_steer_xsk_set(struct dp *dp, __u32 ifindex, __u32 queue, int fd)
{
	__u32 key, v = (__u32)fd;
	int err = dp_steer_xsk_key(dp, ifindex, queue, &key);

	return err ?: dp_update(dp, DP_MAP_STEER_XSKS, &key, &v);
}

int dp_steer_xsk_del(struct dp *dp, __u32 ifindex, __u32 queue)
{
	__u32 key;
	int err = dp_steer_xsk_key(dp, ifindex, queue, &key);

	return err ?: dp_delete(dp, DP_MAP_STEER_XSKS, &key);
}

int dp_steer_xsk_queues(struct dp *dp, __u32 ifindex, __u64 *bits)
{
	__u8 frame[64] = {}, out[64];
	struct dp_test_run t = { .out = out,
				 .out_size = sizeof(out),
				 .repeat = 1 };
	int fd = dp_steer_probe_fd(dp), err;
	__u32 slot;

	if (fd < 0)
		return fd;
	err = port_slot(dp, ifindex, &slot);
	if (err)
		return err;
	memcpy(frame, &slot, sizeof(slot));
	err = dp_test_run_xdp(fd, frame, sizeof(frame), &t);
	if (err)
		return err;
	if (t.retval != XDP_PASS || t.out_len < 16)
		return -EIO;
	memcpy(bits, out + 8, sizeof(*bits));
	return 0;
}
