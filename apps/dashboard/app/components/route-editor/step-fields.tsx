import type { Step } from "@autopilot/engine";
import { ConditionBuilder, type ConditionSubject } from "../condition-builder.js";
import { Select, StepTarget, type Target, TextArea, TextInput } from "./inputs.js";
import { usePluginActions } from "./plugin-actions.js";
import { ACTIONS, FIELD_TYPES, num, opt, slug } from "./steps.js";

// The fields of each kind of step: what a Say says, what an Ask asks and stores, a Branch's cases, an
// Action's settings.

export function StepFields({
  step,
  index,
  targets,
  subjects,
  onChange,
}: {
  step: Step;
  index: number;
  targets: Target[];
  subjects: ConditionSubject[];
  onChange: (s: Step) => void;
}) {
  const name = (field: string) => `steps.${index}.${field}`;
  switch (step.kind) {
    case "say": {
      const lines = Array.isArray(step.text) ? step.text : [step.text];
      return (
        <TextArea
          label="Text (several lines = variants, one picked at random)"
          name={name("text")}
          value={lines.join("\n")}
          rows={2}
          onChange={(v) => {
            const variants = v.split("\n");
            onChange({ ...step, text: variants.length > 1 ? variants : (variants[0] ?? "") });
          }}
        />
      );
    }
    case "ask": {
      const f = step.field;
      const setField = (patch: Partial<typeof f>) => onChange({ ...step, field: { ...f, ...patch } });
      const v = f.validation;
      return (
        <>
          <TextArea
            label="Question"
            name={name("prompt")}
            value={step.prompt}
            rows={2}
            onChange={(prompt) => onChange({ ...step, prompt })}
          />
          <div className="grid-3">
            <TextInput
              label="Field label"
              name={name("field.label")}
              value={f.label}
              onChange={(label) =>
                setField(f.name === slug(f.label, "_") ? { label, name: slug(label, "_") } : { label })
              }
            />
            <TextInput
              label="Field name"
              name={name("field.name")}
              value={f.name}
              onChange={(n) => setField({ name: n })}
            />
            <Select
              label="Type"
              name={name("field.type")}
              value={f.type}
              options={FIELD_TYPES}
              onChange={(type) => setField({ type })}
            />
          </div>
          {f.type === "choice" ? (
            <TextArea
              label="Options (one per line: value or value = Label)"
              name={name("field.options")}
              value={(f.options ?? [])
                .map((o) => (o.label === o.value ? o.value : `${o.value} = ${o.label}`))
                .join("\n")}
              rows={3}
              onChange={(text) =>
                setField({
                  options: text
                    .split("\n")
                    .filter((l) => l.trim())
                    .map((l) => {
                      const [value = "", label] = l.split("=").map((p) => p.trim());
                      return { value, label: label || value };
                    }),
                })
              }
            />
          ) : null}
          <div className="grid-3">
            <label className="check">
              <input
                type="checkbox"
                checked={v?.required ?? true}
                onChange={(e) => setField({ validation: { ...v, required: e.target.checked } })}
              />
              Required
            </label>
            {["number", "money", "text", "name"].includes(f.type) ? (
              <>
                <TextInput
                  label={f.type === "number" || f.type === "money" ? "Minimum" : "Min length"}
                  name={name("field.validation.min")}
                  type="number"
                  value={v?.min === undefined ? "" : String(v.min)}
                  onChange={(x) =>
                    setField({ validation: { required: v?.required ?? true, ...v, min: num(x) } })
                  }
                />
                <TextInput
                  label={f.type === "number" || f.type === "money" ? "Maximum" : "Max length"}
                  name={name("field.validation.max")}
                  type="number"
                  value={v?.max === undefined ? "" : String(v.max)}
                  onChange={(x) =>
                    setField({ validation: { required: v?.required ?? true, ...v, max: num(x) } })
                  }
                />
              </>
            ) : null}
          </div>
          <Select
            label="After too many wrong answers"
            name={name("onMaxAttempts")}
            value={step.onMaxAttempts}
            options={["handoff", "skip", "end"] as const}
            onChange={(onMaxAttempts) => onChange({ ...step, onMaxAttempts })}
          />
        </>
      );
    }
    case "branch": {
      const setCase = (i: number, patch: Partial<(typeof step.cases)[number]>) =>
        onChange({ ...step, cases: step.cases.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
      return (
        <>
          <ol className="branch-cases">
            {step.cases.map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: cases have no identity of their own
              <li key={i} className="branch-case">
                <ConditionBuilder
                  id={`step-${index}-case-${i}`}
                  label={`Case ${i + 1} of step ${index + 1}`}
                  condition={c.when}
                  subjects={subjects}
                  onChange={(when) => setCase(i, { when })}
                />
                <StepTarget
                  label={`Case ${i + 1}: go to`}
                  name={name(`cases.${i}.next`)}
                  value={c.next}
                  targets={targets}
                  self={step.id}
                  onChange={(next) => setCase(i, { next })}
                />
                {step.cases.length > 1 ? (
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => onChange({ ...step, cases: step.cases.filter((_, j) => j !== i) })}
                  >
                    Remove case {i + 1}
                  </button>
                ) : null}
              </li>
            ))}
          </ol>
          <button
            type="button"
            onClick={() => onChange({ ...step, cases: [...step.cases, { when: { all: [] }, next: "" }] })}
          >
            Add case
          </button>
          <StepTarget
            label="Otherwise go to"
            name={name("otherwise")}
            value={step.otherwise}
            targets={targets}
            self={step.id}
            onChange={(otherwise) => onChange({ ...step, otherwise })}
          />
        </>
      );
    }
    case "action":
      return <ActionFields step={step} index={index} onChange={onChange} />;
    case "handoff":
      return (
        <div className="grid-2">
          <TextInput
            label="Message to the customer"
            name={name("message")}
            value={step.message ?? ""}
            onChange={(m) => onChange({ ...step, message: opt(m) })}
          />
          <TextInput
            label="Team (optional)"
            name={name("team")}
            value={step.team ?? ""}
            onChange={(t) => onChange({ ...step, team: opt(t) })}
          />
        </div>
      );
    case "end":
      return (
        <TextInput
          label="Closing message (optional)"
          name={name("message")}
          value={step.message ?? ""}
          onChange={(m) => onChange({ ...step, message: opt(m) })}
        />
      );
  }
}

type ActionStep = Extract<Step, { kind: "action" }>;

function ActionFields({
  step,
  index,
  onChange,
}: {
  step: ActionStep;
  index: number;
  onChange: (s: Step) => void;
}) {
  const a = step.action;
  const name = (field: string) => `steps.${index}.action.${field}`;
  const set = (action: ActionStep["action"]) => onChange({ ...step, action });
  const text = (key: string, label: string) => (
    <TextInput
      key={key}
      label={label}
      name={name(key)}
      value={String((a as Record<string, unknown>)[key] ?? "")}
      onChange={(v) => set({ ...a, [key]: opt(v) } as ActionStep["action"])}
    />
  );
  return (
    <>
      <Select
        label="Action"
        name={name("type")}
        value={a.type}
        options={ACTIONS}
        onChange={(type) =>
          set(
            (type === "tag"
              ? { type, tags: [] }
              : type === "notify"
                ? { type, to: "", message: "" }
                : type === "call_plugin"
                  ? { type, plugin: "", method: "" }
                  : { type }) as ActionStep["action"],
          )
        }
      />
      <div className="grid-2">
        {a.type === "create_lead" ? text("source", "Lead source (optional)") : null}
        {a.type === "assign" ? (
          <>
            <Select
              label="Strategy"
              name={name("strategy")}
              value={a.strategy ?? ""}
              options={["", "round_robin", "weighted", "least_loaded", "territory", "skill"] as const}
              onChange={(s) => set({ ...a, strategy: s === "" ? undefined : s })}
            />
            {text("team", "Team (optional)")}
          </>
        ) : null}
        {a.type === "create_deal" ? (
          <>
            {text("pipeline", "Pipeline (optional)")}
            {text("stage", "Stage (optional)")}
            {text("title", "Title (optional)")}
            {text("valueField", "Value from field (optional)")}
          </>
        ) : null}
        {a.type === "tag" ? (
          <TextInput
            label="Tags (comma separated)"
            name={name("tags")}
            value={a.tags.join(", ")}
            onChange={(v) => set({ ...a, tags: v.split(",").map((t) => t.trim()) })}
          />
        ) : null}
        {a.type === "notify" ? (
          <>
            {text("to", "Notify whom")}
            {text("message", "Message")}
          </>
        ) : null}
        {a.type === "call_plugin" ? <PluginActionFields action={a} name={name} set={set} /> : null}
      </div>
    </>
  );
}

// --- small inputs bound to the draft (ids derived from their names; labels always present) ---

type PluginCall = Extract<ActionStep["action"], { type: "call_plugin" }>;

/**
 * call_plugin: a choice among the installed plugins' actions, then one input per field the action
 * takes ("{{fields.email}}" puts the visitor's answer in).
 */
function PluginActionFields({
  action: a,
  name,
  set,
}: {
  action: PluginCall;
  name: (field: string) => string;
  set: (action: PluginCall) => void;
}) {
  const available = usePluginActions();
  const value = a.plugin && a.method ? `${a.plugin}#${a.method}` : "";
  const chosen = available.find((p) => p.plugin === a.plugin && p.method === a.method);
  const id = `in-${name("pluginAction")}`;
  return (
    <>
      <div className="field">
        <label htmlFor={id}>Plugin action</label>
        <select
          id={id}
          data-name={name("pluginAction")}
          value={value}
          onChange={(e) => {
            const [plugin = "", method = ""] = e.target.value.split("#");
            set({ ...a, plugin, method, input: {} });
          }}
        >
          <option value="">
            {available.length ? "(choose an action)" : "(no plugin with actions is installed)"}
          </option>
          {available.map((p) => (
            <option key={`${p.plugin}#${p.method}`} value={`${p.plugin}#${p.method}`}>
              {p.pluginName}: {p.title}
            </option>
          ))}
          {value && !chosen ? (
            <option value={value}>{`${a.plugin} ${a.method} (not installed)`}</option>
          ) : null}
        </select>
      </div>
      {(chosen?.inputs ?? []).map((input) => (
        <TextInput
          key={input.name}
          label={`${input.label}${input.required ? "" : " (optional)"}`}
          name={name(`input.${input.name}`)}
          value={a.input?.[input.name] ?? ""}
          hint="Text, or {{fields.name}} for an answer of this playbook"
          onChange={(v) => set({ ...a, input: { ...(a.input ?? {}), [input.name]: v } })}
        />
      ))}
    </>
  );
}
