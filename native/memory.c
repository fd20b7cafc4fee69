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
