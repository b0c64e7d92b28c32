/* SPDX-License-Identifier: BSD-2-Clause */
/* sluicectl trace (trace.c): its arguments and its line, pure, for the
 * unit tests. */
#ifndef SLUICECTL_CLI_TRACE_H
#define SLUICECTL_CLI_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>
#include <uapi/sluice/trace.h>

struct cli_trace {
	struct sluice_trace_cfg cfg; /* the in-kernel filter */
	uint64_t count;		     /* 0: until Ctrl-C */
	const char *pcap;
	const char *pin_dir;	  /* --pin-dir; NULL: not given */
	const char *pin_dir_from; /* cli_trace_pin_dir()'s @from */
	bool json;
	bool help;
};

/* 0, or -EINVAL with "trace: invalid --flag 'value': why" in @err. */
int cli_trace_args(int argc, char **argv, struct cli_trace *t, char *err,
		   size_t len);
/* The pin directory trace opens: @given (--pin-dir) when set, else the
 * one sluiced reports (@status: its GET /v1/status, NULL when it did not
 * answer; "pin_dir", an absolute path), else /sys/fs/bpf/sluice.  *@from
 * says which for the messages: "--pin-dir", "sluiced's pin directory",
 * "the default". */
const char *cli_trace_pin_dir(const char *given, json_object *status,
			      const char **from);
/* The event as one line of text (no time): snprintf's answer. */
int cli_trace_line(const struct sluice_trace_event *ev, char *buf, size_t len);
/* The event as one JSON object on a line of @out (-j), @line its text
 * and @real_ns its wall-clock time.  0 or -ENOMEM. */
int cli_trace_json(const struct sluice_trace_event *ev, uint64_t real_ns,
		   const char *line, FILE *out);
/* The event's decisions (ct, fw, vip, nat, route) as words, each after a
 * space, for the end of the line (trace_decision.c): snprintf's answer. */
int cli_trace_decision(const struct sluice_trace_event *ev, char *buf,
		       size_t len);
/* The same as fields of @o: "ct", "fw", "vip", "nat", "route". */
void cli_trace_decision_json(const struct sluice_trace_event *ev,
			     json_object *o);
/* An address, "[v6]:port" or "v4:port" with @ports, into @buf. */
void cli_trace_endpoint(__u8 family, const __u8 *a, bool ports, __u16 port,
			char *buf, size_t len);

/* The frame as it left, parsed (trace_sent.c). */
struct cli_trace_sent {
	__u8 family;
	__u8 proto;
	bool ports;
	__u16 sport, dport;
	__u8 src[16];
	__u8 dst[16];
};
/* 0 and @s, or -1 when the frame's start has no IP header. */
int cli_trace_sent(const struct sluice_trace_event *ev,
		   struct cli_trace_sent *s);
/* NAT's new source (or, @dst_side, destination) as "addr:port" in @buf:
 * the frame's as it left. */
void cli_trace_nat_ends(const struct sluice_trace_event *ev, bool dst_side,
			char *buf, size_t len);
int do_trace(int argc, char **argv);

#endif
