/*
 * The host-wide process table's per-tick read (src/sampling/process-table.ts), in C: for every kept
 * process, pread its schedstat (and statm) and, only when the process ran or its memory changed, stat,
 * status, io and an fstat of fd/ — parsed here into numbers, so JavaScript receives a Float64Array row
 * per process instead of four strings. Same decisions as the JavaScript path (see process-table.ts),
 * which stays the fallback.
 *
 * readTable(fds: Int32Array, state: Float64Array, out: Float64Array, slots: number, alwaysFull: boolean,
 *           swapOff: boolean)
 *   fds   6 per slot: schedstat, statm, stat, status, io, fd/ (-1 = not open; a slot whose stat is -1 is skipped)
 *   state 4 per slot, kept between calls: schedstat hash, statm hash, num_threads, flags (1 no schedstat,
 *         2 io denied); a hash of 0 means "not read yet"
 *   out   OUT_FIELDS per slot, written for every slot read (see the O_* indexes); a slot's row keeps
 *         its last values between calls (a read that skips status leaves the context switches as they were)
 *   swapOff  no swap device is active (the caller read /proc/swaps this tick): every VmSwap is 0, so
 *         status is read only for the context switches, i.e. only when the main thread ran
 * Returns the number of slots read.
 *
 * listPids(dirFd: number, out: Int32Array): number
 *   The PIDs in the /proc directory open at dirFd (getdents64 from offset 0), written to out; returns how
 *   many there are (more than out.length: only the first out.length written, call again with a bigger
 *   array), or -errno. A third of readdirSync's CPU (16 vs 70 µs for 80 PIDs, hot loop on this VM): no
 *   string per entry.
 *
 * openProcess(dirFd: number, pid: number, fds: Int32Array, at: number): number
 *   Opens <pid>/schedstat, statm, stat, status, io and fd/ relative to the /proc open at dirFd into
 *   fds[at..at+5] (the F_* order of readTable; -1 for one that cannot be opened). Returns 0, or -errno
 *   when stat cannot be opened (then none is left open).
 * closeFds(fds: Int32Array, at: number, count: number): undefined
 *   Closes fds[at..at+count-1] that are >= 0 and sets them to -1.
 * One call each instead of six openSync / closeSync: a process born and gone costs ~15 µs less in
 * JavaScript (bench/serve.bench.ts --churn).
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { F_SCHED = 0, F_STATM, F_STAT, F_STATUS, F_IO, F_FD, FDS_PER_SLOT };
enum { S_SCHED = 0, S_STATM, S_THREADS, S_FLAGS, STATE_PER_SLOT };
enum { FLAG_NO_SCHED = 1, FLAG_IO_DENIED = 2 };
enum { KIND_IDLE = 0, KIND_FULL = 1, KIND_MEMORY = 2, KIND_GONE = 3, KIND_ERROR = 4 };
enum {
  O_KIND = 0, O_ERRNO, O_STATE, O_PPID, O_FLAGS, O_MINFLT, O_MAJFLT, O_UTIME, O_STIME, O_THREADS, O_START,
  O_VMS_PAGES, O_RSS_PAGES, O_SWAP_KB, O_VOL, O_INVOL, O_RCHAR, O_WCHAR, O_READ_BYTES, O_WRITE_BYTES,
  O_IO_ERRNO, O_FDS, O_FD_ERRNO, O_COMM_HASH, OUT_FIELDS
};

#define BUF_BYTES 16384
static char buf[BUF_BYTES];

/* pread at 0 into buf (NUL-terminated); bytes read or -errno. A file longer than the buffer is cut:
 * the fields we parse sit in the first few hundred bytes of each file. */
static ssize_t read_fd(int fd) {
  for (;;) {
    ssize_t n = pread(fd, buf, BUF_BYTES - 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    buf[n] = 0;
    return n;
  }
}

static uint32_t fnv1a(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 16777619u;
  }
  return h ? h : 1; /* 0 means "not read yet" */
}

/* The number at p (blanks skipped); *end after it. */
static double num(const char *p, const char **end) {
  while (*p == ' ' || *p == '\t') p++;
  int neg = 0;
  if (*p == '-') {
    neg = 1;
    p++;
  }
  double v = 0;
  while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
  if (end) *end = p;
  return neg ? -v : v;
}

/* The value after "\n<key>" in text, or -1 when absent. */
static double key_num(const char *text, const char *key) {
  const char *at = strstr(text, key);
  if (!at) return -1;
  return num(at + strlen(key), NULL);
}

static int gone(ssize_t err) { return err == -ESRCH || err == -ENOENT; }

/* stat: fields after the comm (the text after the LAST ')'). 0, or -errno / -EINVAL on a bad line. */
static int read_stat(int fd, double *o) {
  ssize_t n = read_fd(fd);
  if (n < 0) return (int)n;
  char *open = memchr(buf, '(', (size_t)n);
  char *close = memrchr(buf, ')', (size_t)n);
  if (!open || !close || close < open || close[1] != ' ') return -EINVAL;
  o[O_COMM_HASH] = fnv1a(open + 1, (size_t)(close - open - 1));
  const char *p = close + 2;
  o[O_STATE] = (unsigned char)*p;
  p++;
  double f[20];
  /* fields 4..22: ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime
   * cstime priority nice num_threads itrealvalue starttime */
  for (int i = 0; i < 19; i++) f[i] = num(p, &p);
  o[O_PPID] = f[0];
  o[O_FLAGS] = f[5];
  o[O_MINFLT] = f[6];
  o[O_MAJFLT] = f[8];
  o[O_UTIME] = f[10];
  o[O_STIME] = f[11];
  o[O_THREADS] = f[16];
  o[O_START] = f[18];
  return 0;
}

/* statm: size resident ...; returns 1 when it changed (hash), 0 when not, -errno. */
static int read_statm(int fd, double *st, double *o) {
  ssize_t n = read_fd(fd);
  if (n < 0) return (int)n;
  uint32_t h = fnv1a(buf, (size_t)n);
  const char *p = buf;
  o[O_VMS_PAGES] = num(p, &p);
  o[O_RSS_PAGES] = num(p, &p);
  if ((double)h == st[S_STATM]) return 0;
  st[S_STATM] = h;
  return 1;
}

static int read_status(int fd, double *o, int swap_only) {
  ssize_t n = read_fd(fd);
  if (n < 0) return (int)n;
  double swap = key_num(buf, "\nVmSwap:");
  o[O_SWAP_KB] = swap < 0 ? 0 : swap;
  if (swap_only) return 0;
  double vol = key_num(buf, "\nvoluntary_ctxt_switches:");
  double invol = key_num(buf, "\nnonvoluntary_ctxt_switches:");
  o[O_VOL] = vol < 0 ? 0 : vol;
  o[O_INVOL] = invol < 0 ? 0 : invol;
  return 0;
}

static void read_io(int fd, double *st, double *o) {
  o[O_IO_ERRNO] = 0;
  if (fd < 0 || ((int)st[S_FLAGS] & FLAG_IO_DENIED)) {
    o[O_IO_ERRNO] = EACCES;
    return;
  }
  ssize_t n = read_fd(fd);
  if (n < 0) {
    o[O_IO_ERRNO] = (double)-n;
    if (n == -EACCES || n == -EPERM) st[S_FLAGS] = (double)((int)st[S_FLAGS] | FLAG_IO_DENIED);
    return;
  }
  o[O_RCHAR] = key_num(buf, "rchar:");
  o[O_WCHAR] = key_num(buf, "wchar:");
  o[O_READ_BYTES] = key_num(buf, "\nread_bytes:");
  o[O_WRITE_BYTES] = key_num(buf, "\nwrite_bytes:");
}

/* fd count from the size of the kept fd/ directory (kernel >= 6.2); -1 when JS must list it. */
static void read_fds(int fd, double *o) {
  o[O_FD_ERRNO] = 0;
  if (fd < 0) {
    o[O_FDS] = -1;
    o[O_FD_ERRNO] = EBADF;
    return;
  }
  struct stat s;
  if (fstat(fd, &s) != 0) {
    o[O_FDS] = -1;
    o[O_FD_ERRNO] = errno;
    return;
  }
  o[O_FDS] = s.st_size > 0 ? (double)s.st_size : -1;
}

/* One slot; returns its kind. */
static int read_slot(const int32_t *fds, double *st, double *o, int always_full, int swap_off) {
  int full = always_full || ((int)st[S_FLAGS] & FLAG_NO_SCHED) || st[S_THREADS] != 1 || st[S_SCHED] == 0;
  /* Whether the main thread may have run since the last read: its context switches (status) may have moved. */
  int main_ran = always_full || ((int)st[S_FLAGS] & FLAG_NO_SCHED) || st[S_SCHED] == 0;
  if (!((int)st[S_FLAGS] & FLAG_NO_SCHED)) {
    ssize_t n = fds[F_SCHED] >= 0 ? read_fd(fds[F_SCHED]) : -EBADF;
    if (n < 0) {
      if (n == -ESRCH) return KIND_GONE; /* a kept fd of an exited process */
      if (n == -ENOENT || n == -EBADF) {
        st[S_FLAGS] = (double)((int)st[S_FLAGS] | FLAG_NO_SCHED);
        full = 1;
        main_ran = 1;
      } else {
        o[O_ERRNO] = (double)-n;
        return KIND_ERROR;
      }
    } else {
      uint32_t h = fnv1a(buf, (size_t)n);
      if ((double)h != st[S_SCHED]) full = main_ran = 1;
      st[S_SCHED] = h;
    }
  }
  if (!full) {
    int changed = read_statm(fds[F_STATM], st, o);
    if (changed < 0) return gone(changed) ? KIND_GONE : (o[O_ERRNO] = -changed, KIND_ERROR);
    if (!changed) return KIND_IDLE;
    if (swap_off) {
      o[O_SWAP_KB] = 0;
      return KIND_MEMORY;
    }
    int r = read_status(fds[F_STATUS], o, 1);
    if (r < 0) return gone(r) ? KIND_GONE : (o[O_ERRNO] = -r, KIND_ERROR);
    return KIND_MEMORY;
  }
  int r = read_stat(fds[F_STAT], o);
  if (r == 0) {
    int m = read_statm(fds[F_STATM], st, o);
    r = m < 0 ? m : 0;
  }
  /* status (10.5 µs, the dearest file) holds VmSwap and the main thread's context switches: with no
   * swap and a main thread that did not run (a multi-threaded process whose other threads ran),
   * neither can have moved. */
  if (r == 0) {
    if (swap_off && !main_ran) o[O_SWAP_KB] = 0;
    else r = read_status(fds[F_STATUS], o, 0);
  }
  if (r < 0) {
    if (gone(r)) return KIND_GONE;
    o[O_ERRNO] = -r;
    return KIND_ERROR;
  }
  st[S_THREADS] = o[O_THREADS];
  read_io(fds[F_IO], st, o);
  read_fds(fds[F_FD], o);
  /* A kernel thread has no fd table: its fd/ is empty (size 0), nothing to list. */
  if (o[O_FDS] < 0 && o[O_FD_ERRNO] == 0 && ((uint64_t)o[O_FLAGS] & 0x00200000u)) o[O_FDS] = 0;
  return KIND_FULL;
}

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_type_error(env, "EINVAL", msg);
  return NULL;
}

static int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, v, &type, len, data, NULL, NULL) != napi_ok) return 0;
  return type == want;
}

napi_value perfscope_read_table(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6) return fail(env, "readTable(fds, state, out, slots, alwaysFull, swapOff)");
  int32_t *fds;
  double *state, *out;
  size_t nf, ns, no;
  if (!typed(env, argv[0], napi_int32_array, (void **)&fds, &nf)) return fail(env, "readTable: fds must be an Int32Array");
  if (!typed(env, argv[1], napi_float64_array, (void **)&state, &ns)) return fail(env, "readTable: state must be a Float64Array");
  if (!typed(env, argv[2], napi_float64_array, (void **)&out, &no)) return fail(env, "readTable: out must be a Float64Array");
  uint32_t slots = 0;
  bool always = false;
  if (napi_get_value_uint32(env, argv[3], &slots) != napi_ok) return fail(env, "readTable: slots must be a number");
  bool swap_off = false;
  napi_get_value_bool(env, argv[4], &always);
  napi_get_value_bool(env, argv[5], &swap_off);
  if ((size_t)slots * FDS_PER_SLOT > nf || (size_t)slots * STATE_PER_SLOT > ns || (size_t)slots * OUT_FIELDS > no) {
    return fail(env, "readTable: arrays too short for that many slots");
  }
  uint32_t read = 0;
  for (uint32_t i = 0; i < slots; i++) {
    const int32_t *f = fds + (size_t)i * FDS_PER_SLOT;
    if (f[F_STAT] < 0) continue;
    double *o = out + (size_t)i * OUT_FIELDS;
    o[O_ERRNO] = 0;
    o[O_KIND] = read_slot(f, state + (size_t)i * STATE_PER_SLOT, o, always, swap_off);
    read++;
  }
  napi_value result;
  napi_create_uint32(env, read, &result);
  return result;
}

napi_value perfscope_list_pids(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return fail(env, "listPids(dirFd, out)");
  int32_t dir_fd;
  if (napi_get_value_int32(env, argv[0], &dir_fd) != napi_ok) return fail(env, "listPids: dirFd must be a number");
  int32_t *out;
  size_t cap;
  if (!typed(env, argv[1], napi_int32_array, (void **)&out, &cap)) return fail(env, "listPids: out must be an Int32Array");
  int64_t count = 0;
  if (lseek(dir_fd, 0, SEEK_SET) < 0) count = -errno;
  while (count >= 0) {
    long n = syscall(SYS_getdents64, dir_fd, buf, BUF_BYTES);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      count = -errno;
      break;
    }
    if (n == 0) break;
    for (long at = 0; at < n;) {
      const struct dirent64 *d = (const struct dirent64 *)(buf + at);
      at += d->d_reclen;
      const char *p = d->d_name;
      if (*p < '1' || *p > '9') continue; /* PIDs start with 1-9; everything else in /proc is not a process */
      int64_t pid = 0;
      while (*p >= '0' && *p <= '9' && pid <= INT32_MAX) pid = pid * 10 + (*p++ - '0');
      if (*p != 0 || pid > INT32_MAX) continue;
      if ((size_t)count < cap) out[count] = (int32_t)pid;
      count++;
    }
  }
  napi_value result;
  napi_create_int64(env, count, &result);
  return result;
}

napi_value perfscope_open_process(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) return fail(env, "openProcess(dirFd, pid, fds, at)");
  int32_t dir_fd, pid;
  uint32_t at;
  int32_t *fds;
  size_t cap;
  if (napi_get_value_int32(env, argv[0], &dir_fd) != napi_ok || napi_get_value_int32(env, argv[1], &pid) != napi_ok || pid <= 0) {
    return fail(env, "openProcess: dirFd and pid must be numbers");
  }
  if (!typed(env, argv[2], napi_int32_array, (void **)&fds, &cap)) return fail(env, "openProcess: fds must be an Int32Array");
  if (napi_get_value_uint32(env, argv[3], &at) != napi_ok || (size_t)at + FDS_PER_SLOT > cap) return fail(env, "openProcess: at is past the array");
  static const char *const names[FDS_PER_SLOT] = {"schedstat", "statm", "stat", "status", "io", "fd"};
  char path[64];
  int32_t *f = fds + at;
  int result = 0;
  for (int i = 0; i < FDS_PER_SLOT; i++) f[i] = -1;
  for (int i = F_STAT, k = 0; k < FDS_PER_SLOT; k++, i = (F_STAT + k) % FDS_PER_SLOT) {
    snprintf(path, sizeof path, "%d/%s", pid, names[i]);
    int fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | (i == F_FD ? O_DIRECTORY : 0));
    if (fd < 0 && i == F_STAT) {
      result = -errno;
      break;
    }
    f[i] = fd < 0 ? -1 : fd;
  }
  napi_value out;
  napi_create_int32(env, result, &out);
  return out;
}

napi_value perfscope_close_fds(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) return fail(env, "closeFds(fds, at, count)");
  int32_t *fds;
  size_t cap;
  uint32_t at, count;
  if (!typed(env, argv[0], napi_int32_array, (void **)&fds, &cap)) return fail(env, "closeFds: fds must be an Int32Array");
  if (napi_get_value_uint32(env, argv[1], &at) != napi_ok || napi_get_value_uint32(env, argv[2], &count) != napi_ok || (size_t)at + count > cap) {
    return fail(env, "closeFds: at + count is past the array");
  }
  for (uint32_t i = at; i < at + count; i++) {
    if (fds[i] >= 0) close(fds[i]);
    fds[i] = -1;
  }
  return NULL;
}
