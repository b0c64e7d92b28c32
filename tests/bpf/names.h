/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The names of the BPF tier's topology (MACs, the sender's addresses),
 * shared by the router's tables (fixtures.c) and the load balancer's
 * (lb_fixtures.c).  MACs are locally administered.
 */
#ifndef SLUICE_TESTS_NAMES_H
#define SLUICE_TESTS_NAMES_H

#define MAC(a, b)                                                              \
	{                                                                      \
		0x02, 0x00, 0x00, 0x00, a, b                                   \
	}
#define MAC_P0 MAC(0x00, 0x10)
#define MAC_P1 MAC(0x01, 0x10)
#define MAC_P2 MAC(0x02, 0x10)
#define MAC_V10 MAC(0x0a, 0x10)
#define MAC_V20 MAC(0x14, 0x10)
#define MAC_V30 MAC(0x1e, 0x10)
#define MAC_H0 MAC(0x00, 0x02) /* the sender on P0 */
#define MAC_GW0 MAC(0x00, 0xfe)
#define MAC_GW1 MAC(0x01, 0xfe)
#define MAC_GW2 MAC(0x02, 0xfe)
#define MAC_H17 MAC(0x01, 0x07) /* an on-link host on P1 */
#define MAC_GW20 MAC(0x14, 0xfe)
#define MAC_GW30 MAC(0x1e, 0xfe)
#define MAC_GWX MAC(0x03, 0xfe)
#define MAC_OTHER MAC(0x99, 0x99)
/* AUX carries GW1's MAC so that a forwarded frame (to GW1) is addressed to
 * AUX again: the cost figure repeats the forward on one buffer. */
#define MAC_AUX MAC_GW1
#define MAC_BCAST                                                              \
	{                                                                      \
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff                             \
	}
#define MAC_MC4                                                                \
	{                                                                      \
		0x01, 0x00, 0x5e, 0x00, 0x00, 0x05                             \
	}
#define MAC_MC6                                                                \
	{                                                                      \
		0x33, 0x33, 0x00, 0x00, 0x00, 0x01                             \
	}

#define H0_4 "198.18.0.2"
#define H0_6 "2001:db8::2"

#endif
