// A small HTTP client over node:http with a keep-alive agent (no dependency): tRPC calls as the
// browser's client sends them, with a trader's session cookie and client address.
import http from 'node:http';

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
  /** Milliseconds from sending to the last byte. */
  ms: number;
}

export interface Caller {
  cookie: string;
  ip: string;
}

export interface RequestOptions {
  ip?: string;
  cookie?: string;
  contentType?: string;
  /** Extra headers. */
  headers?: Record<string, string>;
}

export class HttpClient {
  readonly agent: http.Agent;
  private readonly url: URL;

  constructor(base: string, maxSockets = 256) {
    this.url = new URL(base);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  request(
    method: string,
    path: string,
    body: string | Buffer | undefined,
    opts: RequestOptions = {},
  ): Promise<Response> {
    const started = performance.now();
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.ip) headers['x-forwarded-for'] = opts.ip;
    if (opts.cookie) headers.cookie = opts.cookie;
    if (body !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          headers,
          agent: this.agent,
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let json: unknown = undefined;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              /* not JSON */
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              json,
              ms: performance.now() - started,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  get(path: string, opts: RequestOptions = {}) {
    return this.request('GET', path, undefined, opts);
  }

  post(path: string, body: unknown, opts: RequestOptions = {}) {
    return this.request('POST', path, JSON.stringify(body), opts);
  }

  /** A tRPC mutation: POST /api/trpc/<path> with the input as the JSON body. */
  mutation(procedure: string, input: unknown, who: Caller) {
    return this.post(`/api/trpc/${procedure}`, input, who);
  }

  /** A tRPC query: GET /api/trpc/<path>?input=<JSON>. */
  query(procedure: string, input: unknown, who: Caller) {
    const q = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return this.get(`/api/trpc/${procedure}${q}`, who);
  }

  close() {
    this.agent.destroy();
  }
}
