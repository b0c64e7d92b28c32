/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The forwarding-table compiler: keeps a set of routes (prefix -> target)
 * and the multibit trie of include/uapi/sluice/fib.h that the packet path
 * reads, one per address family.  Pure C, no BPF: the caller hands in the
 * memory (the mmapped fib*_root / fib*_groups array maps, or malloc in
 * tests).
 *
 * Changes are incremental (only the entries of the prefix's range are
 * rewritten, as DPDK's rte_lpm does) and safe while a reader walks the
 * tables: every entry store is one aligned 32-bit release store, a group
 * is complete before the entry that links it is written, and a group that
 * falls out of use is unlinked before it is freed and reused last.  One
 * writer at a time: the caller serialises the calls that take a struct fib.
 */
#ifndef SLUICE_FIB_H
#define SLUICE_FIB_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <uapi/sluice/fib.h>
#include <uapi/sluice/fib_p48.h>

#define FIB_MAX_ADDR_BYTES 16

/* Memory the caller owns; it outlives the struct fib built on it. */
struct fib_tables {
	__u32 *root;	/* SLUICE_FIB_ROOT_SIZE entries */
	__u32 *groups;	/* n_groups * SLUICE_FIB_GROUP_SIZE entries */
	__u32 n_groups; /* at most SLUICE_FIB_EXT - 1 */
	/* IPv6 only, optional: the /48 index (uapi/sluice/fib_p48.h),
	 * 2^p48_bits buckets (SLUICE_FIB6_P48_BITS_MIN..MAX); NULL: none
	 * (then readers walk) */
	struct sluice_fib6_p48_bucket *p48;
	unsigned int p48_bits;
};

struct fib;

/*
 * @addr_bytes 4 (IPv4, prefix lengths 0..32) or 16 (IPv6, 0..128).
 * @adopt false: clears the tables.  true: keeps them as they are (a
 * restart: the packet path is reading them) and marks the groups
 * reachable from the root as used; the caller then fib_note()s (or
 * fib_add()s again) every rule the tables hold and may fib_verify().
 * Either way the /48 index starts empty (readers walk meanwhile) and each
 * rule of 48 bits or more that fib_add() or fib_note() is given fills in
 * its /48's slot.  Returns 0 or -EINVAL, -ENOMEM,
 * -EBADMSG (adopted tables link a group out of range, twice, or too deep).
 */
int fib_new(struct fib **out, unsigned int addr_bytes,
	    const struct fib_tables *t, bool adopt);
void fib_free(struct fib *f);

/*
 * Adds or replaces @addr/@plen (network byte order, @addr_bytes long).
 * -EINVAL: host bits set, @plen > 8 * addr_bytes, @target 0 or above
 * SLUICE_FIB_TARGET_MASK.  -ENOSPC: the group pool cannot hold it;
 * -ENOMEM: the rule set cannot grow.  On error the tables and the rule set
 * are unchanged.
 */
int fib_add(struct fib *f, const void *addr, unsigned int plen, __u32 target);

/*
 * Removes @addr/@plen: the entries it wrote go back to the longest
 * remaining covering prefix (or to 0), and groups left uniform are folded
 * back into their parent entry and freed.  -EINVAL as fib_add(), -ENOENT
 * when absent, -EBADMSG when the tables lack a group the rule needs (they
 * were not built from this rule set).
 */
int fib_del(struct fib *f, const void *addr, unsigned int plen);

/* Adoption: records a rule without writing the tables (they hold it
 * already).  Adds or replaces; -EINVAL as fib_add(), -ENOMEM. */
int fib_note(struct fib *f, const void *addr, unsigned int plen, __u32 target);

/*
 * Adoption, once the rule set is whole again: takes out of the tables
 * every prefix no rule holds (what fib_verify() fails on after a replay
 * that was short of rules), as fib_del() would, so its entries go back to
 * the covering rule.  *@removed: how many.  0, -ENOMEM, or -EBADMSG when
 * a prefix could not be taken out (tables this library did not write).
 */
int fib_prune(struct fib *f, size_t *removed);

/* The exact rule @addr/@plen: its target, or 0 when there is none (or the
 * prefix is malformed). */
__u32 fib_find(const struct fib *f, const void *addr, unsigned int plen);

/*
 * The packet path's walk, in C, the /48 index first when @t has one.
 * Returns the target, 0 = no route (also for a link out of range or past
 * the last level: the BPF program does the same bound checks).  Safe
 * against a concurrent writer.
 */
__u32 fib_lookup(const struct fib_tables *t, unsigned int addr_bytes,
		 const void *addr);

__u32 fib_groups_used(const struct fib *f);
/* Slots of the /48 index in use (kept as they change: no scan), and how
 * many it has (0 without an index). */
size_t fib_p48_used(const struct fib *f);
size_t fib_p48_slots(const struct fib *f);
__u32 fib_groups_free(const struct fib *f);
size_t fib_rules(const struct fib *f);

/*
 * Calls @fn for every rule, by prefix length ascending (then in no
 * particular order); @addr has the struct fib's addr_bytes.  A non-zero
 * return from @fn stops the walk and is returned.  @fn must not change
 * the rule set.
 */
typedef int (*fib_rule_fn)(const void *addr, unsigned int plen, __u32 target,
			   void *ctx);
int fib_walk(const struct fib *f, fib_rule_fn fn, void *ctx);

/*
 * Checks the tables against the rule set: every entry holds the target
 * and length of the longest rule covering it, the groups reachable from
 * the root are exactly the ones in use, each linked once, none left that
 * should have been folded; every slot of the /48 index holds what the
 * walk reads at its /48, and no /48 has two.  0, -EBADMSG, or -ENOMEM (it needs scratch
 * memory the size of the tables).
 */
int fib_verify(const struct fib *f);

#endif
