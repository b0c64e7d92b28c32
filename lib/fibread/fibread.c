// SPDX-License-Identifier: BSD-2-Clause
/*
 * The XDP path's forwarding table read from user space (fibread.h): the
 * route walk is lib/fib's (the BPF walk's C twin), the next-hop part below
 * is bpf/lib/route.h's resolve_hop() step by step, with the same bounds
 * checks and the same reasons in the same order.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <uapi/sluice/flow_hash.h>
#include <uapi/sluice/reasons.h>
#include <uapi/sluice/route.h>
#include "fib.h"
#include "fibread.h"
#include "pin_moved.h"
#include "errbuf.h"

enum {
	M_FIB4_ROOT,
	M_FIB4_GROUPS,
	M_FIB6_ROOT,
	M_FIB6_GROUPS,
	M_NHGS,
	M_NHS,
	M_MMAPPED, /* the maps above are mmapped; below, read by syscall */
	M_NEIGHBORS = M_MMAPPED,
	M_COUNT
};

/* What each map must be for this build's packet path to read it. */
static const struct {
	const char *name;
	__u32 type, key_size, value_size;
} want[M_COUNT] = {
	[M_FIB4_ROOT] = { "fib4_root", BPF_MAP_TYPE_ARRAY, 4,
			  sizeof(struct sluice_fib_block) },
	[M_FIB4_GROUPS] = { "fib4_groups", BPF_MAP_TYPE_ARRAY, 4,
			    sizeof(struct sluice_fib_block) },
	[M_FIB6_ROOT] = { "fib6_root", BPF_MAP_TYPE_ARRAY, 4,
			  sizeof(struct sluice_fib_block) },
	[M_FIB6_GROUPS] = { "fib6_groups", BPF_MAP_TYPE_ARRAY, 4,
			    sizeof(struct sluice_fib_block) },
	[M_NHGS] = { "fib_nhgs", BPF_MAP_TYPE_ARRAY, 4,
		     sizeof(struct sluice_fib_nhg) },
	[M_NHS] = { "fib_nhs", BPF_MAP_TYPE_ARRAY, 4,
		    sizeof(struct sluice_fib_nh) },
	[M_NEIGHBORS] = { "neighbors", BPF_MAP_TYPE_HASH,
			  sizeof(struct sluice_neigh_key),
			  sizeof(struct sluice_neigh) },
};

struct fibread {
	char dir[4064];
	int fd[M_COUNT];
	__u32 id[M_COUNT]; /* the maps' ids, for fibread_stale() */
	void *mem[M_MMAPPED];
	size_t len[M_MMAPPED];
	__u32 entries[M_COUNT];
	struct fib_tables t4, t6;
	const struct sluice_fib_nhg *nhgs;
	const struct sluice_fib_nh *nhs;
};

/*
 * Opens map @m and checks its shape.  The neighbors hash is opened
 * read-only.  The mmapped arrays cannot be: the kernel maps a BPF array
 * shared only through a writable fd (do_mmap drops VM_SHARED on a
 * read-only file, and bpf_map_mmap wants it); map_mmap() maps them
 * PROT_READ, and the kernel then clears VM_MAYWRITE, so the mapping cannot
 * be made writable later.
 */
static int map_open(struct fibread *r, int m, const char *dir, char *err,
		    size_t errlen)
{
	LIBBPF_OPTS(bpf_obj_get_opts, o,
		    .file_flags = m < M_MMAPPED ? 0 : BPF_F_RDONLY);
	struct bpf_map_info info = { 0 };
	__u32 ilen = sizeof(info);
	char path[4096];
	int fd, e;

	snprintf(path, sizeof(path), "%s/%s", dir, want[m].name);
	fd = bpf_obj_get_opts(path, &o);
	if (fd < 0) {
		e = -errno;
		errbuf_set(err, errlen, "%s: %s", path, strerror(-e));
		return e;
	}
	r->fd[m] = fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
		e = -errno;
		errbuf_set(err, errlen, "%s: %s", path, strerror(-e));
		return e;
	}
	if (info.type != want[m].type || info.key_size != want[m].key_size ||
	    info.value_size != want[m].value_size ||
	    (m < M_MMAPPED && !(info.map_flags & BPF_F_MMAPABLE))) {
		errbuf_set(
			err, errlen,
			"%s: type %u, key %u, value %u bytes, flags %#x: not the "
			"layout this build reads (type %u, key %u, value %zu)",
			path, info.type, info.key_size, info.value_size,
			info.map_flags, want[m].type, want[m].key_size,
			(size_t)want[m].value_size);
		return -EPROTO;
	}
	r->entries[m] = info.max_entries;
	r->id[m] = info.id;
	return 0;
}

/* Maps @m read-only: the writer's stores show through, ours cannot. */
static int map_mmap(struct fibread *r, int m, char *err, size_t errlen)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (size_t)want[m].value_size * r->entries[m];
	void *p;

	len = (len + page - 1) / page * page;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, r->fd[m], 0);
	if (p == MAP_FAILED) {
		int e = -errno;

		errbuf_set(err, errlen, "%s: mmap: %s", want[m].name,
			   strerror(-e));
		return e;
	}
	r->mem[m] = p;
	r->len[m] = len;
	return 0;
}

int fibread_open(struct fibread **out, const char *pin_dir, char *err,
		 size_t errlen)
{
	struct fibread *r;
	int m, e = 0;

	r = calloc(1, sizeof(*r));
	if (!r) {
		errbuf_set(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (m = 0; m < M_COUNT; m++)
		r->fd[m] = -1;
	if (strlen(pin_dir) >= sizeof(r->dir)) {
		errbuf_set(err, errlen, "pin dir '%s': too long", pin_dir);
		free(r);
		return -ENAMETOOLONG;
	}
	strcpy(r->dir, pin_dir);
	for (m = 0; !e && m < M_COUNT; m++)
		e = map_open(r, m, pin_dir, err, errlen);
	for (m = 0; !e && m < M_MMAPPED; m++)
		e = map_mmap(r, m, err, errlen);
	if (!e && r->entries[M_FIB4_ROOT] !=
			  SLUICE_FIB_ROOT_SIZE / SLUICE_FIB_GROUP_SIZE) {
		errbuf_set(err, errlen, "fib4_root: %u blocks, want %u",
			   r->entries[M_FIB4_ROOT],
			   SLUICE_FIB_ROOT_SIZE / SLUICE_FIB_GROUP_SIZE);
		e = -EPROTO;
	}
	if (!e && r->entries[M_FIB6_ROOT] != r->entries[M_FIB4_ROOT]) {
		errbuf_set(err, errlen, "fib6_root: %u blocks, want %u",
			   r->entries[M_FIB6_ROOT], r->entries[M_FIB4_ROOT]);
		e = -EPROTO;
	}
	if (e) {
		fibread_close(r);
		return e;
	}
	r->t4 = (struct fib_tables){ .root = r->mem[M_FIB4_ROOT],
				     .groups = r->mem[M_FIB4_GROUPS],
				     .n_groups = r->entries[M_FIB4_GROUPS] };
	r->t6 = (struct fib_tables){ .root = r->mem[M_FIB6_ROOT],
				     .groups = r->mem[M_FIB6_GROUPS],
				     .n_groups = r->entries[M_FIB6_GROUPS] };
	r->nhgs = r->mem[M_NHGS];
	r->nhs = r->mem[M_NHS];
	*out = r;
	return 0;
}

void fibread_close(struct fibread *r)
{
	if (!r)
		return;
	for (int m = 0; m < M_MMAPPED; m++)
		if (r->mem[m])
			munmap(r->mem[m], r->len[m]);
	for (int m = 0; m < M_COUNT; m++)
		if (r->fd[m] >= 0)
			close(r->fd[m]);
	free(r);
}

int fibread_stale(const struct fibread *r)
{
	char path[sizeof(r->dir) + 32];

	for (int m = 0; m < M_COUNT; m++) {
		int moved;

		snprintf(path, sizeof(path), "%s/%s", r->dir, want[m].name);
		moved = pin_moved(path, r->id[m]);
		if (moved)
			return moved;
	}
	return 0;
}

__u32 fibread_flow_hash(const struct fibread_flow *f)
{
	__u32 s[4], d[4];

	/* the words as the BPF program loads them from l3_info */
	memcpy(s, f->saddr, sizeof(s));
	memcpy(d, f->daddr, sizeof(d));
	return sluice_flow_hash(s, d, f->family == AF_INET ? 1 : 4, f->ports,
				f->proto);
}

static int punt(struct fibread_hop *h, int reason, __u32 flag)
{
	h->reason = reason;
	h->flags |= FIBREAD_PUNT | flag;
	return 0;
}

/* route.h's route_target_verdict(): what a target that is not a group
 * means; 1 for a group. */
static int target_verdict(struct fibread_hop *h)
{
	if (h->target == SLUICE_FIB_NONE || h->target == SLUICE_FIB_NO_NHG)
		return punt(h, SLUICE_PASS_NO_ROUTE, FIBREAD_NO_ROUTE);
	if (h->target == SLUICE_FIB_LOCAL)
		return punt(h, SLUICE_PASS_LOCAL, FIBREAD_LOCAL);
	if (h->target < SLUICE_FIB_NHG0)
		return punt(h, SLUICE_PASS_KERNEL_ROUTE, FIBREAD_KERNEL);
	return 1;
}

/* The on-link neighbour: neighbors[{ifindex, family, dst}], as XDP. */
static int onlink_neigh(const struct fibread *r, __u8 family, const __u8 *dst,
			unsigned int len, struct fibread_hop *h, bool *found)
{
	struct sluice_neigh_key k = { .ifindex = h->ifindex, .family = family };
	struct sluice_neigh v;

	memcpy(k.addr, dst, len);
	if (bpf_map_lookup_elem(r->fd[M_NEIGHBORS], &k, &v)) {
		if (errno != ENOENT)
			return -errno;
		*found = false;
		return 0;
	}
	memcpy(h->dmac, v.mac, sizeof(h->dmac));
	*found = true;
	return 0;
}

/* route.h's resolve_nh(): fib_nhs[h->nh] for a packet to @dst. */
static int nh_read(const struct fibread *r, __u8 family, const __u8 *dst,
		   unsigned int len, struct fibread_hop *h)
{
	const struct sluice_fib_nh *nh;
	__u16 flags;
	__u64 neigh;
	bool found = false;
	int err;

	if (h->nh >= r->entries[M_NHS])
		return punt(h, SLUICE_PASS_NO_NEIGH, FIBREAD_UNRESOLVED);
	nh = &r->nhs[h->nh];
	/* acquire: an entry is complete before SLUICE_NH_USED is set */
	flags = __atomic_load_n(&nh->flags, __ATOMIC_ACQUIRE);
	if (!(flags & SLUICE_NH_USED))
		return punt(h, SLUICE_PASS_NO_NEIGH, FIBREAD_UNRESOLVED);
	h->ifindex = nh->ifindex;
	h->tx_ifindex = nh->tx_ifindex;
	h->vlan_id = nh->vlan_id;
	h->port_flags = nh->port_flags;
	h->mtu = nh->mtu;
	memcpy(h->smac, nh->smac, sizeof(h->smac));
	if (flags & SLUICE_NH_ONLINK) {
		h->flags |= FIBREAD_ONLINK;
		err = onlink_neigh(r, family, dst, len, h, &found);
		if (err)
			return err;
		if (!found)
			return punt(h, SLUICE_PASS_NO_NEIGH,
				    FIBREAD_UNRESOLVED);
	} else {
		/* MAC and resolved bit: one word, read whole */
		neigh = __atomic_load_n(&nh->neigh, __ATOMIC_ACQUIRE);
		if (!(neigh >> SLUICE_NH_STATE_SHIFT & SLUICE_NH_RESOLVED))
			return punt(h, SLUICE_PASS_NO_NEIGH,
				    FIBREAD_UNRESOLVED);
		memcpy(h->dmac, &neigh, sizeof(h->dmac));
	}
	if (!(flags & SLUICE_NH_MANAGED))
		return punt(h, SLUICE_PASS_EGRESS_UNMANAGED, FIBREAD_UNMANAGED);
	h->reason = SLUICE_FWD_REDIRECT;
	return 0;
}

/* route.h's resolve_hop(): the group's member, then its next hop. */
static int resolve(const struct fibread *r, __u8 family, const __u8 *dst,
		   unsigned int len, __u32 hash, struct fibread_hop *h)
{
	const struct sluice_fib_nhg *g;

	h->nhg = h->target - SLUICE_FIB_NHG0;
	if (h->nhg >= r->entries[M_NHGS])
		return punt(h, SLUICE_PASS_NO_ROUTE, FIBREAD_NO_ROUTE);
	g = &r->nhgs[h->nhg];
	h->nhg_id = __atomic_load_n(&g->id, __ATOMIC_RELAXED);
	/* acquire: the members below count were written before it */
	h->count = __atomic_load_n(&g->count, __ATOMIC_ACQUIRE);
	if (h->count == 0)
		return punt(h, SLUICE_PASS_NO_ROUTE, FIBREAD_NO_ROUTE);
	h->member = h->count > 1 ? hash % h->count : 0;
	if (h->member >= SLUICE_MAX_ECMP)
		return punt(h, SLUICE_PASS_NO_ROUTE, FIBREAD_NO_ROUTE);
	h->nh = __atomic_load_n(&g->nh[h->member], __ATOMIC_ACQUIRE);
	return nh_read(r, family, dst, len, h);
}

static int lookup(const struct fibread *r, __u8 family, const __u8 *dst,
		  __u32 hash, struct fibread_hop *h)
{
	unsigned int len = family == AF_INET ? 4 : 16;
	int v;

	memset(h, 0, sizeof(*h));
	h->target = fib_lookup(family == AF_INET ? &r->t4 : &r->t6, len, dst);
	v = target_verdict(h);
	if (v <= 0)
		return v;
	return resolve(r, family, dst, len, hash, h);
}

int fibread_lookup4(const struct fibread *r, const __u8 *dst, __u32 hash,
		    struct fibread_hop *h)
{
	return lookup(r, AF_INET, dst, hash, h);
}

int fibread_lookup6(const struct fibread *r, const __u8 *dst, __u32 hash,
		    struct fibread_hop *h)
{
	return lookup(r, AF_INET6, dst, hash, h);
}

int fibread_lookup(const struct fibread *r, const struct fibread_flow *f,
		   struct fibread_hop *h)
{
	if (f->family != AF_INET && f->family != AF_INET6)
		return -EAFNOSUPPORT;
	return lookup(r, f->family, f->daddr, fibread_flow_hash(f), h);
}

int fibread_nh(const struct fibread *r, __u32 nh, __u8 family, const __u8 *dst,
	       struct fibread_hop *h)
{
	memset(h, 0, sizeof(*h));
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	h->nh = nh;
	return nh_read(r, family, dst, family == AF_INET ? 4 : 16, h);
}
