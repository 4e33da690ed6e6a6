// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mlx5ctl_emu command channel (TEST ONLY): commands wait in a queue until
 * the userspace firmware reads them, then until it writes their answer.
 * A command never waits for longer than cmd_timeout_ms, and none waits at
 * all without a server, so a dead or stuck firmware is an error, not a hang.
 */
#include <linux/capability.h>
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "emu.h"
#include "mlx5ctl_emu.h"

struct mlx5ctl_emu_cmd {
	struct list_head node;		/* on chan_pending or chan_taken */
	u64 seq;
	u32 dev_index;
	const void *in;
	u32 inlen;
	void *out;
	u32 outlen;
	int result;
	struct completion done;
};

static DEFINE_MUTEX(chan_lock);
/* Under chan_lock. */
static LIST_HEAD(chan_pending);		/* waiting for the server to read them */
static LIST_HEAD(chan_taken);		/* read, waiting for the answer */
static bool chan_connected;
static u64 chan_next_seq;

static DECLARE_WAIT_QUEUE_HEAD(chan_wq);

/* Ends a queued command; chan_lock held. */
static void chan_finish(struct mlx5ctl_emu_cmd *cmd, int result)
{
	list_del_init(&cmd->node);
	cmd->result = result;
	complete(&cmd->done);
}

int mlx5ctl_emu_channel_exec(u32 dev_index, const void *in, int inlen, void *out, int outlen)
{
	struct mlx5ctl_emu_cmd cmd = {
		.dev_index = dev_index,
		.in = in,
		.inlen = inlen,
		.out = out,
		.outlen = outlen,
	};
	long left;

	if (inlen <= 0 || outlen <= 0 ||
	    inlen > MLX5CTL_EMU_MAX_MSG || outlen > MLX5CTL_EMU_MAX_MSG)
		return -EINVAL;
	init_completion(&cmd.done);

	mutex_lock(&chan_lock);
	if (!chan_connected) {
		mutex_unlock(&chan_lock);
		return -ENOTCONN;
	}
	cmd.seq = ++chan_next_seq;
	list_add_tail(&cmd.node, &chan_pending);
	mutex_unlock(&chan_lock);
	wake_up_interruptible(&chan_wq);

	left = wait_for_completion_killable_timeout(&cmd.done,
						    msecs_to_jiffies(mlx5ctl_emu_cmd_timeout_ms));

	/* Whoever ends the command does it under chan_lock: after this, no one else. */
	mutex_lock(&chan_lock);
	if (!list_empty(&cmd.node))
		chan_finish(&cmd, left < 0 ? -EINTR : -ETIMEDOUT);
	mutex_unlock(&chan_lock);
	return cmd.result;
}
EXPORT_SYMBOL_GPL(mlx5ctl_emu_channel_exec);

static int chan_open(struct inode *inode, struct file *file)
{
	int err = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mutex_lock(&chan_lock);
	if (chan_connected)
		err = -EBUSY;
	else
		chan_connected = true;
	mutex_unlock(&chan_lock);
	return err;
}

static int chan_release(struct inode *inode, struct file *file)
{
	struct mlx5ctl_emu_cmd *cmd, *tmp;

	mutex_lock(&chan_lock);
	chan_connected = false;
	list_for_each_entry_safe(cmd, tmp, &chan_pending, node)
		chan_finish(cmd, -ENOTCONN);
	list_for_each_entry_safe(cmd, tmp, &chan_taken, node)
		chan_finish(cmd, -ENOTCONN);
	mutex_unlock(&chan_lock);
	return 0;
}

static ssize_t chan_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	struct mlx5ctl_emu_request req = {};
	struct mlx5ctl_emu_cmd *cmd;
	ssize_t ret;

	mutex_lock(&chan_lock);
	while (list_empty(&chan_pending)) {
		mutex_unlock(&chan_lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(chan_wq, !list_empty(&chan_pending)))
			return -ERESTARTSYS;
		mutex_lock(&chan_lock);
	}
	cmd = list_first_entry(&chan_pending, struct mlx5ctl_emu_cmd, node);

	/* The command stays queued when the server's buffer cannot take it. */
	ret = -EMSGSIZE;
	if (len < sizeof(req) + cmd->inlen)
		goto out_unlock;
	req.seq = cmd->seq;
	req.dev_index = cmd->dev_index;
	req.inlen = cmd->inlen;
	req.outlen = cmd->outlen;
	ret = -EFAULT;
	if (copy_to_user(buf, &req, sizeof(req)) ||
	    copy_to_user(buf + sizeof(req), cmd->in, cmd->inlen))
		goto out_unlock;
	list_move_tail(&cmd->node, &chan_taken);
	ret = sizeof(req) + cmd->inlen;

out_unlock:
	mutex_unlock(&chan_lock);
	return ret;
}

static ssize_t chan_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	struct mlx5ctl_emu_answer ans;
	struct mlx5ctl_emu_cmd *cmd;
	void *outbox = NULL;
	size_t outlen;
	ssize_t ret;

	if (len < sizeof(ans) || len > sizeof(ans) + MLX5CTL_EMU_MAX_MSG)
		return -EINVAL;
	if (copy_from_user(&ans, buf, sizeof(ans)))
		return -EFAULT;
	outlen = len - sizeof(ans);
	if (ans.error > 0 || ans.error < -MAX_ERRNO || ans.outlen != outlen ||
	    (ans.error && outlen))
		return -EINVAL;
	if (outlen) {
		outbox = vmemdup_user(buf + sizeof(ans), outlen);
		if (IS_ERR(outbox))
			return PTR_ERR(outbox);
	}

	mutex_lock(&chan_lock);
	/* An answer that came after its command timed out finds nothing. */
	ret = -ENOENT;
	list_for_each_entry(cmd, &chan_taken, node) {
		if (cmd->seq != ans.seq)
			continue;
		if (!ans.error && outlen != cmd->outlen) {
			chan_finish(cmd, -EPROTO);
			ret = -EINVAL;
			break;
		}
		if (outlen)
			memcpy(cmd->out, outbox, outlen);
		chan_finish(cmd, ans.error);
		ret = len;
		break;
	}
	mutex_unlock(&chan_lock);
	kvfree(outbox);
	return ret;
}

static __poll_t chan_poll(struct file *file, struct poll_table_struct *wait)
{
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &chan_wq, wait);
	if (!list_empty(&chan_pending))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

const struct file_operations mlx5ctl_emu_channel_fops = {
	.owner = THIS_MODULE,
	.open = chan_open,
	.release = chan_release,
	.read = chan_read,
	.write = chan_write,
	.poll = chan_poll,
	.llseek = noop_llseek,
};
