import 'server-only';
import { appRouter, createCaller } from '@lab/api';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { headers } from 'next/headers';
import { cache } from 'react';
import { createContext } from '@/server/context';
import { makeQueryClient } from './query-client';

const context = cache(async () => createContext(await headers()));

/** Server components call procedures directly, with the same context and checks as HTTP calls. */
export const serverCaller = cache(async () => createCaller(await context()));

export const getQueryClient = cache(makeQueryClient);
export const trpc = createTRPCOptionsProxy({
  ctx: context,
  router: appRouter,
  queryClient: getQueryClient,
});
