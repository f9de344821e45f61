// A clock the benchmark can move forward: an LD_PRELOAD library that makes the node's
// wall clock (CLOCK_REALTIME, gettimeofday, time) read the real clock plus an offset that
// bench/clock.mjs writes into a small file while the node runs. The dev node's instant
// seal stamps every block with its wall clock (sp_timestamp's from_system_time), so this
// is what lets the benchmark seal a block exactly G seconds, or one day, after a market's
// last update without waiting for it (bench/measure.mjs, "pinned accrual gap").
//
// Why not libfaketime: substrate-contracts-node links jemalloc, whose initialisation calls
// clock_gettime from inside libfaketime's own initialisation; libfaketime 0.9.10 then
// reports "unexpected recursive calls to clock_gettime()" and the node never answers.
// This library therefore allocates nothing and calls no libc function that might: it
// reads the kernel clocks with raw system calls and maps the offset file once.
//
// The offset file (CARRACK_NODE_CLOCK_FILE) holds 16 bytes: the offset in nanoseconds
// as a little-endian int64, then its bitwise complement. A reader that sees the two
// disagree (the writer is half-way through) reads again, so a torn offset is never used.
// Without the variable, or with an unreadable file, the clock is the real one.
//
// Built by scripts/bench.sh: cc -O2 -shared -fPIC -o libnode-clock.so bench/node-clock.c

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/** The mapped offset file, or NULL (real clock). Set once, before the node starts threads. */
static const volatile int64_t *offset_words;

__attribute__((constructor)) static void map_offset_file(void) {
  const char *path = getenv("CARRACK_NODE_CLOCK_FILE");
  if (path == NULL || path[0] == '\0') return;
  long fd = syscall(SYS_open, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  // Mapping past the end of a shorter file would fault on the first read.
  struct stat st;
  if (syscall(SYS_fstat, fd, &st) != 0 || st.st_size < 16) {
    syscall(SYS_close, fd);
    return;
  }
  void *map = (void *)syscall(SYS_mmap, NULL, 16, PROT_READ, MAP_SHARED, fd, 0);
  syscall(SYS_close, fd);
  if (map == MAP_FAILED) return;
  offset_words = (const volatile int64_t *)map;
}

/**
 * The current offset in nanoseconds: 0 without a file, or if the file never holds a
 * consistent pair (not written by bench/clock.mjs). The benchmark verifies every block
 * timestamp it relies on, so a clock left real is reported there, not silently used.
 */
static int64_t offset_ns(void) {
  if (offset_words == NULL) return 0;
  for (int attempt = 0; attempt < 1000; attempt++) {
    int64_t value = offset_words[0];
    int64_t check = offset_words[1];
    if (value == ~check) return value;
  }
  return 0;
}

static void shift(struct timespec *ts) {
  int64_t offset = offset_ns();
  if (offset == 0) return;
  int64_t ns = (int64_t)ts->tv_nsec + offset % 1000000000;
  ts->tv_sec += offset / 1000000000 + ns / 1000000000;
  ns %= 1000000000;
  if (ns < 0) {
    ns += 1000000000;
    ts->tv_sec -= 1;
  }
  ts->tv_nsec = ns;
}

int clock_gettime(clockid_t clock, struct timespec *ts) {
  long result = syscall(SYS_clock_gettime, clock, ts);
  if (result == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) shift(ts);
  return (int)result;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  (void)tz;
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return -1;
  tv->tv_sec = ts.tv_sec;
  tv->tv_usec = ts.tv_nsec / 1000;
  return 0;
}

time_t time(time_t *out) {
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return (time_t)-1;
  if (out != NULL) *out = ts.tv_sec;
  return ts.tv_sec;
}
