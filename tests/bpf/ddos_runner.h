/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the DDoS guard's rows share (ddos_runner.c, ddos_ct_runner.c): the
 * protected service, TCP frames to and from it, one checked run.
 */
#ifndef SLUICE_TESTS_DDOS_RUNNER_H
#define SLUICE_TESTS_DDOS_RUNNER_H

#include <stdbool.h>
#include <linux/types.h>
#include <uapi/sluice/ddos.h>
#include "pktbuild.h"
#include "runner.h"

#define SVC4 "198.19.0.5"
#define SVC6 "2001:db8:100::5"
#define SVC_PORT 80
#define CLIENT_SEQ 0x01020304u /* what pkt_build puts in seq */
#define MSS4 1460 /* the client's; in the kernel's v4 cookie table */
#define MSS6 1440 /* in the v6 table */

/* A TCP frame from H0 (or to it, @reverse) with its flags, seq, ack and,
 * when @mss, an MSS option; every checksum from scratch. */
struct tcp_frame {
	bool v6;
	bool reverse; /* from the service to H0, into P1 */
	__u16 client_port;
	__u8 flags;
	__u32 seq, ack;
	__u16 mss;
	__u16 window;
	bool reply; /* the SYN-ACK sluice sends: to H0 out of P0 */
	/* with .mss: SACK permitted, timestamps and a window scale too
	 * (a Linux client's SYN; the SYN-ACK's own order otherwise) */
	bool ts;
	__u32 tsval, tsecr;
	__u8 wscale;
};

int tcp_build(const struct tcp_frame *tf, struct frame *f);
/* One run of @in on @ingress: the verdict, exactly one packet under
 * @reason on the ingress port's slot, and the output (@exp, or the input
 * itself when NULL).  Through the TC program when e->at_tc (the TC
 * action that carries out @verdict). */
bool run_check(struct env *e, int ingress, const struct frame *in,
	       __u32 verdict, int reason, const struct frame *exp);
/* @fx as it is when the guard drops it under @reason: byte for byte. */
bool run_dropped(struct env *e, const struct fixture *fx, int reason);
/* ddos_config with only a limit (@which < 0: none), or only cookies. */
bool set_limit(struct env *e, int which, __u8 plen, __u32 pps, __u32 burst);
bool set_cookies(struct env *e, __u32 mode, __u32 threshold, __u32 hold_s);
int service_key(bool v6, struct sluice_ddos_service_key *k);
/* The SYN from H0:@port gets the exact cookie SYN-ACK; *@cookie.  At TC
 * when e->at_tc. */
bool synack_ok(struct env *e, bool v6, __u16 port, __u32 *cookie);
/* An ACK from H0:@port with @seq and @ack: @verdict under @reason, the
 * frame unchanged. */
bool ack_run(struct env *e, bool v6, __u16 port, __u32 seq, __u32 ack,
	     __u32 verdict, int reason);

/* ddos_ct_runner.c: the guard joined to conntrack and the host's sockets */
void ddos_ct_run_all(struct env *e);

#endif
