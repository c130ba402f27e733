// A route is a business playbook: when it applies (entry) and what the assistant does (a script of steps).
// Plain JSON so the dashboard edits it, the API validates it and the DO caches it.
import { z } from "zod";

const id = z.string().min(1).max(64);

/** A variable path such as `fields.budget`, `contact.firstName` or `contact.attributes.plan`. */
export const VariablePathSchema = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z0-9_]+)+$/);

export const ComparisonOpSchema = z.enum([
  "eq",
  "neq",
  "gt",
  "gte",
  "lt",
  "lte",
  "in",
  "not_in",
  "contains",
  "exists",
  "not_exists",
  "matches",
]);
export type ComparisonOp = z.infer<typeof ComparisonOpSchema>;

/** One comparison: `var op value`, or `var op {var: other}` to compare two variables. */
export const ComparisonSchema = z.object({
  var: VariablePathSchema,
  op: ComparisonOpSchema,
  value: z
    .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))])
    .optional(),
  other: VariablePathSchema.optional(),
});
export type Comparison = z.infer<typeof ComparisonSchema>;

/** All of `all` and at least one of `any` (when given) must hold. Empty condition is true. */
export const ConditionSchema = z.object({
  all: z.array(ComparisonSchema).optional(),
  any: z.array(ComparisonSchema).optional(),
});
export type Condition = z.infer<typeof ConditionSchema>;

export const FieldTypeSchema = z.enum([
  "email",
  "phone",
  "number",
  "money",
  "date",
  "choice",
  "name",
  "text",
]);
export type FieldType = z.infer<typeof FieldTypeSchema>;

export const ChoiceOptionSchema = z.object({
  value: z.string().min(1),
  label: z.string().min(1),
  synonyms: z.array(z.string()).optional(),
});
export type ChoiceOption = z.infer<typeof ChoiceOptionSchema>;

/** ISO date (YYYY-MM-DD), "today", or an offset from today such as "+30d" / "-18y". */
export const DateBoundSchema = z.string().regex(/^(\d{4}-\d{2}-\d{2}|today|[+-]\d+[dwmy])$/);

export const FieldValidationSchema = z.object({
  required: z.boolean().default(true),
  /** Numbers and money: value bounds. Text and names: length bounds. */
  min: z.number().optional(),
  max: z.number().optional(),
  pattern: z.string().optional(),
  minDate: DateBoundSchema.optional(),
  maxDate: DateBoundSchema.optional(),
});
export type FieldValidation = z.infer<typeof FieldValidationSchema>;

export const FieldSchema = z.object({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/),
  label: z.string().min(1),
  type: FieldTypeSchema,
  options: z.array(ChoiceOptionSchema).optional(),
  validation: FieldValidationSchema.optional(),
  /** Money: currency assumed when the customer gives none (ISO 4217). */
  currency: z.string().length(3).optional(),
});
export type Field = z.infer<typeof FieldSchema>;

export const SayStepSchema = z.object({
  id,
  kind: z.literal("say"),
  /** One template or variants; a variant is picked with ctx.random. */
  text: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** Allow the AI provider to rephrase this line (validated before use). */
  rephrase: z.boolean().optional(),
  next: id,
});

export const AskStepSchema = z.object({
  id,
  kind: z.literal("ask"),
  field: FieldSchema,
  prompt: z.string().min(1),
  /** Said before the prompt again when an answer is rejected; defaults to a message per type and failure. */
  reask: z.string().min(1).optional(),
  maxAttempts: z.number().int().min(1).max(10).default(3),
  onMaxAttempts: z.enum(["handoff", "skip", "end"]).default("handoff"),
  next: id,
});

export const BranchStepSchema = z.object({
  id,
  kind: z.literal("branch"),
  cases: z.array(z.object({ when: ConditionSchema, next: id })).min(1),
  otherwise: id,
});

export const ActionSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("create_lead"), source: z.string().optional() }),
  z.object({
    type: z.literal("assign"),
    strategy: z.enum(["round_robin", "weighted", "least_loaded", "territory", "skill"]).optional(),
    team: z.string().optional(),
    skill: z.string().optional(),
  }),
  z.object({
    type: z.literal("create_deal"),
    pipeline: z.string().optional(),
    stage: z.string().optional(),
    title: z.string().optional(),
    /** A money or number field whose value becomes the deal value. */
    valueField: z.string().optional(),
  }),
  z.object({ type: z.literal("tag"), tags: z.array(z.string().min(1)).min(1) }),
  z.object({ type: z.literal("notify"), to: z.string().min(1), message: z.string().min(1) }),
  z.object({
    type: z.literal("call_plugin"),
    plugin: z.string().min(1),
    method: z.string().min(1),
    input: z.record(z.string(), z.string()).optional(),
  }),
]);
export type RouteAction = z.infer<typeof ActionSchema>;

export const ActionStepSchema = z.object({ id, kind: z.literal("action"), action: ActionSchema, next: id });

export const HandoffStepSchema = z.object({
  id,
  kind: z.literal("handoff"),
  team: z.string().optional(),
  skill: z.string().optional(),
  message: z.string().optional(),
});

export const EndStepSchema = z.object({ id, kind: z.literal("end"), message: z.string().optional() });

export const StepSchema = z.discriminatedUnion("kind", [
  SayStepSchema,
  AskStepSchema,
  BranchStepSchema,
  ActionStepSchema,
  HandoffStepSchema,
  EndStepSchema,
]);
export type Step = z.infer<typeof StepSchema>;
export type SayStep = z.infer<typeof SayStepSchema>;
export type AskStep = z.infer<typeof AskStepSchema>;
export type BranchStep = z.infer<typeof BranchStepSchema>;
export type ActionStep = z.infer<typeof ActionStepSchema>;
export type HandoffStep = z.infer<typeof HandoffStepSchema>;
export type EndStep = z.infer<typeof EndStepSchema>;

export const EntrySchema = z.object({
  /** Channels the route runs on (e.g. "web", "whatsapp"); any when absent. */
  channels: z.array(z.string().min(1)).optional(),
  businessHours: z.enum(["any", "open", "closed"]).default("any"),
  /** Conditions on `contact.*` attributes. */
  contact: ConditionSchema.optional(),
});
export type Entry = z.infer<typeof EntrySchema>;

/** Checked as soon as every field it names is collected; on failure the later field is asked again. */
export const CrossFieldRuleSchema = z.object({
  id,
  when: ConditionSchema.optional(),
  check: ComparisonSchema,
  message: z.string().min(1),
});
export type CrossFieldRule = z.infer<typeof CrossFieldRuleSchema>;

export const RouteSchema = z.object({
  id,
  name: z.string().min(1),
  description: z.string().optional(),
  examples: z.array(z.string().min(1)).default([]),
  priority: z.number().int().default(0),
  enabled: z.boolean().default(true),
  entry: EntrySchema.optional(),
  /** The first step is the start. */
  steps: z.array(StepSchema).min(1),
  rules: z.array(CrossFieldRuleSchema).optional(),
});
export type Route = z.infer<typeof RouteSchema>;
/** What an author writes (defaults not yet applied). */
export type RouteInput = z.input<typeof RouteSchema>;
