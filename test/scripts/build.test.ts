/**
 * scripts/build.mjs: the compiled CLI is rebuilt when a source it was built from changes (so an edit
 * in src/ is never silently ignored), reused when nothing changed, split per dynamic import(), and
 * the real build's entry loads no database driver, Prisma client or channel library up front.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/testApp";

type BuildScript = { ensureBuild(options?: { root?: string }): Promise<string> };
const script = (): Promise<BuildScript> => import(new URL("../../scripts/build.mjs", import.meta.url).href) as Promise<BuildScript>;

const projects: string[] = [];
afterAll(() => { for (const p of projects) rmSync(p, { recursive: true, force: true }); });

/** A project with just an entry (src/cli/bin.ts) and a module it imports on demand. */
function project(): string {
  const root = mkdtempSync(join(tmpdir(), "rapport-build-"));
  projects.push(root);
  mkdirSync(join(root, "src/cli"), { recursive: true });
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(root, "src/cli/heavy.ts"), "export const heavy = (): string => 'heavy module loaded';\n");
  writeFileSync(join(root, "src/cli/bin.ts"), "console.log('v1');\nif (process.argv[2]) console.log((await import('./heavy')).heavy());\n");
  return root;
}

const run = (entry: string, ...args: string[]) => spawnSync(process.execPath, [fileURLToPath(entry), ...args], { encoding: "utf8" }).stdout;

describe("scripts/build.mjs", () => {
  it("rebuilds after a source changes and reuses the build while nothing does", async () => {
    const { ensureBuild } = await script();
    const root = project();
    const first = await ensureBuild({ root });
    expect(run(first)).toBe("v1\n");
    expect(await ensureBuild({ root })).toBe(first);
    const bin = join(root, "src/cli/bin.ts");
    writeFileSync(bin, "console.log('v2');\n");
    const second = await ensureBuild({ root });
    expect(second).not.toBe(first);
    expect(run(second)).toBe("v2\n");
    expect(await ensureBuild({ root })).toBe(second);
  });

  it("rebuilds when an input is replaced by an older file of another size, or deleted", async () => {
    const { ensureBuild } = await script();
    const root = project();
    const first = await ensureBuild({ root });
    const heavy = join(root, "src/cli/heavy.ts");
    writeFileSync(heavy, "export const heavy = (): string => 'restored from a backup';\n");
    utimesSync(heavy, new Date(2020, 0, 1), new Date(2020, 0, 1));
    const second = await ensureBuild({ root });
    expect(second).not.toBe(first);
    expect(run(second, "x")).toBe("v1\nrestored from a backup\n");
  });

  it("puts what a command imports on demand in its own chunk, loaded only when it runs", async () => {
    const { ensureBuild } = await script();
    const root = project();
    const entry = await ensureBuild({ root });
    expect(readFileSync(fileURLToPath(entry), "utf8")).not.toContain("heavy module loaded");
    expect(run(entry)).toBe("v1\n");
    expect(run(entry, "x")).toBe("v1\nheavy module loaded\n");
  });

  it("writes output with no character above U+00FF (V8 keeps such a file two bytes a character), meaning the same at run time", async () => {
    const { ensureBuild } = await script();
    const root = project();
    // A wide character in a string, a regular expression (with and without the u flag), an astral one, and a comment.
    writeFileSync(join(root, "src/cli/bin.ts"), [
      "// → a comment",
      "const text = 'Привет。😀';",
      "console.log(JSON.stringify([text, /[。！？]/.test('a。'), /😀$/u.test(text), [...text].length]));",
    ].join("\n"));
    const entry = await ensureBuild({ root });
    const output = readFileSync(fileURLToPath(entry), "utf8");
    expect(output.match(/[^\x00-\xff]/g) ?? []).toEqual([]);
    expect(JSON.parse(run(entry))).toEqual(["Привет。😀", true, true, 8]);
  });

  it("the real entry's static imports load no database driver, Prisma client or channel library", async () => {
    const { ensureBuild } = await script();
    const entry = fileURLToPath(await ensureBuild({ root: ROOT }));
    const loaded = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const text = readFileSync(file, "utf8");
      // Static imports only (`import … from "x"` and `import "x"` as statements, minified: several to a
      // line, no spaces); `import("x")` runs on demand.
      for (const m of text.matchAll(/(?<=^|[;\n])\s*(?:import|export)\s*(?:\{[^}]*\}|\*\s*as\s*[\w$]+|[\w$]+(?:\s*,\s*\{[^}]*\})?)\s*from\s*"([^"]+)"|(?<=^|[;\n])\s*import\s*"([^"]+)"/g)) {
        const spec = (m[1] ?? m[2])!;
        if (spec.startsWith("./")) visit(join(dirname(file), spec));
        else packages.add(spec);
      }
    };
    visit(entry);
    // The argument parser and .env reading; everything else (Prisma, drivers, grammY, Bolt, YAML) waits.
    expect([...packages].filter((p) => !p.startsWith("node:") && !["commander", "dotenv"].includes(p))).toEqual([]);
    expect(loaded.size).toBeGreaterThan(3); // the parser above follows the build's chunks
    // The generated Prisma clients (bundled, so not in `packages`): their class carries the data model.
    expect([...loaded].some((f) => readFileSync(f, "utf8").includes("runtimeDataModel"))).toBe(false);
  });
});
