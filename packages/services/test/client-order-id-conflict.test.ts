import { describe, expect, it } from 'vitest';
import { isClientOrderIdConflict } from '../src/trading/orders.ts';

describe('isClientOrderIdConflict', () => {
  it('knows the unique index on (account, clientOrderId) as pg and as Prisma report it', () => {
    // pg (order placement's raw transaction)
    expect(
      isClientOrderIdConflict({
        code: '23505',
        constraint: 'orders_account_id_client_order_id_key',
      }),
    ).toBe(true);
    expect(isClientOrderIdConflict({ code: '23505', constraint: 'orders_pkey' })).toBe(false);
    // Prisma
    expect(
      isClientOrderIdConflict({
        code: 'P2002',
        meta: { target: ['account_id', 'client_order_id'] },
      }),
    ).toBe(true);
    expect(isClientOrderIdConflict({ code: 'P2002', meta: { target: ['email'] } })).toBe(false);
    expect(isClientOrderIdConflict(new Error('other'))).toBe(false);
    expect(isClientOrderIdConflict(undefined)).toBe(false);
  });
});
