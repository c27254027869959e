/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TEST FIXTURE: one engine node (engine/node + engine/ctl + a segment) on a
 * libqb loop, with a single-node loopback transport that delivers every
 * message back to the sender in send order. It installs real one-node
 * views (sync_init, sync_process, sync_activate), so clients see what a
 * one-node cluster would show. Not a membership layer.
 */
#ifndef TALLY_TEST_VQ_HOST_H
#define TALLY_TEST_VQ_HOST_H

#include <stdint.h>

#include <qb/qbloop.h>

struct vq_host;
struct tally_node;

/* corosync.conf text, the local node id, the TALLY_INSTANCE name. */
struct vq_host *vq_host_create(const char *conf, uint32_t nodeid, const char *instance,
			       qb_loop_t *loop, char *err, size_t errlen);
void vq_host_destroy(struct vq_host *h);
/* Install the next one-node view (ring seq + 4) and run its sync round. */
void vq_host_view(struct vq_host *h);
struct tally_node *vq_host_node(struct vq_host *h);

#endif
