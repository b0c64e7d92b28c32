// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluiced's configuration file (daemon/config.c): the strict JSON reader,
 * every section's parser and the cross-field checks, as `sluiced --config`
 * runs them on a file.
 */
#include <stdlib.h>
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sluiced_config cfg;
	char err[512];
	char *text = fuzz_strdup(data, size);

	if (!text)
		return 0;
	config_init(&cfg);
	if (!config_parse_json(&cfg, text, err, sizeof(err)))
		config_validate(&cfg, err, sizeof(err));
	config_free(&cfg);
	free(text);
	return 0;
}
