// SPDX-License-Identifier: BSD-2-Clause
/* Route protocol names as iproute2 prints them (rt_protos.h). */
#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rt_protos.h"

#define NAME_MAX_LEN 32

static char names[256][NAME_MAX_LEN];
static bool loaded; /* by rt_protos_load(): a test's table is kept */

/* What iproute2 knows with no file at all: the kernel's RTPROT_ values. */
static const struct {
	uint8_t p;
	const char *name;
} kernel_names[] = {
	{ 0, "unspec" },      { 1, "redirect" },  { 2, "kernel" },
	{ 3, "boot" },	      { 4, "static" },	  { 8, "gated" },
	{ 9, "ra" },	      { 10, "mrt" },	  { 11, "zebra" },
	{ 12, "bird" },	      { 13, "dnrouted" }, { 14, "xorp" },
	{ 15, "ntk" },	      { 16, "dhcp" },	  { 17, "mrouted" },
	{ 18, "keepalived" }, { 42, "babel" },	  { 99, "openr" },
	{ 186, "bgp" },	      { 187, "isis" },	  { 188, "ospf" },
	{ 189, "rip" },	      { 192, "eigrp" },
};

/* One "NUMBER NAME" line into the table; anything else is skipped. */
static void read_line(char *line)
{
	char *end, *name, *p = line;
	unsigned long n;
	size_t len;

	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return; /* blank, a comment or not a number */
	n = strtoul(p, &end, 0);
	if (n > 255 || end == p || !isspace((unsigned char)*end))
		return;
	name = end;
	while (isspace((unsigned char)*name))
		name++;
	len = strcspn(name, " \t\r\n#");
	if (!len || len >= NAME_MAX_LEN)
		return;
	memcpy(names[n], name, len);
	names[n][len] = '\0';
}

static void read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[256];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		read_line(line);
	fclose(f);
}

static int conf_only(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && !strcmp(d->d_name + n - 5, ".conf") &&
	       d->d_name[0] != '.';
}

static void read_dir(const char *dir)
{
	struct dirent **list;
	char path[512];
	int n;

	snprintf(path, sizeof(path), "%s/rt_protos", dir);
	read_file(path);
	snprintf(path, sizeof(path), "%s/rt_protos.d", dir);
	n = scandir(path, &list, conf_only, alphasort);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/rt_protos.d/%s", dir,
			 list[i]->d_name);
		read_file(path);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

void rt_protos_load(const char *const *dirs)
{
	loaded = true;
	memset(names, 0, sizeof(names));
	for (size_t i = 0; i < sizeof(kernel_names) / sizeof(kernel_names[0]);
	     i++)
		snprintf(names[kernel_names[i].p], NAME_MAX_LEN, "%s",
			 kernel_names[i].name);
	for (size_t i = 0; dirs && dirs[i]; i++)
		read_dir(dirs[i]);
}

static void load_system(void)
{
	static const char *const dirs[] = RT_PROTOS_DIRS;

	if (!loaded)
		rt_protos_load(dirs);
}

const char *rt_proto_name(uint8_t p, char *buf, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, load_system);
	if (names[p][0])
		return names[p];
	snprintf(buf, len, "%u", p);
	return buf;
}
