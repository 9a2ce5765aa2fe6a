// Integrity signals for the hosts, never a verdict: participants who signed in from one client
// address, and participants whose orders mirror another's (the same market and side within a few
// seconds, again and again). A class behind one school network shares one address, so the host
// reads a small group sharing one the rest of the class does not; addresses are shown as a
// short label (a hash), never as the address itself.
import { createHash } from 'node:crypto';
import type { Db } from '@lab/db';
import { requireHost, type Viewer } from '../competitions/access.ts';
import { teachingSettingsOf } from './settings.ts';

export interface SharedAddress {
  /** A stable label of the address within this competition (not the address). */
  label: string;
  participants: Array<{ participantId: string; displayName: string; lastSignIn: number }>;
}

export interface MirroredPair {
  leader: { participantId: string; displayName: string };
  follower: { participantId: string; displayName: string };
  /** Orders of the follower placed within the window after one of the leader's. */
  orders: number;
  /** Median seconds between them. */
  medianSeconds: number;
  /** The follower's orders, of all they placed. */
  followerOrders: number;
  examples: Array<{ symbol: string; side: string; leaderAt: number; followerAt: number }>;
}

export interface IntegritySignals {
  participants: number;
  /** Participants with a known sign-in address. */
  withAddress: number;
  sharedAddresses: SharedAddress[];
  mirrorSeconds: number;
  mirrored: MirroredPair[];
}

/** Pairs need at least this many mirrored orders to be listed (one is a coincidence). */
export const MIN_MIRRORED = 2;

const label = (competitionId: string, address: string) =>
  createHash('sha256')
    .update(`${competitionId}\n${address}`)
    .digest('hex')
    .slice(0, 6)
    .toUpperCase();

export async function integritySignals(
  db: Db,
  viewer: Viewer,
  competitionId: string,
): Promise<IntegritySignals> {
  await requireHost(db, viewer, competitionId);
  const settings = await teachingSettingsOf(db, competitionId);
  const c = await db.competition.findUniqueOrThrow({
    where: { id: competitionId },
    select: { endsAt: true, endedAt: true, _count: { select: { participants: true } } },
  });
  const end = c.endedAt ?? c.endsAt;
  const sessions = await db.$queryRaw<
    Array<{ address: string; participant_id: string; display_name: string; last: Date }>
  >`
    SELECT s.client_address AS address, p.id::text AS participant_id, u.display_name,
      max(s.created_at) AS last
    FROM competition_participants p
    JOIN users u ON u.id = p.user_id
    JOIN sessions s ON s.user_id = p.user_id
    WHERE p.competition_id = ${competitionId}::uuid AND p.status <> 'REMOVED'
      AND s.client_address IS NOT NULL
    GROUP BY s.client_address, p.id, u.display_name`;
  const byAddress = new Map<string, SharedAddress['participants']>();
  for (const r of sessions) {
    const list = byAddress.get(r.address) ?? [];
    list.push({
      participantId: r.participant_id,
      displayName: r.display_name,
      lastSignIn: r.last.getTime(),
    });
    byAddress.set(r.address, list);
  }
  const sharedAddresses = [...byAddress]
    .filter(([, list]) => list.length > 1)
    .map(([address, list]) => ({
      label: label(competitionId, address),
      participants: list.sort((a, b) => a.displayName.localeCompare(b.displayName)),
    }))
    .sort(
      (a, b) => a.participants.length - b.participants.length || a.label.localeCompare(b.label),
    );

  // orders placed by people (they have an author row): not the platform's closes
  const pairs = await db.$queryRaw<
    Array<{
      leader: string;
      leader_name: string;
      follower: string;
      follower_name: string;
      orders: number;
      median: number;
      follower_orders: number;
      examples: Array<{ symbol: string; side: string; a: string; b: string }>;
    }>
  >`
    WITH placed AS (
      SELECT o.id, o.account_id, o.symbol, o.side, o.created_at, p.id AS participant_id,
        u.display_name
      FROM competition_participants p
      JOIN users u ON u.id = p.user_id
      JOIN orders o ON o.account_id = p.account_id
      JOIN order_notes n ON n.order_id = o.id
      WHERE p.competition_id = ${competitionId}::uuid AND p.status <> 'REMOVED'
        AND o.created_at < ${end}
    ), matched AS (
      SELECT DISTINCT ON (b.id) a.participant_id AS leader, a.display_name AS leader_name,
        b.participant_id AS follower, b.display_name AS follower_name, b.id AS order_id,
        a.symbol, a.side, a.created_at AS a_at, b.created_at AS b_at
      FROM placed a JOIN placed b ON b.symbol = a.symbol AND b.side = a.side
        AND b.account_id <> a.account_id AND b.created_at >= a.created_at
        AND b.created_at <= a.created_at + make_interval(secs => ${settings.mirrorSeconds})
      ORDER BY b.id, b.created_at - a.created_at
    )
    SELECT m.leader::text, min(m.leader_name) AS leader_name, m.follower::text,
      min(m.follower_name) AS follower_name, count(*)::int AS orders,
      (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM m.b_at - m.a_at)))::float8 AS median,
      (SELECT count(*)::int FROM placed x WHERE x.participant_id = m.follower) AS follower_orders,
      json_agg(json_build_object('symbol', m.symbol, 'side', m.side, 'a', m.a_at, 'b', m.b_at)
        ORDER BY m.b_at) AS examples
    FROM matched m
    GROUP BY m.leader, m.follower
    HAVING count(*) >= ${MIN_MIRRORED}
    ORDER BY count(*) DESC, m.leader, m.follower
    LIMIT 100`;
  return {
    participants: c._count.participants,
    withAddress: new Set(sessions.map((s) => s.participant_id)).size,
    sharedAddresses,
    mirrorSeconds: settings.mirrorSeconds,
    mirrored: pairs.map((p) => ({
      leader: { participantId: p.leader, displayName: p.leader_name },
      follower: { participantId: p.follower, displayName: p.follower_name },
      orders: p.orders,
      medianSeconds: Math.round(p.median * 10) / 10,
      followerOrders: p.follower_orders,
      examples: p.examples.slice(0, 5).map((e) => ({
        symbol: e.symbol,
        side: e.side,
        leaderAt: new Date(e.a).getTime(),
        followerAt: new Date(e.b).getTime(),
      })),
    })),
  };
}
