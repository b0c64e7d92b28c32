// SPDX-License-Identifier: BSD-2-Clause
/* The API's answers by method and status code (see api_stats.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_stats.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CODE_MIN 100
#define CODE_MAX 599

/* the last one takes what is none of the others */
static const char *const methods[] = { "GET",	"POST",	  "PUT",
				       "PATCH", "DELETE", "other" };
static uint64_t counts[ARRAY_SIZE(methods)][CODE_MAX - CODE_MIN + 1];

void api_stats_count(const char *method, unsigned int status)
{
	size_t m = 0;

	while (m < ARRAY_SIZE(methods) - 1 &&
	       (!method || strcmp(method, methods[m])))
		m++;
	if (status < CODE_MIN || status > CODE_MAX)
		return; /* not a status MHD would send */
	counts[m][status - CODE_MIN]++;
}

char *api_stats_metrics(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *b = open_memstream(&text, &len);

	if (!b)
		return NULL;
	fputs("# HELP sluice_api_responses_total Requests the REST API "
	      "answered (all listeners, refusals included), by method and "
	      "HTTP status code.\n"
	      "# TYPE sluice_api_responses_total counter\n",
	      b);
	for (size_t m = 0; m < ARRAY_SIZE(methods); m++)
		for (unsigned int c = CODE_MIN; c <= CODE_MAX; c++)
			if (counts[m][c - CODE_MIN])
				fprintf(b,
					"sluice_api_responses_total{method=\"%s\","
					"code=\"%u\"} %llu\n",
					methods[m], c,
					(unsigned long long)
						counts[m][c - CODE_MIN]);
	if (ferror(b)) {
		fclose(b);
		free(text);
		return NULL;
	}
	if (fclose(b)) {
		free(text);
		return NULL;
	}
	return text;
}

void api_stats_reset(void)
{
	memset(counts, 0, sizeof(counts));
}
