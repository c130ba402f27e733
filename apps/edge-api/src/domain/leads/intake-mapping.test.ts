import { describe, expect, it } from "vitest";
import { mapPayload, valueAt } from "./intake-mapping.js";

describe("lead intake mapping", () => {
  it("finds the common field names at the top, under data and fields, and in key/value lists", () => {
    expect(
      mapPayload(
        { Email: "ADA@x.test", "Full Name": "Ada L", Phone: "+44 20 1234 5678", Company: "Engines" },
        {},
      ),
    ).toEqual({
      contact: { name: "Ada L", email: "ada@x.test", phone: "+44 20 1234 5678" },
      company: { name: "Engines" },
      attributes: {},
    });
    expect(
      mapPayload({ data: { fields: { first_name: "Ada", last_name: "Lovelace", email: "a@x.test" } } }, {})
        .contact,
    ).toEqual({
      name: "Ada Lovelace",
      email: "a@x.test",
    });
    const tally = {
      data: {
        fields: [
          { label: "Email", value: "t@x.test" },
          { key: "message", value: "Need 40 seats" },
        ],
      },
    };
    expect(mapPayload(tally, {})).toMatchObject({ contact: { email: "t@x.test" }, title: "Need 40 seats" });
  });

  it("uses the workspace's mapping first, attributes included", () => {
    const payload = { answers: { mail: "m@x.test", who: "Max" }, meta: { budget: 5000, plan: "pro" } };
    expect(
      mapPayload(payload, {
        email: "answers.mail",
        name: "answers.who",
        attributes: { budget: "meta.budget", plan: "meta.plan" },
      }),
    ).toEqual({ contact: { email: "m@x.test", name: "Max" }, attributes: { budget: 5000, plan: "pro" } });
    expect(valueAt(payload, "answers.nothing.deeper")).toBeUndefined();
    expect(valueAt(payload, "answers")).toBeUndefined();
  });

  it("maps nothing from a payload without contact fields", () => {
    expect(mapPayload({ hello: "world" }, {})).toEqual({ contact: {}, attributes: {} });
    expect(mapPayload("not an object", {})).toEqual({ contact: {}, attributes: {} });
  });
});
