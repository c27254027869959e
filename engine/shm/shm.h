/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writing and reading the publication segment (include/tally/shm_layout.h).
 * Plain memory operations on a mapping the caller made (shm/map.h): the
 * engine creates and maps the segment, libvotequorum maps all but the client
 * area read-only. One writer only.
 */
#ifndef TALLY_SHM_H
#define TALLY_SHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <corosync/votequorum.h>
#include <tally/shm_layout.h>

/* ---- writer (the engine) ---- */

/* Lay out an empty segment of `size` bytes. 0, or -EINVAL if too small. */
int tally_shm_init(void *segment, size_t size, uint64_t engine_incarnation);
/* Publish a snapshot (only its used entries are copied). Returns the new generation. */
uint64_t tally_shm_publish(void *segment, const struct tally_shm_snapshot *snap);
/* Append one event record. 0, or -EMSGSIZE when it could never fit the ring. */
int tally_shm_append(void *segment, enum tally_shm_event_type type, const void *payload,
		     uint32_t len);

/* ---- reader (the client library) ---- */

struct tally_shm_reader {
	const uint8_t *base;
	const struct tally_shm_header *hdr;
	uint64_t cursor;	/**< ring offset of the next record to read */
	uint64_t next_seq;	/**< the seq that record must carry */
};

enum tally_shm_read {
	TALLY_SHM_READ_NONE = 0,	/**< no event pending */
	TALLY_SHM_READ_EVENT = 1,	/**< one event copied */
	TALLY_SHM_READ_LOST = 2,	/**< fell behind: events were overwritten; resync */
};

/*
 * Check a mapped segment of `mapped` bytes and start reading its events from
 * now on. 0, or -EPROTO when the header does not describe exactly the
 * layout of shm_layout.h (the reader uses its constants, not the header's
 * offsets) or less than a segment was mapped.
 */
int tally_shm_attach(struct tally_shm_reader *r, const void *segment, size_t mapped);
/* A consistent copy of the newest snapshot (used entries only); its generation. */
uint64_t tally_shm_read_snapshot(const struct tally_shm_reader *r, struct tally_shm_snapshot *out);
uint64_t tally_shm_generation(const struct tally_shm_reader *r);
/*
 * votequorum_getinfo from the newest snapshot, without copying it whole:
 * CS_OK or CS_ERR_NOT_EXIST (info zeroed). nodeid 0 means the local node.
 */
cs_error_t tally_shm_getinfo(const struct tally_shm_reader *r, uint32_t nodeid,
			     struct votequorum_info *info);
/*
 * The next event: its header into *ev and up to `cap` payload bytes into
 * payload (a larger payload is reported as LOST, which cannot happen with
 * cap >= the ring size). After LOST call tally_shm_resync().
 */
enum tally_shm_read tally_shm_next_event(struct tally_shm_reader *r, struct tally_shm_event *ev,
					 void *payload, size_t cap);
/* Skip to the newest event: later events are delivered, older ones are gone. */
void tally_shm_resync(struct tally_shm_reader *r);

/* getinfo from a snapshot copy; shared by the reader and the tests. */
cs_error_t tally_shm_snapshot_getinfo(const struct tally_shm_snapshot *s, uint32_t nodeid,
				      struct votequorum_info *info);

#endif
