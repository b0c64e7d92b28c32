/* SPDX-License-Identifier: BSD-2-Clause */
/* "unix:PATH" or "tcp:HOST:PORT" (HOST may be [v6]), shared by sluiced's
 * --api and sluicectl's --api so both take the same syntax. */
#ifndef SLUICE_ENDPOINT_H
#define SLUICE_ENDPOINT_H

#include <stddef.h>

#define SLUICE_DEFAULT_API "unix:/run/sluice/sluiced.sock"

enum endpoint_kind { EP_UNIX, EP_TCP };

struct endpoint {
	enum endpoint_kind kind;
	char path[108];	     /* EP_UNIX: sun_path */
	char host[64];	     /* EP_TCP: literal address, no brackets */
	unsigned short port; /* EP_TCP */
};

/* 0, or -EINVAL with a message naming the value in @err. */
int endpoint_parse(const char *s, struct endpoint *ep, char *err,
		   size_t errlen);

#endif
