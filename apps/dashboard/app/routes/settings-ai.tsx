import { useState } from "react";
import { Form, useFetcher } from "react-router";
import { Field, FormError, InlineError, Submit } from "../components/form.js";
import { requireAdmin } from "../lib/admin.server.js";
import { api } from "../lib/api.server.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import type { Route } from "./+types/settings-ai";

export const meta: Route.MetaFunction = () => [{ title: "AI provider · Settings · AutopilotCRM" }];

const FIELDS = ["provider", "baseUrl", "model", "embeddingModel", "apiKey", "dailyTokenBudget"] as const;
type Provider = "offline" | "openai" | "workers-ai";

export async function loader({ request, context }: Route.LoaderArgs) {
  const [, { data, response }] = await Promise.all([
    requireAdmin(request, context),
    api(request, context).GET("/v1/ai/settings"),
  ]);
  if (!data) throw new Response("Could not load the AI settings", { status: response.status });
  return { settings: data };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const provider = text(form, "provider") as Provider;
  // Workers AI has its own model fields (prefilled with its defaults), so switching keeps both.
  const prefix = provider === "workers-ai" ? "wai-" : "";
  const baseUrl = text(form, "baseUrl").trim() || undefined;
  const model = text(form, `${prefix}model`).trim();
  // Empty: none (knowledge search stays lexical).
  const embeddingModel = text(form, `${prefix}embeddingModel`).trim() || null;
  const apiKey = text(form, "apiKey");
  if (text(form, "intent") === "test") {
    // With no key typed, the saved settings (and the key stored server side) are tested.
    const { data, error } = await client.POST("/v1/ai/test", {
      body:
        provider === "workers-ai"
          ? { provider: "workers-ai", model: model || undefined }
          : apiKey
            ? { baseUrl, model: model || undefined, apiKey }
            : { model: model || undefined, baseUrl },
    });
    if (!data)
      return { test: { ok: false, model: null, error: formErrors(error, []).form ?? "The test failed." } };
    return { test: data };
  }
  const budgetText = text(form, "dailyTokenBudget").trim();
  const dailyTokenBudget = budgetText === "" ? undefined : Number(budgetText);
  const { error } = await client.PUT("/v1/ai/settings", {
    body:
      provider === "openai"
        ? { provider: "openai", baseUrl, model, embeddingModel, apiKey, dailyTokenBudget }
        : provider === "workers-ai"
          ? { provider: "workers-ai", model: model || undefined, embeddingModel, dailyTokenBudget }
          : { provider: "offline", dailyTokenBudget },
  });
  if (error) {
    const errors = formErrors(error, FIELDS);
    // The Workers AI fields carry their own names in the form.
    if (provider === "workers-ai" && errors.fields)
      errors.fields = Object.fromEntries(
        Object.entries(errors.fields).map(([k, v]) => [
          k === "model" || k === "embeddingModel" ? `wai-${k}` : k,
          v,
        ]),
      );
    return { errors };
  }
  return { saved: true };
}

export default function AiSettings({ loaderData, actionData }: Route.ComponentProps) {
  const { settings } = loaderData;
  const [provider, setProvider] = useState<Provider>(settings.provider);
  const workersAi = settings.workersAi;
  const errors: FormErrors | undefined = actionData && "errors" in actionData ? actionData.errors : undefined;
  const tester = useFetcher<typeof action>();
  const test = tester.data && "test" in tester.data ? tester.data.test : undefined;
  const testing = tester.state !== "idle";
  return (
    <section className="card" aria-labelledby="ai-title">
      <h2 id="ai-title">AI provider</h2>
      <p className="muted small">
        Without a model the assistant still works: routes by the built-in router, answers extracted from your
        knowledge base. With one (Workers AI on Cloudflare, or any OpenAI-compatible endpoint) it can
        rephrase, extract and draft grounded answers.
      </p>
      <Form method="post" noValidate id="ai-form">
        <FormError errors={errors} />
        <fieldset className="inline-checks">
          <legend>Provider</legend>
          <label className="check-inline">
            <input
              type="radio"
              name="provider"
              value="offline"
              checked={provider === "offline"}
              onChange={() => setProvider("offline")}
            />{" "}
            Offline (no model)
          </label>
          <label className="check-inline">
            <input
              type="radio"
              name="provider"
              value="openai"
              checked={provider === "openai"}
              onChange={() => setProvider("openai")}
            />{" "}
            OpenAI-compatible
          </label>
          <label className="check-inline">
            <input
              type="radio"
              name="provider"
              value="workers-ai"
              checked={provider === "workers-ai"}
              onChange={() => setProvider("workers-ai")}
              aria-describedby="workers-ai-hint"
            />{" "}
            Workers AI (Cloudflare)
          </label>
        </fieldset>
        <InlineError error={errors?.fields.provider} />
        <div hidden={provider !== "workers-ai"}>
          <p id="workers-ai-hint" className="muted small">
            {workersAi.available
              ? "Cloudflare's models through this deployment's AI binding: no key to store."
              : 'This deployment has no Workers AI binding: add [ai] binding = "AI" to wrangler.toml to use it.'}
          </p>
          <div className="grid-2">
            <Field
              name="wai-model"
              label="Model"
              defaultValue={
                settings.provider === "workers-ai" ? (settings.model ?? "") : workersAi.defaultModel
              }
              hint="A text-generation model with function calling."
              errors={errors}
            />
            <Field
              name="wai-embeddingModel"
              label="Embedding model (optional)"
              defaultValue={
                settings.provider === "workers-ai"
                  ? (settings.embeddingModel ?? "")
                  : workersAi.defaultEmbeddingModel
              }
              hint="Empty: knowledge search by words only."
              errors={errors}
            />
          </div>
        </div>
        <div hidden={provider !== "openai"}>
          <Field
            name="baseUrl"
            label="Base URL"
            type="url"
            defaultValue={settings.baseUrl ?? ""}
            placeholder="https://api.openai.com/v1"
            hint="Empty for OpenAI; otherwise Azure, Workers AI, Ollama, vLLM …"
            errors={errors}
          />
          <div className="grid-2">
            <Field
              name="model"
              label="Model"
              defaultValue={settings.model ?? ""}
              placeholder="gpt-4o-mini"
              errors={errors}
            />
            <Field
              name="apiKey"
              label="API key"
              type="password"
              autoComplete="off"
              hint={
                settings.hasKey
                  ? "A key is saved. Type it again to save changes; leave empty to test the saved one."
                  : undefined
              }
              errors={errors}
            />
          </div>
          <Field
            name="embeddingModel"
            label="Embedding model (optional)"
            defaultValue={settings.embeddingModel ?? ""}
            placeholder="text-embedding-3-small"
            hint="With one, knowledge search also finds answers by meaning, not only by shared words. Empty: words only."
            errors={errors}
          />
        </div>
        <Field
          name="dailyTokenBudget"
          label="Daily token budget"
          type="number"
          min={0}
          defaultValue={String(settings.dailyTokenBudget)}
          hint="Model calls stop for the day once this many tokens are used; the assistant then works offline."
          errors={errors}
        />
        <div className="actions">
          <Submit busy="Saving…">Save</Submit>
          {provider !== "offline" ? (
            <button
              type="button"
              disabled={testing}
              aria-busy={testing || undefined}
              onClick={(e) => {
                const form = (e.currentTarget as HTMLButtonElement).form;
                if (!form) return;
                const data = new FormData(form);
                data.set("intent", "test");
                tester.submit(data, { method: "post" });
              }}
            >
              {testing ? "Testing…" : "Test connection"}
            </button>
          ) : null}
        </div>
        <p className={`test-result ${test ? (test.ok ? "ok" : "bad") : ""}`} role="status" data-ai-test="">
          {test
            ? test.ok
              ? `Connected: ${test.model} answered in ${"latencyMs" in test ? test.latencyMs : "?"} ms.`
              : `Not connected: ${"error" in test ? test.error : ""}`
            : actionData && "saved" in actionData
              ? "Saved."
              : ""}
        </p>
      </Form>
    </section>
  );
}
