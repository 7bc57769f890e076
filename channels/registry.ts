import type { Logger } from '../logging/logger.ts';
import type { Channel } from './channel.ts';
import { createLogChannel } from './log-channel.ts';
import { createWebhookChannel } from './webhook-channel.ts';

/** The channels messages go out through automatically; `phone` is a person's call, made a task. */
export const AUTOMATIC_CHANNELS = ['wechat', 'sms', 'app'] as const;

/**
 * One adapter per channel. `CAREPATH_CHANNEL_<NAME>_URL` (e.g. CAREPATH_CHANNEL_SMS_URL) sends
 * that channel to an HTTP gateway, with `CAREPATH_CHANNEL_<NAME>_TOKEN` as bearer token;
 * a channel without a URL writes to the log, which is what a development machine wants.
 */
export function channelsFromEnv(env: Record<string, string | undefined>, logger: Logger): Map<string, Channel> {
  const channels = new Map<string, Channel>();
  for (const name of AUTOMATIC_CHANNELS) {
    const prefix = `CAREPATH_CHANNEL_${name.toUpperCase()}`;
    const url = env[`${prefix}_URL`];
    const token = env[`${prefix}_TOKEN`];
    channels.set(name, url ? createWebhookChannel(name, { url, ...(token ? { token } : {}) }) : createLogChannel(name, logger));
  }
  return channels;
}
