// SPDX-License-Identifier: BSD-3-Clause
// Cost of the membership core on one node of an N-member view, N = 16, 256,
// 1024: one received heartbeat, one interval's tick (heartbeats out, failure
// detection, evaluation), one interval after a member crashed (the node
// evaluates every tick until the next view), and one whole view change
// (PROPOSE evaluated against fresh hear sets, COMMIT, view installed).
#include <benchmark/benchmark.h>

#include <vector>

extern "C" {
#include "membership/membership.h"
}

namespace {

void discard_send(void *, uint32_t, const struct tally_mb_msg *)
{
}

void discard_view(void *, const votequorum_ring_id_t *, const uint32_t *, size_t)
{
}

void discard_deliver(void *, uint32_t, const struct tally_qmsg *)
{
}

void discard_activate(void *)
{
}

const struct tally_mb_ops bench_ops = {
	discard_send, discard_view, discard_deliver, discard_activate,
};

// The benchmarked node is the highest id; node 1 proposes every view.
struct view_of_n {
	struct tally_mb *m = nullptr;
	std::vector<uint32_t> ids;
	std::vector<uint64_t> incs;
	uint32_t self;
	uint64_t now = 1000000;
	uint64_t seq = 0;
	std::vector<uint32_t> hear;

	explicit view_of_n(uint32_t n) : self(n)
	{
		struct tally_mb_params p;

		tally_mb_params_default(&p);
		for (uint32_t i = 1; i <= n; i++) {
			ids.push_back(i);
			incs.push_back(1);
		}
		m = tally_mb_create(self, 1, &p, &bench_ops, nullptr, now);
		view_change();
		for (uint32_t k = 1; k < n; k++)
			heartbeat_from(k);	/* fresh hear sets: evaluations use them */
	}

	~view_of_n()
	{
		tally_mb_destroy(m);
	}

	void view_change()
	{
		struct tally_mb_msg msg = {};

		msg.type = TALLY_MB_PROPOSE;
		msg.from = 1;
		msg.inc = 1;
		msg.seq = seq += 4;
		msg.max_seq = seq;
		msg.ids = ids.data();
		msg.incs = incs.data();
		msg.n_ids = (uint32_t)ids.size();
		tally_mb_receive(m, &msg, now);
		msg.type = TALLY_MB_COMMIT;
		msg.ids = nullptr;
		msg.incs = nullptr;
		msg.n_ids = 0;
		tally_mb_receive(m, &msg, now);
	}

	// A heartbeat from `id`; its hear set lacks `missing` (0: none).
	void heartbeat_from(uint32_t id, uint32_t missing = 0)
	{
		struct tally_mb_msg msg = {};
		votequorum_ring_id_t ring = tally_mb_ring(m);

		msg.type = TALLY_MB_HEARTBEAT;
		msg.from = id;
		msg.inc = 1;
		msg.ring = ring;
		msg.max_seq = ring.seq;
		msg.flags = TALLY_MB_HB_IN_VIEW |
			    (ids.size() > TALLY_MB_SMALL_VIEW ? TALLY_MB_HB_DEAFSET : 0);
		if (ids.size() <= TALLY_MB_SMALL_VIEW) {
			msg.flags |= TALLY_MB_HB_HEARSET;
			msg.ids = ids.data();
			msg.n_ids = (uint32_t)ids.size();
			if (missing != 0) {
				hear.clear();
				for (uint32_t x : ids)
					if (x != missing)
						hear.push_back(x);
				msg.ids = hear.data();
				msg.n_ids = (uint32_t)hear.size();
			}
		}
		tally_mb_receive(m, &msg, now);
	}
};

void BM_HeartbeatReceived(benchmark::State &state)
{
	view_of_n v((uint32_t)state.range(0));
	uint32_t from = 1;

	for (auto _ : state) {
		v.heartbeat_from(from);
		from = from % (v.self - 1) + 1;
	}
	state.SetItemsProcessed(state.iterations());
}

// One interval: the heartbeats a node receives in it (all members in small
// views, its K subjects and the representative in large ones), then its tick.
void BM_Interval(benchmark::State &state)
{
	view_of_n v((uint32_t)state.range(0));
	const uint32_t *subjects;
	size_t n_subjects = tally_mb_subjects(v.m, &subjects);
	std::vector<uint32_t> from;

	if (n_subjects == 0) {
		for (uint32_t k = 1; k < v.self; k++)
			from.push_back(k);
	} else {
		from.assign(subjects, subjects + n_subjects);
		from.push_back(1);	/* the representative broadcasts to all */
	}
	for (auto _ : state) {
		v.now += 1000;
		for (uint32_t k : from)
			v.heartbeat_from(k);
		tally_mb_tick(v.m, v.now);
	}
	state.counters["frames_in"] = (double)from.size();
	state.SetItemsProcessed(state.iterations());
}

// One interval after member N-1 crashed, once the window ran out: the node no
// longer hears its whole view and evaluates on every tick (as every survivor
// does until the view without the victim commits), while the others' hear
// sets, one tick behind, still name the victim.
void BM_IntervalAfterCrash(benchmark::State &state)
{
	view_of_n v((uint32_t)state.range(0));
	uint32_t n = v.self;
	uint32_t victim = n - 1;

	for (uint32_t t = 0; t < 9; t++) {	/* the window (8 intervals) runs out */
		v.now += 1000;
		for (uint32_t k = 1; k < n; k++)
			if (k != victim)
				v.heartbeat_from(k);
		tally_mb_tick(v.m, v.now);
	}
	for (auto _ : state) {
		v.now += 1000;
		for (uint32_t k = 1; k < n; k++)
			if (k != victim)
				v.heartbeat_from(k, k % 2 ? victim : 0);
		tally_mb_tick(v.m, v.now);
	}
	state.SetItemsProcessed(state.iterations());
}

void BM_ViewChange(benchmark::State &state)
{
	view_of_n v((uint32_t)state.range(0));

	for (auto _ : state)
		v.view_change();
	state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(BM_HeartbeatReceived)->Arg(16)->Arg(256)->Arg(1024);
BENCHMARK(BM_Interval)->Arg(16)->Arg(256)->Arg(1024);
BENCHMARK(BM_IntervalAfterCrash)->Arg(16)->Arg(256)->Arg(1024);
BENCHMARK(BM_ViewChange)->Arg(16)->Arg(256)->Arg(1024);

BENCHMARK_MAIN();
