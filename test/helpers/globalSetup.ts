import pg from "pg";

/** Drops test databases a crashed earlier run left on the PostgreSQL server. */
export default async function setup(): Promise<void> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server?.startsWith("postgres")) return;
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'rapport_test_%'");
    for (const r of rows) await client.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`).catch(() => undefined);
  } finally {
    await client.end();
  }
}
