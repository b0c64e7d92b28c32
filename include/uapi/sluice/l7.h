/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The L7 local hop (bpf/sluice_l7.bpf.c, docs/l7.md): a sockops program
 * on a cgroup (v2) puts both ends of a local TCP connection to a selected
 * service port into a sockhash, keyed by the 4-tuple each end sees; an
 * sk_msg program on that sockhash moves what one end sends straight into
 * the other end's receive queue (bpf_msg_redirect_hash, BPF_F_INGRESS),
 * bypassing the loopback TCP/IP stack.  Anything it cannot redirect takes
 * the normal path, counted under a named fallback reason.
 *
 * Ordering rule (why "sticky"): once one message of a socket has taken
 * the normal path, every later message of that socket takes it too.  A
 * redirected message is read before data waiting in the TCP receive
 * queue, so a redirect after a normal-path send could overtake it.
 */
#ifndef SLUICE_UAPI_L7_H
#define SLUICE_UAPI_L7_H

#include <linux/types.h>

#ifndef SLUICE_L7_MAX_SELECTORS
#define SLUICE_L7_MAX_SELECTORS 64 /* selector ids 1..MAX-1; 0: none */
#endif
#ifndef SLUICE_L7_MAX_SOCKS
#define SLUICE_L7_MAX_SOCKS 65536 /* sockets in the sockhash (2 a connection) */
#endif

/* Pin names under sluiced's pin directory (SLUICE_L7_PIN_DIR/...). */
#define SLUICE_L7_PIN_DIR "l7"
#define SLUICE_L7_SOCKS_PIN "l7_socks"
#define SLUICE_L7_PORTS_PIN "l7_ports"
#define SLUICE_L7_COUNTERS_PIN "l7_counters"
#define SLUICE_L7_LINK_PIN "l7_sockops_link"

/*
 * l7_socks: BPF_MAP_TYPE_SOCKHASH, key the 4-tuple as the socket itself
 * sees it.  IPv4 addresses are written v4-mapped (::ffff:a.b.c.d) so that
 * an AF_INET end and a dual-stack AF_INET6 end of one connection agree.
 * The peer of a socket is found under the same key with local and remote
 * swapped.
 */
struct sluice_l7_key {
	__u8 local_ip[16];  /* network order */
	__u8 remote_ip[16]; /* network order */
	__be16 local_port;
	__be16 remote_port;
};
_Static_assert(sizeof(struct sluice_l7_key) == 36, "sluice_l7_key size");

/* l7_ports: BPF_MAP_TYPE_HASH, key the service port (__u32, host order),
 * value the selector id that counts its connections. */
struct sluice_l7_port {
	__u32 id; /* 1..SLUICE_L7_MAX_SELECTORS-1 */
	__u32 pad;
};
_Static_assert(sizeof(struct sluice_l7_port) == 8, "sluice_l7_port size");

/* Why a message (or, for INSERT, a socket) took the normal path.  An ABI:
 * fixed numbers, append only; the names are the metric labels and the
 * CLI's (SLUICE_L7_FALLBACKS). */
#define SLUICE_L7_FB_NO_PEER                                                   \
	0 /* the other end is not local, not in
				   * the sockhash, or no longer
				   * established (closed, reset) */
#define SLUICE_L7_FB_STICKY                                                    \
	1 /* an earlier message of this socket took
				   * the normal path (ordering rule) */
#define SLUICE_L7_FB_NO_STATE                                                  \
	2 /* no per-socket state (not inserted by
				   * our sockops program) */
#define SLUICE_L7_FB_INSERT                                                    \
	3 /* sockops could not insert the socket
				   * (4-tuple busy, sockhash full) */
#define SLUICE_L7_FB_DISABLED                                                  \
	4 /* the feature is off (l7_config): the
				   * sockets still in the sockhash send the
				   * normal way */
#define SLUICE_L7_FB_COUNT 5

#define SLUICE_L7_FALLBACKS(X)                                                 \
	X(SLUICE_L7_FB_NO_PEER, "no_peer")                                     \
	X(SLUICE_L7_FB_STICKY, "sticky")                                       \
	X(SLUICE_L7_FB_NO_STATE, "no_state")                                   \
	X(SLUICE_L7_FB_INSERT, "insert_failed")                                \
	X(SLUICE_L7_FB_DISABLED, "disabled")

/* l7_counters: BPF_MAP_TYPE_PERCPU_ARRAY of SLUICE_L7_MAX_SELECTORS,
 * indexed by selector id (0 counts messages of sockets without state). */
struct sluice_l7_counter {
	__u64 socks;	      /* sockets inserted into the sockhash */
	__u64 redirect_msgs;  /* sendmsg calls (or chunks) redirected */
	__u64 redirect_bytes; /* their bytes */
	__u64 fb_msgs[SLUICE_L7_FB_COUNT];  /* INSERT: sockets */
	__u64 fb_bytes[SLUICE_L7_FB_COUNT]; /* INSERT: 0 */
};
_Static_assert(sizeof(struct sluice_l7_counter) == 104,
	       "sluice_l7_counter size");

/* l7_config: BPF_MAP_TYPE_ARRAY of one.  A detached sk_msg program stays
 * with the sockets already in the sockhash (each keeps the programs it
 * was given), so turning the feature off clears ENABLED first: their
 * next messages take the normal path, after what was redirected. */
#define SLUICE_L7_F_ENABLED 0x1
struct sluice_l7_config {
	__u32 flags; /* SLUICE_L7_F_* */
	__u32 pad;
};
_Static_assert(sizeof(struct sluice_l7_config) == 8, "sluice_l7_config size");

/* l7_sk: BPF_MAP_TYPE_SK_STORAGE, what sockops decided for a socket. */
#define SLUICE_L7_SK_NORMAL 0x1 /* sticky: the normal path from now on */
struct sluice_l7_sk {
	__u32 id;    /* the selector */
	__u32 flags; /* SLUICE_L7_SK_* */
};
_Static_assert(sizeof(struct sluice_l7_sk) == 8, "sluice_l7_sk size");

#endif
