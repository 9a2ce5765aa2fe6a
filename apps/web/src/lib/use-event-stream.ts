'use client';
// One server-sent-events stream for a component's lifetime (EventSource reconnects by itself after
// a drop and the server then sends a fresh snapshot). Messages are JSON; `onMessage` gets each one
// parsed. `status` says whether the stream is open.
import { useEffect, useRef, useState } from 'react';

export type StreamStatus = 'connecting' | 'open' | 'reconnecting';

export function useEventStream(
  url: string | null,
  onMessage: (data: unknown) => void,
): StreamStatus {
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const handler = useRef(onMessage);
  handler.current = onMessage;
  useEffect(() => {
    if (!url) return;
    const es = new EventSource(url);
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
    };
    return () => es.close();
  }, [url]);
  return status;
}
