import type { MiddlewareHandler } from "hono";
import { AppError } from "../domain/errors.js";
import type { AppEnv } from "../env.js";
import { isDeveloperToken, verifyToken } from "../marketplace/developers.js";
import { isOperator } from "../marketplace/operators.js";
import { authenticate } from "./auth.js";
import { enforce, limitByPrincipal } from "./rate-limit.js";

// Who may act in the marketplace's own screens: developers (a signed-in user, or a CLI token where
// the route takes one) and platform staff (a signed-in user named in PLATFORM_OPERATORS). Neither is
// tied to the workspace the user happens to be signed into.

const bearer = (header: string | undefined) => (header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined);

/** The signed-in user as a developer; with `tokens`, a CLI token (apd_…) is accepted too. */
export const authenticateDeveloper =
  (options: { tokens: boolean }): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const token = bearer(c.req.header("authorization"));
    if (token && isDeveloperToken(token)) {
      if (!options.tokens)
        throw new AppError("forbidden", "a developer token only publishes; sign in to manage your account");
      const { userId } = await verifyToken(c.get("db"), token);
      // Counted per developer like API keys are per key: each submission runs a sandbox.
      await enforce(c, `developer:${userId}`, Number(c.env.RATE_LIMIT_KEY_PER_MIN));
      c.set("developer", { userId, email: "", via: "token" });
      return next();
    }
    await authenticate(c, async () => undefined);
    await limitByPrincipal(c, async () => undefined);
    const user = c.get("principal").user;
    if (!user) throw new AppError("forbidden", "sign in as a user: an API key cannot act as a developer");
    c.set("developer", { userId: user.id, email: user.email, via: "session" });
    return next();
  };

/** Platform staff only (a signed-in, verified user listed in PLATFORM_OPERATORS). */
export const requireOperator: MiddlewareHandler<AppEnv> = async (c, next) => {
  await authenticate(c, async () => undefined);
  await limitByPrincipal(c, async () => undefined);
  if (!isOperator(c.env, c.get("principal").user)) throw new AppError("forbidden", "platform staff only");
  return next();
};
