/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The transport's batches (batch.h), against a fake device that counts:
 * every command is sent once, through the allow-list and the slots, its
 * answer lands in its own place; a hung command gives -EIO at the timeout
 * and keeps its slot; a cancelled caller gets -EINTR and its buffers are
 * not touched after it returned.  Counts, not times.
 */
#include <errno.h>
#include <string.h>

#include "prm/mbox.h"
#include "transport/batch.h"
#include "transport/cancel.h"

#define OP_QUERY_QP     0x50b
#define OP_CREATE_UCTX  0xa04
#define ID_BYTE         8               /* query_qp_in.qpn's byte; the fake echoes it at the same byte out */
#define IN_LEN          (0x10 + 0x10)
#define OUT_LEN         0x40
#define NO_HANG         UINT32_MAX

struct fake {
        mlx5_transport base;
        GMutex lock;
        GCond changed;
        unsigned sent, in_flight, max_in_flight;
        uint32_t hang_id;               /* the command of this id waits until released */
        bool hang_all;                  /* every command does */
        bool hanging, released;
        unsigned meet;                  /* commands wait until this many are in flight at once (then none) */
        bool met;
};

static int fake_exec(mlx5_transport *t, const void *in, size_t inlen, void *out, size_t outlen)
{
        struct fake *f = (struct fake *) t;
        uint32_t id = mlx5_be32_get((const uint8_t *) in + ID_BYTE);

        g_assert_cmpuint(inlen, ==, IN_LEN);
        g_mutex_lock(&f->lock);
        f->sent++;
        f->in_flight++;
        f->max_in_flight = MAX(f->max_in_flight, f->in_flight);
        if (f->meet) {
                f->met = f->met || f->in_flight >= f->meet;
                g_cond_broadcast(&f->changed);
                while (!f->met)
                        g_cond_wait(&f->changed, &f->lock);
        }
        if (id == f->hang_id || f->hang_all) {
                f->hanging = true;
                g_cond_broadcast(&f->changed);
                while (!f->released)
                        g_cond_wait(&f->changed, &f->lock);
        }
        f->in_flight--;
        g_mutex_unlock(&f->lock);
        memset(out, 0, outlen);
        mlx5_be32_set((uint8_t *) out + ID_BYTE, id);
        return 0;
}

static void fake_destroy(mlx5_transport *t)
{
        struct fake *f = (struct fake *) t;

        g_mutex_clear(&f->lock);
        g_cond_clear(&f->changed);
        g_free(f);
}

static const struct mlx5_transport_ops fake_ops = { .exec = fake_exec, .destroy = fake_destroy };

static struct fake *fake_new(unsigned slots, uint32_t hang_id)
{
        struct fake *f = g_new0(struct fake, 1);

        mlx5_transport_init(&f->base, &fake_ops, slots);
        g_strlcpy(f->base.id.pci_name, "fake", sizeof(f->base.id.pci_name));
        g_mutex_init(&f->lock);
        g_cond_init(&f->changed);
        f->hang_id = hang_id;
        return f;
}

static void fake_release(struct fake *f)
{
        g_mutex_lock(&f->lock);
        f->released = true;
        g_cond_broadcast(&f->changed);
        g_mutex_unlock(&f->lock);
        /* Its late answer comes back: the slot with it (what freeing waits for). */
        g_mutex_lock(&f->base.lock);
        while (f->base.inflight)
                g_cond_wait(&f->base.drained, &f->base.lock);
        g_mutex_unlock(&f->base.lock);
}

/* Ids 1000 + i; odd indices refused by build where data says so, index 8 a command that changes state. */
static int build(unsigned i, uint8_t *in, void *data)
{
        const bool *refuse_odd = data;

        if (*refuse_odd && i % 2)
                return -ETIMEDOUT;
        mlx5_mbox_in_set_hdr(in, i == 8 && *refuse_odd ? OP_CREATE_UCTX : OP_QUERY_QP, 0);
        mlx5_be32_set(in + ID_BYTE, 1000 + i);
        return 0;
}

/* n commands through a fake of 4 slots; the fake, for its counts. */
static struct fake *exec_batch(unsigned n, bool refuse_odd, uint8_t *outs, int *results)
{
        struct fake *f = fake_new(4, NO_HANG);

        mlx5_transport_exec_many(&f->base, n, IN_LEN, OUT_LEN, build, &refuse_odd, outs, results);
        return f;
}

static void test_answers(void)
{
        unsigned n = 1000;
        g_autofree uint8_t *outs = g_malloc0((size_t) n * OUT_LEN);
        g_autofree int *results = g_new(int, n);
        struct fake *f = exec_batch(n, false, outs, results);

        for (unsigned i = 0; i < n; i++) {
                g_assert_cmpint(results[i], ==, 0);
                g_assert_cmpuint(mlx5_be32_get(outs + (size_t) i * OUT_LEN + ID_BYTE), ==, 1000 + i);
        }
        /* Each once, never more at once than the slots. */
        g_assert_cmpuint(f->sent, ==, n);
        g_assert_cmpuint(f->max_in_flight, <=, 4);
        g_assert_cmpuint(f->base.inflight, ==, 0);
        mlx5_transport_free(&f->base);
}

static void test_refused(void)
{
        unsigned n = 64;
        g_autofree uint8_t *outs = g_malloc0((size_t) n * OUT_LEN);
        g_autofree int *results = g_new(int, n);
        struct fake *f = exec_batch(n, true, outs, results);

        for (unsigned i = 0; i < n; i++)
                g_assert_cmpint(results[i], ==, (i == 8 ? -EPERM : i % 2 ? -ETIMEDOUT : 0));
        /* Neither build's refusals nor the allow-list's reach the device. */
        g_assert_cmpuint(f->sent, ==, n / 2 - 1);
        mlx5_transport_free(&f->base);
}

static void test_hung(void)
{
        struct fake *f = fake_new(4, 1005);
        unsigned n = 100;
        g_autofree uint8_t *outs = g_malloc0((size_t) n * OUT_LEN);
        g_autofree int *results = g_new(int, n);
        bool refuse_odd = false;

        mlx5_transport_set_timeout(&f->base, 100 * 1000);
        g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, "fake: limit cmd_timeout (0.1 s) reached: QUERY_QP*");
        mlx5_transport_exec_many(&f->base, n, IN_LEN, OUT_LEN, build, &refuse_odd, outs, results);
        g_test_assert_expected_messages();
        for (unsigned i = 0; i < n; i++)
                g_assert_cmpint(results[i], ==, (i == 5 ? -EIO : 0));
        /* The others went on in the other slots; the hung one keeps its slot. */
        g_assert_cmpuint(f->sent, ==, n);
        g_assert_cmpuint(f->base.timeouts, ==, 1);
        g_assert_cmpuint(f->base.inflight, ==, 1);
        fake_release(f);
        /* Its late answer went nowhere. */
        g_assert_cmpuint(mlx5_be32_get(outs + 5 * OUT_LEN + ID_BYTE), ==, 0);
        mlx5_transport_free(&f->base);
}

static void test_all_hung(void)
{
        struct fake *f = fake_new(2, NO_HANG);
        unsigned n = 10;
        g_autofree uint8_t *outs = g_malloc0((size_t) n * OUT_LEN);
        g_autofree int *results = g_new(int, n);
        bool refuse_odd = false;

        f->hang_all = true;
        mlx5_transport_set_timeout(&f->base, 100 * 1000);
        g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, "fake: limit cmd_timeout (0.1 s) reached: QUERY_QP*not answered*");
        g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, "fake: limit cmd_timeout (0.1 s) reached: QUERY_QP*not answered*");
        g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, "fake: limit cmd_timeout (0.1 s) reached: QUERY_QP*no free command slot*");
        mlx5_transport_exec_many(&f->base, n, IN_LEN, OUT_LEN, build, &refuse_odd, outs, results);
        g_test_assert_expected_messages();
        /* Both threads hang: the rest are given up as commands finding no slot, not waited for. */
        for (unsigned i = 0; i < n; i++)
                g_assert_cmpint(results[i], ==, -EIO);
        g_assert_cmpuint(f->sent, ==, 2);
        g_assert_cmpuint(f->base.timeouts, ==, n);
        fake_release(f);
        mlx5_transport_free(&f->base);
}

struct firing {
        struct fake *f;
        mlx5_cancel *cancel;
};

/* Fires the caller's token once the first command hangs, as the FUSE glue does on INTERRUPT. */
static gpointer fire_when_hanging(gpointer data)
{
        struct firing *w = data;

        g_mutex_lock(&w->f->lock);
        while (!w->f->hanging)
                g_cond_wait(&w->f->changed, &w->f->lock);
        g_mutex_unlock(&w->f->lock);
        mlx5_cancel_fire(w->cancel);
        return NULL;
}

static void test_cancelled(void)
{
        struct fake *f = fake_new(2, 1000);
        unsigned n = 50;
        g_autofree uint8_t *outs = g_malloc0((size_t) n * OUT_LEN);
        g_autofree int *results = g_new(int, n);
        g_autoptr(mlx5_cancel) cancel = mlx5_cancel_new();
        struct firing w = { .f = f, .cancel = cancel };
        bool refuse_odd = false;
        GThread *firer = g_thread_new("firer", fire_when_hanging, &w);

        mlx5_cancel_set_current(cancel);
        mlx5_transport_exec_many(&f->base, n, IN_LEN, OUT_LEN, build, &refuse_odd, outs, results);
        mlx5_cancel_set_current(NULL);
        g_thread_join(firer);
        g_assert_cmpint(results[0], ==, -EINTR);
        for (unsigned i = 1; i < n; i++)
                g_assert_true(results[i] == 0 || results[i] == -EINTR);
        g_assert_cmpuint(f->base.interrupted, ==, 1);
        g_assert_cmpuint(f->sent, <=, n);
        fake_release(f);
        /* The caller had returned: the hung command's answer did not land in its buffer. */
        g_assert_cmpuint(mlx5_be32_get(outs + ID_BYTE), ==, 0);
        mlx5_transport_free(&f->base);
}

/* Work: two commands an item (the second built from the first's answer), each item's answer made an item. */
struct work {
        mlx5_transport *t;
        gint *freed_data;
};

static gint items_alive;

static void item_free(gpointer item)
{
        g_atomic_int_add(&items_alive, -1);
        g_free(item);
}

static void work_free(gpointer data)
{
        struct work *w = data;

        g_atomic_int_inc(w->freed_data);
        g_free(w);
}

static int two_commands(unsigned i, void *data, gpointer *ret_item)
{
        struct work *w = data;
        uint8_t in[IN_LEN] = { 0 }, out[OUT_LEN];
        uint32_t *item;
        int r;

        mlx5_mbox_in_set_hdr(in, OP_QUERY_QP, 0);
        mlx5_be32_set(in + ID_BYTE, 1000 + i);
        r = mlx5_transport_exec(w->t, in, sizeof(in), out, sizeof(out));
        if (r < 0)
                return r;
        mlx5_be32_set(in + ID_BYTE, mlx5_be32_get(out + ID_BYTE) + 10000);
        r = mlx5_transport_exec(w->t, in, sizeof(in), out, sizeof(out));
        if (r < 0)
                return r;
        item = g_new(uint32_t, 1);
        *item = mlx5_be32_get(out + ID_BYTE);
        g_atomic_int_inc(&items_alive);
        *ret_item = item;
        return 0;
}

static void test_work(void)
{
        struct fake *f = fake_new(4, NO_HANG);
        unsigned n = 300;
        g_autofree gpointer *items = g_new(gpointer, n);
        g_autofree int *results = g_new(int, n);
        gint freed_data = 0;
        struct work *w = g_new(struct work, 1);

        *w = (struct work) { .t = &f->base, .freed_data = &freed_data };
        mlx5_transport_run_many(&f->base, n, two_commands, w, work_free, item_free, items, results);
        for (unsigned i = 0; i < n; i++) {
                g_assert_cmpint(results[i], ==, 0);
                g_assert_cmpuint(*(uint32_t *) items[i], ==, 11000 + i);
                item_free(items[i]);
        }
        g_assert_cmpuint(f->sent, ==, 2 * n);
        g_assert_cmpuint(f->max_in_flight, <=, 4);
        mlx5_transport_free(&f->base);
        /* Every batch thread has ended: the data with them. */
        g_assert_cmpint(freed_data, ==, 1);
        g_assert_cmpint(items_alive, ==, 0);
}

static void test_work_hung(void)
{
        /* The second command of item 3 hangs. */
        struct fake *f = fake_new(4, 11003);
        unsigned n = 40;
        g_autofree gpointer *items = g_new(gpointer, n);
        g_autofree int *results = g_new(int, n);
        gint freed_data = 0;
        struct work *w = g_new(struct work, 1);

        *w = (struct work) { .t = &f->base, .freed_data = &freed_data };
        mlx5_transport_set_timeout(&f->base, 100 * 1000);
        g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, "fake: limit cmd_timeout (0.1 s) reached: QUERY_QP*");
        mlx5_transport_run_many(&f->base, n, two_commands, w, work_free, item_free, items, results);
        g_test_assert_expected_messages();
        for (unsigned i = 0; i < n; i++) {
                g_assert_cmpint(results[i], ==, (i == 3 ? -EIO : 0));
                g_assert_true((items[i] != NULL) == (i != 3));
                if (items[i])
                        item_free(items[i]);
        }
        /* The caller is back while item 3 is still in firmware: its data lives on. */
        g_assert_cmpint(freed_data, ==, 0);
        g_assert_cmpuint(f->base.inflight, ==, 1);
        fake_release(f);
        g_assert_cmpuint(f->sent, ==, 2 * n);
        mlx5_transport_free(&f->base);
        /* What item 3 made after it was given up was freed, and the data with the last thread. */
        g_assert_cmpint(freed_data, ==, 1);
        g_assert_cmpint(items_alive, ==, 0);
}

/*
 * A burst's threads stay for the next one: 4 commands in flight at once
 * (so 4 batch threads), and after their pool went quiet (GLib moves a
 * shared pool's thread to the global idle set after 0.5 s) the 4 are still
 * there, not ended down to GLib's 2; freeing the transport gives the
 * allowance back.
 */
static void test_threads_kept(void)
{
        gint before = g_thread_pool_get_max_unused_threads();
        unsigned n = 64;
        g_autofree uint8_t *outs = g_malloc0((size_t) n * OUT_LEN);
        g_autofree int *results = g_new(int, n);
        struct fake *f = fake_new(4, NO_HANG);
        bool refuse_odd = false;

        g_assert_cmpint(g_thread_pool_get_max_unused_threads(), ==, MAX(before, 0) + 2 * 4);
        f->meet = 4;
        mlx5_transport_exec_many(&f->base, n, IN_LEN, OUT_LEN, build, &refuse_odd, outs, results);
        g_assert_cmpuint(f->sent, ==, n);
        g_assert_cmpuint(f->max_in_flight, ==, 4);
        g_usleep(G_USEC_PER_SEC);
        g_assert_cmpuint(g_thread_pool_get_num_unused_threads(), >=, 4);
        mlx5_transport_free(&f->base);
        g_assert_cmpint(g_thread_pool_get_max_unused_threads(), ==, MAX(before, 0));
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/transport/batch/answers", test_answers);
        g_test_add_func("/transport/batch/refused", test_refused);
        g_test_add_func("/transport/batch/hung", test_hung);
        g_test_add_func("/transport/batch/all-hung", test_all_hung);
        g_test_add_func("/transport/batch/cancelled", test_cancelled);
        g_test_add_func("/transport/batch/work", test_work);
        g_test_add_func("/transport/batch/work-hung", test_work_hung);
        g_test_add_func("/transport/batch/threads-kept", test_threads_kept);
        return g_test_run();
}
