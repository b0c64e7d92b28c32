/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The load balancer's control plane: VIPs with their backends (the objects
 * of docs/lb-api.md), validated completely before anything is written, then
 * programmed into the data path in an order where it never sees a half-built
 * VIP, and rolled back if a map write fails, so that a failed request leaves
 * the running state as it was.
 *
 * The pure parts (JSON -> specs with validation, VIP id text, the Maglev
 * table of a backend set) need no BPF and are unit-tested on their own; the
 * map writes go through struct lb_dp_ops, which is lib/dp in production and
 * an in-memory fake in the unit tests.
 */
#ifndef SLUICED_LB_H
#define SLUICED_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp.h"
#include "health.h"

struct json_object;

#define LB_MAX_VIPS (SLUICE_LB_MAX_VIPS - 1)	     /* vip ids 1..255 */
#define LB_MAX_BACKENDS (SLUICE_LB_MAX_BACKENDS - 1) /* all VIPs together */
#define LB_WEIGHT_MAX 1000
#define LB_RING_MIN 3
#define LB_FLOW_IDLE_DEFAULT 300
#define LB_FLOW_IDLE_MAX 86400
#define LB_MAX_FLOWS_MIN 1024
#define LB_MAX_FLOWS_MAX (1u << 24)
#define LB_SECOND_CHANCE_MAX 86400 /* seconds a previous table is kept */
/* "[2001:db8:100::1]:65535/tcp" and a NUL */
#define LB_VIP_ID_LEN 56

enum lb_be_state { LB_BE_ACTIVE, LB_BE_DRAINING, LB_BE_DOWN };

struct lb_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t a[16];	/* network order, v4 in the first 4 bytes */
};

/* A backend as asked for (config file, POST body). */
struct lb_backend_spec {
	struct lb_addr addr;
	uint32_t weight; /* 1..LB_WEIGHT_MAX */
	enum lb_be_state state;
};

/* The VIP's own fields. */
struct lb_vip_conf {
	struct sluice_vip_key key;
	uint16_t flags; /* SLUICE_VIP_GRE, SLUICE_VIP_HASH_SRC, _FULLNAT */
	uint16_t backend_port; /* full NAT: the backends' port, host order;
				* 0: the VIP's */
	uint32_t ring_size;
	/* second chance (uapi/sluice/lb_second.h): when the table changes,
	 * the one before is kept this long, in seconds; 0: off */
	uint32_t second_chance_s;
	/* .port is the port probed: health.port, or the VIP's port */
	struct health_params health;
};

struct lb_vip_spec {
	struct lb_vip_conf conf;
	struct lb_backend_spec *be;
	size_t n_be;
};

struct lb_backend_patch {
	bool has_weight, has_state;
	uint32_t weight;
	enum lb_be_state state;
};

/* The "lb" section of the config minus the VIPs. */
struct lb_settings {
	bool have_src4, have_src6;
	uint8_t src4[4];  /* a /24: the data path varies the last byte */
	uint8_t src6[16]; /* a /96: it varies the last 32 bits */
	uint32_t flow_idle_timeout_s;
	uint32_t max_flows; /* lb_flows: sized for this many (load time) */
};

/* ---- the running model ------------------------------------------------ */
struct lb_backend {
	struct lb_backend_spec spec;
	uint32_t id;  /* backend id, the value in the Maglev table */
	uint64_t key; /* Maglev identity: family + address */
	enum health_state health;
	uint32_t slots; /* in the installed table */
};

struct lb_vip {
	struct lb_vip_conf conf;
	uint32_t id;	       /* vip id */
	struct lb_backend *be; /* in the order they were added */
	size_t n_be;
	uint32_t *table; /* conf.ring_size slots, as installed */
};

/*
 * Every map operation the LB makes.  lb_dp_bpf is lib/dp; the unit tests
 * bring their own struct dp and functions (a fake data path that can fail
 * on demand).
 */
struct lb_dp_ops {
	int (*config_set)(struct dp *dp, const struct sluice_lb_config *c);
	int (*vip_set)(struct dp *dp, const struct sluice_vip_key *k,
		       const struct sluice_vip *v);
	int (*vip_del)(struct dp *dp, const struct sluice_vip_key *k);
	int (*backend_set)(struct dp *dp, __u32 id,
			   const struct sluice_backend *b);
	int (*backend_del)(struct dp *dp, __u32 id);
	int (*ring_install)(struct dp *dp, __u32 vip_id, __u32 ring_size,
			    const __u32 *table);
	/* the installed @m-slot table was @old, becomes @nw: write the
	 * slots that differ, *@changed of them (dp_ring_update()) */
	int (*ring_update)(struct dp *dp, __u32 vip_id, __u32 m,
			   const __u32 *old, const __u32 *nw, __u32 *changed);
	int (*ring_read)(struct dp *dp, __u32 vip_id, __u32 *table, __u32 max,
			 __u32 *ring_size);
	int (*ring_del)(struct dp *dp, __u32 vip_id);
	int (*stats_clear)(struct dp *dp, __u32 vip_id, __u32 backend_id);
	int (*vip_stats)(struct dp *dp, __u32 vip_id,
			 struct sluice_lb_counter *out);
	int (*backend_stats)(struct dp *dp, __u32 id,
			     struct sluice_lb_counter *out);
	int (*flow_count)(struct dp *dp);
	int (*map_foreach)(struct dp *dp, enum dp_map_id id, dp_key_cb cb,
			   void *arg);
	/* Full-NAT VIPs exist (@any) or not: NAT's switch for them; and
	 * whether connection tracking, which they need, is on.  NULL in
	 * fakes: no full NAT. */
	int (*fullnat_set)(struct dp *dp, bool any, bool *ct_on);
	/* Second chance: keep @table (@m slots) as @vip_id's previous one
	 * until @until_ns (CLOCK_MONOTONIC), or forget it.  NULL in fakes
	 * that have none. */
	int (*second_set)(struct dp *dp, __u32 vip_id, __u32 m,
			  const __u32 *table, __u64 until_ns);
	int (*second_del)(struct dp *dp, __u32 vip_id);
	/* The flow table's memory (lb_flow_table.h), which /v1/lb/flows
	 * walks and deletes from.  NULL in fakes that have none. */
	int (*flow_table)(struct dp *dp, struct lb_flow_table *out);
	/* What the data path's inserts into the table could not do cleanly
	 * (dp_lb_flow_events()).  NULL in fakes that have none. */
	int (*flow_events)(struct dp *dp, __u64 out[SLUICE_LB_FLOW_NEVENTS]);
};

extern const struct lb_dp_ops lb_dp_bpf;

struct lb;

/* @h may be NULL: no health checks (every backend stays "unknown"). */
int lb_new(struct lb **out, struct dp *dp, const struct lb_dp_ops *ops,
	   struct health *h, const struct lb_settings *s);
void lb_free(struct lb *lb);
/* The checker whose callback is lb_health_event(@lb), before lb_load(). */
void lb_set_health(struct lb *lb, struct health *h);

/*
 * Startup: writes lb_config, then makes the maps hold exactly @vips (the
 * state file's, or on the first start the config file's).  What
 * is already pinned (a restart with --keep-on-exit) is adopted: the same
 * VIP key keeps its vip id, the same backend address its backend id (so
 * lb_flows stays valid), and only the ring slots that differ are written.
 * VIPs in the maps that @vips does not name are removed.
 */
int lb_load(struct lb *lb, const struct lb_vip_spec *vips, size_t n, char *err,
	    size_t errlen);

/*
 * Changes.  0 or -errno with @err naming the field and value: -EINVAL bad
 * input, -ENOENT no such VIP/backend, -EEXIST already there, -ENOSPC out of
 * ids, anything else a map write that failed (rolled back).  On error
 * nothing changed.
 */
int lb_vip_add(struct lb *lb, const struct lb_vip_spec *spec, uint32_t *vip_id,
	       char *err, size_t errlen);
int lb_vip_del(struct lb *lb, uint32_t vip_id, char *err, size_t errlen);
int lb_backend_add(struct lb *lb, uint32_t vip_id,
		   const struct lb_backend_spec *spec, char *err,
		   size_t errlen);
int lb_backend_patch(struct lb *lb, uint32_t vip_id, const struct lb_addr *addr,
		     const struct lb_backend_patch *p, char *err,
		     size_t errlen);
int lb_backend_del(struct lb *lb, uint32_t vip_id, const struct lb_addr *addr,
		   char *err, size_t errlen);
/* The VIP's backends become exactly @be[0..@n): the ones it has keep their
 * ids and take the weight and state given, new ones are added, the others
 * removed; one table computed, one diff written.  0 or -errno as above
 * (the field named as "backends[3].weight"); *@st (may be NULL) says what
 * changed. */
struct lb_replace_stats {
	uint32_t added, removed, changed; /* changed: weight or state */
	uint32_t slots_written;
};
int lb_backends_replace(struct lb *lb, uint32_t vip_id,
			const struct lb_backend_spec *be, size_t n,
			struct lb_replace_stats *st, char *err, size_t errlen);
/* Who follows the VIP set (daemon/lb_announce.c): @changed after every
 * change that stays and every health event, @announced for a VIP's
 * "announced" in the API (1 yes, 0 no, -1: nothing is announced, the key
 * is left out). */
struct lb_watch {
	void (*changed)(void *arg);
	int (*announced)(void *arg, const struct lb_vip *v);
	void *arg;
};
void lb_set_watch(struct lb *lb, const struct lb_watch *w);
/* The VIP has a backend that takes new flows and passed its checks. */
bool lb_vip_healthy(const struct lb_vip *v);
/* None does, but one that could has not been checked yet (a start). */
bool lb_vip_undecided(const struct lb_vip *v);

/* A health check changed its mind (the health_cb of health_new()).  Not
 * saved: health is observed, not chosen. */
void lb_health_event(void *lb, uint64_t backend_id, enum health_state st);

/* ---- the state file (daemon/lb_state.c) ---------------------------------- */
/*
 * @dir/lb.json holds the VIP set as the API left it, so that it survives a
 * restart, with or without --keep-on-exit: {"version": 1, "vips": [...]},
 * each VIP in the shape of the config file's lb.vips (its settings, its
 * backends with weight and administrative state; no health, no counters,
 * no ids).  At start it is the VIP set, ahead of the config file's
 * lb.vips (which only seed the first start, when there is no state file).
 */
#define LB_STATE_FILE "lb.json"
/*
 * @dir/lb.journal: the changes since lb.json was written, one line each,
 * appended before a change is answered (daemon/lb_journal.c).  lb.json is
 * rewritten, and the journal emptied, once it holds LB_JOURNAL_MAX bytes.
 */
#define LB_JOURNAL_FILE "lb.journal"
#define LB_JOURNAL_MAX (1u << 20)

/* From now on every successful lb_vip_add/_del and lb_backend_add/_patch/
 * _del/_replace is saved in @dir (NULL: nothing is saved, the default):
 * lb.json rewritten at once, or, once lb_loop_add() was called (below), a
 * line appended to lb.journal before the call returns. */
int lb_set_state_dir(struct lb *lb, const char *dir);
/* "" when nothing is saved. */
const char *lb_state_path(const struct lb *lb);
/* Saves the VIP set now (lb.json, then the journal emptied): 0 or -errno.  A failure is logged and counted,
 * and the change it follows stays applied: the running LB is right, only
 * a restart would lose it. */
int lb_state_save(struct lb *lb);
uint64_t lb_state_write_errors(const struct lb *lb);
/* The document lb_state_save() writes. */
struct json_object *lb_state_json(const struct lb *lb);
/* Writes @doc as @dir/lb.json atomically (temporary file in @dir, fsync,
 * rename, fsync of @dir), creating @dir if needed; 0 or -errno with @err
 * naming the file and the step that failed. */
int lb_state_write(const char *dir, struct json_object *doc, char *err,
		   size_t errlen);
/*
 * Reads a state file and replays the journal next to it (@path's
 * directory, LB_JOURNAL_FILE) over it: 0 with its VIPs (free with
 * lb_vip_specs_free()),
 * -ENOENT when there is none, else -errno with @err naming the path and
 * what is wrong, with line and column for bad JSON ("state file
 * /var/lib/sluice/lb.json: invalid JSON at line 3 column 7: ...") and the
 * field for a bad value ("...: vips[0].backends[1].weight: 0 is out of
 * range 1..1000").
 */
int lb_state_read(const char *path, struct lb_vip_spec **vips, size_t *n,
		  char *err, size_t errlen);

/* ---- the event loop's part (daemon/lb_loop.c) ------------------------------ */
#define LB_SAVE_INTERVAL_MS 100 /* journal fdatasync: at most this late */
#define LB_FLOW_COUNT_MS 1000	/* lb_flows: counted at least this often */

struct loop;
/*
 * From now on changes go to the journal (lb.json is rewritten at the first
 * change, when the journal is full and at lb_loop_del()), synced within
 * LB_SAVE_INTERVAL_MS of their append, and the flows are counted on a timer
 * (lb_flow_count() returns the last count); 0 or -errno.  lb_loop_del()
 * undoes that, writing what is pending: call it before the loop goes.
 */
int lb_loop_add(struct lb *lb, struct loop *l);
void lb_loop_del(struct lb *lb);
/* A change to the VIP of key @k to save (lb.c calls it after each one,
 * before the change is answered). */
void lb_state_changed(struct lb *lb, const struct sluice_vip_key *k);
/* Rewrites lb.json (emptying the journal) if it is behind: 0, or
 * lb_state_save()'s error. */
int lb_state_flush(struct lb *lb);

/* Lookups: NULL when absent.  @id is "ADDR:PORT/PROTO", "[ADDR6]:PORT/PROTO"
 * or a vip id; -EINVAL from lb_vip_lookup() when it is none of those. */
const struct lb_vip *lb_vip_get(const struct lb *lb, uint32_t vip_id);
int lb_vip_lookup(const struct lb *lb, const char *id,
		  const struct lb_vip **out);
const struct lb_backend *lb_backend_find(const struct lb_vip *v,
					 const struct lb_addr *a);
const struct lb_settings *lb_get_settings(const struct lb *lb);
uint64_t lb_slots_written(const struct lb *lb);
/* Counters from the data path (zeros when they cannot be read). */
void lb_vip_counters(const struct lb *lb, const struct lb_vip *v,
		     struct sluice_lb_counter *out);
void lb_backend_counters(const struct lb *lb, const struct lb_backend *b,
			 struct sluice_lb_counter *out);
/* Entries in lb_flows: the timer's last count (lb_loop_add()), else
 * counted now; lb_flows_age_ms() is how old that count is (0: now). */
int lb_flow_count(const struct lb *lb);
int64_t lb_flows_age_ms(const struct lb *lb);
uint32_t lb_flow_capacity(const struct lb *lb);
/* The flow table's events since its maps were made (uapi lb_flows.h),
 * read now: zeros where the data path has none. */
void lb_flow_events(const struct lb *lb, __u64 out[SLUICE_LB_FLOW_NEVENTS]);
const char *lb_health_error(const struct lb *lb, const struct lb_backend *b);

/* JSON as the API returns it (docs/lb-api.md). */
struct json_object *lb_vip_json(const struct lb *lb, const struct lb_vip *v);
struct json_object *lb_backend_json(const struct lb *lb,
				    const struct lb_backend *b);
struct json_object *lb_vips_json(const struct lb *lb);
struct json_object *lb_summary_json(const struct lb *lb);

/* ---- pure parts ---------------------------------------------------------- */
/* Parse / format an address literal; -EINVAL if it is none. */
int lb_addr_parse(const char *s, struct lb_addr *a);
const char *lb_addr_str(const struct lb_addr *a, char *buf, size_t len);
/* "198.18.100.1:80/tcp", "[2001:db8::1]:443/udp"; -EINVAL otherwise. */
int lb_vip_id_parse(const char *s, struct sluice_vip_key *k);
const char *lb_vip_id_str(const struct sluice_vip_key *k, char *buf,
			  size_t len);
const char *lb_be_state_name(enum lb_be_state s);

/*
 * JSON -> spec, with every field checked.  @prefix is prepended to every
 * field named in @err ("lb.vips[0]." in the config file, "" for a request
 * body).  The spec is filled only on success; free it with
 * lb_vip_spec_free().
 */
int lb_vip_spec_from_json(struct json_object *o, const char *prefix,
			  struct lb_vip_spec *out, char *err, size_t errlen);
void lb_vip_spec_free(struct lb_vip_spec *s);
/* A JSON array of VIPs named @field ("lb.vips", "vips"): each checked as
 * above ("@field[2].port: ..."), no VIP twice, the backend total within
 * LB_MAX_BACKENDS.  *@out is set only on success. */
int lb_vip_specs_from_json(struct json_object *arr, const char *field,
			   struct lb_vip_spec **out, size_t *n, char *err,
			   size_t errlen);
void lb_vip_specs_free(struct lb_vip_spec *vips, size_t n);
int lb_backend_spec_from_json(struct json_object *o, const char *prefix,
			      struct lb_backend_spec *out, char *err,
			      size_t errlen);
/* {"backends": [...]}, the body of PUT /v1/vips/{vip}/backends: each
 * backend checked as above ("backends[2].weight: ..."), none twice; the
 * list goes to @out->be/n_be (free with lb_vip_spec_free()). */
int lb_backend_set_from_json(struct json_object *o, struct lb_vip_spec *out,
			     char *err, size_t errlen);
int lb_backend_patch_from_json(struct json_object *o,
			       struct lb_backend_patch *out, char *err,
			       size_t errlen);
/* "198.18.200.0/24" (v4, a /24) or "2001:db8:200::/96" (v6, a /96); ""
 * means none.  @field names it in @err. */
int lb_source_parse(const char *field, const char *s, int family,
		    struct lb_settings *set, char *err, size_t errlen);
/* "" when the family has no source. */
const char *lb_source_str(const struct lb_settings *set, int family, char *buf,
			  size_t len);

/* What a backend weighs in the Maglev table: its weight when it is active
 * and not failing its health check, else 0 (draining and down take no new
 * flows). */
uint32_t lb_backend_weight(const struct lb_backend *b);
/* Down (administratively or by health): SLUICE_BE_DOWN, its flows rehash. */
bool lb_backend_down(const struct lb_backend *b);
/* The Maglev table of a backend set, a pure function of the set (order
 * does not matter); sets each backend's slots.  0 or -EINVAL/-ENOMEM. */
int lb_table_compute(struct lb_backend *be, size_t n, uint32_t ring_size,
		     uint32_t *table);
/* The Maglev identity of an address. */
uint64_t lb_backend_key(const struct lb_addr *a);

#endif
