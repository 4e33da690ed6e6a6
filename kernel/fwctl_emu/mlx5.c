// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctl_emu's mlx5 driver (TEST ONLY): binds mlx5ctl_emu's
 * "mlx5ctl_emu.fwctl.<index>" auxiliary devices and behaves as
 * drivers/fwctl/mlx5 does: each open file is a firmware user context, and
 * an RPC reaches firmware only if its opcode is allowed at the scope the
 * caller claims, and then under that context's uid whatever the caller
 * wrote there.  Firmware is mlx5ctl_emu's: the same userspace process that
 * answers the mlx5ctl nodes.
 */
#include <linux/auxiliary_bus.h>
#include <linux/build_bug.h>
#include <linux/mlx5/device.h>
#include <linux/mlx5/mlx5_ifc.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <uapi/fwctl/mlx5.h>

#include "fwctl_emu.h"
#include "mlx5ctl_emu_fw.h"

static unsigned int refuse_opcode;
module_param(refuse_opcode, uint, 0644);
MODULE_PARM_DESC(refuse_opcode,
		 "An opcode to refuse at every scope besides the allow-list's, 0 for none (tests)");

/* Not in Debian 6.1's mlx5_ifc.h. */
#define FWCTL_EMU_UCTX_CAP_TOOLS_RESOURCES BIT(2)
#define FWCTL_EMU_OP_ACCESS_REGISTER_USER 0xb0c

/* The header every command inbox / outbox starts with. */
struct mlx5_ifc_fwctl_emu_in_hdr_bits {
	u8 opcode[0x10];
	u8 uid[0x10];
	u8 reserved_at_20[0x10];
	u8 op_mod[0x10];
	u8 reserved_at_40[0x40];
};

struct mlx5_ifc_fwctl_emu_out_hdr_bits {
	u8 status[0x8];
	u8 reserved_at_8[0x18];
	u8 syndrome[0x20];
	u8 reserved_at_40[0x40];
};

struct fwctl_emu_mlx5_dev {
	struct fwctl_emu_device *fwctl;
	u32 index;		/* the emulated function's */
	u32 dev_uctx_cap;
};

struct fwctl_emu_mlx5_uctx {
	struct fwctl_emu_uctx uctx;	/* first: the core allocates and frees it */
	u16 uid;
	u32 caps;
};

/*
 * The lowest scope at which each opcode is allowed: the allow-list of
 * drivers/fwctl/mlx5/main.c in Linux 6.15, and the four opcodes 6.18
 * added (marked).  ACCESS_REG and ACCESS_REGISTER_USER depend on op_mod
 * and are decided in fwctl_emu_mlx5_allowed().  Anything else, and every
 * command that creates an object, is refused.
 */
static const struct {
	u16 opcode;
	u8 scope;
} fwctl_emu_mlx5_allow[] = {
	{ 0xb2e, FWCTL_RPC_CONFIGURATION },	/* POSTPONE_CONNECTED_QP_TIMEOUT */
	{ 0x101, FWCTL_RPC_CONFIGURATION },	/* QUERY_ADAPTER */
	{ 0x740, FWCTL_RPC_CONFIGURATION },	/* QUERY_ESW_FUNCTIONS */
	{ 0x100, FWCTL_RPC_CONFIGURATION },	/* QUERY_HCA_CAP */
	{ 0x762, FWCTL_RPC_CONFIGURATION },	/* QUERY_HCA_VPORT_CONTEXT */
	{ 0x10e, FWCTL_RPC_CONFIGURATION },	/* QUERY_OTHER_HCA_CAP */
	{ 0x760, FWCTL_RPC_CONFIGURATION },	/* QUERY_ROCE_ADDRESS */
	{ 0xb22, FWCTL_RPC_CONFIGURATION },	/* QUERY_VUID */
	{ 0x109, FWCTL_RPC_CONFIGURATION },	/* SET_HCA_CAP */
	{ 0x823, FWCTL_RPC_CONFIGURATION },	/* MODIFY_CONG_STATUS (6.18) */
	{ 0x731, FWCTL_RPC_CONFIGURATION },	/* DELEGATE_VHCA_MANAGEMENT (6.18) */
	{ 0x964, FWCTL_RPC_DEBUG_READ_ONLY },	/* FPGA_QUERY_QP_COUNTERS */
	{ 0x962, FWCTL_RPC_DEBUG_READ_ONLY },	/* FPGA_QUERY_QP */
	{ 0x80d, FWCTL_RPC_DEBUG_READ_ONLY },	/* NOP */
	{ 0x971, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_AFU */
	{ 0x813, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_BURST_SIZE */
	{ 0x981, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_CAPI_PEC */
	{ 0x824, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_CONG_PARAMS */
	{ 0x826, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_CONG_STATISTICS */
	{ 0x822, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_CONG_STATUS */
	{ 0x402, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_CQ */
	{ 0xb14, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_CRYPTO_STATE */
	{ 0x716, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_DC_CNAK_TRACE */
	{ 0x713, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_DCT */
	{ 0x911, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_DELAY_DROP_PARAMS */
	{ 0x821, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_DIAGNOSTIC_COUNTERS */
	{ 0x819, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_DIAGNOSTIC_PARAMS */
	{ 0xb28, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_DPA_PARTITION */
	{ 0xb2a, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_DPA_PARTITIONS */
	{ 0x10c, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_DRIVER_VERSION */
	{ 0xb03, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_EMULATED_FUNCTIONS_INFO */
	{ 0xb2f, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_EMULATED_RESOURCES_INFO */
	{ 0xb0f, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_EMULATION_DEVICE_EQ_MSIX_MAPPING */
	{ 0x303, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_EQ */
	{ 0x752, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_ESW_VPORT_CONTEXT */
	{ 0x93b, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_FLOW_COUNTER */
	{ 0x935, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_FLOW_GROUP */
	{ 0x937, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_FLOW_TABLE_ENTRY */
	{ 0x932, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_FLOW_TABLE */
	{ 0xa02, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_GENERAL_OBJECT */
	{ 0x764, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_HCA_VPORT_GID */
	{ 0x765, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_HCA_VPORT_PKEY */
	{ 0x10a, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_ISSI */
	{ 0x82a, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_L2_TABLE_ENTRY */
	{ 0x842, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_LAG */
	{ 0x80b, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_MAD_DEMUX */
	{ 0xb13, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_MATCH_SAMPLE_INFO */
	{ 0x201, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_MKEY */
	{ 0x942, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_MODIFY_HEADER_CONTEXT */
	{ 0x8001, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_MTT */
	{ 0x754, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_NIC_VPORT_CONTEXT */
	{ 0x722, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_NVMF_BACKEND_CONTROLLER */
	{ 0xb02, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_NVMF_CC_RESPONSE */
	{ 0x728, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_NVMF_NAMESPACE_CONTEXT */
	{ 0x93f, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_PACKET_REFORMAT_CONTEXT */
	{ 0x107, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_PAGES */
	{ 0x602, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_PSV */
	{ 0x773, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_Q_COUNTER */
	{ 0x50b, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_QP */
	{ 0x781, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_RATE_LIMIT */
	{ 0x512, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_RDB */
	{ 0xb05, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_REGEXP_PARAMS */
	{ 0xb07, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_REGEXP_REGISTER */
	{ 0x90f, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_RMP */
	{ 0x90b, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_RQ */
	{ 0x919, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_RQT */
	{ 0x8000, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_RSV_RESOURCES */
	{ 0x8006, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_SCHED_QUEUE */
	{ 0x784, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_SCHEDULING_ELEMENT */
	{ 0x111, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_SF_PARTITION */
	{ 0x203, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_SPECIAL_CONTEXTS */
	{ 0x907, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_SQ */
	{ 0x702, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_SRQ */
	{ 0x903, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_TIR */
	{ 0x915, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_TIS */
	{ 0xa05, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_UCTX */
	{ 0xa09, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_UMEM */
	{ 0x117, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_VHCA_MIGRATION_STATE */
	{ 0xb0d, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_VHCA_STATE */
	{ 0x76f, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_VNIC_ENV */
	{ 0x770, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_VPORT_COUNTER */
	{ 0x750, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_VPORT_STATE */
	{ 0x831, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_WOL_ROL */
	{ 0x707, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_XRC_SRQ */
	{ 0x725, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_XRQ_DC_PARAMS_ENTRY */
	{ 0x727, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_XRQ_ERROR_PARAMS */
	{ 0x719, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_XRQ */
	{ 0xb08, FWCTL_RPC_DEBUG_READ_ONLY },	/* USER_QUERY_XRQ_DC_PARAMS_ENTRY */
	{ 0xb0a, FWCTL_RPC_DEBUG_READ_ONLY },	/* USER_QUERY_XRQ_ERROR_PARAMS */
	{ 0x730, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_ADJACENT_FUNCTIONS_ID (6.18) */
	{ 0x732, FWCTL_RPC_DEBUG_READ_ONLY },	/* QUERY_DELEGATED_VHCA (6.18) */
	{ 0x820, FWCTL_RPC_DEBUG_WRITE },	/* SET_DIAGNOSTIC_PARAMS */
};

static bool fwctl_emu_mlx5_allowed(const void *in, enum fwctl_rpc_scope scope)
{
	u16 opcode = MLX5_GET(fwctl_emu_in_hdr, in, opcode);
	unsigned int refused = READ_ONCE(refuse_opcode);
	size_t i;

	if (refused && opcode == refused)
		return false;
	switch (opcode) {
	case MLX5_CMD_OP_ACCESS_REG:
	case FWCTL_EMU_OP_ACCESS_REGISTER_USER:
		/* op_mod 0 writes a register, which fwctl leaves to firmware's policy. */
		return MLX5_GET(fwctl_emu_in_hdr, in, op_mod) == 0 ||
		       scope >= FWCTL_RPC_DEBUG_READ_ONLY;
	}
	for (i = 0; i < ARRAY_SIZE(fwctl_emu_mlx5_allow); i++)
		if (fwctl_emu_mlx5_allow[i].opcode == opcode)
			return scope >= fwctl_emu_mlx5_allow[i].scope;
	return false;
}

/* A command of the driver's own: 0, -EIO when firmware refused it, or the channel's error. */
static int fwctl_emu_mlx5_cmd(struct fwctl_emu_mlx5_dev *mdev, void *in, int inlen,
			      void *out, int outlen)
{
	int err = mlx5ctl_emu_channel_exec(mdev->index, in, inlen, out, outlen);

	if (!err && MLX5_GET(fwctl_emu_out_hdr, out, status))
		err = -EIO;
	return err;
}

static int fwctl_emu_mlx5_open_uctx(struct fwctl_emu_uctx *uctx)
{
	struct fwctl_emu_mlx5_uctx *mctx = container_of(uctx, struct fwctl_emu_mlx5_uctx, uctx);
	struct fwctl_emu_mlx5_dev *mdev = uctx->fwctl->priv;
	u32 out[MLX5_ST_SZ_DW(create_uctx_out)] = {};
	u32 in[MLX5_ST_SZ_DW(create_uctx_in)] = {};
	int err;

	/* As fwctl/mlx5: tools resources when firmware has them, nothing more. */
	mctx->caps = mdev->dev_uctx_cap & FWCTL_EMU_UCTX_CAP_TOOLS_RESOURCES;
	MLX5_SET(create_uctx_in, in, opcode, MLX5_CMD_OP_CREATE_UCTX);
	MLX5_SET(create_uctx_in, in, uctx.cap, mctx->caps);
	err = fwctl_emu_mlx5_cmd(mdev, in, sizeof(in), out, sizeof(out));
	if (err)
		return err;
	mctx->uid = MLX5_GET(create_uctx_out, out, uid);
	return 0;
}

static void fwctl_emu_mlx5_close_uctx(struct fwctl_emu_uctx *uctx)
{
	struct fwctl_emu_mlx5_uctx *mctx = container_of(uctx, struct fwctl_emu_mlx5_uctx, uctx);
	struct fwctl_emu_mlx5_dev *mdev = uctx->fwctl->priv;
	u32 out[MLX5_ST_SZ_DW(destroy_uctx_out)] = {};
	u32 in[MLX5_ST_SZ_DW(destroy_uctx_in)] = {};
	int err;

	MLX5_SET(destroy_uctx_in, in, opcode, MLX5_CMD_OP_DESTROY_UCTX);
	MLX5_SET(destroy_uctx_in, in, uid, mctx->uid);
	err = fwctl_emu_mlx5_cmd(mdev, in, sizeof(in), out, sizeof(out));
	if (err)
		dev_warn(&uctx->fwctl->dev, "user context %u left in firmware: %d\n",
			 mctx->uid, err);
}

static void *fwctl_emu_mlx5_info(struct fwctl_emu_uctx *uctx, size_t *length)
{
	struct fwctl_emu_mlx5_uctx *mctx = container_of(uctx, struct fwctl_emu_mlx5_uctx, uctx);
	struct fwctl_info_mlx5 *info;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return ERR_PTR(-ENOMEM);
	info->uid = mctx->uid;
	info->uctx_caps = mctx->caps;
	*length = sizeof(*info);
	return info;
}

static void *fwctl_emu_mlx5_fw_rpc(struct fwctl_emu_uctx *uctx, enum fwctl_rpc_scope scope,
				   void *in, size_t in_len, size_t *out_len)
{
	struct fwctl_emu_mlx5_uctx *mctx = container_of(uctx, struct fwctl_emu_mlx5_uctx, uctx);
	struct fwctl_emu_mlx5_dev *mdev = uctx->fwctl->priv;
	void *out;
	int err;

	if (in_len < MLX5_ST_SZ_BYTES(fwctl_emu_in_hdr) ||
	    *out_len < MLX5_ST_SZ_BYTES(fwctl_emu_out_hdr))
		return ERR_PTR(-EMSGSIZE);
	if (!fwctl_emu_mlx5_allowed(in, scope))
		return ERR_PTR(-EBADMSG);
	out = kvzalloc(*out_len, GFP_KERNEL_ACCOUNT);
	if (!out)
		return ERR_PTR(-ENOMEM);

	/* Every command runs as this file's user context, whatever was asked. */
	MLX5_SET(fwctl_emu_in_hdr, in, uid, mctx->uid);
	/* A firmware error is an answer: its status is in the outbox. */
	err = mlx5ctl_emu_channel_exec(mdev->index, in, in_len, out, *out_len);
	if (err) {
		kvfree(out);
		return ERR_PTR(err);
	}
	return out;
}

static const struct fwctl_emu_ops fwctl_emu_mlx5_ops = {
	.device_type = FWCTL_DEVICE_TYPE_MLX5,
	.uctx_size = sizeof(struct fwctl_emu_mlx5_uctx),
	.open_uctx = fwctl_emu_mlx5_open_uctx,
	.close_uctx = fwctl_emu_mlx5_close_uctx,
	.info = fwctl_emu_mlx5_info,
	.fw_rpc = fwctl_emu_mlx5_fw_rpc,
};

static int fwctl_emu_mlx5_probe(struct auxiliary_device *adev,
				const struct auxiliary_device_id *id)
{
	struct mlx5ctl_emu_fwctl_adev *fadev =
		container_of(adev, struct mlx5ctl_emu_fwctl_adev, adev);
	struct device *pci_dev = adev->dev.parent;
	struct fwctl_emu_mlx5_dev *mdev;

	/* As for mlx5, the fwctl device is the PCI function's child: udev finds it above. */
	if (!pci_dev || !dev_is_pci(pci_dev))
		return -ENODEV;
	mdev = kzalloc(sizeof(*mdev), GFP_KERNEL);
	if (!mdev)
		return -ENOMEM;
	mdev->index = adev->id;
	mdev->dev_uctx_cap = fadev->dev_uctx_cap;
	mdev->fwctl = fwctl_emu_register(pci_dev, &fwctl_emu_mlx5_ops, mdev);
	if (IS_ERR(mdev->fwctl)) {
		int err = PTR_ERR(mdev->fwctl);

		kfree(mdev);
		return err;
	}
	auxiliary_set_drvdata(adev, mdev);
	return 0;
}

static void fwctl_emu_mlx5_remove(struct auxiliary_device *adev)
{
	struct fwctl_emu_mlx5_dev *mdev = auxiliary_get_drvdata(adev);

	/* Closes every open file's user context while firmware still answers. */
	fwctl_emu_unregister(mdev->fwctl);
	kfree(mdev);
}

static const struct auxiliary_device_id fwctl_emu_mlx5_id_table[] = {
	{ .name = "mlx5ctl_emu.fwctl" },
	{}
};

static struct auxiliary_driver fwctl_emu_mlx5_driver = {
	.name = "mlx5",
	.probe = fwctl_emu_mlx5_probe,
	.remove = fwctl_emu_mlx5_remove,
	.id_table = fwctl_emu_mlx5_id_table,
};

int fwctl_emu_mlx5_init(void)
{
	static_assert(offsetof(struct fwctl_emu_mlx5_uctx, uctx) == 0);

	return auxiliary_driver_register(&fwctl_emu_mlx5_driver);
}

void fwctl_emu_mlx5_exit(void)
{
	auxiliary_driver_unregister(&fwctl_emu_mlx5_driver);
}
