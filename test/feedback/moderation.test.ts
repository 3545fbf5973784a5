/**
 * Moderated ideas (issue 16): what holds an idea for review, in English and Russian (and a Chinese
 * review word); then through the shipped flow in two languages: the author is told it will be
 * published after a check, other customers do not see it until `rapport ideas review` approves it,
 * a rejected one never appears, and the review is in the audit log.
 */
import { describe, expect, it } from "vitest";
import { cleanCustomerText, DEFAULT_REVIEW_WORDS, reviewReasons } from "../../src/feedback/moderation";
import { IdeaNotHeldError, IDEAS } from "../../src/feedback/Ideas";
import { runIdeasHeld, runIdeasReview } from "../../src/cli/ideas";
import { testDialect } from "../helpers/database";
import { useTestApps } from "../helpers/testApp";

const startApp = useTestApps();
const press = (value: string) => ({ kind: "choice" as const, value });

describe("reviewReasons", () => {
  const cases: [string, string[]][] = [
    ["URGENT… log in at http://evil.example/verify", ["link", "word"]],
    ["Dark mode for the app", []],
    ["Add dark mode.Please, and bigger fonts e.g. 16px", []],
    ["Open 24/7 and on 15.12.2024 too", []],
    ["Call me: +1 (555) 123-4567", ["phone"]],
    ["write to bob@example.com please", ["email"]],
    ["write to bob [at] example.com please", ["email"]],
    ["see www.example.org for details", ["link"]],
    ["see bit.ly/3xYz", ["link"]],
    ["join @free_bonus_channel", ["link"]],
    ["visit evil[.]com", ["link"]],
    ["ｈｔｔｐｓ：／／evil.example", ["link"]], // full-width letters fold to a link
    ["Тёмная тема в приложении", []],
    ["Срочно! Войдите на evil.ru и подтвердите пароль", ["link", "word"]],
    ["Позвоните мне: 8 (999) 123-45-67", ["phone"]],
    ["Пишите на почту иван@пример.рф", ["email"]],
    ["Скидки до 31.12 и бесплатная доставка", []],
    ["请在这里输入密码", ["word"]],
  ];
  it.each(cases)("%s → %j", (text, reasons) => {
    expect(reviewReasons(text, DEFAULT_REVIEW_WORDS).sort()).toEqual(reasons.sort());
  });

  it("matches review words at the start of a word (a stem catches its forms), in any case, from the configured list only", () => {
    expect(reviewReasons("nopassword here", ["password"])).toEqual([]);
    expect(reviewReasons("passwords are annoying", ["password"])).toEqual(["word"]);
    expect(reviewReasons("забыл пароля", ["пароль"])).toEqual([]);
    expect(reviewReasons("сообщите пароль", ["пароль"])).toEqual(["word"]);
    expect(reviewReasons("My PASSWORD reset", ["password"])).toEqual(["word"]);
    expect(reviewReasons("My password reset", [])).toEqual([]);
  });

  it("cleans invisible and reordering characters out of text shown to others", () => {
    expect(cleanCustomerText("evil\u200B.com \u202Egnp.exe\u202C  ok\n")).toBe("evil .com gnp.exe ok");
    expect(reviewReasons("e\u200Bvil.com", [])).toEqual(["link"]);
  });
});

describe(`held ideas through the flow (${testDialect})`, () => {
  it("holds an English idea with a link and a Russian one with a phone; others see them only once approved", async () => {
    const t = await startApp();
    const p = t.app.db.prisma;
    await t.say("ann", "/ideas");
    await t.say("ann", press("propose"));
    expect((await t.say("ann", "URGENT: log in at http://evil.example/verify to get points")).map((m) => m.text))
      .toEqual(["Thank you! Your idea will be up for other customers to vote on after a quick check by our team."]);
    await t.say("ivan", "/ideas", { sender: { externalUserId: "ivan", languageHint: "ru" } });
    await t.say("ivan", press("propose"), { sender: { externalUserId: "ivan", languageHint: "ru" } });
    expect((await t.say("ivan", "Позвоните мне: 8 (999) 123-45-67, расскажу идею", { sender: { externalUserId: "ivan", languageHint: "ru" } })).map((m) => m.text))
      .toEqual(["Спасибо! Ваша идея появится в списке после быстрой проверки нашей командой."]);
    await t.say("ivan", "/ideas", { sender: { externalUserId: "ivan", languageHint: "ru" } });
    await t.say("ivan", press("propose"), { sender: { externalUserId: "ivan", languageHint: "ru" } });
    expect((await t.say("ivan", "Тёмная тема в приложении", { sender: { externalUserId: "ivan", languageHint: "ru" } })).map((m) => m.text)[0]).toContain("Спасибо");

    // Bob lists the board: only the clean idea.
    await t.say("bob", "/ideas");
    expect((await t.say("bob", press("top"))).map((m) => m.text)).toEqual(["Top ideas:\n1. Тёмная тема в приложении — 👍 0", "To vote, send the number of an idea. Send 0 when you're done."]);

    const ideas = t.app.services.get(IDEAS);
    const held = await ideas.held();
    expect(held.map((h) => h.reasons)).toEqual([["link", "word"], ["phone"]]);
    let out = "";
    const sink = { write: (s: string) => { out += s; return true; } } as unknown as NodeJS.WritableStream;
    await runIdeasHeld(ideas, sink);
    expect(out).toContain("2 ideas waiting for review");
    const before = t.channel.sent.length;
    await runIdeasReview(ideas, held[1]!.id, "approve", "operator:mod", sink);
    await runIdeasReview(ideas, held[0]!.id, "reject", "operator:mod", sink);
    await t.app.jobs.runDue();
    // The approved idea's author is told it is published, in Russian; the rejected one's author hears nothing.
    expect(t.channel.sent.slice(before).map((x) => [x.to.externalUserId, x.message.text])).toEqual([
      ["ivan", "Ваша идея прошла проверку, и теперь за неё могут голосовать другие покупатели: «Позвоните мне: 8 (999) 123-45-67, расскажу идею». Отправьте /ideas, чтобы следить за голосами!"],
    ]);
    await expect(ideas.review(held[0]!.id, true, "operator:mod")).rejects.toBeInstanceOf(IdeaNotHeldError);

    await t.say("bob", "0");
    await t.say("bob", "/ideas");
    const list = (await t.say("bob", press("top"))).map((m) => m.text)[0]!;
    expect(list).toContain("Позвоните мне");
    expect(list).not.toContain("evil.example");
    expect(await p.auditEntry.findMany({ where: { action: "idea.review" }, orderBy: { id: "asc" }, select: { actor: true, targetId: true, detail: true } })).toEqual([
      { actor: "operator:mod", targetId: held[1]!.id, detail: JSON.stringify({ decision: "approve", reasons: "phone" }) },
      { actor: "operator:mod", targetId: held[0]!.id, detail: JSON.stringify({ decision: "reject", reasons: "link,word" }) },
    ]);
    expect(await p.idea.findUniqueOrThrow({ where: { id: held[0]!.id } })).toMatchObject({ status: "rejected" });
  });
});
