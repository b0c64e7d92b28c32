/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The contract between the sluice data path (BPF) and its control plane.
 *
 * Every map key and value that both sides touch is declared under this
 * directory and only here, one header per concern.  Fixed-width types,
 * byte order in the name (addresses are kept as network-order byte
 * arrays), explicit padding, and a size assert on every struct so that
 * both the BPF (clang -target bpf) and the user-space (gcc) builds check
 * the same layout.  No bool, int or enum inside map values.
 */
#ifndef SLUICE_UAPI_SLUICE_H
#define SLUICE_UAPI_SLUICE_H

#include "limits.h"   /* compile-time limits */
#include "reasons.h"  /* why a packet got its verdict (an ABI) */
#include "stats.h"    /* verdict counters */
#include "route.h"    /* routes, next hops, neighbours, ports */
#include "lb.h"	      /* load balancer */
#include "lb_flows.h" /* its flow table */
#include "decap.h"    /* backend side of the load balancer */
#include "fib.h"      /* the compiled forwarding table */
#include "ct.h"	      /* connection tracking */
#include "ddos.h"     /* DDoS guard */
#include "fw.h"	      /* the stateful firewall's rule sets */
#include "steer.h"    /* steering to AF_XDP sockets */
#include "l7.h"	      /* the L7 local hop (sockmap, sk_msg) */
#include "layout.h"   /* layout versions of the pinned maps */
#include "trace.h"    /* per-packet trace */
#include "xmit.h"     /* frames the kernel lost after a redirect */

#endif /* SLUICE_UAPI_SLUICE_H */
