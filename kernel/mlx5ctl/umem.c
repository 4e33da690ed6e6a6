// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mlx5ctl user memory (UMEM): a process's buffer pinned, mapped for the
 * device and made a firmware UMEM object of the file's user context, so
 * firmware can write large dumps straight into it.  Pinned pages count
 * against RLIMIT_MEMLOCK like other long-term pins (iommufd, RDMA).
 */
#include <linux/capability.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/misc/mlx5ctl.h>

#include "mlx5ctl_core.h"

/* Largest buffer one registration may pin. */
#define MLX5CTL_UMEM_MAX_BYTES SZ_64M

/* mtt entry: the page's bus address with the low bits as permissions. */
#define MLX5CTL_MTT_READ BIT_ULL(0)
#define MLX5CTL_MTT_WRITE BIT_ULL(1)

struct mlx5ctl_umem {
	struct mm_struct *mm;		/* pinned_vm is charged here */
	struct user_struct *user;	/* locked_vm is charged here */
	unsigned long addr;
	unsigned long npages;
	struct page **pages;
	struct sg_table sgt;
	u32 umem_id;
};

static int mlx5ctl_umem_charge(struct mlx5ctl_umem *umem)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	bool unlimited = capable(CAP_IPC_LOCK);
	unsigned long cur, new;

	do {
		cur = atomic_long_read(&umem->user->locked_vm);
		new = cur + umem->npages;
		if (new < cur || (!unlimited && new > limit))
			return -ENOMEM;
	} while (atomic_long_cmpxchg(&umem->user->locked_vm, cur, new) != cur);
	atomic64_add(umem->npages, &umem->mm->pinned_vm);
	return 0;
}

static void mlx5ctl_umem_uncharge(struct mlx5ctl_umem *umem)
{
	atomic_long_sub(umem->npages, &umem->user->locked_vm);
	atomic64_sub(umem->npages, &umem->mm->pinned_vm);
}

static void mlx5ctl_umem_free(struct mlx5ctl_umem *umem)
{
	mmdrop(umem->mm);
	free_uid(umem->user);
	kfree(umem);
}

static void mlx5ctl_umem_unpin(struct mlx5ctl_umem *umem, struct device *dma_dev)
{
	dma_unmap_sgtable(dma_dev, &umem->sgt, DMA_BIDIRECTIONAL, 0);
	sg_free_table(&umem->sgt);
	unpin_user_pages_dirty_lock(umem->pages, umem->npages, true);
	kvfree(umem->pages);
	mlx5ctl_umem_uncharge(umem);
}

static struct mlx5ctl_umem *mlx5ctl_umem_pin(struct device *dma_dev, u64 addr, u64 len)
{
	struct mlx5ctl_umem *umem;
	u64 first, end;
	long pinned;
	int err;

	if (!len || check_add_overflow(addr, len, &end) || PAGE_ALIGN(end) < end)
		return ERR_PTR(-EINVAL);
	first = addr & PAGE_MASK;
	if (PAGE_ALIGN(end) - first > MLX5CTL_UMEM_MAX_BYTES)
		return ERR_PTR(-EINVAL);

	umem = kzalloc(sizeof(*umem), GFP_KERNEL);
	if (!umem)
		return ERR_PTR(-ENOMEM);
	umem->addr = addr;
	umem->npages = (PAGE_ALIGN(end) - first) >> PAGE_SHIFT;
	umem->user = get_uid(current_user());
	umem->mm = current->mm;
	mmgrab(umem->mm);

	err = mlx5ctl_umem_charge(umem);
	if (err)
		goto err_free;

	umem->pages = kvcalloc(umem->npages, sizeof(*umem->pages), GFP_KERNEL);
	if (!umem->pages) {
		err = -ENOMEM;
		goto err_uncharge;
	}
	pinned = pin_user_pages_fast(first, umem->npages, FOLL_WRITE | FOLL_LONGTERM,
				     umem->pages);
	if (pinned != umem->npages) {
		if (pinned > 0)
			unpin_user_pages(umem->pages, pinned);
		err = pinned < 0 ? pinned : -ENOMEM;
		goto err_free_pages;
	}

	err = sg_alloc_table_from_pages(&umem->sgt, umem->pages, umem->npages, 0,
					umem->npages << PAGE_SHIFT, GFP_KERNEL);
	if (err)
		goto err_unpin;
	err = dma_map_sgtable(dma_dev, &umem->sgt, DMA_BIDIRECTIONAL, 0);
	if (err)
		goto err_free_sgt;
	return umem;

err_free_sgt:
	sg_free_table(&umem->sgt);
err_unpin:
	unpin_user_pages(umem->pages, umem->npages);
err_free_pages:
	kvfree(umem->pages);
err_uncharge:
	mlx5ctl_umem_uncharge(umem);
err_free:
	mlx5ctl_umem_free(umem);
	return ERR_PTR(err);
}

static int mlx5ctl_umem_create(struct mlx5ctl_fd *mfd, struct mlx5ctl_umem *umem)
{
	u32 out[MLX5_ST_SZ_DW(create_umem_out)] = {};
	struct sg_dma_page_iter iter;
	void *in, *umem_ctx;
	__be64 *mtt;
	size_t inlen;
	int err;

	inlen = MLX5_ST_SZ_BYTES(create_umem_in) + umem->npages * MLX5_ST_SZ_BYTES(mtt);
	in = kvzalloc(inlen, GFP_KERNEL);
	if (!in)
		return -ENOMEM;

	MLX5_SET(create_umem_in, in, opcode, MLX5_CMD_OP_CREATE_UMEM);
	MLX5_SET(create_umem_in, in, uid, mfd->uctx_uid);
	umem_ctx = MLX5_ADDR_OF(create_umem_in, in, umem);
	MLX5_SET(umem, umem_ctx, log_page_size, PAGE_SHIFT - MLX5_ADAPTER_PAGE_SHIFT);
	MLX5_SET(umem, umem_ctx, page_offset, offset_in_page(umem->addr));
	MLX5_SET64(umem, umem_ctx, num_of_mtt, umem->npages);
	mtt = MLX5_ADDR_OF(umem, umem_ctx, mtt);
	for_each_sgtable_dma_page(&umem->sgt, &iter, 0) {
		*mtt = cpu_to_be64(sg_page_iter_dma_address(&iter) |
				   MLX5CTL_MTT_READ | MLX5CTL_MTT_WRITE);
		mtt++;
	}

	err = mlx5ctl_cmd_exec(mfd->mcdev, in, inlen, out, sizeof(out));
	if (!err)
		umem->umem_id = MLX5_GET(create_umem_out, out, umem_id);
	kvfree(in);
	return err;
}

static int mlx5ctl_umem_destroy(struct mlx5ctl_fd *mfd, struct mlx5ctl_umem *umem)
{
	u32 out[MLX5_ST_SZ_DW(destroy_umem_out)] = {};
	u32 in[MLX5_ST_SZ_DW(destroy_umem_in)] = {};

	MLX5_SET(destroy_umem_in, in, opcode, MLX5_CMD_OP_DESTROY_UMEM);
	MLX5_SET(destroy_umem_in, in, uid, mfd->uctx_uid);
	MLX5_SET(destroy_umem_in, in, umem_id, umem->umem_id);
	return mlx5ctl_cmd_exec(mfd->mcdev, in, sizeof(in), out, sizeof(out));
}

int mlx5ctl_umem_reg(struct mlx5ctl_fd *mfd, void __user *arg)
{
	struct device *dma_dev = mfd->mcdev->dma_dev;
	struct mlx5ctl_umem_reg reg;
	struct mlx5ctl_umem *umem;
	int err;

	if (copy_from_user(&reg, arg, sizeof(reg)))
		return -EFAULT;
	if (reg.flags || reg.reserved1 || reg.reserved2)
		return -EOPNOTSUPP;

	umem = mlx5ctl_umem_pin(dma_dev, reg.addr, reg.len);
	if (IS_ERR(umem))
		return PTR_ERR(umem);
	err = mlx5ctl_umem_create(mfd, umem);
	if (err)
		goto err_unpin;
	/* -EBUSY: firmware handed out an id that is still registered. */
	mutex_lock(&mfd->umem_lock);
	err = xa_insert(&mfd->umems, umem->umem_id, umem, GFP_KERNEL);
	mutex_unlock(&mfd->umem_lock);
	if (err)
		goto err_destroy;

	reg.size = sizeof(reg);
	reg.umem_id = umem->umem_id;
	/*
	 * A caller that cannot learn the id could never unregister it: undo.
	 * If another thread unregistered it meanwhile, nothing is left to undo.
	 */
	if (copy_to_user(arg, &reg, sizeof(reg))) {
		mutex_lock(&mfd->umem_lock);
		umem = xa_erase(&mfd->umems, reg.umem_id);
		mutex_unlock(&mfd->umem_lock);
		if (!umem)
			return -EFAULT;
		err = -EFAULT;
		goto err_destroy;
	}
	return 0;

err_destroy:
	mlx5ctl_umem_destroy(mfd, umem);
err_unpin:
	mlx5ctl_umem_unpin(umem, dma_dev);
	mlx5ctl_umem_free(umem);
	return err;
}

int mlx5ctl_umem_unreg(struct mlx5ctl_fd *mfd, void __user *arg)
{
	struct mlx5ctl_umem_unreg unreg;
	struct mlx5ctl_umem *umem;
	int err;

	if (copy_from_user(&unreg, arg, sizeof(unreg)))
		return -EFAULT;
	if (unreg.flags)
		return -EOPNOTSUPP;

	mutex_lock(&mfd->umem_lock);
	umem = xa_load(&mfd->umems, unreg.umem_id);
	if (!umem) {
		mutex_unlock(&mfd->umem_lock);
		return -ENOENT;
	}
	/* Firmware may still write there if this fails: keep it pinned until close. */
	err = mlx5ctl_umem_destroy(mfd, umem);
	if (!err)
		xa_erase(&mfd->umems, unreg.umem_id);
	mutex_unlock(&mfd->umem_lock);
	if (err)
		return err;
	mlx5ctl_umem_unpin(umem, mfd->mcdev->dma_dev);
	mlx5ctl_umem_free(umem);

	unreg.size = sizeof(unreg);
	if (copy_to_user(arg, &unreg, sizeof(unreg)))
		return -EFAULT;
	return 0;
}

void mlx5ctl_umem_release_all(struct mlx5ctl_fd *mfd)
{
	struct mlx5ctl_umem *umem;
	unsigned long id;
	int err;

	mutex_lock(&mfd->umem_lock);
	xa_for_each(&mfd->umems, id, umem) {
		xa_erase(&mfd->umems, id);
		err = mlx5ctl_umem_destroy(mfd, umem);
		if (err)
			dev_warn(mfd->mcdev->parent, "UMEM %lu left in firmware: %d\n", id, err);
		mlx5ctl_umem_unpin(umem, mfd->mcdev->dma_dev);
		mlx5ctl_umem_free(umem);
	}
	mutex_unlock(&mfd->umem_lock);
}
