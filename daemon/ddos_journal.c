// SPDX-License-Identifier: BSD-2-Clause
/*
 * The DDoS guard's journal: STATE_DIR/ddos.journal, one line for each
 * blocklist change since ddos.json was last written, appended and synced
 * before the change is answered.  ddos.json holds the whole blocklist
 * (100,000 entries and more): rewriting it for every `block add` would
 * cost a walk of the tries and megabytes written per request, and a
 * `block load` of 100,000 prefixes (some 40 requests) ten times what the
 * map updates cost.  A line costs what its request carries.  ddos.c
 * rewrites ddos.json, and empties the journal, when the journal has
 * outgrown it, at each start, and for the other changes (settings,
 * services), which are rare.
 *
 * A line is {"add": [[PREFIX, EXPIRES], ...]} (EXPIRES in wall-clock
 * seconds, 0 never, as in ddos.json) or {"del": PREFIX}.  Replaying a line
 * twice, or over a ddos.json written after it, gives the same blocklist
 * (the last line that names a prefix decides), so a crash between the new
 * ddos.json and the emptied journal costs nothing.  A last line without
 * its newline is a write that did not finish, hence was never answered:
 * it is ignored, as lb.journal's is.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "config.h"
#include "ddos.h"
#include "log.h"
#include "state_file.h"
#include "state_journal.h"

static void journal_path(const char *dir, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", dir, DDOS_JOURNAL_FILE);
}

void ddos_journal_close(struct ddos_journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	j->bytes = 0;
}

int ddos_journal_reset(struct ddos_journal *j, const char *dir)
{
	char path[PATH_MAX + 32];
	int rc;

	journal_path(dir, path, sizeof(path));
	if (j->fd < 0) {
		j->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			     0644);
		if (j->fd < 0)
			goto fail;
	}
	/* synced, so that lines appended from now on never land after
	 * older ones a power cut brought back */
	if (ftruncate(j->fd, 0) || fdatasync(j->fd))
		goto fail;
	j->bytes = 0;
	return 0;
fail:
	rc = -errno;
	ddos_journal_close(j);
	/* old lines replayed over a newer ddos.json would undo changes made
	 * since: no journal rather than a stale one */
	unlink(path);
	return rc;
}

int ddos_journal_append(struct ddos_journal *j, const char *line, size_t len)
{
	size_t off = 0;
	char *buf;
	int rc = 0;

	if (j->fd < 0)
		return -EBADF;
	/* the line and its newline in one write */
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, line, len);
	buf[len++] = '\n';
	while (off < len && !rc) {
		ssize_t n = write(j->fd, buf + off, len - off);

		if (n < 0 && errno != EINTR)
			rc = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	free(buf);
	if (!rc && fdatasync(j->fd))
		rc = -errno;
	if (!rc) {
		j->bytes += len;
		return 0;
	}
	/* no torn line in the middle of the file: back to the last whole
	 * one, or no more journal (every change rewrites ddos.json) */
	if (ftruncate(j->fd, (off_t)j->bytes))
		ddos_journal_close(j);
	return rc;
}

int ddos_journal_replay(const char *dir, ddos_journal_cb cb, void *arg,
			size_t *lines, char *err, size_t errlen)
{
	char path[PATH_MAX + 32];

	journal_path(dir, path, sizeof(path));
	return state_journal_replay(path, "ddos", "add or del", cb, arg, lines,
				    err, errlen);
}
