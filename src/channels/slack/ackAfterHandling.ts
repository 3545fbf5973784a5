import type { SocketModeReceiver } from "@slack/bolt";
import type { Logger } from "../../core/log";

/** What @slack/socket-mode's client emits as `slack_event` (its own type is not exported through Bolt). */
interface SocketEnvelope {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  type: string;
  body: Record<string, unknown>;
  retry_num?: number;
  retry_reason?: string;
}

/**
 * Socket Mode with HTTP mode's `processBeforeResponse`: Bolt acknowledges an Events API envelope
 * before any listener runs, so a staff reply could be acknowledged and then fail to store (issue 13).
 * This replaces the receiver's envelope handler with one that acknowledges an event only after the
 * app processed it; when processing fails (the listener rethrows what could not be stored) it is
 * left unacknowledged and Slack delivers it again. Button presses and other interactive envelopes
 * are acknowledged when the listener calls ack(), as before: their answers are due within 3 s.
 */
export function ackEventsAfterHandling(receiver: SocketModeReceiver, log: Logger): void {
  const client = receiver.client;
  client.removeAllListeners("slack_event");
  client.on("slack_event", async (envelope: SocketEnvelope) => {
    const deferred = envelope.type === "events_api";
    let response: Record<string, unknown> | undefined;
    let acked = false;
    const ack = async (body?: Record<string, unknown>) => {
      if (acked) return;
      acked = true;
      if (deferred) response = body;
      else await envelope.ack(body);
    };
    const app = (receiver as unknown as { app?: { processEvent(event: unknown): Promise<void> } }).app;
    try {
      await app?.processEvent({ body: envelope.body, ack, retryNum: envelope.retry_num, retryReason: envelope.retry_reason, customProperties: {} });
    } catch (error) {
      log.warn("Slack event not acknowledged; Slack delivers it again", { type: envelope.type, retryNum: envelope.retry_num, error: error as Error });
      return;
    }
    if (deferred) await envelope.ack(response).catch((error: unknown) => log.warn("could not acknowledge a Slack event", { error: error as Error }));
  });
}
