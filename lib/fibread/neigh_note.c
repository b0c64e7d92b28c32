// SPDX-License-Identifier: BSD-2-Clause
/* On-link misses noted from user space (neigh_note.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <uapi/sluice/reasons.h>
#include "neigh_note.h"
#include "pin_moved.h"
#include "errbuf.h"

#define MAP_NAME "neigh_wanted"

struct neigh_note {
	int fd;
	__u32 id; /* the map's id, for neigh_note_stale() */
	char path[4096];
};

int neigh_note_open(struct neigh_note **out, const char *pin_dir, char *err,
		    size_t errlen)
{
	struct bpf_map_info info = { 0 };
	__u32 ilen = sizeof(info);
	struct neigh_note *n;
	int e;

	n = calloc(1, sizeof(*n));
	if (!n) {
		errbuf_set(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (snprintf(n->path, sizeof(n->path), "%s/%s", pin_dir, MAP_NAME) >=
	    (int)sizeof(n->path)) {
		errbuf_set(err, errlen, "pin dir '%s': too long", pin_dir);
		free(n);
		return -ENAMETOOLONG;
	}
	/* written: the notes are inserted, as the packet path does */
	n->fd = bpf_obj_get(n->path);
	if (n->fd < 0) {
		e = -errno;
		errbuf_set(err, errlen, "%s: %s", n->path, strerror(-e));
		free(n);
		return e;
	}
	if (bpf_obj_get_info_by_fd(n->fd, &info, &ilen)) {
		e = -errno;
		errbuf_set(err, errlen, "%s: %s", n->path, strerror(-e));
		goto fail;
	}
	if (info.type != BPF_MAP_TYPE_LRU_HASH ||
	    info.key_size != sizeof(struct sluice_neigh_key) ||
	    info.value_size != sizeof(__u32)) {
		errbuf_set(
			err, errlen,
			"%s: type %u, key %u, value %u bytes: not the layout this "
			"build writes (type %u, key %zu, value %zu)",
			n->path, info.type, info.key_size, info.value_size,
			(unsigned int)BPF_MAP_TYPE_LRU_HASH,
			sizeof(struct sluice_neigh_key), sizeof(__u32));
		e = -EPROTO;
		goto fail;
	}
	n->id = info.id;
	*out = n;
	return 0;
fail:
	close(n->fd);
	free(n);
	return e;
}

void neigh_note_close(struct neigh_note *n)
{
	if (!n)
		return;
	close(n->fd);
	free(n);
}

int neigh_note_stale(const struct neigh_note *n)
{
	return pin_moved(n->path, n->id);
}

void neigh_note_key(struct sluice_neigh_key *k, __u32 ifindex, __u8 family,
		    const __u8 *dst)
{
	/* every byte set: the pad is part of the hashed key */
	memset(k, 0, sizeof(*k));
	k->ifindex = ifindex;
	k->family = family;
	memcpy(k->addr, dst, family == AF_INET ? 4 : 16);
}

int neigh_note_add(struct neigh_note_set *s, const struct sluice_neigh_key *k)
{
	for (unsigned int i = 0; i < s->n; i++)
		if (!memcmp(&s->k[i], k, sizeof(*k)))
			return 0;
	if (s->n >= NEIGH_NOTE_BURST) {
		s->full++;
		return -ENOSPC;
	}
	s->k[s->n++] = *k;
	return 1;
}

int neigh_note_hop(struct neigh_note_set *s, const struct fibread_flow *f,
		   const struct fibread_hop *h)
{
	struct sluice_neigh_key k;

	if (h->reason != SLUICE_PASS_NO_NEIGH || !(h->flags & FIBREAD_ONLINK))
		return 0;
	neigh_note_key(&k, h->ifindex, f->family, f->daddr);
	neigh_note_add(s, &k);
	return 1;
}

void neigh_note_flush(const struct neigh_note *n, struct neigh_note_set *s,
		      struct neigh_note_counts *c)
{
	__u32 one = 1, v;

	for (unsigned int i = 0; i < s->n; i++) {
		if (!n) {
			c->errors++;
			continue;
		}
		/* the lookup first, as the packet path: an LRU update takes
		 * a free node before it finds the key */
		if (!bpf_map_lookup_elem(n->fd, &s->k[i], &v)) {
			c->present++;
			continue;
		}
		if (errno != ENOENT) {
			c->errors++;
			continue;
		}
		if (!bpf_map_update_elem(n->fd, &s->k[i], &one, BPF_NOEXIST))
			c->written++;
		else if (errno == EEXIST) /* the XDP path noted it meanwhile */
			c->present++;
		else
			c->errors++;
	}
	s->n = 0;
}
