/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame sealing and opening (see wire.h). The MAC is checked before any field
 * behind the fixed header checks is believed, and in constant time.
 */
#include "wire/wire.h"

#include <errno.h>
#include <string.h>

#include <sodium.h>

/* ------------------------------------------------------------------ */
/* Big-endian helpers                                                  */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)get16(p) << 16) | get16(p + 2);
}

static uint64_t get64(const uint8_t *p)
{
	return ((uint64_t)get32(p) << 32) | get32(p + 4);
}

/* ------------------------------------------------------------------ */
/* Keys and frames                                                     */

static uint32_t cluster_hash(const char *name)
{
	uint8_t h[16];

	crypto_generichash(h, sizeof(h), (const uint8_t *)name, strlen(name), NULL, 0);
	return get32(h);
}

int tally_wire_key_derive(struct tally_wire_key *key, const void *authkey, size_t authkey_len,
			  const char *cluster_name)
{
	static const char context[] = "tally wire mac v1";
	crypto_generichash_state st;

	if (key == NULL || authkey == NULL || cluster_name == NULL ||
	    authkey_len < TALLY_WIRE_AUTHKEY_MIN || authkey_len > TALLY_WIRE_AUTHKEY_MAX)
		return -EINVAL;
	/* The name is length-prefixed so "ab"+key and "a"+"b"key cannot collide. */
	uint8_t name_len[4];

	put32(name_len, (uint32_t)strlen(cluster_name));
	crypto_generichash_init(&st, NULL, 0, sizeof(key->mac_key));
	crypto_generichash_update(&st, (const uint8_t *)context, sizeof(context));
	crypto_generichash_update(&st, name_len, sizeof(name_len));
	crypto_generichash_update(&st, (const uint8_t *)cluster_name, strlen(cluster_name));
	crypto_generichash_update(&st, authkey, authkey_len);
	crypto_generichash_final(&st, key->mac_key, sizeof(key->mac_key));
	sodium_memzero(&st, sizeof(st));
	key->cluster_hash = cluster_hash(cluster_name);
	return 0;
}

static void mac(const struct tally_wire_key *key, const uint8_t *data, size_t len,
		uint8_t out[TALLY_WIRE_MAC_LEN])
{
	crypto_generichash(out, TALLY_WIRE_MAC_LEN, data, len, key->mac_key,
			   sizeof(key->mac_key));
}

int tally_wire_seal(const struct tally_wire_key *key, const struct tally_wire_hdr *hdr,
		    const void *body, size_t body_len, uint8_t *out, size_t out_len)
{
	if (key == NULL || hdr == NULL || out == NULL || (body == NULL && body_len > 0) ||
	    body_len > TALLY_WIRE_MAX_BODY)
		return -EINVAL;
	if (out_len < TALLY_WIRE_OVERHEAD + body_len)
		return -ENOSPC;

	put32(out, TALLY_WIRE_MAGIC);
	out[4] = TALLY_WIRE_VERSION;
	out[5] = (uint8_t)hdr->type;
	put16(out + 6, (uint16_t)body_len);
	put32(out + 8, key->cluster_hash);
	put32(out + 12, hdr->sender);
	put64(out + 16, hdr->incarnation);
	put64(out + 24, hdr->seq);
	if (body_len > 0)
		memcpy(out + TALLY_WIRE_HDR_LEN, body, body_len);
	mac(key, out, TALLY_WIRE_HDR_LEN + body_len, out + TALLY_WIRE_HDR_LEN + body_len);
	return (int)(TALLY_WIRE_OVERHEAD + body_len);
}

enum tally_wire_verdict tally_wire_open(const struct tally_wire_key *key, const uint8_t *frame,
					size_t len, struct tally_wire_hdr *hdr,
					const uint8_t **body, size_t *body_len)
{
	uint8_t want[TALLY_WIRE_MAC_LEN];
	size_t n;

	if (frame == NULL || len < TALLY_WIRE_OVERHEAD)
		return TALLY_WIRE_SHORT;
	if (get32(frame) != TALLY_WIRE_MAGIC)
		return TALLY_WIRE_BAD_MAGIC;
	if (frame[4] != TALLY_WIRE_VERSION)
		return TALLY_WIRE_BAD_VERSION;
	n = get16(frame + 6);
	if (n > TALLY_WIRE_MAX_BODY || len != TALLY_WIRE_OVERHEAD + n)
		return TALLY_WIRE_BAD_LENGTH;
	if (get32(frame + 8) != key->cluster_hash)
		return TALLY_WIRE_OTHER_CLUSTER;
	mac(key, frame, TALLY_WIRE_HDR_LEN + n, want);
	if (sodium_memcmp(want, frame + TALLY_WIRE_HDR_LEN + n, TALLY_WIRE_MAC_LEN) != 0)
		return TALLY_WIRE_BAD_MAC;

	hdr->type = (enum tally_wire_type)frame[5];
	hdr->sender = get32(frame + 12);
	hdr->incarnation = get64(frame + 16);
	hdr->seq = get64(frame + 24);
	*body = frame + TALLY_WIRE_HDR_LEN;
	*body_len = n;
	return TALLY_WIRE_OK;
}

enum tally_wire_verdict tally_wire_replay_check(struct tally_wire_replay *r, uint64_t incarnation,
						uint64_t seq)
{
	uint64_t behind;

	if (!r->valid || incarnation > r->incarnation) {
		/* A first frame, or the sender restarted: its old life is over. */
		r->valid = true;
		r->incarnation = incarnation;
		r->top = seq;
		r->window = 1;
		return TALLY_WIRE_OK;
	}
	if (incarnation < r->incarnation)
		return TALLY_WIRE_STALE_INCARNATION;
	if (seq > r->top) {
		uint64_t ahead = seq - r->top;

		r->window = ahead >= TALLY_WIRE_REPLAY_WINDOW ? 1 : (r->window << ahead) | 1;
		r->top = seq;
		return TALLY_WIRE_OK;
	}
	behind = r->top - seq;
	if (behind >= TALLY_WIRE_REPLAY_WINDOW || (r->window & (1ull << behind)))
		return TALLY_WIRE_REPLAY;
	r->window |= 1ull << behind;
	return TALLY_WIRE_OK;
}

const char *tally_wire_verdict_name(enum tally_wire_verdict v)
{
	static const char *const names[] = {
		[TALLY_WIRE_OK] = "ok",
		[TALLY_WIRE_SHORT] = "short",
		[TALLY_WIRE_BAD_MAGIC] = "bad_magic",
		[TALLY_WIRE_BAD_VERSION] = "bad_version",
		[TALLY_WIRE_BAD_LENGTH] = "bad_length",
		[TALLY_WIRE_OTHER_CLUSTER] = "other_cluster",
		[TALLY_WIRE_BAD_MAC] = "bad_mac",
		[TALLY_WIRE_STALE_INCARNATION] = "stale_incarnation",
		[TALLY_WIRE_REPLAY] = "replay",
		[TALLY_WIRE_BAD_BODY] = "bad_body",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == TALLY_WIRE_VERDICT_COUNT,
		       "a name for every verdict");

	return (unsigned)v < TALLY_WIRE_VERDICT_COUNT ? names[v] : "unknown";
}

/* ------------------------------------------------------------------ */
/* Quorum message bodies                                               */
/*
 *   u8 type, then
 *   NODEINFO             u32 nodeid, u32 votes, u32 expected_votes, u32 flags
 *   RECONFIGURE          u32 nodeid, u32 value, u8 param (1..3)
 *   QDEVICE_REG          u8 op (0, 1), u8 len (1..254), name
 *   QDEVICE_RECONFIGURE  u8 len, oldname, u8 len, newname (each 1..254)
 * Names travel without their NUL and may not contain one.
 */

#define NAME_MAX_LEN (VOTEQUORUM_QDEVICE_MAX_NAME_LEN - 1)

static int put_name(uint8_t *out, size_t room, const char *name)
{
	size_t n = strnlen(name, VOTEQUORUM_QDEVICE_MAX_NAME_LEN);

	if (n == 0 || n > NAME_MAX_LEN)
		return -EINVAL;
	if (room < n + 1)
		return -ENOSPC;
	out[0] = (uint8_t)n;
	memcpy(out + 1, name, n);
	return (int)(n + 1);
}

int tally_wire_encode_qmsg(const struct tally_qmsg *m, uint8_t *out, size_t len)
{
	int a, b;

	if (len < 1)
		return -ENOSPC;
	out[0] = (uint8_t)m->type;
	switch (m->type) {
	case TALLY_QMSG_NODEINFO:
		if (len < 17)
			return -ENOSPC;
		put32(out + 1, m->nodeinfo.nodeid);
		put32(out + 5, m->nodeinfo.votes);
		put32(out + 9, m->nodeinfo.expected_votes);
		put32(out + 13, m->nodeinfo.flags);
		return 17;
	case TALLY_QMSG_RECONFIGURE:
		if (len < 10)
			return -ENOSPC;
		put32(out + 1, m->reconfigure.nodeid);
		put32(out + 5, m->reconfigure.value);
		out[9] = (uint8_t)m->reconfigure.param;
		return 10;
	case TALLY_QMSG_QDEVICE_REG:
		if (len < 2)
			return -ENOSPC;
		out[1] = (uint8_t)m->qdevice_reg.op;
		a = put_name(out + 2, len - 2, m->qdevice_reg.name);
		return a < 0 ? a : 2 + a;
	case TALLY_QMSG_QDEVICE_RECONFIGURE:
		a = put_name(out + 1, len - 1, m->qdevice_reconfigure.oldname);
		if (a < 0)
			return a;
		b = put_name(out + 1 + a, len - 1 - (size_t)a, m->qdevice_reconfigure.newname);
		return b < 0 ? b : 1 + a + b;
	}
	return -EINVAL;
}

/* A length-prefixed name at *pos; advances *pos. false if malformed. */
static bool get_name(const uint8_t *body, size_t len, size_t *pos,
		     char out[VOTEQUORUM_QDEVICE_MAX_NAME_LEN])
{
	size_t n;

	if (*pos >= len)
		return false;
	n = body[*pos];
	if (n == 0 || n > NAME_MAX_LEN || *pos + 1 + n > len ||
	    memchr(body + *pos + 1, '\0', n) != NULL)
		return false;
	memcpy(out, body + *pos + 1, n);
	out[n] = '\0';
	*pos += 1 + n;
	return true;
}

enum tally_wire_verdict tally_wire_decode_qmsg(const uint8_t *body, size_t len,
					       struct tally_qmsg *m)
{
	size_t pos = 2;

	memset(m, 0, sizeof(*m));
	if (len < 1)
		return TALLY_WIRE_BAD_BODY;
	switch (body[0]) {
	case TALLY_QMSG_NODEINFO:
		if (len != 17)
			return TALLY_WIRE_BAD_BODY;
		m->type = TALLY_QMSG_NODEINFO;
		m->nodeinfo.nodeid = get32(body + 1);
		m->nodeinfo.votes = get32(body + 5);
		m->nodeinfo.expected_votes = get32(body + 9);
		m->nodeinfo.flags = get32(body + 13);
		return TALLY_WIRE_OK;
	case TALLY_QMSG_RECONFIGURE:
		if (len != 10 || body[9] < TALLY_QRECONF_EXPECTED_VOTES ||
		    body[9] > TALLY_QRECONF_CANCEL_WFA)
			return TALLY_WIRE_BAD_BODY;
		m->type = TALLY_QMSG_RECONFIGURE;
		m->reconfigure.nodeid = get32(body + 1);
		m->reconfigure.value = get32(body + 5);
		m->reconfigure.param = (enum tally_qreconf_param)body[9];
		return TALLY_WIRE_OK;
	case TALLY_QMSG_QDEVICE_REG:
		if (len < 2 || body[1] > TALLY_QDEVICE_OP_REGISTER ||
		    !get_name(body, len, &pos, m->qdevice_reg.name) || pos != len)
			return TALLY_WIRE_BAD_BODY;
		m->type = TALLY_QMSG_QDEVICE_REG;
		m->qdevice_reg.op = (enum tally_qdevice_op)body[1];
		return TALLY_WIRE_OK;
	case TALLY_QMSG_QDEVICE_RECONFIGURE:
		pos = 1;
		if (!get_name(body, len, &pos, m->qdevice_reconfigure.oldname) ||
		    !get_name(body, len, &pos, m->qdevice_reconfigure.newname) || pos != len)
			return TALLY_WIRE_BAD_BODY;
		m->type = TALLY_QMSG_QDEVICE_RECONFIGURE;
		return TALLY_WIRE_OK;
	}
	return TALLY_WIRE_BAD_BODY;
}

/* ------------------------------------------------------------------ */
/* RTT probe bodies                                                    */

static bool probe_valid(enum tally_probe_kind kind, uint32_t target, uint64_t token)
{
	return (kind == TALLY_PROBE_PING || kind == TALLY_PROBE_PONG) && target != 0 && token != 0;
}

int tally_wire_encode_probe(const struct tally_probe_msg *m, uint8_t *out, size_t len)
{
	if (!probe_valid(m->kind, m->target, m->token))
		return -EINVAL;
	if (len < TALLY_WIRE_PROBE_LEN)
		return -ENOSPC;
	out[0] = (uint8_t)m->kind;
	put32(out + 1, m->target);
	put64(out + 5, m->token);
	return TALLY_WIRE_PROBE_LEN;
}

enum tally_wire_verdict tally_wire_decode_probe(const uint8_t *body, size_t len,
						struct tally_probe_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (len != TALLY_WIRE_PROBE_LEN || !probe_valid((enum tally_probe_kind)body[0],
							get32(body + 1), get64(body + 5)))
		return TALLY_WIRE_BAD_BODY;
	m->kind = (enum tally_probe_kind)body[0];
	m->target = get32(body + 1);
	m->token = get64(body + 5);
	return TALLY_WIRE_OK;
}
