/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The publication segment (shm_layout.h): seqcount-guarded snapshot slots and
 * an event ring. The memory-ordering pairs are named:
 *   S1 writer: slot seq odd, release fence, fill   <->  R1 reader: acquire fence, re-check seq
 *   S2 writer: seq even (release), gen (release)   <->  R2 reader: gen (acquire), seq (acquire)
 *   E1 writer: claim head, release fence, write     <->  R3 reader: acquire fence, check head
 *   E2 writer: tail (release)                       <->  R4 reader: tail (acquire)
 * Copying bytes the writer may be changing at that moment is the seqlock
 * idiom (as DPDK's rte_seqlock): the copy is discarded unless validated.
 */
#include "shm/shm.h"

#include <errno.h>
#include <string.h>

#define RING_MASK (TALLY_SHM_EVENT_RING - 1)

static struct tally_shm_header *header(void *segment)
{
	return segment;
}

/*
 * Writer and readers take every address from the layout constants, never
 * from the header: a misbehaving client must not be able to steer the
 * engine's stores, nor (should it ever write the header) another client's
 * loads. tally_shm_attach refuses a header that disagrees.
 */
static struct tally_shm_slot *slot_at(const uint8_t *base, uint64_t gen)
{
	return (struct tally_shm_slot *)(base + TALLY_SHM_SLOT_OFFSET +
					 (gen % TALLY_SHM_SLOTS) * sizeof(struct tally_shm_slot));
}

static uint64_t align8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */

int tally_shm_init(void *segment, size_t size, uint64_t engine_incarnation)
{
	struct tally_shm_header *h = header(segment);

	if (segment == NULL || size < TALLY_SHM_SEGMENT_SIZE)
		return -EINVAL;
	memset(segment, 0, TALLY_SHM_RING_OFFSET);
	memset((uint8_t *)segment + TALLY_SHM_CLIENTS_OFFSET, 0, sizeof(struct tally_shm_clients));
	h->magic = TALLY_SHM_MAGIC;
	h->version = TALLY_SHM_VERSION;
	h->header_size = sizeof(*h);
	h->segment_size = TALLY_SHM_SEGMENT_SIZE;
	h->slot_offset = TALLY_SHM_SLOT_OFFSET;
	h->slot_size = sizeof(struct tally_shm_slot);
	h->slots = TALLY_SHM_SLOTS;
	h->max_nodes = TALLY_SHM_MAX_NODES;
	h->ring_offset = TALLY_SHM_RING_OFFSET;
	h->ring_size = TALLY_SHM_EVENT_RING;
	h->engine_incarnation = engine_incarnation;
	h->clients_offset = TALLY_SHM_CLIENTS_OFFSET;
	h->clients = TALLY_SHM_CLIENTS;
	return 0;
}

/* Copy the summary and the used entries: a whole 4096-node slot is 100 KiB. */
static void copy_snapshot(struct tally_shm_snapshot *dst, const struct tally_shm_snapshot *src)
{
	uint32_t n_nodes = src->sum.n_nodes < TALLY_SHM_MAX_NODES ? src->sum.n_nodes
								: TALLY_SHM_MAX_NODES;
	uint32_t n_members = src->sum.n_members < TALLY_SHM_MAX_NODES ? src->sum.n_members
								    : TALLY_SHM_MAX_NODES;

	dst->sum = src->sum;
	dst->sum.n_nodes = n_nodes;
	dst->sum.n_members = n_members;
	memcpy(dst->nodes, src->nodes, n_nodes * sizeof(src->nodes[0]));
	memcpy(dst->members, src->members, n_members * sizeof(src->members[0]));
}

/*
 * Every change moves the futex word, after the change is visible: a reader
 * that read the old word and then saw no change sleeps on a word that has
 * moved since, so FUTEX_WAIT returns at once (W1 <-> W2 in engine/shm/wake.c).
 */
static void bump_futex(struct tally_shm_header *h)
{
	atomic_fetch_add_explicit(&h->futex, 1, memory_order_seq_cst);	/* W1 */
}

uint64_t tally_shm_publish(void *segment, const struct tally_shm_snapshot *snap)
{
	struct tally_shm_header *h = header(segment);
	uint64_t gen = atomic_load_explicit(&h->gen, memory_order_relaxed) + 1;
	struct tally_shm_slot *s = slot_at(segment, gen);
	uint64_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);

	atomic_store_explicit(&s->seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);	/* S1 */
	copy_snapshot(&s->snap, snap);
	s->gen = gen;
	atomic_store_explicit(&s->seq, seq + 2, memory_order_release);	/* S2 */
	atomic_store_explicit(&h->gen, gen, memory_order_release);	/* S2 */
	bump_futex(h);
	return gen;
}

static void ring_write(uint8_t *ring, uint64_t off, const void *src, size_t len)
{
	size_t at = off & RING_MASK, first = TALLY_SHM_EVENT_RING - at;

	if (first >= len) {
		memcpy(ring + at, src, len);
	} else {
		memcpy(ring + at, src, first);
		memcpy(ring, (const uint8_t *)src + first, len - first);
	}
}

int tally_shm_append(void *segment, enum tally_shm_event_type type, const void *payload,
		     uint32_t len)
{
	struct tally_shm_header *h = header(segment);
	uint8_t *ring = (uint8_t *)segment + TALLY_SHM_RING_OFFSET;
	uint64_t tail = atomic_load_explicit(&h->ev_tail, memory_order_relaxed);
	uint64_t seq = atomic_load_explicit(&h->ev_seq, memory_order_relaxed) + 1;
	uint64_t rec = align8(sizeof(struct tally_shm_event) + (uint64_t)len);
	struct tally_shm_event ev = { seq, (uint32_t)type, len };

	/* Half the ring at most, so a reader can always hold one whole record. */
	if (rec > TALLY_SHM_EVENT_RING / 2 || (payload == NULL && len > 0))
		return -EMSGSIZE;
	atomic_store_explicit(&h->ev_head, tail + rec, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);	/* E1 */
	ring_write(ring, tail, &ev, sizeof(ev));
	if (len > 0)
		ring_write(ring, tail + sizeof(ev), payload, len);
	atomic_store_explicit(&h->ev_seq, seq, memory_order_relaxed);
	atomic_store_explicit(&h->ev_tail, tail + rec, memory_order_release);	/* E2 */
	bump_futex(h);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reader                                                              */

int tally_shm_attach(struct tally_shm_reader *r, const void *segment, size_t mapped)
{
	const struct tally_shm_header *h = segment;

	memset(r, 0, sizeof(*r));
	if (segment == NULL || mapped < sizeof(*h))
		return -EPROTO;
	/* The layout this code was built for, exactly: nothing else is used. */
	if (mapped < TALLY_SHM_SEGMENT_SIZE || h->magic != TALLY_SHM_MAGIC ||
	    h->version != TALLY_SHM_VERSION || h->header_size != sizeof(*h) ||
	    h->segment_size != TALLY_SHM_SEGMENT_SIZE || h->slot_offset != TALLY_SHM_SLOT_OFFSET ||
	    h->slots != TALLY_SHM_SLOTS || h->slot_size != sizeof(struct tally_shm_slot) ||
	    h->max_nodes != TALLY_SHM_MAX_NODES || h->ring_offset != TALLY_SHM_RING_OFFSET ||
	    h->ring_size != TALLY_SHM_EVENT_RING || h->clients_offset != TALLY_SHM_CLIENTS_OFFSET ||
	    h->clients != TALLY_SHM_CLIENTS)
		return -EPROTO;
	r->base = segment;
	r->hdr = h;
	tally_shm_resync(r);
	return 0;
}

uint64_t tally_shm_generation(const struct tally_shm_reader *r)
{
	return atomic_load_explicit(&((struct tally_shm_header *)r->hdr)->gen,
				    memory_order_acquire);
}

/* Wait for a slot whose seq is even; returns it with its gen and seq. R2 */
static const struct tally_shm_slot *read_begin(const struct tally_shm_reader *r, uint64_t *gen,
					       uint64_t *seq)
{
	for (;;) {
		struct tally_shm_slot *s;

		*gen = tally_shm_generation(r);
		s = slot_at(r->base, *gen);
		*seq = atomic_load_explicit(&s->seq, memory_order_acquire);
		if (!(*seq & 1))
			return s;
	}
}

/* Was the slot left alone while we copied? R1 */
static bool read_valid(const struct tally_shm_slot *s, uint64_t seq)
{
	atomic_thread_fence(memory_order_acquire);
	return atomic_load_explicit(&((struct tally_shm_slot *)s)->seq, memory_order_relaxed) ==
	       seq;
}

uint64_t tally_shm_read_snapshot(const struct tally_shm_reader *r, struct tally_shm_snapshot *out)
{
	for (;;) {
		uint64_t gen, seq, slot_gen;
		const struct tally_shm_slot *s = read_begin(r, &gen, &seq);

		copy_snapshot(out, &s->snap);
		/*
		 * The slot's own generation, not the header's: a reader stalled
		 * between the two loads may find the slot refilled SLOTS
		 * generations later, consistent but newer than `gen`.
		 */
		slot_gen = s->gen;
		if (read_valid(s, seq))
			return slot_gen;
	}
}

static const struct tally_shm_node *find_node(const struct tally_shm_node *nodes, uint32_t n,
					      uint32_t id)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (nodes[mid].nodeid == id)
			return &nodes[mid];
		if (nodes[mid].nodeid < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Fill info from a summary and one node record (spec §3.10). */
static void fill_info(const struct tally_shm_summary *s, const struct tally_shm_node *n,
		      struct votequorum_info *info)
{
	uint64_t total = s->member_votes;

	if (n->qdevice_flags & VOTEQUORUM_INFO_QDEVICE_CAST_VOTE)
		total += s->qdevice_votes;
	info->node_id = n->nodeid;
	info->node_state = n->state;
	info->node_votes = n->votes;
	info->node_expected_votes = n->expected_votes;
	info->highest_expected = s->highest_expected;
	info->total_votes = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
	info->quorum = s->quorum;
	info->flags = s->flags | n->qdevice_flags;
	info->qdevice_votes = s->qdevice_votes;
	memcpy(info->qdevice_name, s->qdevice_name, sizeof(info->qdevice_name) - 1);
	info->qdevice_name[sizeof(info->qdevice_name) - 1] = '\0';
}

static uint32_t clamp_nodes(uint32_t n)
{
	return n < TALLY_SHM_MAX_NODES ? n : TALLY_SHM_MAX_NODES;
}

static uint32_t wanted_id(const struct tally_shm_summary *s, uint32_t nodeid)
{
	return nodeid == VOTEQUORUM_QDEVICE_NODEID ? s->local_nodeid : nodeid;
}

cs_error_t tally_shm_snapshot_getinfo(const struct tally_shm_snapshot *s, uint32_t nodeid,
				      struct votequorum_info *info)
{
	const struct tally_shm_node *node =
		find_node(s->nodes, clamp_nodes(s->sum.n_nodes), wanted_id(&s->sum, nodeid));

	memset(info, 0, sizeof(*info));
	if (node == NULL)
		return CS_ERR_NOT_EXIST;
	fill_info(&s->sum, node, info);
	return CS_OK;
}

cs_error_t tally_shm_getinfo(const struct tally_shm_reader *r, uint32_t nodeid,
			     struct votequorum_info *info)
{
	for (;;) {
		uint64_t gen, seq;
		const struct tally_shm_slot *slot = read_begin(r, &gen, &seq);
		/* Copy only the summary and the one record asked for. */
		struct tally_shm_summary sum = slot->snap.sum;
		struct tally_shm_node node = { 0, 0, 0, 0, 0 };
		const struct tally_shm_node *found =
			find_node(slot->snap.nodes, clamp_nodes(sum.n_nodes), wanted_id(&sum, nodeid));

		if (found != NULL)
			node = *found;
		if (!read_valid(slot, seq))
			continue;
		memset(info, 0, sizeof(*info));
		if (found == NULL)
			return CS_ERR_NOT_EXIST;
		fill_info(&sum, &node, info);
		return CS_OK;
	}
}

static void ring_read(const uint8_t *ring, uint64_t off, void *dst, size_t len)
{
	size_t at = off & RING_MASK, first = TALLY_SHM_EVENT_RING - at;

	if (first >= len) {
		memcpy(dst, ring + at, len);
	} else {
		memcpy(dst, ring + at, first);
		memcpy((uint8_t *)dst + first, ring, len - first);
	}
}

void tally_shm_resync(struct tally_shm_reader *r)
{
	struct tally_shm_header *h = (struct tally_shm_header *)r->hdr;

	/* seq before tail: a record completed in between is then read, not skipped */
	r->next_seq = atomic_load_explicit(&h->ev_seq, memory_order_acquire) + 1;
	r->cursor = atomic_load_explicit(&h->ev_tail, memory_order_acquire);
	if (atomic_load_explicit(&h->ev_seq, memory_order_acquire) + 1 != r->next_seq)
		tally_shm_resync(r);
}

enum tally_shm_read tally_shm_next_event(struct tally_shm_reader *r, struct tally_shm_event *ev,
					 void *payload, size_t cap)
{
	struct tally_shm_header *h = (struct tally_shm_header *)r->hdr;
	const uint8_t *ring = r->base + TALLY_SHM_RING_OFFSET;
	uint64_t tail = atomic_load_explicit(&h->ev_tail, memory_order_acquire);	/* R4 */
	uint64_t head;

	if (r->cursor == tail)
		return TALLY_SHM_READ_NONE;
	if (tail - r->cursor > TALLY_SHM_EVENT_RING)
		return TALLY_SHM_READ_LOST;

	ring_read(ring, r->cursor, ev, sizeof(*ev));
	if (ev->len > cap || sizeof(*ev) + (uint64_t)ev->len > tail - r->cursor)
		return TALLY_SHM_READ_LOST;	/* torn or overwritten: checked below anyway */
	ring_read(ring, r->cursor + sizeof(*ev), payload, ev->len);

	atomic_thread_fence(memory_order_acquire);	/* R3 */
	head = atomic_load_explicit(&h->ev_head, memory_order_relaxed);
	if (head - r->cursor > TALLY_SHM_EVENT_RING || ev->seq != r->next_seq)
		return TALLY_SHM_READ_LOST;
	r->cursor += align8(sizeof(*ev) + ev->len);
	r->next_seq++;
	return TALLY_SHM_READ_EVENT;
}
