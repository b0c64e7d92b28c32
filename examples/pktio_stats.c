// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluice-pktio-stats: prints the live per-port and per-queue counters of
 * a running libpktio application (sluice-echo, sluice-l2fwd, or any that
 * calls pktio_stats_serve), with rates between two reads.
 *
 *   sluice-pktio-stats [--socket PATH] [--interval MS] [--count N] [-j]
 *
 * Without --socket it reads the one socket under /run/sluice-pktio (and
 * names them all when there are several).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <sluice/pktio/stats.h>

#define MAX_DOC (1 << 20)

static char *fetch(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = 0;
	char *buf;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return NULL;
	}
	buf = malloc(MAX_DOC);
	while (buf && len < MAX_DOC - 1) {
		ssize_t n = read(fd, buf + len, MAX_DOC - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf)
		buf[len] = 0;
	return buf;
}

/* The only socket in PKTIO_STATS_DIR, or NULL after naming them. */
static char *find_socket(void)
{
	DIR *d = opendir(PKTIO_STATS_DIR);
	char *found = NULL;
	struct dirent *e;
	int n = 0;

	if (!d) {
		fprintf(stderr,
			"sluice-pktio-stats: no application serves counters (%s: %s)\n",
			PKTIO_STATS_DIR, strerror(errno));
		return NULL;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l < 6 || strcmp(e->d_name + l - 5, ".sock"))
			continue;
		n++;
		if (n > 1)
			fprintf(stderr, "%s  %s/%s\n", n == 2 ? found : "",
				PKTIO_STATS_DIR, e->d_name);
		if (n == 1 &&
		    asprintf(&found, "%s/%s", PKTIO_STATS_DIR, e->d_name) < 0)
			found = NULL;
	}
	closedir(d);
	if (n != 1) {
		fprintf(stderr,
			n ? "sluice-pktio-stats: several applications: pick one with --socket\n" :
			    "sluice-pktio-stats: no application serves counters in %s\n",
			PKTIO_STATS_DIR);
		free(found);
		return NULL;
	}
	return found;
}

static uint64_t get(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_uint64(v) :
						     0;
}

static const char *str(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) :
						     "";
}

/* The queue of @prev matching @port/@queue, for rates. */
static struct json_object *prev_queue(struct json_object *prev, size_t pi,
				      size_t qi)
{
	struct json_object *ports, *queues;

	if (!prev || !json_object_object_get_ex(prev, "ports", &ports) ||
	    pi >= json_object_array_length(ports))
		return NULL;
	if (!json_object_object_get_ex(json_object_array_get_idx(ports, pi),
				       "queues", &queues) ||
	    qi >= json_object_array_length(queues))
		return NULL;
	return json_object_array_get_idx(queues, qi);
}

static void print_text(struct json_object *doc, struct json_object *prev,
		       double secs)
{
	struct json_object *ports, *workers;

	printf("%s (pid %llu)\n", str(doc, "name"),
	       (unsigned long long)get(doc, "pid"));
	printf("%-10s %-9s %-10s %2s %-24s %12s %12s %10s %10s %8s %8s\n",
	       "port", "driver", "dev", "q", "mode", "rx_packets", "tx_packets",
	       "rx_pps", "tx_pps", "drops", "copies");
	if (!json_object_object_get_ex(doc, "ports", &ports))
		return;
	for (size_t i = 0; i < json_object_array_length(ports); i++) {
		struct json_object *p = json_object_array_get_idx(ports, i);
		struct json_object *queues;

		if (!json_object_object_get_ex(p, "queues", &queues))
			continue;
		for (size_t k = 0; k < json_object_array_length(queues); k++) {
			struct json_object *q =
				json_object_array_get_idx(queues, k);
			struct json_object *pq = prev_queue(prev, i, k);
			double rx = 0, tx = 0;

			if (pq && secs > 0) {
				rx = (double)(get(q, "rx_packets") -
					      get(pq, "rx_packets")) /
				     secs;
				tx = (double)(get(q, "tx_packets") -
					      get(pq, "tx_packets")) /
				     secs;
			}
			printf("%-10s %-9s %-10s %2llu %-24s %12llu %12llu %10.0f %10.0f %8llu %8llu\n",
			       str(p, "name"), str(p, "driver"), str(p, "dev"),
			       (unsigned long long)get(q, "queue"),
			       str(q, "mode"),
			       (unsigned long long)get(q, "rx_packets"),
			       (unsigned long long)get(q, "tx_packets"), rx, tx,
			       (unsigned long long)(get(q, "rx_drops") +
						    get(q, "tx_drops")),
			       (unsigned long long)get(q, "copies"));
		}
	}
	if (!json_object_object_get_ex(doc, "workers", &workers))
		return;
	for (size_t i = 0; i < json_object_array_length(workers); i++) {
		struct json_object *w = json_object_array_get_idx(workers, i);

		struct json_object *cpu;
		int c = json_object_object_get_ex(w, "cpu", &cpu) ?
				json_object_get_int(cpu) :
				-1;

		printf("worker %s cpu %s%d: %llu packets in %llu bursts, %llu idle loops\n",
		       str(w, "name"), c < 0 ? "any " : "", c < 0 ? -c : c,
		       (unsigned long long)get(w, "packets"),
		       (unsigned long long)get(w, "bursts"),
		       (unsigned long long)get(w, "idle_loops"));
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sluice-pktio-stats [--socket PATH] [--interval MS] [--count N] [-j]\n"
		"Prints a running libpktio application's live counters.\n"
		"  --socket PATH   its stats socket (default: the only one in " PKTIO_STATS_DIR
		")\n"
		"  --interval MS   read again every MS milliseconds (default 1000)\n"
		"  --count N       stop after N reads (default 1; 0: forever)\n"
		"  -j              print the JSON document as it came\n");
}

int main(int argc, char **argv)
{
	struct json_object *prev = NULL;
	unsigned long interval = 1000, count = 1;
	struct timespec t0 = { 0 }, t1;
	char *path = NULL;
	bool json = false;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "-j")) {
			json = true;
		} else if (!strcmp(argv[i], "--help") ||
			   !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (i + 1 < argc && !strcmp(argv[i], "--socket")) {
			free(path);
			path = strdup(argv[++i]);
		} else if (i + 1 < argc && (!strcmp(argv[i], "--interval") ||
					    !strcmp(argv[i], "--count"))) {
			unsigned long v = strtoul(argv[i + 1], &end, 10);

			if (*end || end == argv[i + 1] ||
			    argv[i + 1][0] == '-') {
				fprintf(stderr,
					"sluice-pktio-stats: %s: '%s' is not a number\n",
					argv[i], argv[i + 1]);
				free(path);
				return 2;
			}
			if (!strcmp(argv[i], "--interval"))
				interval = v ? v : 1;
			else
				count = v;
			i++;
		} else {
			fprintf(stderr,
				"sluice-pktio-stats: '%s' is not an option\n",
				argv[i]);
			usage(stderr);
			free(path);
			return 2;
		}
	}
	if (!path)
		path = find_socket();
	if (!path)
		return 1;
	for (unsigned long n = 0; !count || n < count; n++) {
		char *text = fetch(path);
		struct json_object *doc;

		if (!text) {
			fprintf(stderr, "sluice-pktio-stats: %s: %s\n", path,
				strerror(errno));
			rc = 1;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		doc = json_tokener_parse(text);
		if (!doc) {
			fprintf(stderr,
				"sluice-pktio-stats: %s: not a stats document\n",
				path);
			free(text);
			rc = 1;
			break;
		}
		if (json)
			printf("%s\n", text);
		else
			print_text(doc, prev,
				   (double)(t1.tv_sec - t0.tv_sec) +
					   (double)(t1.tv_nsec - t0.tv_nsec) /
						   1e9);
		fflush(stdout);
		free(text);
		json_object_put(prev);
		prev = doc;
		t0 = t1;
		if (!count || n + 1 < count)
			usleep((useconds_t)(interval * 1000));
	}
	json_object_put(prev);
	free(path);
	return rc;
}
