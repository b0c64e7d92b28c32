// SPDX-License-Identifier: BSD-2-Clause
/*
 * The L7 local hop's object (dp_l7.h): load, pin, attach to a cgroup,
 * selectors and counters.  The programs have their own object and their
 * own handle: nothing of the XDP router is needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp_l7.h"
#include "log.h"
#include "sluice_l7.skel.h"

struct dp_l7 {
	struct sluice_l7 *skel;
	char *dir;   /* PIN/l7, NULL when nothing is pinned */
	int link_fd; /* the sockops link, -1 when none */
	bool msg_attached;
	int ncpus;
};

static int pin_path(const struct dp_l7 *l, const char *name, char *buf,
		    size_t len)
{
	int n = snprintf(buf, len, "%s/%s", l->dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * Freezes the sockhash, or finds it frozen: a pinned map an earlier run
 * froze refuses the freeze with EPERM (a frozen map gives no fd write
 * access, which the freeze itself needs) or EBUSY.  An EPERM is told
 * apart from a real refusal by a delete, which only a frozen map refuses
 * with EPERM (an unfrozen one answers ENOENT: no socket has key 0).
 */
static int freeze_socks(int fd)
{
	struct sluice_l7_key none = {};

	if (!bpf_map_freeze(fd) || errno == EBUSY)
		return 0;
	if (errno != EPERM)
		return -errno;
	if (!bpf_map_delete_elem(fd, &none) || errno != EPERM)
		return -EPERM;
	return 0;
}

int dp_l7_open(struct dp_l7 **out, const char *pin_dir)
{
	struct bpf_map *map;
	struct dp_l7 *l;
	char path[PATH_MAX];
	int err;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->link_fd = -1;
	l->ncpus = libbpf_num_possible_cpus();
	if (l->ncpus <= 0) {
		err = l->ncpus ? l->ncpus : -EINVAL;
		goto err_free;
	}
	if (pin_dir) {
		if (asprintf(&l->dir, "%s/%s", pin_dir, SLUICE_L7_PIN_DIR) <
		    0) {
			l->dir = NULL;
			err = -ENOMEM;
			goto err_free;
		}
		if (mkdir(l->dir, 0700) && errno != EEXIST) {
			err = -errno;
			pr_err("l7: cannot create %s: %s", l->dir,
			       strerror(-err));
			goto err_free;
		}
	}
	l->skel = sluice_l7__open();
	if (!l->skel) {
		err = -errno;
		pr_err("l7: cannot open the object: %s", strerror(-err));
		goto err_free;
	}
	/* libbpf reuses a compatible pinned map and pins a new one */
	bpf_object__for_each_map(map, l->skel->obj) {
		if (!l->dir || bpf_map__is_internal(map))
			continue;
		err = pin_path(l, bpf_map__name(map), path, sizeof(path));
		if (!err)
			err = bpf_map__set_pin_path(map, path);
		if (err)
			goto err_skel;
	}
	err = sluice_l7__load(l->skel);
	if (err) {
		pr_err("l7: cannot load the sockops/sk_msg programs: %s",
		       strerror(-err));
		goto err_skel;
	}
	/* No syscall may remove a live socket: the kernel would drop what is
	 * queued to it (a gap in the stream, 48-64 KiB seen on 6.18).  Frozen,
	 * the sockhash refuses user space's updates and deletes on any fd;
	 * the sockops program still inserts, the kernel still removes at
	 * close. */
	err = freeze_socks(bpf_map__fd(l->skel->maps.l7_socks));
	if (err) {
		pr_err("l7: cannot freeze the sockhash: %s", strerror(-err));
		goto err_skel;
	}
	if (l->dir) {
		err = pin_path(l, SLUICE_L7_LINK_PIN, path, sizeof(path));
		if (err)
			goto err_skel;
		l->link_fd = bpf_obj_get(path);
		if (l->link_fd < 0)
			l->link_fd = -1;
	}
	*out = l;
	return 0;

err_skel:
	sluice_l7__destroy(l->skel);
err_free:
	free(l->dir);
	free(l);
	return err;
}

void dp_l7_close(struct dp_l7 *l)
{
	if (!l)
		return;
	if (l->link_fd >= 0)
		close(l->link_fd);
	sluice_l7__destroy(l->skel);
	free(l->dir);
	free(l);
}

/* The cgroup id of the link @fd is attached to (0 when none). */
static __u64 link_cgroup(int fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.type == BPF_LINK_TYPE_CGROUP ? info.cgroup.cgroup_id : 0;
}

/* Our link off and its pin gone. */
static void link_drop(struct dp_l7 *l)
{
	char path[PATH_MAX];

	if (l->link_fd >= 0) {
		bpf_link_detach(l->link_fd);
		close(l->link_fd);
		l->link_fd = -1;
	}
	if (l->dir && !pin_path(l, SLUICE_L7_LINK_PIN, path, sizeof(path)))
		unlink(path);
}

static int attach_sockops(struct dp_l7 *l, const char *cgroup)
{
	int prog = bpf_program__fd(l->skel->progs.sluice_l7_sockops);
	char path[PATH_MAX];
	struct stat sb;
	int cg, err;

	cg = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0) {
		err = -errno;
		pr_err("l7: cgroup %s: %s", cgroup, strerror(-err));
		return err;
	}
	if (fstat(cg, &sb)) {
		err = -errno;
		goto out;
	}
	/* on cgroup v2 a cgroup's id is its directory's inode number */
	if (l->link_fd >= 0 && link_cgroup(l->link_fd) == sb.st_ino) {
		err = bpf_link_update(l->link_fd, prog, NULL);
		if (err)
			pr_err("l7: cannot switch the pinned link to this "
			       "program: %s",
			       strerror(-err));
		goto out;
	}
	link_drop(l);
	err = bpf_link_create(prog, cg, BPF_CGROUP_SOCK_OPS, NULL);
	if (err < 0) {
		pr_err("l7: cannot attach sockops to %s: %s", cgroup,
		       strerror(-err));
		goto out;
	}
	l->link_fd = err;
	err = 0;
	if (l->dir) {
		err = pin_path(l, SLUICE_L7_LINK_PIN, path, sizeof(path));
		if (!err && bpf_obj_pin(l->link_fd, path))
			err = -errno;
		if (err) {
			pr_err("l7: cannot pin the sockops link: %s",
			       strerror(-err));
			link_drop(l);
		}
	}
out:
	close(cg);
	return err;
}

static int set_enabled(struct dp_l7 *l, bool on)
{
	struct sluice_l7_config c = { .flags = on ? SLUICE_L7_F_ENABLED : 0 };
	__u32 zero = 0;

	return bpf_map_update_elem(bpf_map__fd(l->skel->maps.l7_config), &zero,
				   &c, BPF_ANY) ?
		       -errno :
		       0;
}

int dp_l7_attach(struct dp_l7 *l, const char *cgroup)
{
	int msg = bpf_program__fd(l->skel->progs.sluice_l7_msg);
	int socks = bpf_map__fd(l->skel->maps.l7_socks);
	int err;

	err = set_enabled(l, true);
	if (err)
		return err;

	/* sk_msg first: a socket sockops inserts has it from the start;
	 * attaching replaces what an earlier run attached */
	err = bpf_prog_attach(msg, socks, BPF_SK_MSG_VERDICT, 0);
	if (err) {
		pr_err("l7: cannot attach sk_msg to the sockhash: %s",
		       strerror(-err));
		return err;
	}
	l->msg_attached = true;
	err = attach_sockops(l, cgroup);
	if (err)
		dp_l7_detach(l);
	return err;
}

int dp_l7_detach(struct dp_l7 *l)
{
	int msg = bpf_program__fd(l->skel->progs.sluice_l7_msg);
	int socks = bpf_map__fd(l->skel->maps.l7_socks);
	int err;

	/* the sockets in the sockhash keep the sk_msg program they were
	 * given: the switch is what sends them the normal way */
	err = set_enabled(l, false);
	if (err)
		pr_warn("l7: cannot clear the switch: %s", strerror(-err));
	link_drop(l);
	/* an earlier run's program may be the one attached: ours in its
	 * place first, so that the detach names the attached one */
	err = bpf_prog_attach(msg, socks, BPF_SK_MSG_VERDICT, 0);
	if (!err)
		err = bpf_prog_detach2(msg, socks, BPF_SK_MSG_VERDICT);
	l->msg_attached = false;
	if (err)
		pr_err("l7: cannot detach sk_msg: %s", strerror(-err));
	return err;
}

int dp_l7_unpin(struct dp_l7 *l)
{
	struct bpf_map *map;
	int n;

	if (!l->dir)
		return 0;
	n = dp_l7_socks_count(l);
	if (n)
		return n < 0 ? n : -EBUSY;
	bpf_object__for_each_map(map, l->skel->obj) {
		if (!bpf_map__is_internal(map))
			bpf_map__unpin(map, NULL);
	}
	rmdir(l->dir); /* only if nothing else lives there */
	return 0;
}

bool dp_l7_attached(const struct dp_l7 *l)
{
	return l->link_fd >= 0;
}

int dp_l7_port_set(struct dp_l7 *l, __u16 port, __u32 id)
{
	struct sluice_l7_port v = { .id = id };
	__u32 k = port;

	if (!port || !id || id >= SLUICE_L7_MAX_SELECTORS)
		return -EINVAL;
	return bpf_map_update_elem(bpf_map__fd(l->skel->maps.l7_ports), &k, &v,
				   BPF_ANY) ?
		       -errno :
		       0;
}

int dp_l7_port_del(struct dp_l7 *l, __u16 port)
{
	__u32 k = port;

	return bpf_map_delete_elem(bpf_map__fd(l->skel->maps.l7_ports), &k) ?
		       -errno :
		       0;
}

int dp_l7_ports_flush(struct dp_l7 *l)
{
	int fd = bpf_map__fd(l->skel->maps.l7_ports);
	__u32 k;

	/* deleting the first key each time: no iterator to invalidate */
	while (!bpf_map_get_next_key(fd, NULL, &k))
		if (bpf_map_delete_elem(fd, &k) && errno != ENOENT)
			return -errno;
	return 0;
}

int dp_l7_counters(struct dp_l7 *l, __u32 id, struct sluice_l7_counter *c)
{
	int fd = bpf_map__fd(l->skel->maps.l7_counters);
	struct sluice_l7_counter *v;

	if (id >= SLUICE_L7_MAX_SELECTORS)
		return -EINVAL;
	v = calloc((size_t)l->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	if (bpf_map_lookup_elem(fd, &id, v)) {
		int err = -errno;

		free(v);
		return err;
	}
	for (int i = 0; i < l->ncpus; i++) {
		c->socks += v[i].socks;
		c->redirect_msgs += v[i].redirect_msgs;
		c->redirect_bytes += v[i].redirect_bytes;
		for (int r = 0; r < SLUICE_L7_FB_COUNT; r++) {
			c->fb_msgs[r] += v[i].fb_msgs[r];
			c->fb_bytes[r] += v[i].fb_bytes[r];
		}
	}
	free(v);
	return 0;
}

int dp_l7_counters_clear(struct dp_l7 *l, __u32 id)
{
	int fd = bpf_map__fd(l->skel->maps.l7_counters);
	struct sluice_l7_counter *v;
	int err = 0;

	if (id >= SLUICE_L7_MAX_SELECTORS)
		return -EINVAL;
	v = calloc((size_t)l->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, &id, v, BPF_ANY))
		err = -errno;
	free(v);
	return err;
}

int dp_l7_socks_count(struct dp_l7 *l)
{
	int fd = bpf_map__fd(l->skel->maps.l7_socks);
	struct sluice_l7_key k, next;
	int n = 0;

	if (bpf_map_get_next_key(fd, NULL, &next))
		return errno == ENOENT ? 0 : -errno;
	do {
		n++;
		k = next;
	} while (!bpf_map_get_next_key(fd, &k, &next));
	return n;
}

const char *dp_l7_fallback_name(__u32 why)
{
#define L7_FB_NAME(n, s)                                                       \
	case n: return s;
	switch (why) {
		SLUICE_L7_FALLBACKS(L7_FB_NAME)
	}
#undef L7_FB_NAME
	return "?";
}

static bool is_cgroup2(const char *path)
{
	struct statfs sf;

	return !statfs(path, &sf) && sf.f_type == CGROUP2_SUPER_MAGIC;
}

int dp_l7_cgroup_root(char *buf, size_t len)
{
	char dev[64], dir[PATH_MAX], type[32];
	int err = -ENOENT;
	FILE *f;

	if (is_cgroup2("/sys/fs/cgroup")) {
		snprintf(buf, len, "/sys/fs/cgroup");
		return 0;
	}
	f = fopen("/proc/mounts", "re");
	if (!f)
		return -errno;
	while (fscanf(f, "%63s %4095s %31s %*[^\n]", dev, dir, type) == 3) {
		if (strcmp(type, "cgroup2") || !is_cgroup2(dir))
			continue;
		err = (size_t)snprintf(buf, len, "%s", dir) >= len ?
			      -ENAMETOOLONG :
			      0;
		break;
	}
	fclose(f);
	return err;
}
