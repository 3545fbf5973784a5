import type { webApi } from "@slack/bolt";

/** How long a support channel's member list is trusted before it is fetched again. */
const MEMBERS_TTL_MS = 60_000;

/**
 * Who may handle tickets: the configured allow list of Slack user ids, or else the members of the
 * support channel (fetched with conversations.members, cached for a minute). Anyone else's thread
 * messages and button presses are ignored.
 */
export class StaffDirectory {
  private members: Set<string> | undefined;
  private fetchedAt = 0;

  constructor(private readonly client: webApi.WebClient, private readonly channel: string, private readonly allowList: string[]) {}

  /** True when `userId` may claim, reply to and resolve tickets. */
  async canHandle(userId: string): Promise<boolean> {
    if (this.allowList.length > 0) return this.allowList.includes(userId);
    return (await this.currentMembers()).has(userId);
  }

  /** The support channel's members (throws a Slack platform error such as channel_not_found). */
  async currentMembers(): Promise<Set<string>> {
    if (this.members && Date.now() - this.fetchedAt < MEMBERS_TTL_MS) return this.members;
    const ids: string[] = [];
    for await (const page of this.client.paginate("conversations.members", { channel: this.channel, limit: 200 })) {
      ids.push(...(((page as { members?: string[] }).members) ?? []));
    }
    this.members = new Set(ids);
    this.fetchedAt = Date.now();
    return this.members;
  }
}
