/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vq-compat: votequorum programs that print a normalised transcript
 * (vq_transcript.h), built once against corosync's installed header and
 * library and run unchanged against corosync 3.1.7 and, through
 * LD_LIBRARY_PATH, against tally (compat-vs-corosync.sh diffs the two).
 * They expect a settled 3-node cluster, all nodes with 1 vote, no options.
 *
 *   vq-compat settle N    wait until this node sees N members (no transcript)
 *   vq-compat api         on node 1: the library-level vectors T98-T102, T105
 *                         and each call's errors against a live daemon
 *   vq-compat track       on node 1: a tracker sees node 3 crash and restart,
 *                         stop cleanly and start, then node 1 cut off and healed
 *   vq-compat victim      on node 3: its daemon is killed under a blocking
 *                         dispatch (T104), then initialize (T103)
 *   vq-compat qdevice     on node 1: corosync-qdevice's call sequence (spec
 *                         §5.3) with its error cases, a membership change
 *                         that waits for the device's poll
 *   vq-compat qpeer       on node 2: a second device beside node 1's
 *
 * track and qdevice call "$VQ_COMPAT_STEP ACTION" (system(3)) where the
 * scenario needs the cluster to change: "kill 3", "stop 3", "start 3",
 * "partition 1 2,3", "heal", "peer".
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vq_transcript.h"

static void step(const char *action)
{
	const char *hook = getenv("VQ_COMPAT_STEP");
	char cmd[1024];
	int rc;

	note("step %s", action);
	if (hook == NULL) {
		fprintf(stderr, "vq-compat: VQ_COMPAT_STEP is not set\n");
		exit(2);
	}
	snprintf(cmd, sizeof(cmd), "%s %s", hook, action);
	rc = system(cmd);
	if (rc != 0)
		note("  (step failed: %d)", rc);
}

static void getinfo(votequorum_handle_t h, uint32_t nodeid)
{
	struct votequorum_info info;
	char what[64];

	snprintf(what, sizeof(what), "votequorum_getinfo(h, %u, &info)", nodeid);
	if (said(what, votequorum_getinfo(h, nodeid, &info)) == CS_OK)
		show_info(&info);
}

static bool readable(votequorum_handle_t h)
{
	struct pollfd p = { .events = POLLIN };

	return votequorum_fd_get(h, &p.fd) == CS_OK && poll(&p, 1, 0) == 1;
}

/* ---- api ---- */

static void t102_finalized_handle(void)
{
	votequorum_ring_id_t ring = { 1, 4 };
	struct votequorum_info info;
	votequorum_handle_t h;
	int fd = -5, marker;
	void *ctx;

	note("# T102: a finalized handle is bad everywhere");
	SAY(votequorum_initialize(&h, &recording_callbacks));
	SAY(votequorum_finalize(h));
	SAY(votequorum_finalize(h));
	SAY(votequorum_getinfo(h, 0, &info));
	SAY(votequorum_fd_get(h, &fd));
	note("  fd left as it was: %s", fd == -5 ? "yes" : "no");
	SAY(votequorum_getinfo(0xdeadbeef, 0, &info));
	SAY(votequorum_dispatch(h, CS_DISPATCH_ALL));
	SAY(votequorum_setexpected(h, 3));
	SAY(votequorum_setvotes(h, 1, 1));
	SAY(votequorum_trackstart(h, 0, CS_TRACK_CHANGES));
	SAY(votequorum_trackstop(h));
	SAY(votequorum_context_get(h, &ctx));
	SAY(votequorum_context_set(h, &marker));
	SAY(votequorum_qdevice_register(h, "Qdevice"));
	SAY(votequorum_qdevice_unregister(h, "Qdevice"));
	SAY(votequorum_qdevice_update(h, "Qdevice", "Q2"));
	SAY(votequorum_qdevice_poll(h, "Qdevice", 1, ring));
	SAY(votequorum_qdevice_master_wins(h, "Qdevice", 1));
}

static void t105_context(void)
{
	votequorum_handle_t h, h2;
	void *ctx = &ctx;
	int marker;

	note("# T105: one context per handle");
	SAY(votequorum_initialize(&h, &recording_callbacks));
	SAY(votequorum_initialize(&h2, &recording_callbacks));
	SAY(votequorum_context_get(h, &ctx));
	note("  context is NULL: %s", ctx == NULL ? "yes" : "no");
	SAY(votequorum_context_set(h, &marker));
	SAY(votequorum_context_get(h, &ctx));
	note("  context is what was set: %s", ctx == &marker ? "yes" : "no");
	SAY(votequorum_context_get(h2, &ctx));
	note("  the other handle's is NULL: %s", ctx == NULL ? "yes" : "no");
	SAY(votequorum_finalize(h));
	SAY(votequorum_finalize(h2));
}

static void t101_dispatch_types(votequorum_handle_t h)
{
	note("# T101: dispatch types, empty queues");
	SAY(votequorum_dispatch(h, 5));
	SAY(votequorum_dispatch(h, 0));
	SAY(votequorum_dispatch(0xdeadbeef, 5));
	SAY(votequorum_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING));
	SAY(votequorum_dispatch(h, CS_DISPATCH_ALL));
}

static void getinfo_of_every_node(votequorum_handle_t h)
{
	note("# getinfo: 0 is the local node; a node never seen does not exist");
	for (uint32_t id = 0; id <= 3; id++)
		getinfo(h, id);
	getinfo(h, 99);
}

/* t: a CHANGES_ONLY tracker; what it gets tells that a change was delivered here. */
static void t98_current(votequorum_handle_t h, votequorum_handle_t t)
{
	note("# T98: CURRENT gives one pair and no registration");
	SAY(votequorum_trackstart(h, 42, CS_TRACK_CURRENT));
	SAY(votequorum_dispatch(h, CS_DISPATCH_ALL));
	SAY(votequorum_trackstop(h));
	SAY(votequorum_setexpected(h, 3));
	await_recs(t, 1, 5000);
	note("  the CURRENT handle gets nothing later:");
	SAY(votequorum_dispatch(h, CS_DISPATCH_ALL));
}

static void t99_trackstart_twice(votequorum_handle_t h, votequorum_handle_t t)
{
	note("# T99: trackstart twice is EXIST and still queues a pair");
	SAY(votequorum_trackstart(h, 1, CS_TRACK_CHANGES));
	SAY(votequorum_trackstart(h, 2, CS_TRACK_CHANGES));
	SAY(votequorum_trackstart(h, 3, CS_TRACK_CHANGES_ONLY));
	note("  readable: %s", readable(h) ? "yes" : "no");
	SAY(votequorum_dispatch(h, CS_DISPATCH_ALL));
	note("  readable: %s", readable(h) ? "yes" : "no");
	SAY(votequorum_setexpected(h, 3));
	await_recs(t, 1, 5000);
	await_recs(h, 1, 5000);
	SAY(votequorum_trackstop(h));
	SAY(votequorum_trackstop(h));

	note("# the pair of an EXIST trackstart comes after what was queued before it");
	SAY(votequorum_trackstart(h, 1, CS_TRACK_CHANGES_ONLY));
	SAY(votequorum_setexpected(h, 3));
	await_recs(t, 1, 5000);
	SAY(votequorum_trackstart(h, 2, CS_TRACK_CURRENT));
	SAY(votequorum_dispatch(h, CS_DISPATCH_ALL));
	SAY(votequorum_trackstop(h));
}

static void t100_flags(votequorum_handle_t h)
{
	note("# T100: CHANGES_ONLY, 0, CURRENT|CHANGES");
	SAY(votequorum_trackstart(h, 9, CS_TRACK_CHANGES_ONLY));
	SAY(votequorum_dispatch(h, CS_DISPATCH_ALL));
	SAY(votequorum_trackstop(h));
	SAY(votequorum_trackstart(h, 9, 0));
	SAY(votequorum_dispatch(h, CS_DISPATCH_ALL));
	SAY(votequorum_trackstop(h));
	SAY(votequorum_trackstart(h, 4, CS_TRACK_CURRENT | CS_TRACK_CHANGES));
	SAY(votequorum_dispatch(h, CS_DISPATCH_ALL));
	SAY(votequorum_trackstop(h));
	note("# CURRENT|CHANGES_ONLY; a flag no mode has; ONE_NONBLOCKING takes one");
	SAY(votequorum_trackstart(h, 5, CS_TRACK_CURRENT | CS_TRACK_CHANGES_ONLY));
	SAY(votequorum_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING));
	SAY(votequorum_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING));
	SAY(votequorum_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING));
	SAY(votequorum_trackstop(h));
	SAY(votequorum_trackstart(h, 6, 8));
	SAY(votequorum_dispatch(h, CS_DISPATCH_ALL));
	SAY(votequorum_trackstop(h));
}

static void votes_and_expected(votequorum_handle_t h, votequorum_handle_t t)
{
	note("# setexpected, setvotes: errors, changes, the automatic raise");
	SAY(votequorum_setexpected(h, 0));
	SAY(votequorum_setexpected(h, 2));
	SAY(votequorum_setvotes(h, 99, 1));
	SAY(votequorum_setexpected(h, 4));
	await_recs(t, 1, 5000);
	getinfo(h, 0);
	SAY(votequorum_setexpected(h, 3));
	await_recs(t, 1, 5000);
	getinfo(h, 0);
	SAY(votequorum_setvotes(h, 1, 3));
	await_recs(t, 1, 5000);
	getinfo(h, 0);
	SAY(votequorum_setvotes(h, 1, 1));
	SAY(votequorum_setexpected(h, 3));
	await_recs(t, 1, 5000);
	getinfo(h, 0);
	getinfo(h, 2);
}

static votequorum_handle_t finalizing;

static void finalize_in_callback(votequorum_handle_t h, uint64_t ctx, uint32_t quorate,
				 uint32_t n, votequorum_node_t nodes[])
{
	struct votequorum_info info;
	void *c;

	note("  quorum callback ctx=%llu:", (unsigned long long)ctx);
	SAY(votequorum_getinfo(h, 0, &info));
	SAY(votequorum_context_get(h, &c));
	SAY(votequorum_finalize(finalizing));
}

static void a_callback_may_finalize(void)
{
	votequorum_callbacks_t cbs = { .votequorum_quorum_notify_fn = finalize_in_callback };

	note("# a callback may call the library, finalize too; a NULL callback still counts");
	SAY(votequorum_initialize(&finalizing, &cbs));
	SAY(votequorum_trackstart(finalizing, 1, CS_TRACK_CURRENT));
	SAY(votequorum_trackstart(finalizing, 2, CS_TRACK_CURRENT));
	SAY(votequorum_dispatch(finalizing, CS_DISPATCH_ONE));
	SAY(votequorum_dispatch(finalizing, CS_DISPATCH_ALL));
	SAY(votequorum_dispatch(finalizing, CS_DISPATCH_ALL));
}

static int api(void)
{
	votequorum_handle_t h, t;

	t102_finalized_handle();
	t105_context();
	SAY(votequorum_initialize(&h, &recording_callbacks));
	SAY(votequorum_initialize(&t, &recording_callbacks));
	SAY(votequorum_trackstart(t, 7, CS_TRACK_CHANGES_ONLY));
	t101_dispatch_types(h);
	getinfo_of_every_node(h);
	t98_current(h, t);
	t99_trackstart_twice(h, t);
	t100_flags(h);
	votes_and_expected(h, t);
	a_callback_may_finalize();
	SAY(votequorum_finalize(h));
	SAY(votequorum_finalize(t));
	return 0;
}

/* ---- track, victim ---- */

/* Make the cluster change; print the view it leads to and whatever follows within 1 s. */
static void change(votequorum_handle_t t, const char *action, uint32_t members)
{
	step(action);
	await_view(t, members, 30000);
	linger(t, 1000);
}

static int track(void)
{
	votequorum_handle_t t;

	note("# a tracker on node 1 sees node 3 crash, restart, stop, start; a partition");
	SAY(votequorum_initialize(&t, &recording_callbacks));
	SAY(votequorum_trackstart(t, 10, CS_TRACK_CHANGES));
	await_recs(t, 2, 5000);
	getinfo(t, 3);
	change(t, "kill 3", 2);
	getinfo(t, 3);
	getinfo(t, 0);
	change(t, "start 3", 3);
	getinfo(t, 3);
	getinfo(t, 0);
	change(t, "stop 3", 2);
	getinfo(t, 3);
	change(t, "start 3", 3);
	/* alone, node 1 is no longer quorate */
	change(t, "partition 1 2,3", 1);
	getinfo(t, 0);
	getinfo(t, 2);
	change(t, "heal", 3);
	getinfo(t, 0);
	SAY(votequorum_trackstop(t));
	SAY(votequorum_finalize(t));
	return 0;
}

static int victim(void)
{
	struct votequorum_info info;
	votequorum_handle_t h, h2;

	note("# T104: node 3's daemon is killed during a blocking dispatch");
	SAY(votequorum_initialize(&h, &recording_callbacks));
	SAY(votequorum_trackstart(h, 20, CS_TRACK_CHANGES));
	await_recs(h, 2, 5000);
	note("ready");
	SAY(votequorum_dispatch(h, CS_DISPATCH_BLOCKING));
	SAY(votequorum_getinfo(h, 0, &info));
	SAY(votequorum_setexpected(h, 3));
	SAY(votequorum_dispatch(h, CS_DISPATCH_ALL));
	SAY(votequorum_finalize(h));
	note("# T103: initialize while the daemon is down");
	SAY(votequorum_initialize(&h2, &recording_callbacks));
	SAY(votequorum_getinfo(h2, 0, &info));
	note("end");
	return 0;
}

/* ---- qdevice, qpeer ---- */

static int qdevice(void)
{
	char long_name[256];
	votequorum_ring_id_t ring = { 0, 0 }, old;
	votequorum_handle_t h;
	int fd, instance;

	memset(long_name, 'q', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';	/* 255 characters: one too many */
	note("# corosync-qdevice's sequence (spec 5.3) on node 1, and its errors");
	SAY(votequorum_initialize(&h, &recording_callbacks));
	getinfo(h, VOTEQUORUM_QDEVICE_NODEID);
	note("# nothing registered yet");
	SAY(votequorum_qdevice_poll(h, "Qdevice", 1, ring));
	SAY(votequorum_qdevice_unregister(h, "Qdevice"));
	SAY(votequorum_qdevice_update(h, "Qdevice", "Q2"));
	SAY(votequorum_qdevice_master_wins(h, "Qdevice", 0));
	SAY(votequorum_qdevice_register(h, ""));
	SAY(votequorum_qdevice_register(h, long_name));
	note("# register, context_set, getinfo, fd_get, trackstart, master_wins");
	SAY(votequorum_qdevice_register(h, "Qdevice"));
	SAY(votequorum_qdevice_register(h, "Qdevice"));
	SAY(votequorum_qdevice_register(h, "Other"));
	SAY(votequorum_context_set(h, &instance));
	getinfo(h, VOTEQUORUM_QDEVICE_NODEID);
	SAY(votequorum_fd_get(h, &fd));
	SAY(votequorum_trackstart(h, 0, CS_TRACK_CHANGES));
	await_recs(h, 2, 5000);
	SAY(votequorum_qdevice_master_wins(h, "Other", 0));
	SAY(votequorum_qdevice_master_wins(h, "Qdevice", 0));
	note("# poll with the ring of the last nodelist");
	ring = last_ring();
	old = ring;
	old.seq--;
	SAY(votequorum_qdevice_poll(h, "Qdevice", 1, old));
	old = ring;
	old.nodeid++;
	SAY(votequorum_qdevice_poll(h, "Qdevice", 1, old));
	SAY(votequorum_qdevice_poll(h, "Other", 1, old));
	SAY(votequorum_qdevice_poll(h, "Other", 1, ring));
	SAY(votequorum_qdevice_poll(h, "Qdevice", 1, ring));
	getinfo(h, 0);
	step("peer");
	note("# a membership change waits for a poll with the new ring");
	/* a fresh poll: the device must still be alive (10 s) when node 3 is gone */
	SAY(votequorum_qdevice_poll(h, "Qdevice", 1, ring));
	step("kill 3");
	await_recs(h, 1, 15000);
	linger(h, 1000);
	SAY(votequorum_qdevice_poll(h, "Qdevice", 1, ring));
	SAY(votequorum_qdevice_poll(h, "Qdevice", 1, last_ring()));
	await_recs(h, 1, 5000);
	getinfo(h, 0);
	note("# update, a poll that withdraws the vote, master_wins on");
	SAY(votequorum_qdevice_update(h, "Qdevice", "Q2"));
	/* corosync renames on delivery, after the reply: the announcement of a
	 * later setexpected says the rename is done (migration guide) */
	SAY(votequorum_setexpected(h, 3));
	await_recs(h, 1, 5000);
	SAY(votequorum_qdevice_update(h, "Qdevice", "Q3"));
	SAY(votequorum_qdevice_poll(h, "Qdevice", 0, last_ring()));
	SAY(votequorum_qdevice_poll(h, "Q2", 0, last_ring()));
	SAY(votequorum_qdevice_master_wins(h, "Q2", 1));
	getinfo(h, 0);
	note("# exit: unregister, trackstop, finalize");
	SAY(votequorum_qdevice_unregister(h, "Qdevice"));
	SAY(votequorum_qdevice_unregister(h, "Q2"));
	SAY(votequorum_qdevice_unregister(h, "Q2"));
	/* corosync wipes the name on delivery of the unregister: wait for that */
	SAY(votequorum_setexpected(h, 3));
	await_recs(h, 1, 5000);
	getinfo(h, 0);
	SAY(votequorum_trackstop(h));
	SAY(votequorum_finalize(h));
	return 0;
}

static int qpeer(void)
{
	votequorum_handle_t h;

	note("# node 2 while node 1's device is registered");
	SAY(votequorum_initialize(&h, &recording_callbacks));
	getinfo(h, 0);
	getinfo(h, 1);
	SAY(votequorum_qdevice_unregister(h, "Qdevice"));
	SAY(votequorum_qdevice_register(h, "Other"));
	SAY(votequorum_qdevice_register(h, "Qdevice"));
	getinfo(h, 0);
	SAY(votequorum_qdevice_unregister(h, "Qdevice"));
	getinfo(h, 0);
	SAY(votequorum_finalize(h));
	return 0;
}

/* ---- settle ---- */

static int settle(uint32_t members)
{
	votequorum_handle_t h;
	int tries = 0;

	while (votequorum_initialize(&h, &recording_callbacks) != CS_OK) {
		if (++tries == 200)
			return 1;
		usleep(100000);
	}
	if (votequorum_trackstart(h, 0, CS_TRACK_CHANGES) != CS_OK ||
	    !await_view(h, members, 30000))
		return 1;
	/* a second of quiet: no view change still under way */
	for (int i = 0; i < 30; i++) {
		if (!await_recs(h, 1, 1000)) {
			votequorum_finalize(h);
			return 0;
		}
	}
	return 1;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	signal(SIGPIPE, SIG_IGN);
	alarm(200);	/* a hang is a failure, not a stuck suite (the script gives up at 240 s) */
	if (strcmp(what, "settle") == 0 && argc == 3)
		return settle((uint32_t)strtoul(argv[2], NULL, 10));
	if (strcmp(what, "api") == 0)
		return api();
	if (strcmp(what, "track") == 0)
		return track();
	if (strcmp(what, "victim") == 0)
		return victim();
	if (strcmp(what, "qdevice") == 0)
		return qdevice();
	if (strcmp(what, "qpeer") == 0)
		return qpeer();
	fprintf(stderr, "usage: vq-compat settle N | api | track | victim | qdevice | qpeer\n");
	return 2;
}
