import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { TemporalSettings } from '../config/load-config.ts';

/** The address, TLS and API key shared by the client's and the worker's connection options. */
export function connectionOptions(settings: TemporalSettings & { address: string }): {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
} {
  const { tls } = settings;
  const options: { address: string; tls?: TLSConfig | boolean; apiKey?: string } = { address: settings.address };
  if (tls.enabled || tls.clientCertFile || tls.serverRootCACertFile) {
    const config: TLSConfig = {};
    if (tls.serverName) config.serverNameOverride = tls.serverName;
    if (tls.serverRootCACertFile) config.serverRootCACertificate = readFileSync(tls.serverRootCACertFile);
    if (tls.clientCertFile && tls.clientKeyFile) {
      config.clientCertPair = { crt: readFileSync(tls.clientCertFile), key: readFileSync(tls.clientKeyFile) };
    }
    options.tls = config;
  }
  if (settings.apiKey) {
    options.apiKey = settings.apiKey;
    // Temporal Cloud only accepts API keys over TLS.
    options.tls ??= true;
  }
  return options;
}
