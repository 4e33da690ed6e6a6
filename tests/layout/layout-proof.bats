# The layout proof proves what it claims: small schema directories with known
# faults must each fail, with the fault named; correct ones must pass.
# shellcheck shell=bash

: "${SCHEMA_LAYOUT:?SCHEMA_LAYOUT must name the schema-layout program}"
: "${LAYOUT_CHECK_LIB:?LAYOUT_CHECK_LIB must name the layout-check library}"

bats_load_library bats-support
bats_load_library bats-assert

PROOF=$BATS_TEST_DIRNAME/layout-proof.sh

header_present() {
        [ -n "${MLX5_IFC_H:-}" ] && [ -r "$MLX5_IFC_H" ] && return 0
        ls /usr/src/linux-headers-*-common/include/linux/mlx5/mlx5_ifc.h >/dev/null 2>&1
}

setup() {
        header_present || skip "no mlx5_ifc.h"
        DIR=$BATS_TEST_TMPDIR/schema
        mkdir -p "$DIR"
}

# prove TEXT: runs the proof on a schema directory holding TEXT as one file
prove() {
        printf '%s\n' "$1" >"$DIR/test.schema"
        run sh "$PROOF" "$SCHEMA_LAYOUT" "$LAYOUT_CHECK_LIB" "$DIR"
}

@test "correct fields are proved" {
        prove 'struct cqc 0x200
  0x000 4  status
  0x068 24 uar_page hex
  0x1c0 64 dbr_addr hex
end'
        assert_success
        assert_line "layout: 3 fields proved, 0 newer, 0 mismatches"
}

@test "a wrong offset fails and is listed" {
        prove 'struct cqc 0x200
  0x004 4  status
end'
        assert_failure
        assert_line "cqc.status: schema 0x4/4, mlx5_ifc.h 0x0/4 (test.schema:2)"
        assert_line "layout: 0 fields proved, 0 newer, 1 mismatches"
}

@test "a wrong width fails" {
        prove 'struct cqc 0x200
  0x068 23 uar_page hex
end'
        assert_failure
        assert_line "cqc.uar_page: schema 0x68/23, mlx5_ifc.h 0x68/24 (test.schema:2)"
}

@test "a wrong struct size fails" {
        prove 'struct cqc 0x220
  0x000 4  status
end'
        assert_failure
        assert_line "cqc: schema size 0x220, mlx5_ifc.h 0x200 (test.schema:1)"
}

@test "a field the header lacks fails unless marked newer" {
        prove 'struct cqc 0x200
  0x004 1  no_such_field
end'
        assert_failure
        assert_line "cqc.no_such_field: schema 0x4/1, not in mlx5_ifc.h (test.schema:2)"

        prove 'struct cqc 0x200
  0x004 1  no_such_field newer
end'
        assert_success
        assert_line "layout: 0 fields proved, 1 newer, 0 mismatches"
}

@test "a field marked newer that the header has fails" {
        prove 'struct cqc 0x200
  0x000 4  status newer
end'
        assert_failure
        assert_line "cqc.status: marked newer, but mlx5_ifc.h has it at 0x0/4 (test.schema:2)"
}

@test "a struct the header lacks fails unless all its fields are newer" {
        prove 'struct no_such_struct 0x20
  0x000 8  a
  0x008 8  b newer
end'
        assert_failure
        assert_line "no_such_struct: no struct mlx5_ifc_no_such_struct_bits in mlx5_ifc.h (test.schema:1)"

        prove 'struct no_such_struct 0x20
  0x000 8  a newer
  0x008 8  b newer
end'
        assert_success
        assert_line "layout: 0 fields proved, 2 newer, 0 mismatches"
}

@test "arrays: element width and count are both checked" {
        prove 'struct per_protocol_networking_offload_caps 0x800
  0x180 32 lro_timer_supported_periods[4]
end'
        assert_success

        prove 'struct per_protocol_networking_offload_caps 0x800
  0x180 64 lro_timer_supported_periods[2]
end'
        assert_failure
        assert_line "per_protocol_networking_offload_caps.lro_timer_supported_periods: schema 0x180/64[2], mlx5_ifc.h 0x180/32[4] (test.schema:2)"
}

@test "a nested struct of another type fails" {
        prove 'struct rx_hash_field_select 0x20
  0x000 1  l3_prot_type
end
struct tirc 0x780
  0x280 32 rx_hash_field_selector_outer struct rx_hash_field_select
end'
        assert_success

        prove 'struct wrong_select 0x20
  0x000 32 x newer
end
struct tirc 0x780
  0x280 32 rx_hash_field_selector_outer struct wrong_select
end'
        assert_failure
        assert_line "tirc.rx_hash_field_selector_outer: schema struct wrong_select, mlx5_ifc.h mlx5_ifc_tirc_bits has another type there (test.schema:5)"
}

# rqt_schema OUTLEN RQ_NUM_LINE: a resource rqt whose one output field, on
# line 10, is RQ_NUM_LINE (the RQ table past rqtc, at output bit 0x880)
rqt_schema() {
        printf '%s\n' 'struct rqtc 0x780' '  0x0b0 16 rqt_max_size' 'end' 'resource rqt' \
                '  query 0x919' '  inlen 0x10' "  outlen $1" '  id 0x48 24' '  context 0x100 rqtc' \
                "  $2" 'end'
}

@test "resource output fields are proved against query_<name>_out or past the context" {
        prove "$(rqt_schema 0x510 '0x880 32 rq_num[256] hex')
struct qpc 0x740
  0x000 4 state
end
resource qp
  query 0x50b
  inlen 0x10
  outlen 0x110
  id 0x48 24
  context 0xc0 qpc
  0x080 32 opt_param_mask hex
end"
        assert_success
        assert_line "layout: 4 fields proved, 0 newer, 0 mismatches"

        prove "$(rqt_schema 0x510 '0x8a0 32 rq_num[255] hex')"
        assert_failure
        assert_line "rqt.rq_num: schema 0x8a0/32[255], mlx5_ifc.h 0x880/32[] (test.schema:10)"
}

@test "a flexible array shown as a scalar fails" {
        prove "$(rqt_schema 0x114 '0x880 32 rq_num hex')"
        assert_failure
        assert_line "rqt.rq_num: schema 0x880/32, mlx5_ifc.h 0x880/32[] (test.schema:10)"
}

@test "without the header the proof skips" {
        prove 'struct cqc 0x200
  0x000 4  status
end'
        assert_success
        MLX5_IFC_H=/nonexistent/mlx5_ifc.h run sh "$PROOF" "$SCHEMA_LAYOUT" "$LAYOUT_CHECK_LIB" "$DIR"
        assert_equal "$status" 77
        assert_output --partial "SKIP"
}
