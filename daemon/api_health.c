// SPDX-License-Identifier: BSD-2-Clause
/*
 * GET /healthz: the one resource that answers without the bearer token.  A
 * kubelet's liveness and readiness probes hold no token, and what they ask
 * is only whether sluiced's event loop answers: the body says "ok" and
 * nothing else, so that everything that tells something about the data
 * plane (status, stats, /metrics) keeps requiring the token.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "api_internal.h"

bool api_path_public(const char *method, const char *url)
{
	if (!method || !url)
		return false;
	/* MHD hands the path without its query, decoded: "/healthz?x" and
	 * "/health%7A" are /healthz, "/healthz/" is not */
	return (!strcmp(method, "GET") || !strcmp(method, "HEAD")) &&
	       !strcmp(url, "/healthz");
}

char *api_get_healthz(struct api_ctx *c, const struct api_req *r,
		      unsigned int *status)
{
	(void)c;
	(void)r;
	(void)status;
	return strdup("{\"status\":\"ok\"}");
}
