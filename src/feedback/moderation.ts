/**
 * What holds a customer's idea for review before other customers see it (issue 16): an idea reading
 * "URGENT… log in at http://evil.example/verify" reached other customers' /ideas list in a trial.
 * Text one customer writes and others read is never trusted: links, phone numbers, e-mail addresses,
 * Telegram @names and words from a list send it to a person first (`rapport ideas review`).
 */

/** Why an idea waits for review. */
export type ReviewReason = "link" | "phone" | "email" | "word";

/**
 * The review words when IDEAS_REVIEW_WORDS is not set: what phishing and spam lean on, in the six
 * languages customers write in. Set IDEAS_REVIEW_WORDS to replace the list (empty: no words).
 */
export const DEFAULT_REVIEW_WORDS: readonly string[] = [
  "password", "login", "log in", "verify", "urgent", "bitcoin", "crypto", "casino", "giveaway",
  "пароль", "логин", "войдите", "срочно", "казино", "криптовалют",
  "hasło", "zaloguj", "pilne", "kasyno",
  "mật khẩu", "đăng nhập", "khẩn cấp",
  "密码", "登录", "紧急", "密碼", "登入", "緊急",
];

/** Top-level domains that make "word.tld" a link even without a scheme or a path. */
const TLDS = "com|net|org|info|biz|io|co|me|ly|app|dev|xyz|top|site|online|shop|store|click|link|live|pro|club|ru|su|рф|ua|by|kz|pl|eu|de|uk|fr|vn|cn|tw|hk|jp|kr|in|us|example";

const SCHEME = /\b[a-z][a-z0-9+.-]{1,15}:\/\/\S/iu;
const WWW = /(^|[^\p{L}\p{N}])www\d?\./iu;
/** A host name followed by a path, or ending in a known top-level domain. "[.]" and "(dot)" count as dots. */
const DOMAIN = new RegExp(`[\\p{L}\\p{N}-]+(?:(?:\\.|\\s*\\[\\.\\]\\s*|\\s*\\(dot\\)\\s*)[\\p{L}\\p{N}-]+)*(?:\\.|\\s*\\[\\.\\]\\s*|\\s*\\(dot\\)\\s*)(?:(?:${TLDS})(?![\\p{L}\\p{N}])|[\\p{L}]{2,24}\\/)`, "iu");
const EMAIL = /[\p{L}\p{N}._%+-]+\s*(?:@|\[at\]|\(at\))\s*[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/iu;
/** A Telegram @username (5+ characters) sends readers to an account: treated as a link. */
const MENTION = /(^|[^\p{L}\p{N}_])@[a-z][a-z0-9_]{4,31}(?![\p{L}\p{N}_])/iu;
/** Seven or more digits in a run, allowing the separators people put in phone numbers. */
const PHONE = /\+?\d[\d\s().\-–]{5,}\d/gu;
/** Dates (15.12.2024, 2024-12-15) are not phone numbers. */
const DATE = /\b(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2})\b/gu;
/** Invisible characters that can hide or reorder what a reader sees (zero-width, bidi overrides). */
const INVISIBLE = /[\p{Cf}\p{Cc}]/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * Makes a customer's text safe to show to other customers: compatibility forms folded (full-width
 * letters, ligatures), invisible and control characters removed, white space collapsed.
 */
export function cleanCustomerText(raw: string): string {
  return raw.normalize("NFKC").replace(INVISIBLE, " ").replace(/\s+/g, " ").trim();
}

/**
 * Why `text` must be reviewed before others see it (empty: it can be shown). A review word matches at
 * the start of a word in any case, so a stem catches its inflected forms ("криптовалют" → криптовалюта);
 * words in scripts written without spaces (Chinese) match anywhere.
 */
export function reviewReasons(text: string, words: readonly string[]): ReviewReason[] {
  const t = cleanCustomerText(text).toLowerCase();
  const reasons = new Set<ReviewReason>();
  if (EMAIL.test(t)) reasons.add("email");
  const withoutEmails = t.replace(new RegExp(EMAIL.source, "giu"), " ");
  if (SCHEME.test(withoutEmails) || WWW.test(withoutEmails) || DOMAIN.test(withoutEmails) || MENTION.test(withoutEmails)) reasons.add("link");
  for (const run of withoutEmails.replace(DATE, " ").match(PHONE) ?? []) if (run.replace(/\D/g, "").length >= 7) reasons.add("phone");
  if (words.some((w) => containsWord(t, w.toLowerCase().trim()))) reasons.add("word");
  return [...reasons];
}

/** `word` at the start of a word of `text`; for scripts written without spaces, anywhere. */
function containsWord(text: string, word: string): boolean {
  if (!word) return false;
  if (CJK.test(word)) return text.includes(word);
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+");
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}`, "u").test(text);
}
