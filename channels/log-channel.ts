import type { Logger } from '../logging/logger.ts';
import type { Channel, OutboundMessage } from './channel.ts';

/**
 * Writes each message to the log instead of sending it: the default on a development machine.
 * It logs ids only (template, patient reference), never the text, which may carry health data.
 */
export function createLogChannel(name: string, logger: Logger): Channel {
  return {
    name,
    async deliver(message: OutboundMessage) {
      logger.info(
        { channel: name, idempotencyKey: message.idempotencyKey, templateId: message.templateId, patientRef: message.patientRef, urgent: message.urgent },
        'message delivered to the log channel',
      );
      return { providerMessageId: `log:${message.idempotencyKey}` };
    },
  };
}
