/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Membership bodies: every type and payload survives a round trip field for
 * field, the largest hear sets fit one frame, every malformed body is
 * refused, and no truncation or random body is ever OK or crashes.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "wire/mb.h"

static const struct tally_wire_hdr hdr = { TALLY_WIRE_MEMBERSHIP, 7, 0x123456789aull, 1 };
static struct tally_wire_mb_arrays arr;
static uint32_t ids[TALLY_WIRE_MB_MAX_HB_IDS + 8];
static uint64_t incs[TALLY_WIRE_MB_MAX_IDS + 8];

static enum tally_wire_verdict decode(const uint8_t *body, size_t len, struct tally_mb_msg *m)
{
	return tally_wire_decode_mb(&hdr, body, len, m, &arr);
}

/* Encode, decode, compare; every shorter prefix is refused. Returns the length. */
static int roundtrip(const struct tally_mb_msg *m)
{
	static uint8_t body[TALLY_WIRE_MAX_BODY];
	struct tally_mb_msg back;
	int n = tally_wire_encode_mb(m, body, sizeof(body));

	CHECK(n > 0);
	if (n <= 0)
		return n;
	CHECK_EQ(tally_wire_encode_mb(m, body, (size_t)n - 1), -EMSGSIZE);
	CHECK_EQ(tally_wire_encode_mb(m, NULL, 0), -EMSGSIZE);
	CHECK_EQ(tally_wire_encode_mb(m, body, (size_t)n), n);
	CHECK_EQ(decode(body, (size_t)n, &back), TALLY_WIRE_OK);
	CHECK(tally_wire_mb_same(m, &back));
	CHECK((back.incs != NULL) ==
	      (m->type == TALLY_MB_PROPOSE || m->type == TALLY_MB_PROPOSE_PART));
	for (int cut = 0; cut < n; cut++)
		CHECK_EQ(decode(body, (size_t)cut, &back), TALLY_WIRE_BAD_BODY);
	return n;
}

static struct tally_mb_msg base_msg(enum tally_mb_type type)
{
	struct tally_mb_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.from = hdr.sender;
	m.inc = hdr.incarnation;
	m.ring.nodeid = 1;
	m.ring.seq = 0x1234;
	m.max_seq = 0x1238;
	return m;
}

static void fill_range(uint32_t *out, uint32_t first, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		out[i] = first + i;
}

static void every_type_round_trips(void)
{
	struct tally_mb_msg m;
	static const uint32_t deaf[] = { 3, 9 };
	static const uint32_t members[] = { 2, 3, 5, 6, 7, 900000 };
	static const uint64_t member_incs[] = { 5, 1, UINT64_MAX, 0, 1ull << 62, 17 };

	m = base_msg(TALLY_MB_HEARTBEAT);
	m.ring = (votequorum_ring_id_t){ 0, 0 };
	m.max_seq = 0;
	roundtrip(&m);	/* not in a view, no set */
	m.flags = TALLY_MB_HB_IN_VIEW | TALLY_MB_HB_REP | TALLY_MB_HB_LEAVING;
	m.gseq = UINT64_MAX;
	roundtrip(&m);
	m.flags = TALLY_MB_HB_IN_VIEW | TALLY_MB_HB_DEAFSET;
	m.ids = deaf;
	m.n_ids = 2;
	roundtrip(&m);
	m.n_ids = 0;
	roundtrip(&m);	/* an empty deaf set */

	m = base_msg(TALLY_MB_PROPOSE);
	m.seq = 0x1238;
	m.ids = members;
	m.incs = member_incs;
	m.n_ids = 6;
	roundtrip(&m);

	m = base_msg(TALLY_MB_ACCEPT);
	m.seq = 8;
	roundtrip(&m);
	m.ids = deaf;
	m.n_ids = 2;
	roundtrip(&m);

	m = base_msg(TALLY_MB_REJECT);
	m.seq = 8;
	roundtrip(&m);
	m.origin = 0xffffffffu;
	roundtrip(&m);

	for (enum tally_mb_type t = TALLY_MB_COMMIT; t <= TALLY_MB_ABORT; t++) {
		m = base_msg(t);
		m.seq = 1ull << 40;
		roundtrip(&m);
	}

	for (enum tally_mb_type t = TALLY_MB_DATA; t <= TALLY_MB_ORDERED; t++) {
		struct tally_mb_entry e[6];

		memset(e, 0, sizeof(e));
		for (int i = 0; i < 6; i++) {
			e[i].origin = 7;
			e[i].lseq = 300 + (uint64_t)i;
		}
		e[0].payload = TALLY_MB_PAYLOAD_SYNC_DONE;
		e[1].payload = TALLY_MB_PAYLOAD_BATCH_END;
		e[2].qmsg.type = TALLY_QMSG_NODEINFO;
		e[2].qmsg.nodeinfo.nodeid = 0;
		e[2].qmsg.nodeinfo.votes = 1;
		e[2].qmsg.nodeinfo.expected_votes = 3;
		e[2].qmsg.nodeinfo.flags = 0x31;
		e[3].qmsg.type = TALLY_QMSG_RECONFIGURE;
		e[3].qmsg.reconfigure.nodeid = 2;
		e[3].qmsg.reconfigure.value = 5;
		e[3].qmsg.reconfigure.param = TALLY_QRECONF_NODE_VOTES;
		e[4].qmsg.type = TALLY_QMSG_QDEVICE_REG;
		e[4].qmsg.qdevice_reg.op = TALLY_QDEVICE_OP_REGISTER;
		strcpy(e[4].qmsg.qdevice_reg.name, "QDevice");
		e[5].qmsg.type = TALLY_QMSG_QDEVICE_RECONFIGURE;
		memset(e[5].qmsg.qdevice_reconfigure.oldname, 'o', VOTEQUORUM_QDEVICE_MAX_NAME_LEN - 1);
		memset(e[5].qmsg.qdevice_reconfigure.newname, 'n', VOTEQUORUM_QDEVICE_MAX_NAME_LEN - 1);
		m = base_msg(t);
		m.gseq = t == TALLY_MB_ORDERED ? 41 : 0;
		m.n_entries = 1;
		for (int i = 0; i < 6; i++) {
			m.entries = &e[i];
			roundtrip(&m);	/* each alone; e[5] is the largest quorum message */
		}
		m.entries = e;
		m.n_entries = 6;
		e[1].origin = 0xffffffffu;	/* an ORDERED run holds several members' */
		e[2].lseq = UINT64_MAX;
		roundtrip(&m);
	}

	m = base_msg(TALLY_MB_NACK);
	m.gseq = 1;
	roundtrip(&m);
}

static void full_hear_set_fits_one_body(void)
{
	struct tally_mb_msg m = base_msg(TALLY_MB_HEARTBEAT);
	int n;

	m.flags = TALLY_MB_HB_IN_VIEW | TALLY_MB_HB_HEARSET;
	m.ids = ids;
	fill_range(ids, 1, TALLY_WIRE_MB_MAX_IDS);
	m.n_ids = TALLY_WIRE_MB_MAX_IDS;
	n = roundtrip(&m);
	CHECK(n > 0 && n < 24);	/* 1..1024 is a single run */

	/* and a tail as long as the hear set: every node hears us not */
	fill_range(ids + TALLY_WIRE_MB_MAX_IDS, 1, TALLY_WIRE_MB_MAX_IDS);
	m.n_ids = 2 * TALLY_WIRE_MB_MAX_IDS;
	m.n_unheard = TALLY_WIRE_MB_MAX_IDS;
	n = roundtrip(&m);
	CHECK(n > 0 && n < 28);

	/* every other id of 1..2048: a bitmap of 256 bytes each */
	for (uint32_t i = 0; i < 2 * TALLY_WIRE_MB_MAX_IDS; i++)
		ids[i] = 2 * (i % TALLY_WIRE_MB_MAX_IDS) + 1;
	n = roundtrip(&m);
	CHECK(n > 0 && n < 2 * 256 + 40);

	/* any sets within a span of 4096 ids, at the top of the id space */
	for (uint32_t i = 0; i < 2 * TALLY_WIRE_MB_MAX_IDS; i++)
		ids[i] = UINT32_MAX - 4095 + 4 * (i % TALLY_WIRE_MB_MAX_IDS) + (i & 1) * 3;
	n = roundtrip(&m);
	CHECK(n > 0 && n <= (int)TALLY_WIRE_MAX_BODY);
}

/* The largest body through seal and open: one Ethernet frame, as sent. */
static void a_full_body_travels_in_one_frame(void)
{
	static uint8_t body[TALLY_WIRE_MAX_BODY], frame[TALLY_WIRE_MAX_FRAME];
	uint8_t authkey[TALLY_WIRE_AUTHKEY_MIN] = { 9 };
	struct tally_mb_msg m = base_msg(TALLY_MB_HEARTBEAT), back;
	struct tally_wire_hdr h;
	struct tally_wire_key key;
	const uint8_t *got;
	size_t got_len;
	int n, f;

	CHECK_EQ(tally_wire_key_derive(&key, authkey, sizeof(authkey), "lab"), 0);
	m.flags = TALLY_MB_HB_IN_VIEW | TALLY_MB_HB_HEARSET;
	m.ids = ids;
	for (uint32_t i = 0; i < 2 * TALLY_WIRE_MB_MAX_IDS; i++)
		ids[i] = 1000 + 4 * (i % TALLY_WIRE_MB_MAX_IDS) + (i / TALLY_WIRE_MB_MAX_IDS);
	m.n_ids = 2 * TALLY_WIRE_MB_MAX_IDS;
	m.n_unheard = TALLY_WIRE_MB_MAX_IDS;
	n = tally_wire_encode_mb(&m, body, sizeof(body));
	CHECK(n > 0);
	f = tally_wire_seal(&key, &hdr, body, (size_t)(n > 0 ? n : 0), frame, sizeof(frame));
	CHECK_EQ(f, n + TALLY_WIRE_OVERHEAD);
	CHECK_EQ(tally_wire_open(&key, frame, (size_t)f, &h, &got, &got_len), TALLY_WIRE_OK);
	CHECK_EQ(tally_wire_decode_mb(&h, got, got_len, &back, &arr), TALLY_WIRE_OK);
	CHECK(tally_wire_mb_same(&m, &back));
}

static void gaps_and_tails_round_trip(void)
{
	struct tally_mb_msg m = base_msg(TALLY_MB_HEARTBEAT);
	uint32_t s = 99;

	m.flags = TALLY_MB_HB_HEARSET;
	m.ids = ids;
	/* 1..10, 12, 20..29, UINT32_MAX, then a tail 12, 25 */
	fill_range(ids, 1, 10);
	ids[10] = 12;
	fill_range(ids + 11, 20, 10);
	ids[21] = UINT32_MAX;
	ids[22] = 12;
	ids[23] = 25;
	m.n_ids = 24;
	m.n_unheard = 2;
	roundtrip(&m);
	m.n_unheard = 24;	/* all of it a tail, the hear set empty */
	m.n_ids = 24;
	roundtrip(&m);
	m.n_unheard = 0;
	m.n_ids = 22;
	roundtrip(&m);

	/* sparse random ids, sorted: runs of one */
	for (uint32_t i = 0, id = 0; i < 200; i++) {
		s = s * 1103515245u + 12345u;
		id += 1 + (s >> 12) % 100000;
		ids[i] = id;
	}
	m.n_ids = 200;
	roundtrip(&m);

	/* unsorted and duplicate ids travel as they are (receivers refuse them) */
	static const uint32_t unsorted[] = { 5, 3, 3, 9 };

	m.ids = unsorted;
	m.n_ids = 4;
	m.n_unheard = 1;
	roundtrip(&m);
	m.type = TALLY_MB_ACCEPT;
	m.flags = 0;
	m.n_unheard = 0;
	m.seq = 3;
	roundtrip(&m);
}

static void proposals_up_to_what_fits(void)
{
	static uint8_t big[16384];
	struct tally_mb_msg m = base_msg(TALLY_MB_PROPOSE);
	uint64_t s = 7;
	int n;

	m.seq = UINT64_MAX;
	m.max_seq = UINT64_MAX;
	m.ring.nodeid = UINT32_MAX;
	m.ring.seq = UINT64_MAX;
	m.ids = ids;
	m.incs = incs;

	/* 1024 consecutive members with close incarnations (the simulator's) */
	fill_range(ids, 1, TALLY_WIRE_MB_MAX_IDS);
	for (uint32_t i = 0; i < TALLY_WIRE_MB_MAX_IDS; i++)
		incs[i] = 1 + i % 3;
	m.n_ids = TALLY_WIRE_MB_MAX_IDS;
	n = roundtrip(&m);
	CHECK(n > 0 && n < (int)TALLY_WIRE_MB_MAX_IDS + 48);

	/* incarnations as far apart as they can be: 10 bytes each */
	for (uint32_t i = 0; i < TALLY_WIRE_MB_MAX_IDS; i++)
		incs[i] = i % 2 ? 0 : 1ull << 63;
	CHECK_EQ(tally_wire_encode_mb(&m, big, sizeof(big)), 36 + 4 + 10 * 1024);
	CHECK_EQ(tally_wire_encode_mb(&m, big, TALLY_WIRE_MAX_BODY), -EMSGSIZE);
	m.n_ids = 141;	/* consecutive ids: 36 + 4 + 141 * 10 bytes */
	CHECK_EQ(tally_wire_encode_mb(&m, big, TALLY_WIRE_MAX_BODY), (int)TALLY_WIRE_MAX_BODY - 2);
	m.n_ids = 142;
	CHECK_EQ(tally_wire_encode_mb(&m, big, TALLY_WIRE_MAX_BODY), -EMSGSIZE);
	m.n_ids = 141;
	roundtrip(&m);

	/* the guaranteed size: ids 2^32 / 88 apart and the worst incarnations */
	for (uint32_t i = 0; i < TALLY_WIRE_MB_PROPOSE_FIT; i++)
		ids[i] = (i + 1) * (UINT32_MAX / TALLY_WIRE_MB_PROPOSE_FIT);
	m.n_ids = TALLY_WIRE_MB_PROPOSE_FIT;
	n = roundtrip(&m);
	CHECK(n > 0 && n <= (int)TALLY_WIRE_MAX_BODY);

	/* random 64-bit incarnations */
	fill_range(ids, 1, TALLY_WIRE_MB_MAX_IDS);
	for (uint32_t i = 0; i < TALLY_WIRE_MB_MAX_IDS; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		incs[i] = s;
	}
	m.n_ids = TALLY_WIRE_MB_PROPOSE_FIT;
	roundtrip(&m);

	/* more ids than a list holds */
	m.n_ids = TALLY_WIRE_MB_MAX_IDS + 1;
	CHECK_EQ(tally_wire_encode_mb(&m, big, sizeof(big)), -EMSGSIZE);
}

/*
 * Runs: TALLY_MB_RUN_MAX entries of the largest kind that is not a
 * quorum-device message, with every counter at its widest, fit one body, and
 * so does the largest quorum-device message alone; one entry more does not
 * encode, nor does a run without entries or with an entry of origin 0.
 */
static void runs_always_fit(void)
{
	static uint8_t body[TALLY_WIRE_MAX_BODY];
	static struct tally_mb_entry e[TALLY_MB_RUN_MAX + 1];
	struct tally_mb_msg m = base_msg(TALLY_MB_ORDERED);
	int n;

	m.max_seq = m.ring.seq = m.gseq = UINT64_MAX - TALLY_MB_RUN_MAX;
	m.ring.nodeid = UINT32_MAX;
	for (uint32_t i = 0; i <= TALLY_MB_RUN_MAX; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].origin = UINT32_MAX - i;
		e[i].lseq = UINT64_MAX - i;
		e[i].qmsg.type = TALLY_QMSG_NODEINFO;
		e[i].qmsg.nodeinfo.nodeid = e[i].qmsg.nodeinfo.votes = UINT32_MAX;
		e[i].qmsg.nodeinfo.expected_votes = e[i].qmsg.nodeinfo.flags = UINT32_MAX;
		CHECK(!tally_mb_entry_alone(&e[i]));
	}
	m.entries = e;
	m.n_entries = TALLY_MB_RUN_MAX;
	n = roundtrip(&m);
	CHECK(n > 0 && n <= (int)TALLY_WIRE_MAX_BODY);
	m.n_entries = TALLY_MB_RUN_MAX + 1;
	CHECK_EQ(tally_wire_encode_mb(&m, body, sizeof(body)), -EMSGSIZE);

	e[0].qmsg.type = TALLY_QMSG_QDEVICE_RECONFIGURE;
	memset(e[0].qmsg.qdevice_reconfigure.oldname, 'o', VOTEQUORUM_QDEVICE_MAX_NAME_LEN - 1);
	memset(e[0].qmsg.qdevice_reconfigure.newname, 'n', VOTEQUORUM_QDEVICE_MAX_NAME_LEN - 1);
	CHECK(tally_mb_entry_alone(&e[0]));
	m.n_entries = 1;
	n = roundtrip(&m);
	CHECK(n > 0 && n <= (int)TALLY_WIRE_MAX_BODY);

	m.n_entries = 0;
	CHECK_EQ(tally_wire_encode_mb(&m, body, sizeof(body)), -EINVAL);
	m.n_entries = 2;
	e[1].origin = 0;
	CHECK_EQ(tally_wire_encode_mb(&m, body, sizeof(body)), -EINVAL);
	m.entries = NULL;
	CHECK_EQ(tally_wire_encode_mb(&m, body, sizeof(body)), -EINVAL);
}

/*
 * A part of a large proposal: the worst case (ids 2^32 / 64 apart, 10-byte
 * incarnations, 10-byte counters) still fits one body, and a part carries
 * nothing its type does not.
 */
static void proposal_parts_always_fit(void)
{
	static uint8_t body[TALLY_WIRE_MAX_BODY];
	struct tally_mb_msg m = base_msg(TALLY_MB_PROPOSE_PART);
	int n;

	m.seq = m.max_seq = m.ring.seq = UINT64_MAX;
	m.ring.nodeid = UINT32_MAX;
	m.gseq = UINT64_MAX;
	m.lseq = UINT64_MAX - 1;
	for (uint32_t i = 0; i < TALLY_MB_PART_MEMBERS; i++) {
		ids[i] = (i + 1) * (UINT32_MAX / TALLY_MB_PART_MEMBERS);
		incs[i] = i % 2 ? 0 : 1ull << 63;
	}
	m.ids = ids;
	m.incs = incs;
	m.n_ids = TALLY_MB_PART_MEMBERS;
	n = roundtrip(&m);
	CHECK(n > 0 && n <= (int)TALLY_WIRE_MAX_BODY);
	/* 1024 members of tallyd's incarnations: 16 parts, each within a frame */
	fill_range(ids, 1, TALLY_WIRE_MB_MAX_IDS);
	for (uint32_t i = 0; i < TALLY_WIRE_MB_MAX_IDS; i++)
		incs[i] = 1764000000000000000ull + (uint64_t)i * 7919000013ull * (i % 2 ? 1 : 1000);
	for (uint32_t off = 0; off < TALLY_WIRE_MB_MAX_IDS; off += TALLY_MB_PART_MEMBERS) {
		m.gseq = TALLY_WIRE_MB_MAX_IDS;
		m.lseq = off;
		m.ids = ids + off;
		m.incs = incs + off;
		CHECK(tally_wire_encode_mb(&m, body, sizeof(body)) > 0);
	}
	roundtrip(&m);
	/* fields a part does not carry */
	m.origin = 3;
	CHECK_EQ(tally_wire_encode_mb(&m, body, sizeof(body)), -EINVAL);
	m.origin = 0;
	m.flags = TALLY_MB_HB_IN_VIEW;
	CHECK_EQ(tally_wire_encode_mb(&m, body, sizeof(body)), -EINVAL);
	m.flags = 0;
	m.incs = NULL;
	CHECK_EQ(tally_wire_encode_mb(&m, body, sizeof(body)), -EINVAL);
}

static void invalid_messages_are_not_encoded(void)
{
	uint8_t body[TALLY_WIRE_MAX_BODY];
	struct tally_mb_msg m;
	static const uint32_t one[] = { 1 }, zero[] = { 4, 0 };
	static const uint64_t inc1[] = { 1 };
	struct tally_mb_entry bad_payload = { .origin = 3, .lseq = 1, .payload = 3 };
	struct tally_mb_entry no_name = { .origin = 3, .lseq = 1 };
	struct tally_mb_entry sync_done = { .origin = 3, .lseq = 1, .payload = 1 };

	no_name.qmsg.type = TALLY_QMSG_QDEVICE_REG;

#define REFUSED(setup)                                                                      \
	do {                                                                               \
		m = base_msg(TALLY_MB_HEARTBEAT);                                          \
		setup;                                                                     \
		CHECK_EQ(tally_wire_encode_mb(&m, body, sizeof(body)), -EINVAL);           \
	} while (0)

	REFUSED(m.type = 0);
	REFUSED(m.type = 11);
	REFUSED(m.flags = 0x20);
	REFUSED(m.flags = TALLY_MB_HB_HEARSET | TALLY_MB_HB_DEAFSET);
	REFUSED(m.seq = 1);	/* heartbeats carry no proposal seq */
	REFUSED((m.type = TALLY_MB_COMMIT, m.flags = TALLY_MB_HB_IN_VIEW));
	REFUSED((m.type = TALLY_MB_COMMIT, m.origin = 3));
	REFUSED((m.type = TALLY_MB_NACK, m.lseq = 3));
	REFUSED((m.type = TALLY_MB_DATA, m.entries = &bad_payload, m.n_entries = 1));
	REFUSED((m.type = TALLY_MB_COMMIT, m.entries = &sync_done, m.n_entries = 1));
	REFUSED((m.type = TALLY_MB_ORDERED, m.gseq = 1, m.entries = &sync_done));
	REFUSED((m.ids = one, m.n_ids = 1));		/* no set flag: no ids */
	REFUSED((m.type = TALLY_MB_COMMIT, m.ids = one, m.n_ids = 1));
	REFUSED((m.flags = TALLY_MB_HB_HEARSET, m.n_ids = 1));	/* ids NULL */
	REFUSED((m.flags = TALLY_MB_HB_HEARSET, m.ids = zero, m.n_ids = 2));
	REFUSED((m.flags = TALLY_MB_HB_HEARSET, m.ids = one, m.n_ids = 1, m.n_unheard = 2));
	REFUSED((m.flags = TALLY_MB_HB_DEAFSET, m.ids = one, m.n_ids = 1, m.n_unheard = 1));
	REFUSED((m.type = TALLY_MB_ACCEPT, m.ids = one, m.incs = inc1, m.n_ids = 1));
	REFUSED((m.type = TALLY_MB_PROPOSE, m.ids = one, m.n_ids = 1));	/* incs NULL */
	REFUSED((m.type = TALLY_MB_DATA, m.entries = &no_name, m.n_entries = 1));  /* empty name */
#undef REFUSED
}

/* Decode a body given as bytes. */
static enum tally_wire_verdict decode_bytes(const uint8_t *b, size_t n)
{
	struct tally_mb_msg m;

	return decode(b, n, &m);
}

#define BODY(...)                                                                          \
	decode_bytes((const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void malformed_bodies_are_refused(void)
{
	struct tally_wire_hdr other = hdr;
	struct tally_mb_msg m;
	static const uint8_t commit[] = { TALLY_MB_COMMIT, 0, 0, 0, 4 };

	/* valid to start from: COMMIT; HEARTBEAT with hear set 1..3 and tail 2 */
	CHECK_EQ(BODY(TALLY_MB_COMMIT, 0, 0, 0, 4), TALLY_WIRE_OK);
	CHECK_EQ(BODY(TALLY_MB_HEARTBEAT, 0, 0, 0, TALLY_MB_HB_HEARSET, 0, 4, 1, 2, 4, 2, 0),
		 TALLY_WIRE_OK);
	CHECK_EQ(decode(NULL, 0, &m), TALLY_WIRE_BAD_BODY);
	other.type = TALLY_WIRE_QUORUM;
	CHECK_EQ(tally_wire_decode_mb(&other, commit, sizeof(commit), &m, &arr),
		 TALLY_WIRE_BAD_BODY);
	other = hdr;
	other.sender = 0;
	CHECK_EQ(tally_wire_decode_mb(&other, commit, sizeof(commit), &m, &arr),
		 TALLY_WIRE_BAD_BODY);

	/* unknown type, trailing bytes */
	CHECK_EQ(BODY(0, 0, 0, 0, 4), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(10, 0, 0, 0, 4), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_COMMIT, 0, 0, 0, 4, 0), TALLY_WIRE_BAD_BODY);
	/* varints: 11 bytes, a 10th byte above 1, a longer form than needed */
	CHECK_EQ(BODY(TALLY_MB_COMMIT, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		      0xff, 0x81, 0x00), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_COMMIT, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		      0xff, 0x02), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_COMMIT, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		      0xff, 0x01), TALLY_WIRE_OK);	/* UINT64_MAX itself */
	CHECK_EQ(BODY(TALLY_MB_COMMIT, 0, 0, 0, 0x84, 0x00), TALLY_WIRE_BAD_BODY);
	/* a ring node id or origin above 2^32 - 1 */
	CHECK_EQ(BODY(TALLY_MB_COMMIT, 0, 0x80, 0x80, 0x80, 0x80, 0x10, 0, 4), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_REJECT, 0, 0, 0, 4, 0x80, 0x80, 0x80, 0x80, 0x10),
		 TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_REJECT, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff, 0x0f), TALLY_WIRE_OK);

	/* heartbeat flags: unknown bits, both sets */
	CHECK_EQ(BODY(TALLY_MB_HEARTBEAT, 0, 0, 0, 0x20, 0), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_HEARTBEAT, 0, 0, 0, 0x80, 0), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_HEARTBEAT, 0, 0, 0, TALLY_MB_HB_HEARSET | TALLY_MB_HB_DEAFSET, 0, 0,
		      0), TALLY_WIRE_BAD_BODY);
	/* a set without its flag is trailing bytes */
	CHECK_EQ(BODY(TALLY_MB_HEARTBEAT, 0, 0, 0, 0, 0, 4, 1, 0), TALLY_WIRE_BAD_BODY);

	/* entries (count, then origin, lseq, payload each): unknown payloads, a bad
	 * quorum message, a length past the end, no entries, too many, origin 0 */
	CHECK_EQ(BODY(TALLY_MB_DATA, 0, 0, 0, 1, 1, 1, TALLY_MB_PAYLOAD_SYNC_DONE), TALLY_WIRE_OK);
	CHECK_EQ(BODY(TALLY_MB_DATA, 0, 0, 0, 1, 1, 1, 3), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_DATA, 0, 0, 0, 1, 1, 1, 0, 10, 1, 0, 0, 0, 1, 0, 0, 0, 1, 2),
		 TALLY_WIRE_OK);	/* reconfigure, node votes */
	CHECK_EQ(BODY(TALLY_MB_DATA, 0, 0, 0, 1, 1, 1, 0, 10, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9),
		 TALLY_WIRE_BAD_BODY);	/* reconfigure param 9 */
	CHECK_EQ(BODY(TALLY_MB_DATA, 0, 0, 0, 1, 1, 1, 0, 9, 1, 0, 0, 0, 1, 0, 0, 0, 1, 2),
		 TALLY_WIRE_BAD_BODY);	/* qmsg length one short */
	CHECK_EQ(BODY(TALLY_MB_DATA, 0, 0, 0, 1, 1, 1, 0, 11, 1, 0, 0, 0, 1, 0, 0, 0, 1, 2),
		 TALLY_WIRE_BAD_BODY);	/* qmsg length past the end */
	CHECK_EQ(BODY(TALLY_MB_DATA, 0, 0, 0, 1, 1, 1, 0, 0), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ORDERED, 0, 0, 0, 5, 2, 1, 1, 1, 9, 2, 2), TALLY_WIRE_OK);
	CHECK_EQ(BODY(TALLY_MB_ORDERED, 0, 0, 0, 5, 2, 1, 1, 1), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ORDERED, 0, 0, 0, 5, 0), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ORDERED, 0, 0, 0, 5), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ORDERED, 0, 0, 0, 5, 1, 0, 1, 1), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ORDERED, 0, 0, 0, 5, TALLY_MB_RUN_MAX + 1, 1, 1, 1),
		 TALLY_WIRE_BAD_BODY);

	/* incarnations on a type without them: ACCEPT of {1} with one inc after it */
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 4, 1, 0), TALLY_WIRE_OK);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 4, 1, 0, 2), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_PROPOSE, 0, 0, 0, 4, 4, 1, 0, 2), TALLY_WIRE_OK);
	CHECK_EQ(BODY(TALLY_MB_PROPOSE, 0, 0, 0, 4, 4, 1, 0), TALLY_WIRE_BAD_BODY);

	/* lists (as ACCEPT's deaf set): id 0, merged runs, overflowing ids, form 3 */
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 4, 0, 0), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 8, 1, 0, 1, 0), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 8, 1, 0, 2, 0), TALLY_WIRE_OK);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 4, 0xff, 0xff, 0xff, 0xff, 0x0f, 1),
		 TALLY_WIRE_BAD_BODY);	/* UINT32_MAX, UINT32_MAX + 1 */
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 4, 0x80, 0x80, 0x80, 0x80, 0x10, 0),
		 TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 3), TALLY_WIRE_BAD_BODY);
	/* raw: empty, ascending, id 0, above 2^32 - 1 */
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 9, 3, 1), TALLY_WIRE_OK);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 1), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 5, 3), TALLY_WIRE_BAD_BODY);	/* ascending */
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 9, 1, 3), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 9, 3, 0), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 5, 0x80, 0x80, 0x80, 0x80, 0x10),
		 TALLY_WIRE_BAD_BODY);
	/* bitmap: base 0, empty, first bit clear, last byte 0, past the end, past 2^32 - 1 */
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 10, 5, 0x81, 0x01), TALLY_WIRE_OK);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 6, 0, 0x01), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 2, 5), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 6, 5, 0x02), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 10, 5, 0x01, 0x00), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 10, 5, 0x01), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(BODY(TALLY_MB_ACCEPT, 0, 0, 0, 4, 6, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x03),
		 TALLY_WIRE_BAD_BODY);
}

static void too_many_ids_are_refused(void)
{
	static uint8_t b[2048];
	size_t n = 0;

	/* runs: 1..1024 is fine, 1..1025 is one too many, so are two runs of 513 */
	b[n++] = TALLY_MB_ACCEPT, b[n++] = 0, b[n++] = 0, b[n++] = 0, b[n++] = 4;
	b[n++] = 4, b[n++] = 1, b[n++] = 0xff, b[n++] = 0x07;	/* extra 1023 */
	CHECK_EQ(decode_bytes(b, n), TALLY_WIRE_OK);
	b[7] = 0x80, b[8] = 0x08;	/* extra 1024 */
	CHECK_EQ(decode_bytes(b, n), TALLY_WIRE_BAD_BODY);
	b[5] = 8, b[7] = 0x80, b[8] = 0x04;	/* 1..513 */
	b[n++] = 2, b[n++] = 0x80, b[n++] = 0x04;	/* 515..1027 */
	CHECK_EQ(decode_bytes(b, n), TALLY_WIRE_BAD_BODY);
	b[10] = 0xff, b[11] = 0x03;	/* 515..1026: 513 + 512 */
	CHECK_EQ(decode_bytes(b, n), TALLY_WIRE_BAD_BODY);
	b[7] = 0xfe, b[8] = 0x03;	/* 1..511 and 513..1024: 1023 */
	CHECK_EQ(decode_bytes(b, n), TALLY_WIRE_OK);

	/* raw: 1025 ids (alternating 2, 1 so the list is not ascending) */
	n = 5;
	b[n++] = (uint8_t)(0x80 | ((1025 << 2 | 1) & 0x7f)), b[n++] = (1025 << 2 | 1) >> 7;
	for (int i = 0; i < 1025; i++)
		b[n++] = (uint8_t)(2 - i % 2);
	CHECK_EQ(decode_bytes(b, n), TALLY_WIRE_BAD_BODY);
	b[5] = (uint8_t)(0x80 | ((1024 << 2 | 1) & 0x7f)), b[6] = (1024 << 2 | 1) >> 7;
	CHECK_EQ(decode_bytes(b, n - 1), TALLY_WIRE_OK);

	/* bitmap: 129 bytes of ones are 1032 ids */
	n = 5;
	b[n++] = (uint8_t)(0x80 | ((129 << 2 | 2) & 0x7f)), b[n++] = (129 << 2 | 2) >> 7;
	b[n++] = 1;
	for (int i = 0; i < 129; i++)
		b[n++] = 0xff;
	CHECK_EQ(decode_bytes(b, n), TALLY_WIRE_BAD_BODY);
	b[5] = (uint8_t)(0x80 | ((128 << 2 | 2) & 0x7f)), b[6] = (128 << 2 | 2) >> 7;
	CHECK_EQ(decode_bytes(b, n - 1), TALLY_WIRE_OK);
}

/* Random bodies: decoding never crashes; what decodes re-encodes to the same message. */
static void random_bodies_never_crash(void)
{
	static uint8_t body[TALLY_WIRE_MAX_BODY], again[TALLY_WIRE_MAX_BODY];
	static struct tally_wire_mb_arrays arr2;
	struct tally_mb_msg m, back;
	uint32_t s = 4242;
	int ok = 0;

	for (int iter = 0; iter < 200000; iter++) {
		size_t len;
		int n;

		s = s * 1103515245u + 12345u;
		len = (s >> 8) % 64;
		for (size_t i = 0; i < len; i++) {
			s = s * 1103515245u + 12345u;
			body[i] = (uint8_t)(s >> 16);
			/* small numbers, so that some bodies are valid */
			if ((s >> 28) < 12)
				body[i] &= 0x0f;
		}
		if (len > 0)
			body[0] = (uint8_t)(1 + body[0] % 9);
		if (decode(body, len, &m) != TALLY_WIRE_OK)
			continue;
		ok++;
		n = tally_wire_encode_mb(&m, again, sizeof(again));
		CHECK(n > 0 && (size_t)n <= len);
		if (n <= 0)
			continue;
		CHECK_EQ(tally_wire_decode_mb(&hdr, again, (size_t)n, &back, &arr2), TALLY_WIRE_OK);
		CHECK(tally_wire_mb_same(&m, &back));
	}
	CHECK(ok > 1000);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(every_type_round_trips);
	RUN(full_hear_set_fits_one_body);
	RUN(a_full_body_travels_in_one_frame);
	RUN(gaps_and_tails_round_trip);
	RUN(proposals_up_to_what_fits);
	RUN(proposal_parts_always_fit);
	RUN(runs_always_fit);
	RUN(invalid_messages_are_not_encoded);
	RUN(malformed_bodies_are_refused);
	RUN(too_many_ids_are_refused);
	RUN(random_bodies_never_crash);
	return CHECK_EXIT();
}
