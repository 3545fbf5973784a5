import { describe, expect, it } from "vitest";
import { queryCompilerOptions } from "../../src/db/queryCompiler";

const override = queryCompilerOptions().__internal.configOverride;
const unused = async (): Promise<WebAssembly.Module> => { throw new Error("the generated loader must not be used"); };

describe("queryCompilerOptions", () => {
  it.each(["sqlite", "postgresql"])("compiles the %s query compiler named by the generated client from its base64 file, not through the generated import", async (provider) => {
    const config = override({ activeProvider: provider, compilerWasm: { importName: "./query_compiler_small_bg.js", getQueryCompilerWasmModule: unused } });
    const module = await config.compilerWasm!.getQueryCompilerWasmModule();
    expect(module).toBeInstanceOf(WebAssembly.Module);
    // The glue code (getRuntime, left as generated) calls these: the Wasm is the build it goes with.
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toEqual(expect.arrayContaining(["__wbindgen_start", "memory"]));
  });

  it("refuses a compiler it does not recognise, saying where to look", () => {
    expect(() => override({ activeProvider: "sqlite", compilerWasm: { importName: "./query_engine_bg.js", getQueryCompilerWasmModule: unused } }))
      .toThrow('the generated Prisma client names an unknown query compiler (./query_engine_bg.js); see src/db/queryCompiler.ts');
  });

  it("leaves a configuration without a Wasm compiler as it is", () => {
    const config = { activeProvider: "sqlite" };
    expect(override(config)).toBe(config);
  });
});
