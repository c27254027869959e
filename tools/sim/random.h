/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Random fault schedules for tally-sim --random: each one is written as a
 * scenario in the ordinary language (so a failure can be saved and replayed
 * as a file), with `expect agreement` and `expect single_quorate` after
 * every event.
 */
#ifndef TALLY_SIM_RANDOM_H
#define TALLY_SIM_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Write scenario number `index` of the schedule family seeded by `seed`
 * into buf (NUL-terminated, truncated to len): a cluster of `nodes` (2 up to
 * SIM_MAX_NODES), or of 2..9 drawn nodes when `nodes` is 0. */
void sim_random_scenario(uint64_t seed, uint64_t index, uint32_t nodes, char *buf, size_t len);
/* A churn schedule: crashes, stops and rejoins under real-world timing. */
void sim_churn_scenario(uint64_t seed, uint64_t index, char *buf, size_t len);

#endif
