/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A VIP's text id, "198.18.100.1:80/tcp" or "[2001:db8::1]:443/udp", to
 * and from its map key: the one spelling sluiced's API, config and state
 * file and sluicectl's arguments use.  Pure: no I/O, no BPF.
 */
#ifndef SLUICE_VIP_ID_H
#define SLUICE_VIP_ID_H

#include <stddef.h>
#include <uapi/sluice/lb.h>

/* What vip_id_parse() says when @s has no id's shape at all (a caller that
 * takes other spellings too extends it). */
#define VIP_ID_EXPECTED "expected ADDR:PORT/PROTO or [ADDR]:PORT/PROTO"

/*
 * "ADDR:PORT/PROTO" (IPv4) or "[ADDR]:PORT/PROTO" (IPv6) into @k: port in
 * network order, 0 meaning every port; PROTO tcp or udp; an IPv4 address
 * in the first 4 bytes, the rest zero.  PORT is 1 to 6 decimal digits.
 * 0, or -EINVAL with the reason in @why when @why is not NULL
 * ("port '8x' is not 0..65535"; the caller names the VIP).
 */
int vip_id_parse(const char *s, struct sluice_vip_key *k, char *why,
		 size_t whylen);

/* The canonical id of @k into @buf (56 bytes hold any), which it returns. */
const char *vip_id_str(const struct sluice_vip_key *k, char *buf, size_t len);

#endif
