import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import type { AuditRecord, AuditSink } from '@tessera/core';
import type { SyslogTarget } from '../../audit/syslog-target.js';

/** Facility 13 ("log audit") and severity 5 (notice), RFC 5424 §6.2.1. */
const PRI = 13 * 8 + 5;
/** UDP carries one message a datagram; beyond this its details are left out (the collector still sees seq and action). */
const MAX_DATAGRAM = 60_000;
const CONNECT_TIMEOUT_MS = 5000;

/**
 * One audit entry as an RFC 5424 message: `<109>1 TIMESTAMP HOST tessera PID ACTION - JSON`.
 * The MSGID is the action, the message the entry as JSON with every non-ASCII character escaped,
 * so the line is plain ASCII whatever a name holds. Audit entries hold no secrets.
 */
export function syslogMessage(e: AuditRecord, host = hostname(), pid = process.pid): string {
  const json = JSON.stringify({
    seq: e.seq,
    id: e.id,
    ts: new Date(e.ts).toISOString(),
    workspaceId: e.workspaceId,
    actor: e.actor,
    action: e.action,
    target: e.target,
    ip: e.ip,
    details: e.details,
    hash: e.hash,
  }).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `<${PRI}>1 ${new Date(e.ts).toISOString()} ${headerField(host, 255)} tessera ${pid} ${headerField(e.action, 32)} - ${json}`;
}

/** A header field: printable ASCII without spaces, at most `max` characters, `-` when empty. */
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

/**
 * Sends audit entries to a syslog collector: over UDP one datagram each (RFC 5426), over TCP or
 * TLS with octet-counting framing (RFC 6587 §3.4.1, RFC 5425). A stream connection is kept open
 * and made again after an error; a send resolves once its bytes are written to the socket.
 */
export class SyslogSink implements AuditSink {
  readonly name: string;
  private socket: Socket | undefined;
  private udp: UdpSocket | undefined;
  private readonly ca: Buffer | undefined;

  constructor(
    private readonly target: SyslogTarget,
    options: { caFile?: string } = {},
  ) {
    this.name = `syslog over ${target.transport} to ${target.host}:${target.port}`;
    this.ca = options.caFile === undefined ? undefined : readFileSync(options.caFile);
  }

  async send(entries: readonly AuditRecord[]): Promise<void> {
    if (this.target.transport === 'udp') {
      for (const e of entries) await this.sendDatagram(datagramFor(e));
      return;
    }
    const frames = entries.map((e) => {
      const msg = Buffer.from(syslogMessage(e), 'ascii');
      return Buffer.concat([Buffer.from(`${msg.length} `, 'ascii'), msg]);
    });
    const socket = await this.connected();
    await new Promise<void>((resolve, reject) => {
      socket.write(Buffer.concat(frames), (err) => {
        if (err) {
          socket.destroy();
          reject(err);
        } else resolve();
      });
    });
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined && !socket.destroyed) await new Promise<void>((resolve) => socket.end(resolve));
    const udp = this.udp;
    this.udp = undefined;
    if (udp !== undefined) await new Promise<void>((resolve) => udp.close(() => resolve()));
  }

  private sendDatagram(message: Buffer): Promise<void> {
    this.udp ??= createSocket(isIP(this.target.host) === 6 ? 'udp6' : 'udp4');
    return new Promise((resolve, reject) => {
      this.udp!.send(message, this.target.port, this.target.host, (err) => (err ? reject(err) : resolve()));
    });
  }

  private connected(): Promise<Socket> {
    const current = this.socket;
    if (current !== undefined && !current.destroyed && current.writable) return Promise.resolve(current);
    const { host, port, transport } = this.target;
    return new Promise((resolve, reject) => {
      const socket =
        transport === 'tls'
          ? tlsConnect({ host, port, servername: isIP(host) === 0 ? host : undefined, ...(this.ca && { ca: this.ca }) })
          : tcpConnect({ host, port });
      const timer = setTimeout(
        () => socket.destroy(new Error(`no connection to ${this.name} within ${CONNECT_TIMEOUT_MS} ms`)),
        CONNECT_TIMEOUT_MS,
      );
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      socket.once('error', fail);
      socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        // A collector that closes or fails ends this connection at once (writing into a half-closed
        // one would lose entries silently); the next send makes another.
        socket.on('error', () => socket.destroy());
        socket.on('end', () => socket.destroy());
        // A collector does not answer; whatever it sends is read and dropped.
        socket.resume();
        this.socket = socket;
        resolve(socket);
      });
    });
  }
}

/** One entry as a datagram, its details left out if the whole would not fit one. */
function datagramFor(e: AuditRecord): Buffer {
  const full = Buffer.from(syslogMessage(e), 'ascii');
  return full.length <= MAX_DATAGRAM ? full : Buffer.from(syslogMessage({ ...e, details: { truncated: true } }), 'ascii');
}
