#!/usr/bin/env node
// `npm run db:migration -- <name>`: writes prisma/migrations/{sqlite,postgresql}/NNNN_<name>.sql from
// the difference between prisma/schema.prisma and prisma/migrations/schema.snapshot.prisma (the schema
// as of the last migration), then updates the snapshot.
//
// Why not `prisma migrate dev`: Prisma 7's CLI needs a schema-engine binary that these machines cannot
// download. Prisma 6.19's CLI carries a Wasm schema engine (`engine: "js"` in prisma.config.ts), and its
// `migrate diff` generates SQL for both dialects offline. It is installed into a scratch folder on
// demand (from the npm registry), so it never becomes a dependency of the app.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name>   (name: lowercase letters, digits, _)");
  process.exit(2);
}
const schemaFile = join(root, "prisma/schema.prisma");
const snapshotFile = join(root, "prisma/migrations/schema.snapshot.prisma");
const tool = join(tmpdir(), "rapport-prisma6-tool");
if (!existsSync(join(tool, "node_modules/prisma"))) {
  mkdirSync(tool, { recursive: true });
  writeFileSync(join(tool, "package.json"), JSON.stringify({ name: "rapport-prisma6-tool", private: true }));
  console.log("installing prisma@6.19 into", tool);
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "prisma@6.19", "@prisma/adapter-better-sqlite3@6.19", "better-sqlite3"], { cwd: tool, stdio: "inherit" });
}
const work = mkdtempSync(join(tmpdir(), "rapport-migration-"));
const placeholder = join(work, "placeholder");
writeFileSync(placeholder, "");
writeFileSync(join(tool, "prisma.config.ts"), `import { defineConfig } from "prisma/config";
export default defineConfig({ experimental: { adapter: true }, engine: "js",
  adapter: async () => { const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3"); return new PrismaBetterSQLite3({ url: "file:${join(work, "x.db")}" }); } });
`);

/** The schema rewritten for one dialect in Prisma 6's syntax (url in the datasource, classic generator). */
function forDialect(text, dialect) {
  const url = dialect === "sqlite" ? "file:./x.db" : "postgresql://x@localhost/x";
  return text
    .replace(/provider\s*=\s*"sqlite"/, `provider = "${dialect}"\n  url      = "${url}"`)
    .replace(/provider\s*=\s*"prisma-client"/, 'provider = "prisma-client-js"')
    .replace(/\n\s*output\s*=.*/, "");
}

let wrote = 0;
for (const dialect of ["sqlite", "postgresql"]) {
  const from = join(work, `from.${dialect}.prisma`);
  const to = join(work, `to.${dialect}.prisma`);
  writeFileSync(from, forDialect(readFileSync(snapshotFile, "utf8"), dialect));
  writeFileSync(to, forDialect(readFileSync(schemaFile, "utf8"), dialect));
  const sql = execFileSync(process.execPath, [join(tool, "node_modules/prisma/build/index.js"), "migrate", "diff", "--from-schema-datamodel", from, "--to-schema-datamodel", to, "--script"], {
    cwd: tool, encoding: "utf8", env: { ...process.env, PRISMA_QUERY_ENGINE_LIBRARY: placeholder, PRISMA_SCHEMA_ENGINE_BINARY: placeholder, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  if (!/\b(CREATE|ALTER|DROP)\b/i.test(sql)) { console.log(`${dialect}: schema unchanged since the last migration`); continue; }
  const dir = join(root, "prisma/migrations", dialect);
  const next = String(readdirSync(dir).filter((f) => f.endsWith(".sql")).length + 1).padStart(4, "0");
  const file = join(dir, `${next}_${name}.sql`);
  writeFileSync(file, sql);
  console.log("wrote", file);
  wrote++;
}
if (wrote > 0) copyFileSync(schemaFile, snapshotFile);
