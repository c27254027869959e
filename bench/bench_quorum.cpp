// SPDX-License-Identifier: BSD-3-Clause
// Cost of the quorum core at N = 16, 256, 1024 members: one recalculation
// (a nodeinfo that changes a record), a whole membership change on one node
// (sync_init, N nodeinfo deliveries, activate), and getinfo.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <vector>

extern "C" {
#include "config/cmap.h"
#include "quorum/quorum.h"
}

namespace {

void discard_send(void *, const struct tally_qmsg *)
{
}

const struct tally_quorum_ops bench_ops = {
	discard_send, nullptr, nullptr, nullptr, nullptr,
};

struct cluster_of_n {
	struct tally_cmap *map = tally_cmap_new();
	struct tally_quorum *q = nullptr;
	std::vector<uint32_t> members;
	uint64_t seq = 0;

	explicit cluster_of_n(uint32_t n)
	{
		char key[64], val[16], err[256];

		for (uint32_t i = 0; i < n; i++) {
			std::snprintf(key, sizeof(key), "nodelist.node.%u.nodeid", i);
			std::snprintf(val, sizeof(val), "%u", i + 1);
			tally_cmap_set(map, key, val);
			members.push_back(i + 1);
		}
		q = tally_quorum_create(1, map, 0, n + 2, &bench_ops, nullptr, err, sizeof(err));
		view_change();
	}

	~cluster_of_n()
	{
		tally_quorum_destroy(q);
		tally_cmap_free(map);
	}

	void deliver_nodeinfo(uint32_t id, uint32_t flags)
	{
		struct tally_qmsg m = {};

		m.type = TALLY_QMSG_NODEINFO;
		m.nodeinfo.nodeid = id;
		m.nodeinfo.votes = 1;
		m.nodeinfo.expected_votes = (uint32_t)members.size();
		m.nodeinfo.flags = flags;
		tally_quorum_deliver(q, id, &m, 0);
	}

	void view_change()
	{
		votequorum_ring_id_t ring = { 1, seq += 4 };

		tally_quorum_sync_init(q, &ring, members.data(), members.size(), 0);
		tally_quorum_sync_process(q);
		for (uint32_t id : members)
			deliver_nodeinfo(id, TALLY_QFLAG_QUORATE);
		tally_quorum_sync_activate(q);
	}
};

void BM_RecalculateOnNodeinfo(benchmark::State &state)
{
	cluster_of_n c((uint32_t)state.range(0));
	uint32_t flip = 0;

	for (auto _ : state) {
		// a changed flag forces a full recalculation on the receiver
		c.deliver_nodeinfo(2, TALLY_QFLAG_QUORATE | (flip ^= TALLY_QFLAG_QDEVICE_MASTER_WINS));
	}
	state.SetItemsProcessed(state.iterations());
}

void BM_ViewChangeOnOneNode(benchmark::State &state)
{
	cluster_of_n c((uint32_t)state.range(0));

	for (auto _ : state)
		c.view_change();
	state.SetItemsProcessed(state.iterations());
}

void BM_Getinfo(benchmark::State &state)
{
	cluster_of_n c((uint32_t)state.range(0));
	struct votequorum_info info;

	for (auto _ : state) {
		benchmark::DoNotOptimize(tally_quorum_getinfo(c.q, 0, &info));
		benchmark::ClobberMemory();
	}
}

} // namespace

BENCHMARK(BM_RecalculateOnNodeinfo)->Arg(16)->Arg(256)->Arg(1024);
BENCHMARK(BM_ViewChangeOnOneNode)->Arg(16)->Arg(256)->Arg(1024);
BENCHMARK(BM_Getinfo)->Arg(16)->Arg(256)->Arg(1024);

BENCHMARK_MAIN();
