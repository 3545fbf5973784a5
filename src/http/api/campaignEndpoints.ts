import type { Endpoint } from "./loyaltyEndpoints";

/** `GET /api/v1/campaigns` (scope `campaigns`): the campaign files and the campaigns sent, with their state. */
export const getCampaigns: Endpoint = async (app) => {
  const files = app.campaigns.files().map((c) => c.name);
  const sent = await app.db.prisma.campaign.findMany({ select: { name: true, status: true, ongoing: true, startAt: true, finishedAt: true }, orderBy: { createdAt: "asc" } });
  return { status: 200, body: { files, campaigns: sent.map((c) => ({ ...c, startAt: c.startAt.toISOString(), finishedAt: c.finishedAt?.toISOString() ?? null })) } };
};

/** `GET /api/v1/campaigns/<name>/preview`: as `rapport campaigns preview --json`; nothing is sent. */
export const getPreview: Endpoint = async (app, _req, [name]) => ({ status: 200, body: await app.campaigns.preview(name!) });

/** `GET /api/v1/campaigns/<name>`: the report, as `rapport campaigns status --json`. */
export const getStatus: Endpoint = async (app, _req, [name]) => ({ status: 200, body: await app.campaigns.report(name!) });

/** `POST /api/v1/campaigns/<name>/send`: hands it to the running bot (audited with the key's name); 409 if sent before. */
export const postSend: Endpoint = async (app, _req, [name], caller) => {
  const row = await app.campaigns.send(name!, caller.actor);
  return { status: 201, body: { campaign: row.name, status: row.status, startAt: row.startAt.toISOString() } };
};

/** `POST /api/v1/campaigns/<name>/pause|resume|cancel` (audited); 409 when the campaign's state does not allow it. */
export const postChange: Endpoint = async (app, _req, [name, action], caller) => {
  const row = await app.campaigns.change(name!, action as "pause" | "resume" | "cancel", caller.actor);
  return { status: 200, body: { campaign: row.name, status: row.status } };
};
