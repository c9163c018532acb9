// Loaded into a service process with `node --import` by tests: records every outgoing TCP connection the process
// attempts (to CONNECTION_AUDIT_FILE, one JSON line each) and refuses any that would leave the machine, so a test can
// prove whom a process talks to without letting it talk to anyone else.
import { appendFileSync } from "node:fs";
import net from "node:net";

/** One attempted connection, as written to the audit file. */
export interface AttemptedConnection {
  readonly pid: number;
  readonly script: string;
  readonly host: string;
  readonly port: number | null;
  readonly refused: boolean;
}

const auditFile = process.env.CONNECTION_AUDIT_FILE;

const isLoopback = (host: string) => host === "localhost" || host === "::1" || host.startsWith("127.") || host === "::ffff:127.0.0.1";

interface ConnectTarget {
  readonly host?: string;
  readonly port?: number | string;
  readonly path?: string;
}

/** Socket#connect takes (options), (port, host), (path) or, from net.connect, an already normalized [options, cb]. */
function targetOf(args: unknown[]): ConnectTarget {
  const first = Array.isArray(args[0]) ? (args[0][0] as unknown) : args[0];
  if (typeof first === "object" && first !== null) return first as ConnectTarget;
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first)))
    return { port: first, host: typeof args[1] === "string" ? args[1] : undefined };
  if (typeof first === "string") return { path: first };
  return {};
}

if (auditFile) {
  const connect = net.Socket.prototype.connect as (this: net.Socket, ...args: unknown[]) => net.Socket;
  net.Socket.prototype.connect = function auditedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
    const target = targetOf(args);
    if (target.path) return connect.apply(this, args); // a Unix socket stays on the machine
    const host = target.host ?? "localhost";
    const refused = !isLoopback(host);
    const attempt: AttemptedConnection = {
      pid: process.pid,
      script: process.argv[1] ?? "",
      host,
      port: target.port === undefined ? null : Number(target.port),
      refused,
    };
    appendFileSync(auditFile, `${JSON.stringify(attempt)}\n`);
    if (refused) {
      process.nextTick(() => this.destroy(new Error(`connection audit: ${host}:${String(target.port)} would leave the machine`)));
      return this;
    }
    return connect.apply(this, args);
  } as typeof net.Socket.prototype.connect;
}
