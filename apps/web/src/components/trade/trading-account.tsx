'use client';
// The paper account the trading screen trades: its private stream (/api/stream/account) keeps
// the engine's figures live (every position's mark, PnL, liquidation price; the account's margin
// ratio), brings margin calls and liquidations, and tells the read models (orders, fills, ...)
// to refresh when the account changed.
import type { AccountStreamEvent, Figures } from '@lab/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useState } from 'react';
import { useEventStream, type StreamStatus } from '@/lib/use-event-stream';
import { useTRPC } from '@/trpc/react';

export interface MarginCall {
  compartment: string;
  marginRatio: string | null;
  at: number;
}

export interface LiquidationNotice {
  mode: 'cross' | 'isolated';
  symbol: string | null;
  markPrice: string | null;
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

  const onMessage = useCallback(
    (payload: unknown) => {
      if (!isStreamEvent(payload) || payload.accountId !== accountId) return;
      switch (payload.type) {
        case 'snapshot':
          setFigures(payload.figures);
          setVersion(payload.version);
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
          setMarginCall(null);
          setLiquidation({
            mode: payload.mode,
            symbol: payload.symbol,
            markPrice: payload.markPrice,
            at: payload.at,
          });
          break;
      }
    },
    [accountId, queryClient, trpc],
  );
  const stream = useEventStream(
    `/api/stream/account?accountId=${encodeURIComponent(accountId)}`,
    onMessage,
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
