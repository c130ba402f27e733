// Which channel a conversation came in on, as an icon with its name (the icon is decoration: the name
// is what screen readers read), and how a reply sent through a channel fared.

type Channel = { label: string; path: string };

const CHANNELS: Record<string, Channel> = {
  web: {
    label: "Web chat",
    path: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18Zm0 2c1 1.3 1.8 3.6 2 6H10c.2-2.4 1-4.7 2-6Zm-4 6H5.1A7 7 0 0 1 9 5.6 13 13 0 0 0 8 11Zm0 2a13 13 0 0 0 1 5.4A7 7 0 0 1 5.1 13Zm2 0h4c-.2 2.4-1 4.7-2 6-1-1.3-1.8-3.6-2-6Zm6 0h2.9a7 7 0 0 1-3.9 5.4c.5-1.5.9-3.4 1-5.4Zm0-2a13 13 0 0 0-1-5.4 7 7 0 0 1 3.9 5.4Z",
  },
  telegram: {
    label: "Telegram",
    path: "M21.5 4.2 2.8 11.4c-1 .4-1 1.5 0 1.8l4.7 1.5 1.8 5.6c.2.7 1.1.9 1.6.4l2.6-2.5 4.8 3.6c.7.5 1.6.1 1.8-.7l3.1-14.6c.2-1-.7-1.7-1.7-1.3ZM9.6 14.3l8.2-7.3-6.6 8.4-.3 3-1.3-4.1Z",
  },
  whatsapp: {
    label: "WhatsApp",
    path: "M12 3a9 9 0 0 0-7.7 13.6L3 21l4.5-1.2A9 9 0 1 0 12 3Zm0 16.2c-1.4 0-2.8-.4-4-1.1l-.3-.2-2.6.7.7-2.5-.2-.3A7.2 7.2 0 1 1 12 19.2Zm3.9-5.4c-.2-.1-1.3-.6-1.5-.7-.2-.1-.4-.1-.5.1l-.7.9c-.1.2-.3.2-.5.1a6 6 0 0 1-3-2.6c-.2-.4.2-.4.6-1.2.1-.2 0-.3 0-.4l-.7-1.6c-.2-.4-.4-.4-.5-.4h-.5a1 1 0 0 0-.7.3 2.9 2.9 0 0 0-.9 2.2c0 1.3.9 2.5 1.1 2.7.1.2 1.8 2.8 4.4 3.9 1.6.7 2.3.8 3.1.6.5-.1 1.3-.6 1.5-1.1.2-.5.2-1 .1-1.1l-.3-.2Z",
  },
  email: {
    label: "Email",
    path: "M3 6a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6Zm2 .4V18h14V6.4l-7 5.3-7-5.3ZM6.6 6 12 10l5.4-4H6.6Z",
  },
};
const OTHER = "M4 5h16v11H8l-4 4V5Zm2 2v8.2L7.2 14H18V7H6Z";

export const channelLabel = (channel: string) => CHANNELS[channel]?.label ?? channel;

/** Channel filter choices: the known ones, and any other the workspace's plugins add. */
export const CHANNEL_OPTIONS = Object.entries(CHANNELS).map(([value, c]) => ({ value, label: c.label }));

export function ChannelName({ channel }: { channel: string }) {
  return (
    <span className="channel" data-channel={channel}>
      <svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="14" height="14">
        <path fill="currentColor" d={CHANNELS[channel]?.path ?? OTHER} />
      </svg>
      {channelLabel(channel)}
    </span>
  );
}

type Delivery = { status?: string; reason?: string; attempts?: number };

/** A reply's fate on its channel: sent, being retried, or failed with the provider's reason. */
export function DeliveryNote({ channel, data }: { channel: string; data: Record<string, unknown> }) {
  const delivery = data.delivery as Delivery | undefined;
  if (!delivery?.status) return null;
  const name = channelLabel(channel);
  if (delivery.status === "sent") return <span className="delivery sent">Sent to {name}</span>;
  if (delivery.status === "failed")
    return (
      <span className="delivery failed" role="status">
        Not delivered to {name}: {delivery.reason ?? "the provider refused it"}
      </span>
    );
  return (
    <span className="delivery retrying">
      Waiting for {name} (try {delivery.attempts ?? 1}): {delivery.reason ?? "the provider did not take it"}
    </span>
  );
}
