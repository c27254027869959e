// SPDX-License-Identifier: BSD-3-Clause
// The publication segment: publishing a snapshot of N nodes, a client's
// getinfo and full snapshot read, one notification through the event ring,
// and the engine's wake check after a change when nobody sleeps.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <sys/mman.h>

extern "C" {
#include "shm/shm.h"
#include "shm/wake.h"
}

namespace {

struct segment {
	void *seg;
	struct tally_shm_snapshot *snap;
	struct tally_shm_reader r;

	explicit segment(uint32_t n)
	{
		seg = mmap(nullptr, TALLY_SHM_SEGMENT_SIZE, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		snap = static_cast<struct tally_shm_snapshot *>(calloc(1, sizeof(*snap)));
		if (seg == MAP_FAILED || snap == nullptr ||
		    tally_shm_init(seg, TALLY_SHM_SEGMENT_SIZE, 1) != 0)
			std::abort();
		snap->sum.local_nodeid = 1;
		snap->sum.n_nodes = n;
		snap->sum.n_members = n;
		for (uint32_t i = 0; i < n; i++) {
			snap->nodes[i].nodeid = i + 1;
			snap->nodes[i].state = VOTEQUORUM_NODESTATE_MEMBER;
			snap->nodes[i].votes = 1;
			snap->members[i] = i + 1;
		}
		tally_shm_publish(seg, snap);
		tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE);
	}

	~segment()
	{
		munmap(seg, TALLY_SHM_SEGMENT_SIZE);
		free(snap);
	}
};

void BM_Publish(benchmark::State &state)
{
	segment s((uint32_t)state.range(0));

	for (auto _ : state)
		benchmark::DoNotOptimize(tally_shm_publish(s.seg, s.snap));
}

void BM_GetinfoFromSegment(benchmark::State &state)
{
	segment s((uint32_t)state.range(0));
	struct votequorum_info info;

	for (auto _ : state)
		benchmark::DoNotOptimize(tally_shm_getinfo(&s.r, (uint32_t)state.range(0) / 2, &info));
}

void BM_ReadSnapshot(benchmark::State &state)
{
	segment s((uint32_t)state.range(0));
	struct tally_shm_snapshot *out =
		static_cast<struct tally_shm_snapshot *>(malloc(sizeof(*out)));

	for (auto _ : state)
		benchmark::DoNotOptimize(tally_shm_read_snapshot(&s.r, out));
	free(out);
}

void BM_EventAppendAndRead(benchmark::State &state)
{
	segment s(16);
	struct tally_shm_event ev;
	uint32_t payload[2 + 16] = { 1, 16 };
	static uint32_t buf[1024];

	for (auto _ : state) {
		tally_shm_append(s.seg, TALLY_SHM_EV_QUORUM, payload, sizeof(payload));
		benchmark::DoNotOptimize(tally_shm_next_event(&s.r, &ev, buf, sizeof(buf)));
	}
}

void BM_WakeNobodyAsleep(benchmark::State &state)
{
	segment s(16);

	for (auto _ : state)
		benchmark::DoNotOptimize(tally_shm_wake(s.seg));
}

} // namespace

BENCHMARK(BM_Publish)->Arg(16)->Arg(256)->Arg(1024);
BENCHMARK(BM_GetinfoFromSegment)->Arg(16)->Arg(256)->Arg(1024);
BENCHMARK(BM_ReadSnapshot)->Arg(16)->Arg(256)->Arg(1024);
BENCHMARK(BM_EventAppendAndRead);
BENCHMARK(BM_WakeNobodyAsleep);

BENCHMARK_MAIN();
