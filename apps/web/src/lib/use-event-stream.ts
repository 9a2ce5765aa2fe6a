'use client';
// One server-sent-events stream for a component's lifetime (EventSource reconnects by itself after
// a drop, sending the id of the last frame it got, and the server then sends a fresh snapshot).
// Messages are JSON; `onMessage` gets each one parsed. `status` says whether the stream is open.
// With `resumeKey`, the last frame id is kept in the browser's storage and sent (`since`) when the
// page opens the stream again later, so the server can tell what happened in between.
import { useEffect, useRef, useState } from 'react';

export type StreamStatus = 'connecting' | 'open' | 'reconnecting';

const storageKey = (resumeKey: string) => `lab:last-event:${resumeKey}`;

function stored(resumeKey: string): string | null {
  try {
    return window.localStorage.getItem(storageKey(resumeKey));
  } catch {
    return null; // storage unavailable (private mode, disabled)
  }
}

function store(resumeKey: string, id: string): void {
  try {
    window.localStorage.setItem(storageKey(resumeKey), id);
  } catch {
    // a full or unavailable storage only loses the resume point
  }
}

export function useEventStream(
  url: string | null,
  onMessage: (data: unknown) => void,
  resumeKey?: string,
): StreamStatus {
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const handler = useRef(onMessage);
  handler.current = onMessage;
  useEffect(() => {
    if (!url) return;
    let lastId = resumeKey ? stored(resumeKey) : null;
    const es = new EventSource(
      lastId ? `${url}${url.includes('?') ? '&' : '?'}since=${encodeURIComponent(lastId)}` : url,
    );
    let opened = false;
    es.onopen = () => {
      opened = true;
      setStatus('open');
    };
    es.onerror = () => setStatus(opened ? 'reconnecting' : 'connecting');
    es.onmessage = (e: MessageEvent<string>) => {
      let data: unknown;
      try {
        data = JSON.parse(e.data);
      } catch {
        return;
      }
      handler.current(data);
      if (resumeKey && e.lastEventId && e.lastEventId !== lastId) {
        lastId = e.lastEventId;
        store(resumeKey, lastId);
      }
    };
    return () => es.close();
  }, [url, resumeKey]);
  return status;
}
