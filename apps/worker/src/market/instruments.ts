import { CATALOGUE } from '@lab/margin-engine';
import type { Db } from '@lab/db';

/** The engine's catalogue is the source of truth for specs: mirror it into the instruments table. */
export async function syncInstruments(db: Db, source: string): Promise<string[]> {
  const symbols = Object.keys(CATALOGUE);
  for (const symbol of symbols) {
    const spec = JSON.parse(JSON.stringify(CATALOGUE[symbol])) as object; // Decimal -> string
    const base = symbol.replace(/USDT$/, '');
    await db.instrument.upsert({
      where: { symbol },
      create: { symbol, baseAsset: base, quoteAsset: 'USDT', spec, source },
      update: { spec, source },
    });
  }
  return symbols;
}
