import pg from "pg";

/**
 * Brings the compiled CLI (dist/, which tests that spawn `rapport` run) up to date once, before the
 * test files start: otherwise after an edit in src/ every worker's first spawn would rebuild at once.
 * Then drops test databases a crashed earlier run left on the PostgreSQL server. Only those whose creating
 * process is gone: names carry the pid (`rapport_test_<pid>_…`), and another run of the suite on the
 * same machine (a second checkout, a developer's watch mode) must keep its databases.
 */
export default async function setup(): Promise<void> {
  const buildScript = new URL("../../scripts/build.mjs", import.meta.url).href; // plain JS, typed by what we call
  const { ensureBuild } = (await import(buildScript)) as { ensureBuild(): Promise<string> };
  await ensureBuild();
  const server = process.env.TEST_DATABASE_URL;
  if (!server?.startsWith("postgres")) return;
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'rapport_test_%'");
    for (const r of rows) {
      const pid = Number(/^rapport_test_(\d+)_/.exec(r.datname as string)?.[1]);
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) continue;
      await client.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}
