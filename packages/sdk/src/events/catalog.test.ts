import { describe, expect, it } from "vitest";
import { eventSchema } from "./catalog.js";

const base = {
  id: "7d0f7c55-7f0e-4b5e-9a59-3f1f3e0b6a11",
  tenantId: "0b8f5f8e-2c7a-4f55-8f0a-6a2b0c1d9e21",
  time: "2026-11-23T10:00:00.000Z",
  actor: { type: "user", id: "u1" },
  subjects: { user: "u1" },
};

describe("event catalogue", () => {
  it("accepts a well-formed event and keeps its typed properties", () => {
    const parsed = eventSchema.parse({
      ...base,
      type: "user.invited",
      version: 1,
      properties: { email: "a@b.c", role: "agent" },
    });
    expect(parsed.type).toBe("user.invited");
    if (parsed.type === "user.invited") expect(parsed.properties.role).toBe("agent");
  });

  it("rejects unknown types, wrong versions and bad properties", () => {
    expect(eventSchema.safeParse({ ...base, type: "nope", version: 1, properties: {} }).success).toBe(false);
    expect(
      eventSchema.safeParse({ ...base, type: "tenant.created", version: 2, properties: { name: "x" } })
        .success,
    ).toBe(false);
    expect(
      eventSchema.safeParse({
        ...base,
        type: "api_key.created",
        version: 1,
        properties: { name: "k", role: "god" },
      }).success,
    ).toBe(false);
    expect(
      eventSchema.safeParse({
        ...base,
        id: "not-a-uuid",
        type: "tenant.created",
        version: 1,
        properties: { name: "x" },
      }).success,
    ).toBe(false);
  });
});
