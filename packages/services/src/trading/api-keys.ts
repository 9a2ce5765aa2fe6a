// Bot API keys of paper accounts (the Binance-compatible /fapi API). A key belongs to one account;
// its owner creates, lists and revokes keys; a bot authenticates with the key and signs requests
// with the secret (HMAC-SHA256), so the server needs the secret itself: it is encrypted at rest
// with AES-256-GCM under a key derived (HKDF-SHA256) from LAB_API_KEY_SECRET, or NEXTAUTH_SECRET
// when that is not set. A database dump alone therefore reveals no secret; the server's secret and
// the dump together do, as they would for any HMAC scheme. The secret is returned once, at
// creation, and is never logged.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Db, Prisma } from '@lab/db';
import { AppError } from '../errors.ts';

export type ApiKeyPermission = 'read' | 'trade';

/** Keys one account may hold, revoked ones included (a revoked key stays listed). */
export const MAX_API_KEYS_PER_ACCOUNT = 20;
export const MAX_ALLOWED_IPS = 10;
/** How long a listen key lives without a keep-alive (Binance: 60 minutes). */
export const LISTEN_KEY_TTL_MS = 60 * 60_000;
/** lastUsedAt is written at most this often per key (a bot makes many requests a second). */
const TOUCH_EVERY_MS = 60_000;

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `n` random letters and digits (unbiased: bytes >= 248 are drawn again). */
function randomToken(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      if (b < 248 && out.length < n) out += ALPHANUM[b % 62];
    }
  }
  return out;
}

// --- encryption at rest ---------------------------------------------------------------------

const CIPHER_VERSION = 'v1';

function encryptionKey(): Buffer {
  const secret = process.env.LAB_API_KEY_SECRET?.trim() || process.env.NEXTAUTH_SECRET?.trim();
  if (!secret || secret.length < 32)
    throw new AppError(
      'UNAVAILABLE',
      'The bot API needs LAB_API_KEY_SECRET or NEXTAUTH_SECRET (32+ characters) on the server.',
    );
  if (derived?.from !== secret)
    derived = {
      from: secret,
      key: Buffer.from(hkdfSync('sha256', secret, 'leverage-lab', 'bot api key secrets v1', 32)),
    };
  return derived.key;
}

/** The key derived from the server secret last used (read from the environment on each use). */
let derived: { from: string; key: Buffer } | undefined;

export function encryptSecret(secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey(), iv);
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  const b64 = (b: Buffer) => b.toString('base64url');
  return [CIPHER_VERSION, b64(iv), b64(cipher.getAuthTag()), b64(body)].join('.');
}

/** The secret, or null when the ciphertext was made under another server secret. */
export function decryptSecret(stored: string): string | null {
  const [version, iv, tag, body] = stored.split('.');
  if (version !== CIPHER_VERSION || !iv || !tag || !body) return null;
  try {
    const d = createDecipheriv('aes-256-gcm', encryptionKey(), Buffer.from(iv, 'base64url'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
  } catch (e) {
    if (e instanceof AppError) throw e;
    return null;
  }
}

// --- who may have keys ---------------------------------------------------------------------

interface AccountForBots {
  kind: 'PERSONAL' | 'EXTRA' | 'COMPETITION';
  status: 'ACTIVE' | 'ARCHIVED';
  participant: { competition: { allowBots: boolean } } | null;
}

/**
 * What botsAllowed reads of an account (select it with every key lookup; findBotCredential reads
 * the same three in its join, into an AccountForBots).
 */
export const accountForBotsSelect = {
  kind: true,
  status: true,
  participant: { select: { competition: { select: { allowBots: true } } } },
} as const satisfies Prisma.PaperAccountSelect;

/**
 * The one rule of whether an account may be traded by bots, checked when a key is created and on
 * every request made with one: personal and extra accounts may; a competition account only while
 * its competition's host allows bots (Competition.allowBots). A host switching bots off stops
 * every key of the competition at its next request.
 */
export function botsAllowed(account: AccountForBots): boolean {
  if (account.kind !== 'COMPETITION') return true;
  return account.participant?.competition.allowBots === true;
}

// --- the owner's side ------------------------------------------------------------------------

export interface ApiKeyView {
  id: string;
  accountId: string;
  label: string;
  /** The public key (what a bot sends in X-MBX-APIKEY). */
  key: string;
  permission: ApiKeyPermission;
  ipAllowList: string[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

const viewSelect = {
  id: true,
  accountId: true,
  label: true,
  key: true,
  permission: true,
  ipAllowList: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const satisfies Prisma.ApiKeySelect;

function view(r: Prisma.ApiKeyGetPayload<{ select: typeof viewSelect }>): ApiKeyView {
  return {
    id: r.id,
    accountId: r.accountId,
    label: r.label,
    key: r.key,
    permission: r.permission === 'TRADE' ? 'trade' : 'read',
    ipAllowList: r.ipAllowList,
    createdAt: r.createdAt.getTime(),
    lastUsedAt: r.lastUsedAt?.getTime() ?? null,
    revokedAt: r.revokedAt?.getTime() ?? null,
  };
}

const notFound = () => new AppError('NOT_FOUND', 'Account not found.');

async function ownedAccount(db: Db | Prisma.TransactionClient, userId: string, accountId: string) {
  const a = await db.paperAccount.findFirst({
    where: { id: accountId, userId },
    select: { id: true, ...accountForBotsSelect },
  });
  if (!a) throw notFound();
  return a;
}

/** Normalises an IP allow-list entry (IPv4 or IPv6, an IPv4-mapped IPv6 as IPv4). */
export function normalizeIp(ip: string): string | null {
  const s = ip
    .trim()
    .toLowerCase()
    .replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return isIP(s) ? s : null;
}

export interface CreateApiKeyInput {
  label: string;
  permission: ApiKeyPermission;
  ipAllowList?: readonly string[];
}

export interface CreatedApiKey extends ApiKeyView {
  /** Shown once: it is not stored in a readable form and cannot be shown again. */
  secret: string;
}

export async function createApiKey(
  db: Db,
  userId: string,
  accountId: string,
  input: CreateApiKeyInput,
): Promise<CreatedApiKey> {
  const ips: string[] = [];
  for (const raw of input.ipAllowList ?? []) {
    const ip = normalizeIp(raw);
    if (!ip)
      throw new AppError('VALIDATION', `"${raw.slice(0, 60)}" is not an IPv4 or IPv6 address.`, {
        field: 'ipAllowList',
      });
    if (!ips.includes(ip)) ips.push(ip);
  }
  if (ips.length > MAX_ALLOWED_IPS)
    throw new AppError('VALIDATION', `At most ${MAX_ALLOWED_IPS} addresses per key.`, {
      field: 'ipAllowList',
    });
  const secret = randomToken(64);
  const secretCiphertext = encryptSecret(secret);
  const row = await db.$transaction(async (tx) => {
    // the account's row lock orders concurrent creations, so the count below is exact
    await tx.$queryRaw`SELECT id FROM paper_accounts WHERE id = ${accountId}::uuid AND user_id = ${userId}::uuid FOR UPDATE`;
    const account = await ownedAccount(tx, userId, accountId);
    if (account.status !== 'ACTIVE')
      throw new AppError('PRECONDITION', 'This account is archived; restore it first.');
    if (!botsAllowed(account))
      throw new AppError(
        'PRECONDITION',
        'Bots may not trade on this competition account: its host has not allowed them.',
        { reason: 'BOTS_NOT_ALLOWED' },
      );
    const count = await tx.apiKey.count({ where: { accountId } });
    if (count >= MAX_API_KEYS_PER_ACCOUNT)
      throw new AppError(
        'PRECONDITION',
        `An account holds at most ${MAX_API_KEYS_PER_ACCOUNT} API keys, revoked ones included.`,
      );
    return tx.apiKey.create({
      data: {
        accountId,
        key: randomToken(64),
        label: input.label,
        permission: input.permission === 'trade' ? 'TRADE' : 'READ',
        secretCiphertext,
        ipAllowList: ips,
      },
      select: viewSelect,
    });
  });
  return { ...view(row), secret };
}

/** Keys of the account, newest first (revoked ones too, marked). */
export async function listApiKeys(
  db: Db,
  userId: string,
  accountId: string,
): Promise<ApiKeyView[]> {
  await ownedAccount(db, userId, accountId);
  const rows = await db.apiKey.findMany({
    where: { accountId },
    select: viewSelect,
    orderBy: { createdAt: 'desc' },
  });
  return rows.map(view);
}

/** Revokes a key at once: every later request with it is refused (-2015), its stream closed. */
export async function revokeApiKey(
  db: Db,
  userId: string,
  accountId: string,
  apiKeyId: string,
): Promise<ApiKeyView> {
  await ownedAccount(db, userId, accountId);
  const found = await db.apiKey.findFirst({
    where: { id: apiKeyId, accountId },
    select: viewSelect,
  });
  if (!found)
    throw new AppError('NOT_FOUND', 'No such API key on this account.', { field: 'apiKeyId' });
  if (found.revokedAt) return view(found);
  const row = await db.apiKey.update({
    where: { id: apiKeyId },
    data: { revokedAt: new Date(), listenKey: null, listenKeyExpiresAt: null },
    select: viewSelect,
  });
  return view(row);
}

// --- the bot's side --------------------------------------------------------------------------

export interface BotCredential {
  apiKeyId: string;
  accountId: string;
  userId: string;
  venueId: string;
  permission: ApiKeyPermission;
  ipAllowList: string[];
  /** Null when it cannot be decrypted (made under another server secret): refuse the key. */
  secret: string | null;
  /** Revoked, the account archived, or bots not allowed on it. */
  usable: boolean;
  lastUsedAt: number | null;
}

/** The key's credential, or null when no key has this value. */
export async function findBotCredential(db: Db, key: string): Promise<BotCredential | null> {
  if (!/^[A-Za-z0-9]{1,64}$/.test(key)) return null;
  // one statement on every bot request (Prisma's nested select sent one per relation)
  const [row] = await db.$queryRaw<
    Array<{
      id: string;
      account_id: string;
      permission: string;
      ip_allow_list: string[];
      secret_ciphertext: string;
      revoked: boolean;
      last_used_at: Date | null;
      user_id: string;
      venue_id: string;
      kind: AccountForBots['kind'];
      status: AccountForBots['status'];
      allow_bots: boolean | null;
    }>
  >`
    SELECT k.id::text AS id, k.account_id::text AS account_id, k.permission::text AS permission,
           k.ip_allow_list, k.secret_ciphertext, k.revoked_at IS NOT NULL AS revoked,
           k.last_used_at, a.user_id::text AS user_id, a.venue_id, a.kind::text AS kind,
           a.status::text AS status, c.allow_bots
      FROM api_keys k
      JOIN paper_accounts a ON a.id = k.account_id
      LEFT JOIN competition_participants p ON p.account_id = a.id
      LEFT JOIN competitions c ON c.id = p.competition_id
     WHERE k.key = ${key}`;
  if (!row) return null;
  const account: AccountForBots = {
    kind: row.kind,
    status: row.status,
    participant: row.allow_bots === null ? null : { competition: { allowBots: row.allow_bots } },
  };
  return {
    apiKeyId: row.id,
    accountId: row.account_id,
    userId: row.user_id,
    venueId: row.venue_id,
    permission: row.permission === 'TRADE' ? 'trade' : 'read',
    ipAllowList: row.ip_allow_list,
    secret: decryptSecret(row.secret_ciphertext),
    usable: !row.revoked && row.status === 'ACTIVE' && botsAllowed(account),
    lastUsedAt: row.last_used_at?.getTime() ?? null,
  };
}

/** Whether a client address may use the key (an empty list allows any). */
export function ipAllowed(cred: Pick<BotCredential, 'ipAllowList'>, ip: string): boolean {
  if (!cred.ipAllowList.length) return true;
  const n = normalizeIp(ip);
  return n !== null && cred.ipAllowList.includes(n);
}

/** Records that the key was used (at most once a minute per key). */
export async function touchApiKey(db: Db, cred: BotCredential, now = Date.now()): Promise<void> {
  if (cred.lastUsedAt !== null && now - cred.lastUsedAt < TOUCH_EVERY_MS) return;
  cred.lastUsedAt = now;
  await db.apiKey.updateMany({
    where: {
      id: cred.apiKeyId,
      OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now - TOUCH_EVERY_MS) } }],
    },
    data: { lastUsedAt: new Date(now) },
  });
}

/**
 * The key's listen key for the user data stream: the active one (its life extended), or a new
 * one. Binance's rule: one per key, valid 60 minutes after the last keep-alive.
 */
export async function openListenKey(db: Db, apiKeyId: string, now = Date.now()): Promise<string> {
  const row = await db.apiKey.findUniqueOrThrow({
    where: { id: apiKeyId },
    select: { listenKey: true, listenKeyExpiresAt: true },
  });
  const active =
    row.listenKey && row.listenKeyExpiresAt && row.listenKeyExpiresAt.getTime() > now
      ? row.listenKey
      : randomToken(64);
  await db.apiKey.update({
    where: { id: apiKeyId },
    data: { listenKey: active, listenKeyExpiresAt: new Date(now + LISTEN_KEY_TTL_MS) },
  });
  return active;
}

/** Extends the key's listen key; false when it has none that is still valid. */
export async function keepAliveListenKey(
  db: Db,
  apiKeyId: string,
  now = Date.now(),
): Promise<string | null> {
  const row = await db.apiKey.findUniqueOrThrow({
    where: { id: apiKeyId },
    select: { listenKey: true, listenKeyExpiresAt: true },
  });
  if (!row.listenKey || !row.listenKeyExpiresAt || row.listenKeyExpiresAt.getTime() <= now)
    return null;
  await db.apiKey.update({
    where: { id: apiKeyId },
    data: { listenKeyExpiresAt: new Date(now + LISTEN_KEY_TTL_MS) },
  });
  return row.listenKey;
}

export async function closeListenKey(db: Db, apiKeyId: string): Promise<void> {
  await db.apiKey.update({
    where: { id: apiKeyId },
    data: { listenKey: null, listenKeyExpiresAt: null },
  });
}

export interface ListenKeyOwner {
  apiKeyId: string;
  accountId: string;
  venueId: string;
  expiresAt: number;
}

/** Whose listen key this is, while it is valid and its key usable; otherwise null. */
export async function resolveListenKey(
  db: Db,
  listenKey: string,
  now = Date.now(),
): Promise<ListenKeyOwner | null> {
  if (!/^[A-Za-z0-9]{1,64}$/.test(listenKey)) return null;
  const row = await db.apiKey.findUnique({
    where: { listenKey },
    select: {
      id: true,
      accountId: true,
      revokedAt: true,
      listenKeyExpiresAt: true,
      account: { select: { venueId: true, ...accountForBotsSelect } },
    },
  });
  if (!row || row.revokedAt || !row.listenKeyExpiresAt) return null;
  if (row.listenKeyExpiresAt.getTime() <= now) return null;
  if (row.account.status !== 'ACTIVE' || !botsAllowed(row.account)) return null;
  return {
    apiKeyId: row.id,
    accountId: row.accountId,
    venueId: row.account.venueId,
    expiresAt: row.listenKeyExpiresAt.getTime(),
  };
}
