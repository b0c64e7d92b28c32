// SPDX-License-Identifier: BSD-2-Clause
/*
 * steer_rx: the smallest AF_XDP application sluice's steering serves
 * (tests/netns/t_steer.sh).  It binds a copy-mode socket to one queue of
 * a port sluiced manages, registers it in sluiced's pinned XSKMAP using
 * only libbpf and uapi/sluice/steer.h (the contract written there),
 * answers each UDP datagram it receives by sending it back with the
 * addresses and ports swapped, and removes its key when it leaves.  The
 * real echo server is libpktio's; this one only proves the contract.
 *
 *   steer_rx --pin-dir DIR --dev IF [--queue N] [--count N] [--timeout S]
 *            [--sink]
 *
 * Prints "registered KEY" once the socket is in the map, "echo LEN" per
 * datagram, and exits 0 after --count datagrams (1 on timeout or error).
 * With --sink it answers nothing and counts every frame, of any protocol
 * ("frame LEN ETHERTYPE PROTO", the IP protocol or 0): a transit
 * selector's receiver (tests/netns/t_steer_transit.sh).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_xdp.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <xdp/xsk.h>
#include <uapi/sluice/route.h>
#include <uapi/sluice/steer.h>

#define NUM_FRAMES 4096
#define FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE
#define BATCH 64

struct rx {
	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill, tx;
	struct xsk_ring_cons comp, rx;
	int xsks_fd;
	__u32 key;
	bool registered;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Steps 1-3 of the contract in uapi/sluice/steer.h. */
static int xsk_register(struct rx *r, const char *pin_dir, unsigned int ifindex,
			__u32 queue)
{
	char path[512];
	struct sluice_iface v;
	int ifaces_fd, fd = xsk_socket__fd(r->xsk), err = 0;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, SLUICE_STEER_IFACES_PIN);
	ifaces_fd = bpf_obj_get(path);
	if (ifaces_fd < 0) {
		fprintf(stderr, "steer_rx: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (bpf_map_lookup_elem(ifaces_fd, &ifindex, &v)) {
		err = -errno;
		fprintf(stderr,
			"steer_rx: ifindex %u: not a port sluiced "
			"manages (%s)\n",
			ifindex, strerror(errno));
		goto out;
	}
	if (v.slot >= SLUICE_MAX_IFACES || queue >= SLUICE_STEER_MAX_QUEUES) {
		err = -ERANGE;
		fprintf(stderr, "steer_rx: slot %u queue %u out of range\n",
			v.slot, queue);
		goto out;
	}
	r->key = SLUICE_STEER_XSK_KEY(v.slot, queue);
	snprintf(path, sizeof(path), "%s/%s", pin_dir, SLUICE_STEER_XSKS_PIN);
	r->xsks_fd = bpf_obj_get(path);
	if (r->xsks_fd < 0) {
		err = -errno;
		fprintf(stderr, "steer_rx: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (bpf_map_update_elem(r->xsks_fd, &r->key, &fd, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "steer_rx: %s[%u]: %s\n", path, r->key,
			strerror(errno));
		goto out;
	}
	r->registered = true;
out:
	close(ifaces_fd);
	return err;
}

static int xsk_open(struct rx *r, const char *dev, __u32 queue)
{
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY,
	};
	__u32 idx, n = XSK_RING_PROD__DEFAULT_NUM_DESCS;
	int err;

	r->area = mmap(NULL, (size_t)NUM_FRAMES * FRAME_SIZE,
		       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	if (r->area == MAP_FAILED) {
		r->area = NULL;
		return -ENOMEM;
	}
	err = xsk_umem__create(&r->umem, r->area,
			       (__u64)NUM_FRAMES * FRAME_SIZE, &r->fill,
			       &r->comp, NULL);
	if (!err)
		err = xsk_socket__create(&r->xsk, dev, queue, r->umem, &r->rx,
					 &r->tx, &cfg);
	if (err) {
		fprintf(stderr, "steer_rx: AF_XDP socket on %s queue %u: %s\n",
			dev, queue, strerror(-err));
		return err;
	}
	/* the first half of the frames to the fill ring; a frame answered
	 * goes out and comes back through the completion ring */
	if (xsk_ring_prod__reserve(&r->fill, n, &idx) != n)
		return -ENOSPC;
	for (__u32 i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&r->fill, idx + i) =
			(__u64)i * FRAME_SIZE;
	xsk_ring_prod__submit(&r->fill, n);
	return 0;
}

static void xsk_close(struct rx *r)
{
	/* step 4: the key out before the socket goes */
	if (r->registered && bpf_map_delete_elem(r->xsks_fd, &r->key))
		fprintf(stderr, "steer_rx: delete key %u: %s\n", r->key,
			strerror(errno));
	if (r->xsks_fd > 0)
		close(r->xsks_fd);
	if (r->xsk)
		xsk_socket__delete(r->xsk);
	if (r->umem)
		xsk_umem__delete(r->umem);
	if (r->area)
		munmap(r->area, (size_t)NUM_FRAMES * FRAME_SIZE);
}

static void swap(void *a, void *b, size_t n)
{
	unsigned char t[16];

	memcpy(t, a, n);
	memcpy(a, b, n);
	memcpy(b, t, n);
}

/* The datagram back to its sender: MACs, addresses and ports swapped,
 * which leaves every checksum as it was.  0 when it is UDP.  The frame
 * sits at 256 bytes of headroom, so its IP header is 2 bytes off a word:
 * fields are reached through byte offsets, not header structs. */
static int answer(unsigned char *pkt, __u32 len)
{
	const size_t l3 = sizeof(struct ethhdr);
	size_t l4;
	__be16 proto;

	if (len < l3)
		return -1;
	memcpy(&proto, pkt + offsetof(struct ethhdr, h_proto), sizeof(proto));
	if (proto == htons(ETH_P_IP)) {
		l4 = l3 + sizeof(struct iphdr);
		/* version 4, ihl 5 (no options), UDP */
		if (len < l4 + sizeof(struct udphdr) || pkt[l3] != 0x45 ||
		    pkt[l3 + offsetof(struct iphdr, protocol)] != IPPROTO_UDP)
			return -1;
		swap(pkt + l3 + offsetof(struct iphdr, saddr),
		     pkt + l3 + offsetof(struct iphdr, daddr), 4);
	} else if (proto == htons(ETH_P_IPV6)) {
		l4 = l3 + sizeof(struct ipv6hdr);
		if (len < l4 + sizeof(struct udphdr) ||
		    pkt[l3 + offsetof(struct ipv6hdr, nexthdr)] != IPPROTO_UDP)
			return -1;
		swap(pkt + l3 + offsetof(struct ipv6hdr, saddr),
		     pkt + l3 + offsetof(struct ipv6hdr, daddr), 16);
	} else {
		return -1;
	}
	swap(pkt + offsetof(struct ethhdr, h_dest),
	     pkt + offsetof(struct ethhdr, h_source), ETH_ALEN);
	swap(pkt + l4 + offsetof(struct udphdr, source),
	     pkt + l4 + offsetof(struct udphdr, dest), 2);
	return 0;
}

/* Frames the kernel has sent, back to the fill ring. */
static void recycle(struct rx *r)
{
	__u32 idx_c, idx_f, n = xsk_ring_cons__peek(&r->comp, BATCH, &idx_c);

	if (!n)
		return;
	while (xsk_ring_prod__reserve(&r->fill, n, &idx_f) != n)
		;
	for (__u32 i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&r->fill, idx_f + i) =
			*xsk_ring_cons__comp_addr(&r->comp, idx_c + i);
	xsk_ring_prod__submit(&r->fill, n);
	xsk_ring_cons__release(&r->comp, n);
}

/* The IP protocol of a frame (the first header's), or 0. */
static unsigned int ip_proto(const unsigned char *pkt, __u32 len, __u16 *type)
{
	const size_t l3 = sizeof(struct ethhdr);
	__be16 proto;

	*type = 0;
	if (len < l3 + sizeof(struct ipv6hdr))
		return 0;
	memcpy(&proto, pkt + offsetof(struct ethhdr, h_proto), sizeof(proto));
	*type = ntohs(proto);
	if (proto == htons(ETH_P_IP))
		return pkt[l3 + offsetof(struct iphdr, protocol)];
	if (proto == htons(ETH_P_IPV6))
		return pkt[l3 + offsetof(struct ipv6hdr, nexthdr)];
	return 0;
}

/* --sink: one batch counted and given back to the fill ring. */
static unsigned int sink(struct rx *r)
{
	__u32 idx_rx, idx_f, n = xsk_ring_cons__peek(&r->rx, BATCH, &idx_rx);

	if (!n)
		return 0;
	while (xsk_ring_prod__reserve(&r->fill, n, &idx_f) != n)
		;
	for (__u32 i = 0; i < n; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&r->rx, idx_rx + i);
		const unsigned char *pkt = xsk_umem__get_data(r->area, d->addr);
		__u16 type;
		unsigned int proto = ip_proto(pkt, d->len, &type);

		printf("frame %u %04x %u\n", d->len, type, proto);
		*xsk_ring_prod__fill_addr(&r->fill, idx_f + i) = d->addr;
	}
	xsk_ring_prod__submit(&r->fill, n);
	xsk_ring_cons__release(&r->rx, n);
	return n;
}

/* One batch: each datagram answered out of its own frame. */
static unsigned int serve(struct rx *r)
{
	__u32 idx_rx, idx_tx, idx_f, n, sent = 0;
	struct xdp_desc out[BATCH];

	n = xsk_ring_cons__peek(&r->rx, BATCH, &idx_rx);
	if (!n)
		return 0;
	for (__u32 i = 0; i < n; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&r->rx, idx_rx + i);
		unsigned char *pkt = xsk_umem__get_data(r->area, d->addr);

		if (!answer(pkt, d->len)) {
			printf("echo %u\n", d->len);
			out[sent++] = *d;
			continue;
		}
		/* not UDP: back to the fill ring, unanswered */
		if (xsk_ring_prod__reserve(&r->fill, 1, &idx_f) == 1) {
			*xsk_ring_prod__fill_addr(&r->fill, idx_f) = d->addr;
			xsk_ring_prod__submit(&r->fill, 1);
		}
	}
	xsk_ring_cons__release(&r->rx, n);
	if (!sent)
		return 0;
	while (xsk_ring_prod__reserve(&r->tx, sent, &idx_tx) != sent)
		recycle(r);
	for (__u32 i = 0; i < sent; i++)
		*xsk_ring_prod__tx_desc(&r->tx, idx_tx + i) = out[i];
	xsk_ring_prod__submit(&r->tx, sent);
	/* cppcheck-suppress nullPointer ; a zero-length send is the kick */
	sendto(xsk_socket__fd(r->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
	recycle(r);
	return sent;
}

static void usage(FILE *f)
{
	fputs("Usage: steer_rx --pin-dir DIR --dev IF [--queue N] "
	      "[--count N] [--timeout S] [--sink]\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "dev", required_argument, NULL, 'd' },
		{ "queue", required_argument, NULL, 'q' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "sink", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pin_dir = NULL, *dev = NULL;
	unsigned long queue = 0, count = 1, timeout = 10, got = 0;
	struct rx r = { .xsks_fd = -1 };
	bool sink_only = false;
	unsigned int ifindex;
	time_t end;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pin_dir = optarg; break;
		case 'd': dev = optarg; break;
		case 'q': queue = strtoul(optarg, NULL, 10); break;
		case 'c': count = strtoul(optarg, NULL, 10); break;
		case 't': timeout = strtoul(optarg, NULL, 10); break;
		case 's': sink_only = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!pin_dir || !dev || optind != argc) {
		usage(stderr);
		return 2;
	}
	ifindex = if_nametoindex(dev);
	if (!ifindex) {
		fprintf(stderr, "steer_rx: no device %s\n", dev);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (xsk_open(&r, dev, (__u32)queue) ||
	    xsk_register(&r, pin_dir, ifindex, (__u32)queue))
		goto out;
	printf("registered %u\n", r.key);
	end = time(NULL) + (time_t)timeout;
	while (!stop && got < count && time(NULL) < end) {
		struct pollfd p = { .fd = xsk_socket__fd(r.xsk),
				    .events = POLLIN };

		if (poll(&p, 1, 100) > 0)
			got += sink_only ? sink(&r) : serve(&r);
	}
	/* let the last answers leave before the socket does */
	for (int i = 0; i < 10; i++) {
		recycle(&r);
		usleep(10000);
	}
	printf("%s %lu\n", sink_only ? "received" : "answered", got);
	rc = got >= count ? 0 : 1;
out:
	xsk_close(&r);
	return rc;
}
