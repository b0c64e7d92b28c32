// SPDX-License-Identifier: BSD-2-Clause
/* libpktio's JSON configuration (lib/pktio/config.c, docs/pktio.md):
 * pktio_config_parse() on any text, freed whatever it returned. */
#include <stdlib.h>
#include <sluice/pktio/config.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pktio_config *c = NULL;
	char *text = fuzz_strdup(data, size);

	if (!text)
		return 0;
	if (!pktio_config_parse(text, &c))
		pktio_config_free(c);
	free(text);
	return 0;
}
