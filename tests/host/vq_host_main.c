/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TEST FIXTURE: vq-host CONF NODEID INSTANCE — serve one loopback engine
 * node until SIGTERM; SIGUSR1 installs the next one-node view. Prints
 * "ready" on stdout once clients can connect.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <qb/qblog.h>

#include "conf/conf.h"
#include "vq_host.h"

static qb_loop_t *loop;
static struct vq_host *host;

static int32_t on_term(int32_t sig, void *data)
{
	qb_loop_stop(loop);
	return 0;
}

static int32_t on_usr1(int32_t sig, void *data)
{
	vq_host_view(host);
	return 0;
}

int main(int argc, char **argv)
{
	qb_loop_signal_handle sh;
	char err[512], *conf;
	size_t len;

	if (argc != 4) {
		fprintf(stderr, "usage: vq-host CONF NODEID INSTANCE\n");
		return 2;
	}
	conf = tally_conf_read_file(argv[1], TALLY_CONF_MAX_BYTES, &len);
	if (conf == NULL) {
		perror(argv[1]);
		return 2;
	}
	qb_log_init("vq-host", LOG_USER, LOG_ERR);
	qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
	signal(SIGPIPE, SIG_IGN);
	loop = qb_loop_create();
	host = vq_host_create(conf, (uint32_t)strtoul(argv[2], NULL, 0), argv[3], loop, err,
			      sizeof(err));
	free(conf);
	if (host == NULL) {
		fprintf(stderr, "vq-host: %s\n", err);
		return 1;
	}
	qb_loop_signal_add(loop, QB_LOOP_HIGH, SIGTERM, NULL, on_term, &sh);
	qb_loop_signal_add(loop, QB_LOOP_HIGH, SIGINT, NULL, on_term, &sh);
	qb_loop_signal_add(loop, QB_LOOP_HIGH, SIGUSR1, NULL, on_usr1, &sh);
	printf("ready\n");
	fflush(stdout);
	qb_loop_run(loop);
	vq_host_destroy(host);
	qb_loop_destroy(loop);
	return 0;
}
