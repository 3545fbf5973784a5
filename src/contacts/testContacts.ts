/**
 * The console playground's test customers (issue 18): a console user chatting with the bot through
 * the web chat widget on /console/playground is the contact `webchat:pg-<digest>` (see
 * src/channels/webchat/visitor.ts, which makes these ids). They are real contacts, so flows, points
 * and history work as for anyone, but they are nobody's customers: reports do not count them and
 * campaign audiences do not select them (a campaign listing one under `contacts:` still reaches it,
 * for trying a campaign on oneself). They stay findable in the console's contact search.
 */
export const PLAYGROUND_ID_PREFIX = "pg-";

/**
 * SQL selecting the contact ids of playground test customers, for `NOT IN (…)` in plain-SQL reports.
 * A range on the identities' primary key (channel, external_id), the same on both databases ('.'
 * follows '-'), rather than LIKE, which PostgreSQL cannot answer from that index in every collation.
 */
export const TEST_CONTACT_IDS_SQL = `SELECT contact_id FROM channel_identities WHERE channel = 'webchat' AND external_id >= '${PLAYGROUND_ID_PREFIX}' AND external_id < 'pg.'`;

/** Prisma `where` on contacts: not a playground test customer. */
export const NOT_A_TEST_CONTACT = { identities: { none: { channel: "webchat", externalId: { startsWith: PLAYGROUND_ID_PREFIX } } } } as const;
