/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared-memory segment an engine publishes its quorum state in
 * (DESIGN.md §2). One writer (the engine), any number of readers in other
 * processes (libvotequorum). Readers never block the writer and a reader
 * that dies costs nothing: there are no locks, only sequence counts.
 *
 *   header | slot 0 | slot 1 | slot 2 | slot 3 | event ring | client area
 *   `------------- engine file, read-only to clients ------'   `- clients file
 *
 * Two POSIX shared-memory files mapped at one address (tally_shm_map): the
 * engine's part (the segment name; mode 0440/0400, so a client can only
 * open it read-only, and a read-only descriptor cannot be mapped or
 * mprotect()ed writable) and the client area (the name plus
 * TALLY_SHM_CLIENTS_SUFFIX; 0660/0600), the only memory clients write.
 * Everything is addressed by offsets from the start of the segment (no
 * pointers), every struct has a fixed, asserted size, and readers take
 * every address from the layout constants below, refusing a header that
 * disagrees with them: nothing a client writes can move another reader.

 * Snapshot slots: the writer fills slot (gen + 1) % SLOTS while its `seq` is
 * odd, makes `seq` even, then publishes `gen`. Readers copy the slot of
 * `gen` and accept the copy if `seq` was even and unchanged around it.
 *
 * Event ring: records {seq, type, length, payload} appended at `ev_tail`.
 * Before writing, the writer claims the bytes by advancing `ev_head`; a
 * reader that finds `ev_head` more than the ring size past its cursor has
 * been lapped and must resynchronise from the snapshot.
 *
 * Client area (page-aligned, after the ring, mapped writable by clients):
 * one slot per connected library, handed out by the engine's control
 * thread at hello, where the library reports its read cursor and tracking
 * (for tally-stat), and the sleepers: a bitmap of clients asleep in poll()
 * on votequorum_fd_get's descriptor, one of clients asleep on the futex,
 * and the count of futex sleepers without a slot. The engine only reads
 * slots (for display) and takes or reads bits; nothing a client writes
 * here can steer its stores or another client's reads (at worst it wakes
 * others for nothing, or makes them wait for their 100 ms check).
 */
#ifndef TALLY_SHM_LAYOUT_H
#define TALLY_SHM_LAYOUT_H

#include <stdint.h>

#ifdef __cplusplus
#include <atomic>
#define TALLY_SHM_ATOMIC(t) std::atomic<t>
#else
#include <stdatomic.h>
#define TALLY_SHM_ATOMIC(t) _Atomic t
#endif

#define TALLY_SHM_MAGIC 0x31304d4853594c54ull	/* "TLYSHM01" little-endian */
#define TALLY_SHM_VERSION 4u
#define TALLY_SHM_SLOTS 4u
#define TALLY_SHM_MAX_NODES 4096u
#define TALLY_SHM_NAME_LEN 256u
#define TALLY_SHM_EVENT_RING (1u << 20)	/* bytes, a power of two */
#define TALLY_SHM_CACHE_LINE 64u
#define TALLY_SHM_CLIENTS 4096u	/* client slots; a client without one still works */
#define TALLY_SHM_PAGE 4096u
#define TALLY_SHM_CLIENTS_SUFFIX ".clients"	/* the client area's file: segment name + this */

/* Event record types (payloads below). */
enum tally_shm_event_type {
	TALLY_SHM_EV_NODELIST = 1,
	TALLY_SHM_EV_QUORUM = 2,
	TALLY_SHM_EV_EXPECTEDVOTES = 3,
};

/* One node record of the snapshot: what getinfo(nodeid) reports about it. */
struct tally_shm_node {
	uint32_t nodeid;
	uint32_t state;		/**< VOTEQUORUM_NODESTATE_* */
	uint32_t votes;
	uint32_t expected_votes;
	uint32_t qdevice_flags;	/**< VOTEQUORUM_INFO_QDEVICE_* bits of this node */
};

/* The cluster-wide part of a snapshot: small enough to copy on every getinfo. */
struct tally_shm_summary {
	uint32_t local_nodeid;
	uint32_t quorate;
	uint32_t quorum;
	uint32_t flags;			/**< cluster-wide VOTEQUORUM_INFO_* bits */
	uint32_t highest_expected;
	uint32_t member_votes;		/**< Σ votes of MEMBER records */
	uint32_t qdevice_votes;
	uint32_t qdevice_registered;	/**< the local node has a device registered */
	uint32_t ring_nodeid;
	uint32_t n_nodes;		/**< records in nodes[], sorted by nodeid */
	uint64_t ring_seq;
	uint32_t n_members;
	uint32_t reserved;
	uint64_t stamp_ns;		/**< when the engine published it */
	char qdevice_name[TALLY_SHM_NAME_LEN];
};

/* Everything getinfo and the CURRENT notifications need, as of one instant. */
struct tally_shm_snapshot {
	struct tally_shm_summary sum;
	struct tally_shm_node nodes[TALLY_SHM_MAX_NODES];
	uint32_t members[TALLY_SHM_MAX_NODES];	/**< current view, in view order */
};

struct tally_shm_slot {
	TALLY_SHM_ATOMIC(uint64_t) seq;	/**< odd while the writer fills the slot */
	uint64_t gen;
	uint8_t pad[TALLY_SHM_CACHE_LINE - 16];
	struct tally_shm_snapshot snap;
};

/* Event ring record header; the payload follows, records are 8-byte aligned. */
struct tally_shm_event {
	uint64_t seq;		/**< 1, 2, 3, ... per segment */
	uint32_t type;		/**< enum tally_shm_event_type */
	uint32_t len;		/**< payload bytes */
};

/* Payloads (fixed part; the arrays follow). */
struct tally_shm_ev_nodelist {
	uint32_t ring_nodeid;
	uint32_t n_members;
	uint64_t ring_seq;
	/* uint32_t members[n_members]; */
};

struct tally_shm_ev_quorum {
	uint32_t quorate;
	uint32_t n_nodes;
	/* struct { uint32_t nodeid, state; } nodes[n_nodes]; */
};

struct tally_shm_ev_expectedvotes {
	uint32_t expected_votes;
	uint32_t reserved;
};

struct tally_shm_header {
	/* Written once at creation. */
	uint64_t magic;
	uint32_t version;
	uint32_t header_size;
	uint64_t segment_size;
	uint64_t slot_offset;
	uint64_t slot_size;
	uint32_t slots;
	uint32_t max_nodes;
	uint64_t ring_offset;
	uint64_t ring_size;
	uint64_t engine_incarnation;	/**< changes when the engine restarts */
	uint64_t clients_offset;	/**< struct tally_shm_clients, page-aligned */
	uint32_t clients;		/**< TALLY_SHM_CLIENTS */
	uint32_t reserved;
	uint8_t pad0[TALLY_SHM_CACHE_LINE * 2 - 88];

	/* Each written by the engine only, each on its own cache line. */
	TALLY_SHM_ATOMIC(uint64_t) gen;	/**< newest published snapshot */
	uint8_t pad1[TALLY_SHM_CACHE_LINE - 8];
	TALLY_SHM_ATOMIC(uint64_t) ev_head;	/**< ring bytes claimed for writing */
	uint8_t pad2[TALLY_SHM_CACHE_LINE - 8];
	TALLY_SHM_ATOMIC(uint64_t) ev_tail;	/**< ring bytes complete and readable */
	TALLY_SHM_ATOMIC(uint64_t) ev_seq;	/**< seq of the newest complete record */
	uint8_t pad3[TALLY_SHM_CACHE_LINE - 16];

	/* Wake-up: moved by every change; readers sleep on it (their
	 * announcements are in the client area: tally_shm_clients). */
	TALLY_SHM_ATOMIC(uint32_t) futex;
	uint32_t reserved1;
	uint8_t pad4[TALLY_SHM_CACHE_LINE - 8];
};

/* Client slot flags, as the library reports them. */
#define TALLY_SHM_CLIENT_TRACKING 1u	/**< a CHANGES tracker */
#define TALLY_SHM_CLIENT_FD 2u		/**< called votequorum_fd_get */

/* One client's slot, written by that client only (so: untrusted, display only). */
struct tally_shm_client {
	TALLY_SHM_ATOMIC(uint64_t) cursor_seq;	/**< seq of the last record it read */
	TALLY_SHM_ATOMIC(uint64_t) cursor;	/**< ring offset of its next record */
	TALLY_SHM_ATOMIC(uint32_t) flags;	/**< TALLY_SHM_CLIENT_* */
	TALLY_SHM_ATOMIC(uint32_t) resyncs;	/**< times it was lapped and resynchronised */
	uint8_t pad[TALLY_SHM_CACHE_LINE - 24];
};

struct tally_shm_clients {
	/* Bit i: client slot i sleeps in poll() and wants the ring. Set by the
	 * client, taken by the engine when it rings, cleared by the control
	 * thread when the client goes. */
	TALLY_SHM_ATOMIC(uint64_t) sleepers[TALLY_SHM_CLIENTS / 64];
	/* Bit i: client slot i sleeps on the futex (FUTEX_WAIT on `futex`).
	 * Set and cleared by the client around its sleep, read by the engine
	 * when it wakes, cleared by the control thread when the client goes:
	 * a client killed asleep is forgotten with its connection. */
	TALLY_SHM_ATOMIC(uint64_t) futex_sleepers[TALLY_SHM_CLIENTS / 64];
	/* Bit j: futex_sleepers[j] may be non-zero, so the engine's check
	 * is one load while nobody sleeps. Set by a sleeper after its own
	 * bit; cleared, then re-checked, by whoever finds word j empty. */
	TALLY_SHM_ATOMIC(uint64_t) futex_any;
	/* Futex sleepers without a client slot (and the control server while
	 * it has watchers); one killed asleep stays counted. */
	TALLY_SHM_ATOMIC(uint32_t) waiters;
	uint32_t reserved;
	uint8_t pad0[TALLY_SHM_CACHE_LINE - 16];
	/* The engine pwrite()s this word to ring: one write(2) raises
	 * inotify IN_MODIFY on the segment file for every sleeper at once. */
	uint64_t ring;
	uint8_t pad1[TALLY_SHM_CACHE_LINE - 8];
	struct tally_shm_client slot[TALLY_SHM_CLIENTS];
};

#define TALLY_SHM_SLOT_OFFSET ((uint64_t)sizeof(struct tally_shm_header))
#define TALLY_SHM_RING_OFFSET \
	(TALLY_SHM_SLOT_OFFSET + (uint64_t)TALLY_SHM_SLOTS * sizeof(struct tally_shm_slot))
#define TALLY_SHM_CLIENTS_OFFSET \
	((TALLY_SHM_RING_OFFSET + TALLY_SHM_EVENT_RING + TALLY_SHM_PAGE - 1) & \
	 ~(uint64_t)(TALLY_SHM_PAGE - 1))
#define TALLY_SHM_ENGINE_SIZE TALLY_SHM_CLIENTS_OFFSET	/* the engine file's size */
#define TALLY_SHM_SEGMENT_SIZE \
	(TALLY_SHM_CLIENTS_OFFSET + (uint64_t)sizeof(struct tally_shm_clients))

#ifndef __cplusplus
_Static_assert(sizeof(struct tally_shm_node) == 20, "node record layout");
_Static_assert(sizeof(struct tally_shm_event) == 16, "event header layout");
_Static_assert(sizeof(struct tally_shm_ev_nodelist) == 16, "nodelist payload layout");
_Static_assert(sizeof(struct tally_shm_ev_quorum) == 8, "quorum payload layout");
_Static_assert(sizeof(struct tally_shm_summary) == 64 + TALLY_SHM_NAME_LEN, "summary layout");
_Static_assert(sizeof(struct tally_shm_snapshot) ==
		       sizeof(struct tally_shm_summary) + TALLY_SHM_MAX_NODES * (20 + 4),
	       "snapshot layout");
_Static_assert(sizeof(struct tally_shm_slot) % TALLY_SHM_CACHE_LINE == 0, "slot alignment");
_Static_assert(sizeof(struct tally_shm_header) == 6 * TALLY_SHM_CACHE_LINE, "header layout");
_Static_assert(sizeof(struct tally_shm_client) == TALLY_SHM_CACHE_LINE, "client slot layout");
_Static_assert(sizeof(struct tally_shm_clients) ==
		       2 * (TALLY_SHM_CLIENTS / 8) + 2 * TALLY_SHM_CACHE_LINE +
			       TALLY_SHM_CLIENTS * TALLY_SHM_CACHE_LINE,
	       "client area layout");
_Static_assert((TALLY_SHM_EVENT_RING & (TALLY_SHM_EVENT_RING - 1)) == 0, "ring power of two");
#endif

#endif
