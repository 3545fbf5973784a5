import type { Message } from "grammy/types";
import type { InboundBody, MediaKind } from "../../core/message";

type MediaBody = Extract<InboundBody, { kind: "media" }>;

/**
 * Maps a non-text message (photo, sticker, voice, document, location, contact, …) to a media body
 * with its kind, file id and the details staff need to find it again; the history keeps them all.
 * Undefined for service messages (a member joined, a message was pinned): the customer sent nothing.
 */
export function mediaOf(m: Message): MediaBody | undefined {
  const caption = m.caption;
  const media = (kind: MediaKind, fileId: string | undefined, details: Record<string, unknown>): MediaBody =>
    ({ kind: "media", media: kind, ...(fileId ? { fileId } : {}), ...(caption !== undefined ? { caption } : {}), details: withoutUndefined(details) });

  if (m.photo?.length) {
    const largest = m.photo[m.photo.length - 1]!;
    return media("photo", largest.file_id, { fileUniqueId: largest.file_unique_id, width: largest.width, height: largest.height });
  }
  if (m.sticker) return media("sticker", m.sticker.file_id, { fileUniqueId: m.sticker.file_unique_id, emoji: m.sticker.emoji, setName: m.sticker.set_name });
  if (m.voice) return media("voice", m.voice.file_id, { fileUniqueId: m.voice.file_unique_id, duration: m.voice.duration, mimeType: m.voice.mime_type });
  if (m.audio) return media("audio", m.audio.file_id, { fileUniqueId: m.audio.file_unique_id, duration: m.audio.duration, title: m.audio.title });
  if (m.animation) return media("video", m.animation.file_id, { fileUniqueId: m.animation.file_unique_id, animation: true, duration: m.animation.duration });
  if (m.video) return media("video", m.video.file_id, { fileUniqueId: m.video.file_unique_id, duration: m.video.duration });
  if (m.video_note) return media("video", m.video_note.file_id, { fileUniqueId: m.video_note.file_unique_id, videoNote: true, duration: m.video_note.duration });
  if (m.document) return media("document", m.document.file_id, { fileUniqueId: m.document.file_unique_id, fileName: m.document.file_name, mimeType: m.document.mime_type });
  if (m.venue) return media("location", undefined, { latitude: m.venue.location.latitude, longitude: m.venue.location.longitude, title: m.venue.title, address: m.venue.address });
  if (m.location) return media("location", undefined, { latitude: m.location.latitude, longitude: m.location.longitude });
  if (m.contact) return media("contact", undefined, { phoneNumber: m.contact.phone_number, firstName: m.contact.first_name, lastName: m.contact.last_name, userId: m.contact.user_id });
  const other = OTHER_CONTENT.find((k) => m[k] !== undefined);
  return other ? media("other", undefined, { type: other }) : undefined;
}

/** Message fields that are something the customer sent, but nothing Rapport can show or answer. */
const OTHER_CONTENT = ["poll", "dice", "game", "story", "invoice", "paid_media", "checklist", "giveaway"] as const satisfies readonly (keyof Message)[];

function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
