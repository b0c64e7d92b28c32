/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Connection tracking through lib/dp (lib/dp/ct.c): the table's settings,
 * its counts without a walk, a paged walk, and flushing and filling
 * through the administration program.  Router role; 0 or -errno.
 */
#ifndef SLUICE_DP_CT_H
#define SLUICE_DP_CT_H

#include <stdbool.h>
#include <linux/types.h>
#include <uapi/sluice/ct.h>

struct dp;

/* The compiled timeouts (seconds, by state): what the daemon writes when
 * its configuration says nothing. */
void dp_ct_default_config(struct sluice_ct_config *c);
int dp_ct_config_set(struct dp *dp, const struct sluice_ct_config *c);
int dp_ct_config_get(struct dp *dp, struct sluice_ct_config *c);
/* The table's capacity (entries) as loaded. */
__u32 dp_ct_capacity(const struct dp *dp);
/* The table's fd (benchmarks read its memory), or -errno. */
int dp_ct_map_fd(const struct dp *dp);

struct dp_ct_counts {
	__s64 gauge[SLUICE_CT_NPROTO][SLUICE_CT_NSTATES]; /* live entries */
	__u64 total;					  /* their sum */
	__u64 events[SLUICE_CT_NEVENTS];		  /* SLUICE_CTE_* */
};
int dp_ct_counts(struct dp *dp, struct dp_ct_counts *out);

/* Entries in the table's order, from after @cursor (NULL: the start);
 * the callback returns nonzero to stop (and that is returned). */
typedef int (*dp_ct_cb)(const struct sluice_ct_key *k,
			const struct sluice_ct_entry *e, void *arg);
int dp_ct_walk(struct dp *dp, const struct sluice_ct_key *cursor, dp_ct_cb cb,
	       void *arg);
/* The entry's opener and answerer as (address, port) pairs. */
void dp_ct_sides(const struct sluice_ct_key *k, const struct sluice_ct_entry *e,
		 const __u8 **src, __be16 *sport, const __u8 **dst,
		 __be16 *dport);
bool dp_ct_match(const struct sluice_ct_filter *f,
		 const struct sluice_ct_key *k,
		 const struct sluice_ct_entry *e);

/* Removes the entries matching @f (all zero: every entry); *n how many. */
int dp_ct_flush(struct dp *dp, const struct sluice_ct_filter *f, __u32 *n);
/* Arms the timer whose callback sweeps the table (dp_open does; a kept
 * run's timer is taken over), and reads where the sweep is. */
int dp_ct_sweep_arm(struct dp *dp);
int dp_ct_sweep_read(struct dp *dp, struct sluice_ct_sweep *out);
/* Makes @count synthetic UDP entries (tests, benchmarks); *n how many. */
int dp_ct_fill(struct dp *dp, __u32 count, __u32 seed, __u32 *n);

const char *dp_ct_state_name(unsigned int state);
int dp_ct_state_parse(const char *s);	       /* -EINVAL if unknown */
const char *dp_ct_event_name(unsigned int ev); /* NULL for a free slot */
const char *dp_ct_class_name(unsigned int pclass);

#endif
