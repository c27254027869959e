/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One node's engine glue (DESIGN.md §2): owns a tally_quorum and publishes
 * what it says into the shared-memory segment. Every notification becomes
 * an event record; the snapshot is republished whenever the state changed,
 * before the event that announces it, so a reader that sees an event also
 * finds getinfo current. Messages go to a transport the caller supplies
 * (the membership layer), which delivers them back through
 * tally_node_deliver in one total order and installs views through
 * tally_node_sync_*. No I/O of its own, no threads; one thread calls it.
 */
#ifndef TALLY_NODE_H
#define TALLY_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <corosync/votequorum.h>

#include "quorum/quorum.h"

struct tally_cmap;
struct tally_node;

struct tally_node_ops {
	/* Multicast to the current view in agreed order (the sender included). */
	void (*send)(void *ctx, const struct tally_qmsg *msg);
	/* The segment changed and a reader sleeps on it (called after the futex wake). */
	void (*wake)(void *ctx);
	/* Optional: events were appended and a client sleeps in poll() on the
	 * ring (tally_ctl_ring; any thread, no lock). */
	void (*ring)(void *ctx);
	/* A deferred qdevice_register completed. */
	void (*reply)(void *ctx, uint64_t token, cs_error_t result);
	/* Optional: persist the expected-votes-tracking barrier; log lines. */
	void (*persist_ev_barrier)(void *ctx, uint32_t barrier);
	void (*log)(void *ctx, enum tally_qlog_level level, const char *text);
};

/*
 * Lay out `segment` (`size` bytes, mapped writable) and create the quorum
 * service of node `nodeid` from `map`. NULL with errno set; EINVAL with
 * corosync's message in err for a configuration error.
 */
struct tally_node *tally_node_create(uint32_t nodeid, const struct tally_cmap *map,
				     uint32_t ev_barrier, void *segment, size_t size,
				     uint64_t engine_incarnation, const struct tally_node_ops *ops,
				     void *ops_ctx, char *err, size_t errlen);
void tally_node_destroy(struct tally_node *n);

/* Membership and messages (see tally_quorum_*). `now` is monotonic ms. */
void tally_node_sync_init(struct tally_node *n, const votequorum_ring_id_t *ring,
			  const uint32_t *members, size_t n_members, uint64_t now);
bool tally_node_sync_process(struct tally_node *n);
void tally_node_sync_activate(struct tally_node *n);
void tally_node_deliver(struct tally_node *n, uint32_t sender, const struct tally_qmsg *msg,
			uint64_t now);
uint64_t tally_node_next_deadline(const struct tally_node *n);
void tally_node_expire(struct tally_node *n, uint64_t now);
void tally_node_reload(struct tally_node *n, const struct tally_cmap *map, uint64_t now);
/* A clean leave begins: the quorum service says so in its nodeinfo (spec §3.11.5). */
void tally_node_leave(struct tally_node *n);

/* API requests of local clients (spec §2.2); results as corosync's. */
cs_error_t tally_node_setexpected(struct tally_node *n, uint32_t expected_votes);
cs_error_t tally_node_setvotes(struct tally_node *n, uint32_t nodeid, uint32_t votes);
/* *pending: the result comes later through ops->reply(token). */
cs_error_t tally_node_qdevice_register(struct tally_node *n, const char *name, uint64_t token,
				       bool *pending);
cs_error_t tally_node_qdevice_unregister(struct tally_node *n, const char *name);
cs_error_t tally_node_qdevice_update(struct tally_node *n, const char *oldname,
				     const char *newname);
cs_error_t tally_node_qdevice_poll(struct tally_node *n, const char *name, uint32_t cast_vote,
				   const votequorum_ring_id_t *ring, uint64_t now);
cs_error_t tally_node_qdevice_master_wins(struct tally_node *n, const char *name,
					  uint32_t allow);

/* The segment and the core, read-only, for the control server and tests. */
const void *tally_node_segment(const struct tally_node *n);
const struct tally_quorum *tally_node_quorum(const struct tally_node *n);
/* Events that could never fit the ring (cannot happen below TALLY_SHM_MAX_NODES). */
uint64_t tally_node_dropped_events(const struct tally_node *n);

#endif
