// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's Maglev rings: one ARRAY per VIP in the lb_rings
 * map-in-map.  A ring is created BPF_F_MMAPABLE and stays mapped in this
 * process, so that changing slots is a store into memory the data path
 * reads, not a syscall per slot: the kernel's batch update costs some
 * hundreds of ns per element here, which made a backend change that moves
 * a whole 65537-slot table cost tens of ms (bench: api_write_backends).
 *
 * Rings pinned by an older sluiced (its lb_rings was made with an inner
 * template without BPF_F_MMAPABLE, and the kernel wants every inner map to
 * have the template's flags) are neither mapped nor mappable: they, and
 * every ring of such an lb_rings, are written through the syscalls as
 * before.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "dp_internal.h"

/* A ring as this process mapped it. */
struct ring_view {
	__u32 map_id; /* the inner map's id: is it still the installed one? */
	__u32 size;   /* slots */
	size_t len;   /* bytes mapped */
	uint8_t *mem; /* NULL: not mapped */
};

struct dp_rings {
	__u32 flags; /* what new rings are created with */
	struct ring_view v[SLUICE_LB_MAX_VIPS];
};

#define RING_FLAGS_MMAP (BPF_F_INNER_MAP | BPF_F_MMAPABLE)
/* An ARRAY stores each value at a multiple of 8 bytes (round_up(value_size,
 * 8) in the kernel's array map): that is the stride in the mapping too. */
#define RING_STRIDE 8

static __u32 *slot_ptr(const struct ring_view *v, __u32 slot)
{
	return (__u32 *)(v->mem + (size_t)slot * RING_STRIDE);
}

static size_t ring_len(__u32 size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return ((size_t)size * RING_STRIDE + page - 1) / page * page;
}

int dp_rings_template(struct bpf_map *outer)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = RING_FLAGS_MMAP);
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lb_ring", sizeof(__u32),
				sizeof(__u32), SLUICE_LB_DEFAULT_RING, &o);
	int err;

	if (fd < 0)
		return -errno;
	err = bpf_map__set_inner_map_fd(outer, fd);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static struct dp_rings *rings_of(struct dp *dp)
{
	if (!dp->rings) {
		dp->rings = calloc(1, sizeof(*dp->rings));
		if (dp->rings)
			dp->rings->flags = RING_FLAGS_MMAP;
	}
	return dp->rings;
}

static void view_drop(struct ring_view *v)
{
	if (v->mem)
		munmap(v->mem, v->len);
	memset(v, 0, sizeof(*v));
}

void dp_rings_free(struct dp *dp)
{
	if (!dp->rings)
		return;
	for (int i = 0; i < SLUICE_LB_MAX_VIPS; i++)
		view_drop(&dp->rings->v[i]);
	free(dp->rings);
	dp->rings = NULL;
}

static int map_id_of(int fd, __u32 *id, __u32 *size, __u32 *flags)
{
	struct bpf_map_info info;
	int err = dp_map_info(fd, &info);

	if (err)
		return err;
	*id = info.id;
	*size = info.max_entries;
	*flags = info.map_flags;
	return 0;
}

/* Maps @fd (a ring of @size slots) as @v; 0 or -errno. */
static int view_map(struct ring_view *v, int fd, __u32 id, __u32 size)
{
	size_t len = ring_len(size);
	void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (mem == MAP_FAILED)
		return -errno;
	view_drop(v);
	v->map_id = id;
	v->size = size;
	v->len = len;
	v->mem = mem;
	return 0;
}

/*
 * The installed ring of @vip_id: 0 with its id in *@id and in *@out its
 * view when it is mapped (or can be), NULL when it is written through
 * syscalls; -ENOENT when the VIP has no ring.
 */
static int view_get(struct dp *dp, __u32 vip_id, __u32 *id,
		    struct ring_view **out)
{
	struct dp_rings *r = rings_of(dp);
	struct ring_view *v;
	__u32 size, flags;
	int fd, err;

	*out = NULL;
	err = dp_lookup(dp, DP_MAP_LB_RINGS, &vip_id, id);
	if (err || !r)
		return err;
	v = &r->v[vip_id];
	if (v->mem && v->map_id == *id) {
		*out = v;
		return 0;
	}
	/* installed by someone else (an earlier run): map it if it can be */
	fd = bpf_map_get_fd_by_id(*id);
	if (fd < 0)
		return 0;
	if (!map_id_of(fd, id, &size, &flags) && (flags & BPF_F_MMAPABLE) &&
	    !view_map(v, fd, *id, size))
		*out = v;
	else
		view_drop(v); /* a ring that is no longer installed */
	close(fd);
	return 0;
}

/* Fills a new ring: through the mapping when there is one, else by batch
 * (one by one if the kernel has no batch for arrays). */
static int ring_fill(int fd, const struct ring_view *v, __u32 ring_size,
		     const __u32 *table)
{
	__u32 *keys, count = ring_size;
	int err = 0;

	if (v) {
		/* a new array is zeroed: only the slots with a backend */
		for (__u32 i = 0; i < ring_size; i++)
			if (table[i])
				*slot_ptr(v, i) = table[i];
		return 0;
	}
	keys = malloc(sizeof(*keys) * ring_size);
	if (!keys)
		return -ENOMEM;
	for (__u32 i = 0; i < ring_size; i++)
		keys[i] = i;
	if (bpf_map_update_batch(fd, keys, table, &count, NULL))
		for (__u32 i = 0; i < ring_size && !err; i++)
			if (bpf_map_update_elem(fd, &i, &table[i], BPF_ANY))
				err = -errno;
	free(keys);
	return err;
}

/* One attempt at installing with @flags; -EINVAL from the outer map when
 * they are not the ones its inner template has. */
static int install(struct dp *dp, __u32 vip_id, __u32 ring_size,
		   const __u32 *table, __u32 flags, struct ring_view *out)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	struct ring_view v = {};
	__u32 size, fl;
	int fd, err;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lb_ring", sizeof(__u32),
			    sizeof(__u32), ring_size, &o);
	if (fd < 0)
		return -errno;
	err = map_id_of(fd, &v.map_id, &size, &fl);
	if (!err && (flags & BPF_F_MMAPABLE))
		err = view_map(&v, fd, v.map_id, ring_size);
	/* fill it completely before anyone can see it */
	if (!err)
		err = ring_fill(fd, v.mem ? &v : NULL, ring_size, table);
	if (!err)
		err = dp_update(dp, DP_MAP_LB_RINGS, &vip_id, &fd);
	close(fd); /* the outer map (and the mapping) hold it now */
	if (err) {
		view_drop(&v);
		return err;
	}
	*out = v;
	return 0;
}

int dp_ring_install(struct dp *dp, __u32 vip_id, __u32 ring_size,
		    const __u32 *table)
{
	struct dp_rings *r = rings_of(dp);
	struct ring_view v;
	int err;

	if (!vip_id || vip_id >= SLUICE_LB_MAX_VIPS || !ring_size ||
	    ring_size > SLUICE_LB_MAX_RING)
		return -ERANGE;
	if (!r)
		return -ENOMEM;
	err = install(dp, vip_id, ring_size, table, r->flags, &v);
	if (err == -EINVAL && (r->flags & BPF_F_MMAPABLE)) {
		/* an lb_rings pinned by a sluiced whose rings were not
		 * mappable: from now on, neither are ours */
		r->flags = BPF_F_INNER_MAP;
		err = install(dp, vip_id, ring_size, table, r->flags, &v);
	}
	if (err)
		return err;
	/* the old ring (if any) is out of the outer map: let it go */
	view_drop(&r->v[vip_id]);
	r->v[vip_id] = v;
	return 0;
}

int dp_ring_write(struct dp *dp, __u32 vip_id, const __u32 *slots,
		  const __u32 *values, __u32 n)
{
	struct ring_view *v;
	__u32 id, count = n;
	int fd, err = 0;

	if (!n)
		return 0;
	if (vip_id >= SLUICE_LB_MAX_VIPS)
		return -ERANGE;
	err = view_get(dp, vip_id, &id, &v);
	if (err)
		return err;
	if (v) {
		/* all or nothing, as a syscall would refuse a bad key */
		for (__u32 i = 0; i < n; i++)
			if (slots[i] >= v->size)
				return -E2BIG;
		/* each slot is one aligned 32-bit store: the data path reads
		 * the old or the new backend, never a mix */
		for (__u32 i = 0; i < n; i++)
			__atomic_store_n(slot_ptr(v, slots[i]), values[i],
					 __ATOMIC_RELAXED);
		/* visible before whatever write the caller makes next */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		return 0;
	}
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_batch(fd, slots, values, &count, NULL)) {
		for (__u32 i = 0; i < n && !err; i++)
			if (bpf_map_update_elem(fd, &slots[i], &values[i],
						BPF_ANY))
				err = -errno;
	}
	close(fd);
	return err;
}

/* The syscall path of dp_ring_update(): the differing slots as lists. */
static int ring_update_lists(struct dp *dp, __u32 vip_id, __u32 m,
			     const __u32 *old, const __u32 *nw, __u32 n)
{
	__u32 *slots = malloc(n * sizeof(*slots));
	__u32 *vals = malloc(n * sizeof(*vals));
	int err = -ENOMEM;

	if (slots && vals) {
		for (__u32 i = 0, k = 0; i < m; i++) {
			if (old[i] == nw[i])
				continue;
			slots[k] = i;
			vals[k++] = nw[i];
		}
		err = dp_ring_write(dp, vip_id, slots, vals, n);
	}
	free(slots);
	free(vals);
	return err;
}

int dp_ring_update(struct dp *dp, __u32 vip_id, __u32 m, const __u32 *old,
		   const __u32 *nw, __u32 *changed)
{
	struct ring_view *v;
	__u32 id, n = 0;
	int err;

	*changed = 0;
	if (vip_id >= SLUICE_LB_MAX_VIPS)
		return -ERANGE;
	err = view_get(dp, vip_id, &id, &v);
	if (err)
		return err;
	if (v) {
		if (m > v->size)
			return -E2BIG;
		/* One pass that finds and writes: a change that moves a whole
		 * 65537-slot table was three passes and three 256 KiB lists
		 * before (half of a backend write's time).  It compares with
		 * the slot itself, not with @old (which it equals): the store
		 * needs that cache line anyway, and @old would be 256 KiB
		 * more to read, a quarter of this loop's time.  Each slot is
		 * one aligned 32-bit store: the data path reads the old or
		 * the new backend, never a mix. */
		for (__u32 i = 0; i < m; i++) {
			__u32 *slot = slot_ptr(v, i);

			if (__atomic_load_n(slot, __ATOMIC_RELAXED) == nw[i])
				continue;
			__atomic_store_n(slot, nw[i], __ATOMIC_RELAXED);
			n++;
		}
		/* visible before whatever write the caller makes next */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		*changed = n;
		return 0;
	}
	for (__u32 i = 0; i < m; i++)
		n += old[i] != nw[i];
	err = n ? ring_update_lists(dp, vip_id, m, old, nw, n) : 0;
	if (!err)
		*changed = n;
	return err;
}

int dp_ring_read(struct dp *dp, __u32 vip_id, __u32 *table, __u32 max,
		 __u32 *ring_size)
{
	struct ring_view *v;
	__u32 id, flags;
	int fd, err = 0;

	*ring_size = 0;
	if (vip_id >= SLUICE_LB_MAX_VIPS)
		return -ERANGE;
	err = view_get(dp, vip_id, &id, &v);
	if (err)
		return err;
	if (v) {
		*ring_size = v->size;
		if (v->size > max)
			return -ENOSPC;
		for (__u32 i = 0; i < v->size; i++)
			table[i] = __atomic_load_n(slot_ptr(v, i),
						   __ATOMIC_RELAXED);
		return 0;
	}
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	err = map_id_of(fd, &id, ring_size, &flags);
	if (!err && *ring_size > max)
		err = -ENOSPC;
	for (__u32 i = 0; i < *ring_size && !err; i++)
		if (bpf_map_lookup_elem(fd, &i, &table[i]))
			err = -errno;
	close(fd);
	return err;
}

int dp_ring_del(struct dp *dp, __u32 vip_id)
{
	int err;

	if (vip_id >= SLUICE_LB_MAX_VIPS)
		return -ERANGE;
	err = dp_delete(dp, DP_MAP_LB_RINGS, &vip_id);
	if (dp->rings)
		view_drop(&dp->rings->v[vip_id]);
	return err == -ENOENT ? 0 : err;
}
