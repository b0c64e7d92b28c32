/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Why a packet got its verdict: every program (router, load balancer,
 * decapsulation, XDP or TC) counts each packet under exactly one reason
 * from this list.  The list is an ABI, like Cilium's drop reasons:
 *
 *  - every reason has a fixed number; numbers are never reused or moved,
 *    new reasons are appended (holes are fine);
 *  - the verdict is a column of the list, never implied by the position;
 *  - the stats map has SLUICE_REASON_SLOTS slots per interface whatever
 *    the number of reasons, so a daemon built with more reasons adopts
 *    the counters a daemon built with fewer left pinned.
 *
 * The same list names the metric labels, the API fields and the CLI
 * output.  X(ID, number, "name", verdict)
 */
#ifndef SLUICE_UAPI_REASONS_H
#define SLUICE_UAPI_REASONS_H

/* Verdict classes: what the reason does with the packet. */
#define SLUICE_V_PASS 0	    /* to the kernel stack, untouched */
#define SLUICE_V_DROP 1	    /* dropped (counted here, nowhere else) */
#define SLUICE_V_REDIRECT 2 /* sent out of another port */
#define SLUICE_V_TX 3	    /* sent back out of the ingress port */

#define SLUICE_REASONS(X)                                                         \
	/* forwards */                                                            \
	X(FWD_REDIRECT, 0, "fwd_redirect", SLUICE_V_REDIRECT)                     \
	X(FWD_TX, 1, "fwd_tx", SLUICE_V_TX) /* out of the ingress port */         \
	X(FWD_LB, 2, "fwd_lb", SLUICE_V_REDIRECT) /* VIP: encapsulated */         \
	X(FWD_LB_TX, 3, "fwd_lb_tx", SLUICE_V_TX)                                 \
	/* handed to the kernel */                                                \
	X(PASS_NOT_IP, 4, "pass_not_ip", SLUICE_V_PASS) /* ARP, LLDP, ... */      \
	X(PASS_ND, 5, "pass_nd", SLUICE_V_PASS) /* ICMPv6 RS/RA/NS/NA/redir */    \
	X(PASS_UNMANAGED_IF, 6, "pass_unmanaged_if", SLUICE_V_PASS)               \
	X(PASS_VLAN_UNKNOWN, 7, "pass_vlan_unknown", SLUICE_V_PASS)               \
	X(PASS_OTHER_HOST, 8, "pass_other_host", SLUICE_V_PASS) /* dst MAC */     \
	X(PASS_MULTICAST, 9, "pass_multicast", SLUICE_V_PASS)                     \
	X(PASS_LINK_LOCAL, 10, "pass_link_local", SLUICE_V_PASS)                  \
	X(PASS_IP_OPTIONS, 11, "pass_ip_options", SLUICE_V_PASS)                  \
	X(PASS_FRAGMENT, 12, "pass_fragment", SLUICE_V_PASS)                      \
	X(PASS_LOCAL, 13, "pass_local", SLUICE_V_PASS) /* to our address */       \
	X(PASS_NO_ROUTE, 14, "pass_no_route", SLUICE_V_PASS)                      \
	X(PASS_KERNEL_ROUTE, 15, "pass_kernel_route", SLUICE_V_PASS)              \
	X(PASS_TTL, 16, "pass_ttl", SLUICE_V_PASS)                                \
	X(PASS_NO_NEIGH, 17, "pass_no_neigh", SLUICE_V_PASS)                      \
	X(PASS_EGRESS_UNMANAGED, 18, "pass_egress_unmanaged", SLUICE_V_PASS)      \
	X(PASS_MTU, 19, "pass_mtu", SLUICE_V_PASS)                                \
	/* malformed or undeliverable: dropped */                                 \
	X(DROP_TRUNC_ETH, 20, "drop_trunc_eth", SLUICE_V_DROP)                    \
	X(DROP_TRUNC_VLAN, 21, "drop_trunc_vlan", SLUICE_V_DROP)                  \
	X(DROP_TRUNC_IP4, 22, "drop_trunc_ip4", SLUICE_V_DROP)                    \
	X(DROP_TRUNC_IP6, 23, "drop_trunc_ip6", SLUICE_V_DROP)                    \
	X(DROP_TRUNC_L4, 24, "drop_trunc_l4", SLUICE_V_DROP)                      \
	X(DROP_BAD_VERSION, 25, "drop_bad_version", SLUICE_V_DROP)                \
	X(DROP_BAD_IHL, 26, "drop_bad_ihl", SLUICE_V_DROP)                        \
	X(DROP_BAD_LEN, 27, "drop_bad_len", SLUICE_V_DROP)                        \
	X(DROP_BAD_CSUM, 28, "drop_bad_csum", SLUICE_V_DROP)                      \
	X(DROP_REDIRECT, 29, "drop_redirect", SLUICE_V_DROP) /* devmap race */    \
	X(DROP_ADJUST, 30, "drop_adjust", SLUICE_V_DROP) /* push/pop failed */    \
	X(DROP_LB_NO_BACKEND, 31, "drop_lb_no_backend", SLUICE_V_DROP)            \
	X(DROP_LB_NO_SOURCE, 32, "drop_lb_no_source", SLUICE_V_DROP)              \
	/* no usable route to the backend, or its next hop's neighbour is not  \
	 * resolved yet (a connected backend's: sluiced asks the kernel) */  \
	X(DROP_LB_NO_ROUTE, 33, "drop_lb_no_route", SLUICE_V_DROP)                \
	/* too big after encapsulation and not answered (an ICMP error about  \
	 * a VIP's flow: no error about an error): dropped; the answered ones  \
	 * are FWD_LB_TOO_BIG */   \
	X(DROP_LB_TOO_BIG, 34, "drop_lb_too_big", SLUICE_V_DROP)                  \
	/* at TC, a tag the stack already took out of the frame */                \
	X(PASS_VLAN_OFFLOADED, 35, "pass_vlan_offloaded", SLUICE_V_PASS)          \
	/* a full-NAT VIP with conntrack off, or a backend of another family */   \
	X(DROP_LB_FULLNAT, 36, "drop_lb_fullnat", SLUICE_V_DROP)                  \
	/* too big after encapsulation: the ICMP fragmentation needed / packet \
	 * too big that replaced it goes back out of the ingress port */  \
	X(FWD_LB_TOO_BIG, 37, "fwd_lb_too_big", SLUICE_V_TX)                      \
	/* the port is held while sluiced starts (SLUICE_IF_HOLD): its rules,  \
	 * VIPs and NAT are not loaded yet; to the kernel, as without sluice */  \
	X(PASS_NOT_READY, 38, "pass_not_ready", SLUICE_V_PASS)                    \
	/* 39..47: free for the router and the load balancer */                   \
	/* decapsulation (sluiced --role backend) */                              \
	X(DECAP_IPIP, 48, "decap_ipip",                                           \
	  SLUICE_V_PASS) /* inner to the stack */                                 \
	X(DECAP_GRE, 49, "decap_gre", SLUICE_V_PASS)                              \
	X(PASS_NOT_ENCAP, 50, "pass_not_encap", SLUICE_V_PASS)                    \
	X(PASS_NOT_LOCAL, 51, "pass_not_local", SLUICE_V_PASS)                    \
	X(PASS_GRE_OPTIONS, 52, "pass_gre_options", SLUICE_V_PASS)                \
	X(DROP_TRUNC, 53, "drop_trunc", SLUICE_V_DROP) /* outer or inner */       \
	X(DROP_BAD_INNER, 54, "drop_bad_inner", SLUICE_V_DROP)                    \
	/* 56..79: connection tracking (bpf/lib/ct.h) */                          \
	/* a new flow refused: the table is full of established entries */        \
	X(DROP_CT_FULL, 56, "drop_ct_full", SLUICE_V_DROP)                        \
	/* TC egress (bpf/sluice_egress.bpf.c): what the host sends */            \
	X(PASS_EGRESS_TRACKED, 57, "pass_egress_tracked", SLUICE_V_PASS)          \
	X(PASS_EGRESS_UNTRACKED, 58, "pass_egress_untracked", SLUICE_V_PASS)      \
	/* 80..95: stateful firewall (bpf/lib/fw.h) */                            \
	X(DROP_FW_RULE, 80, "drop_fw_rule", SLUICE_V_DROP)                        \
	X(DROP_FW_POLICY, 81, "drop_fw_policy", SLUICE_V_DROP)                    \
	/* rejected: the TCP RST or ICMP unreachable that replaced the packet   \
	 * goes back out of the ingress port */ \
	X(FWD_FW_REJECT, 82, "fwd_fw_reject", SLUICE_V_TX)                        \
	/* rejected where no answer may be sent (an ICMP error, a RST, a        \
	 * packet too short to quote): dropped */ \
	X(DROP_FW_REJECT, 83, "drop_fw_reject", SLUICE_V_DROP)                    \
	/* 96..119: DDoS guard (bpf/lib/ddos.h, uapi/sluice/ddos.h) */            \
	X(DROP_DDOS_BLOCKED, 96, "drop_ddos_blocked", SLUICE_V_DROP)              \
	X(DROP_DDOS_RATE, 97, "drop_ddos_rate", SLUICE_V_DROP) /* packets */      \
	X(DROP_DDOS_CONN_RATE, 98, "drop_ddos_conn_rate",                         \
	  SLUICE_V_DROP) /* SYN; with conntrack, a new UDP flow */                \
	/* a SYN to a protected service, answered with a cookie SYN-ACK */        \
	X(FWD_DDOS_SYNCOOKIE, 99, "fwd_ddos_syncookie", SLUICE_V_TX)              \
	X(DROP_DDOS_BAD_COOKIE, 100, "drop_ddos_bad_cookie", SLUICE_V_DROP)       \
	/* conntrack off: an ACK with a valid cookie, to SYNPROXY (ddos.md) */    \
	X(PASS_DDOS_COOKIE_OK, 101, "pass_ddos_cookie_ok", SLUICE_V_PASS)         \
	/* later packets of a connection a cookie opened, both directions */      \
	X(PASS_DDOS_SYNPROXY, 102, "pass_ddos_synproxy", SLUICE_V_PASS)           \
	X(DROP_DDOS_BAD_SYN, 103, "drop_ddos_bad_syn", SLUICE_V_DROP)             \
	/* conntrack on: the valid cookie ACK's entry made (established) */       \
	X(PASS_DDOS_COOKIE_CT, 104, "pass_ddos_cookie_ct", SLUICE_V_PASS)         \
	/* conntrack on: a valid cookie ACK whose entry could not be made     \
	 * (ct's events say why): dropped, as conntrack refuses a new flow */   \
	X(DROP_DDOS_NO_CT_ENTRY, 105, "drop_ddos_no_ct_entry", SLUICE_V_DROP)     \
	/* 120..143: NAT (bpf/lib/nat.h): a new flow refused, never sent \
	 * on untranslated */        \
	X(DROP_NAT_NO_PORT, 120, "drop_nat_no_port", SLUICE_V_DROP)               \
	X(DROP_NAT_NO_ADDRESS, 121, "drop_nat_no_address", SLUICE_V_DROP)         \
	X(DROP_NAT_TAKEN, 122, "drop_nat_taken", SLUICE_V_DROP)                   \
	/* a program of the pipeline missing from its tail-call slot */           \
	X(DROP_TAIL_MISSING, 123, "drop_tail_missing", SLUICE_V_DROP)             \
	/* 128..135: steering (bpf/lib/steer.h): to an AF_XDP socket */           \
	X(FWD_STEER_XSK, 128, "fwd_steer_xsk", SLUICE_V_REDIRECT)                 \
	/* 144..151: second chance (uapi/sluice/lb_second.h) */                   \
	/* VIP: encapsulated, the previous backend carried inside */              \
	X(FWD_LB_SECOND, 144, "fwd_lb_second", SLUICE_V_REDIRECT)                 \
	X(FWD_LB_SECOND_TX, 145, "fwd_lb_second_tx", SLUICE_V_TX)                 \
	/* backend: no socket here, sent back to the hop, to the previous one */  \
	X(FWD_DECAP_SECOND, 146, "fwd_decap_second", SLUICE_V_REDIRECT)           \
	/* backend: a socket here (or a SYN, or not TCP): delivered here */       \
	X(DECAP_SECOND_LOCAL, 147, "decap_second_local", SLUICE_V_PASS)           \
	/* backend: no socket, but one hop more would expire it: delivered */     \
	X(DECAP_SECOND_TTL, 148, "decap_second_ttl", SLUICE_V_PASS)               \
	/* backend: the carried header is malformed */                            \
	X(DROP_SECOND_BAD, 149, "drop_second_bad", SLUICE_V_DROP)

#define SLUICE_REASON_ENUM_(id, num, name, verdict) SLUICE_##id = num,
enum sluice_reason { SLUICE_REASONS(SLUICE_REASON_ENUM_) };
#undef SLUICE_REASON_ENUM_

/* Counter slots per interface in the stats map: room for every reason
 * ever to come, so adding one never resizes a pinned map. */
#define SLUICE_REASON_SLOTS 256

/* A stage that mis-numbers a reason is counted here (never silently). */
#define SLUICE_REASON_INVALID SLUICE_DROP_REDIRECT

#define SLUICE_REASON_CHECK_(id, num, name, verdict)                           \
	_Static_assert(num >= 0 && num < SLUICE_REASON_SLOTS, "reason " name);
SLUICE_REASONS(SLUICE_REASON_CHECK_)
#undef SLUICE_REASON_CHECK_

#endif /* SLUICE_UAPI_REASONS_H */
