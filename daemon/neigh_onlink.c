// SPDX-License-Identifier: BSD-2-Clause
/* The throttle of on-link resolutions: see neigh_onlink.h. */
#include <string.h>
#include "neigh_onlink.h"

/* FNV-1a over the key's bytes: spreads addresses that differ in their
 * last byte only (a connected /24) over the slots. */
static uint32_t key_hash(const struct sluice_neigh_key *k)
{
	const uint8_t *b = (const uint8_t *)k;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

bool neigh_onlink_due(struct neigh_onlink *no, const struct sluice_neigh_key *k,
		      uint64_t now_ms)
{
	struct neigh_onlink_slot *s =
		&no->slot[key_hash(k) % NEIGH_ONLINK_SLOTS];

	if (s->at_ms && !memcmp(&s->k, k, sizeof(*k)) &&
	    now_ms - s->at_ms < NEIGH_ONLINK_AGAIN_MS)
		return false;
	s->k = *k;
	s->at_ms = now_ms ? now_ms : 1;
	return true;
}
