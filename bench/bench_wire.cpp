// SPDX-License-Identifier: BSD-3-Clause
// Cost of sealing (encode + MAC) and opening (checks + MAC + decode) one
// quorum nodeinfo frame, and of the replay check.
#include <benchmark/benchmark.h>

#include <cstring>

extern "C" {
#include <sodium.h>

#include "wire/wire.h"
}

namespace {

struct wire_fixture {
	struct tally_wire_key key;
	uint8_t frame[TALLY_WIRE_MAX_FRAME];
	int frame_len = 0;

	wire_fixture()
	{
		uint8_t authkey[256];
		struct tally_qmsg m = {};
		uint8_t body[64];
		struct tally_wire_hdr h = { TALLY_WIRE_QUORUM, 7, 1, 1 };
		int n;

		if (sodium_init() < 0)
			std::abort();
		for (size_t i = 0; i < sizeof(authkey); i++)
			authkey[i] = (uint8_t)i;
		tally_wire_key_derive(&key, authkey, sizeof(authkey), "bench");
		m.type = TALLY_QMSG_NODEINFO;
		m.nodeinfo.nodeid = 7;
		m.nodeinfo.votes = 1;
		m.nodeinfo.expected_votes = 5;
		n = tally_wire_encode_qmsg(&m, body, sizeof(body));
		frame_len = tally_wire_seal(&key, &h, body, (size_t)n, frame, sizeof(frame));
	}
};

void BM_SealNodeinfo(benchmark::State &state)
{
	wire_fixture f;
	struct tally_qmsg m = {};
	struct tally_wire_hdr h = { TALLY_WIRE_QUORUM, 7, 1, 0 };
	uint8_t body[64], out[TALLY_WIRE_MAX_FRAME];

	m.type = TALLY_QMSG_NODEINFO;
	for (auto _ : state) {
		int n = tally_wire_encode_qmsg(&m, body, sizeof(body));

		h.seq++;
		benchmark::DoNotOptimize(tally_wire_seal(&f.key, &h, body, (size_t)n, out, sizeof(out)));
	}
	state.SetItemsProcessed(state.iterations());
}

void BM_OpenNodeinfo(benchmark::State &state)
{
	wire_fixture f;
	struct tally_wire_hdr h;
	struct tally_qmsg m;
	const uint8_t *body;
	size_t body_len;

	for (auto _ : state) {
		benchmark::DoNotOptimize(tally_wire_open(&f.key, f.frame, (size_t)f.frame_len, &h,
							 &body, &body_len));
		benchmark::DoNotOptimize(tally_wire_decode_qmsg(body, body_len, &m));
	}
	state.SetItemsProcessed(state.iterations());
}

void BM_ReplayCheck(benchmark::State &state)
{
	struct tally_wire_replay r = {};
	uint64_t seq = 0;

	for (auto _ : state)
		benchmark::DoNotOptimize(tally_wire_replay_check(&r, 1, ++seq));
}

} // namespace

BENCHMARK(BM_SealNodeinfo);
BENCHMARK(BM_OpenNodeinfo);
BENCHMARK(BM_ReplayCheck);

BENCHMARK_MAIN();
