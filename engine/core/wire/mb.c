/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Membership message bodies (layout in mb.h). Both directions are driven by
 * one table of the fields each type carries, so the encoder and the decoder
 * cannot disagree on what is where.
 */
#include "wire/mb.h"

#include <errno.h>
#include <string.h>

#include "tally/shm_layout.h"

_Static_assert(TALLY_WIRE_MB_MAX_IDS >= TALLY_MB_MAX_HEARSET,
	       "a full-knowledge view's hear set fits a list");
_Static_assert(TALLY_WIRE_MB_MAX_IDS <= TALLY_SHM_MAX_NODES,
	       "no cluster larger than the published node table");

#define VARINT_MAX 10

/* mb.h's worst case for a PROPOSE (36 fixed bytes, 16 a member) and two more varints. */
_Static_assert(36 + 2 * VARINT_MAX + 16 * TALLY_MB_PART_MEMBERS <= TALLY_WIRE_MAX_BODY,
	       "a proposal part always fits a frame, whatever its ids and incarnations");
/* Largest quorum message body: type and two 254-byte names with their lengths. */
#define QMSG_MAX (1 + 2 * VOTEQUORUM_QDEVICE_MAX_NAME_LEN)
/* Largest body of the other quorum messages (nodeinfo: type and four u32). */
#define QMSG_SMALL_MAX 17
/* A run's fixed fields: type, max_seq, ring, gseq, the entry count. */
#define RUN_FIXED (1 + VARINT_MAX + 5 + VARINT_MAX + VARINT_MAX + 1)
/* An entry: origin, lseq, payload, its quorum message's length. */
#define ENTRY_FIXED (5 + VARINT_MAX + 1 + 2)
_Static_assert(RUN_FIXED + TALLY_MB_RUN_MAX * (ENTRY_FIXED + QMSG_SMALL_MAX) <=
		       TALLY_WIRE_MAX_BODY,
	       "a run of entries without quorum-device messages always fits a frame");
_Static_assert(RUN_FIXED + ENTRY_FIXED + QMSG_MAX <= TALLY_WIRE_MAX_BODY,
	       "a quorum-device message alone always fits a frame");
_Static_assert(TALLY_MB_RUN_MAX < 0x80, "the entry count is one byte");

enum list_form {
	FORM_RUNS = 0,
	FORM_RAW = 1,
	FORM_BITMAP = 2,
};

enum field {
	F_FLAGS = 1u << 0,
	F_GSEQ = 1u << 1,
	F_SEQ = 1u << 2,
	F_ORIGIN = 1u << 3,
	F_LSEQ = 1u << 4,
	F_ENTRIES = 1u << 5,	/**< a run of sequencer entries */
	F_IDS = 1u << 6,
	F_INCS = 1u << 7,
};

static const uint8_t type_fields[] = {
	[TALLY_MB_HEARTBEAT] = F_FLAGS | F_GSEQ | F_IDS,
	[TALLY_MB_PROPOSE] = F_SEQ | F_IDS | F_INCS,
	[TALLY_MB_ACCEPT] = F_SEQ | F_IDS,
	[TALLY_MB_REJECT] = F_SEQ | F_ORIGIN,
	[TALLY_MB_COMMIT] = F_SEQ,
	[TALLY_MB_ABORT] = F_SEQ,
	[TALLY_MB_DATA] = F_ENTRIES,
	[TALLY_MB_ORDERED] = F_GSEQ | F_ENTRIES,
	[TALLY_MB_NACK] = F_GSEQ,
	[TALLY_MB_PROPOSE_PART] = F_GSEQ | F_SEQ | F_LSEQ | F_IDS | F_INCS,
};

#define HB_FLAGS_KNOWN                                                                     \
	(TALLY_MB_HB_IN_VIEW | TALLY_MB_HB_REP | TALLY_MB_HB_LEAVING | TALLY_MB_HB_HEARSET |  \
	 TALLY_MB_HB_DEAFSET)

/* 0 for an unknown type. */
static unsigned fields_of(uint32_t type)
{
	return type < sizeof(type_fields) ? type_fields[type] : 0;
}

/* How many id lists follow: a heartbeat's flags say, other types have one or none. */
static unsigned lists_of(uint32_t type, uint32_t flags)
{
	if (type == TALLY_MB_HEARTBEAT)
		return (flags & TALLY_MB_HB_HEARSET) ? 2 : (flags & TALLY_MB_HB_DEAFSET) ? 1 : 0;
	return (fields_of(type) & F_IDS) ? 1 : 0;
}

static bool payload_known(uint32_t p)
{
	return p <= TALLY_MB_PAYLOAD_BATCH_END;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

/* Counts every byte, stores those that fit: with len 0 it only measures. */
struct wbuf {
	uint8_t *p;
	size_t len, pos;
};

static void put_u8(struct wbuf *w, uint8_t v)
{
	if (w->pos < w->len)
		w->p[w->pos] = v;
	w->pos++;
}

static void put_varint(struct wbuf *w, uint64_t v)
{
	while (v >= 0x80) {
		put_u8(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put_u8(w, (uint8_t)v);
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static bool ascending(const uint32_t *ids, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (ids[i - 1] >= ids[i])
			return false;
	return true;
}

/* Length of the run of consecutive ids starting at i. */
static size_t run_at(const uint32_t *ids, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && (uint64_t)ids[j - 1] + 1 == ids[j])
		j++;
	return j - i;
}

static void put_runs(struct wbuf *w, const uint32_t *ids, size_t n)
{
	size_t runs = 0;
	uint32_t last = 0;

	for (size_t i = 0; i < n; i += run_at(ids, n, i))
		runs++;
	put_varint(w, (uint64_t)runs << 2 | FORM_RUNS);
	for (size_t i = 0, r; i < n; i += r) {
		r = run_at(ids, n, i);
		put_varint(w, ids[i] - last);
		put_varint(w, r - 1);
		last = ids[i + r - 1];
	}
}

static void put_bitmap(struct wbuf *w, const uint32_t *ids, size_t n, size_t bytes)
{
	size_t k = 0;

	put_varint(w, (uint64_t)bytes << 2 | FORM_BITMAP);
	put_varint(w, ids[0]);
	for (size_t b = 0; b < bytes; b++) {
		uint8_t v = 0;

		for (; k < n && (ids[k] - ids[0]) / 8 == b; k++)
			v |= (uint8_t)(1u << ((ids[k] - ids[0]) % 8));
		put_u8(w, v);
	}
}

static void put_list(struct wbuf *w, const uint32_t *ids, size_t n)
{
	struct wbuf measure = { NULL, 0, 0 };
	size_t bytes, bitmap_len;

	if (n == 0) {
		put_varint(w, FORM_RUNS);
		return;
	}
	if (!ascending(ids, n)) {
		/* Receivers refuse such lists; carry them as they are anyway. */
		put_varint(w, (uint64_t)n << 2 | FORM_RAW);
		for (size_t i = 0; i < n; i++)
			put_varint(w, ids[i]);
		return;
	}
	put_runs(&measure, ids, n);
	bytes = (size_t)(((uint64_t)ids[n - 1] - ids[0]) / 8 + 1);
	bitmap_len = varint_len((uint64_t)bytes << 2) + varint_len(ids[0]) + bytes;
	if (bitmap_len < measure.pos)
		put_bitmap(w, ids, n, bytes);
	else
		put_runs(w, ids, n);
}

static uint64_t zigzag(uint64_t inc, uint64_t prev)
{
	int64_t d = (int64_t)(inc - prev);

	return ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);
}

/* The fields m sets: each must be one its type carries. */
static unsigned fields_used(const struct tally_mb_msg *m)
{
	return (m->flags ? F_FLAGS : 0) | (m->gseq ? F_GSEQ : 0) | (m->seq ? F_SEQ : 0) |
	       (m->origin ? F_ORIGIN : 0) | (m->lseq ? F_LSEQ : 0) |
	       (m->n_entries || m->entries != NULL ? F_ENTRIES : 0) | (m->n_ids ? F_IDS : 0) |
	       (m->incs != NULL ? F_INCS : 0);
}

static int check_msg(const struct tally_mb_msg *m, unsigned f, unsigned lists)
{
	if (f == 0 || (fields_used(m) & ~f) || (m->flags & ~HB_FLAGS_KNOWN) ||
	    ((m->flags & TALLY_MB_HB_HEARSET) && (m->flags & TALLY_MB_HB_DEAFSET)))
		return -EINVAL;
	if (m->n_unheard > m->n_ids || (m->n_unheard > 0 && lists < 2) ||
	    (m->n_ids > 0 && (lists == 0 || m->ids == NULL)) ||
	    (m->n_ids > 0 && (f & F_INCS) && m->incs == NULL))
		return -EINVAL;
	for (uint32_t i = 0; i < m->n_ids; i++)
		if (m->ids[i] == 0)
			return -EINVAL;
	if ((f & F_ENTRIES) && (m->n_entries == 0 || m->entries == NULL))
		return -EINVAL;
	for (uint32_t i = 0; (f & F_ENTRIES) && i < m->n_entries; i++)
		if (m->entries[i].origin == 0 || !payload_known(m->entries[i].payload))
			return -EINVAL;
	if (m->n_entries > TALLY_MB_RUN_MAX)
		return -EMSGSIZE;
	if (m->n_ids - m->n_unheard > TALLY_WIRE_MB_MAX_IDS ||
	    m->n_unheard > TALLY_WIRE_MB_MAX_IDS)
		return -EMSGSIZE;
	return 0;
}

static int put_qmsg(struct wbuf *w, const struct tally_qmsg *q)
{
	uint8_t tmp[QMSG_MAX];
	int n = tally_wire_encode_qmsg(q, tmp, sizeof(tmp));

	if (n < 0)
		return n == -ENOSPC ? -EMSGSIZE : n;
	put_varint(w, (uint64_t)n);
	for (int i = 0; i < n; i++)
		put_u8(w, tmp[i]);
	return 0;
}

static int put_entries(struct wbuf *w, const struct tally_mb_entry *e, uint32_t n)
{
	int rc;

	put_varint(w, n);
	for (uint32_t i = 0; i < n; i++) {
		put_varint(w, e[i].origin);
		put_varint(w, e[i].lseq);
		put_u8(w, (uint8_t)e[i].payload);
		if (e[i].payload == TALLY_MB_PAYLOAD_QMSG && (rc = put_qmsg(w, &e[i].qmsg)) < 0)
			return rc;
	}
	return 0;
}

int tally_wire_encode_mb(const struct tally_mb_msg *m, uint8_t *out, size_t len)
{
	struct wbuf w = { out, out != NULL ? len : 0, 0 };
	unsigned f = fields_of(m->type), lists = lists_of(m->type, m->flags);
	int rc = check_msg(m, f, lists);

	if (rc < 0)
		return rc;
	put_u8(&w, (uint8_t)m->type);
	put_varint(&w, m->max_seq);
	put_varint(&w, m->ring.nodeid);
	put_varint(&w, m->ring.seq);
	if (f & F_FLAGS)
		put_u8(&w, (uint8_t)m->flags);
	if (f & F_GSEQ)
		put_varint(&w, m->gseq);
	if (f & F_SEQ)
		put_varint(&w, m->seq);
	if (f & F_ORIGIN)
		put_varint(&w, m->origin);
	if (f & F_LSEQ)
		put_varint(&w, m->lseq);
	if ((f & F_ENTRIES) && (rc = put_entries(&w, m->entries, m->n_entries)) < 0)
		return rc;
	if (lists == 2) {
		put_list(&w, m->ids, m->n_ids - m->n_unheard);
		put_list(&w, m->ids + (m->n_ids - m->n_unheard), m->n_unheard);
	} else if (lists == 1) {
		put_list(&w, m->ids, m->n_ids);
	}
	for (uint32_t i = 0; (f & F_INCS) && i < m->n_ids; i++)
		put_varint(&w, zigzag(m->incs[i], i > 0 ? m->incs[i - 1] : 0));
	if (w.pos > w.len)
		return -EMSGSIZE;
	return (int)w.pos;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

struct rbuf {
	const uint8_t *p;
	size_t len, pos;
};

static bool get_u8(struct rbuf *r, uint8_t *v)
{
	if (r->pos >= r->len)
		return false;
	*v = r->p[r->pos++];
	return true;
}

/* Minimal LEB128 of at most 64 bits. */
static bool get_varint(struct rbuf *r, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t b;

		if (!get_u8(r, &b) || (shift == 63 && b > 1))
			return false;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (b == 0 && shift > 0)
				return false;	/* a longer form of a shorter number */
			*v = x;
			return true;
		}
	}
	return false;
}

static bool get_u32(struct rbuf *r, uint32_t *v)
{
	uint64_t x;

	if (!get_varint(r, &x) || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool get_runs(struct rbuf *r, uint64_t n, uint32_t *out, uint32_t *count)
{
	uint64_t last = 0;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t gap, extra;

		/* gap 1 after a run would be the same run written twice */
		if (!get_varint(r, &gap) || !get_varint(r, &extra) || gap == 0 ||
		    (i > 0 && gap == 1) || gap > UINT32_MAX ||
		    extra >= TALLY_WIRE_MB_MAX_IDS - *count || last + gap + extra > UINT32_MAX)
			return false;
		for (uint64_t e = 0; e <= extra; e++)
			out[(*count)++] = (uint32_t)(last + gap + e);
		last += gap + extra;
	}
	return true;
}

static bool get_bitmap(struct rbuf *r, uint64_t n, uint32_t *out, uint32_t *count)
{
	uint32_t base;

	if (n == 0 || !get_u32(r, &base) || base == 0 || n > r->len - r->pos ||
	    !(r->p[r->pos] & 1) || r->p[r->pos + n - 1] == 0)
		return false;
	for (uint64_t k = 0; k < n; k++) {
		uint8_t v = r->p[r->pos + k];

		for (unsigned b = 0; v != 0; b++, v >>= 1) {
			uint64_t id = base + 8 * k + b;

			if (!(v & 1))
				continue;
			if (id > UINT32_MAX || *count == TALLY_WIRE_MB_MAX_IDS)
				return false;
			out[(*count)++] = (uint32_t)id;
		}
	}
	r->pos += n;
	return true;
}

/* One id list into out (room for TALLY_WIRE_MB_MAX_IDS); its length in *count. */
static bool get_list(struct rbuf *r, uint32_t *out, uint32_t *count)
{
	uint64_t h, n;

	*count = 0;
	if (!get_varint(r, &h))
		return false;
	n = h >> 2;
	switch (h & 3) {
	case FORM_RUNS:
		return n <= TALLY_WIRE_MB_MAX_IDS && get_runs(r, n, out, count);
	case FORM_RAW:
		if (n == 0 || n > TALLY_WIRE_MB_MAX_IDS)
			return false;
		for (; *count < n; (*count)++)
			if (!get_u32(r, &out[*count]) || out[*count] == 0)
				return false;
		/* ascending lists go as runs or a bitmap: one encoding per list */
		return !ascending(out, n);
	case FORM_BITMAP:
		return get_bitmap(r, n, out, count);
	}
	return false;
}

static bool get_qmsg(struct rbuf *r, struct tally_qmsg *q)
{
	uint64_t n;

	if (!get_varint(r, &n) || n > r->len - r->pos ||
	    tally_wire_decode_qmsg(r->p + r->pos, (size_t)n, q) != TALLY_WIRE_OK)
		return false;
	r->pos += n;
	return true;
}

static bool get_entries(struct rbuf *r, struct tally_mb_msg *m, struct tally_mb_entry *out)
{
	uint64_t n;

	if (!get_varint(r, &n) || n == 0 || n > TALLY_MB_RUN_MAX)
		return false;
	for (uint64_t i = 0; i < n; i++) {
		struct tally_mb_entry *e = &out[i];
		uint8_t b;

		memset(e, 0, sizeof(*e));
		if (!get_u32(r, &e->origin) || e->origin == 0 || !get_varint(r, &e->lseq) ||
		    !get_u8(r, &b) || !payload_known(b))
			return false;
		e->payload = (enum tally_mb_payload)b;
		if (b == TALLY_MB_PAYLOAD_QMSG && !get_qmsg(r, &e->qmsg))
			return false;
	}
	m->n_entries = (uint32_t)n;
	m->entries = out;
	return true;
}

static bool get_fields(struct rbuf *r, struct tally_mb_msg *m, struct tally_wire_mb_arrays *arr)
{
	unsigned f = fields_of(m->type), lists;
	uint32_t n = 0;
	uint8_t b;

	if (f == 0 || !get_varint(r, &m->max_seq) || !get_u32(r, &m->ring.nodeid) ||
	    !get_varint(r, &m->ring.seq))
		return false;
	if (f & F_FLAGS) {
		if (!get_u8(r, &b) || (b & ~HB_FLAGS_KNOWN) ||
		    ((b & TALLY_MB_HB_HEARSET) && (b & TALLY_MB_HB_DEAFSET)))
			return false;
		m->flags = b;
	}
	if (((f & F_GSEQ) && !get_varint(r, &m->gseq)) || ((f & F_SEQ) && !get_varint(r, &m->seq)) ||
	    ((f & F_ORIGIN) && !get_u32(r, &m->origin)) ||
	    ((f & F_LSEQ) && !get_varint(r, &m->lseq)))
		return false;
	if ((f & F_ENTRIES) && !get_entries(r, m, arr->entries))
		return false;
	lists = lists_of(m->type, m->flags);
	m->ids = arr->ids;
	if (lists >= 1 && !get_list(r, arr->ids, &m->n_ids))
		return false;
	if (lists == 2) {
		if (!get_list(r, arr->ids + m->n_ids, &n))
			return false;
		m->n_ids += n;
		m->n_unheard = n;
	}
	if (f & F_INCS) {
		m->incs = arr->incs;
		for (uint32_t i = 0; i < m->n_ids; i++) {
			uint64_t z;

			if (!get_varint(r, &z))
				return false;
			arr->incs[i] = (i > 0 ? arr->incs[i - 1] : 0) + ((z >> 1) ^ (0 - (z & 1)));
		}
	}
	return true;
}

enum tally_wire_verdict tally_wire_decode_mb(const struct tally_wire_hdr *hdr, const uint8_t *body,
					     size_t len, struct tally_mb_msg *m,
					     struct tally_wire_mb_arrays *arr)
{
	struct rbuf r = { body, body != NULL ? len : 0, 0 };
	uint8_t type;

	memset(m, 0, sizeof(*m));
	if (hdr->type != TALLY_WIRE_MEMBERSHIP || hdr->sender == 0 || !get_u8(&r, &type))
		return TALLY_WIRE_BAD_BODY;
	m->type = (enum tally_mb_type)type;
	m->from = hdr->sender;
	m->inc = hdr->incarnation;
	if (!get_fields(&r, m, arr) || r.pos != r.len) {
		memset(m, 0, sizeof(*m));
		return TALLY_WIRE_BAD_BODY;
	}
	return TALLY_WIRE_OK;
}

/* ------------------------------------------------------------------ */
/* Comparing                                                           */

static bool qmsg_same(const struct tally_qmsg *a, const struct tally_qmsg *b)
{
	uint8_t ea[QMSG_MAX], eb[QMSG_MAX];
	int na = tally_wire_encode_qmsg(a, ea, sizeof(ea));
	int nb = tally_wire_encode_qmsg(b, eb, sizeof(eb));

	return na == nb && (na < 0 || memcmp(ea, eb, (size_t)na) == 0);
}

static bool entries_same(const struct tally_mb_entry *a, const struct tally_mb_entry *b,
			 uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i].origin != b[i].origin || a[i].lseq != b[i].lseq ||
		    a[i].payload != b[i].payload ||
		    (a[i].payload == TALLY_MB_PAYLOAD_QMSG && !qmsg_same(&a[i].qmsg, &b[i].qmsg)))
			return false;
	return true;
}

bool tally_wire_mb_same(const struct tally_mb_msg *a, const struct tally_mb_msg *b)
{
	unsigned f = fields_of(a->type);

	if (a->type != b->type || a->from != b->from || a->inc != b->inc || a->flags != b->flags ||
	    a->ring.nodeid != b->ring.nodeid || a->ring.seq != b->ring.seq || a->seq != b->seq ||
	    a->max_seq != b->max_seq || a->gseq != b->gseq || a->origin != b->origin ||
	    a->lseq != b->lseq || a->n_entries != b->n_entries || a->n_ids != b->n_ids ||
	    a->n_unheard != b->n_unheard)
		return false;
	if (a->n_entries > 0 &&
	    (a->entries == NULL || b->entries == NULL ||
	     !entries_same(a->entries, b->entries, a->n_entries)))
		return false;
	if (a->n_ids == 0)
		return true;
	if (a->ids == NULL || b->ids == NULL ||
	    memcmp(a->ids, b->ids, a->n_ids * sizeof(*a->ids)) != 0)
		return false;
	if (!(f & F_INCS))
		return true;
	return a->incs != NULL && b->incs != NULL &&
	       memcmp(a->incs, b->incs, a->n_ids * sizeof(*a->incs)) == 0;
}
