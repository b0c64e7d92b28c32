// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluice-gen through AF_PACKET (tx_packet.h): used when the kernel refuses
 * live frames (some hardened or virtualised kernels answer EPERM).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include "tx_packet.h"

int tx_packet_open(struct tx_packet *t, int ifindex, const struct gen_frame *f,
		   const unsigned char *frame)
{
	/* protocol 0: a socket that sends only, and receives nothing */
	struct sockaddr_ll ll = { .sll_family = AF_PACKET,
				  .sll_ifindex = ifindex };
	int one = 1, err;

	memset(t, 0, sizeof(*t));
	t->f = f;
	t->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		return -errno;
	if (bind(t->fd, (struct sockaddr *)&ll, sizeof(ll))) {
		err = -errno;
		close(t->fd);
		t->fd = -1;
		return err;
	}
	/* straight to the driver: no qdisc in the way of the rate (a kernel
	 * without the option just queues) */
	(void)setsockopt(t->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
			 sizeof(one));
	for (unsigned int i = 0; i < TX_PACKET_BATCH; i++) {
		memcpy(t->buf[i], frame, f->size);
		t->iov[i].iov_base = t->buf[i];
		t->iov[i].iov_len = f->size;
		t->msg[i].msg_hdr.msg_iov = &t->iov[i];
		t->msg[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

int tx_packet_send(struct tx_packet *t, unsigned long long n,
		   unsigned long long *sent, volatile sig_atomic_t *stop)
{
	while (n && !*stop) {
		unsigned int b = n < TX_PACKET_BATCH ? (unsigned int)n :
						       TX_PACKET_BATCH;
		int r;

		for (unsigned int i = 0; i < b; i++)
			gen_frame_flow(t->f, (t->k + i) % t->f->flows,
				       t->buf[i]);
		r = sendmmsg(t->fd, t->msg, b, 0);
		if (r < 0) {
			if (errno == EINTR || errno == ENOBUFS ||
			    errno == EAGAIN)
				continue; /* a signal, or a full queue */
			return -errno;
		}
		t->k = (t->k + (unsigned int)r) % t->f->flows;
		*sent += (unsigned long long)r;
		n -= (unsigned long long)r;
	}
	return 0;
}

void tx_packet_close(struct tx_packet *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}
