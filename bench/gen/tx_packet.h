/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sluice-gen's second way out: the same frames (gen_frame_flow(), the
 * reference the XDP program is checked against) handed to the interface
 * through an AF_PACKET socket, for kernels that refuse BPF_PROG_RUN with
 * live frames.  Slower (one sendmmsg() per TX_PACKET_BATCH frames, an skb
 * each), but the frames are the same, flow for flow.
 */
#ifndef SLUICE_GEN_TX_PACKET_H
#define SLUICE_GEN_TX_PACKET_H

#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include "gen_args.h"

#define TX_PACKET_BATCH 64

struct tx_packet {
	int fd;
	const struct gen_frame *f;
	unsigned int k; /* the next frame's flow */
	struct mmsghdr msg[TX_PACKET_BATCH];
	struct iovec iov[TX_PACKET_BATCH];
	unsigned char buf[TX_PACKET_BATCH][GEN_SIZE_MAX];
};

/* A socket on @ifindex, each buffer a copy of @frame (f->size bytes):
 * 0, or -errno. */
int tx_packet_open(struct tx_packet *t, int ifindex, const struct gen_frame *f,
		   const unsigned char *frame);
/* Up to @n frames, flows round robin from where the last call stopped;
 * *@sent grows by those the socket took.  Returns early once *@stop is
 * set.  0, or -errno (a full queue is not an error: tried again). */
int tx_packet_send(struct tx_packet *t, unsigned long long n,
		   unsigned long long *sent, volatile sig_atomic_t *stop);
void tx_packet_close(struct tx_packet *t);

#endif
