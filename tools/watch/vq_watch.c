/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vq-watch: an unchanged votequorum client that prints every callback with
 * the wall-clock time it ran, for failover measurements (tally-bench) and
 * for people watching a cluster. Only the public API: it runs against
 * corosync's libvotequorum as well as ours.
 *
 *   vq-watch [--spin] [--count N]
 *
 *   <ns> ready nodeid=<id>
 *   <ns> nodelist ring=<nodeid>.<seq> members=<id>,<id>,...
 *   <ns> quorum quorate=<0|1> nodes=<id>:<state>,...
 *
 * <ns> is CLOCK_REALTIME in nanoseconds (one clock for every namespace of a
 * host, so a fault injector can subtract). --spin polls dispatch without
 * sleeping (the lowest latency, one busy CPU); the default sleeps in poll()
 * on votequorum_fd_get's descriptor, as most applications do.
 * Exit: 0 after N callbacks, 1 when the library reports an error (the
 * daemon died: CS_ERR_LIBRARY).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <corosync/votequorum.h>

static long remaining = -1;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void counted(void)
{
	fflush(stdout);
	if (remaining > 0)
		remaining--;
}

static void on_nodelist(votequorum_handle_t h, uint64_t context, votequorum_ring_id_t ring,
			uint32_t n, uint32_t nodes[])
{
	printf("%" PRIu64 " nodelist ring=%" PRIu32 ".%" PRIu64 " members=", now_ns(), ring.nodeid,
	       ring.seq);
	for (uint32_t i = 0; i < n; i++)
		printf("%s%" PRIu32, i ? "," : "", nodes[i]);
	putchar('\n');
	counted();
}

static void on_quorum(votequorum_handle_t h, uint64_t context, uint32_t quorate, uint32_t n,
		      votequorum_node_t nodes[])
{
	printf("%" PRIu64 " quorum quorate=%" PRIu32 " nodes=", now_ns(), quorate);
	for (uint32_t i = 0; i < n; i++)
		printf("%s%" PRIu32 ":%" PRIu32, i ? "," : "", nodes[i].nodeid, nodes[i].state);
	putchar('\n');
	counted();
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "spin", no_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	votequorum_callbacks_t cb = {
		.votequorum_quorum_notify_fn = on_quorum,
		.votequorum_nodelist_notify_fn = on_nodelist,
	};
	struct votequorum_info info;
	votequorum_handle_t h;
	bool spin = false;
	cs_error_t rc;
	int fd, opt;

	while ((opt = getopt_long(argc, argv, "sn:", longopts, NULL)) != -1) {
		if (opt == 's') {
			spin = true;
		} else if (opt == 'n') {
			remaining = strtol(optarg, NULL, 10);
		} else {
			fprintf(stderr, "usage: vq-watch [--spin] [--count N]\n");
			return 2;
		}
	}
	rc = votequorum_initialize(&h, &cb);
	if (rc != CS_OK) {
		fprintf(stderr, "vq-watch: votequorum_initialize: error %d\n", rc);
		return 1;
	}
	/* nodeid 0: the local node */
	rc = votequorum_getinfo(h, 0, &info);
	if (rc == CS_OK)
		rc = votequorum_trackstart(h, 0, CS_TRACK_CHANGES);
	if (rc == CS_OK)
		rc = votequorum_fd_get(h, &fd);
	if (rc != CS_OK) {
		fprintf(stderr, "vq-watch: set-up failed: error %d\n", rc);
		return 1;
	}
	printf("%" PRIu64 " ready nodeid=%" PRIu32 "\n", now_ns(), info.node_id);
	fflush(stdout);
	while (remaining != 0) {
		if (!spin) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, -1) < 0 && errno != EINTR)
				break;
		}
		rc = votequorum_dispatch(h, CS_DISPATCH_ALL);
		if (rc != CS_OK && rc != CS_ERR_TRY_AGAIN) {
			printf("%" PRIu64 " error %d\n", now_ns(), rc);
			fflush(stdout);
			return 1;
		}
	}
	votequorum_finalize(h);
	return 0;
}
