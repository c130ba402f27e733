// Handing the conversation to a human. In hours: ask the host to route it now. Out of hours: make sure we
// have an email (the contact's, a collected one, or ask for it) and promise a follow-up.
import { extractEmail, isValidEmail } from "../forms/email.js";
import { isWithinBusinessHours } from "./businessHours.js";
import type { Turn } from "./turn.js";

export const HANDOFF_MESSAGES = {
  inHours: "I'm connecting you with a member of our team — they'll reply here shortly.",
  offline: "Our team is offline right now.",
  askEmail: "What's the best email address to reach you? We'll follow up as soon as we're back.",
  followUp: (email: string) => `Thanks — we'll follow up at ${email} as soon as we're back.`,
  reaskEmail: "That email address doesn't look right — could you type it again, like name@example.com?",
  noEmail: "No problem — a member of our team will pick this up here as soon as we're back.",
};

type HandoffOptions = { team?: string; skill?: string; message?: string; routeId?: string };

/** An email we already hold: the contact's, or any collected email-looking field. */
function knownEmail(turn: Turn): string | undefined {
  if (turn.ctx.contact?.email) return turn.ctx.contact.email;
  for (const v of Object.values(turn.state.fields)) if (typeof v === "string" && isValidEmail(v)) return v;
  return undefined;
}

/** Ends any active route (as abandoned) and hands off. Route handoff steps complete their route first. */
export function requestHandoff(turn: Turn, reason: string, opts: HandoffOptions = {}): void {
  const active = turn.state.active;
  const routeId = opts.routeId ?? active?.routeId;
  if (active) {
    turn.event({
      type: "route.abandoned",
      routeId: active.routeId,
      stepId: active.stepId,
      reason: `handoff:${reason}`,
    });
    turn.state.active = null;
  }
  const outOfHours = !isWithinBusinessHours(turn.ctx.now, turn.ctx.timeZone, turn.ctx.businessHours);
  const base = { reason, team: opts.team, skill: opts.skill, routeId, outOfHours, emailAttempts: 0 };
  if (!outOfHours) {
    turn.reply({ kind: "system", text: opts.message ?? HANDOFF_MESSAGES.inHours });
    finish(turn, { ...base, status: "requested" });
    return;
  }
  const email = knownEmail(turn);
  if (email) {
    turn.reply({ kind: "system", text: `${HANDOFF_MESSAGES.offline} ${HANDOFF_MESSAGES.followUp(email)}` });
    finish(turn, { ...base, status: "requested" }, email);
    return;
  }
  turn.state.handoff = { ...base, status: "awaiting_email" };
  turn.reply({ kind: "ask", text: `${HANDOFF_MESSAGES.offline} ${HANDOFF_MESSAGES.askEmail}` });
  turn.event({ type: "handoff.email_requested", reason });
}

function finish(turn: Turn, h: NonNullable<Turn["state"]["handoff"]>, followUpEmail?: string): void {
  turn.state.handoff = { ...h, status: "requested" };
  turn.command({
    type: "handoff",
    reason: h.reason,
    team: h.team,
    skill: h.skill,
    outOfHours: h.outOfHours,
    followUpEmail,
    routeId: h.routeId,
    fields: { ...turn.state.fields },
  });
  turn.event({
    type: "handoff.requested",
    reason: h.reason,
    outOfHours: h.outOfHours,
    team: h.team,
    skill: h.skill,
  });
}

/** The turn after we asked for an email out of hours. Two tries, then hand off without one. */
export function continueFollowUpEmail(turn: Turn): void {
  const h = turn.state.handoff;
  if (!h) return;
  const email = extractEmail(turn.text);
  if (email.ok) {
    turn.reply({ kind: "system", text: HANDOFF_MESSAGES.followUp(email.value) });
    finish(turn, h, email.value);
    return;
  }
  const attempts = h.emailAttempts + 1;
  if (attempts < 2) {
    turn.state.handoff = { ...h, emailAttempts: attempts };
    turn.reply({ kind: "reask", text: HANDOFF_MESSAGES.reaskEmail });
    return;
  }
  turn.reply({ kind: "system", text: HANDOFF_MESSAGES.noEmail });
  finish(turn, { ...h, emailAttempts: attempts });
}
