// SPDX-License-Identifier: BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "endpoint.h"

static int parse_port(const char *s, unsigned short *port)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 65535)
		return -EINVAL;
	*port = (unsigned short)v;
	return 0;
}

int endpoint_parse(const char *s, struct endpoint *ep, char *err, size_t errlen)
{
	const char *host, *colon;
	unsigned char buf[16];
	size_t hlen;

	memset(ep, 0, sizeof(*ep));
	if (!strncmp(s, "unix:", 5)) {
		const char *path = s + 5;

		if (path[0] != '/' || strlen(path) >= sizeof(ep->path)) {
			snprintf(err, errlen,
				 "api: '%s': unix socket path must be absolute "
				 "and shorter than %zu bytes",
				 s, sizeof(ep->path));
			return -EINVAL;
		}
		ep->kind = EP_UNIX;
		strcpy(ep->path, path);
		return 0;
	}
	if (strncmp(s, "tcp:", 4)) {
		snprintf(err, errlen,
			 "api: '%s': expected unix:PATH or tcp:HOST:PORT", s);
		return -EINVAL;
	}
	host = s + 4;
	if (host[0] == '[') {
		const char *close = strchr(host, ']');

		if (!close || close[1] != ':')
			goto bad_tcp;
		host++;
		hlen = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(host, ':');
		if (!colon)
			goto bad_tcp;
		hlen = (size_t)(colon - host);
	}
	if (!hlen || hlen >= sizeof(ep->host))
		goto bad_tcp;
	memcpy(ep->host, host, hlen);
	ep->host[hlen] = '\0';
	if (inet_pton(AF_INET, ep->host, buf) != 1 &&
	    inet_pton(AF_INET6, ep->host, buf) != 1) {
		snprintf(err, errlen,
			 "api: '%s': host '%s' is not an IPv4 or IPv6 address",
			 s, ep->host);
		return -EINVAL;
	}
	if (parse_port(colon + 1, &ep->port)) {
		snprintf(err, errlen, "api: '%s': port '%s' is not 1-65535", s,
			 colon + 1);
		return -EINVAL;
	}
	ep->kind = EP_TCP;
	return 0;
bad_tcp:
	snprintf(err, errlen,
		 "api: '%s': expected tcp:HOST:PORT (IPv6 as tcp:[ADDR]:PORT)",
		 s);
	return -EINVAL;
}
