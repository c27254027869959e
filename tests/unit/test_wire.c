/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames: every way a frame can be wrong is dropped with its own verdict,
 * replays and old incarnations are refused, and every quorum message
 * survives a round trip. Random input never yields OK and never crashes.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "wire/wire.h"

static uint8_t authkey[256];

static void make_key(struct tally_wire_key *k, const char *cluster)
{
	CHECK_EQ(tally_wire_key_derive(k, authkey, sizeof(authkey), cluster), 0);
}

static int sample_frame(const struct tally_wire_key *k, uint8_t *buf, size_t len)
{
	struct tally_wire_hdr h = { TALLY_WIRE_QUORUM, 3, 77, 1000 };
	static const uint8_t body[] = "hello quorum";

	return tally_wire_seal(k, &h, body, sizeof(body), buf, len);
}

static void key_derivation_rejects_bad_authkeys(void)
{
	struct tally_wire_key k;

	CHECK_EQ(tally_wire_key_derive(&k, authkey, TALLY_WIRE_AUTHKEY_MIN - 1, "c"), -EINVAL);
	CHECK_EQ(tally_wire_key_derive(&k, authkey, TALLY_WIRE_AUTHKEY_MAX + 1, "c"), -EINVAL);
	CHECK_EQ(tally_wire_key_derive(&k, NULL, 64, "c"), -EINVAL);
	CHECK_EQ(tally_wire_key_derive(&k, authkey, 64, NULL), -EINVAL);
	CHECK_EQ(tally_wire_key_derive(NULL, authkey, 64, "c"), -EINVAL);
}

static void seal_rejects_bad_arguments(void)
{
	struct tally_wire_key k;
	struct tally_wire_hdr h = { TALLY_WIRE_QUORUM, 1, 1, 1 };
	uint8_t buf[TALLY_WIRE_MAX_FRAME + 16];

	make_key(&k, "lab");
	CHECK_EQ(tally_wire_seal(&k, &h, NULL, 5, buf, sizeof(buf)), -EINVAL);
	CHECK_EQ(tally_wire_seal(&k, &h, buf, TALLY_WIRE_MAX_BODY + 1, buf, sizeof(buf)), -EINVAL);
	CHECK_EQ(tally_wire_seal(&k, &h, "x", 1, buf, TALLY_WIRE_OVERHEAD), -ENOSPC);
	CHECK_EQ(tally_wire_seal(&k, &h, NULL, 0, buf, TALLY_WIRE_OVERHEAD), TALLY_WIRE_OVERHEAD);
}

static void open_drops_each_kind_of_bad_frame(void)
{
	struct tally_wire_key k, other_key, other_cluster;
	struct tally_wire_hdr h;
	const uint8_t *body;
	size_t body_len;
	uint8_t f[256], g[256];
	int n;

	make_key(&k, "lab");
	make_key(&other_cluster, "prod");
	authkey[0] ^= 1;
	make_key(&other_key, "lab");
	authkey[0] ^= 1;
	n = sample_frame(&k, f, sizeof(f));
	CHECK(n > 0);

	CHECK_EQ(tally_wire_open(&k, f, TALLY_WIRE_OVERHEAD - 1, &h, &body, &body_len),
		 TALLY_WIRE_SHORT);
	CHECK_EQ(tally_wire_open(&k, NULL, 100, &h, &body, &body_len), TALLY_WIRE_SHORT);
	memcpy(g, f, (size_t)n);
	g[0] ^= 0xff;
	CHECK_EQ(tally_wire_open(&k, g, (size_t)n, &h, &body, &body_len), TALLY_WIRE_BAD_MAGIC);
	memcpy(g, f, (size_t)n);
	g[4] = 2;
	CHECK_EQ(tally_wire_open(&k, g, (size_t)n, &h, &body, &body_len), TALLY_WIRE_BAD_VERSION);
	CHECK_EQ(tally_wire_open(&k, f, (size_t)n - 1, &h, &body, &body_len), TALLY_WIRE_BAD_LENGTH);
	memcpy(g, f, (size_t)n);
	g[6] = 0xff;	/* a body length beyond any frame */
	CHECK_EQ(tally_wire_open(&k, g, (size_t)n, &h, &body, &body_len), TALLY_WIRE_BAD_LENGTH);
	CHECK_EQ(tally_wire_open(&other_cluster, f, (size_t)n, &h, &body, &body_len),
		 TALLY_WIRE_OTHER_CLUSTER);
	CHECK_EQ(tally_wire_open(&other_key, f, (size_t)n, &h, &body, &body_len),
		 TALLY_WIRE_BAD_MAC);

	/* every single-bit change behind the checked header fields breaks the MAC */
	for (int bit = 12 * 8; bit < n * 8; bit++) {
		memcpy(g, f, (size_t)n);
		g[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		CHECK_EQ(tally_wire_open(&k, g, (size_t)n, &h, &body, &body_len),
			 TALLY_WIRE_BAD_MAC);
	}

	CHECK_EQ(tally_wire_open(&k, f, (size_t)n, &h, &body, &body_len), TALLY_WIRE_OK);
	CHECK_EQ(h.type, TALLY_WIRE_QUORUM);
	CHECK_EQ(h.sender, 3);
	CHECK_EQ(h.incarnation, 77);
	CHECK_EQ(h.seq, 1000);
	CHECK_EQ(body_len, 13);
	CHECK(memcmp(body, "hello quorum", 13) == 0);
}

static void replay_window_refuses_duplicates_and_old_lives(void)
{
	struct tally_wire_replay r = { 0 };

	CHECK_EQ(tally_wire_replay_check(&r, 5, 100), TALLY_WIRE_OK);
	CHECK_EQ(tally_wire_replay_check(&r, 5, 100), TALLY_WIRE_REPLAY);
	CHECK_EQ(tally_wire_replay_check(&r, 4, 500), TALLY_WIRE_STALE_INCARNATION);
	CHECK_EQ(tally_wire_replay_check(&r, 5, 102), TALLY_WIRE_OK);
	/* late but inside the window: once */
	CHECK_EQ(tally_wire_replay_check(&r, 5, 101), TALLY_WIRE_OK);
	CHECK_EQ(tally_wire_replay_check(&r, 5, 101), TALLY_WIRE_REPLAY);
	CHECK_EQ(tally_wire_replay_check(&r, 5, 102 + TALLY_WIRE_REPLAY_WINDOW), TALLY_WIRE_OK);
	/* fell out of the window */
	CHECK_EQ(tally_wire_replay_check(&r, 5, 102), TALLY_WIRE_REPLAY);
	CHECK_EQ(tally_wire_replay_check(&r, 5, 103), TALLY_WIRE_OK);
	/* a jump far ahead resets the window */
	CHECK_EQ(tally_wire_replay_check(&r, 5, 100000), TALLY_WIRE_OK);
	CHECK_EQ(tally_wire_replay_check(&r, 5, 99999), TALLY_WIRE_OK);
	/* a restart: a new incarnation starts afresh, the old one is dead */
	CHECK_EQ(tally_wire_replay_check(&r, 6, 1), TALLY_WIRE_OK);
	CHECK_EQ(tally_wire_replay_check(&r, 5, 100001), TALLY_WIRE_STALE_INCARNATION);
	CHECK(strcmp(tally_wire_verdict_name(TALLY_WIRE_REPLAY), "replay") == 0);
	CHECK(strcmp(tally_wire_verdict_name(TALLY_WIRE_VERDICT_COUNT), "unknown") == 0);
}

static void roundtrip(const struct tally_qmsg *m)
{
	struct tally_qmsg back;
	uint8_t body[TALLY_WIRE_MAX_BODY];
	int n = tally_wire_encode_qmsg(m, body, sizeof(body));

	CHECK(n > 0);
	CHECK_EQ(tally_wire_decode_qmsg(body, (size_t)n, &back), TALLY_WIRE_OK);
	CHECK(memcmp(&back, m, sizeof(back)) == 0);
	/* any truncation is malformed */
	for (int cut = 0; cut < n; cut++)
		CHECK_EQ(tally_wire_decode_qmsg(body, (size_t)cut, &back), TALLY_WIRE_BAD_BODY);
}

static void quorum_messages_round_trip(void)
{
	struct tally_qmsg m;

	memset(&m, 0, sizeof(m));
	m.type = TALLY_QMSG_NODEINFO;
	m.nodeinfo.nodeid = 0xfffffffe;
	m.nodeinfo.votes = 3;
	m.nodeinfo.expected_votes = 5;
	m.nodeinfo.flags = 0x1ff;
	roundtrip(&m);

	memset(&m, 0, sizeof(m));
	m.type = TALLY_QMSG_RECONFIGURE;
	m.reconfigure.nodeid = 2;
	m.reconfigure.value = 9;
	m.reconfigure.param = TALLY_QRECONF_CANCEL_WFA;
	roundtrip(&m);

	memset(&m, 0, sizeof(m));
	m.type = TALLY_QMSG_QDEVICE_REG;
	m.qdevice_reg.op = TALLY_QDEVICE_OP_REGISTER;
	memset(m.qdevice_reg.name, 'q', VOTEQUORUM_QDEVICE_MAX_NAME_LEN - 1);
	roundtrip(&m);

	memset(&m, 0, sizeof(m));
	m.type = TALLY_QMSG_QDEVICE_RECONFIGURE;
	strcpy(m.qdevice_reconfigure.oldname, "QD");
	strcpy(m.qdevice_reconfigure.newname, "Qdevice");
	roundtrip(&m);
}

static void malformed_quorum_bodies_are_refused(void)
{
	static const struct {
		uint8_t bytes[12];
		size_t len;
	} bad[] = {
		{ { 9 }, 1 },					/* unknown type */
		{ { 1, 0, 0, 0, 1, 0, 0, 0, 1, 0 }, 10 },	/* reconfigure param 0 */
		{ { 1, 0, 0, 0, 1, 0, 0, 0, 1, 4 }, 10 },	/* reconfigure param 4 */
		{ { 2, 2, 1, 'a' }, 4 },			/* register op 2 */
		{ { 2, 1, 0 }, 3 },				/* empty name */
		{ { 2, 1, 2, 'a', 0 }, 5 },			/* NUL inside a name */
		{ { 2, 1, 1, 'a', 'b' }, 5 },			/* bytes after the name */
		{ { 3, 1, 'a' }, 3 },				/* new name missing */
		{ { 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0 }, 12 },	/* nodeinfo too short */
	};
	struct tally_qmsg m;
	uint8_t body[300] = { 0 };

	CHECK_EQ(tally_wire_decode_qmsg(body, 0, &m), TALLY_WIRE_BAD_BODY);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(tally_wire_decode_qmsg(bad[i].bytes, bad[i].len, &m), TALLY_WIRE_BAD_BODY);

	/* a 255-byte name cannot be encoded */
	memset(&m, 0, sizeof(m));
	m.type = TALLY_QMSG_QDEVICE_REG;
	memset(m.qdevice_reg.name, 'x', sizeof(m.qdevice_reg.name));
	CHECK_EQ(tally_wire_encode_qmsg(&m, body, sizeof(body)), -EINVAL);
	m.qdevice_reg.name[0] = '\0';
	CHECK_EQ(tally_wire_encode_qmsg(&m, body, sizeof(body)), -EINVAL);
	m.type = TALLY_QMSG_NODEINFO;
	CHECK_EQ(tally_wire_encode_qmsg(&m, body, 16), -ENOSPC);
	CHECK_EQ(tally_wire_encode_qmsg(&m, body, 0), -ENOSPC);
}

static void random_frames_never_pass(void)
{
	struct tally_wire_key k;
	struct tally_wire_hdr h;
	struct tally_qmsg m;
	const uint8_t *body;
	size_t body_len;
	uint8_t f[TALLY_WIRE_MAX_FRAME];
	uint32_t s = 12345;

	make_key(&k, "lab");
	for (int iter = 0; iter < 100000; iter++) {
		size_t len;

		s = s * 1103515245u + 12345u;
		len = (s >> 8) % sizeof(f);
		for (size_t i = 0; i < len; i++) {
			s = s * 1103515245u + 12345u;
			f[i] = (uint8_t)(s >> 16);
		}
		if (iter % 3 == 0 && len >= TALLY_WIRE_OVERHEAD) {
			/* a plausible header, so the MAC check is what stops it */
			f[0] = 'T', f[1] = 'L', f[2] = 'Y', f[3] = '1', f[4] = TALLY_WIRE_VERSION;
			f[6] = (uint8_t)((len - TALLY_WIRE_OVERHEAD) >> 8);
			f[7] = (uint8_t)(len - TALLY_WIRE_OVERHEAD);
			f[8] = (uint8_t)(k.cluster_hash >> 24), f[9] = (uint8_t)(k.cluster_hash >> 16);
			f[10] = (uint8_t)(k.cluster_hash >> 8), f[11] = (uint8_t)k.cluster_hash;
			CHECK_EQ(tally_wire_open(&k, f, len, &h, &body, &body_len), TALLY_WIRE_BAD_MAC);
		} else {
			CHECK(tally_wire_open(&k, f, len, &h, &body, &body_len) != TALLY_WIRE_OK);
		}
		/* the body decoder on its own must survive anything */
		(void)tally_wire_decode_qmsg(f, len % 300, &m);
	}
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	for (size_t i = 0; i < sizeof(authkey); i++)
		authkey[i] = (uint8_t)(i * 37 + 11);
	RUN(key_derivation_rejects_bad_authkeys);
	RUN(seal_rejects_bad_arguments);
	RUN(open_drops_each_kind_of_bad_frame);
	RUN(replay_window_refuses_duplicates_and_old_lives);
	RUN(malformed_quorum_bodies_are_refused);
	RUN(quorum_messages_round_trip);
	RUN(random_frames_never_pass);
	return CHECK_EXIT();
}
