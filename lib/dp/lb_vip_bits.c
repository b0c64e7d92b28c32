// SPDX-License-Identifier: BSD-2-Clause
/*
 * The VIP pre-check bitmap (lb_vip_bits, uapi/sluice/lb.h): a bit per
 * sluice_vip_bit() of every VIP's address, so the data path skips the VIP
 * hash lookups for traffic to any other address.  A bit is set before its
 * VIP is inserted (the data path never skips a VIP) and cleared after a
 * delete only when no remaining VIP has it; at open it is rebuilt from
 * lb_vips, whatever an earlier run or a crash left.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "dp_internal.h"

__u32 dp_lb_vip_bit(const struct sluice_vip_key *k)
{
	__u32 addr[4];

	memcpy(addr, k->addr, sizeof(addr));
	return sluice_vip_bit(k->family, addr);
}

static void bit_set(struct sluice_lb_vip_bits *b, __u32 bit)
{
	b->word[bit / 64] |= 1ull << (bit % 64);
}

static bool bit_isset(const struct sluice_lb_vip_bits *b, __u32 bit)
{
	return b->word[bit / 64] >> (bit % 64) & 1;
}

int dp_lb_vip_bits_read(struct dp *dp, struct sluice_lb_vip_bits *b)
{
	__u32 zero = 0;

	return dp_lookup(dp, DP_MAP_LB_VIP_BITS, &zero, b);
}

static int bits_write(struct dp *dp, const struct sluice_lb_vip_bits *b)
{
	__u32 zero = 0;

	return dp_update(dp, DP_MAP_LB_VIP_BITS, &zero, b);
}

static int add_cb(const void *k, const void *v, void *arg)
{
	(void)v;
	bit_set(arg, dp_lb_vip_bit(k));
	return 0;
}

/* Every VIP's bit, from lb_vips. */
static int bits_of_vips(struct dp *dp, struct sluice_lb_vip_bits *b)
{
	memset(b, 0, sizeof(*b));
	return dp_map_foreach(dp, DP_MAP_LB_VIPS, add_cb, b);
}

int dp_lb_vip_bits_sync(struct dp *dp)
{
	struct sluice_lb_vip_bits b;
	int err = bits_of_vips(dp, &b);

	return err ? err : bits_write(dp, &b);
}

int dp_lb_vip_bit_add(struct dp *dp, const struct sluice_vip_key *k)
{
	struct sluice_lb_vip_bits b;
	__u32 bit = dp_lb_vip_bit(k);
	int err = dp_lb_vip_bits_read(dp, &b);

	if (err || bit_isset(&b, bit))
		return err;
	bit_set(&b, bit);
	return bits_write(dp, &b);
}

int dp_lb_vip_bit_release(struct dp *dp, const struct sluice_vip_key *k)
{
	struct sluice_lb_vip_bits b, in_use;
	__u32 bit = dp_lb_vip_bit(k);
	int err = dp_lb_vip_bits_read(dp, &b) ?: bits_of_vips(dp, &in_use);

	if (err || !bit_isset(&b, bit) || bit_isset(&in_use, bit))
		return err;
	b.word[bit / 64] &= ~(1ull << (bit % 64));
	return bits_write(dp, &b);
}
