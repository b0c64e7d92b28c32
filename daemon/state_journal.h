/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reading back a state journal (lb.journal, ddos.journal): one JSON
 * object with one field a line, appended before a change is answered and
 * replayed over the state file at the next start.  The reading is the
 * same for both; what a line means is each subsystem's.
 */
#ifndef SLUICED_STATE_JOURNAL_H
#define SLUICED_STATE_JOURNAL_H

#include <stddef.h>

struct json_object;

/* One line's object, of exactly one field: 0 or -errno with @msg saying
 * what is wrong with it (the caller adds the file and line). */
typedef int (*state_journal_line_cb)(struct json_object *line, void *arg,
				     char *msg, size_t msglen);

/*
 * Replays the journal @path line by line through @cb; *@lines counts the
 * lines replayed.  A last line without its newline is a write that did not
 * finish, hence was never answered: ignored, with a warning naming @who
 * ("lb", "ddos").  A line that is not an object of one field is refused
 * naming @fields ("vip or del").  -ENOENT when there is no journal, else 0
 * or -errno with @err naming the file and the line.
 */
int state_journal_replay(const char *path, const char *who, const char *fields,
			 state_journal_line_cb cb, void *arg, size_t *lines,
			 char *err, size_t errlen);

#endif
