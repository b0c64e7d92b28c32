/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The DDoS guard's control plane (docs/ddos.md): settings (cookie mode,
 * threshold, token bucket rates), protected services and the source
 * blocklist, programmed through lib/dp/ddos.c and kept in ddos.json in the
 * state directory so that they survive a restart.  Parsing and validation
 * (ddos_parse.c) are pure and name the field and value they refuse.
 */
#ifndef SLUICED_DDOS_H
#define SLUICED_DDOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp.h"

#define DDOS_STATE_FILE "ddos.json"
#define DDOS_DEFAULT_THRESHOLD 10000 /* SYN/s per service (auto) */
#define DDOS_DEFAULT_HOLD_S 10
#define DDOS_EXPIRE_PERIOD_MS 5000 /* expired blocklist entries removed */
/* The window scale a cookie SYN-ACK offers: the `wscale 7` of the
 * SYNPROXY rule the cookies are paired with (docs/ddos.md). */
#define DDOS_SYNPROXY_WSCALE 7

struct json_object;
struct loop;

struct ddos_rate {
	uint32_t pps; /* 0: off */
	uint32_t burst;
	uint8_t plen;
};

struct ddos_settings {
	uint32_t cookie_mode; /* SLUICE_DDOS_COOKIES_* */
	uint32_t syn_threshold;
	uint32_t hold_s;
	uint16_t mss4, mss6; /* 0: what the cookie encodes */
	struct ddos_rate limit[SLUICE_DDOS_NLIMITS];
};

/* ---- ddos_parse.c: pure, each -EINVAL with @err naming @field ---- */
void ddos_settings_default(struct ddos_settings *s);
/* "off", "on", "auto" */
int ddos_parse_mode(const char *field, const char *s, uint32_t *mode, char *err,
		    size_t errlen);
const char *ddos_mode_name(uint32_t mode);
/* "PREFIXLEN:PPS[:BURST]" (burst defaults to PPS) or "off"; @v6 allows
 * prefix lengths up to 128. */
int ddos_parse_rate(const char *field, const char *s, bool v6,
		    struct ddos_rate *r, char *err, size_t errlen);
void ddos_rate_text(const struct ddos_rate *r, char *buf, size_t len);
/* "ADDR" or "ADDR/LEN" with no host bits set. */
int ddos_parse_prefix(const char *field, const char *s,
		      struct dp_ddos_prefix *pf, char *err, size_t errlen);
void ddos_prefix_text(const struct dp_ddos_prefix *pf, char *buf, size_t len);
/* "ADDR:PORT" or "[ADDR6]:PORT" */
int ddos_parse_service(const char *field, const char *s,
		       struct sluice_ddos_service_key *k, char *err,
		       size_t errlen);
void ddos_service_text(const struct sluice_ddos_service_key *k, char *buf,
		       size_t len);
/* The fields of @o over @s (unknown fields refused; @s unchanged on
 * error); field names in messages start with @where ("", "ddos.").
 * @lists: "services" and "block" are the caller's, skipped here. */
int ddos_settings_from_json(struct json_object *o, const char *where,
			    bool lists, struct ddos_settings *s, char *err,
			    size_t errlen);
struct json_object *ddos_settings_json(const struct ddos_settings *s);
/* The config file's "ddos" section: settings, "services": [ADDR:PORT],
 * "block": [PREFIX] (used on the first start, before ddos.json exists). */
int ddos_config_check(struct json_object *o, char *err, size_t errlen);

/* ---- ddos_journal.c: the blocklist's changes since ddos.json ---- */
#define DDOS_JOURNAL_FILE "ddos.journal"
struct ddos_journal {
	int fd;		/* -1: none (every change rewrites ddos.json) */
	uint64_t bytes; /* whole lines in it */
};
/* Empties @dir/ddos.journal (creating it), synced, and keeps it open for
 * appends; -errno with the file removed and @j closed. */
int ddos_journal_reset(struct ddos_journal *j, const char *dir);
/* @line and a newline in one write, synced; on failure the file is cut
 * back to its last whole line (or @j closed) and -errno returned. */
int ddos_journal_append(struct ddos_journal *j, const char *line, size_t len);
void ddos_journal_close(struct ddos_journal *j);
/* @cb for the object of each whole line, in order; -ENOENT when there is
 * no journal, else 0 or -errno with @err naming the file and the line. */
typedef int (*ddos_journal_cb)(struct json_object *o, void *arg, char *err,
			       size_t errlen);
int ddos_journal_replay(const char *dir, ddos_journal_cb cb, void *arg,
			size_t *lines, char *err, size_t errlen);

/* ---- ddos.c ---- */
struct ddos;

/*
 * Reads @state_dir/ddos.json (expired blocklist entries dropped), or the
 * config file's "ddos" section (@cfg, may be NULL) when there is none, and
 * programs the data path to match (what a previous run left pinned is
 * replaced).  A state file that cannot be used: -EINVAL with @err.
 */
int ddos_new(struct ddos **out, struct dp *dp, const char *state_dir,
	     struct json_object *cfg, char *err, size_t errlen);
void ddos_free(struct ddos *d);
int ddos_loop_add(struct ddos *d, struct loop *l);
/* Before the loop is freed: the expiry timer goes.  (ddos.json is
 * written with each change, before the change is acknowledged.) */
void ddos_loop_del(struct ddos *d);

const struct ddos_settings *ddos_settings(const struct ddos *d);
int ddos_settings_set(struct ddos *d, const struct ddos_settings *s, char *err,
		      size_t errlen);
int ddos_service_add(struct ddos *d, const struct sluice_ddos_service_key *k,
		     char *err, size_t errlen);
int ddos_service_del(struct ddos *d, const struct sluice_ddos_service_key *k,
		     char *err, size_t errlen);
/* @expire_s 0: never. */
int ddos_block_add(struct ddos *d, const struct dp_ddos_prefix *v, size_t n,
		   uint32_t expire_s, char *err, size_t errlen);
int ddos_block_del(struct ddos *d, const struct dp_ddos_prefix *pf, char *err,
		   size_t errlen);
/* Removes expired entries; how many. */
size_t ddos_expire(struct ddos *d);

/* GET /v1/ddos and /v1/block */
struct json_object *ddos_json(struct ddos *d);
struct json_object *ddos_block_json(struct ddos *d);
/* for /metrics */
struct ddos_counts {
	uint64_t block_v4, block_v6, expired_removed, state_write_errors;
};
void ddos_counts(struct ddos *d, struct ddos_counts *c);
typedef void (*ddos_service_cb)(const char *service, const char *mode,
				const struct sluice_ddos_svc_state *st,
				void *arg);
void ddos_foreach_service(struct ddos *d, ddos_service_cb cb, void *arg);

#endif
