// SPDX-License-Identifier: BSD-2-Clause
/* The packet path's walk, in C: what the BPF program does (the /48 index,
 * then the walk), for the tests, the benchmark's model and sluicectl. */
#include "fib_internal.h"

__u32 fib_lookup(const struct fib_tables *t, unsigned int addr_bytes,
		 const void *addr)
{
	const __u8 *a = addr;
	/* the /48 index's entry is the walk's at byte 5: go on at byte 6 */
	__u32 e = addr_bytes == 16 ? p48_entry(t, a) : SLUICE_FIB_NONE;
	unsigned int i = 6;

	if (!e) {
		/* acquire: a link seen means the group's contents are too */
		e = __atomic_load_n(&t->root[fib_level_index(a, 0)],
				    __ATOMIC_ACQUIRE);
		i = 3;
	}
	for (; entry_is_link(e); i++) {
		if (i >= addr_bytes || entry_group(e) >= t->n_groups)
			return SLUICE_FIB_NONE;
		e = __atomic_load_n(&fib_group(t, entry_group(e))[a[i]],
				    __ATOMIC_ACQUIRE);
	}
	return sluice_fib_target(e);
}
