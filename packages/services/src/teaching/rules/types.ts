// Risk-rule assignments as data: a host picks kinds from the rule set (registry.ts) and sets
// their numbers; each kind is one small module that evaluates a participant's account history
// and says whether the rule holds, with every violation, when it happened and the order or
// position behind it. Pure: the compliance service (../compliance.ts) loads and stores.
import type { Account, Catalogue, Decimal, EngineEvent } from '@lab/margin-engine';

/** One event of the account's stream, with the account just before and after it. */
export interface HistoryStep {
  seq: number;
  ev: EngineEvent;
  before: Account;
  after: Account;
  /**
   * The latest price seen of each symbol once this event applied (fills' prices, funding and
   * liquidation marks): what the account is valued at, at that point of its history.
   */
  marks: Readonly<Record<string, Decimal>>;
}

export interface RuleHistory {
  accountId: string;
  steps: readonly HistoryStep[];
  /** The competition's instruments (its fee rates and leverage cap). */
  instruments: Catalogue;
  /** The competition's trading window. */
  startsAt: number;
  endsAt: number;
  /** The time the answer is for: now while it runs, the end once it has ended. */
  now: number;
  /** The competition has ended: rules about "at least" are decided. */
  final: boolean;
}

export interface Violation {
  /** Identity within the rule and participant: evaluating again finds the same key. */
  key: string;
  at: number;
  symbol?: string;
  /** The order behind it, when one is. */
  orderId?: string;
  /** The account event behind it. */
  eventSeq?: number;
  message: string;
  /** The figures behind it, as decimal strings. */
  figures: Record<string, string>;
}

export type RuleStatus = 'ok' | 'pending' | 'violated';

export interface Evaluation {
  status: RuleStatus;
  /** What the student reads, e.g. "3 of 5 trades so far". */
  progress: string;
  violations: Violation[];
  /** When the answer can change without a new event (a grace period ending). */
  recheckAt?: number;
}

/** A number the host sets: a decimal string within bounds. */
export interface ParamSpec {
  name: string;
  label: string;
  unit: '%' | '×' | 's' | 'trades';
  min: string;
  max: string;
  default: string;
  integer: boolean;
}

export type RuleParams = Readonly<Record<string, Decimal>>;

export interface RuleKind {
  kind: string;
  title: string;
  params: readonly ParamSpec[];
  /** The rule with its numbers, as the class reads it. */
  describe(params: RuleParams): string;
  evaluate(history: RuleHistory, params: RuleParams): Evaluation;
}
