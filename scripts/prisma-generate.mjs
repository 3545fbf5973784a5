#!/usr/bin/env node
// Generates one Prisma client per dialect from prisma/schema.prisma, offline.
//
// Why a script: a Prisma 7 client is generated for one provider, and Rapport runs on SQLite and
// PostgreSQL. We rewrite the provider line into a temporary copy per dialect. `prisma generate` only
// checks that a schema-engine binary exists (it never runs it), and these machines cannot download
// it, so PRISMA_SCHEMA_ENGINE_BINARY points at a placeholder file. Runs from `npm install`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const schema = readFileSync(join(root, "prisma/schema.prisma"), "utf8");
const work = mkdtempSync(join(tmpdir(), "rapport-prisma-"));
const placeholder = join(work, "schema-engine-placeholder");
writeFileSync(placeholder, "");
const prismaCli = join(root, "node_modules/prisma/build/index.js");
if (!existsSync(prismaCli)) {
  console.error("prisma-generate: node_modules/prisma is missing; run `npm install` first.");
  process.exit(1);
}
try {
  for (const dialect of ["sqlite", "postgresql"]) {
    const out = join(root, "src/db/generated", dialect);
    const text = schema
      .replace(/provider\s*=\s*"sqlite"/, `provider = "${dialect}"`)
      .replace(/output\s*=\s*"[^"]*"/, `output   = ${JSON.stringify(out)}`);
    const file = join(work, `schema.${dialect}.prisma`);
    writeFileSync(file, text);
    execFileSync(process.execPath, [prismaCli, "generate", "--schema", file], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: placeholder, PRISMA_HIDE_UPDATE_MESSAGE: "1",
        CHECKPOINT_DISABLE: "1" },
    });
  }
  console.log("prisma-generate: clients for sqlite and postgresql are in src/db/generated/");
} finally {
  rmSync(work, { recursive: true, force: true });
}
