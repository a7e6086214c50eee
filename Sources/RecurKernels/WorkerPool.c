// A fork-join pool for Parallel.run (RecurTensor): persistent worker threads that spin briefly
// on a generation counter before sleeping on a condition variable, so a fork costs well under
// a microsecond while a model trains (libdispatch's concurrentPerform wakes its workers through
// futexes: 5-7% of W2's profile in kernel scheduling).
#define _GNU_SOURCE  // pthread_setname_np
#include "include/RecurKernels.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#define RECUR_POOL_MAX_WORKERS 63
// Busy-wait iterations before a worker sleeps (a few hundred microseconds); RECUR_POOL_SPIN
// overrides it.
#define RECUR_POOL_SPIN_DEFAULT 20000
static int pool_spin = RECUR_POOL_SPIN_DEFAULT;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static _Atomic int pool_busy;
static _Atomic long pool_generation;
static _Atomic int pool_remaining;
static _Atomic int pool_sleepers;
static int pool_workers;  // threads started (only grows; changed while pool_busy is held)
static recur_task_fn job_fn;
static void *job_context;
static int job_parts;
static int job_stride;
static long pool_start_generation;  // the generation before a new worker's first job
static pthread_mutex_t pool_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;

static void *pool_worker(void *arg) {
    int index = (int)(intptr_t)arg;  // 1...workers; the caller is part 0
#if defined(__linux__)
    pthread_setname_np(pthread_self(), "recur-pool");  // as profilers and debuggers show it
#endif
    long seen = pool_start_generation;  // written before pthread_create, which orders it
    for (;;) {
        long g;
        int spins = 0;
        while ((g = atomic_load_explicit(&pool_generation, memory_order_acquire)) == seen) {
            if (++spins < pool_spin) {
                cpu_relax();
                continue;
            }
            pthread_mutex_lock(&pool_mutex);
            atomic_fetch_add(&pool_sleepers, 1);
            while ((g = atomic_load(&pool_generation)) == seen) pthread_cond_wait(&pool_wake, &pool_mutex);
            atomic_fetch_sub(&pool_sleepers, 1);
            pthread_mutex_unlock(&pool_mutex);
            break;
        }
        seen = g;
        if (index < job_stride)
            for (int k = index; k < job_parts; k += job_stride) job_fn(job_context, k);
        atomic_fetch_sub_explicit(&pool_remaining, 1, memory_order_release);
    }
    return NULL;
}

int recur_pool_run(int parts, int threads, recur_task_fn fn, void *context) {
    if (parts <= 1 || threads <= 1) {
        for (int k = 0; k < parts; k++) fn(context, k);
        return 0;
    }
    int expected = 0;
    if (!atomic_compare_exchange_strong(&pool_busy, &expected, 1)) return -1;  // nested or concurrent
    int wanted = threads - 1;
    if (wanted > RECUR_POOL_MAX_WORKERS) wanted = RECUR_POOL_MAX_WORKERS;
    if (pool_workers == 0) {
        const char *spin = getenv("RECUR_POOL_SPIN");
        if (spin && atoi(spin) > 0) pool_spin = atoi(spin);
    }
    pool_start_generation = atomic_load(&pool_generation);
    while (pool_workers < wanted) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attr, pool_worker, (void *)(intptr_t)(pool_workers + 1));
        pthread_attr_destroy(&attr);
        if (failed) break;
        pool_workers++;
    }
    if (pool_workers == 0) {
        atomic_store(&pool_busy, 0);
        return -1;
    }
    job_fn = fn;
    job_context = context;
    job_parts = parts;
    job_stride = (pool_workers < wanted ? pool_workers : wanted) + 1;  // workers beyond it idle
    atomic_store_explicit(&pool_remaining, pool_workers, memory_order_relaxed);
    atomic_fetch_add(&pool_generation, 1);  // sequentially consistent: publishes the job
    if (atomic_load(&pool_sleepers) > 0) {
        pthread_mutex_lock(&pool_mutex);
        pthread_cond_broadcast(&pool_wake);
        pthread_mutex_unlock(&pool_mutex);
    }
    for (int k = 0; k < parts; k += job_stride) fn(context, k);
    int spins = 0;
    while (atomic_load_explicit(&pool_remaining, memory_order_acquire) != 0) {
        if (++spins < pool_spin) cpu_relax(); else sched_yield();
    }
    job_fn = NULL;
    job_context = NULL;
    atomic_store(&pool_busy, 0);
    return 0;
}
