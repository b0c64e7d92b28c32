// SPDX-License-Identifier: BSD-2-Clause
/* Connection tracking scenarios: see ct_fixtures.h. */
#include <linux/bpf.h>
#include <netinet/in.h>
#include "ct_fixtures.h"
#include "names.h"

#define CLI4 "198.19.5.10"
#define SRV4 "198.19.0.5"
#define RTR4 "198.19.0.254" /* a router on the server's side */
#define CLI6 "2001:db8:105::10"
#define SRV6 "2001:db8:100::5"

#define SYN 0x02
#define SYNACK 0x12
#define ACK 0x10
#define FINACK 0x11
#define RST 0x04
#define PSHACK 0x18

/* client -> server: in on P0, out of P1 to its gateway */
#define IN_C2S(L3, C, S, l4p, fl, n, it, cp_, sp_)                             \
	.ingress = IFX_P0,                                                     \
	.in = { .dst = MAC_P0,                                                 \
		.src = MAC_GW0,                                                \
		.l3 = L3,                                                      \
		.saddr = C,                                                    \
		.daddr = S,                                                    \
		.l4 = l4p,                                                     \
		.sport = cp_,                                                  \
		.dport = sp_,                                                  \
		.tcp_flags = fl,                                               \
		.payload = n,                                                  \
		.icmp_type = it },                                             \
	.verdict = XDP_REDIRECT, .reason = SLUICE_FWD_REDIRECT,                \
	.routed = true, .out = { .dst = MAC_GW1, .src = MAC_P1 }
/* server -> client: in on P1, back out of P0 */
#define IN_S2C(L3, S, C, l4p, fl, n, it, sp_, cp_)                             \
	.ingress = IFX_P1,                                                     \
	.in = { .dst = MAC_P1,                                                 \
		.src = MAC_GW1,                                                \
		.l3 = L3,                                                      \
		.saddr = S,                                                    \
		.daddr = C,                                                    \
		.l4 = l4p,                                                     \
		.sport = sp_,                                                  \
		.dport = cp_,                                                  \
		.tcp_flags = fl,                                               \
		.payload = n,                                                  \
		.icmp_type = it },                                             \
	.verdict = XDP_REDIRECT, .reason = SLUICE_FWD_REDIRECT,                \
	.routed = true, .out = { .dst = MAC_GW0, .src = MAC_P0 }
#define C2S4(l4p, fl, n)                                                       \
	IN_C2S(PKT_L3_IP4, CLI4, SRV4, l4p, fl, n, 0, 40000, 80)
#define S2C4(l4p, fl, n)                                                       \
	IN_S2C(PKT_L3_IP4, SRV4, CLI4, l4p, fl, n, 0, 80, 40000)
#define C2S6(l4p, fl, n)                                                       \
	IN_C2S(PKT_L3_IP6, CLI6, SRV6, l4p, fl, n, 0, 40000, 80)
#define S2C6(l4p, fl, n)                                                       \
	IN_S2C(PKT_L3_IP6, SRV6, CLI6, l4p, fl, n, 0, 80, 40000)
/* the v6 flow behind a destination-options header (l3.h
 * ip6_ext_walk()): the client's packets, and the server's with a routing
 * header too */
#define C2S6_DO(l4p, fl, n)                                                    \
	.ingress = IFX_P0,                                                     \
	.in = { .dst = MAC_P0,                                                 \
		.src = MAC_GW0,                                                \
		.l3 = PKT_L3_IP6,                                              \
		.saddr = CLI6,                                                 \
		.daddr = SRV6,                                                 \
		.l4 = l4p,                                                     \
		.sport = 40000,                                                \
		.dport = 80,                                                   \
		.tcp_flags = fl,                                               \
		.payload = n,                                                  \
		.dst_opts = 1 },                                               \
	.verdict = XDP_REDIRECT, .reason = SLUICE_FWD_REDIRECT,                \
	.routed = true, .out = { .dst = MAC_GW1, .src = MAC_P1 }
#define S2C6_DO(l4p, fl, n)                                                    \
	.ingress = IFX_P1,                                                     \
	.in = { .dst = MAC_P1,                                                 \
		.src = MAC_GW1,                                                \
		.l3 = PKT_L3_IP6,                                              \
		.saddr = SRV6,                                                 \
		.daddr = CLI6,                                                 \
		.l4 = l4p,                                                     \
		.sport = 80,                                                   \
		.dport = 40000,                                                \
		.tcp_flags = fl,                                               \
		.payload = n,                                                  \
		.dst_opts = 1,                                                 \
		.routing = 1 },                                                \
	.verdict = XDP_REDIRECT, .reason = SLUICE_FWD_REDIRECT,                \
	.routed = true, .out = { .dst = MAC_GW0, .src = MAC_P0 }
/* echo: the identifier is sport (77), the sequence dport */
#define ECHO4_C2S(type)                                                        \
	IN_C2S(PKT_L3_IP4, CLI4, SRV4, IPPROTO_ICMP, 0, 8, type, 77, 1)
#define ECHO4_S2C(type)                                                        \
	IN_S2C(PKT_L3_IP4, SRV4, CLI4, IPPROTO_ICMP, 0, 8, type, 77, 1)
#define ECHO6_C2S(type)                                                        \
	IN_C2S(PKT_L3_IP6, CLI6, SRV6, IPPROTO_ICMPV6, 0, 8, type, 77, 1)
#define ECHO6_S2C(type)                                                        \
	IN_S2C(PKT_L3_IP6, SRV6, CLI6, IPPROTO_ICMPV6, 0, 8, type, 77, 1)

#define STEP(nm, dirp, l4p, fl, n, st, ev)                                     \
	{                                                                      \
		.fx = { .name = nm, dirp(l4p, fl, n) },                        \
		.state = SLUICE_CT_##st, .event = ev                           \
	}
#define OPEN(nm, dirp, l4p, fl, n, st)                                         \
	{                                                                      \
		.fx = { .name = nm, dirp(l4p, fl, n) },                        \
		.state = SLUICE_CT_##st, .created = true, .event = CT_NO_EVENT \
	}
#define NONE_(nm, dirp, l4p, fl, n, ev)                                        \
	{                                                                      \
		.fx = { .name = nm, dirp(l4p, fl, n) }, .state = CT_NO_ENTRY,  \
		.event = ev                                                    \
	}

#define TCP_ IPPROTO_TCP
#define UDP_ IPPROTO_UDP
#define E_(x) SLUICE_CTE_##x

/* ICMP errors a router on the server's side sends the client about the
 * client's UDP flow (quoted), or about a flow nobody opened. */
static const struct pkt_spec udp_c2s4 = {
	.l3 = PKT_L3_IP4,
	.saddr = CLI4,
	.daddr = SRV4,
	.l4 = IPPROTO_UDP,
	.sport = 40000,
	.dport = 80,
	.payload = 16,
};
static const struct pkt_spec udp_other4 = {
	.l3 = PKT_L3_IP4,
	.saddr = CLI4,
	.daddr = SRV4,
	.l4 = IPPROTO_UDP,
	.sport = 40001,
	.dport = 80,
	.payload = 16,
};
static const struct pkt_spec udp_c2s6 = {
	.l3 = PKT_L3_IP6,
	.saddr = CLI6,
	.daddr = SRV6,
	.l4 = IPPROTO_UDP,
	.sport = 40000,
	.dport = 80,
	.payload = 16,
};
#define ICMP_ERR4(q)                                                           \
	.ingress = IFX_P1,                                                     \
	.in = { .dst = MAC_P1,                                                 \
		.src = MAC_GW1,                                                \
		.l3 = PKT_L3_IP4,                                              \
		.saddr = RTR4,                                                 \
		.daddr = CLI4,                                                 \
		.l4 = IPPROTO_ICMP,                                            \
		.icmp_type = 3,                                                \
		.icmp_code = 3,                                                \
		.quote = q },                                                  \
	.verdict = XDP_REDIRECT, .reason = SLUICE_FWD_REDIRECT,                \
	.routed = true, .out = { .dst = MAC_GW0, .src = MAC_P0 }
#define ICMP_ERR6(q)                                                           \
	.ingress = IFX_P1,                                                     \
	.in = { .dst = MAC_P1,                                                 \
		.src = MAC_GW1,                                                \
		.l3 = PKT_L3_IP6,                                              \
		.saddr = SRV6,                                                 \
		.daddr = CLI6,                                                 \
		.l4 = IPPROTO_ICMPV6,                                          \
		.icmp_type = 1,                                                \
		.icmp_code = 4,                                                \
		.quote = q },                                                  \
	.verdict = XDP_REDIRECT, .reason = SLUICE_FWD_REDIRECT,                \
	.routed = true, .out = { .dst = MAC_GW0, .src = MAC_P0 }
const struct ct_scenario ct_scenarios[] = {
	{ "tcp: handshake, data, both FINs, reopen",
	  CLI4,
	  IPPROTO_TCP,
	  { OPEN("SYN opens: syn_sent", C2S4, TCP_, SYN, 0, SYN_SENT),
	    STEP("SYN again: syn_sent", C2S4, TCP_, SYN, 0, SYN_SENT,
		 CT_NO_EVENT),
	    STEP("SYN+ACK: syn_recv", S2C4, TCP_, SYNACK, 0, SYN_RECV,
		 CT_NO_EVENT),
	    STEP("ACK: established", C2S4, TCP_, ACK, 0, ESTABLISHED,
		 CT_NO_EVENT),
	    STEP("data back: established", S2C4, TCP_, PSHACK, 100, ESTABLISHED,
		 CT_NO_EVENT),
	    STEP("client FIN: fin_wait", C2S4, TCP_, FINACK, 0, FIN_WAIT,
		 CT_NO_EVENT),
	    STEP("server ACK: close_wait", S2C4, TCP_, ACK, 0, CLOSE_WAIT,
		 CT_NO_EVENT),
	    STEP("server FIN: last_ack", S2C4, TCP_, FINACK, 0, LAST_ACK,
		 CT_NO_EVENT),
	    STEP("client ACK: time_wait", C2S4, TCP_, ACK, 0, TIME_WAIT,
		 CT_NO_EVENT),
	    STEP("SYN in time_wait reopens", C2S4, TCP_, SYN, 0, SYN_SENT,
		 E_(REOPENED)) },
	  10 },
	{ "tcp: FIN+ACK both ways at once",
	  CLI4,
	  IPPROTO_TCP,
	  { OPEN("SYN", C2S4, TCP_, SYN, 0, SYN_SENT),
	    STEP("SYN+ACK", S2C4, TCP_, SYNACK, 0, SYN_RECV, CT_NO_EVENT),
	    STEP("ACK", C2S4, TCP_, ACK, 0, ESTABLISHED, CT_NO_EVENT),
	    STEP("server FIN first: fin_wait", S2C4, TCP_, FINACK, 0, FIN_WAIT,
		 CT_NO_EVENT),
	    STEP("server FIN again: still fin_wait", S2C4, TCP_, FINACK, 0,
		 FIN_WAIT, CT_NO_EVENT),
	    STEP("client FIN+ACK: last_ack", C2S4, TCP_, FINACK, 0, LAST_ACK,
		 CT_NO_EVENT),
	    STEP("server ACK: time_wait", S2C4, TCP_, ACK, 0, TIME_WAIT,
		 CT_NO_EVENT),
	    STEP("FIN again in time_wait: kept", S2C4, TCP_, FINACK, 0,
		 TIME_WAIT, CT_NO_EVENT) },
	  8 },
	{ "tcp: RST closes, a second RST is invalid",
	  CLI4,
	  IPPROTO_TCP,
	  { OPEN("SYN", C2S4, TCP_, SYN, 0, SYN_SENT),
	    STEP("RST from the server: close", S2C4, TCP_, RST, 0, CLOSE,
		 CT_NO_EVENT),
	    STEP("RST again: invalid_rst", S2C4, TCP_, RST, 0, CLOSE,
		 E_(INVALID_RST)),
	    STEP("ACK after close: invalid_ack", C2S4, TCP_, ACK, 0, CLOSE,
		 E_(INVALID_ACK)),
	    STEP("SYN after close reopens", C2S4, TCP_, SYN, 0, SYN_SENT,
		 E_(REOPENED)) },
	  5 },
	{ "tcp: what does not fit syn_sent is invalid",
	  CLI4,
	  IPPROTO_TCP,
	  { OPEN("SYN", C2S4, TCP_, SYN, 0, SYN_SENT),
	    STEP("ACK before SYN+ACK: invalid_ack", C2S4, TCP_, ACK, 0,
		 SYN_SENT, E_(INVALID_ACK)),
	    STEP("FIN before SYN+ACK: invalid_fin", C2S4, TCP_, FINACK, 0,
		 SYN_SENT, E_(INVALID_FIN)),
	    STEP("SYN+ACK from the opener: invalid_syn", C2S4, TCP_, SYNACK, 0,
		 SYN_SENT, E_(INVALID_SYN)),
	    STEP("SYN+ACK", S2C4, TCP_, SYNACK, 0, SYN_RECV, CT_NO_EVENT),
	    STEP("ACK", C2S4, TCP_, ACK, 0, ESTABLISHED, CT_NO_EVENT),
	    STEP("SYN in established: invalid_syn", C2S4, TCP_, SYN, 0,
		 ESTABLISHED, E_(INVALID_SYN)) },
	  7 },
	{ "tcp: without an entry",
	  CLI4,
	  IPPROTO_TCP,
	  { NONE_("RST opens nothing: invalid_no_entry", C2S4, TCP_, RST, 0,
		  E_(INVALID_NO_ENTRY)),
	    NONE_("SYN+ACK opens nothing: invalid_no_entry", C2S4, TCP_, SYNACK,
		  0, E_(INVALID_NO_ENTRY)),
	    { .fx = { .name = "mid-stream ACK: picked up established",
		      C2S4(TCP_, ACK, 10) },
	      .state = SLUICE_CT_ESTABLISHED,
	      .flags = SLUICE_CTF_PICKUP,
	      .created = true,
	      .event = CT_NO_EVENT },
	    STEP("the reply: replied", S2C4, TCP_, ACK, 0, ESTABLISHED,
		 CT_NO_EVENT) },
	  4 },
	{ "udp: unreplied, then replied",
	  CLI4,
	  IPPROTO_UDP,
	  { OPEN("first datagram: unreplied", C2S4, UDP_, 0, 16, UNREPLIED),
	    STEP("more from the client: unreplied", C2S4, UDP_, 0, 16,
		 UNREPLIED, CT_NO_EVENT),
	    { .fx = { .name = "the answer: replied", S2C4(UDP_, 0, 16) },
	      .state = SLUICE_CT_REPLIED,
	      .flags = SLUICE_CTF_REPLIED,
	      .event = CT_NO_EVENT } },
	  3 },
	{ "icmp: echo by identifier, a reply without request",
	  CLI4,
	  IPPROTO_ICMP,
	  { { .fx = { .name = "echo reply first: invalid_no_entry",
		      ECHO4_C2S(ICMP_TYPE_ZERO) },
	      .state = CT_NO_ENTRY,
	      .event = E_(INVALID_NO_ENTRY) },
	    { .fx = { .name = "echo request: unreplied", ECHO4_C2S(8) },
	      .state = SLUICE_CT_UNREPLIED,
	      .created = true,
	      .event = CT_NO_EVENT },
	    { .fx = { .name = "echo reply: replied", ECHO4_S2C(ICMP_TYPE_ZERO) },
	      .state = SLUICE_CT_REPLIED,
	      .event = CT_NO_EVENT } },
	  3 },
	{ "icmp: an error quoting a tracked flow is related",
	  CLI4,
	  IPPROTO_UDP,
	  { OPEN("udp opens", C2S4, UDP_, 0, 16, UNREPLIED),
	    { .fx = { .name = "port unreachable about it: related",
		      ICMP_ERR4(&udp_c2s4) },
	      .state = SLUICE_CT_UNREPLIED,
	      .event = E_(RELATED) },
	    { .fx = { .name = "about another flow: invalid_no_entry",
		      ICMP_ERR4(&udp_other4) },
	      .state = SLUICE_CT_UNREPLIED,
	      .event = E_(INVALID_NO_ENTRY) } },
	  3 },
	{ "tcp v6: handshake to established",
	  CLI6,
	  IPPROTO_TCP,
	  { OPEN("SYN", C2S6, TCP_, SYN, 0, SYN_SENT),
	    STEP("SYN+ACK", S2C6, TCP_, SYNACK, 0, SYN_RECV, CT_NO_EVENT),
	    STEP("ACK", C2S6, TCP_, ACK, 0, ESTABLISHED, CT_NO_EVENT),
	    STEP("RST", S2C6, TCP_, RST, 0, CLOSE, CT_NO_EVENT) },
	  4 },
	{ "tcp v6 behind extension headers: tracked as tcp with its ports",
	  CLI6,
	  IPPROTO_TCP,
	  { OPEN("SYN behind destination options", C2S6_DO, TCP_, SYN, 0,
		 SYN_SENT),
	    STEP("SYN+ACK behind destination options and routing", S2C6_DO,
		 TCP_, SYNACK, 0, SYN_RECV, CT_NO_EVENT),
	    STEP("ACK without them: the same entry", C2S6, TCP_, ACK, 0,
		 ESTABLISHED, CT_NO_EVENT),
	    STEP("data behind destination options", C2S6_DO, TCP_, PSHACK, 100,
		 ESTABLISHED, CT_NO_EVENT) },
	  4 },
	{ "icmpv6: echo, then an error about a udp flow",
	  CLI6,
	  IPPROTO_ICMPV6,
	  { { .fx = { .name = "echo request", ECHO6_C2S(128) },
	      .state = SLUICE_CT_UNREPLIED,
	      .created = true,
	      .event = CT_NO_EVENT },
	    { .fx = { .name = "echo reply", ECHO6_S2C(129) },
	      .state = SLUICE_CT_REPLIED,
	      .event = CT_NO_EVENT },
	    { .fx = { .name = "udp opens", C2S6(UDP_, 0, 16) },
	      .state = SLUICE_CT_REPLIED, /* the echo entry, still */
	      .created = true,
	      .event = CT_NO_EVENT },
	    { .fx = { .name = "port unreachable about it: related",
		      ICMP_ERR6(&udp_c2s6) },
	      .state = SLUICE_CT_REPLIED,
	      .event = E_(RELATED) } },
	  4 },
};
const size_t ct_n_scenarios = sizeof(ct_scenarios) / sizeof(ct_scenarios[0]);
