/** Where audit entries go: `udp://`, `tcp://` or `tls://` host and port. */
export interface SyslogTarget {
  transport: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
}

const DEFAULT_PORTS = { udp: 514, tcp: 514, tls: 6514 } as const;

/** Reads `TESSERA_AUDIT_SYSLOG`; throws a sentence naming the setting when it cannot be used. */
export function parseSyslogTarget(raw: string): SyslogTarget {
  let url: URL;
  try {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) throw new Error('no scheme');
    url = new URL(raw);
  } catch {
    throw new Error('TESSERA_AUDIT_SYSLOG must be a URL such as tcp://logs.internal:514, udp://127.0.0.1:514 or tls://logs.internal:6514');
  }
  const transport = url.protocol.slice(0, -1);
  if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') {
    throw new Error(`TESSERA_AUDIT_SYSLOG must use udp://, tcp:// or tls:// (not ${url.protocol}//)`);
  }
  if (url.hostname === '' || url.pathname.replace(/^\/$/, '') !== '' || url.search !== '' || url.username !== '') {
    throw new Error('TESSERA_AUDIT_SYSLOG is a host and a port only, such as tcp://logs.internal:514');
  }
  return { transport, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port === '' ? DEFAULT_PORTS[transport] : Number(url.port) };
}
