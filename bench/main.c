// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluice-bench: the measured part of `make bench` (bench/run.sh drives it).
 *
 *   sluice-bench [--smoke] [--reps N] [--runs N]
 *                [--only pktcost|control|fib|stateful|decap] [--json FILE]
 *                [--v6-index-slots N]
 *   sluice-bench route-latency ...     (see tools.c)
 *   sluice-bench api-rate ...          (see tools.c)
 *
 * Prints TAP (one line per figure and per path check) and writes every
 * figure, with its repetitions, to the JSON file.  Exits non-zero when a
 * path check failed or a part could not be set up; never because of speed.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include <uapi/sluice/fib_p48.h>
#include "bench.h"
#include "dp.h"
#include "log.h"

static struct fig figs[BENCH_MAX_FIGS];
static unsigned int nfigs;
static unsigned int ntap, nfailed;

double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct fig *fig_find(const char *group, const char *name, unsigned int flows)
{
	for (unsigned int i = 0; i < nfigs; i++)
		if (!strcmp(figs[i].group, group) &&
		    !strcmp(figs[i].name, name) && figs[i].flows == flows)
			return &figs[i];
	return NULL;
}

struct fig *fig_new(const char *group, const char *name, unsigned int flows,
		    const char *unit)
{
	struct fig *f = fig_find(group, name, flows);

	if (f)
		return f;
	if (nfigs == BENCH_MAX_FIGS) {
		fprintf(stderr, "sluice-bench: more than %d figures\n",
			BENCH_MAX_FIGS);
		abort();
	}
	f = &figs[nfigs++];
	snprintf(f->group, sizeof(f->group), "%s", group);
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->unit, sizeof(f->unit), "%s", unit);
	f->flows = flows;
	return f;
}

void fig_add(struct fig *f, double v)
{
	if (f->nrep < BENCH_MAX_REPS)
		f->rep[f->nrep++] = v;
}

void fig_invalid(struct fig *f, const char *fmt, ...)
{
	va_list ap;

	if (f->invalid) /* the first reason is the one to read */
		return;
	f->invalid = true;
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
}

void fig_unavailable(struct fig *f, const char *fmt, ...)
{
	va_list ap;

	f->unavailable = true;
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double fig_median(const struct fig *f)
{
	double v[BENCH_MAX_REPS];

	if (!f->nrep)
		return NAN;
	memcpy(v, f->rep, f->nrep * sizeof(v[0]));
	qsort(v, f->nrep, sizeof(v[0]), cmp_double);
	return f->nrep % 2 ? v[f->nrep / 2] :
			     (v[f->nrep / 2 - 1] + v[f->nrep / 2]) / 2;
}

void tap_line(bool ok, const char *fmt, ...)
{
	va_list ap;

	ntap++;
	if (!ok)
		nfailed++;
	printf("%sok %u - ", ok ? "" : "not ", ntap);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void fig_tap(const struct fig *f, const char *what)
{
	char flows[32] = "";

	if (f->flows)
		snprintf(flows, sizeof(flows), " %u flow%s", f->flows,
			 f->flows > 1 ? "s" : "");
	if (f->unavailable) {
		/* not a failure: said, with the reason */
		tap_line(true, "%s %s%s: unavailable: %s", f->group, f->name,
			 flows, f->why);
		return;
	}
	tap_line(!f->invalid, "%s %s%s %s", f->group, f->name, flows, what);
	if (f->invalid)
		note("INVALID: %s", f->why);
	else
		note("%s %s%s: median %.2f %s over %u repetition(s)", f->group,
		     f->name, flows, fig_median(f), f->unit, f->nrep);
}

/* ---- JSON ----------------------------------------------------------------- */

static json_object *fig_json(const struct fig *f)
{
	json_object *o = json_object_new_object(), *reps;
	double lo = INFINITY, hi = -INFINITY;

	json_object_object_add(o, "group", json_object_new_string(f->group));
	json_object_object_add(o, "name", json_object_new_string(f->name));
	if (f->label[0])
		json_object_object_add(o, "label",
				       json_object_new_string(f->label));
	if (f->flows)
		json_object_object_add(o, "flows",
				       json_object_new_int((int)f->flows));
	json_object_object_add(o, "unit", json_object_new_string(f->unit));
	if (f->method[0])
		json_object_object_add(o, "method",
				       json_object_new_string(f->method));
	if (f->check[0])
		json_object_object_add(o, "path_check",
				       json_object_new_string(f->check));
	if (f->unavailable || f->invalid) {
		json_object_object_add(
			o, "status",
			json_object_new_string(f->invalid ? "INVALID" :
							    "unavailable"));
		json_object_object_add(o, "reason",
				       json_object_new_string(f->why));
		return o;
	}
	json_object_object_add(o, "status", json_object_new_string("ok"));
	reps = json_object_new_array();
	for (unsigned int i = 0; i < f->nrep; i++) {
		json_object_array_add(reps, json_object_new_double(f->rep[i]));
		lo = f->rep[i] < lo ? f->rep[i] : lo;
		hi = f->rep[i] > hi ? f->rep[i] : hi;
	}
	json_object_object_add(o, "median",
			       json_object_new_double(fig_median(f)));
	json_object_object_add(o, "min", json_object_new_double(lo));
	json_object_object_add(o, "max", json_object_new_double(hi));
	json_object_object_add(o, "repetitions",
			       json_object_new_int((int)f->nrep));
	json_object_object_add(o, "values", reps);
	if (f->runs)
		json_object_object_add(o, "runs_per_repetition",
				       json_object_new_int64((int64_t)f->runs));
	if (f->dropped)
		json_object_object_add(
			o, "dropped_calls",
			json_object_new_int64((int64_t)f->dropped));
	if (f->extra[0]) {
		json_object *x = json_tokener_parse(f->extra);

		if (x)
			json_object_object_add(o, "detail", x);
	}
	return o;
}

static int write_json(const char *path, const struct bench_opts *o)
{
	json_object *root = json_object_new_object(), *arr;
	int err = 0;

	json_object_object_add(root, "tool",
			       json_object_new_string("sluice-bench"));
	json_object_object_add(root, "smoke",
			       json_object_new_boolean(o->smoke));
	arr = json_object_new_array();
	for (unsigned int i = 0; i < nfigs; i++)
		json_object_array_add(arr, fig_json(&figs[i]));
	json_object_object_add(root, "figures", arr);
	if (json_object_to_file_ext(path, root,
				    JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE)) {
		fprintf(stderr, "sluice-bench: cannot write %s\n", path);
		err = -EIO;
	}
	json_object_put(root);
	return err;
}

static void usage(FILE *to)
{
	fputs("usage: sluice-bench [--smoke] [--reps N] [--runs N]\n"
	      "                    [--only pktcost|control|fib|stateful|decap] "
	      "[--json FILE]\n"
	      "                    [--v6-index-slots N]   (the fib part's "
	      "IPv6 /48 index; 0: none)\n"
	      "       sluice-bench --spin PATH[:FLOWS] [--seconds S]   "
	      "(for perf record)\n"
	      "       sluice-bench route-latency --map PINNED --nhgs PINNED "
	      "--dev IF --prefix P\n"
	      "                    --via A --via B [--count N]\n"
	      "       sluice-bench api-rate --unix SOCK (--get PATH | --write "
	      "VIP |\n"
	      "                    --put VIP [--batch N]) [--seconds S]\n"
	      "\n"
	      "Per-packet cost (BPF_PROG_TEST_RUN, every figure path-checked),\n"
	      "route lookup vs table size and LPM trie vs compiled table (fib),\n"
	      "Maglev build time, LPM insert rate and map memory.  Needs root.\n"
	      "A figure whose path check fails is INVALID, not a number, and\n"
	      "the exit status is 1.  --smoke: tiny counts, same checks.\n",
	      to);
}

/* --v6-index-slots N: 0 or a power of two sluiced would take. */
static int index_bits(const char *arg, unsigned int *bits)
{
	char *end;
	unsigned long n;
	int b;

	errno = 0;
	n = strtoul(arg, &end, 10);
	b = errno || *end || !*arg ? -1 : sluice_fib6_p48_slots_bits(n);
	if (b < 0) {
		fprintf(stderr,
			"sluice-bench: --v6-index-slots: '%s' is not 0 or a "
			"power of two from %u to %u\n",
			arg, SLUICE_FIB6_P48_SLOTS_MIN,
			SLUICE_FIB6_P48_SLOTS_MAX);
		return -EINVAL;
	}
	*bits = (unsigned int)b;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "smoke", no_argument, NULL, 's' },
		{ "reps", required_argument, NULL, 'r' },
		{ "runs", required_argument, NULL, 'n' },
		{ "only", required_argument, NULL, 'o' },
		{ "json", required_argument, NULL, 'j' },
		{ "spin", required_argument, NULL, 'S' },
		{ "seconds", required_argument, NULL, 't' },
		{ "v6-index-slots", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct bench_opts o = { .reps = 3,
				.runs = 1000000,
				.spin_s = 5,
				.v6_index_bits = SLUICE_FIB6_P48_BITS };
	const char *json = NULL, *only = NULL;
	bool reps_set = false, runs_set = false;
	int c, err = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "route-latency"))
		return route_latency_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "api-rate"))
		return api_rate_main(argc - 1, argv + 1);

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's': o.smoke = true; break;
		case 'r':
			o.reps = (unsigned int)strtoul(optarg, NULL, 10);
			reps_set = true;
			break;
		case 'n':
			o.runs = strtoull(optarg, NULL, 10);
			runs_set = true;
			break;
		case 'o': only = optarg; break;
		case 'j': json = optarg; break;
		case 'S': {
			char *colon = strchr(optarg, ':');

			o.spin = optarg;
			o.spin_flows = colon ? (unsigned int)atoi(colon + 1) :
					       1;
			if (colon)
				*colon = '\0';
			only = "pktcost";
			break;
		}
		case 't': o.spin_s = atof(optarg); break;
		case 'I':
			if (index_bits(optarg, &o.v6_index_bits))
				return 2;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (o.smoke) {
		if (!reps_set)
			o.reps = 1;
		if (!runs_set)
			o.runs = 2032; /* 8 calls of 254 */
	}
	if (!o.reps || o.reps > BENCH_MAX_REPS || !o.runs) {
		fprintf(stderr, "sluice-bench: --reps 1..%d, --runs > 0\n",
			BENCH_MAX_REPS);
		return 2;
	}
	dp_log_route_libbpf();

	if (!only || !strcmp(only, "control")) {
		if (ctlplane_run(&o)) {
			tap_line(false, "control-plane figures: setup");
			err = 1;
		}
	}
	if (!only || !strcmp(only, "fib")) {
		/* moves this process into a namespace of its own */
		int e = fibcost_run(&o);

		if (e) {
			tap_line(false, "fib: setup failed (%s)", strerror(-e));
			err = 1;
		}
	}
	if (!only || !strcmp(only, "stateful")) {
		/* moves this process into a namespace of its own */
		int e = statecost_run(&o);

		if (e) {
			tap_line(false, "stateful: setup failed (%s)",
				 strerror(-e));
			err = 1;
		}
	}
	if (!only || !strcmp(only, "decap")) {
		/* moves this process into a namespace of its own */
		int e = decapcost_run(&o);

		if (e) {
			tap_line(false, "decap: setup failed (%s)",
				 strerror(-e));
			err = 1;
		}
	}
	if (!only || !strcmp(only, "pktcost")) {
		/* last: it moves this process into a namespace of its own */
		int e = pktcost_run(&o);

		if (e) {
			tap_line(false, "pktcost: setup failed (%s)",
				 strerror(-e));
			err = 1;
		}
	}
	if (json && write_json(json, &o))
		err = 1;
	printf("1..%u\n", ntap);
	if (nfailed)
		printf("# %u of %u failed\n", nfailed, ntap);
	return err || nfailed ? 1 : 0;
}
