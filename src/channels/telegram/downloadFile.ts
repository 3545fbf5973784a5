import type { Api } from "grammy";
import type { MediaFile } from "../../core/Channel";
import { TelegramSendError } from "./errors";

/** The Bot API serves files up to 20 MB to bots; bigger ones fail getFile. */
const MAX_FILE_BYTES = 20 * 1024 * 1024;

/**
 * Fetches a file a customer sent (getFile, then the Bot API's file URL). The URL holds the bot token,
 * so it never appears in an error message or the log.
 */
export async function downloadFile(api: Api, apiRoot: string, token: string, fileId: string): Promise<MediaFile> {
  const file = await api.getFile(fileId);
  if (!file.file_path) throw new TelegramSendError("-", `getFile gave no path for file ${fileId} (too big to download?)`);
  const res = await fetch(`${apiRoot}/file/bot${token}/${file.file_path}`);
  if (!res.ok) throw new TelegramSendError("-", `downloading file ${fileId} failed with HTTP ${res.status}`);
  const data = Buffer.from(await res.arrayBuffer());
  if (data.length > MAX_FILE_BYTES) throw new TelegramSendError("-", `file ${fileId} is larger than 20 MB`);
  return { data, fileName: file.file_path.split("/").pop() || fileId };
}
