import type { InboundBody } from "../core/message";

/**
 * A customer's message as one line for staff: text as written; a file as its kind and caption (the
 * file itself follows when the channel can fetch it); a location as coordinates with a map link; a
 * shared contact as name and phone number.
 */
export function describeForStaff(body: InboundBody): string {
  switch (body.kind) {
    case "text":
      return body.text;
    case "choice":
      return `[button] ${body.label ?? body.value}`;
    case "command":
      return `/${body.command}${body.payload ? ` ${body.payload}` : ""}`;
    case "media": {
      const d = body.details ?? {};
      if (body.media === "location" && typeof d.latitude === "number" && typeof d.longitude === "number") {
        const place = [d.title, d.address].filter((x) => typeof x === "string" && x).join(", ");
        return `📍 location${place ? ` ${place}` : ""}: ${d.latitude}, ${d.longitude} https://www.openstreetmap.org/?mlat=${d.latitude}&mlon=${d.longitude}`;
      }
      if (body.media === "contact") return `👤 contact: ${[d.firstName, d.lastName].filter(Boolean).join(" ")}${d.phoneNumber ? `, ${d.phoneNumber}` : ""}`;
      return `📎 ${body.media}${body.caption ? `: ${body.caption}` : ""}`;
    }
  }
}
