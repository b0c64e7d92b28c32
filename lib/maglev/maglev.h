/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016), weighted.
 * Pure C, no BPF: user space builds the lookup table and writes only the
 * slots that changed; the data path hashes a flow and indexes the table.
 *
 * The table is a pure function of the backend set: each backend is keyed by
 * a stable identity (a hash of its address), and backends are considered in
 * the order of that key, so insertion order, restarts and different nodes
 * all give the same table.
 */
#ifndef SLUICE_MAGLEV_H
#define SLUICE_MAGLEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAGLEV_DEFAULT_M 65537u
#define MAGLEV_MAX_WEIGHT 100000u

struct maglev_backend {
	uint64_t key;	 /* stable identity: maglev_key() of the address */
	uint32_t weight; /* 0 = takes no slots */
	uint32_t value;	 /* what the slot holds (a local backend id, != 0) */
};

/* A stable 64-bit identity for a byte string (e.g. family + address). */
uint64_t maglev_key(const void *data, size_t len);
bool maglev_is_prime(uint32_t n);

/*
 * Fills table[0..m) with backend values; 0 where no backend has weight.
 * @m must be prime and > 1; duplicate keys are rejected.  Returns 0 or
 * -EINVAL / -ENOMEM.  @backends is not modified.
 */
int maglev_build(const struct maglev_backend *backends, size_t n, uint32_t m,
		 uint32_t *table);

/* The same, and @slots[i] (if not NULL) = how many slots @backends[i] got. */
int maglev_build_slots(const struct maglev_backend *backends, size_t n,
		       uint32_t m, uint32_t *table, uint32_t *slots);

/* Indexes of the slots whose value differs; returns how many (≤ m). */
size_t maglev_diff(const uint32_t *old_table, const uint32_t *new_table,
		   uint32_t m, uint32_t *changed);

#endif
