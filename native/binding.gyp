{
  "targets": [
    {
      "target_name": "perfscope_native",
      "sources": ["ticker.c", "proctable.c", "memory.c"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"],
      "libraries": ["-lpthread", "-lm"]
    }
  ]
}
