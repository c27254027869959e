/* SPDX-License-Identifier: BSD-3-Clause */
/* engine.* keys -> struct tally_dp_cfg -> EAL argv. No DPDK here, so unit tests need no EAL. */
#include "dp/dp.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int bad(const struct tally_cmap *map, const char *key, char *err, size_t errlen,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int bad(const struct tally_cmap *map, const char *key, char *err, size_t errlen,
	       const char *fmt, ...)
{
	const char *origin = tally_cmap_origin(map, key);
	va_list ap;
	int off;

	if (err != NULL && errlen > 0) {
		off = snprintf(err, errlen, "%s%s%s: ", origin ? origin : "", origin ? ": " : "",
			       key);
		if (off >= 0 && (size_t)off < errlen) {
			va_start(ap, fmt);
			vsnprintf(err + off, errlen - (size_t)off, fmt, ap);
			va_end(ap);
		}
	}
	return -EINVAL;
}

static int get_u32(const struct tally_cmap *map, const char *key, uint32_t lo, uint32_t hi,
		   uint32_t *out, char *err, size_t errlen)
{
	uint32_t v;
	int rc = tally_cmap_get_u32(map, key, &v);

	if (rc == -ENOENT)
		return 0;
	if (rc != 0 || v < lo || v > hi)
		return bad(map, key, err, errlen, "must be a number from %u to %u", lo, hi);
	*out = v;
	return 0;
}

static int get_str(const struct tally_cmap *map, const char *key, char *out, size_t size, char *err,
		   size_t errlen)
{
	const char *v = tally_cmap_get(map, key);

	if (v == NULL)
		return 0;
	if (strlen(v) >= size)
		return bad(map, key, err, errlen, "longer than %zu characters", size - 1);
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

static const char *const idle_names[TALLY_DP_IDLE_COUNT] = {
	[TALLY_DP_IDLE_BUSY] = "busy",
	[TALLY_DP_IDLE_ADAPTIVE] = "adaptive",
	[TALLY_DP_IDLE_EVENT] = "event",
};

const char *tally_dp_idle_name(enum tally_dp_idle idle)
{
	return (unsigned)idle < TALLY_DP_IDLE_COUNT ? idle_names[idle] : "?";
}

int tally_dp_cfg_from_cmap(struct tally_dp_cfg *cfg, const struct tally_cmap *map, char *err,
			   size_t errlen)
{
	static const uint8_t group[TALLY_ETH_ADDR_LEN] = {0x03, 0x74, 0x6c, 0x79, 0x00, 0x00};
	const char *v;
	int rc = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->idle = TALLY_DP_IDLE_ADAPTIVE;
	cfg->idle_spin_us = 200;
	cfg->idle_sleep_us = 50;
	/* 2047 mbufs need -m 16 without hugepages (PLATFORM.md §1); 32 leaves room. */
	cfg->mbufs = 2047;
	cfg->memory_mb = 32;
	memcpy(cfg->group, group, sizeof(group));

	rc = rc ? rc : get_u32(map, "engine.lcore", 0, 1023, &cfg->lcore, err, errlen);
	rc = rc ? rc
		: get_u32(map, "engine.idle_spin_us", 0, 1000000, &cfg->idle_spin_us, err, errlen);
	rc = rc ? rc
		: get_u32(map, "engine.idle_sleep_us", 1, 1000000, &cfg->idle_sleep_us, err,
			  errlen);
	rc = rc ? rc : get_u32(map, "engine.mbufs", 255, 1u << 20, &cfg->mbufs, err, errlen);
	rc = rc ? rc : get_u32(map, "engine.memory", 8, 1u << 16, &cfg->memory_mb, err, errlen);
	rc = rc ? rc : get_str(map, "engine.port", cfg->port, sizeof(cfg->port), err, errlen);
	rc = rc ? rc
		: get_str(map, "engine.eal_args", cfg->eal_args, sizeof(cfg->eal_args), err,
			  errlen);
	rc = rc ? rc : get_str(map, "engine.cpus", cfg->cpus, sizeof(cfg->cpus), err, errlen);
	if (rc != 0)
		return rc;
	if (cfg->cpus[0] != '\0' && (strspn(cfg->cpus, "0123456789,-") != strlen(cfg->cpus) ||
				     !isdigit((unsigned char)cfg->cpus[0])))
		return bad(map, "engine.cpus", err, errlen, "must be a CPU list like 0-1 or 2,4");
	v = tally_cmap_get(map, "engine.idle");
	if (v != NULL) {
		cfg->idle = TALLY_DP_IDLE_COUNT;
		for (int i = 0; i < TALLY_DP_IDLE_COUNT; i++)
			if (strcmp(v, idle_names[i]) == 0)
				cfg->idle = (enum tally_dp_idle)i;
		if (cfg->idle == TALLY_DP_IDLE_COUNT)
			return bad(map, "engine.idle", err, errlen,
				   "must be busy, adaptive or event");
	}
	v = tally_cmap_get(map, "engine.multicast");
	if (v != NULL && (tally_eth_parse_addr(v, cfg->group) != 0 || (cfg->group[0] & 1) == 0))
		return bad(map, "engine.multicast", err, errlen,
			   "must be a multicast address like 03:74:6c:79:00:00");
	return 0;
}

/* Virtual devices are named by driver (net_af_packet0, net_memif0, eth_...). */
static bool is_vdev(const char *port)
{
	return strncmp(port, "net_", 4) == 0 || strncmp(port, "eth_", 4) == 0;
}

static void push(struct tally_dp_eal_argv *a, const char *w)
{
	a->argv[a->argc++] = (char *)w;
}

int tally_dp_eal_argv(struct tally_dp_eal_argv *a, const struct tally_dp_cfg *cfg, const char *prog)
{
	char *save = NULL;

	memset(a, 0, sizeof(*a));
	snprintf(a->mem, sizeof(a->mem), "%u", cfg->memory_mb);
	/* A CPU set lets the kernel move the lcore when its CPU is taken (shared hosts). */
	if (cfg->cpus[0] != '\0')
		snprintf(a->lcore, sizeof(a->lcore), "--lcores=%u@(%s)", cfg->lcore, cfg->cpus);
	else
		snprintf(a->lcore, sizeof(a->lcore), "%u", cfg->lcore);
	push(a, prog ? prog : "tally");
	/* PLATFORM.md §1: no hugepages here, and several engines per host. */
	push(a, "--no-huge");
	push(a, "-m");
	push(a, a->mem);
	push(a, "--no-shconf");
	push(a, "--no-telemetry");
	push(a, "--log-level=*:notice");
	if (cfg->cpus[0] == '\0')
		push(a, "-l");
	push(a, a->lcore);
	if (cfg->port[0] != '\0' && !is_vdev(cfg->port)) {
		push(a, "-a");
		push(a, cfg->port);
	} else {
		/* Otherwise the EAL probes the virtio NIC behind the host's eth0. */
		push(a, "--no-pci");
		if (cfg->port[0] != '\0') {
			snprintf(a->dev, sizeof(a->dev), "--vdev=%s", cfg->port);
			push(a, a->dev);
		}
	}
	memcpy(a->words, cfg->eal_args, sizeof(a->words));
	for (char *w = strtok_r(a->words, " \t", &save); w != NULL;
	     w = strtok_r(NULL, " \t", &save)) {
		if (a->argc == TALLY_DP_EAL_ARGV_MAX)
			return -E2BIG;
		push(a, w);
	}
	a->argv[a->argc] = NULL;
	return 0;
}
