// glibc malloc settings for `rapport start` (issue 17: idle ≤ 100 MB, bench peak ≤ 103 MB), given by
// bin/rapport.mjs, and to the bench's children as start gets them.
//
// Why: glibc gives each thread that allocates its own malloc arena, up to 8 per core, and keeps what
// was freed in each. V8's compiler and GC threads made five of them, 13-16 MB resident at the bench's
// peak (bench/README.md, "Footprint"). MALLOC_ARENA_MAX=2 puts every other thread in one arena beside
// the main thread's: 6-10 MB less at the bench's peak and after a collection on both databases, CPU
// per message within the machine's spread (README figures).
//
// How: glibc reads it only as a process starts, so start is re-executed once with it, by
// process.execve (Node.js 22.15+, 23.11+, 24): the same process, PID, terminal and file descriptors,
// so systemd, Docker and a terminal chat see no difference, for one more Node.js start-up (~50 ms)
// in `rapport start` only; the short commands (issue 17's 0.4 s) are not re-executed. A Node.js
// without process.execve (20) runs start as it is: a second process to wrap it would cost more
// memory (~7 MB of its own) than the arenas save. An operator's own MALLOC_ARENA_MAX is kept as set.

/** What `rapport start` adds to its environment. */
export const START_MALLOC_ENV = Object.freeze({ MALLOC_ARENA_MAX: "2" });

/** Whether `rapport start` runs with START_MALLOC_ENV under this Node.js and environment. */
export function startGetsMallocEnv(env = process.env) {
  return process.platform === "linux" && typeof process.execve === "function" && env.MALLOC_ARENA_MAX === undefined;
}

/**
 * Re-executes this process with START_MALLOC_ENV when startGetsMallocEnv(); returns otherwise. Call it
 * first thing, before anything is loaded or built.
 */
export function execStartWithMallocEnv() {
  if (!startGetsMallocEnv()) return;
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, ...START_MALLOC_ENV });
}
