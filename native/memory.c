/*
 * Giving freed heap memory back to the kernel: glibc keeps what a program frees in its arenas (the
 * main heap and one per thread that allocated) and returns it only from the top of the main heap.
 * A long-running agent whose transient allocations (a history query, a gzip, V8's compiler zones)
 * land in the middle of an arena keeps those pages resident for good. malloc_trim(0) walks every
 * arena and releases each whole free page (madvise MADV_DONTNEED): RSS falls, nothing moves.
 *
 * trimMalloc() -> true when glibc released something, false when it found nothing to release, null
 * where the C library is not glibc (musl returns memory by itself; no such call there).
 */
#include <node_api.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

napi_value perfscope_trim_malloc(napi_env env, napi_callback_info info) {
  napi_value out;
#if defined(__GLIBC__)
  napi_get_boolean(env, malloc_trim(0) != 0, &out);
#else
  napi_get_null(env, &out);
#endif
  return out;
}

/*
 * Unmapping clean file pages: releasePages(startHex, endHex) -> 0 or an errno. madvise(MADV_DONTNEED)
 * on [start, end) drops the range's pages from this process's page tables; for a private file mapping
 * none of whose pages was ever written (src/agent/file-pages.ts checks that in smaps first) the next
 * touch maps the same page again from the page cache (a minor fault), exactly as after the kernel
 * reclaimed it under memory pressure. The addresses come as hexadecimal text, as /proc/self/smaps
 * prints them: a double holds only 53 bits.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int hex_arg(napi_env env, napi_value v, uintptr_t *out) {
  char buf[32];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, buf, sizeof buf, &len) != napi_ok || len == 0 || len >= sizeof buf - 1) return 0;
  char *end = NULL;
  errno = 0;
  unsigned long long x = strtoull(buf, &end, 16);
  if (errno != 0 || end == NULL || *end != '\0') return 0;
  *out = (uintptr_t)x;
  return 1;
}

napi_value perfscope_release_pages(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_value out;
  uintptr_t start = 0, end = 0;
  int rc = EINVAL;
  long page = sysconf(_SC_PAGESIZE);
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == 2 && hex_arg(env, argv[0], &start) && hex_arg(env, argv[1], &end) &&
      page > 0 && start < end && start % (uintptr_t)page == 0 && end % (uintptr_t)page == 0) {
    rc = madvise((void *)start, end - start, MADV_DONTNEED) == 0 ? 0 : errno;
  }
  napi_create_int32(env, rc, &out);
  return out;
}
