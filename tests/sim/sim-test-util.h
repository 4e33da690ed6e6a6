/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the simulator tests: the real schema, simulators from a spec,
 * and commands built byte by byte from the PRM tables, so the tests check
 * the firmware against the PRM rather than against its own helpers.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

/* The source tree's schema, loaded once per test program. */
const mlx5_schema *sim_test_schema(void);
mlx5_sim *sim_test_new(const char *spec, unsigned index);

uint32_t sim_test_be32(const uint8_t *p);
uint16_t sim_test_be16(const uint8_t *p);

/* Runs one command; asserts that it was answered and returns its status byte. */
unsigned sim_test_exec(mlx5_sim *sim, const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen);
/* Bit fields the PRM way (bit 0 = MSB of byte 0), written out here rather than borrowed. */
void sim_test_put_bits(uint8_t *buf, uint32_t bit_off, uint32_t width, uint64_t value);
uint64_t sim_test_get_bits(const uint8_t *buf, uint32_t bit_off, uint32_t width);

/* The query of schema resource res for object id (ignored for singletons); out: res->outlen bytes. */
unsigned sim_test_query_resource(mlx5_sim *sim, const mlx5_schema_resource *res, uint32_t id, uint8_t *out);
/* A 16-byte input for opcode/op_mod with a 24-bit object number at byte 9. */
void sim_test_query_in(uint8_t in[16], unsigned opcode, unsigned op_mod, uint32_t id);
/* CREATE_UCTX with these caps; the status, the uid in *ret_uid. */
unsigned sim_test_create_uctx(mlx5_sim *sim, uint32_t cap, unsigned *ret_uid);
/* QUERY_<opcode> of one object with a 24-bit id at byte 9; the status. */
unsigned sim_test_query(mlx5_sim *sim, unsigned opcode, uint32_t id, uint8_t *out, size_t outlen);

/* ACCESS_REG(RESOURCE_DUMP): one full dump, walked 208 bytes at a time. */
typedef struct {
        unsigned segment_type;
        uint32_t index1, index2;
        unsigned num_of_obj1, num_of_obj2;
        unsigned uid;                   /* the header's user context */
        bool vhca_id_valid;
        unsigned vhca_id;
} sim_test_dump_request;

#define SIM_TEST_REG_MBOX_LEN (16 + 256)

/* The first ACCESS_REG(RESOURCE_DUMP) input of req, inline, op_mod 1 (read) or 0 (write). */
void sim_test_dump_in(uint8_t in[SIM_TEST_REG_MBOX_LEN], unsigned op_mod, const sim_test_dump_request *req);
/* The status of the first call of req (0: the dump started); its syndrome in *ret_syndrome. */
unsigned sim_test_dump_status(mlx5_sim *sim, const sim_test_dump_request *req, uint32_t *ret_syndrome);
/* The concatenated stream; asserts every answer is OK and in sequence. */
GByteArray *sim_test_dump(mlx5_sim *sim, const sim_test_dump_request *req, unsigned *ret_calls);
/* The same, calling between(data) before each call after the first. */
GByteArray *sim_test_dump_with(mlx5_sim *sim, const sim_test_dump_request *req, unsigned *ret_calls,
                               void (*between)(void *data), void *data);

/* One segment of a dump stream, pointing into it. */
typedef struct {
        unsigned type;
        const uint8_t *data;
        size_t len;
} sim_test_segment;

/* Splits a stream into sim_test_segment; asserts info, command first and terminate last, nothing after. */
GArray *sim_test_split(const GByteArray *stream);
/* The segment type the menu gives name, or -1. */
int sim_test_menu_lookup(mlx5_sim *sim, const char *name);

/* Fails the test unless parsing text is refused with a message naming needle. */
void sim_test_expect_spec_error(const char *text, const char *needle);
