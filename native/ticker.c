/*
 * perfscope's native ticker: a thread that sleeps until each absolute deadline t0 + k*interval of
 * CLOCK_MONOTONIC and then re-reads a fixed set of kept-open /proc files (pread at offset 0, or a count
 * of a directory's entries), copying the bytes into a batch. JavaScript opens the files, hands over
 * their fds, and parses the captured text later, in batches (src/sampling/native.ts): the per-tick work
 * that stays is one futex wake-up and a few preads, with no JavaScript and no event-loop turn.
 *
 * Exports (N-API, version 8):
 *   start(spec, onReady) -> handle   spec: { fds, kinds, capacities, vital, intervalMs, t0Ms,
 *                                     firstIndex, lastIndex, batchTicks }; onReady() is called on the
 *                                     JS thread when a batch is waiting (at most once per drain()).
 *   drain(handle) -> { ticks, ended } ticks: [[index, deadlineMs, actualMs, wallMs, missed, r0, r1, ...]]
 *                                     with ri a latin1 string (text), a count, or -errno.
 *   stop(handle)                      wakes and joins the thread; drain() then returns the rest.
 *   ref(handle, keepAlive)            whether the running ticker keeps the event loop alive.
 *   monotonicMs()                     CLOCK_MONOTONIC in ms (the clock of t0Ms and the tick times).
 *   childrenUsage() -> { userSeconds, systemSeconds, maxRssBytes }
 *                                     getrusage(RUSAGE_CHILDREN): CPU time of every descendant this
 *                                     process waited for, and the largest peak RSS among them (ru_maxrss,
 *                                     what /usr/bin/time reports); not part of the ticker, but the one
 *                                     addon perfscope builds (`perfscope run` uses it, src/record/).
 */
#define _GNU_SOURCE
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { KIND_TEXT = 0, KIND_DIRCOUNT = 1 };
enum { HEAD = 5 }; /* index, deadline, actual, wall, missed */
#define EARLY_TOLERANCE_MS 1.0
#define MAX_FILES 64
#define MAX_FILE_BYTES (1 << 24)

typedef struct {
  int fd;
  int kind;
  int vital; /* ESRCH/ENOENT on this file ends the run (the process is gone) */
  size_t cap;
  char *buf; /* the thread's read buffer, grown on a full read */
} File;

/* One tick's results: HEAD doubles, then per file a value (count or -errno) and a span of `bytes`. */
typedef struct {
  double head[HEAD];
  double value[MAX_FILES];
  size_t off[MAX_FILES];
  size_t len[MAX_FILES];
} Tick;

typedef struct Batch {
  struct Batch *next;
  size_t nticks, tick_cap;
  Tick *ticks;
  size_t nbytes, byte_cap;
  char *bytes;
} Batch;

typedef struct {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cond;
  int thread_started, joined, stop, ended, signalled;
  int hook_added, tsfn_released;
  napi_threadsafe_function tsfn;
  size_t nfiles;
  File files[MAX_FILES];
  double interval_ms, t0_ms, last_index;
  double next_index;
  size_t batch_ticks;
  Batch *current;            /* being filled by the thread */
  Batch *ready, **ready_tail; /* handed over, waiting for drain() */
} Ticker;

static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static Batch *batch_new(size_t tick_cap) {
  Batch *b = calloc(1, sizeof *b);
  if (!b) return NULL;
  b->tick_cap = tick_cap;
  b->ticks = malloc(tick_cap * sizeof *b->ticks);
  b->byte_cap = 4096;
  b->bytes = malloc(b->byte_cap);
  if (!b->ticks || !b->bytes) {
    free(b->ticks);
    free(b->bytes);
    free(b);
    return NULL;
  }
  return b;
}

static void batch_free(Batch *b) {
  if (!b) return;
  free(b->ticks);
  free(b->bytes);
  free(b);
}

/* Appends `n` bytes to the batch; returns their offset, or (size_t)-1 when out of memory. */
static size_t batch_put(Batch *b, const char *src, size_t n) {
  if (b->nbytes + n > b->byte_cap) {
    size_t cap = b->byte_cap;
    while (b->nbytes + n > cap) cap *= 2;
    char *p = realloc(b->bytes, cap);
    if (!p) return (size_t)-1;
    b->bytes = p;
    b->byte_cap = cap;
  }
  memcpy(b->bytes + b->nbytes, src, n);
  size_t off = b->nbytes;
  b->nbytes += n;
  return off;
}

/* The whole file at offset 0 into f->buf (grown while a read fills it); bytes read or -errno. */
static ssize_t read_text(File *f) {
  for (;;) {
    ssize_t n = pread(f->fd, f->buf, f->cap, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    if ((size_t)n < f->cap) return n;
    if (f->cap >= MAX_FILE_BYTES) return -EFBIG;
    char *p = realloc(f->buf, f->cap * 2);
    if (!p) return -ENOMEM;
    f->buf = p;
    f->cap *= 2;
  }
}

struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

/* Entries of the directory open at f->fd, "." and ".." excluded; the size of /proc/PID/fd counts them
 * on kernels >= 6.2 (one fstat), older kernels and zombies need the listing. -errno on failure. */
static double count_dir(File *f) {
  struct stat st;
  if (fstat(f->fd, &st) != 0) return -errno;
  if (st.st_size > 0) return (double)st.st_size;
  if (lseek(f->fd, 0, SEEK_SET) < 0) return -errno;
  char buf[4096];
  double count = 0;
  for (;;) {
    long n = syscall(SYS_getdents64, f->fd, buf, sizeof buf);
    if (n < 0) return -errno;
    if (n == 0) return count;
    for (long at = 0; at < n;) {
      struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + at);
      const char *s = d->d_name;
      if (!(s[0] == '.' && (s[1] == 0 || (s[1] == '.' && s[2] == 0)))) count++;
      at += d->d_reclen;
    }
  }
}

/* Reads every file into a new tick of the current batch; returns 1 if a vital file says the process is gone. */
static int take_tick(Ticker *t, double index, double deadline, double actual, double missed) {
  Batch *b = t->current;
  if (b->nticks == b->tick_cap) {
    Tick *p = realloc(b->ticks, 2 * b->tick_cap * sizeof *p);
    if (!p) return 1;
    b->ticks = p;
    b->tick_cap *= 2;
  }
  Tick *k = &b->ticks[b->nticks++];
  k->head[0] = index;
  k->head[1] = deadline;
  k->head[2] = actual;
  k->head[3] = wall_ms();
  k->head[4] = missed;
  int gone = 0;
  for (size_t i = 0; i < t->nfiles; i++) {
    File *f = &t->files[i];
    k->len[i] = 0;
    k->off[i] = 0;
    if (f->kind == KIND_TEXT) {
      ssize_t n = read_text(f);
      if (n >= 0) {
        size_t off = batch_put(b, f->buf, (size_t)n);
        if (off == (size_t)-1) {
          k->value[i] = -ENOMEM;
        } else {
          k->value[i] = 0;
          k->off[i] = off;
          k->len[i] = (size_t)n;
        }
      } else {
        k->value[i] = (double)n;
      }
    } else {
      k->value[i] = count_dir(f);
    }
    if (f->vital && (k->value[i] == -ESRCH || k->value[i] == -ENOENT)) gone = 1;
  }
  return gone;
}

/* Moves the current batch to the ready list and wakes the JS thread (once until the next drain). Out of
 * memory for a fresh batch, the current one stays and keeps growing; the next hand-over retries. */
static void hand_over(Ticker *t) {
  Batch *fresh = batch_new(t->batch_ticks < 256 ? t->batch_ticks : 256);
  pthread_mutex_lock(&t->mu);
  if (t->current->nticks > 0 || t->ended) {
    if (t->current->nticks > 0 && fresh != NULL) {
      *t->ready_tail = t->current;
      t->ready_tail = &t->current->next;
      t->current = fresh;
      fresh = NULL;
    }
    if (!t->signalled) {
      t->signalled = 1;
      napi_call_threadsafe_function(t->tsfn, NULL, napi_tsfn_nonblocking);
    }
  }
  pthread_mutex_unlock(&t->mu);
  batch_free(fresh);
}

static void *run(void *arg) {
  Ticker *t = arg;
  double next = t->next_index;
  for (;;) {
    double deadline = t->t0_ms + next * t->interval_ms;
    struct timespec at;
    double sec = floor(deadline / 1e3);
    at.tv_sec = (time_t)sec;
    at.tv_nsec = (long)((deadline - sec * 1e3) * 1e6);
    if (at.tv_nsec >= 1000000000L) {
      at.tv_sec++;
      at.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
      if (pthread_cond_timedwait(&t->cond, &t->mu, &at) == ETIMEDOUT) break;
    }
    int stop = t->stop;
    pthread_mutex_unlock(&t->mu);
    if (stop) break;
    double now = mono_ms();
    if (now < deadline - EARLY_TOLERANCE_MS) continue;
    /* The latest deadline that has passed: the ones between `next` and it are skipped, and counted. */
    double due = floor((now - t->t0_ms + EARLY_TOLERANCE_MS) / t->interval_ms);
    if (due < next) due = next;
    int gone = take_tick(t, due, t->t0_ms + due * t->interval_ms, now, due - next);
    next = due + 1;
    int last = gone || (t->last_index >= 0 && due >= t->last_index);
    if (last) {
      pthread_mutex_lock(&t->mu);
      t->ended = 1;
      pthread_mutex_unlock(&t->mu);
    }
    if (last || t->current->nticks >= t->batch_ticks) hand_over(t);
    if (last) break;
  }
  return NULL;
}

/* Wakes and joins the thread (idempotent; main thread only). */
static void stop_thread(Ticker *t) {
  if (!t->thread_started || t->joined) return;
  pthread_mutex_lock(&t->mu);
  t->stop = 1;
  pthread_cond_signal(&t->cond);
  pthread_mutex_unlock(&t->mu);
  pthread_join(t->thread, NULL);
  t->joined = 1;
}

/* Closes the duplicated fds (once the thread is joined or never ran). */
static void close_files(Ticker *t) {
  for (size_t i = 0; i < t->nfiles; i++) {
    if (t->files[i].fd >= 0) close(t->files[i].fd);
    t->files[i].fd = -1;
  }
}

static void release_tsfn(Ticker *t) {
  if (t->tsfn_released || t->tsfn == NULL) return;
  t->tsfn_released = 1;
  napi_release_threadsafe_function(t->tsfn, napi_tsfn_release);
}

/* Environment teardown (process exit, worker terminated): the thread must not outlive it. Node closes
 * the thread-safe function itself; this hook was added after it was created, so it runs first. */
static void on_env_cleanup(void *arg) {
  Ticker *t = arg;
  t->hook_added = 0;
  stop_thread(t);
  close_files(t);
  t->tsfn_released = 1;
}

/* Joins the thread, closes its fds, and lets go of the environment (stop() and the finaliser; idempotent). */
static void shut_down(napi_env env, Ticker *t) {
  stop_thread(t);
  close_files(t);
  if (t->hook_added) {
    napi_remove_env_cleanup_hook(env, on_env_cleanup, t);
    t->hook_added = 0;
  }
  release_tsfn(t);
}

static void ticker_free(napi_env env, void *data, void *hint) {
  (void)hint;
  Ticker *t = data;
  shut_down(env, t);
  for (Batch *b = t->ready; b;) {
    Batch *n = b->next;
    batch_free(b);
    b = n;
  }
  batch_free(t->current);
  for (size_t i = 0; i < t->nfiles; i++) free(t->files[i].buf);
  pthread_mutex_destroy(&t->mu);
  pthread_cond_destroy(&t->cond);
  free(t);
}

static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)context;
  (void)data;
  if (env == NULL || js_cb == NULL) return;
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  napi_call_function(env, undefined, js_cb, 0, NULL, NULL);
}

/* --- argument helpers ------------------------------------------------------------------------- */

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "EINVAL", msg);
  return NULL;
}

static int get_number(napi_env env, napi_value obj, const char *key, double *out) {
  napi_value v;
  napi_valuetype type;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return 0;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_number) return 0;
  return napi_get_value_double(env, v, out) == napi_ok;
}

/* Reads an array of numbers `key` of length `n` (or sets *n when *n == 0). */
static int get_numbers(napi_env env, napi_value obj, const char *key, double *out, uint32_t *n) {
  napi_value arr;
  bool is_array = false;
  uint32_t len = 0;
  if (napi_get_named_property(env, obj, key, &arr) != napi_ok) return 0;
  if (napi_is_array(env, arr, &is_array) != napi_ok || !is_array) return 0;
  if (napi_get_array_length(env, arr, &len) != napi_ok) return 0;
  if (*n == 0) {
    if (len == 0 || len > MAX_FILES) return 0;
    *n = len;
  } else if (len != *n) {
    return 0;
  }
  for (uint32_t i = 0; i < len; i++) {
    napi_value e;
    napi_valuetype type;
    if (napi_get_element(env, arr, i, &e) != napi_ok) return 0;
    if (napi_typeof(env, e, &type) != napi_ok || type != napi_number) return 0;
    if (napi_get_value_double(env, e, &out[i]) != napi_ok) return 0;
  }
  return 1;
}

static Ticker *get_ticker(napi_env env, napi_callback_info info, napi_value *args, size_t *argc) {
  napi_value external;
  size_t n = 1;
  napi_value *argv = args ? args : &external;
  if (argc == NULL) argc = &n;
  if (napi_get_cb_info(env, info, argc, argv, NULL, NULL) != napi_ok || *argc < 1) return NULL;
  void *data = NULL;
  napi_valuetype type;
  if (napi_typeof(env, argv[0], &type) != napi_ok || type != napi_external) return NULL;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok) return NULL;
  return data;
}

/* --- exports ------------------------------------------------------------------------------------ */

static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    return throw_type(env, "start(spec, onReady): two arguments expected");
  }
  napi_valuetype type;
  napi_typeof(env, argv[1], &type);
  if (type != napi_function) return throw_type(env, "start: onReady must be a function");
  double fds[MAX_FILES], kinds[MAX_FILES], caps[MAX_FILES], vital[MAX_FILES];
  uint32_t nfiles = 0;
  if (!get_numbers(env, argv[0], "fds", fds, &nfiles) || !get_numbers(env, argv[0], "kinds", kinds, &nfiles) ||
      !get_numbers(env, argv[0], "capacities", caps, &nfiles) || !get_numbers(env, argv[0], "vital", vital, &nfiles)) {
    return throw_type(env, "start: fds, kinds, capacities and vital must be number arrays of one length (1-64)");
  }
  double interval, t0, first, last, batch;
  if (!get_number(env, argv[0], "intervalMs", &interval) || !get_number(env, argv[0], "t0Ms", &t0) ||
      !get_number(env, argv[0], "firstIndex", &first) || !get_number(env, argv[0], "lastIndex", &last) ||
      !get_number(env, argv[0], "batchTicks", &batch)) {
    return throw_type(env, "start: intervalMs, t0Ms, firstIndex, lastIndex and batchTicks must be numbers");
  }
  if (!(interval > 0) || !isfinite(t0) || !(first >= 0) || !(batch >= 1) || batch > 1e6) {
    return throw_type(env, "start: intervalMs > 0, firstIndex >= 0 and 1 <= batchTicks <= 1e6 expected");
  }
  Ticker *t = calloc(1, sizeof *t);
  if (!t) {
    napi_throw_error(env, "ENOMEM", "start: out of memory");
    return NULL;
  }
  t->nfiles = nfiles;
  for (uint32_t i = 0; i < nfiles; i++) t->files[i].fd = -1;
  for (uint32_t i = 0; i < nfiles; i++) {
    File *f = &t->files[i];
    /* A duplicate of the caller's fd: JavaScript may close its own (a reader that saw its process go)
     * while the thread still reads, and a closed fd number can be reused by an unrelated file. */
    f->fd = fcntl((int)fds[i], F_DUPFD_CLOEXEC, 0);
    if (f->fd < 0) {
      int err = errno;
      char msg[96];
      snprintf(msg, sizeof msg, "start: fd %d cannot be duplicated: %s", (int)fds[i], strerror(err));
      for (uint32_t j = 0; j < i; j++) {
        close(t->files[j].fd);
        free(t->files[j].buf);
      }
      free(t);
      napi_throw_error(env, "EBADF", msg);
      return NULL;
    }
    f->kind = kinds[i] == KIND_DIRCOUNT ? KIND_DIRCOUNT : KIND_TEXT;
    f->vital = vital[i] != 0;
    f->cap = caps[i] >= 64 && caps[i] <= MAX_FILE_BYTES ? (size_t)caps[i] : 4096;
    f->buf = f->kind == KIND_TEXT ? malloc(f->cap) : NULL;
  }
  t->interval_ms = interval;
  t->t0_ms = t0;
  t->next_index = floor(first);
  t->last_index = last >= 0 ? floor(last) : -1;
  t->batch_ticks = (size_t)batch;
  t->current = batch_new(t->batch_ticks < 256 ? t->batch_ticks : 256);
  t->ready_tail = &t->ready;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&t->cond, &attr);
  pthread_condattr_destroy(&attr);
  pthread_mutex_init(&t->mu, NULL);

  napi_value handle, name;
  napi_create_string_utf8(env, "perfscope-ticker", NAPI_AUTO_LENGTH, &name);
  if (t->current == NULL || napi_create_external(env, t, ticker_free, NULL, &handle) != napi_ok) {
    ticker_free(env, t, NULL);
    napi_throw_error(env, "ENOMEM", "start: out of memory");
    return NULL;
  }
  if (napi_create_threadsafe_function(env, argv[1], NULL, name, 0, 1, NULL, NULL, NULL, call_js, &t->tsfn) != napi_ok) {
    napi_throw_error(env, "EIO", "start: cannot create the thread-safe function");
    return NULL;
  }
  napi_unref_threadsafe_function(env, t->tsfn);
  if (napi_add_env_cleanup_hook(env, on_env_cleanup, t) == napi_ok) t->hook_added = 1;
  int rc = pthread_create(&t->thread, NULL, run, t);
  if (rc != 0) {
    char msg[96];
    snprintf(msg, sizeof msg, "start: cannot create the ticker thread: %s", strerror(rc));
    napi_throw_error(env, "EAGAIN", msg);
    return NULL;
  }
  t->thread_started = 1;
  pthread_setname_np(t->thread, "perfscope-tick"); /* as `top -H` and /proc/PID/task/TID/comm show it */
  return handle;
}

static napi_value js_drain(napi_env env, napi_callback_info info) {
  Ticker *t = get_ticker(env, info, NULL, NULL);
  if (!t) return throw_type(env, "drain(handle): a ticker handle expected");
  pthread_mutex_lock(&t->mu);
  Batch *list = t->ready;
  t->ready = NULL;
  t->ready_tail = &t->ready;
  t->signalled = 0;
  int ended = t->ended;
  /* Once the thread is joined, what it had not handed over yet is the last partial batch. */
  if (t->joined && t->current && t->current->nticks > 0) {
    Batch *rest = t->current;
    t->current = batch_new(1);
    Batch **tail = &list;
    while (*tail) tail = &(*tail)->next;
    *tail = rest;
  }
  pthread_mutex_unlock(&t->mu);

  napi_value ticks, result, flag;
  napi_create_array(env, &ticks);
  uint32_t at = 0;
  for (Batch *b = list; b;) {
    for (size_t i = 0; i < b->nticks; i++) {
      Tick *k = &b->ticks[i];
      napi_value row, v;
      napi_create_array_with_length(env, HEAD + t->nfiles, &row);
      for (uint32_t h = 0; h < HEAD; h++) {
        napi_create_double(env, k->head[h], &v);
        napi_set_element(env, row, h, v);
      }
      for (size_t f = 0; f < t->nfiles; f++) {
        if (t->files[f].kind == KIND_TEXT && k->value[f] >= 0) {
          napi_create_string_latin1(env, b->bytes + k->off[f], k->len[f], &v);
        } else {
          napi_create_double(env, k->value[f], &v);
        }
        napi_set_element(env, row, (uint32_t)(HEAD + f), v);
      }
      napi_set_element(env, ticks, at++, row);
    }
    Batch *n = b->next;
    batch_free(b);
    b = n;
  }
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "ticks", ticks);
  napi_get_boolean(env, ended, &flag);
  napi_set_named_property(env, result, "ended", flag);
  return result;
}

static napi_value js_stop(napi_env env, napi_callback_info info) {
  Ticker *t = get_ticker(env, info, NULL, NULL);
  if (!t) return throw_type(env, "stop(handle): a ticker handle expected");
  shut_down(env, t);
  return NULL;
}

static napi_value js_ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Ticker *t = get_ticker(env, info, argv, &argc);
  if (!t || argc < 2) return throw_type(env, "ref(handle, keepAlive): a ticker handle and a boolean expected");
  bool keep = false;
  napi_get_value_bool(env, argv[1], &keep);
  if (!t->tsfn_released) {
    if (keep) napi_ref_threadsafe_function(env, t->tsfn);
    else napi_unref_threadsafe_function(env, t->tsfn);
  }
  return NULL;
}

static napi_value js_monotonic(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_create_double(env, mono_ms(), &v);
  return v;
}

/* Node exposes only RUSAGE_SELF (process.resourceUsage()); a recorder needs its waited-for children. */
static napi_value js_children_usage(napi_env env, napi_callback_info info) {
  (void)info;
  struct rusage ru;
  if (getrusage(RUSAGE_CHILDREN, &ru) != 0) {
    napi_throw_error(env, "EIO", strerror(errno));
    return NULL;
  }
  napi_value out, user, sys, maxrss;
  napi_create_object(env, &out);
  napi_create_double(env, (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6, &user);
  napi_create_double(env, (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, &sys);
  napi_create_double(env, (double)ru.ru_maxrss * 1024.0, &maxrss); /* Linux: KiB */
  napi_set_named_property(env, out, "userSeconds", user);
  napi_set_named_property(env, out, "systemSeconds", sys);
  napi_set_named_property(env, out, "maxRssBytes", maxrss);
  return out;
}

/* native/proctable.c: the process table's batch read. */
napi_value perfscope_read_table(napi_env env, napi_callback_info info);
napi_value perfscope_list_pids(napi_env env, napi_callback_info info);
napi_value perfscope_open_process(napi_env env, napi_callback_info info);
napi_value perfscope_close_fds(napi_env env, napi_callback_info info);
/* native/memory.c: malloc_trim, and unmapping clean file pages. */
napi_value perfscope_trim_malloc(napi_env env, napi_callback_info info);
napi_value perfscope_release_pages(napi_env env, napi_callback_info info);

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"start", NULL, js_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"drain", NULL, js_drain, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stop", NULL, js_stop, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ref", NULL, js_ref, NULL, NULL, NULL, napi_enumerable, NULL},
      {"monotonicMs", NULL, js_monotonic, NULL, NULL, NULL, napi_enumerable, NULL},
      {"childrenUsage", NULL, js_children_usage, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readTable", NULL, perfscope_read_table, NULL, NULL, NULL, napi_enumerable, NULL},
      {"listPids", NULL, perfscope_list_pids, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openProcess", NULL, perfscope_open_process, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closeFds", NULL, perfscope_close_fds, NULL, NULL, NULL, napi_enumerable, NULL},
      {"trimMalloc", NULL, perfscope_trim_malloc, NULL, NULL, NULL, napi_enumerable, NULL},
      {"releasePages", NULL, perfscope_release_pages, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
