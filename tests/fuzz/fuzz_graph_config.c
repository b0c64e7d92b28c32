// SPDX-License-Identifier: BSD-2-Clause
/* libgraph's JSON configuration (lib/graph/config.c, docs/graph.md):
 * graph_config_parse() on any text, freed whatever it returned. */
#include <stdlib.h>
#include <sluice/graph/config.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct graph_config *c = NULL;
	char *text = fuzz_strdup(data, size);

	if (!text)
		return 0;
	if (!graph_config_parse(text, &c))
		graph_config_free(c);
	free(text);
	return 0;
}
