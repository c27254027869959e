/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tally-sim: run scenario files (shared/scenarios/FORMAT.md) against the real
 * quorum core over a simulated network with a virtual clock.
 *
 *   tally-sim [--membership=protocol|oracle] [--seed=N] [--narrate] FILE.scn...
 *
 * One PASS/FAIL line per scenario, then "N passed, N failed". Exit status 0
 * when everything passed, 1 when a scenario failed, 2 when a file could not
 * be read or parsed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "membership/membership.h"
#include "random.h"
#include "scenario.h"

/* Generated 1024-node scenarios stay far below this. */
#define SCENARIO_MAX_BYTES (64u << 20)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tally-sim [options] FILE.scn...\n"
		"  --membership=M       protocol (default): engine/core/membership over the\n"
		"                       simulated network; oracle: views from the connectivity graph\n"
		"  --seed=N             seed of the simulated network's randomness\n"
		"  --narrate            print every event, view and callback as it happens\n"
		"  --random=N           run N random fault schedules (with --seed) checking that\n"
		"                       views agree and at most one partition is quorate\n"
		"  --nodes=N            random schedules on clusters of N nodes (2..1024)\n"
		"                       instead of 2..9 drawn ones\n"
		"  --churn=N            run N churn schedules (crash, stop, rejoin under real-world\n"
		"                       timing) checking one view change per fault at every node\n"
		"                       that stays in\n"
		"  --net-delay=US       frame latency (default 20), links stay FIFO\n"
		"  --net-jitter=US      random extra latency per frame (default 10)\n"
		"  --wake=US            a sleeping node runs its timer up to US late\n"
		"  --stall-rate=N       random stalls per node and second (nothing runs)\n"
		"  --stall-max=US       longest random stall (from 500 us)\n"
		"  --start-stall=US     a started node stalls up to US after its first tick\n"
		"  --skew               nodes started together tick at random phases\n"
		"  --small-view=N       views above N members use the expander monitoring\n"
		"                       (default %u, at most %u)\n"
		"  -h, --help           this text\n",
		TALLY_MB_SMALL_VIEW, TALLY_MB_MAX_HEARSET);
}

/* A scenario file as text; NULL with the reason in err. */
static char *read_file(const char *path, char *err, size_t errlen)
{
	size_t len;
	char *buf = tally_conf_read_file(path, SCENARIO_MAX_BYTES, &len);

	if (buf == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		free(buf);
		return NULL;
	}
	return buf;
}

/* A decimal in lo..hi for --name; false with the reason on stderr. */
static bool parse_count(const char *name, const char *arg, uint32_t lo, uint32_t hi,
			uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "tally-sim: bad --%s '%s' (%u..%u)\n", name, arg, lo, hi);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* Random fault schedules; a failing one is printed so it can be replayed. */
static int run_random(uint64_t count, const struct sim_params *params, bool churn,
		      uint32_t nodes)
{
	static char text[1 << 20];	/* 1024-node partitions list every node */
	size_t passed = 0, failed = 0;

	for (uint64_t i = 0; i < count; i++) {
		struct scn_result r;
		struct scn_file *f;
		char err[1024];

		if (churn)
			sim_churn_scenario(params->seed, i, text, sizeof(text));
		else
			sim_random_scenario(params->seed, i, nodes, text, sizeof(text));
		f = scn_parse("random", text, err, sizeof(err));
		if (f == NULL) {
			fprintf(stderr, "tally-sim: generated scenario does not parse: %s\n%s", err,
				text);
			return 2;
		}
		scn_run(f, 0, params, &r);
		scn_free(f);
		if (r.passed) {
			passed++;
			continue;
		}
		failed++;
		printf("FAIL %s %s\n--- replay with this file:\n%s---\n", r.id, r.failure, text);
	}
	printf("%zu passed, %zu failed\n", passed, failed);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "membership", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "narrate", no_argument, NULL, 'n' },
		{ "random", required_argument, NULL, 'r' },
		{ "churn", required_argument, NULL, 'c' },
		{ "nodes", required_argument, NULL, 'N' },
		{ "net-delay", required_argument, NULL, 'D' },
		{ "net-jitter", required_argument, NULL, 'J' },
		{ "wake", required_argument, NULL, 'W' },
		{ "stall-rate", required_argument, NULL, 'R' },
		{ "stall-max", required_argument, NULL, 'M' },
		{ "start-stall", required_argument, NULL, 'S' },
		{ "skew", no_argument, NULL, 'K' },
		{ "small-view", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sim_params params = { .membership = SIM_MEMBERSHIP_PROTOCOL, .seed = 1 };
	struct scn_file **files;
	size_t passed = 0, failed = 0;
	uint64_t random_count = 0;
	bool churn = false;
	uint32_t nodes = 0;
	int nfiles, opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			if (strcmp(optarg, "oracle") == 0) {
				params.membership = SIM_MEMBERSHIP_ORACLE;
			} else if (strcmp(optarg, "protocol") == 0) {
				params.membership = SIM_MEMBERSHIP_PROTOCOL;
			} else {
				fprintf(stderr,
					"tally-sim: unknown membership '%s' (known: protocol, oracle)\n",
					optarg);
				return 2;
			}
			break;
		case 's': {
			char *end;

			errno = 0;
			params.seed = strtoull(optarg, &end, 0);
			if (errno != 0 || *end != '\0') {
				fprintf(stderr, "tally-sim: bad seed '%s'\n", optarg);
				return 2;
			}
			break;
		}
		case 'n':
			params.narrate = stdout;
			break;
		case 'r':
		case 'c': {
			char *end;

			errno = 0;
			random_count = strtoull(optarg, &end, 0);
			if (errno != 0 || *end != '\0' || random_count == 0) {
				fprintf(stderr, "tally-sim: bad --%s count '%s'\n",
					opt == 'c' ? "churn" : "random", optarg);
				return 2;
			}
			churn = opt == 'c';
			break;
		}
		case 'N':
			if (!parse_count("nodes", optarg, 2, SIM_MAX_NODES, &nodes))
				return 2;
			break;
		case 'D':
		case 'J':
		case 'W':
		case 'R':
		case 'M':
		case 'S': {
			uint32_t *dst = opt == 'D' ? &params.timing.delay_us
				      : opt == 'J' ? &params.timing.jitter_us
				      : opt == 'W' ? &params.timing.wake_us
				      : opt == 'R' ? &params.timing.stall_rate
				      : opt == 'M' ? &params.timing.stall_max_us
						   : &params.timing.start_stall_us;
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 0);
			if (errno != 0 || *end != '\0' || v > UINT32_MAX) {
				fprintf(stderr, "tally-sim: bad number '%s'\n", optarg);
				return 2;
			}
			*dst = (uint32_t)v;
			break;
		}
		case 'K':
			params.timing.skew = true;
			break;
		case 'V':
			if (!parse_count("small-view", optarg, 1, TALLY_MB_MAX_HEARSET,
					 &params.small_view))
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	nfiles = argc - optind;
	if (random_count > 0 && nfiles == 0)
		return run_random(random_count, &params, churn, nodes);
	if (nfiles <= 0) {
		usage(stderr);
		return 2;
	}

	/* Parse everything first: a broken file must not run half a suite. */
	files = calloc((size_t)nfiles, sizeof(*files));
	if (files == NULL)
		return 2;
	for (int i = 0; i < nfiles; i++) {
		char err[1024];
		char *text = read_file(argv[optind + i], err, sizeof(err));

		if (text != NULL) {
			files[i] = scn_parse(argv[optind + i], text, err, sizeof(err));
			free(text);
		}
		if (files[i] == NULL) {
			fprintf(stderr, "tally-sim: %s\n", err);
			for (int k = 0; k < i; k++)
				scn_free(files[k]);
			free(files);
			return 2;
		}
	}

	for (int i = 0; i < nfiles; i++) {
		for (size_t s = 0; s < scn_count(files[i]); s++) {
			struct scn_result r;

			scn_run(files[i], s, &params, &r);
			if (r.passed) {
				printf("PASS %s %s\n", r.id, r.title);
				passed++;
			} else {
				printf("FAIL %s %s\n", r.id, r.failure);
				failed++;
			}
			fflush(stdout);
		}
		scn_free(files[i]);
	}
	free(files);
	printf("%zu passed, %zu failed\n", passed, failed);
	return failed ? 1 : 0;
}
