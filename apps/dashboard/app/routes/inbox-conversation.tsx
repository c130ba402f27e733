import { redirect } from "react-router";
import type { Route } from "./+types/inbox-conversation";

// /inbox/<id>, the address mails and notifications give a conversation: the inbox with it open.
// Signed-out visitors pass through the login screen first and come back here.
export function loader({ params, request }: Route.LoaderArgs) {
  const search = new URL(request.url).searchParams;
  search.set("c", params.id);
  return redirect(`/inbox?${search.toString()}`);
}
