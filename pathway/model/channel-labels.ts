// How staff read a channel's name in a task title. Pure: workflows import it.

/** The short Chinese name of each automatic channel (pathway/vocabulary/channels.yaml has the long ones). */
export const CHANNEL_LABELS: Readonly<Record<string, string>> = { wechat: '微信', sms: '短信', app: '应用内消息' };

/** The channels `tried`, as a task title names them: `微信、短信`. */
export function channelList(tried: readonly string[]): string {
  return tried.map((c) => CHANNEL_LABELS[c] ?? c).join('、');
}
