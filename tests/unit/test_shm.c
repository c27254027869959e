/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The publication segment: readers refuse segments they cannot trust, see
 * exactly what the quorum core says, read every event in order or learn
 * that they fell behind, never see a torn snapshot or event while a
 * writer in another process publishes as fast as it can, and are never left
 * asleep after a change (W1/W2), with or without a client slot.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "config/cmap.h"
#include "quorum/quorum.h"
#include "shm/shm.h"
#include "shm/wake.h"

static void *new_segment(void)
{
	void *seg = mmap(NULL, TALLY_SHM_SEGMENT_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (seg == MAP_FAILED)
		abort();
	CHECK_EQ(tally_shm_init(seg, TALLY_SHM_SEGMENT_SIZE, 7), 0);
	return seg;
}

static void attach_refuses_untrustworthy_segments(void)
{
	struct tally_shm_reader r;
	uint8_t *seg = new_segment();
	struct tally_shm_header *h = (struct tally_shm_header *)seg;

	CHECK_EQ(tally_shm_init(seg, TALLY_SHM_SEGMENT_SIZE - 1, 7), -EINVAL);
	CHECK_EQ(tally_shm_attach(&r, NULL, TALLY_SHM_SEGMENT_SIZE), -EPROTO);
	CHECK_EQ(tally_shm_attach(&r, seg, sizeof(*h) - 1), -EPROTO);
	CHECK_EQ(tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE - 1), -EPROTO);
	h->magic ^= 1;
	CHECK_EQ(tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE), -EPROTO);
	h->magic ^= 1;
	h->version = TALLY_SHM_VERSION + 1;
	CHECK_EQ(tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE), -EPROTO);
	h->version = TALLY_SHM_VERSION;
	h->ring_offset += TALLY_SHM_PAGE;	/* the ring would run into the client area */
	CHECK_EQ(tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE), -EPROTO);
	h->ring_offset -= TALLY_SHM_PAGE;
	h->clients_offset += 8;	/* clients map it writable by pages */
	CHECK_EQ(tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE), -EPROTO);
	h->clients_offset += TALLY_SHM_PAGE - 8;	/* past the segment */
	CHECK_EQ(tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE), -EPROTO);
	h->clients_offset -= TALLY_SHM_PAGE;
	h->clients++;
	CHECK_EQ(tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE), -EPROTO);
	h->clients--;
	h->slot_size -= 64;
	CHECK_EQ(tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE), -EPROTO);
	h->slot_size += 64;
	h->segment_size += TALLY_SHM_PAGE;	/* more than this code knows */
	CHECK_EQ(tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE), -EPROTO);
	h->segment_size -= TALLY_SHM_PAGE;
	CHECK_EQ(tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE), 0);
	munmap(seg, TALLY_SHM_SEGMENT_SIZE);
}

/*
 * A reader takes no address from the header: with every layout field
 * scribbled over after attach, it still reads the right snapshot and events
 * (and nothing outside the segment: that would crash or fail the checks).
 */
static void readers_take_no_offset_from_the_header(void)
{
	struct tally_shm_snapshot *snap = calloc(1, sizeof(*snap));
	uint8_t *seg = new_segment();
	struct tally_shm_header *h = (struct tally_shm_header *)seg;
	struct tally_shm_reader r;
	struct tally_shm_event ev;
	struct votequorum_info info;
	uint32_t payload[4] = { 1, 2, 3, 4 }, got[4];

	CHECK_EQ(tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE), 0);
	snap->sum.local_nodeid = 3;
	snap->sum.n_nodes = 1;
	snap->nodes[0] = (struct tally_shm_node){ 3, VOTEQUORUM_NODESTATE_MEMBER, 2, 5, 0 };
	tally_shm_publish(seg, snap);
	tally_shm_append(seg, TALLY_SHM_EV_QUORUM, payload, sizeof(payload));
	memset(h, 0xa5, offsetof(struct tally_shm_header, pad0));
	CHECK_EQ(tally_shm_getinfo(&r, 0, &info), CS_OK);
	CHECK_EQ(info.node_id, 3);
	CHECK_EQ(info.node_votes, 2);
	CHECK_EQ(tally_shm_read_snapshot(&r, snap), 1);
	CHECK_EQ(snap->nodes[0].expected_votes, 5);
	CHECK_EQ(tally_shm_next_event(&r, &ev, got, sizeof(got)), TALLY_SHM_READ_EVENT);
	CHECK_EQ(ev.len, sizeof(payload));
	CHECK(memcmp(got, payload, sizeof(got)) == 0);
	CHECK_EQ(tally_shm_next_event(&r, &ev, got, sizeof(got)), TALLY_SHM_READ_NONE);
	free(snap);
	munmap(seg, TALLY_SHM_SEGMENT_SIZE);
}

static void discard(void *ctx, const struct tally_qmsg *m)
{
	(void)ctx;
	(void)m;
}

/* One node of a 5-node nodelist with a device: getinfo through the segment
 * must equal the core's for every id, including 0, the device and unknowns. */
static void getinfo_from_segment_matches_the_core(void)
{
	static const struct tally_quorum_ops ops = { .send = discard };
	struct tally_cmap *m = tally_cmap_new();
	struct tally_shm_snapshot *snap = malloc(sizeof(*snap));
	uint8_t *seg = new_segment();
	struct tally_shm_reader r;
	struct tally_quorum *q;
	struct tally_qmsg msg = { .type = TALLY_QMSG_NODEINFO };
	uint32_t members[] = { 1, 2, 4 };
	votequorum_ring_id_t ring = { 1, 12 };
	char key[64], val[16], err[128];
	bool pending;

	for (int i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "nodelist.node.%d.nodeid", i);
		snprintf(val, sizeof(val), "%d", i + 1);
		tally_cmap_set(m, key, val);
	}
	tally_cmap_set(m, "quorum.device.model", "net");
	q = tally_quorum_create(1, m, 0, 16, &ops, NULL, err, sizeof(err));
	CHECK(q != NULL);
	tally_quorum_sync_init(q, &ring, members, 3, 0);
	for (int i = 0; i < 3; i++) {
		msg.nodeinfo.nodeid = members[i];
		msg.nodeinfo.votes = members[i] == 4 ? 2 : 1;
		msg.nodeinfo.expected_votes = 9;
		msg.nodeinfo.flags = TALLY_QFLAG_QUORATE | (members[i] == 2 ? 0x70 : 0);
		tally_quorum_deliver(q, members[i], &msg, 0);
	}
	tally_quorum_sync_activate(q);
	msg.type = TALLY_QMSG_QDEVICE_REG;
	tally_quorum_qdevice_register(q, "QD", 1, &pending);
	msg.qdevice_reg.op = TALLY_QDEVICE_OP_REGISTER;
	strcpy(msg.qdevice_reg.name, "QD");
	tally_quorum_deliver(q, 1, &msg, 0);

	tally_quorum_snapshot(q, snap);
	CHECK_EQ(tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE), 0);
	CHECK_EQ(tally_shm_publish(seg, snap), 1);
	CHECK_EQ(tally_shm_generation(&r), 1);
	for (uint32_t id = 0; id <= 6; id++) {
		struct votequorum_info want, got;
		cs_error_t rc = tally_quorum_getinfo(q, id, &want);

		CHECK_EQ(tally_shm_getinfo(&r, id, &got), rc);
		if (memcmp(&want, &got, sizeof(want)) != 0) {
			fprintf(stderr, "getinfo(%u) differs through the segment\n", id);
			check_failures++;
		}
	}
	memset(snap, 0xee, sizeof(*snap));
	CHECK_EQ(tally_shm_read_snapshot(&r, snap), 1);
	CHECK_EQ(snap->sum.n_members, 3);
	CHECK_EQ(snap->members[2], 4);
	CHECK_EQ(snap->sum.ring_seq, 12);
	CHECK_EQ(snap->sum.qdevice_registered, 1);
	CHECK(strcmp(snap->sum.qdevice_name, "QD") == 0);

	tally_quorum_destroy(q);
	tally_cmap_free(m);
	free(snap);
	munmap(seg, TALLY_SHM_SEGMENT_SIZE);
}

/* Event i has a payload of (i % 300) * 4 bytes, each word = i ^ index. */
static uint32_t fill_event(uint64_t i, uint32_t *words)
{
	uint32_t n = (uint32_t)(i % 300);

	for (uint32_t k = 0; k < n; k++)
		words[k] = (uint32_t)i ^ k;
	return n * 4;
}

static bool event_ok(const struct tally_shm_event *ev, const uint32_t *words)
{
	uint32_t n = (uint32_t)(ev->seq % 300);

	if (ev->len != n * 4 || ev->type != TALLY_SHM_EV_QUORUM)
		return false;
	for (uint32_t k = 0; k < n; k++)
		if (words[k] != ((uint32_t)ev->seq ^ k))
			return false;
	return true;
}

static void events_in_order_then_lost_when_lapped(void)
{
	uint8_t *seg = new_segment();
	struct tally_shm_reader r;
	struct tally_shm_event ev;
	static uint32_t words[TALLY_SHM_EVENT_RING / 4];
	uint64_t got = 0;

	CHECK_EQ(tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE), 0);
	CHECK_EQ(tally_shm_next_event(&r, &ev, words, sizeof(words)), TALLY_SHM_READ_NONE);
	CHECK_EQ(tally_shm_append(seg, TALLY_SHM_EV_QUORUM, words, TALLY_SHM_EVENT_RING / 2),
		 -EMSGSIZE);
	CHECK_EQ(tally_shm_append(seg, TALLY_SHM_EV_QUORUM, NULL, 4), -EMSGSIZE);

	/* several laps of the ring, read as they come: nothing lost, all in order */
	for (uint64_t i = 1; i <= 20000; i++) {
		uint32_t len = fill_event(i, words);

		CHECK_EQ(tally_shm_append(seg, TALLY_SHM_EV_QUORUM, words, len), 0);
		while (tally_shm_next_event(&r, &ev, words, sizeof(words)) == TALLY_SHM_READ_EVENT) {
			CHECK(event_ok(&ev, words));
			CHECK_EQ(ev.seq, ++got);
		}
	}
	CHECK_EQ(got, 20000);

	/* a reader that sleeps through more than a ring's worth is told */
	for (uint64_t i = 20001; i <= 30000; i++) {
		uint32_t len = fill_event(i, words);

		tally_shm_append(seg, TALLY_SHM_EV_QUORUM, words, len);
	}
	CHECK_EQ(tally_shm_next_event(&r, &ev, words, sizeof(words)), TALLY_SHM_READ_LOST);
	tally_shm_resync(&r);
	CHECK_EQ(tally_shm_next_event(&r, &ev, words, sizeof(words)), TALLY_SHM_READ_NONE);
	tally_shm_append(seg, TALLY_SHM_EV_EXPECTEDVOTES, "\5\0\0\0\0\0\0\0", 8);
	CHECK_EQ(tally_shm_next_event(&r, &ev, words, sizeof(words)), TALLY_SHM_READ_EVENT);
	CHECK_EQ(ev.seq, 30001);
	CHECK_EQ(ev.type, TALLY_SHM_EV_EXPECTEDVOTES);
	/* a buffer too small for the payload is reported, never overrun */
	tally_shm_append(seg, TALLY_SHM_EV_QUORUM, words, 64);
	CHECK_EQ(tally_shm_next_event(&r, &ev, words, 16), TALLY_SHM_READ_LOST);
	munmap(seg, TALLY_SHM_SEGMENT_SIZE);
}

/*
 * A reader process races a writer process. Every snapshot carries its
 * generation in every record, every event its seq in every word: any torn
 * read shows up as a mismatch. The reader may fall behind (LOST), never err.
 */
static int reader_process(uint8_t *seg, uint64_t last_gen, uint64_t last_seq)
{
	struct tally_shm_reader r;
	struct tally_shm_snapshot *snap = malloc(sizeof(*snap));
	static uint32_t words[TALLY_SHM_EVENT_RING / 4];
	struct tally_shm_event ev;
	uint64_t seen_gen = 0, events = 0, lost = 0;
	int bad = 0;

	if (snap == NULL || tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE) != 0)
		return 100;
	while (seen_gen < last_gen || r.next_seq <= last_seq) {
		uint64_t gen = tally_shm_read_snapshot(&r, snap);

		for (uint32_t i = 0; i < snap->sum.n_nodes; i++)
			bad += snap->nodes[i].votes != (uint32_t)gen;
		bad += snap->sum.quorum != (uint32_t)gen;
		seen_gen = gen;
		for (int k = 0; k < 64; k++) {
			enum tally_shm_read rc = tally_shm_next_event(&r, &ev, words, sizeof(words));

			if (rc == TALLY_SHM_READ_NONE)
				break;
			if (rc == TALLY_SHM_READ_LOST) {
				lost++;
				tally_shm_resync(&r);
				continue;
			}
			events++;
			bad += !event_ok(&ev, words);
		}
	}
	printf("reader: %llu events read, %llu resyncs, %d torn\n", (unsigned long long)events,
	       (unsigned long long)lost, bad);
	free(snap);
	fflush(stdout);
	return bad ? 1 : 0;
}

static void concurrent_reader_never_sees_torn_data(void)
{
	const uint64_t snapshots = 20000, events = 200000;
	uint8_t *seg = new_segment();
	struct tally_shm_snapshot *snap = calloc(1, sizeof(*snap));
	static uint32_t words[512];
	int status = -1;
	pid_t pid;

	snap->sum.n_nodes = 1024;
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(reader_process(seg, snapshots, events));
	for (uint64_t g = 1, e = 1; g <= snapshots || e <= events;) {
		if (g <= snapshots) {
			snap->sum.quorum = (uint32_t)g;
			for (uint32_t i = 0; i < snap->sum.n_nodes; i++)
				snap->nodes[i].votes = (uint32_t)g;
			tally_shm_publish(seg, snap);
			g++;
		}
		for (int k = 0; k < 10 && e <= events; k++, e++)
			tally_shm_append(seg, TALLY_SHM_EV_QUORUM, words, fill_event(e, words));
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(snap);
	munmap(seg, TALLY_SHM_SEGMENT_SIZE);
}

/*
 * A reader process that sleeps whenever it has read everything, announced
 * by client slot `slot` (or the count when slot >= TALLY_SHM_CLIENTS). A
 * sleep that times out with an event pending is a lost wake-up.
 */
static int sleeper_process(uint8_t *seg, uint32_t slot, uint64_t last_seq)
{
	struct tally_shm_clients *area = (void *)(seg + TALLY_SHM_CLIENTS_OFFSET);
	struct tally_shm_reader r;
	struct tally_shm_event ev;
	static uint32_t words[512];
	TALLY_SHM_ATOMIC(uint32_t) sharers = 0;
	uint64_t sleeps = 0;

	if (tally_shm_attach(&r, seg, TALLY_SHM_SEGMENT_SIZE) != 0)
		return 100;
	while (r.next_seq <= last_seq) {
		enum tally_shm_read rc = tally_shm_next_event(&r, &ev, words, sizeof(words));

		if (rc == TALLY_SHM_READ_LOST)
			tally_shm_resync(&r);
		if (rc != TALLY_SHM_READ_NONE)
			continue;
		sleeps++;
		if (tally_shm_wait(&r, area, slot, &sharers, 2000) == -ETIMEDOUT &&
		    tally_shm_pending(&r)) {
			printf("sleeper %u: lost wake-up at seq %llu\n", slot,
			       (unsigned long long)r.next_seq);
			return 1;
		}
	}
	printf("sleeper %u: %llu sleeps\n", slot, (unsigned long long)sleeps);
	fflush(stdout);
	return 0;
}

/*
 * A sleeper (with client slot `slot`, or counted) races a writer that
 * pauses at random so it does fall asleep, while other slots come and go
 * (the control thread's slot_forget): every change must wake it, and once
 * it is gone nobody is left announced. One at a time: a wake for one
 * sleeper would wake the other too.
 */
static void race_one_sleeper(uint32_t slot)
{
	const uint64_t events = 10000;
	uint8_t *seg = new_segment();
	static uint32_t words[512];
	uint64_t wakes = 0;
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(sleeper_process(seg, slot, events));
	/* Begin once it sleeps on the empty log: on a busy machine the child may
	 * otherwise get a CPU only after the whole race has been run. */
	for (int i = 0; i < 10000 && !tally_shm_has_waiters(seg); i++)
		usleep(1000);
	srand(9);
	for (uint64_t e = 1; e <= events; e++) {
		tally_shm_append(seg, TALLY_SHM_EV_QUORUM, words, fill_event(e, words));
		wakes += tally_shm_wake(seg);
		tally_shm_slot_forget(seg, (uint32_t)rand() % 64 + 1);	/* not its slot */
		for (int spin = rand() % 4000; spin > 0; spin--)
			__asm__ volatile("" ::: "memory");
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("writer: %llu events, %llu wakes\n", (unsigned long long)events,
	       (unsigned long long)wakes);
	CHECK(wakes > 0);
	CHECK(!tally_shm_has_waiters(seg));
	munmap(seg, TALLY_SHM_SEGMENT_SIZE);
}

static void sleepers_are_never_left_asleep(void)
{
	race_one_sleeper(70);
	race_one_sleeper(TALLY_SHM_CLIENTS);
}

int main(void)
{
	RUN(attach_refuses_untrustworthy_segments);
	RUN(readers_take_no_offset_from_the_header);
	RUN(getinfo_from_segment_matches_the_core);
	RUN(events_in_order_then_lost_when_lapped);
	RUN(concurrent_reader_never_sees_torn_data);
	RUN(sleepers_are_never_left_asleep);
	return CHECK_EXIT();
}
