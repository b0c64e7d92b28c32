// SPDX-License-Identifier: BSD-2-Clause
/*
 * The memif control channel: one thread per port that listens (master) or
 * connects (slave), runs the handshake of the memif protocol, sets up the
 * shared memory, and tears it down when the peer goes away.
 *
 *   master                         slave
 *   accept        <-- connect --
 *   HELLO          -->             (sizes the rings, creates the region)
 *                  <-- INIT        ACK -->
 *                  <-- ADD_REGION  (memfd passed)  ACK -->
 *                  <-- ADD_RING    (per ring, eventfd passed)  ACK -->
 *                  <-- CONNECT
 *   (maps, checks) CONNECTED -->
 *
 * The slave sends its next message only after the ACK of the previous one,
 * as DPDK's net_memif does.  A slave whose master goes away tries again
 * every second; a master listens again.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "memif_priv.h"

#define HANDSHAKE_MS 5000
#define RECONNECT_MS 1000
#define APP_NAME "sluice-pktio"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void copy_name(uint8_t *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memset(dst, 0, len);
	memcpy(dst, src, n);
}

static void read_name(char *dst, size_t len, const uint8_t *src, size_t slen)
{
	size_t n = strnlen((const char *)src, slen);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	/* the peer's text goes into our logs: printable only */
	for (size_t i = 0; i < n; i++)
		if (dst[i] < 0x20 || dst[i] > 0x7e)
			dst[i] = '?';
}

static int msg_send(int fd, const struct memif_msg *msg, int afd)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = sizeof(*msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	if (afd >= 0) {
		memset(ctl, 0, sizeof(ctl));
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &afd, sizeof(int));
	}
	n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(*msg) ? 0 : -EMSGSIZE;
}

/* One message and the fd passed with it (*afd, -1 if none); any further
 * fds are closed.  -EPIPE when the peer closed. */
static int msg_recv(int fd, struct memif_msg *msg, int *afd)
{
	char ctl[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof(*msg) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	ssize_t n;

	*afd = -1;
	memset(msg, 0, sizeof(*msg));
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		size_t nfd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int f;

			memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(f));
			if (*afd < 0)
				*afd = f;
			else
				close(f);
		}
	}
	if (n == 0)
		return -EPIPE;
	if (n != (ssize_t)sizeof(*msg) || (mh.msg_flags & MSG_TRUNC)) {
		if (*afd >= 0)
			close(*afd);
		*afd = -1;
		return -EBADMSG;
	}
	return 0;
}

static void send_disconnect(struct memif_port *mp, const char *why)
{
	struct memif_msg m = { .type = MEMIF_MSG_DISCONNECT };

	if (mp->conn_fd < 0)
		return;
	copy_name(m.disconnect.string, sizeof(m.disconnect.string), why);
	(void)msg_send(mp->conn_fd, &m, -1);
}

static void first_result(struct memif_port *mp, int err, const char *why)
{
	pthread_mutex_lock(&mp->lock);
	if (!mp->first_done) {
		mp->first_done = true;
		mp->first_err = err;
		snprintf(mp->first_msg, sizeof(mp->first_msg), "%s", why);
		pthread_cond_broadcast(&mp->cond);
	}
	pthread_mutex_unlock(&mp->lock);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void free_script(struct memif_port *mp)
{
	free(mp->script);
	free(mp->script_fds);
	mp->script = NULL;
	mp->script_fds = NULL;
	mp->script_len = mp->script_pos = 0;
}

static void reset_qring(struct memif_qring *r)
{
	close_fd(&r->efd);
	memset(r, 0, sizeof(*r));
	r->efd = -1;
}

/* Stops the data path, waits for every burst to end, then unmaps and
 * closes everything of the connection.  err/why: what the first open()
 * waiting for it is told. */
static void teardown(struct memif_port *mp, int err, const char *why)
{
	bool was_up = __atomic_load_n(&mp->up, __ATOMIC_SEQ_CST);

	__atomic_store_n(&mp->up, 0, __ATOMIC_SEQ_CST);
	for (uint16_t q = 0; q < mp->nqueues; q++)
		for (int d = 0; d < 2; d++)
			while (__atomic_load_n(&mp->q[q].busy[d],
					       __ATOMIC_SEQ_CST))
				sched_yield();
	for (uint16_t q = 0; q < mp->nqueues; q++) {
		reset_qring(&mp->q[q].rx);
		reset_qring(&mp->q[q].tx);
	}
	for (uint16_t i = 0; i < mp->nregions; i++) {
		struct memif_region *r = &mp->regions[i];

		if (r->addr)
			munmap(r->addr, r->size);
		close_fd(&r->fd);
		r->addr = NULL;
		r->size = 0;
	}
	mp->nregions = 0;
	mp->run_s2m = mp->run_m2s = 0;
	free_script(mp);
	close_fd(&mp->conn_fd);
	mp->connecting = false;
	if (was_up)
		pktio_log(PKTIO_LOG_INFO,
			  "port %s: driver memif: disconnected: %s",
			  pktio_port_dev(mp->port), why);
	first_result(mp, err, why);
	mp->deadline_ms =
		mp->role == MEMIF_ROLE_SLAVE ? now_ms() + RECONNECT_MS : 0;
}

/* ---- master ---- */

static void master_accept(struct memif_port *mp)
{
	struct memif_msg m = { .type = MEMIF_MSG_HELLO };
	int fd = accept4(mp->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (mp->conn_fd >= 0) {
		struct memif_msg d = { .type = MEMIF_MSG_DISCONNECT };

		copy_name(d.disconnect.string, sizeof(d.disconnect.string),
			  "Already connected");
		(void)msg_send(fd, &d, -1);
		close(fd);
		return;
	}
	mp->conn_fd = fd;
	mp->connecting = true;
	mp->deadline_ms = now_ms() + HANDSHAKE_MS;
	copy_name(m.hello.name, sizeof(m.hello.name), APP_NAME);
	m.hello.min_version = MEMIF_VERSION;
	m.hello.max_version = MEMIF_VERSION;
	m.hello.max_region = MEMIF_MAX_REGIONS - 1;
	m.hello.max_s2m_ring = (uint16_t)(mp->rings - 1);
	m.hello.max_m2s_ring = (uint16_t)(mp->rings - 1);
	m.hello.max_log2_ring_size = mp->log2_ring;
	if (msg_send(fd, &m, -1))
		teardown(mp, -EPIPE, "could not send HELLO");
}

static const char *master_init(struct memif_port *mp,
			       const struct memif_msg_init *in)
{
	char secret[MEMIF_SECRET_SZ + 1];

	if (in->version != MEMIF_VERSION)
		return "Incompatible memif version";
	if (in->id != mp->id)
		return "ID not found";
	if (in->mode != MEMIF_MODE_ETHERNET)
		return "Only ethernet mode supported";
	read_name(secret, sizeof(secret), in->secret, sizeof(in->secret));
	if (mp->secret[0] && !secret[0])
		return "Secret required";
	if (mp->secret[0] &&
	    strncmp(mp->secret, (const char *)in->secret, MEMIF_SECRET_SZ))
		return "Incorrect secret";
	read_name(mp->remote_name, sizeof(mp->remote_name), in->name,
		  sizeof(in->name));
	return NULL;
}

static const char *master_add_region(struct memif_port *mp,
				     const struct memif_msg_add_region *ar,
				     int *afd)
{
	struct memif_region *r;
	struct stat st;

	if (*afd < 0)
		return "Missing region fd";
	if (ar->index != mp->nregions || ar->index >= MEMIF_MAX_REGIONS)
		return "Invalid region index";
	/* a region larger than its file would fault when touched */
	if (fstat(*afd, &st) || (uint64_t)st.st_size < ar->size || !ar->size)
		return "Invalid region size";
	r = &mp->regions[mp->nregions++];
	r->fd = *afd;
	r->size = ar->size;
	r->addr = NULL;
	*afd = -1;
	return NULL;
}

static const char *master_add_ring(struct memif_port *mp,
				   const struct memif_msg_add_ring *ar,
				   int *afd)
{
	bool s2m = ar->flags & MEMIF_ADD_RING_FLAG_S2M;
	struct memif_qring *r;

	if (ar->index >= mp->rings || ar->index >= mp->nqueues)
		return "Invalid ring index";
	if (ar->log2_ring_size > MEMIF_MAX_LOG2_RING || !ar->log2_ring_size)
		return "Invalid ring size";
	if (ar->private_hdr_size)
		return "Private headers not supported";
	/* the slave's S2M rings are what the master receives */
	r = s2m ? &mp->q[ar->index].rx : &mp->q[ar->index].tx;
	if (r->announced)
		return "Ring announced twice";
	r->announced = true;
	r->region = ar->region;
	r->offset = ar->offset;
	r->log2 = ar->log2_ring_size;
	r->efd = *afd; /* may be -1: then never signalled */
	*afd = -1;
	return NULL;
}

static const char *map_ring(struct memif_port *mp, struct memif_qring *r,
			    bool rx)
{
	struct memif_region *reg;
	uint16_t size;

	if (r->region >= mp->nregions)
		return "Ring in an unknown region";
	reg = &mp->regions[r->region];
	if ((uint64_t)r->offset + memif_ring_bytes(r->log2) > reg->size ||
	    r->offset % 64)
		return "Ring outside its region";
	r->ring = (struct memif_ring *)(reg->addr + r->offset);
	if (r->ring->cookie != MEMIF_COOKIE) {
		r->ring = NULL;
		return "Wrong ring cookie";
	}
	size = (uint16_t)(1u << r->log2);
	r->size = size;
	r->mask = (uint16_t)(size - 1);
	r->last = 0;
	__atomic_store_n(&r->ring->head, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&r->ring->tail, 0, __ATOMIC_RELAXED);
	/* we poll the rings we receive from */
	if (rx)
		r->ring->flags = MEMIF_RING_FLAG_MASK_INT;
	return NULL;
}

static const char *master_connect(struct memif_port *mp,
				  const struct memif_msg_connect *c)
{
	const char *why;

	for (uint16_t i = 0; i < mp->nregions; i++) {
		struct memif_region *reg = &mp->regions[i];
		void *a = mmap(NULL, reg->size, PROT_READ | PROT_WRITE,
			       MAP_SHARED, reg->fd, 0);

		if (a == MAP_FAILED)
			return "Region mmap failed";
		reg->addr = a;
	}
	for (uint16_t q = 0; q < mp->nqueues; q++) {
		if (mp->q[q].rx.announced) {
			why = map_ring(mp, &mp->q[q].rx, true);
			if (why)
				return why;
			mp->run_s2m++;
		}
		if (mp->q[q].tx.announced) {
			why = map_ring(mp, &mp->q[q].tx, false);
			if (why)
				return why;
			mp->run_m2s++;
		}
	}
	if (!mp->run_s2m && !mp->run_m2s)
		return "No rings";
	read_name(mp->remote_if, sizeof(mp->remote_if), c->if_name,
		  sizeof(c->if_name));
	return NULL;
}

static void connected(struct memif_port *mp)
{
	mp->connecting = false;
	mp->deadline_ms = 0;
	mp->connects++;
	__atomic_store_n(&mp->up, 1, __ATOMIC_SEQ_CST);
	pktio_log(
		PKTIO_LOG_INFO,
		"port %s: driver memif: connected to %s (%s) as %s, %u+%u rings of %u",
		pktio_port_dev(mp->port), mp->remote_if, mp->remote_name,
		mp->role == MEMIF_ROLE_MASTER ? "master" : "slave", mp->run_s2m,
		mp->run_m2s, 1u << mp->run_log2);
	first_result(mp, 0, "");
}

static void master_msg(struct memif_port *mp, const struct memif_msg *m,
		       int *afd)
{
	struct memif_msg reply = { .type = MEMIF_MSG_ACK };
	const char *why = NULL;

	switch (m->type) {
	case MEMIF_MSG_INIT: why = master_init(mp, &m->init); break;
	case MEMIF_MSG_ADD_REGION:
		why = master_add_region(mp, &m->add_region, afd);
		break;
	case MEMIF_MSG_ADD_RING:
		why = master_add_ring(mp, &m->add_ring, afd);
		break;
	case MEMIF_MSG_CONNECT:
		why = master_connect(mp, &m->connect);
		if (!why) {
			reply.type = MEMIF_MSG_CONNECTED;
			copy_name(reply.connect.if_name,
				  sizeof(reply.connect.if_name),
				  pktio_port_name(mp->port));
		}
		break;
	case MEMIF_MSG_ACK: return;
	default: why = "Unexpected message"; break;
	}
	if (why) {
		pktio_log(PKTIO_LOG_WARN,
			  "port %s: driver memif: refused the slave: %s",
			  pktio_port_dev(mp->port), why);
		send_disconnect(mp, why);
		teardown(mp, -ECONNRESET, why);
		return;
	}
	if (msg_send(mp->conn_fd, &reply, -1)) {
		teardown(mp, -EPIPE, "the slave went away");
		return;
	}
	if (reply.type == MEMIF_MSG_CONNECTED) {
		/* ring indexes in use: the slave's, as announced */
		mp->run_log2 = mp->q[0].rx.log2 ? mp->q[0].rx.log2 :
						  mp->q[0].tx.log2;
		connected(mp);
	}
}

/* ---- slave ---- */

socklen_t memif_sock_addr(const struct memif_port *mp, struct sockaddr_un *sun)
{
	size_t n = strlen(mp->sock_path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, mp->sock_path, n);
	/* an abstract name is exactly its bytes after a NUL: the length
	 * says where it ends, as DPDK's net_memif does it */
	if (mp->sock_path[0] == '@') {
		sun->sun_path[0] = '\0';
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	return sizeof(*sun);
}

int memif_slave_connect(struct memif_port *mp)
{
	struct sockaddr_un sun;
	socklen_t len = memif_sock_addr(mp, &sun);
	int fd, err;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, len)) {
		err = -errno;
		close(fd);
		return err;
	}
	mp->conn_fd = fd;
	mp->connecting = true;
	mp->deadline_ms = now_ms() + HANDSHAKE_MS;
	return 0;
}

static const char *slave_region(struct memif_port *mp, size_t *buf_off)
{
	struct memif_region *r = &mp->regions[0];
	unsigned int nrings = mp->run_s2m + mp->run_m2s;
	uint64_t size;

	*buf_off = (nrings * memif_ring_bytes(mp->run_log2) + 4095) & ~4095ul;
	size = *buf_off +
	       (uint64_t)nrings * (1u << mp->run_log2) * mp->buf_size;
	/* descriptor offsets are 32-bit */
	if (size > UINT32_MAX)
		return "Region above 4 GiB: fewer rings, smaller rings or buffers";
	r->fd = memfd_create("memif_region_0", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (r->fd < 0)
		return "memfd_create failed";
	if (fcntl(r->fd, F_ADD_SEALS, F_SEAL_SHRINK) ||
	    ftruncate(r->fd, (off_t)size))
		return "Region sizing failed";
	r->addr =
		mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->addr == MAP_FAILED) {
		r->addr = NULL;
		return "Region mmap failed";
	}
	r->size = size;
	mp->nregions = 1;
	return NULL;
}

/* Ring number n of the region (S2M ones first), holding buffers from
 * slot n * size on. */
static const char *slave_ring(struct memif_port *mp, struct memif_qring *r,
			      unsigned int n, size_t buf_off)
{
	struct memif_region *reg = &mp->regions[0];
	uint16_t size = (uint16_t)(1u << mp->run_log2);

	r->offset = (uint32_t)(n * memif_ring_bytes(mp->run_log2));
	r->ring = (struct memif_ring *)(reg->addr + r->offset);
	r->size = size;
	r->mask = (uint16_t)(size - 1);
	r->log2 = mp->run_log2;
	r->last = 0;
	r->buf0 = (uint32_t)(buf_off + (size_t)n * size * mp->buf_size);
	r->ring->cookie = MEMIF_COOKIE;
	r->ring->flags = 0;
	r->ring->head = 0;
	r->ring->tail = 0;
	for (uint16_t j = 0; j < size; j++) {
		r->ring->desc[j].region = 0;
		r->ring->desc[j].offset = r->buf0 + (uint32_t)j * mp->buf_size;
		r->ring->desc[j].length = mp->buf_size;
		r->ring->desc[j].flags = 0;
	}
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return r->efd < 0 ? "eventfd failed" : NULL;
}

static const char *slave_hello(struct memif_port *mp,
			       const struct memif_msg_hello *h)
{
	unsigned int n = 0, len;
	const char *why;
	size_t buf_off;
	struct memif_msg *s;

	if (h->min_version > MEMIF_VERSION || h->max_version < MEMIF_VERSION)
		return "Incompatible memif version";
	read_name(mp->remote_name, sizeof(mp->remote_name), h->name,
		  sizeof(h->name));
	mp->run_s2m = (uint16_t)(h->max_s2m_ring + 1u < mp->rings ?
					 h->max_s2m_ring + 1u :
					 mp->rings);
	mp->run_m2s = (uint16_t)(h->max_m2s_ring + 1u < mp->rings ?
					 h->max_m2s_ring + 1u :
					 mp->rings);
	mp->run_log2 = h->max_log2_ring_size < mp->log2_ring ?
			       h->max_log2_ring_size :
			       mp->log2_ring;
	if (!mp->run_log2)
		return "Master allows no ring size";
	why = slave_region(mp, &buf_off);
	if (why)
		return why;
	for (uint16_t i = 0; i < mp->run_s2m; i++, n++) {
		why = slave_ring(mp, &mp->q[i].tx, n, buf_off);
		if (why)
			return why;
	}
	for (uint16_t i = 0; i < mp->run_m2s; i++, n++) {
		why = slave_ring(mp, &mp->q[i].rx, n, buf_off);
		if (why)
			return why;
	}

	/* INIT, ADD_REGION, ADD_RING per ring, CONNECT */
	len = 3 + mp->run_s2m + mp->run_m2s;
	mp->script = calloc(len, sizeof(*mp->script));
	mp->script_fds = calloc(len, sizeof(int));
	if (!mp->script || !mp->script_fds)
		return "Out of memory";
	for (unsigned int i = 0; i < len; i++)
		mp->script_fds[i] = -1;
	s = mp->script;
	s[0].type = MEMIF_MSG_INIT;
	s[0].init.version = MEMIF_VERSION;
	s[0].init.id = mp->id;
	s[0].init.mode = MEMIF_MODE_ETHERNET;
	memcpy(s[0].init.secret, mp->secret, sizeof(s[0].init.secret));
	copy_name(s[0].init.name, sizeof(s[0].init.name), APP_NAME);
	s[1].type = MEMIF_MSG_ADD_REGION;
	s[1].add_region.index = 0;
	s[1].add_region.size = mp->regions[0].size;
	mp->script_fds[1] = mp->regions[0].fd;
	n = 2;
	for (int dir = 0; dir < 2; dir++) {
		uint16_t cnt = dir == 0 ? mp->run_s2m : mp->run_m2s;

		for (uint16_t i = 0; i < cnt; i++, n++) {
			struct memif_qring *r = dir == 0 ? &mp->q[i].tx :
							   &mp->q[i].rx;

			s[n].type = MEMIF_MSG_ADD_RING;
			s[n].add_ring.flags =
				dir == 0 ? MEMIF_ADD_RING_FLAG_S2M : 0;
			s[n].add_ring.index = i;
			s[n].add_ring.region = 0;
			s[n].add_ring.offset = r->offset;
			s[n].add_ring.log2_ring_size = mp->run_log2;
			mp->script_fds[n] = r->efd;
		}
	}
	s[n].type = MEMIF_MSG_CONNECT;
	copy_name(s[n].connect.if_name, sizeof(s[n].connect.if_name),
		  pktio_port_name(mp->port));
	mp->script_len = len;
	mp->script_pos = 0;
	return NULL;
}

static const char *slave_send_next(struct memif_port *mp)
{
	unsigned int i = mp->script_pos;

	if (i >= mp->script_len)
		return "Unexpected ACK";
	if (msg_send(mp->conn_fd, &mp->script[i], mp->script_fds[i]))
		return "Could not send to the master";
	mp->script_pos++;
	return NULL;
}

/* CONNECTED: the master has mapped the rings; start afresh from slot 0
 * and give the master every M2S buffer. */
static void slave_start(struct memif_port *mp)
{
	for (uint16_t q = 0; q < mp->nqueues; q++) {
		struct memif_qring *tx = &mp->q[q].tx, *rx = &mp->q[q].rx;

		if (tx->ring) {
			__atomic_store_n(&tx->ring->head, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&tx->ring->tail, 0, __ATOMIC_RELAXED);
		}
		if (rx->ring) {
			rx->ring->flags = MEMIF_RING_FLAG_MASK_INT;
			__atomic_store_n(&rx->ring->tail, 0, __ATOMIC_RELAXED);
			rx->last = 0;
			__atomic_store_n(&rx->ring->head, rx->size,
					 __ATOMIC_RELEASE);
		}
	}
	free_script(mp);
}

static void slave_msg(struct memif_port *mp, const struct memif_msg *m)
{
	const char *why = NULL;
	char reason[MEMIF_DISC_SZ + 1];

	switch (m->type) {
	case MEMIF_MSG_HELLO:
		if (mp->script || __atomic_load_n(&mp->up, __ATOMIC_RELAXED)) {
			why = "Unexpected HELLO";
			break;
		}
		why = slave_hello(mp, &m->hello);
		if (!why)
			why = slave_send_next(mp);
		break;
	case MEMIF_MSG_ACK: why = slave_send_next(mp); break;
	case MEMIF_MSG_CONNECTED:
		if (!mp->script || mp->script_pos != mp->script_len) {
			why = "Unexpected CONNECTED";
			break;
		}
		read_name(mp->remote_if, sizeof(mp->remote_if),
			  m->connect.if_name, sizeof(m->connect.if_name));
		slave_start(mp);
		connected(mp);
		return;
	case MEMIF_MSG_DISCONNECT:
		read_name(reason, sizeof(reason), m->disconnect.string,
			  sizeof(m->disconnect.string));
		char text[160];

		snprintf(text, sizeof(text), "the master disconnected: %s",
			 reason);
		teardown(mp, -ECONNREFUSED, text);
		return;
	default: why = "Unexpected message"; break;
	}
	if (why) {
		send_disconnect(mp, why);
		teardown(mp, -EPROTO, why);
	}
}

/* ---- the thread ---- */

static void conn_event(struct memif_port *mp)
{
	struct memif_msg m;
	int afd, err;
	char text[160];

	err = msg_recv(mp->conn_fd, &m, &afd);
	if (err == -EAGAIN || err == -EINTR)
		return;
	if (err) {
		snprintf(text, sizeof(text), "the %s closed the connection%s",
			 mp->role == MEMIF_ROLE_MASTER ? "slave" : "master",
			 err == -EBADMSG ? " (bad message size)" : "");
		teardown(mp, -ECONNRESET, text);
		return;
	}
	if (mp->role == MEMIF_ROLE_MASTER) {
		if (m.type == MEMIF_MSG_DISCONNECT) {
			read_name(text, sizeof(text), m.disconnect.string,
				  sizeof(m.disconnect.string));
			teardown(mp, -ECONNRESET, text);
		} else {
			master_msg(mp, &m, &afd);
		}
	} else {
		slave_msg(mp, &m);
	}
	if (afd >= 0)
		close(afd); /* an fd no message kept */
}

static void deadline(struct memif_port *mp)
{
	if (mp->connecting) {
		send_disconnect(mp, "Handshake timed out");
		teardown(mp, -ETIMEDOUT, "the handshake timed out");
		return;
	}
	mp->deadline_ms = 0;
	if (mp->role == MEMIF_ROLE_SLAVE && mp->conn_fd < 0 &&
	    memif_slave_connect(mp))
		mp->deadline_ms = now_ms() + RECONNECT_MS;
}

static void *ctl_thread(void *arg)
{
	struct memif_port *mp = arg;

	for (;;) {
		struct pollfd pf[3];
		int n = 0, timeout = -1, ilisten = -1, iconn = -1;

		pf[n++] =
			(struct pollfd){ .fd = mp->stop_fd, .events = POLLIN };
		if (mp->listen_fd >= 0) {
			ilisten = n;
			pf[n++] = (struct pollfd){ .fd = mp->listen_fd,
						   .events = POLLIN };
		}
		if (mp->conn_fd >= 0) {
			iconn = n;
			pf[n++] = (struct pollfd){ .fd = mp->conn_fd,
						   .events = POLLIN };
		}
		if (mp->deadline_ms) {
			int64_t left = mp->deadline_ms - now_ms();

			timeout = left > 0 ? (int)left : 0;
		}
		if (poll(pf, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[0].revents)
			break;
		if (iconn >= 0 && pf[iconn].revents)
			conn_event(mp);
		if (ilisten >= 0 && (pf[ilisten].revents & POLLIN))
			master_accept(mp);
		if (mp->deadline_ms && now_ms() >= mp->deadline_ms)
			deadline(mp);
	}
	return NULL;
}

int memif_ctl_start(struct memif_port *mp)
{
	int err;

	mp->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (mp->stop_fd < 0)
		return -errno;
	err = pthread_create(&mp->thread, NULL, ctl_thread, mp);
	if (err) {
		close_fd(&mp->stop_fd);
		return -err;
	}
	mp->thread_started = true;
	return 0;
}

/* Stops the thread, says goodbye to the peer and frees the connection. */
void memif_ctl_stop(struct memif_port *mp)
{
	uint64_t one = 1;

	if (mp->thread_started) {
		if (write(mp->stop_fd, &one, sizeof(one)) != sizeof(one))
			pktio_log(
				PKTIO_LOG_WARN,
				"port %s: driver memif: cannot stop its thread",
				pktio_port_dev(mp->port));
		pthread_join(mp->thread, NULL);
		mp->thread_started = false;
	}
	send_disconnect(mp, "Port closed");
	teardown(mp, -ECANCELED, "the port was closed");
	close_fd(&mp->stop_fd);
}
