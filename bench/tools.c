// SPDX-License-Identifier: BSD-2-Clause
/*
 * Two measuring tools bench/run.sh runs against a live sluiced.
 *
 * route-latency: from a netlink route change to the data path's map.  Run
 * inside the router's namespace (nsenter --net=...).  It sends the
 * RTM_NEWROUTE NLM_F_REPLACE that `ip route replace PREFIX via A dev IF`
 * sends, alternating between two gateways, and polls the pinned LPM map
 * (and the next-hop group it names) until the route points at the new
 * gateway: the time from just before sendmsg() to the first lookup that
 * shows it.  Prints one JSON object with every sample in microseconds.
 *
 * api-rate: requests per second against the REST API over its UNIX socket,
 * one connection at a time (kept while the server keeps it; sluiced closes
 * each after its answer), sequential, for a bounded time: GETs of one
 * path, or (--write VIP) alternating POST and DELETE of one backend of
 * that VIP, or (--put VIP) PUTs of its whole backend set, alternating two
 * sets of --batch backends that share none (each PUT after the first
 * removes N and adds N: changes_rate counts those).  Every answer's status
 * is checked.  Prints one JSON object.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <bpf/bpf.h>
#include "bench.h"

/* ---- route-latency ------------------------------------------------------------ */

struct rl {
	int family;
	__u8 prefix[16];
	unsigned int plen;
	__u8 via[2][16];
	unsigned int ifindex;
	int map_fd, nhg_fd;
	struct mnl_socket *nl;
	unsigned int seq;
};

static int nl_replace(struct rl *r, const __u8 *via)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	int alen = r->family == AF_INET ? 4 : 16;
	ssize_t n;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE |
			   NLM_F_ACK;
	nlh->nlmsg_seq = ++r->seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (__u8)r->family;
	rtm->rtm_dst_len = (__u8)r->plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT; /* what ip(8) uses */
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, (size_t)alen, r->prefix);
	mnl_attr_put(nlh, RTA_GATEWAY, (size_t)alen, via);
	mnl_attr_put_u32(nlh, RTA_OIF, r->ifindex);
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	return mnl_cb_run(buf, (size_t)n, r->seq, mnl_socket_get_portid(r->nl),
			  NULL, NULL) < 0 ?
		       -errno :
		       0;
}

/* The map's route for the prefix goes through @via. */
static bool map_has(struct rl *r, const __u8 *via)
{
	struct {
		__u32 plen;
		__u8 addr[16];
	} key = { .plen = r->plen };
	struct sluice_route_view {
		__u32 nhg_id;
		__u8 type, pad[3];
	} rt;
	struct {
		__u32 count, pad;
		struct {
			__u32 ifindex;
			__u8 family, pad[3];
			__u8 gw[16];
		} nh[8];
	} g;

	memcpy(key.addr, r->prefix, 16);
	if (bpf_map_lookup_elem(r->map_fd, &key, &rt) ||
	    bpf_map_lookup_elem(r->nhg_fd, &rt.nhg_id, &g))
		return false;
	return g.count == 1 &&
	       !memcmp(g.nh[0].gw, via, r->family == AF_INET ? 4 : 16);
}

static int wait_map(struct rl *r, const __u8 *via, double t0, double *us)
{
	while (!map_has(r, via)) {
		if (now_ns() - t0 > 5e9)
			return -ETIMEDOUT;
		sched_yield();
	}
	*us = (now_ns() - t0) / 1e3;
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int route_latency_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "map", required_argument, NULL, 'm' },
		{ "nhgs", required_argument, NULL, 'g' },
		{ "dev", required_argument, NULL, 'd' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "via", required_argument, NULL, 'v' },
		{ "count", required_argument, NULL, 'c' },
		{ 0 },
	};
	struct rl r = { .map_fd = -1, .nhg_fd = -1 };
	const char *map = NULL, *nhgs = NULL, *dev = NULL;
	int c, nvia = 0, fam, count = 20, err = 0;
	double *us, t0;
	char *slash;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'm': map = optarg; break;
		case 'g': nhgs = optarg; break;
		case 'd': dev = optarg; break;
		case 'c': count = atoi(optarg); break;
		case 'p':
			slash = strchr(optarg, '/');
			if (!slash)
				return 2;
			*slash = '\0';
			r.plen = (unsigned int)atoi(slash + 1);
			if (parse_addr(optarg, &r.family, r.prefix))
				return 2;
			break;
		case 'v':
			if (nvia == 2 ||
			    parse_addr(optarg, &fam, r.via[nvia++]))
				return 2;
			break;
		default: return 2;
		}
	}
	if (!map || !nhgs || !dev || nvia != 2 || !r.plen || count < 1) {
		fprintf(stderr, "route-latency: --map --nhgs --dev --prefix "
				"and two --via are required\n");
		return 2;
	}
	r.ifindex = if_nametoindex(dev);
	r.map_fd = bpf_obj_get(map);
	r.nhg_fd = bpf_obj_get(nhgs);
	r.nl = mnl_socket_open(NETLINK_ROUTE);
	us = calloc((size_t)count, sizeof(*us));
	if (!r.ifindex || r.map_fd < 0 || r.nhg_fd < 0 || !r.nl || !us ||
	    mnl_socket_bind(r.nl, 0, MNL_SOCKET_AUTOPID)) {
		fprintf(stderr, "route-latency: setup: %s\n", strerror(errno));
		return 1;
	}
	/* the starting point, not timed */
	t0 = now_ns();
	err = nl_replace(&r, r.via[0]) ?: wait_map(&r, r.via[0], t0, &us[0]);
	for (int i = 0; i < count && !err; i++) {
		const __u8 *via = r.via[(i + 1) % 2];

		t0 = now_ns();
		err = nl_replace(&r, via) ?: wait_map(&r, via, t0, &us[i]);
		usleep(20000); /* changes apart: each one is on its own */
	}
	if (err) {
		printf("{\"error\": \"%s\"}\n", strerror(-err));
		return 1;
	}
	printf("{\"samples_us\": [");
	for (int i = 0; i < count; i++)
		printf("%s%.1f", i ? ", " : "", us[i]);
	qsort(us, (size_t)count, sizeof(*us), cmp_d);
	printf("], \"median_us\": %.1f, \"min_us\": %.1f, \"max_us\": %.1f}\n",
	       count % 2 ? us[count / 2] :
			   (us[count / 2 - 1] + us[count / 2]) / 2,
	       us[0], us[count - 1]);
	free(us);
	mnl_socket_close(r.nl);
	close(r.map_fd);
	close(r.nhg_fd);
	return 0;
}

/* ---- api-rate ------------------------------------------------------------------ */

struct conn {
	const char *path;
	int fd;
	char buf[1 << 16];
	size_t have;
};

static int conn_open(struct conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (c->fd >= 0)
		return 0;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", c->path);
	c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(c->fd);
		c->fd = -1;
		return -errno;
	}
	c->have = 0;
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->have = 0;
}

/* One request; returns the HTTP status or -errno. */
static int request(struct conn *c, const char *method, const char *path,
		   const char *body)
{
	static char req[1 << 16];
	char *hdr_end, *p;
	size_t blen = body ? strlen(body) : 0, need;
	long clen = -1;
	int n, status, err, close_after;

	err = conn_open(c);
	if (err)
		return err;
	if (body)
		n = snprintf(
			req, sizeof(req),
			"%s %s HTTP/1.1\r\nHost: sluiced\r\nContent-Type: "
			"application/json\r\nContent-Length: %zu\r\n\r\n%s",
			method, path, blen, body);
	else
		n = snprintf(req, sizeof(req),
			     "%s %s HTTP/1.1\r\nHost: sluiced\r\n\r\n", method,
			     path);
	if (n < 0 || (size_t)n >= sizeof(req))
		return -EINVAL;
	if (write(c->fd, req, (size_t)n) != n) {
		conn_close(c);
		return -EIO;
	}
	for (;;) {
		ssize_t got;

		c->buf[c->have] = '\0';
		hdr_end = strstr(c->buf, "\r\n\r\n");
		if (hdr_end) {
			p = strcasestr(c->buf, "\r\nContent-Length:");
			clen = p && p < hdr_end ? strtol(p + 17, NULL, 10) : -1;
			need = (size_t)(hdr_end + 4 - c->buf) +
			       (clen > 0 ? (size_t)clen : 0);
			if (clen >= 0 && c->have >= need)
				break;
		}
		if (c->have + 1 >= sizeof(c->buf))
			return -E2BIG;
		got = read(c->fd, c->buf + c->have,
			   sizeof(c->buf) - 1 - c->have);
		if (got <= 0) {
			conn_close(c);
			return -EIO;
		}
		c->have += (size_t)got;
	}
	if (sscanf(c->buf, "HTTP/1.%*d %d", &status) != 1) {
		conn_close(c);
		return -EPROTO;
	}
	close_after = strcasestr(c->buf, "\r\nConnection: close") &&
		      strcasestr(c->buf, "\r\nConnection: close") < hdr_end;
	memmove(c->buf, c->buf + need, c->have - need);
	c->have -= need;
	if (close_after)
		conn_close(c);
	return status;
}

/* {"backends": [...]}: @n backends from 198.18.(250 + @set * 4).0 on, so
 * that set 0 and set 1 share none. */
static void backend_set_body(char *buf, size_t len, unsigned int n,
			     unsigned int set)
{
	size_t off = (size_t)snprintf(buf, len, "{\"backends\": [");

	for (unsigned int i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off,
					"%s{\"address\": \"198.18.%u.%u\"}",
					i ? ", " : "", 242 + set * 4 + i / 250,
					1 + i % 250);
	if (off < len)
		snprintf(buf + off, len - off, "]}");
}

int api_rate_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "unix", required_argument, NULL, 'u' },
		{ "get", required_argument, NULL, 'g' },
		{ "write", required_argument, NULL, 'w' },
		{ "seconds", required_argument, NULL, 's' },
		{ "put", required_argument, NULL, 'p' },
		{ "batch", required_argument, NULL, 'b' },
		{ 0 },
	};
	static struct conn c = { .fd = -1 };
	static char sets[2][1 << 15];
	const char *get = NULL, *vip = NULL, *put = NULL;
	double seconds = 2, t0, t;
	unsigned long long n = 0, bad = 0, changes = 0;
	unsigned int batch = 100;
	char path[512], body[128];
	int ch, st = 0;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'u': c.path = optarg; break;
		case 'g': get = optarg; break;
		case 'w': vip = optarg; break;
		case 's': seconds = atof(optarg); break;
		case 'p': put = optarg; break;
		case 'b': batch = (unsigned int)atoi(optarg); break;
		default: return 2;
		}
	}
	if (!c.path || !!get + !!vip + !!put != 1 || seconds <= 0 ||
	    seconds > 60 || !batch || batch > 1000) {
		fprintf(stderr, "api-rate: --unix SOCK and one of --get PATH, "
				"--write VIP, --put VIP [--batch 1..1000]; "
				"--seconds 0..60\n");
		return 2;
	}
	backend_set_body(sets[0], sizeof(sets[0]), batch, 0);
	backend_set_body(sets[1], sizeof(sets[1]), batch, 1);
	t0 = now_ns();
	while ((t = now_ns() - t0) < seconds * 1e9) {
		if (get) {
			st = request(&c, "GET", get, NULL);
			bad += st != 200;
		} else if (put) {
			/* set 0, then set 1 in its place: every backend of
			 * the VIP goes and another comes, each time */
			snprintf(path, sizeof(path), "/v1/vips/%s/backends",
				 put);
			st = request(&c, "PUT", path, sets[n % 2]);
			bad += st != 200;
			changes += n ? 2ull * batch : batch;
		} else {
			/* one backend in, then out again: two writes */
			snprintf(path, sizeof(path), "/v1/vips/%s/backends",
				 vip);
			snprintf(body, sizeof(body),
				 "{\"address\": \"198.18.250.%llu\"}",
				 1 + (n / 2) % 250);
			st = request(&c, "POST", path, body);
			bad += st != 201;
			if (st == 201) {
				snprintf(path, sizeof(path),
					 "/v1/vips/%s/backends/198.18.250.%llu",
					 vip, 1 + (n / 2) % 250);
				st = request(&c, "DELETE", path, NULL);
				bad += st != 200;
				n++;
			}
		}
		n++;
		if (bad)
			break;
	}
	t = (now_ns() - t0) / 1e9;
	if (bad) {
		printf("{\"error\": \"status %d after %llu requests\"}\n", st,
		       n);
		return 1;
	}
	if (put)
		printf("{\"requests\": %llu, \"seconds\": %.3f, \"rate\": "
		       "%.1f, \"backend_changes\": %llu, \"changes_rate\": "
		       "%.1f}\n",
		       n, t, n / t, changes, changes / t);
	else
		printf("{\"requests\": %llu, \"seconds\": %.3f, \"rate\": "
		       "%.1f}\n",
		       n, t, n / t);
	conn_close(&c);
	return 0;
}
