/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * engine { } keys for the datapath: defaults that start without hugepages,
 * every key read, and bad values refused with the key and file:line named.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "dp/dp.h"

static int load(struct tally_dp_cfg *cfg, const char *text, char *err, size_t errlen)
{
	struct tally_cmap *map = tally_cmap_new();
	int rc;

	CHECK(map != NULL);
	CHECK_EQ(tally_cmap_parse(map, text, strlen(text), "t.conf", err, errlen), 0);
	rc = tally_dp_cfg_from_cmap(cfg, map, err, errlen);
	tally_cmap_free(map);
	return rc;
}

static void bad_values_name_the_key_and_line(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"engine {\n idle: lazy\n}\n", "t.conf:2: engine.idle: must be busy, adaptive or event"},
		{"engine {\n lcore: 1024\n}\n",
		 "t.conf:2: engine.lcore: must be a number from 0 to 1023"},
		{"engine {\n lcore: -1\n}\n", "engine.lcore"},
		{"engine {\n idle_sleep_us: 0\n}\n", "engine.idle_sleep_us"},
		{"engine {\n mbufs: 100\n}\n", "engine.mbufs"},
		{"engine {\n memory: 4\n}\n", "engine.memory"},
		{"engine {\n multicast: 02:00:00:00:00:01\n}\n",
		 "engine.multicast: must be a multicast"},
		{"engine {\n multicast: 03:00:00\n}\n", "engine.multicast"},
	};
	struct tally_dp_cfg cfg;
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CHECK_EQ(load(&cfg, cases[i].text, err, sizeof(err)), -EINVAL);
		if (strstr(err, cases[i].want) == NULL) {
			fprintf(stderr, "case %zu: '%s' lacks '%s'\n", i, err, cases[i].want);
			check_failures++;
		}
	}
}

static void a_port_longer_than_the_buffer_is_refused(void)
{
	char text[TALLY_DP_PORT_MAX + 64], err[256];
	struct tally_dp_cfg cfg;

	strcpy(text, "engine {\n port: ");
	memset(text + strlen(text), 'x', TALLY_DP_PORT_MAX);
	strcpy(text + strlen("engine {\n port: ") + TALLY_DP_PORT_MAX, "\n}\n");
	CHECK_EQ(load(&cfg, text, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "engine.port: longer than") != NULL);
}

static void defaults_start_without_hugepages(void)
{
	static const uint8_t group[6] = {0x03, 0x74, 0x6c, 0x79, 0, 0};
	struct tally_dp_cfg cfg;
	char err[64];

	CHECK_EQ(load(&cfg, "totem {\n cluster_name: x\n}\n", err, sizeof(err)), 0);
	CHECK_EQ(cfg.lcore, 0);
	CHECK_EQ(cfg.idle, TALLY_DP_IDLE_ADAPTIVE);
	CHECK_EQ(cfg.idle_spin_us, 200);
	CHECK_EQ(cfg.idle_sleep_us, 50);
	CHECK_EQ(cfg.mbufs, 2047);
	CHECK_EQ(cfg.memory_mb, 32);
	CHECK(cfg.port[0] == '\0' && cfg.eal_args[0] == '\0');
	CHECK(memcmp(cfg.group, group, 6) == 0);
}

static void every_key_is_read(void)
{
	static const uint8_t group[6] = {0x03, 0, 0, 0, 0, 0x01};
	struct tally_dp_cfg cfg;
	char err[64];

	CHECK_EQ(load(&cfg,
		      "engine {\n lcore: 1\n port: net_af_packet0,iface=veth0\n idle: busy\n"
		      " idle_spin_us: 0\n idle_sleep_us: 1000\n mbufs: 4095\n memory: 64\n"
		      " multicast: 03:00:00:00:00:01\n eal_args: --log-level=*:debug -n 2\n}\n",
		      err, sizeof(err)),
		 0);
	CHECK_EQ(cfg.lcore, 1);
	CHECK(strcmp(cfg.port, "net_af_packet0,iface=veth0") == 0);
	CHECK_EQ(cfg.idle, TALLY_DP_IDLE_BUSY);
	CHECK_EQ(cfg.idle_spin_us, 0);
	CHECK_EQ(cfg.idle_sleep_us, 1000);
	CHECK_EQ(cfg.mbufs, 4095);
	CHECK_EQ(cfg.memory_mb, 64);
	CHECK(memcmp(cfg.group, group, 6) == 0);
	CHECK(strcmp(cfg.eal_args, "--log-level=*:debug -n 2") == 0);
	CHECK_EQ(load(&cfg, "engine {\n idle: event\n}\n", err, sizeof(err)), 0);
	CHECK_EQ(cfg.idle, TALLY_DP_IDLE_EVENT);
	CHECK(strcmp(tally_dp_idle_name(cfg.idle), "event") == 0);
}

static char *joined(const struct tally_dp_eal_argv *a)
{
	static char buf[2048];

	buf[0] = '\0';
	for (int i = 0; i < a->argc; i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, a->argv[i]);
	}
	CHECK(a->argv[a->argc] == NULL);
	return buf;
}

static void eal_args_refuse_too_many_words(void)
{
	struct tally_dp_eal_argv a;
	struct tally_dp_cfg cfg;
	char err[64];

	CHECK_EQ(load(&cfg, "engine {\n port: net_null0\n}\n", err, sizeof(err)), 0);
	memset(cfg.eal_args, 0, sizeof(cfg.eal_args));
	for (int i = 0; i < TALLY_DP_EAL_ARGV_MAX; i++)
		strcat(cfg.eal_args, "-v ");
	CHECK_EQ(tally_dp_eal_argv(&a, &cfg, "p"), -E2BIG);
}

static void eal_args_for_a_virtual_port(void)
{
	struct tally_dp_eal_argv a;
	struct tally_dp_cfg cfg;
	char err[64];

	CHECK_EQ(load(&cfg,
		      "engine {\n lcore: 1\n memory: 64\n port: net_af_packet0,iface=veth0\n"
		      " eal_args: --log-level=pmd.*:debug \t -n 2\n}\n",
		      err, sizeof(err)),
		 0);
	CHECK_EQ(tally_dp_eal_argv(&a, &cfg, "prog"), 0);
	CHECK(strcmp(joined(&a),
		     "prog --no-huge -m 64 --no-shconf --no-telemetry "
		     "--log-level=*:notice -l 1 --no-pci "
		     "--vdev=net_af_packet0,iface=veth0 --log-level=pmd.*:debug -n 2") == 0);
}

static void eal_args_for_a_pci_nic_and_for_no_port(void)
{
	struct tally_dp_eal_argv a;
	struct tally_dp_cfg cfg;
	char err[64];

	CHECK_EQ(load(&cfg, "engine {\n port: 0000:03:00.0,rxq=1\n}\n", err, sizeof(err)), 0);
	CHECK_EQ(tally_dp_eal_argv(&a, &cfg, NULL), 0);
	/* Only that device is probed, and --no-pci would forbid it. */
	CHECK(strcmp(joined(&a), "tally --no-huge -m 32 --no-shconf --no-telemetry "
				 "--log-level=*:notice -l 0 -a 0000:03:00.0,rxq=1") == 0);
	CHECK_EQ(load(&cfg, "engine {\n lcore: 0\n}\n", err, sizeof(err)), 0);
	CHECK_EQ(tally_dp_eal_argv(&a, &cfg, "p"), 0);
	CHECK(strcmp(joined(&a), "p --no-huge -m 32 --no-shconf --no-telemetry "
				 "--log-level=*:notice -l 0 --no-pci") == 0);
}

int main(void)
{
	RUN(bad_values_name_the_key_and_line);
	RUN(a_port_longer_than_the_buffer_is_refused);
	RUN(defaults_start_without_hugepages);
	RUN(every_key_is_read);
	RUN(eal_args_refuse_too_many_words);
	RUN(eal_args_for_a_virtual_port);
	RUN(eal_args_for_a_pci_nic_and_for_no_port);
	return CHECK_EXIT();
}
