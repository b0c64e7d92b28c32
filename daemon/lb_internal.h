/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the load balancer's files share and nobody else sees: the model
 * (struct lb), the write transaction (lb_txn.c), the checks of a spec
 * (lb_spec.c) and the steps of a change that adoption at start
 * (lb_adopt.c) reuses from lb.c.  lb.h is the contract for everyone else.
 */
#ifndef SLUICED_LB_INTERNAL_H
#define SLUICED_LB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include "lb.h"
#include "loop.h"

_Static_assert(SLUICE_LB_MAX_VIPS <= 65536,
	       "be_owner holds a vip id in 16 bits");

struct lb {
	struct dp *dp;
	const struct lb_dp_ops *ops;
	struct health *health;
	struct lb_settings set;
	struct lb_vip *vips[SLUICE_LB_MAX_VIPS];   /* by vip id */
	uint16_t be_owner[SLUICE_LB_MAX_BACKENDS]; /* backend id -> vip id */
	/*
	 * Free backend ids, first in first out: a freed id goes to the back,
	 * so it is reused as late as possible and flows that still name it
	 * in lb_flows have long expired by then.
	 */
	uint32_t free_q[LB_MAX_BACKENDS];
	uint32_t free_head, free_n;
	bool vip_reserved[SLUICE_LB_MAX_VIPS]; /* during lb_load() */
	uint64_t slots_written;
	char *state_dir; /* NULL: changes are not saved */
	char state_path[256];
	uint64_t state_write_errors;
	/* lb_loop.c: what runs in the event loop (NULL: nothing, saves are
	 * made at once and flows counted per request) */
	struct loop *loop;
	struct loop_src *save_timer;  /* a deferred save is due */
	struct loop_src *count_timer; /* the next count of lb_flows */
	bool state_dirty; /* lb.json is behind: the journal has the rest */
	/* lb_journal.c: lb.journal, open while the loop runs (-1: not) */
	int journal_fd;
	uint64_t journal_bytes;	      /* whole lines in it */
	bool journal_unsynced;	      /* appended since the last fdatasync */
	int flows;		      /* the last count */
	uint64_t flows_counted_at_ms; /* 0: never counted */
	struct lb_watch watch;	      /* lb_set_watch(); zeros: none */
};

static inline size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static inline bool addr_eq(const struct lb_addr *x, const struct lb_addr *y)
{
	return x->family == y->family &&
	       !memcmp(x->a, y->a, addr_len(x->family));
}

static inline bool key_eq(const struct sluice_vip_key *a,
			  const struct sluice_vip_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* ---- checks of a spec (lb_spec.c): 0 or -EINVAL with @err -------------- */
int lb_vip_spec_check(const struct lb_vip_spec *s, const char *prefix,
		      char *err, size_t errlen);
/* A backend @a for a VIP of @c: a fullnat VIP's must be of its family;
 * @field names it in the error. */
int lb_fullnat_backend_check(const struct lb_vip_conf *c,
			     const struct lb_addr *a, const char *field,
			     char *err, size_t errlen);
int lb_backend_spec_check(const struct lb_backend_spec *b, char *err,
			  size_t errlen);
int lb_backend_set_check(const struct lb_backend_spec *be, size_t n, char *err,
			 size_t errlen);
int lb_backend_patch_check(const struct lb_backend_patch *p, char *err,
			   size_t errlen);

/* ---- the write transaction (lb_txn.c) ----------------------------------- */
enum undo_op {
	UNDO_VIP_DEL,	   /* the VIP key was new */
	UNDO_VIP_SET,	   /* restore the previous VIP value */
	UNDO_BE_DEL,	   /* the backend was new */
	UNDO_BE_SET,	   /* restore the previous backend value */
	UNDO_RING_DEL,	   /* the ring was new */
	UNDO_RING_INSTALL, /* put the previous table back (borrowed) */
	UNDO_RING_WRITE,   /* write table back over cur (both borrowed) */
};

struct undo {
	enum undo_op op;
	uint32_t id; /* vip or backend id */
	uint32_t n;  /* ring size or number of slots */
	struct sluice_vip_key key;
	struct sluice_vip vip;
	struct sluice_backend be;
	const uint32_t *table;
	const uint32_t *cur; /* UNDO_RING_WRITE: what the ring holds now */
};

struct txn {
	struct lb *lb;
	struct undo *u;
	size_t n, cap;
};

/*
 * Each lb_txn_*() makes one map write through lb->ops and notes its undo;
 * lb_txn_rollback() undoes them newest first, lb_txn_free() forgets them
 * once the change stays.
 */
int lb_txn_vip_set(struct txn *t, const struct sluice_vip_key *k,
		   const struct sluice_vip *v, const struct sluice_vip *prev);
int lb_txn_vip_del(struct txn *t, const struct sluice_vip_key *k,
		   const struct sluice_vip *prev);
int lb_txn_be_set(struct txn *t, uint32_t id, const struct sluice_backend *b,
		  const struct sluice_backend *prev);
int lb_txn_be_del(struct txn *t, uint32_t id,
		  const struct sluice_backend *prev);
int lb_txn_ring_install(struct txn *t, uint32_t vip_id, uint32_t m,
			const uint32_t *table, uint32_t prev_m,
			const uint32_t *prev);
int lb_txn_ring_del(struct txn *t, uint32_t vip_id, uint32_t m,
		    const uint32_t *prev);
int lb_txn_ring_write(struct txn *t, uint32_t vip_id, uint32_t m,
		      const uint32_t *old, const uint32_t *nw);
void lb_txn_rollback(struct txn *t);
void lb_txn_free(struct txn *t);

/* ---- the model (lb.c), the steps lb_load() shares with the API ---------- */
struct sluice_backend lb_be_value(const struct lb_backend *b);
uint32_t lb_be_id_alloc(struct lb *lb);
void lb_be_id_release(struct lb *lb, uint32_t id);
uint32_t lb_vip_id_alloc(const struct lb *lb);
void lb_vip_free(struct lb_vip *v);
int lb_vip_build(const struct lb_vip_spec *s, uint32_t vip_id,
		 const uint32_t *ids, struct lb_vip **out);
void lb_stats_clear(struct lb *lb, uint32_t vip_id, uint32_t be_id);
int lb_program_change(struct lb *lb, struct txn *t, const struct lb_vip *old,
		      const struct sluice_vip *old_vv, const struct lb_vip *nw,
		      uint32_t *written);
int lb_health_add(struct lb *lb, const struct lb_vip *old,
		  const struct lb_vip *nw);
void lb_commit(struct lb *lb, struct lb_vip *old, struct lb_vip *nw,
	       const struct lb_backend **new_ix);
int lb_apply(struct lb *lb, struct lb_vip *old, struct lb_vip *nw,
	     uint32_t *written, char *err, size_t errlen);
int lb_map_error(char *err, size_t errlen, int rc);
/* The steps of a change that lb_replace.c shares: undo the last
 * lb_be_id_alloc(); a copy of a VIP with room for @extra more backends;
 * a backend as new; recompute @nw's table and apply it over the VIP it
 * was cloned from (@nw is consumed); the VIP or an error naming it. */
void lb_be_id_unalloc(struct lb *lb, uint32_t id);
struct lb_vip *lb_vip_clone(const struct lb_vip *v, size_t extra);
void lb_backend_init(struct lb_backend *b, const struct lb_backend_spec *s,
		     uint32_t id);
int lb_change(struct lb *lb, struct lb_vip *nw, uint32_t *written, char *err,
	      size_t errlen);
struct lb_vip *lb_vip_get_err(struct lb *lb, uint32_t vip_id, char *err,
			      size_t errlen);

/* ---- second chance (lb_second.c) ----------------------------------------- */
/* Before @old's table becomes @nw's: keep it as the previous one when
 * @nw asks for second chance and a slot changes (forget it when @nw no
 * longer asks); @nw NULL: the VIP goes, so does its previous table.
 * 0 or -errno from the data path. */
int lb_second_keep(struct lb *lb, const struct lb_vip *old,
		   const struct lb_vip *nw);

/* ---- the journal (lb_journal.c) ----------------------------------------- */
/* One line for the VIP of key @k as it is now (or its removal), with one
 * write(): 0, or -errno with the file as it was (or closed, if even that
 * failed: then there is no journal until lb_journal_reset()). */
int lb_journal_append(struct lb *lb, const struct sluice_vip_key *k);
/* lb.json was just written: the journal is emptied (opened first, created
 * if need be, when the loop runs; without one it is removed). */
int lb_journal_reset(struct lb *lb);
/* fdatasync() of what was appended since the last one. */
int lb_journal_sync(struct lb *lb);
void lb_journal_close(struct lb *lb);
/* Replays the journal @path over @vips (its @n VIPs, realloc()ed as VIPs
 * come): 0 with the number of lines applied in *@lines; -ENOENT when there
 * is none; else -errno with @err naming the file and the line.  A last
 * line without its newline is ignored (logged). */
int lb_journal_replay(const char *path, struct lb_vip_spec **vips, size_t *n,
		      size_t *lines, char *err, size_t errlen);
/* A VIP as lb.json and the journal hold it. */
struct json_object *lb_vip_state_json(const struct lb_vip *v);

/* A VIP's own settings (address, port, protocol, encap, hash, ring size,
 * health) into @o, as both the API and the state file write them. */
void lb_vip_conf_json(struct json_object *o, const struct lb_vip_conf *c);

#endif
