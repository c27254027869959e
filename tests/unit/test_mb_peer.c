/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the failure detector says about a peer (tally_mb_peer_info): alive
 * while heartbeats come, suspect from half the window of silence on, dead
 * after the whole window, damped when it comes back flapping; never-heard
 * nodes are unknown; a new incarnation starts afresh. The timing comes from
 * the engine { } section.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "config/cmap.h"
#include "mb_install.h"
#include "mb_stub.h"
#include "membership/membership.h"

/* what a node sends is not under test here */
static void on_send(void *ctx, uint32_t to, const struct tally_mb_msg *msg)
{
	(void)ctx;
	(void)to;
	(void)msg;
}

static const struct tally_mb_ops ops = { on_send, mb_stub_view, mb_stub_deliver,
					 mb_stub_activate };

/* interval 1 ms, window 8 ms, hold-down 50 ms */
static struct tally_mb *node(void)
{
	struct tally_mb_params p;

	tally_mb_params_default(&p);
	return tally_mb_create(1, 1, &p, &ops, NULL, 0);
}

static void heartbeat(struct tally_mb *m, uint32_t from, uint64_t inc, uint64_t now)
{
	struct tally_mb_msg hb = { .type = TALLY_MB_HEARTBEAT, .from = from, .inc = inc };

	tally_mb_receive(m, &hb, now);
}

static struct tally_mb_peer_info info(const struct tally_mb *m, uint32_t id, uint64_t now)
{
	struct tally_mb_peer_info i;

	tally_mb_peer_info(m, id, now, &i);
	return i;
}

static void silence_raises_suspicion_until_dead(void)
{
	struct tally_mb *m = node();

	CHECK_EQ(info(m, 2, 100).state, TALLY_MB_UNKNOWN);
	CHECK(info(m, 2, 100).silent_us == UINT64_MAX);
	CHECK_EQ(info(m, 2, 100).miss_count, 8);
	heartbeat(m, 2, 5, 1000);
	CHECK_EQ(info(m, 2, 1000).state, TALLY_MB_ALIVE);
	CHECK(info(m, 2, 1000).heard);
	CHECK_EQ(info(m, 2, 1000).inc, 5);
	CHECK_EQ(info(m, 2, 4999).missed, 3);
	CHECK_EQ(info(m, 2, 4999).state, TALLY_MB_ALIVE);
	CHECK_EQ(info(m, 2, 5000).missed, 4);
	CHECK_EQ(info(m, 2, 5000).state, TALLY_MB_SUSPECT);
	CHECK(info(m, 2, 5000).heard);	/* suspicion is no verdict */
	CHECK_EQ(info(m, 2, 9000).state, TALLY_MB_SUSPECT);	/* the window's last µs */
	CHECK_EQ(info(m, 2, 9001).state, TALLY_MB_DEAD);
	CHECK(!info(m, 2, 9001).heard);
	CHECK_EQ(info(m, 2, 9001).silent_us, 8001);
	/* a caller's clock read before the frame came: no negative silence */
	CHECK_EQ(info(m, 2, 500).silent_us, 0);
	heartbeat(m, 2, 5, 9500);
	CHECK_EQ(info(m, 2, 9500).state, TALLY_MB_ALIVE);
	CHECK_EQ(info(m, 2, 9500).flaps, 1);
	tally_mb_destroy(m);
}

static void a_flapping_peer_is_damped(void)
{
	struct tally_mb *m = node();
	struct tally_mb_peer_info i;

	heartbeat(m, 2, 5, 1000);
	heartbeat(m, 2, 5, 20000);	/* back after a silence: one flap, no damping yet */
	CHECK_EQ(info(m, 2, 20000).state, TALLY_MB_ALIVE);
	heartbeat(m, 2, 5, 40000);	/* again soon: held out for hold_down */
	heartbeat(m, 2, 5, 41000);
	i = info(m, 2, 41000);
	CHECK_EQ(i.state, TALLY_MB_DAMPED);
	CHECK(!i.heard);
	CHECK_EQ(i.flaps, 2);
	CHECK_EQ(i.damp_left_us, 49000);
	for (uint64_t t = 45000; t <= 90000; t += 5000)
		heartbeat(m, 2, 5, t);	/* steady for the damping's 50 ms: counts again */
	CHECK_EQ(info(m, 2, 90000).state, TALLY_MB_ALIVE);
	CHECK_EQ(info(m, 2, 90000).damp_left_us, 0);
	/* a restart is a new node: nothing of the old life's flapping */
	heartbeat(m, 2, 6, 91000);
	i = info(m, 2, 91000);
	CHECK_EQ(i.inc, 6);
	CHECK_EQ(i.flaps, 0);
	CHECK_EQ(i.state, TALLY_MB_ALIVE);
	/* an older life's frame changes nothing */
	heartbeat(m, 2, 5, 99500);
	CHECK_EQ(info(m, 2, 99500).state, TALLY_MB_DEAD);
	tally_mb_destroy(m);
}

/*
 * A large view's member we do not watch is silent by design; when it speaks
 * again (an alert), damping it served before the view is not served again:
 * it counts as heard at once. (It used to start its heard period anew, which
 * held peers that had flapped while the cluster formed out of every hear set
 * at an alert's start, and split 512-node views.)
 */
static void a_planned_silence_serves_no_damping_again(void)
{
	enum { N = 200, FLAPPED_FIRST = 100, FLAPPED = 12 };
	static uint32_t ids[N];
	static uint64_t incs[N];
	struct tally_mb_params p;
	struct tally_mb *m;
	const uint32_t *subjects;
	size_t n_subjects;
	uint32_t quiet = 0;

	tally_mb_params_default(&p);
	m = tally_mb_create(2, 1, &p, &ops, NULL, 0);
	for (uint32_t i = 0; i < N; i++) {
		ids[i] = i + 1;
		incs[i] = 1;
	}
	/* flapping, damped, and the damping served: as in a slow formation */
	for (uint32_t id = FLAPPED_FIRST; id < FLAPPED_FIRST + FLAPPED; id++) {
		heartbeat(m, id, 1, 1000);
		heartbeat(m, id, 1, 20000);
		heartbeat(m, id, 1, 40000);
		for (uint64_t t = 45000; t <= 100000; t += 5000)
			heartbeat(m, id, 1, t);
		CHECK_EQ(info(m, id, 100000).flaps, 2);
		CHECK_EQ(info(m, id, 100000).state, TALLY_MB_ALIVE);
	}
	/* node 1's proposal of all N, in parts, and its commit: a large view */
	mb_install_view(m, 1, 8, ids, incs, N, 100000);
	CHECK_EQ(tally_mb_ring(m).seq, 8);
	n_subjects = tally_mb_subjects(m, &subjects);
	CHECK_EQ(n_subjects, p.observers);
	/* one we do not watch, silent for longer than the window, speaks: heard at once */
	for (uint32_t id = FLAPPED_FIRST; id < FLAPPED_FIRST + FLAPPED && quiet == 0; id++) {
		bool watched = false;

		for (size_t k = 0; k < n_subjects; k++)
			watched |= subjects[k] == id;
		if (!watched)
			quiet = id;
	}
	CHECK(quiet != 0);
	CHECK_EQ(info(m, quiet, 130000).state, TALLY_MB_DEAD);	/* by design: not watched */
	heartbeat(m, quiet, 1, 130000);
	CHECK_EQ(info(m, quiet, 130000).state, TALLY_MB_ALIVE);
	CHECK(info(m, quiet, 130000).heard);
	CHECK_EQ(info(m, quiet, 130000).damp_left_us, 0);
	CHECK_EQ(info(m, quiet, 130000).flaps, 2);	/* and no flap more */
	tally_mb_destroy(m);
}

static void members_of_the_installed_view(void)
{
	struct tally_mb *m = node();

	for (uint64_t t = 0; t <= 100000 && tally_mb_ring(m).seq == 0; t += 1000)
		tally_mb_tick(m, t);	/* alone: a view of one */
	CHECK(tally_mb_ring(m).seq != 0);
	CHECK(info(m, 1, 0).member);
	CHECK_EQ(info(m, 1, 0).state, TALLY_MB_UNKNOWN);	/* we do not watch ourselves */
	CHECK(!info(m, 3, 0).member);
	CHECK(strcmp(tally_mb_suspicion_name(TALLY_MB_SUSPECT), "suspect") == 0);
	CHECK(strcmp(tally_mb_suspicion_name((enum tally_mb_suspicion)99), "unknown") == 0);
	tally_mb_destroy(m);
}

/* every timing key of the engine { } section reaches the parameters, in range or refused by name */
static void params_come_from_the_engine_section(void)
{
	struct tally_cmap *map = tally_cmap_new();
	struct tally_mb_params p;
	char err[128];

	CHECK_EQ(tally_mb_params_from_cmap(map, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.interval_us, 1000);
	CHECK_EQ(p.miss_count, 8);
	CHECK_EQ(p.observers, 8);
	CHECK_EQ(p.hold_down_us, 50000);
	CHECK_EQ(p.small_view, TALLY_MB_SMALL_VIEW);
	tally_cmap_set(map, "engine.heartbeat_interval", "250");
	tally_cmap_set(map, "engine.miss_count", "4");
	tally_cmap_set(map, "engine.observers", "12");
	tally_cmap_set(map, "engine.hold_down", "0");
	tally_cmap_set(map, "engine.small_view", "64");
	CHECK_EQ(tally_mb_params_from_cmap(map, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.interval_us, 250);
	CHECK_EQ(p.miss_count, 4);
	CHECK_EQ(p.observers, 12);
	CHECK_EQ(p.hold_down_us, 0);
	CHECK_EQ(p.small_view, 64);
	tally_cmap_set(map, "engine.small_view", "0");
	CHECK_EQ(tally_mb_params_from_cmap(map, &p, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "engine.small_view") != NULL);
	tally_cmap_set(map, "engine.small_view", "1025");
	CHECK_EQ(tally_mb_params_from_cmap(map, &p, err, sizeof(err)), -EINVAL);
	tally_cmap_set(map, "engine.small_view", "1024");
	tally_cmap_set(map, "engine.miss_count", "1");
	CHECK_EQ(tally_mb_params_from_cmap(map, &p, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "engine.miss_count") != NULL);
	tally_cmap_free(map);
}

int main(void)
{
	RUN(params_come_from_the_engine_section);
	RUN(silence_raises_suspicion_until_dead);
	RUN(a_flapping_peer_is_damped);
	RUN(members_of_the_installed_view);
	RUN(a_planned_silence_serves_no_damping_again);
	return CHECK_EXIT();
}
