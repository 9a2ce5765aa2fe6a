import { describe, expect, it } from 'vitest';
import { SseHub, StreamRefused, sseFrame } from './sse-hub.ts';

const text = new TextDecoder();

/** Reads a stream chunk by chunk without losing one to a timeout (the pending read is kept). */
function reader(stream: ReadableStream<Uint8Array>) {
  const r = stream.getReader();
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  return {
    /** What arrives until `until` is seen or `ms` pass. */
    async read(until: string, ms = 1000): Promise<string> {
      let out = '';
      const end = Date.now() + ms;
      while (!out.includes(until) && Date.now() < end) {
        pending ??= r.read();
        const got = await Promise.race([
          pending,
          new Promise<null>((res) => setTimeout(() => res(null), Math.max(1, end - Date.now()))),
        ]);
        if (!got) break;
        pending = null;
        if (got.done) break;
        out += text.decode(got.value);
      }
      return out;
    },
    cancel: () => r.cancel(),
  };
}

const source = (snap: string) => ({ snapshot: () => sseFrame(snap, 's') });

describe('SseHub', () => {
  it('sends the snapshot first, then every broadcast of the group, encoded once for all clients', async () => {
    const hub = new SseHub();
    const a = reader(hub.open('1.1.1.1', 'g', source('"snap"')));
    const b = reader(hub.open('1.1.1.2', 'g', source('"unused"')));
    await a.read('snap');
    await b.read('snap');
    hub.broadcast('g', sseFrame('"one"', '1'));
    hub.broadcast('other', sseFrame('"nobody"', '2'));
    expect(await a.read('one')).toBe('id: 1\ndata: "one"\n\n');
    expect(await b.read('one')).toBe('id: 1\ndata: "one"\n\n');
    expect(hub.stats.encoded).toBe(1);
    expect(hub.size).toBe(2);
    await a.cancel();
    await b.cancel();
    expect(hub.size).toBe(0);
    hub.close();
  });

  it('a broadcast made while the snapshot is being built follows it, in order', async () => {
    const hub = new SseHub();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const r = reader(
      hub.open('1.1.1.1', 'g', {
        snapshot: async () => {
          await gate;
          return sseFrame('"snap"');
        },
      }),
    );
    const reading = r.read('live'); // the stream starts: its snapshot is being built
    await new Promise((x) => setTimeout(x, 10));
    hub.broadcast('g', sseFrame('"live"'));
    release();
    const out = await reading;
    expect(out.indexOf('snap')).toBeLessThan(out.indexOf('live'));
    hub.close();
  });

  it('a client whose snapshot took so long that the events behind it overflowed resyncs', async () => {
    const hub = new SseHub();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let snapshots = 0;
    const r = reader(
      hub.open('1.1.1.1', 'g', {
        snapshot: async () => {
          if (++snapshots === 1) await gate;
          return sseFrame(`"snap ${snapshots}"`);
        },
      }),
    );
    const reading = r.read('snap 2');
    await new Promise((x) => setTimeout(x, 10));
    for (let i = 0; i < 100; i++) hub.broadcast('g', sseFrame(`"live ${i}"`, `n${i}`));
    release();
    const out = await reading;
    // the first snapshot, then none of the 100 (some were lost), then a fresh snapshot
    expect(out).toContain('snap 1');
    expect(out).not.toContain('live');
    expect(out).toContain('snap 2');
    hub.close();
  });

  it('a stream starts when it is first read: no snapshot is built for a response never sent', async () => {
    const hub = new SseHub();
    let built = 0;
    const counting = { snapshot: () => sseFrame(`"snapshot ${++built}"`) };
    const unread = hub.open('1.1.1.1', 'g', counting);
    await new Promise((r) => setTimeout(r, 10));
    hub.broadcast('g', sseFrame('"before"')); // its snapshot, when it starts, is newer than this
    expect(built).toBe(0);
    expect(hub.size).toBe(1); // it holds its place against the caps until it ends
    await unread.cancel();
    expect(hub.size).toBe(0);
    const started = hub.open('1.1.1.1', 'g', counting);
    hub.broadcast('g', sseFrame('"before"'));
    const r = reader(started);
    expect(await r.read('snapshot 1')).toBe('retry: 1000\n\ndata: "snapshot 1"\n\n');
    hub.broadcast('g', sseFrame('"after"'));
    expect(await r.read('after')).toBe('data: "after"\n\n');
    hub.close();
  });

  it('refuses streams beyond the per-address cap with 429, without touching other addresses', () => {
    const hub = new SseHub({ maxPerAddress: 2 });
    hub.open('9.9.9.9', 'g', source('1'));
    hub.open('9.9.9.9', 'g', source('1'));
    expect(() => hub.open('9.9.9.9', 'g', source('1'))).toThrow(StreamRefused);
    expect(() => hub.open('9.9.9.8', 'g', source('1'))).not.toThrow();
    expect(hub.stats.refused).toBe(1);
    hub.close();
  });

  it('a client that does not read skips events and, once it reads again, gets a fresh snapshot', async () => {
    const hub = new SseHub({ maxBufferedBytes: 1024 });
    let snapshots = 0;
    // one source per group: every (re)joining client of 'g' gets its next numbered snapshot
    const since: Array<string | undefined> = [];
    const counting = {
      snapshot: (lastEventId: string | undefined) => {
        since.push(lastEventId);
        return sseFrame(`"snapshot ${++snapshots}"`);
      },
    };
    const fast = reader(hub.open('1.1.1.2', 'g', counting));
    await fast.read('snapshot 1');
    const slow = reader(hub.open('1.1.1.1', 'g', counting, 'e7'));
    await slow.read('snapshot 2'); // it starts, then reads no more
    const big = JSON.stringify('x'.repeat(300));
    let fastGot = '';
    for (let i = 0; i < 20; i++) {
      hub.broadcast('g', sseFrame(big, `n${i}`)); // ~6 KB in all: the client that does not read falls behind
      fastGot += await fast.read('x"\n\n');
    }
    expect(hub.stats.skipped).toBeGreaterThan(0);
    expect(fastGot.split('x"\n\n').length - 1).toBe(20); // the reading client got every one
    const slowGot = await slow.read('snapshot 3');
    expect(slowGot).toContain('snapshot 3'); // resynchronised instead of receiving the backlog
    expect(hub.stats.resyncs).toBe(1);
    // each snapshot was told what its client had: none, its Last-Event-ID, the last id queued to it
    const queued = Number(since[2]?.slice(1));
    expect(since.slice(0, 2)).toEqual([undefined, 'e7']);
    expect(since[2]).toMatch(/^n\d+$/);
    expect(queued).toBeLessThan(19); // it skipped the rest
    hub.close();
  });
});
