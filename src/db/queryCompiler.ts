import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";

/** The part of a generated client's configuration this module replaces (Prisma 7's `compilerWasm`). */
interface CompilerWasm {
  /** The runtime's glue module, e.g. "./query_compiler_small_bg.js": names the Wasm build it goes with. */
  importName: string;
  getQueryCompilerWasmModule(): Promise<WebAssembly.Module>;
}

/**
 * PrismaClient options that load Prisma's query compiler (Wasm) the way a small process wants it.
 * Issue 17 (idle `rapport start` ≤ 100 MB): the generated client imports the compiler as a module
 * holding its bytes as base64 text; V8 keeps a module's source for the life of the process, so the
 * text stayed twice (source and string constant: 8.4 MB with the "fast" build), and V8 compiled the
 * Wasm with its optimising tier as well (about 50 MB of code and compiler memory). Here the text is
 * read from the same file, decoded and compiled, then dropped; and the Wasm stays on Liftoff, V8's
 * baseline compiler (compileQueryCompiler). Prisma compiles a query shape once and caches the plan
 * (1,000 shapes), so the compiler's speed shows on a shape's first use only (measured: no loss per
 * ORM call), and opening a client costs less CPU (about 0.45 s instead of 0.75 s per process, which
 * CI pays per test file).
 *
 * `__internal.configOverride` is Prisma's hook for replacing a generated client's configuration; a
 * Prisma that drops it refuses the option in the constructor, so a change cannot go unnoticed.
 */
export function queryCompilerOptions(): { __internal: { configOverride: <C extends { activeProvider: string; compilerWasm?: CompilerWasm }>(config: C) => C } } {
  return {
    __internal: {
      configOverride: (config) => {
        const wasm = config.compilerWasm;
        if (!wasm) return config;
        const build = /^\.\/(query_compiler_\w+_bg)\.js$/.exec(wasm.importName)?.[1];
        if (!build) throw new Error(`the generated Prisma client names an unknown query compiler (${wasm.importName}); see src/db/queryCompiler.ts`);
        const file = `@prisma/client/runtime/${build}.${config.activeProvider}.wasm-base64.mjs`;
        return { ...config, compilerWasm: { ...wasm, getQueryCompilerWasmModule: () => compileQueryCompiler(file) } };
      },
    },
  };
}

/**
 * Compiles the Wasm whose base64 text `specifier` (a module of the form `const wasm = "…"`) holds.
 * V8 compiles each Wasm function with Liftoff, its baseline compiler, when first called, and moves
 * the busy ones to TurboFan; with the tiering budget at its largest, no function gets that far in
 * practice, which is where the ~50 MB went. (`--liftoff-only` measured the same but is a testing
 * flag that turns any Liftoff bail-out into a crash.) The flag is the process's, set before its
 * first Wasm compilation: Prisma's compiler is the only Wasm Rapport loads (Node's fetch parser, if
 * something used it, would stay on Liftoff too).
 */
async function compileQueryCompiler(specifier: string): Promise<WebAssembly.Module> {
  setFlagsFromString(`--wasm-tiering-budget=${2 ** 31 - 1}`);
  const text = readFileSync(createRequire(import.meta.url).resolve(specifier), "latin1");
  const start = text.indexOf('"') + 1;
  const end = text.indexOf('"', start);
  if (start === 0 || end < 0) throw new Error(`${specifier} does not hold the base64 text of a Wasm module as expected; see src/db/queryCompiler.ts`);
  return WebAssembly.compile(Buffer.from(text.slice(start, end), "base64"));
}
