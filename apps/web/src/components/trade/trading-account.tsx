'use client';
// The paper account the trading screen trades: its private stream (/api/stream/account) keeps
// the engine's figures live (every position's mark, PnL, liquidation price; the account's margin
// ratio), brings margin calls and liquidations (those missed while the stream was away, or since
// this browser last had the account open, come with its next snapshot), and tells the read
// models (orders, fills, ...) to refresh when the account changed.
import type { AccountStreamEvent, Figures, LiquidationNotice } from '@lab/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { useEventStream, type StreamStatus } from '@/lib/use-event-stream';
import { useTRPC } from '@/trpc/react';

export interface MarginCall {
  compartment: string;
  marginRatio: string | null;
  at: number;
}

export interface TradingAccount {
  accountId: string;
  name: string;
  figures: Figures | null;
  version: number;
  stream: StreamStatus;
  marginCall: MarginCall | null;
  liquidation: LiquidationNotice | null;
  dismissMarginCall: () => void;
  dismissLiquidation: () => void;
}

const Context = createContext<TradingAccount | null>(null);

/** The account being traded, or null on the screen of a visitor (or a user with no account). */
export function useTradingAccount(): TradingAccount | null {
  return useContext(Context);
}

function isStreamEvent(v: unknown): v is AccountStreamEvent {
  return !!v && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string';
}

export function TradingAccountProvider({
  accountId,
  name,
  children,
}: {
  accountId: string;
  name: string;
  children: React.ReactNode;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [figures, setFigures] = useState<Figures | null>(null);
  const [version, setVersion] = useState(0);
  const [marginCall, setMarginCall] = useState<MarginCall | null>(null);
  const [liquidation, setLiquidation] = useState<LiquidationNotice | null>(null);
  // the newest liquidation told (a snapshot after a reconnect may tell it again)
  const toldSeq = useRef(0);
  const tell = useCallback((notices: readonly LiquidationNotice[]) => {
    const newest = notices.at(-1);
    if (!newest || newest.eventSeq <= toldSeq.current) return;
    toldSeq.current = newest.eventSeq;
    setMarginCall(null);
    setLiquidation(newest);
  }, []);

  const onMessage = useCallback(
    (payload: unknown) => {
      if (!isStreamEvent(payload) || payload.accountId !== accountId) return;
      switch (payload.type) {
        case 'snapshot':
          setFigures(payload.figures);
          setVersion(payload.version);
          tell(payload.liquidations ?? []); // absent from an older server's snapshot
          // anything may have changed while the stream was away
          void queryClient.invalidateQueries({ queryKey: trpc.trade.pathKey() });
          break;
        case 'update':
          setFigures(payload.figures);
          setVersion(payload.version);
          void queryClient.invalidateQueries({ queryKey: trpc.trade.pathKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.account.pathKey() });
          break;
        case 'figures':
          setFigures(payload.figures);
          break;
        case 'marginCall':
          setMarginCall({
            compartment: payload.compartment,
            marginRatio: payload.marginRatio,
            at: payload.at,
          });
          break;
        case 'liquidation':
          tell([payload]);
          break;
      }
    },
    [accountId, queryClient, trpc, tell],
  );
  const stream = useEventStream(
    `/api/stream/account?accountId=${encodeURIComponent(accountId)}`,
    onMessage,
    `account:${accountId}`,
  );

  const value = useMemo<TradingAccount>(
    () => ({
      accountId,
      name,
      figures,
      version,
      stream,
      marginCall,
      liquidation,
      dismissMarginCall: () => setMarginCall(null),
      dismissLiquidation: () => setLiquidation(null),
    }),
    [accountId, name, figures, version, stream, marginCall, liquidation],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}
