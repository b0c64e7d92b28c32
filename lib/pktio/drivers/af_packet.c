// SPDX-License-Identifier: BSD-2-Clause
/*
 * The af_packet driver: one AF_PACKET socket per queue, each with a
 * TPACKET_V3 rx ring (the kernel fills blocks of frames and hands a block
 * over when it is full or its retire timer fires) and a TPACKET_V3 tx ring
 * (fixed frames) in one mmap.  Several queues join one PACKET_FANOUT group,
 * so the kernel spreads the flows over the sockets (hash, lb or cpu).
 *
 * af_packet cannot be zero-copy: rx copies each frame out of the ring into
 * a buffer of the queue's pool and tx copies each buffer into the ring (and
 * frees it at once); both are counted in `copies`.  The driver holds no
 * buffer between bursts, so close has none to give back.
 *
 * Counters: rx_drops are the kernel's (PACKET_STATISTICS tp_drops: the ring
 * was full), fill_empty the times the ring froze (tp_freeze_q_cnt) plus the
 * bursts that stopped because the pool was empty (the frame stays in the
 * ring for the next burst); a frame the ring truncated or that does not
 * fit a buffer is dropped and counted in rx_oversize and rx_errors, a
 * buffer too long for a tx frame in tx_drops and tx_errors; wakeups are the
 * send calls that kick the tx ring.
 *
 * Options: block_size=N (rx/tx ring block, a power of two >= the page
 * size, default 65536), block_count=N (default 32), frame_size=N (tx frame,
 * a multiple of 16, default 2048), retire_ms=N (rx block timeout, default
 * 1), fanout=hash|lb|cpu (default hash), qdisc_bypass=0|1 (default 0),
 * tx=ring|send|auto (default auto: send on a veth, the ring elsewhere).
 */
#include <errno.h>
#include <linux/filter.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "pktio_driver.h"

#define AFP_BLOCK_SIZE_DEFAULT 65536ul
#define AFP_BLOCK_COUNT_DEFAULT 32ul
#define AFP_FRAME_SIZE_DEFAULT 2048ul
#define AFP_RETIRE_MS_DEFAULT 1ul
/* where a tx frame's data starts (the kernel's tp_hdrlen minus the
 * sockaddr_ll it does not use on tx) */
#define AFP_TX_DATA_OFF TPACKET_ALIGN(sizeof(struct tpacket3_hdr))
/* empty rx polls between two reads of PACKET_STATISTICS */
#define AFP_STATS_EVERY 1024u
/* The kernel allocates a ring's every block at setsockopt() time and
 * checks no total: a port's rings are kept below this (and a quarter of
 * the memory), so a typo in an option cannot make the OOM killer run. */
#define AFP_RING_MEM_MAX (1ull << 30)

struct afp_queue {
	int fd;
	uint16_t qid;
	uint8_t *map;
	size_t map_len;
	struct pktio_pool *pool;
	struct pktio_port_stats *stats;
	/* rx: the block being read, and where in it */
	uint8_t *rx_ring;
	uint32_t rx_block;
	uint32_t rx_left; /* packets of that block not read yet */
	struct tpacket3_hdr *rx_pkt;
	uint32_t idle_polls;
	/* tx: the next frame to fill */
	uint8_t *tx_ring;
	uint32_t tx_head;
};

struct afp_port {
	uint16_t nqueues;
	uint32_t block_size, block_count, frame_size, tx_frames;
	uint32_t tx_max; /* the largest frame a tx ring frame holds */
	bool tx_send;	 /* tx=send: sendmmsg() instead of the tx ring */
	struct afp_queue *q;
};

static const char *const fanout_names[] = { "hash", "lb", "cpu", NULL };
/* tx=auto: send on a veth, the ring elsewhere (see afp_tx_send()) */
enum afp_tx { AFP_TX_RING, AFP_TX_SEND, AFP_TX_AUTO };
static const char *const tx_names[] = { "ring", "send", "auto", NULL };
static const int fanout_types[] = { PACKET_FANOUT_HASH, PACKET_FANOUT_LB,
				    PACKET_FANOUT_CPU };

static struct tpacket_block_desc *
rx_block(const struct afp_port *ap, const struct afp_queue *aq, uint32_t i)
{
	return (struct tpacket_block_desc *)(aq->rx_ring +
					     (size_t)i * ap->block_size);
}

static struct tpacket3_hdr *tx_frame(const struct afp_port *ap,
				     const struct afp_queue *aq, uint32_t i)
{
	uint32_t per_block = ap->block_size / ap->frame_size;

	return (struct tpacket3_hdr *)(aq->tx_ring +
				       (size_t)(i / per_block) *
					       ap->block_size +
				       (size_t)(i % per_block) *
					       ap->frame_size);
}

/* The kernel's drop and freeze counters since the last read (reading
 * resets them). */
static void read_kernel_stats(struct afp_queue *aq)
{
	struct tpacket_stats_v3 st;
	socklen_t len = sizeof(st);

	if (getsockopt(aq->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		return;
	if (st.tp_drops)
		PKTIO_STAT_ADD(aq->stats, rx_drops, st.tp_drops);
	if (st.tp_freeze_q_cnt)
		PKTIO_STAT_ADD(aq->stats, fill_empty, st.tp_freeze_q_cnt);
}

static void queue_close(struct afp_queue *aq)
{
	if (aq->map)
		munmap(aq->map, aq->map_len);
	if (aq->fd >= 0)
		close(aq->fd);
	aq->map = NULL;
	aq->fd = -1;
}

static int sockopt_int(struct afp_queue *aq, const char *dev, int opt,
		       const char *what, int val)
{
	int err;

	if (!setsockopt(aq->fd, SOL_PACKET, opt, &val, sizeof(val)))
		return 0;
	err = -errno;
	pktio_drv_err("port %s: driver af_packet: queue %u: %s: %s", dev,
		      aq->qid, what, strerror(-err));
	return err;
}

/* Nothing reaches the socket until every queue is in the fanout group:
 * otherwise a socket bound but not yet in the group would get a copy of
 * what the group gets. */
static int drop_all(int fd, bool on)
{
	struct sock_filter ret0 = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = 1, .filter = &ret0 };
	int dummy = 0;

	if (on)
		return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
				  sizeof(prog));
	return setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy,
			  sizeof(dummy));
}

static int queue_open(struct afp_port *ap, struct afp_queue *aq,
		      const char *dev, int ifindex, unsigned long retire_ms,
		      bool qdisc_bypass)
{
	struct tpacket_req3 req = {
		.tp_block_size = ap->block_size,
		.tp_block_nr = ap->block_count,
		.tp_frame_size = ap->frame_size,
		.tp_frame_nr = ap->tx_frames,
	};
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	int one = 1, err;
	void *map;

	/* protocol 0: nothing is received before bind */
	aq->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (aq->fd < 0) {
		err = -errno;
		pktio_drv_err(
			"port %s: driver af_packet: queue %u: socket: %s%s",
			dev, aq->qid, strerror(errno),
			errno == EPERM ? " (needs CAP_NET_RAW)" : "");
		return err;
	}
	if (drop_all(aq->fd, true)) {
		err = -errno;
		pktio_drv_err("port %s: driver af_packet: queue %u: filter: %s",
			      dev, aq->qid, strerror(errno));
		goto err_close;
	}
	err = sockopt_int(aq, dev, PACKET_VERSION, "TPACKET_V3", TPACKET_V3);
	/* a frame the kernel finds malformed is skipped: without this it
	 * would stay at the head of the tx ring and stop it for good */
	if (!err)
		err = sockopt_int(aq, dev, PACKET_LOSS, "PACKET_LOSS", 1);
	if (!err && qdisc_bypass)
		err = sockopt_int(aq, dev, PACKET_QDISC_BYPASS,
				  "option qdisc_bypass=1", 1);
	if (err)
		goto err_close;
	/* what the host itself sends out of the interface is not ours (rx
	 * skips it too, for kernels without the option) */
	setsockopt(aq->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		   sizeof(one));

	req.tp_frame_nr = ap->block_size / ap->frame_size * ap->block_count;
	req.tp_retire_blk_tov = (unsigned int)retire_ms;
	req.tp_feature_req_word = TP_FT_REQ_FILL_RXHASH;
	if (setsockopt(aq->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req))) {
		err = -errno;
		pktio_drv_err(
			"port %s: driver af_packet: queue %u: rx ring of %u blocks of %u bytes: %s",
			dev, aq->qid, ap->block_count, ap->block_size,
			strerror(errno));
		goto err_close;
	}
	req.tp_retire_blk_tov = 0;
	req.tp_feature_req_word = 0;
	/* with a tx ring every send goes through it (tpacket_snd) */
	if (!ap->tx_send &&
	    setsockopt(aq->fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req))) {
		err = -errno;
		pktio_drv_err(
			"port %s: driver af_packet: queue %u: tx ring of %u frames of %u bytes: %s",
			dev, aq->qid, req.tp_frame_nr, ap->frame_size,
			strerror(errno));
		goto err_close;
	}
	aq->map_len = (ap->tx_send ? 1 : 2) * (size_t)ap->block_size *
		      ap->block_count;
	map = mmap(NULL, aq->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   aq->fd, 0);
	if (map == MAP_FAILED) {
		err = -errno;
		pktio_drv_err(
			"port %s: driver af_packet: queue %u: mmap of %zu bytes: %s",
			dev, aq->qid, aq->map_len, strerror(errno));
		goto err_close;
	}
	aq->map = map;
	aq->rx_ring = map;
	aq->tx_ring = ap->tx_send ? NULL :
				    aq->rx_ring + (size_t)ap->block_size *
							  ap->block_count;
	if (bind(aq->fd, (struct sockaddr *)&sll, sizeof(sll))) {
		err = -errno;
		pktio_drv_err("port %s: driver af_packet: queue %u: bind: %s",
			      dev, aq->qid, strerror(errno));
		goto err_close;
	}
	return 0;

err_close:
	queue_close(aq);
	return err;
}

/* Puts every queue's socket in one fanout group: the first one asks the
 * kernel for a group id nobody uses, the others join it. */
static int fanout_join(struct afp_port *ap, const char *dev, int type)
{
	socklen_t len;
	uint32_t got;
	int arg, err;

	arg = (type | PACKET_FANOUT_FLAG_UNIQUEID) << 16;
	if (setsockopt(ap->q[0].fd, SOL_PACKET, PACKET_FANOUT, &arg,
		       sizeof(arg)))
		goto err;
	len = sizeof(got);
	if (getsockopt(ap->q[0].fd, SOL_PACKET, PACKET_FANOUT, &got, &len))
		goto err;
	arg = (int)((got & 0xffffu) | ((uint32_t)type << 16));
	for (uint16_t q = 1; q < ap->nqueues; q++)
		if (setsockopt(ap->q[q].fd, SOL_PACKET, PACKET_FANOUT, &arg,
			       sizeof(arg)))
			goto err;
	return 0;
err:
	err = -errno;
	pktio_drv_err(
		"port %s: driver af_packet: fanout group of %u queues: %s", dev,
		ap->nqueues, strerror(errno));
	return err;
}

static int link_query(struct pktio_port *port, int fd, int ifindex,
		      uint32_t *mtu_out)
{
	struct ifreq ifr = { 0 };
	uint32_t mtu;
	bool up;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s",
		 pktio_port_dev(port));
	if (ioctl(fd, SIOCGIFMTU, &ifr))
		return -errno;
	mtu = (uint32_t)ifr.ifr_mtu;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		return -errno;
	up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		return -errno;
	pktio_drv_set_link(port, ifindex, mtu,
			   (const uint8_t *)ifr.ifr_hwaddr.sa_data, up);
	if (mtu_out)
		*mtu_out = mtu;
	return 0;
}

static void afp_close(struct pktio_port *port)
{
	struct afp_port *ap = pktio_port_priv(port);

	if (!ap->q)
		return;
	for (uint16_t q = 0; q < ap->nqueues; q++)
		queue_close(&ap->q[q]);
	free(ap->q);
	ap->q = NULL;
}

static int check_sizes(struct afp_port *ap, const char *dev, uint16_t nqueues)
{
	long page = sysconf(_SC_PAGESIZE);
	long phys = sysconf(_SC_PHYS_PAGES);
	unsigned long long mem, max = AFP_RING_MEM_MAX;

	if ((ap->block_size & (ap->block_size - 1)) ||
	    ap->block_size < (unsigned long)page) {
		pktio_drv_err(
			"port %s: driver af_packet: option block_size=%u: not a power of two of at least the page size (%ld)",
			dev, ap->block_size, page);
		return -EINVAL;
	}
	if (ap->frame_size % TPACKET_ALIGNMENT) {
		pktio_drv_err(
			"port %s: driver af_packet: option frame_size=%u: not a multiple of %d",
			dev, ap->frame_size, TPACKET_ALIGNMENT);
		return -EINVAL;
	}
	if (ap->frame_size > ap->block_size) {
		pktio_drv_err(
			"port %s: driver af_packet: option frame_size=%u: above block_size=%u",
			dev, ap->frame_size, ap->block_size);
		return -EINVAL;
	}
	if (phys > 0 &&
	    (unsigned long long)phys * (unsigned long)page / 4 < max)
		max = (unsigned long long)phys * (unsigned long)page / 4;
	/* an rx and a tx ring a queue */
	mem = 2ull * ap->block_size * ap->block_count * nqueues;
	if (mem > max) {
		pktio_drv_err(
			"port %s: driver af_packet: options block_size=%u block_count=%u: the rings of %u queues would take %llu MiB, above the limit of %llu MiB",
			dev, ap->block_size, ap->block_count, nqueues,
			mem >> 20, max >> 20);
		return -EINVAL;
	}
	ap->tx_frames = ap->block_size / ap->frame_size * ap->block_count;
	ap->tx_max = ap->frame_size - (uint32_t)AFP_TX_DATA_OFF;
	return 0;
}

static int afp_open(struct pktio_port *port, const struct pktio_port_cfg *cfg)
{
	struct afp_port *ap = pktio_port_priv(port);
	unsigned long block_size = AFP_BLOCK_SIZE_DEFAULT;
	unsigned long block_count = AFP_BLOCK_COUNT_DEFAULT;
	unsigned long frame_size = AFP_FRAME_SIZE_DEFAULT;
	unsigned long retire_ms = AFP_RETIRE_MS_DEFAULT;
	bool qdisc_bypass = false;
	int fanout = 0, tx = AFP_TX_AUTO, ifindex, err;
	uint32_t mtu = 0;
	const struct pktio_opt opts[] = {
		{ .key = "block_size",
		  .type = PKTIO_OPT_UINT,
		  .out = &block_size,
		  .min = 4096,
		  .max = 1ul << 26 },
		{ .key = "block_count",
		  .type = PKTIO_OPT_UINT,
		  .out = &block_count,
		  .min = 1,
		  .max = 65536 },
		{ .key = "frame_size",
		  .type = PKTIO_OPT_UINT,
		  .out = &frame_size,
		  .min = 128,
		  .max = 1ul << 26 },
		{ .key = "retire_ms",
		  .type = PKTIO_OPT_UINT,
		  .out = &retire_ms,
		  .min = 1,
		  .max = 10000 },
		{ .key = "fanout",
		  .type = PKTIO_OPT_ENUM,
		  .out = &fanout,
		  .choices = fanout_names },
		{ .key = "qdisc_bypass",
		  .type = PKTIO_OPT_BOOL,
		  .out = &qdisc_bypass },
		{ .key = "tx",
		  .type = PKTIO_OPT_ENUM,
		  .out = &tx,
		  .choices = tx_names },
	};

	err = pktio_drv_parse_opts("af_packet", cfg, opts,
				   sizeof(opts) / sizeof(opts[0]));
	if (err)
		return err;
	ap->block_size = (uint32_t)block_size;
	ap->block_count = (uint32_t)block_count;
	ap->frame_size = (uint32_t)frame_size;
	err = check_sizes(ap, cfg->dev, cfg->nqueues);
	if (err)
		return err;
	ifindex = (int)if_nametoindex(cfg->dev);
	if (!ifindex) {
		err = errno == ENXIO || errno == ENODEV ? -ENODEV : -errno;
		pktio_drv_err(
			"port %s: driver af_packet: no interface named %s here: %s",
			cfg->dev, cfg->dev, strerror(-err));
		return err;
	}
	/* on a veth the ring's frames are copied twice (afp_tx_send()):
	 * sendmmsg() forwarded 1.1-1.15x what the ring did there */
	if (tx == AFP_TX_AUTO)
		tx = pktio_drv_netdev_is(cfg->dev, "veth") ? AFP_TX_SEND :
							     AFP_TX_RING;
	ap->tx_send = tx == AFP_TX_SEND;
	ap->nqueues = cfg->nqueues;
	ap->q = calloc(cfg->nqueues, sizeof(*ap->q));
	if (!ap->q)
		return -ENOMEM;
	for (uint16_t q = 0; q < cfg->nqueues; q++)
		ap->q[q].fd = -1;
	for (uint16_t q = 0; q < cfg->nqueues; q++) {
		struct afp_queue *aq = &ap->q[q];

		aq->qid = q;
		aq->pool = pktio_port_pool(port, q);
		aq->stats = pktio_drv_queue_stats(port, q);
		err = queue_open(ap, aq, cfg->dev, ifindex, retire_ms,
				 qdisc_bypass);
		if (err)
			goto err_close;
		pktio_drv_set_queue_mode(
			port, q,
			PKTIO_QF_COPY | (ap->tx_send ? PKTIO_QF_TX_SEND : 0));
	}
	if (cfg->nqueues > 1) {
		err = fanout_join(ap, cfg->dev, fanout_types[fanout]);
		if (err)
			goto err_close;
	}
	for (uint16_t q = 0; q < cfg->nqueues; q++) {
		if (drop_all(ap->q[q].fd, false)) {
			err = -errno;
			pktio_drv_err("port %s: driver af_packet: filter: %s",
				      cfg->dev, strerror(errno));
			goto err_close;
		}
	}
	err = link_query(port, ap->q[0].fd, ifindex, &mtu);
	if (err) {
		pktio_drv_err("port %s: driver af_packet: link state: %s",
			      cfg->dev, strerror(-err));
		goto err_close;
	}
	/* Ethernet header and a VLAN tag above the MTU */
	if (ap->tx_max < mtu + 18)
		pktio_log(
			PKTIO_LOG_WARN,
			"port %s: driver af_packet: frame_size=%u leaves %u bytes a frame: larger frames are not sent",
			cfg->dev, ap->frame_size, ap->tx_max);
	return 0;

err_close:
	afp_close(port);
	return err;
}

static int afp_link_update(struct pktio_port *port)
{
	struct afp_port *ap = pktio_port_priv(port);

	return link_query(port, ap->q[0].fd,
			  (int)if_nametoindex(pktio_port_dev(port)), NULL);
}

/* Gives the current block back to the kernel and moves to the next. */
static void release_block(struct afp_port *ap, struct afp_queue *aq)
{
	struct tpacket_block_desc *bd = rx_block(ap, aq, aq->rx_block);

	__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
			 __ATOMIC_RELEASE);
	aq->rx_block = (aq->rx_block + 1) % ap->block_count;
	aq->rx_left = 0;
	read_kernel_stats(aq);
}

/* The next packet of the current block, or NULL when the kernel has not
 * handed over the next block yet. */
static struct tpacket3_hdr *rx_next(struct afp_port *ap, struct afp_queue *aq)
{
	struct tpacket_block_desc *bd;

	while (!aq->rx_left) {
		bd = rx_block(ap, aq, aq->rx_block);
		if (!(__atomic_load_n(&bd->hdr.bh1.block_status,
				      __ATOMIC_ACQUIRE) &
		      TP_STATUS_USER))
			return NULL;
		aq->rx_left = bd->hdr.bh1.num_pkts;
		aq->rx_pkt =
			(struct tpacket3_hdr *)((uint8_t *)bd +
						bd->hdr.bh1.offset_to_first_pkt);
		if (!aq->rx_left)
			release_block(ap, aq);
	}
	return aq->rx_pkt;
}

static void rx_consume(struct afp_port *ap, struct afp_queue *aq,
		       struct tpacket3_hdr *h)
{
	if (--aq->rx_left)
		aq->rx_pkt = (struct tpacket3_hdr *)((uint8_t *)h +
						     h->tp_next_offset);
	else
		release_block(ap, aq);
}

static uint16_t afp_rx(struct pktio_port *port, uint16_t q,
		       struct pktio_buf **bufs, uint16_t n)
{
	struct afp_port *ap = pktio_port_priv(port);
	struct afp_queue *aq = &ap->q[q];
	uint16_t got = 0, bad = 0;
	struct tpacket3_hdr *h;

	while (got < n && (h = rx_next(ap, aq))) {
		const struct sockaddr_ll *sll =
			(const void *)((uint8_t *)h +
				       TPACKET_ALIGN(sizeof(*h)));
		struct pktio_buf *b;

		if (sll->sll_pkttype == PACKET_OUTGOING) {
			rx_consume(ap, aq, h);
			continue;
		}
		b = pktio_buf_alloc(aq->pool);
		if (!b) {
			/* the frame waits in the ring for the next burst */
			PKTIO_STAT_ADD(aq->stats, fill_empty, 1);
			break;
		}
		if (h->tp_snaplen < h->tp_len ||
		    h->tp_snaplen > pktio_buf_tailroom(b)) {
			pktio_buf_free(b);
			bad++;
			rx_consume(ap, aq, h);
			continue;
		}
		memcpy(pktio_buf_data(b), (uint8_t *)h + h->tp_mac,
		       h->tp_snaplen);
		pktio_drv_buf_set(b, pktio_buf_headroom(b), h->tp_snaplen);
		b->rx_hash = h->hv1.tp_rxhash;
		b->ol_flags = PKTIO_OL_RX_HASH;
		if (h->tp_status & TP_STATUS_CSUM_VALID)
			b->ol_flags |= PKTIO_OL_L4_CSUM_GOOD;
		bufs[got++] = b;
		rx_consume(ap, aq, h);
	}
	if (got) {
		PKTIO_STAT_ADD(aq->stats, copies, got);
		pktio_pool_count_copies(aq->pool, got);
	} else if (++aq->idle_polls >= AFP_STATS_EVERY) {
		aq->idle_polls = 0;
		read_kernel_stats(aq);
	}
	if (bad) {
		PKTIO_STAT_ADD(aq->stats, rx_oversize, bad);
		PKTIO_STAT_ADD(aq->stats, rx_errors, bad);
	}
	return got;
}

/*
 * tx=send: one sendmmsg() for the burst, each frame straight from its
 * buffer.  The kernel copies it once into a linear skb (packet_snd); the
 * tx ring costs a copy into the ring and, on a veth, a second one when the
 * peer takes the ring page's frags (skb_copy_ubufs).  Frames the socket
 * does not take now (a full queue) stay the caller's.
 */
#define AFP_SEND_BATCH 64
static uint16_t afp_tx_send(struct afp_port *ap, struct afp_queue *aq,
			    struct pktio_buf **bufs, uint16_t n)
{
	struct mmsghdr msgs[AFP_SEND_BATCH];
	struct iovec iov[AFP_SEND_BATCH];
	uint16_t pos[AFP_SEND_BATCH];
	uint16_t i, k = 0, used;
	int sent;

	for (i = 0; i < n && k < AFP_SEND_BATCH; i++) {
		struct pktio_buf *b = bufs[i];

		if (b->len == 0 || b->len > ap->tx_max)
			continue; /* refused: consumed and counted below */
		iov[k].iov_base = pktio_buf_data(b);
		iov[k].iov_len = b->len;
		msgs[k].msg_hdr =
			(struct msghdr){ .msg_iov = &iov[k], .msg_iovlen = 1 };
		pos[k++] = i;
	}
	sent = k ? sendmmsg(aq->fd, msgs, k, MSG_DONTWAIT) : 0;
	if (k)
		PKTIO_STAT_ADD(aq->stats, wakeups, 1);
	if (sent < 0) {
		if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR) {
			sent = 0;
		} else { /* link down...: the burst is dropped, counted */
			PKTIO_STAT_ADD(aq->stats, tx_drops, k);
			PKTIO_STAT_ADD(aq->stats, tx_errors, 1);
			sent = k;
		}
	}
	/* consumed: everything before the first frame not sent */
	used = (uint16_t)sent < k ? pos[sent] : i;
	if (used > sent) {
		PKTIO_STAT_ADD(aq->stats, tx_drops, used - (uint16_t)sent);
		PKTIO_STAT_ADD(aq->stats, tx_errors, used - (uint16_t)sent);
	}
	if (sent) {
		PKTIO_STAT_ADD(aq->stats, copies, sent);
		pktio_pool_count_copies(aq->pool, (uint32_t)sent);
	}
	pktio_buf_free_bulk(bufs, used);
	return used;
}

static uint16_t afp_tx(struct pktio_port *port, uint16_t q,
		       struct pktio_buf **bufs, uint16_t n)
{
	struct afp_port *ap = pktio_port_priv(port);
	struct afp_queue *aq = &ap->q[q];
	uint16_t i, queued = 0, bad = 0;

	if (ap->tx_send)
		return afp_tx_send(ap, aq, bufs, n);

	for (i = 0; i < n; i++) {
		struct tpacket3_hdr *h = tx_frame(ap, aq, aq->tx_head);
		uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
		struct pktio_buf *b = bufs[i];

		if (st & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING))
			break; /* the ring is full */
		if (b->len == 0 || b->len > ap->tx_max) {
			bad++;
			continue;
		}
		memcpy((uint8_t *)h + AFP_TX_DATA_OFF, pktio_buf_data(b),
		       b->len);
		h->tp_len = b->len;
		h->tp_snaplen = b->len;
		h->tp_next_offset = 0;
		__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST,
				 __ATOMIC_RELEASE);
		aq->tx_head = (aq->tx_head + 1) % ap->tx_frames;
		queued++;
	}
	/* their data is in the ring (or they were refused): done with them */
	pktio_buf_free_bulk(bufs, i);
	if (queued) {
		PKTIO_STAT_ADD(aq->stats, copies, queued);
		pktio_pool_count_copies(aq->pool, queued);
		PKTIO_STAT_ADD(aq->stats, wakeups, 1);
		/* refused (link down...): the frames stay queued for the
		 * next kick; the refusal is counted */
		/* cppcheck-suppress nullPointer ; a zero-length send is the kick */
		if (sendto(aq->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
		    errno != EAGAIN && errno != ENOBUFS && errno != EINTR)
			PKTIO_STAT_ADD(aq->stats, tx_errors, 1);
	}
	if (bad) {
		PKTIO_STAT_ADD(aq->stats, tx_drops, bad);
		PKTIO_STAT_ADD(aq->stats, tx_errors, bad);
	}
	return i;
}

const struct pktio_driver_ops pktio_drv_af_packet = {
	.name = "af_packet",
	.priv_size = sizeof(struct afp_port),
	.open = afp_open,
	.close = afp_close,
	.rx_burst = afp_rx,
	.tx_burst = afp_tx,
	.link_update = afp_link_update,
};
