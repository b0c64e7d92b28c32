// SPDX-License-Identifier: BSD-2-Clause
/* The per-packet trace's maps by fd (dp_trace.h); no skeleton here, so
 * sluicectl links this file alone. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp_trace.h"
#include "dp_internal.h"
#include "dp_trace_internal.h"

struct dp_trace {
	int cfg_fd;
	int stats_fd;
	int events_fd;
	bool own_fds; /* opened from pins: closed with @t */
	struct ring_buffer *rb;
	dp_trace_fn fn;
	void *arg;
	int stop; /* fn's nonzero answer */
	int n;
};

static int on_sample(void *ctx, void *data, size_t size)
{
	struct dp_trace *t = ctx;
	int r;

	if (size < sizeof(struct sluice_trace_event) || t->stop)
		return 0;
	r = t->fn ? t->fn(t->arg, data) : 0;
	t->n++;
	if (r) {
		t->stop = r;
		return r; /* ring_buffer__poll stops and returns it */
	}
	return 0;
}

int dp_trace_open_fds(struct dp_trace **out, int cfg_fd, int stats_fd,
		      int events_fd, bool own_fds)
{
	struct dp_trace *t;
	int err;

	if (cfg_fd < 0 || stats_fd < 0 || events_fd < 0)
		return -EBADF;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->cfg_fd = cfg_fd;
	t->stats_fd = stats_fd;
	t->events_fd = events_fd;
	t->rb = ring_buffer__new(events_fd, on_sample, t, NULL);
	if (!t->rb) {
		err = -errno;
		free(t);
		return err;
	}
	t->own_fds = own_fds;
	*out = t;
	return 0;
}

static int pinned(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

int dp_trace_pinned_still(struct dp_trace *t, const char *pin_dir)
{
	int fd = pinned(pin_dir, SLUICE_TRACE_CFG_PIN), err;
	struct bpf_map_info ours, now;

	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	err = dp_map_info(t->cfg_fd, &ours);
	if (!err)
		err = dp_map_info(fd, &now);
	close(fd);
	return err ? err : ours.id == now.id;
}

int dp_trace_open_pinned(struct dp_trace **out, const char *pin_dir)
{
	int cfg = pinned(pin_dir, SLUICE_TRACE_CFG_PIN), st = -1, ev = -1;
	int err;

	if (cfg < 0)
		return cfg;
	st = pinned(pin_dir, SLUICE_TRACE_STATS_PIN);
	if (st < 0) {
		err = st;
		goto close_cfg;
	}
	ev = pinned(pin_dir, SLUICE_TRACE_EVENTS_PIN);
	if (ev < 0) {
		err = ev;
		goto close_stats;
	}
	err = dp_trace_open_fds(out, cfg, st, ev, true);
	if (err)
		goto close_events;
	return 0;
close_events:
	close(ev);
close_stats:
	close(st);
close_cfg:
	close(cfg);
	return err;
}

void dp_trace_close(struct dp_trace *t)
{
	if (!t)
		return;
	dp_trace_stop(t);
	ring_buffer__free(t->rb);
	if (t->own_fds) {
		close(t->cfg_fd);
		close(t->stats_fd);
		close(t->events_fd);
	}
	free(t);
}

static int write_cfg(struct dp_trace *t, const struct sluice_trace_cfg *c)
{
	__u32 zero = 0;

	return bpf_map_update_elem(t->cfg_fd, &zero, c, BPF_ANY) ? -errno : 0;
}

/* Whether @pid is a live process (a pid the kernel may have given to
 * another since: that one is taken for the owner too, and named). */
static bool pid_alive(pid_t pid)
{
	return pid > 0 && (!kill(pid, 0) || errno == EPERM);
}

pid_t dp_trace_owner(struct dp_trace *t)
{
	struct sluice_trace_cfg c;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(t->cfg_fd, &zero, &c) || !c.enabled ||
	    !c.owner || (pid_t)c.owner == getpid())
		return 0;
	/* one killed left its filter on: nobody's now */
	return pid_alive((pid_t)c.owner) ? (pid_t)c.owner : 0;
}

int dp_trace_start(struct dp_trace *t, const struct sluice_trace_cfg *cfg)
{
	struct sluice_trace_cfg c = *cfg;
	struct sluice_trace_stats *zeros;
	int ncpus = libbpf_num_possible_cpus(), err;
	__u32 zero = 0;

	if (ncpus < 1)
		return ncpus < 0 ? ncpus : -EINVAL;
	/* one filter, one reader: a second trace would take the first's
	 * filter over, zero its counts, and switch both off at its end */
	if (dp_trace_owner(t))
		return -EBUSY;
	c.owner = (__u32)getpid();
	c.enabled = 0;
	err = write_cfg(t, &c);
	if (err)
		return err;
	/* what an earlier trace left: a count bound starts from nothing */
	zeros = calloc((size_t)ncpus, sizeof(*zeros));
	if (!zeros)
		return -ENOMEM;
	err = bpf_map_update_elem(t->stats_fd, &zero, zeros, BPF_ANY) ? -errno :
									0;
	free(zeros);
	if (err)
		return err;
	/* events of an earlier trace still in the ring are not ours */
	t->fn = NULL;
	ring_buffer__consume(t->rb);
	c.enabled = 1;
	return write_cfg(t, &c);
}

int dp_trace_stop(struct dp_trace *t)
{
	struct sluice_trace_cfg c = {};

	if (dp_trace_owner(t))
		return -EBUSY; /* another's: not ours to switch off */
	return write_cfg(t, &c);
}

int dp_trace_stats(struct dp_trace *t, struct sluice_trace_stats *sum)
{
	int ncpus = libbpf_num_possible_cpus(), err = 0;
	struct sluice_trace_stats *v;
	__u32 zero = 0;

	if (ncpus < 1)
		return ncpus < 0 ? ncpus : -EINVAL;
	v = calloc((size_t)ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(t->stats_fd, &zero, v)) {
		err = -errno;
		goto out;
	}
	for (int i = 0; i < ncpus; i++) {
		sum->matched += v[i].matched;
		sum->emitted += v[i].emitted;
		sum->lost += v[i].lost;
	}
out:
	free(v);
	return err;
}

int dp_trace_poll(struct dp_trace *t, int timeout_ms, dp_trace_fn fn, void *arg)
{
	int r;

	t->fn = fn;
	t->arg = arg;
	t->stop = 0;
	t->n = 0;
	r = timeout_ms ? ring_buffer__poll(t->rb, timeout_ms) :
			 ring_buffer__consume(t->rb);
	if (t->stop)
		return t->stop;
	if (r < 0 && r != -EINTR)
		return r;
	return t->n;
}

int dp_trace_prefix_parse(const char *s, struct sluice_trace_prefix *p)
{
	char buf[64], *slash, *end;
	unsigned long plen;
	int family, max;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	max = family == AF_INET ? 32 : 128;
	if (inet_pton(family, buf, p->addr) != 1)
		return -EINVAL;
	plen = (unsigned long)max;
	if (slash) {
		errno = 0;
		plen = strtoul(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end ||
		    plen > (unsigned long)max)
			return -EINVAL;
	}
	/* host bits must be zero: the program compares masked bytes */
	for (int i = 0; i < 16; i++) {
		int bits = (int)plen - i * 8;
		unsigned char m = bits >= 8 ? 0xff :
				  bits <= 0 ? 0 :
					      (unsigned char)(0xff00 >> bits);

		if (p->addr[i] & ~m)
			return -EINVAL;
	}
	p->family = (__u8)family;
	p->plen = (__u8)plen;
	return 0;
}

void dp_trace_cfg_reason(struct sluice_trace_cfg *cfg, unsigned int r)
{
	if (r >= SLUICE_REASON_SLOTS)
		return;
	cfg->reasons[r / 8] |= (__u8)(1u << (r % 8));
	cfg->reasons_on = 1;
}
