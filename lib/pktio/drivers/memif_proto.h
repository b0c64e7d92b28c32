/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The memif wire format (version 2.0), as libmemif and DPDK's net_memif
 * speak it: 128-byte control messages on a SOCK_SEQPACKET unix socket, a
 * file descriptor passed with some of them (SCM_RIGHTS), and rings of
 * 16-byte descriptors in shared memory.  Our own definitions; the offsets
 * are checked below so that a compiler change cannot move a field.
 *
 * Roles: the slave (DPDK: client) creates the shared memory and the rings
 * and sends them to the master (server), which maps them.  S2M rings carry
 * packets from slave to master, M2S rings from master to slave.  On an S2M
 * ring the slave produces at head and the master consumes up to head and
 * gives slots back by moving tail.  On an M2S ring the slave offers empty
 * buffers by moving head, the master fills them and moves tail, and the
 * slave reads up to tail.  head and tail are free-running 16-bit counters.
 */
#ifndef SLUICE_PKTIO_MEMIF_PROTO_H
#define SLUICE_PKTIO_MEMIF_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define MEMIF_COOKIE 0x3E31F20u
#define MEMIF_VERSION ((2u << 8) | 0u)
#define MEMIF_NAME_SZ 32
#define MEMIF_SECRET_SZ 24
#define MEMIF_DISC_SZ 96
#define MEMIF_MSG_SZ 128
#define MEMIF_MAX_LOG2_RING 14

enum memif_msg_type {
	MEMIF_MSG_NONE = 0,
	MEMIF_MSG_ACK = 1,
	MEMIF_MSG_HELLO = 2,
	MEMIF_MSG_INIT = 3,
	MEMIF_MSG_ADD_REGION = 4,
	MEMIF_MSG_ADD_RING = 5,
	MEMIF_MSG_CONNECT = 6,
	MEMIF_MSG_CONNECTED = 7,
	MEMIF_MSG_DISCONNECT = 8,
};

#define MEMIF_MODE_ETHERNET 0
#define MEMIF_ADD_RING_FLAG_S2M 1u
#define MEMIF_DESC_FLAG_NEXT 1u
/* set by a ring's receiver: "I poll, do not signal the eventfd" */
#define MEMIF_RING_FLAG_MASK_INT 1u

struct memif_msg_hello {
	uint8_t name[MEMIF_NAME_SZ];
	uint16_t min_version;
	uint16_t max_version;
	uint16_t max_region;   /* highest region index */
	uint16_t max_m2s_ring; /* highest ring index, per direction */
	uint16_t max_s2m_ring;
	uint8_t max_log2_ring_size;
} __attribute__((packed));

struct memif_msg_init {
	uint16_t version;
	uint32_t id;
	uint8_t mode;
	uint8_t secret[MEMIF_SECRET_SZ];
	uint8_t name[MEMIF_NAME_SZ];
} __attribute__((packed));

struct memif_msg_add_region {
	uint16_t index;
	uint64_t size;
} __attribute__((packed));

struct memif_msg_add_ring {
	uint16_t flags;
	uint16_t index;
	uint16_t region;
	uint32_t offset;
	uint8_t log2_ring_size;
	uint16_t private_hdr_size;
} __attribute__((packed));

struct memif_msg_connect {
	uint8_t if_name[MEMIF_NAME_SZ];
} __attribute__((packed));

struct memif_msg_disconnect {
	uint32_t code;
	uint8_t string[MEMIF_DISC_SZ];
} __attribute__((packed));

struct memif_msg {
	uint16_t type;
	union {
		struct memif_msg_hello hello;
		struct memif_msg_init init;
		struct memif_msg_add_region add_region;
		struct memif_msg_add_ring add_ring;
		struct memif_msg_connect connect;
		struct memif_msg_disconnect disconnect;
		uint8_t raw[MEMIF_MSG_SZ - 2];
	};
} __attribute__((packed));

struct memif_desc {
	uint16_t flags;
	uint16_t region;
	uint32_t length;
	uint32_t offset;
	uint32_t metadata;
} __attribute__((packed));

/* Three cache lines: cookie/flags/head, tail, then the descriptors. */
struct memif_ring {
	uint32_t cookie;
	uint16_t flags;
	uint16_t head;
	uint8_t pad0[56];
	uint16_t tail;
	uint8_t pad1[62];
	struct memif_desc desc[];
};

static inline size_t memif_ring_bytes(unsigned int log2_size)
{
	return sizeof(struct memif_ring) +
	       sizeof(struct memif_desc) * ((size_t)1 << log2_size);
}

_Static_assert(sizeof(struct memif_msg) == MEMIF_MSG_SZ, "memif msg size");
_Static_assert(offsetof(struct memif_msg, hello.max_log2_ring_size) == 44,
	       "hello layout");
_Static_assert(offsetof(struct memif_msg, init.secret) == 9, "init layout");
_Static_assert(offsetof(struct memif_msg, init.name) == 33, "init layout");
_Static_assert(offsetof(struct memif_msg, add_region.size) == 4,
	       "add_region layout");
_Static_assert(offsetof(struct memif_msg, add_ring.log2_ring_size) == 12,
	       "add_ring layout");
_Static_assert(offsetof(struct memif_msg, add_ring.private_hdr_size) == 13,
	       "add_ring layout");
_Static_assert(offsetof(struct memif_msg, disconnect.string) == 6,
	       "disconnect layout");
_Static_assert(sizeof(struct memif_desc) == 16, "memif desc size");
_Static_assert(offsetof(struct memif_ring, head) == 6, "ring head");
_Static_assert(offsetof(struct memif_ring, tail) == 64, "ring tail");
_Static_assert(offsetof(struct memif_ring, desc) == 128, "ring desc");

#endif
