import type { AskStep, Route } from "@autopilot/engine";
import type { components } from "./api-schema.js";

// Playbook templates offered in onboarding: routes (the engine's Route shape, type-only import — the
// API validates them again on create) a new workspace can add in one click and edit later. Product
// questions need no playbook: when no route matches, the assistant answers from the knowledge base.
// A template may bring lead scoring rules for the fields it collects (installed only while the
// workspace has none, so nobody's own rules are overwritten).

type ScoringRule = components["schemas"]["ScoringRule"];
export type PlaybookTemplate = {
  id: string;
  title: string;
  summary: string;
  route: Route;
  scoring?: ScoringRule[];
};

const ask = (id: string, prompt: string, field: AskStep["field"], next: string): AskStep => ({
  id,
  kind: "ask",
  prompt,
  field,
  next,
  maxAttempts: 3,
  onMaxAttempts: "handoff",
});

const leadSteps = (first: string, end: string): Route["steps"] => [
  { id: "lead", kind: "action", action: { type: "create_lead", source: first }, next: "assign" },
  { id: "assign", kind: "action", action: { type: "assign" }, next: "done" },
  { id: "done", kind: "end", message: end },
];

export const PLAYBOOKS: PlaybookTemplate[] = [
  {
    id: "book_demo",
    title: "Book a demo",
    summary: "Collects name, email and team size, creates a lead and assigns it to a salesperson.",
    route: {
      id: "book_demo",
      name: "Book a demo",
      description: "The visitor wants to see the product",
      examples: [
        "I'd like to book a demo",
        "can I see a demo",
        "show me the product",
        "schedule a demo call",
      ],
      priority: 0,
      enabled: true,
      steps: [
        ask(
          "ask_name",
          "Happy to set up a demo! What's your name?",
          { name: "fullName", label: "Name", type: "name" },
          "ask_email",
        ),
        ask(
          "ask_email",
          "Which email should we send the invite to?",
          { name: "email", label: "Email", type: "email" },
          "ask_size",
        ),
        ask(
          "ask_size",
          "How many people are on your team?",
          {
            name: "teamSize",
            label: "Team size",
            type: "choice",
            options: [
              { value: "1-10", label: "1–10" },
              { value: "11-50", label: "11–50" },
              { value: "51+", label: "51 or more" },
            ],
          },
          "lead",
        ),
        ...leadSteps("demo", "Thanks! A colleague will be in touch shortly to book your demo."),
      ],
    },
    scoring: [
      { kind: "fit", label: "Asked for a demo", points: 20, condition: { field: "teamSize", op: "exists" } },
      {
        kind: "fit",
        label: "Team of 11–50",
        points: 20,
        condition: { field: "teamSize", op: "eq", value: "11-50" },
      },
      {
        kind: "fit",
        label: "Team of 51+",
        points: 30,
        condition: { field: "teamSize", op: "eq", value: "51+" },
      },
    ],
  },
  {
    id: "pricing",
    title: "Pricing request",
    summary:
      "For prices your website does not list (large orders, custom work): asks what for and an email, creates a lead and assigns it, so a colleague replies with prices.",
    route: {
      id: "pricing",
      name: "Pricing request",
      description: "The visitor wants prices a person has to work out (volume, custom, business)",
      // Requests for a person's offer; a question the website answers ("how much is X?") is left to
      // the knowledge base, so these examples do not read like one.
      examples: [
        "can someone send me prices for a large order",
        "I'd like an offer for my company",
        "do you offer volume discounts",
        "I need custom pricing",
      ],
      priority: 0,
      enabled: true,
      steps: [
        ask(
          "ask_need",
          "Happy to get you prices. What would you like them for (products, quantity)?",
          { name: "need", label: "What for", type: "text" },
          "ask_email",
        ),
        ask(
          "ask_email",
          "Which email should a colleague reply to?",
          { name: "email", label: "Email", type: "email" },
          "lead",
        ),
        // The promise is kept by the assign step: the lead goes to a person who replies.
        ...leadSteps("pricing", "Thanks! A colleague has your request and will email you prices."),
      ],
    },
  },
  {
    id: "support",
    title: "Support",
    summary: "Takes the problem and an email, then hands the chat to your team.",
    route: {
      id: "support",
      name: "Support",
      description: "The visitor has a problem with the product",
      examples: ["I can't log in", "something is broken", "I need help with my account", "it doesn't work"],
      priority: 0,
      enabled: true,
      steps: [
        ask(
          "ask_email",
          "Sorry to hear that. What's the email on your account?",
          { name: "email", label: "Email", type: "email" },
          "ask_problem",
        ),
        ask(
          "ask_problem",
          "What went wrong?",
          { name: "problem", label: "Problem", type: "text" },
          "handoff",
        ),
        { id: "handoff", kind: "handoff", message: "Thanks — I'm passing you to a colleague who can help." },
      ],
    },
  },
  {
    id: "talk_to_sales",
    title: "Talk to sales",
    summary: "Collects name, email and budget, creates a lead and assigns it.",
    route: {
      id: "talk_to_sales",
      name: "Talk to sales",
      description: "The visitor wants to speak to someone in sales",
      examples: [
        "I want to talk to sales",
        "can someone from sales call me",
        "contact sales",
        "speak to a salesperson",
      ],
      priority: 0,
      enabled: true,
      steps: [
        ask(
          "ask_name",
          "Sure! What's your name?",
          { name: "fullName", label: "Name", type: "name" },
          "ask_email",
        ),
        ask(
          "ask_email",
          "And your work email?",
          { name: "email", label: "Email", type: "email" },
          "ask_budget",
        ),
        ask(
          "ask_budget",
          "Roughly what budget do you have in mind?",
          {
            name: "budget",
            label: "Budget",
            type: "money",
            currency: "USD",
            validation: { required: false },
          },
          "lead",
        ),
        ...leadSteps("sales", "Thanks! Someone from sales will contact you soon."),
      ],
    },
    scoring: [{ kind: "signal", label: "Has a budget", points: 25, signal: "budget" }],
  },
];
