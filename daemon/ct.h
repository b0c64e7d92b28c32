/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Connection tracking's control plane (docs/conntrack.md): the settings
 * (the config file's "conntrack" section, PUT /v1/conntrack/config and
 * the state file ct.json), the queries the API answers (filters, a paged
 * walk), and the heaviest sources, counted in slices from the event loop
 * when the table is nearly full.  The data path itself is bpf/lib/ct.h;
 * this file only reads, counts, flushes and writes the settings, through
 * lib/dp (dp_ct.h).
 */
#ifndef SLUICED_CT_H
#define SLUICED_CT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uapi/sluice/ct.h>

struct dp;
struct loop;
struct json_object;

/* ct.json in the state directory: the settings changed through the API
 * ({"version": 1, "enabled": ..., "timeouts": {...}}).  Like lb.json, it
 * wins over the config file's section, which only seeds the first
 * start. */
#define CT_STATE_FILE "ct.json"
#define CT_TIMEOUT_MAX 2147483647u /* seconds (2^31 - 1) */
#define CT_MAX_ENTRIES_MIN 1024
#define CT_MAX_ENTRIES_MAX (16u << 20)
#define CT_LIMIT_DEFAULT 100 /* GET /v1/conntrack: entries a page */
#define CT_LIMIT_MAX 10000
/* Entries one request looks at, matching or not: a filter that matches
 * little returns a short page (maybe empty) with a cursor to go on from,
 * rather than holding the loop while it walks a million entries. */
#define CT_SCAN_MAX 100000
#define CT_FILL_MAX (16u << 20)
/* The heaviest sources (sluice_ct_top_sources): counted when the table is
 * over CT_TOP_FILL_PCT full, at most every CT_TOP_INTERVAL_MS, in slices
 * of CT_TOP_SLICE entries per loop turn. */
#define CT_TOP_FILL_PCT 80
#define CT_TOP_INTERVAL_MS 10000
#define CT_TOP_SLICE 50000
#define CT_TOP_N 10
#define CT_CURSOR_LEN (2 * sizeof(struct sluice_ct_key))

/* What an operator sets.  Timeouts are seconds by state, 0 meaning "the
 * compiled default" (dp_ct_default_config). */
struct ct_config {
	bool enabled;
	uint32_t timeout[SLUICE_CT_NSTATES];
	/* load-time, the config file only */
	uint32_t max_entries; /* 0: SLUICE_CT_MAX_ENTRIES */
	bool debug_fill;      /* POST /v1/conntrack/fill: tests only */
};

/* Which keys a document may hold (ct_config_parse). */
#define CT_KEY_ENABLED 0x01
#define CT_KEY_TIMEOUTS 0x02
#define CT_KEY_MAX_ENTRIES 0x04
#define CT_KEY_DEBUG_FILL 0x08
#define CT_KEY_VERSION 0x10
#define CT_KEYS_CONFIG                                                         \
	(CT_KEY_ENABLED | CT_KEY_TIMEOUTS | CT_KEY_MAX_ENTRIES |               \
	 CT_KEY_DEBUG_FILL)
#define CT_KEYS_RUNTIME (CT_KEY_ENABLED | CT_KEY_TIMEOUTS)
#define CT_KEYS_STATE (CT_KEY_ENABLED | CT_KEY_TIMEOUTS | CT_KEY_VERSION)

/* Applies the object @o onto @c; @where prefixes field names in errors
 * ("conntrack." in the config file, "" in a request body).  A key outside
 * @keys is refused naming it and what is allowed there.  On error @c may
 * be half-changed: parse into a copy. */
int ct_config_parse(struct ct_config *c, struct json_object *o,
		    const char *where, unsigned int keys, char *err,
		    size_t errlen);
/* The data path's settings: the compiled defaults, then @c over them. */
void ct_config_to_dp(const struct ct_config *c, struct sluice_ct_config *out);

/* The filter of GET and DELETE /v1/conntrack and `sluicectl ct`: any may
 * be NULL.  src/dst: an address or a prefix (the opener's / the
 * answerer's); proto: tcp, udp, icmp, icmpv6 or 1..255; state: a state
 * name.  0, or -EINVAL with "src: '198.18.0.0/33' is not an address or
 * prefix" in @err. */
struct ct_filter_args {
	const char *src, *dst, *proto, *state;
};
int ct_filter_parse(const struct ct_filter_args *a, struct sluice_ct_filter *f,
		    char *err, size_t errlen);
/* ?limit= (NULL: CT_LIMIT_DEFAULT) and ?cursor= (NULL: from the start;
 * *@has_cursor says which). */
int ct_page_parse(const char *limit, const char *cursor, uint32_t *n,
		  struct sluice_ct_key *key, bool *has_cursor, char *err,
		  size_t errlen);
void ct_cursor_str(const struct sluice_ct_key *k, char *buf, size_t len);
/* "tcp", "udp", "icmp", "icmpv6", or the number. */
const char *ct_proto_str(uint8_t proto, char *buf, size_t len);

/* An entry as the API shows it; @now_ns is CLOCK_MONOTONIC (the clock of
 * bpf_ktime_get_ns), @timeouts the running ones (for expires_s). */
struct json_object *ct_entry_json(const struct sluice_ct_key *k,
				  const struct sluice_ct_entry *e,
				  uint64_t now_ns, const uint32_t *timeouts);

/* ---- the running part ---- */
struct ct;
struct dp_ct_counts;

/* What the running part asks of the data path: lib/dp (ct_dp_bpf), or a
 * fake in the unit tests (the walk in slices, the state file). */
struct ct_dp_ops {
	int (*config_set)(struct dp *dp, const struct sluice_ct_config *c);
	int (*counts)(struct dp *dp, struct dp_ct_counts *out);
	uint32_t (*capacity)(const struct dp *dp);
	int (*walk)(struct dp *dp, const struct sluice_ct_key *cursor,
		    int (*cb)(const struct sluice_ct_key *k,
			      const struct sluice_ct_entry *e, void *arg),
		    void *arg);
};
extern const struct ct_dp_ops ct_dp_bpf;

/* The settings to start with: @dir/ct.json when there is one (*@from_state
 * true), else @cfg's.  Read before the data path is touched, so that a
 * file sluiced cannot use stops it first (0, or -errno with @err naming
 * the file, line and field). */
int ct_start_read(const char *state_dir, const struct ct_config *cfg,
		  struct ct_config *out, bool *from_state, char *err,
		  size_t errlen);
/* Writes @c into the data path; @state_dir (NULL: none) is where changes
 * are saved. */
int ct_new(struct ct **out, struct dp *dp, const struct ct_dp_ops *ops,
	   const struct ct_config *c, const char *state_dir);
void ct_free(struct ct *ct);
struct dp *ct_dp(const struct ct *ct);
const struct ct_config *ct_get_config(const struct ct *ct);
/* The running settings, timeouts filled in. */
void ct_running(const struct ct *ct, struct sluice_ct_config *out);
/* Applies a runtime change (enabled, timeouts) to the data path and saves
 * it: 0, or -errno with nothing changed. */
int ct_set_config(struct ct *ct, const struct ct_config *c, char *err,
		  size_t errlen);
uint64_t ct_state_write_errors(const struct ct *ct);
const char *ct_state_path(const struct ct *ct);

/* The top-sources walk on the loop's timers. */
int ct_loop_add(struct ct *ct, struct loop *l);
void ct_loop_del(struct ct *ct);
/* Prometheus text for conntrack (malloc'd; NULL on ENOMEM). */
char *ct_metrics(struct ct *ct);

/* Exposed for the unit tests: the heaviest prefixes of the opener's
 * addresses (/24 IPv4, /64 IPv6) counted over @n entries. */
struct ct_top_entry {
	char prefix[56];
	uint64_t count;
};
struct ct_top;
struct ct_top *ct_top_new(void);
void ct_top_free(struct ct_top *t);
void ct_top_reset(struct ct_top *t);
int ct_top_add(struct ct_top *t, const struct sluice_ct_key *k,
	       const struct sluice_ct_entry *e);
/* The @max heaviest, heaviest first (ties: the lower prefix first). */
size_t ct_top_result(const struct ct_top *t, struct ct_top_entry *out,
		     size_t max);

#endif
