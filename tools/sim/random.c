/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Random fault schedules. At most one quorate partition is checked only
 * where corosync's rules promise it: plain majority, wait_for_all, expected
 * votes tracking. auto_tie_breaker schedules check agreement alone: after
 * successive partitions ATB can make a side quorate whose remembered
 * tie-breaker is stale while a majority exists elsewhere, in corosync as in
 * tally (docs/design/quorum.md). two_node, last_man_standing and
 * allow_downscale lower the bar by design and are not drawn.
 */
#include "random.h"

#include "cluster.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

/* Drawn clusters have up to nine nodes, ten when ATB rounds an odd size up. */
#define MAX_N (SIM_MAX_NODES + 1)

struct out {
	char *buf;
	size_t len, off;
};

static void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->off >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->off, o->len - o->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->off += (size_t)n;
}

/* splitmix64: small, fast, and the same sequence everywhere. */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t pick(uint64_t *s, uint32_t n)
{
	return (uint32_t)(next(s) % n);
}

static void emit_list(struct out *o, const bool *set, uint32_t n)
{
	bool first = true;

	for (uint32_t i = 0; i < n; i++) {
		if (!set[i])
			continue;
		emit(o, "%s%" PRIu32, first ? "" : ",", i + 1);
		first = false;
	}
}

void sim_random_scenario(uint64_t seed, uint64_t index, uint32_t nodes, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	uint64_t s = seed * 0x100000001b3ull ^ index;
	bool running[MAX_N] = { false }, chosen[MAX_N];
	uint32_t n, variant, events;
	const char *check;

	buf[0] = '\0';
	n = 2 + pick(&s, 8);	/* drawn even when `nodes` is given: the same schedules follow */
	if (nodes >= 2 && nodes < MAX_N)
		n = nodes;
	variant = pick(&s, 5);
	if (variant == 2 && n % 2 && n + 1 >= MAX_N)
		variant = 0;	/* no room to round up */
	if (variant == 2 && n % 2)
		n++;	/* ATB without wait_for_all needs an even cluster */
	emit(&o, "scenario R%" PRIu64 " random fault schedule (seed %" PRIu64 ")\n", index, seed);
	emit(&o, "cluster %" PRIu32 "\n", n);
	switch (variant) {
	case 1:
		emit(&o, "config quorum.wait_for_all 1\n");
		break;
	case 2:
		emit(&o, "config quorum.auto_tie_breaker 1\n");
		if (pick(&s, 2))
			emit(&o, "config quorum.auto_tie_breaker_node highest\n");
		break;
	case 3:
		emit(&o, "config quorum.expected_votes_tracking 1\n");
		break;
	case 4:
		emit(&o, "config quorum.auto_tie_breaker 1\nconfig quorum.wait_for_all 1\n");
		break;
	default:
		break;
	}

	check = variant == 2 || variant == 4 ? "expect agreement\n"
					     : "expect agreement\nexpect single_quorate\n";
	for (uint32_t i = 0; i < n; i++)
		running[i] = chosen[i] = pick(&s, 4) != 0;
	running[0] = chosen[0] = true;
	emit(&o, "start ");
	emit_list(&o, chosen, n);
	emit(&o, "\n%s", check);

	events = 4 + pick(&s, 12);
	for (uint32_t e = 0; e < events; e++) {
		uint32_t a = pick(&s, n), b = pick(&s, n), kind = pick(&s, 9);
		bool any = false;

		switch (kind) {
		case 0: /* start the stopped nodes that are drawn */
			for (uint32_t i = 0; i < n; i++) {
				chosen[i] = !running[i] && pick(&s, 2);
				any = any || chosen[i];
			}
			if (!any)
				continue;
			for (uint32_t i = 0; i < n; i++)
				running[i] = running[i] || chosen[i];
			emit(&o, "start ");
			emit_list(&o, chosen, n);
			emit(&o, "\n");
			break;
		case 1: /* crash or clean stop of one running node */
		case 2:
			if (!running[a])
				continue;
			running[a] = false;
			emit(&o, "%s %" PRIu32 "\n", kind == 1 ? "kill" : "stop", a + 1);
			break;
		case 3: { /* split into two or three groups; every node lands in one */
			uint32_t groups = 2 + pick(&s, 2), group_of[MAX_N];

			for (uint32_t i = 0; i < n; i++)
				group_of[i] = pick(&s, groups);
			emit(&o, "partition");
			for (uint32_t g = 0; g < groups; g++) {
				any = false;
				for (uint32_t i = 0; i < n; i++) {
					chosen[i] = group_of[i] == g;
					any = any || chosen[i];
				}
				if (!any)
					continue;
				emit(&o, " ");
				emit_list(&o, chosen, n);
			}
			emit(&o, "\n");
			break;
		}
		case 4:
			emit(&o, "heal\n");
			break;
		case 5:
			if (a == b)
				continue;
			emit(&o, "block %" PRIu32 ">%" PRIu32 "\n", a + 1, b + 1);
			break;
		case 6:
			emit(&o, "advance %" PRIu32 "\n", 100 + pick(&s, 15000));
			break;
		case 8: /* moderate random loss, or none */
			emit(&o, "loss %" PRIu32 "\n", pick(&s, 2) ? 1 + pick(&s, 10) : 0);
			break;
		default:
			if (a == b)
				continue;
			emit(&o, "unblock %" PRIu32 ">%" PRIu32 "\n", a + 1, b + 1);
			break;
		}
		emit(&o, "%s", check);
	}
}

/*
 * Churn schedules: a healthy network (no loss, no partition) with the
 * timing of a real machine — frame delays up to a millisecond, timers that
 * wake late, random stalls shorter than the detection window, nodes that
 * stall while they start — and one crash, clean stop or rejoin at a time.
 * Each must give every node that stays in exactly one view change; time
 * passing alone gives none.
 */
void sim_churn_scenario(uint64_t seed, uint64_t index, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	uint64_t s = (seed ^ 0xc4a2f1e3ull) * 0x100000001b3ull ^ index;
	bool running[MAX_N] = { false };
	uint32_t n = 2 + pick(&s, 6), events = 4 + pick(&s, 8), up = n;

	buf[0] = '\0';
	emit(&o, "scenario C%" PRIu64 " churn under real-world timing (seed %" PRIu64 ")\n", index,
	     seed);
	emit(&o, "cluster %" PRIu32 "\n", n);
	emit(&o, "timing delay=%" PRIu32 " jitter=%" PRIu32 " wake=100 stall_rate=%" PRIu32
		 " stall_max=%" PRIu32 " start_stall=%" PRIu32 " skew=1\n",
	     20 + pick(&s, 60), pick(&s, 1000), pick(&s, 20), 500 + pick(&s, 2501),
	     pick(&s, 6000));
	for (uint32_t i = 0; i < n; i++)
		running[i] = true;
	emit(&o, "start 1");
	for (uint32_t i = 1; i < n; i++)
		emit(&o, ",%" PRIu32, i + 1);
	emit(&o, "\nexpect agreement\n");
	for (uint32_t e = 0; e < events; e++) {
		uint32_t a = pick(&s, n), kind = pick(&s, 7);
		uint32_t changes = 1;

		if (kind <= 1 && running[a] && up > 1) {
			running[a] = false;
			up--;
			emit(&o, "%s %" PRIu32 "\n", kind == 0 ? "kill" : "stop", a + 1);
		} else if (kind <= 4 && !running[a]) {
			running[a] = true;
			up++;
			emit(&o, "start %" PRIu32 "\n", a + 1);
		} else if (kind == 5) {
			emit(&o, "advance %" PRIu32 "\n", 50 + pick(&s, 1000));
			changes = 0;
		} else {
			continue;
		}
		emit(&o, "expect agreement\nexpect single_quorate\nexpect view_changes %" PRIu32 "\n",
		     changes);
	}
}
