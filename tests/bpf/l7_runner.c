// SPDX-License-Identifier: BSD-2-Clause
/*
 * The L7 local hop in the BPF tier (uapi/sluice/l7.h, docs/l7.md): the
 * verifier takes both programs on this kernel, and a real loopback
 * connection made in a child cgroup the runner creates (and removes)
 * carries 1 MiB each way byte-exact, over IPv4, IPv6 and v4-mapped, with
 * the counters saying which path the bytes took: the sockhash when the
 * port is selected, the normal path when it is not.  sockops and sk_msg
 * programs cannot be run through BPF_PROG_TEST_RUN: real sockets are
 * their fixtures.  tests/netns/t_l7.sh takes it further through sluiced.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "dp_l7.h"
#include "runner.h"

#define L7_BYTES (1u << 20)

struct l7_case {
	const char *name;
	int cli_family; /* AF_INET or AF_INET6 */
	int srv_family; /* AF_INET6: dual-stack, bound to :: */
	bool selected;	/* the port is a selector's */
};

static const struct l7_case l7_cases[] = {
	{ "l7: IPv4 1 MiB each way through the sockhash", AF_INET, AF_INET,
	  true },
	{ "l7: IPv6 1 MiB each way through the sockhash", AF_INET6, AF_INET6,
	  true },
	{ "l7: v4-mapped (IPv4 client, dual-stack server) through the "
	  "sockhash",
	  AF_INET, AF_INET6, true },
	{ "l7: a port no selector names takes the normal path", AF_INET,
	  AF_INET, false },
};

struct pump {
	int fd;
	__u8 seed;
	int err;
};

static void fill(__u8 *b, size_t n, __u8 seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (__u8)(i * 131 + seed + (i >> 12));
}

static void *pump_send(void *arg)
{
	struct pump *p = arg;
	__u8 *b = malloc(L7_BYTES);
	size_t off = 0;

	p->err = -ENOMEM;
	if (!b)
		return NULL;
	fill(b, L7_BYTES, p->seed);
	/* uneven writes: the program runs once a sendmsg */
	while (off < L7_BYTES) {
		size_t n = L7_BYTES - off < 70000 ? L7_BYTES - off : 70000;
		ssize_t w = send(p->fd, b + off, n, MSG_NOSIGNAL);

		if (w <= 0) {
			p->err = -errno;
			free(b);
			return NULL;
		}
		off += (size_t)w;
	}
	shutdown(p->fd, SHUT_WR);
	free(b);
	p->err = 0;
	return NULL;
}

/* Reads to the end; 0 when it is exactly the peer's stream. */
static int pump_check(int fd, __u8 seed)
{
	__u8 *exp = malloc(L7_BYTES), *got = malloc(L7_BYTES + 1);
	size_t off = 0;
	ssize_t r;
	int err = -ENOMEM;

	if (!exp || !got)
		goto out;
	fill(exp, L7_BYTES, seed);
	for (;;) {
		r = recv(fd, got + off, L7_BYTES + 1 - off, 0);
		/* a blocking recv() of a socket in a sockhash can return
		 * EAGAIN with nothing read when it is woken without data
		 * (its own sends wake the same queue): seen on 6.18, and
		 * what docs/l7.md tells applications to expect */
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
		if (off > L7_BYTES)
			break;
	}
	err = r < 0			 ? -errno :
	      off != L7_BYTES		 ? -EPIPE :
	      memcmp(exp, got, L7_BYTES) ? -EBADMSG :
					   0;
out:
	free(exp);
	free(got);
	return err;
}

/* A listener on @want (0: any), dual-stack for AF_INET6. */
static int l7_listen_port(int family, __u16 want, __u16 *port)
{
	struct sockaddr_storage ss = {};
	socklen_t len = sizeof(ss);
	int zero = 0, one = 1, fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	ss.ss_family = (sa_family_t)family;
	/* sin_port and sin6_port share their offset */
	((struct sockaddr_in *)&ss)->sin_port = htons(want);
	if (bind(fd, (struct sockaddr *)&ss,
		 family == AF_INET ? sizeof(struct sockaddr_in) :
				     sizeof(struct sockaddr_in6)) ||
	    listen(fd, 4) || getsockname(fd, (struct sockaddr *)&ss, &len)) {
		close(fd);
		return -errno;
	}
	*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static int l7_listen(int family, __u16 *port)
{
	return l7_listen_port(family, 0, port);
}

static int l7_connect(int family, __u16 port)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		return -errno;
	if (family == AF_INET ?
		    connect(fd, (struct sockaddr *)&a4, sizeof(a4)) :
		    connect(fd, (struct sockaddr *)&a6, sizeof(a6))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* In the child, in the cgroup: one connection, both ways at once. */
static int l7_exchange(const struct l7_case *c, int ls, __u16 port)
{
	struct pump up, down;
	pthread_t t1, t2;
	int cfd, sfd, e1, e2;

	cfd = l7_connect(c->cli_family, port);
	if (cfd < 0)
		return 10;
	sfd = accept(ls, NULL, NULL);
	if (sfd < 0)
		return 11;
	up = (struct pump){ .fd = cfd, .seed = 1 };
	down = (struct pump){ .fd = sfd, .seed = 2 };
	if (pthread_create(&t1, NULL, pump_send, &up) ||
	    pthread_create(&t2, NULL, pump_send, &down))
		return 12;
	e1 = pump_check(sfd, 1);
	e2 = pump_check(cfd, 2);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	close(cfd);
	close(sfd);
	return up.err || down.err ? 13 : e1 ? 14 : e2 ? 15 : 0;
}

static int join_cgroup(const char *cg)
{
	char path[512], pid[32];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	n = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (fwrite(pid, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -EIO;
	}
	return fclose(f) ? -errno : 0;
}

/* A port free now (the kernel's pick, released again). */
static int free_port(__u16 *port)
{
	int fd = l7_listen(AF_INET6, port);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* Forked into the cgroup: sockets made there are the program's (an
 * accepted socket belongs to its listener's cgroup). */
static int l7_child(const char *cg, const struct l7_case *c, __u16 port)
{
	__u16 got;
	int fd;

	if (join_cgroup(cg))
		return 20;
	fd = l7_listen_port(c->srv_family, port, &got);
	if (fd < 0)
		return 22;
	return l7_exchange(c, fd, port);
}

static bool l7_run_case(struct dp_l7 *l, const char *cg,
			const struct l7_case *c, __u32 id)
{
	struct sluice_l7_counter b, a;
	__u64 fb = 0;
	int status = -1;
	__u16 port;
	pid_t pid;
	bool ok;

	if (free_port(&port))
		return false;
	if (c->selected && dp_l7_port_set(l, port, id))
		return false;
	if (dp_l7_counters(l, id, &b))
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0)
		_exit(l7_child(cg, c, port));
	waitpid(pid, &status, 0);
	if (c->selected)
		dp_l7_port_del(l, port);
	if (dp_l7_counters(l, id, &a))
		return false;
	for (int r = 0; r < SLUICE_L7_FB_COUNT; r++)
		fb += a.fb_msgs[r] - b.fb_msgs[r];
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!ok)
		diag("transfer failed (child status %d)\n",
		     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (c->selected) {
		/* both ends in, every byte of both ways redirected */
		ok = ok && a.socks - b.socks == 2 &&
		     a.redirect_bytes - b.redirect_bytes == 2ull * L7_BYTES &&
		     fb == 0;
	} else {
		ok = ok && a.socks == b.socks &&
		     a.redirect_bytes == b.redirect_bytes;
	}
	if (!ok)
		diag("port %u: socks +%llu, redirected +%llu bytes in +%llu "
		     "messages, fallbacks +%llu\n",
		     port, (unsigned long long)(a.socks - b.socks),
		     (unsigned long long)(a.redirect_bytes - b.redirect_bytes),
		     (unsigned long long)(a.redirect_msgs - b.redirect_msgs),
		     (unsigned long long)fb);
	return ok;
}

void l7_run_all(struct env *e)
{
	char root[256], cg[320];
	struct dp_l7 *l = NULL;
	int err;
	bool ok;

	err = dp_l7_open(&l, NULL);
	tap(e, !err,
	    "l7: the verifier takes sluice_l7_sockops and sluice_l7_msg");
	if (err)
		return;
	err = dp_l7_cgroup_root(root, sizeof(root));
	if (err) {
		diag("no cgroup v2 hierarchy: %s\n", strerror(-err));
		tap(e, false, "l7: a child cgroup to attach to");
		dp_l7_close(l);
		return;
	}
	snprintf(cg, sizeof(cg), "%s/sluice-bpft-l7.%d", root, getpid());
	ok = !mkdir(cg, 0755) && !dp_l7_attach(l, cg);
	if (!ok)
		diag("%s: %s\n", cg, strerror(errno));
	tap(e, ok, "l7: attached to a child cgroup of its own");
	if (ok)
		for (size_t i = 0; i < sizeof(l7_cases) / sizeof(l7_cases[0]);
		     i++)
			tap(e, l7_run_case(l, cg, &l7_cases[i], 1),
			    l7_cases[i].name);
	if (dp_l7_attached(l))
		dp_l7_detach(l);
	rmdir(cg);
	dp_l7_close(l);
}
