// Compares what prisma/schema.prisma declares with what the migrations actually built, so that a
// model or field changed without a migration (or a migration that drifted) fails a test.
// The schema is read with Prisma's own parser (prisma-schema-wasm, the same WASM the CLI uses).
import fs from 'node:fs';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import type pg from 'pg';
import { schemaPath } from './paths.ts';

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object' | 'unsupported';
  type: string;
  isList: boolean;
  isRequired: boolean;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  fields: Array<{ name: string }>;
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: Array<{
      name: string;
      dbName?: string | null;
      values: Array<{ name: string; dbName?: string | null }>;
    }>;
    indexes: DmmfIndex[];
  };
}

export function readSchemaDmmf(schemaText = fs.readFileSync(schemaPath, 'utf8')): Dmmf {
  return JSON.parse(
    get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schemaText]] })),
  ) as Dmmf;
}

/** The PostgreSQL type a Prisma field maps to, as `format_type()` prints it. */
function expectedSqlType(f: DmmfField, enumDbName: (n: string) => string): string {
  if (f.kind === 'enum') return `"${enumDbName(f.type)}"`.replace(/^"([a-z_][a-z0-9_]*)"$/, '$1');
  const [native, args = []] = f.nativeType ?? [];
  const withArgs = (base: string) => (args.length ? `${base}(${args.join(',')})` : base);
  switch (native) {
    case 'Uuid':
      return 'uuid';
    case 'VarChar':
      return withArgs('character varying');
    case 'Char':
      return withArgs('character');
    case 'Text':
      return 'text';
    case 'Decimal':
      return withArgs('numeric');
    case 'Timestamptz':
      return `timestamp(${args[0] ?? 6}) with time zone`;
    case 'Timestamp':
      return `timestamp(${args[0] ?? 6}) without time zone`;
    case 'SmallInt':
      return 'smallint';
    case 'JsonB':
      return 'jsonb';
    case undefined:
      break;
    default:
      return native.toLowerCase();
  }
  const defaults: Record<string, string> = {
    String: 'text',
    Int: 'integer',
    BigInt: 'bigint',
    Float: 'double precision',
    Decimal: 'numeric(65,30)',
    Boolean: 'boolean',
    DateTime: 'timestamp(3) without time zone',
    Json: 'jsonb',
    Bytes: 'bytea',
  };
  return defaults[f.type] ?? `?${f.type}`;
}

type Query = Pick<pg.Client, 'query'>;

/** Every disagreement between schema.prisma and the database, as readable sentences. */
export async function schemaDisagreements(
  db: Query,
  dmmf: Dmmf = readSchemaDmmf(),
): Promise<string[]> {
  const problems: string[] = [];
  const models = dmmf.datamodel.models;
  const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
  const enumDbName = (name: string) =>
    dmmf.datamodel.enums.find((e) => e.name === name)?.dbName ?? name;
  const modelByName = new Map(models.map((m) => [m.name, m]));
  const columnOf = (model: DmmfModel, field: string) => {
    const f = model.fields.find((x) => x.name === field);
    return f?.dbName ?? field;
  };

  const { rows: cols } = await db.query<{
    table_name: string;
    column_name: string;
    type: string;
    not_null: boolean;
  }>(`
    SELECT c.relname AS table_name, a.attname AS column_name,
           format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`);
  const tables = new Map<string, Map<string, { type: string; not_null: boolean }>>();
  for (const r of cols) {
    if (!tables.has(r.table_name)) tables.set(r.table_name, new Map());
    tables.get(r.table_name)!.set(r.column_name, r);
  }

  for (const m of models) {
    const table = tables.get(tableOf(m));
    if (!table) {
      problems.push(`model ${m.name}: table "${tableOf(m)}" does not exist`);
      continue;
    }
    const declared = new Set<string>();
    for (const f of m.fields) {
      if (f.kind === 'object') continue;
      const col = f.dbName ?? f.name;
      declared.add(col);
      const actual = table.get(col);
      if (!actual) {
        problems.push(`${m.name}.${f.name}: column "${tableOf(m)}"."${col}" does not exist`);
        continue;
      }
      const want = expectedSqlType(f, enumDbName) + (f.isList ? '[]' : '');
      if (actual.type !== want)
        problems.push(`${m.name}.${f.name}: column type is ${actual.type}, schema says ${want}`);
      if (actual.not_null !== f.isRequired) {
        problems.push(
          `${m.name}.${f.name}: column is ${actual.not_null ? 'NOT NULL' : 'nullable'}, schema says ${f.isRequired ? 'required' : 'optional'}`,
        );
      }
    }
    for (const col of table.keys()) {
      if (!declared.has(col))
        problems.push(`${m.name}: column "${tableOf(m)}"."${col}" is not in schema.prisma`);
    }
  }
  const modelTables = new Set(models.map(tableOf));
  for (const t of tables.keys()) {
    if (t !== '_prisma_migrations' && !modelTables.has(t))
      problems.push(`table "${t}" is not in schema.prisma`);
  }

  // Enums and their values.
  const { rows: enumRows } = await db.query<{ name: string; value: string }>(`
    SELECT t.typname AS name, e.enumlabel AS value FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
    JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' ORDER BY t.typname, e.enumsortorder`);
  for (const e of dmmf.datamodel.enums) {
    const want = e.values.map((v) => v.dbName ?? v.name).join(',');
    const have = enumRows
      .filter((r) => r.name === (e.dbName ?? e.name))
      .map((r) => r.value)
      .join(',');
    if (want !== have)
      problems.push(`enum ${e.name}: database has [${have}], schema says [${want}]`);
  }

  // Primary keys, unique constraints and indexes, compared as column lists.
  const { rows: idx } = await db.query<{
    table_name: string;
    columns: string[];
    is_primary: boolean;
    is_unique: boolean;
  }>(`
    SELECT c.relname AS table_name, i.indisprimary AS is_primary, i.indisunique AS is_unique,
           array_agg(a.attname::text ORDER BY k.ord) AS columns
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
    WHERE n.nspname = 'public' GROUP BY c.relname, i.indexrelid, i.indisprimary, i.indisunique`);
  const kindOf = (r: { is_primary: boolean; is_unique: boolean }) =>
    r.is_primary ? 'id' : r.is_unique ? 'unique' : 'normal';
  for (const ix of dmmf.datamodel.indexes) {
    const m = modelByName.get(ix.model);
    if (!m) continue;
    const cols = ix.fields.map((f) => columnOf(m, f.name)).join(',');
    const found = idx.some(
      (r) => r.table_name === tableOf(m) && r.columns.join(',') === cols && kindOf(r) === ix.type,
    );
    if (!found)
      problems.push(
        `${m.name}: no ${ix.type === 'id' ? 'primary key' : ix.type + ' index'} on (${cols})`,
      );
  }
  for (const r of idx) {
    const m = models.find((x) => tableOf(x) === r.table_name);
    if (!m) continue;
    const declared = dmmf.datamodel.indexes.some(
      (ix) =>
        ix.model === m.name &&
        ix.type === kindOf(r) &&
        ix.fields.map((f) => columnOf(m, f.name)).join(',') === r.columns.join(','),
    );
    if (!declared)
      problems.push(
        `${m.name}: database has a ${kindOf(r)} index on (${r.columns.join(',')}) that schema.prisma does not declare`,
      );
  }

  // Foreign keys: every relation side that holds the fields.
  const { rows: fks } = await db.query<{
    table_name: string;
    columns: string[];
    ref_table: string;
    ref_columns: string[];
    on_delete: string;
  }>(`
    SELECT c.relname AS table_name, rc.relname AS ref_table, con.confdeltype AS on_delete,
      (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(n, ord)
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n) AS columns,
      (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(n, ord)
         JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n) AS ref_columns
    FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_class rc ON rc.oid = con.confrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE con.contype = 'f' AND n.nspname = 'public'`);
  const onDeleteCode: Record<string, string> = {
    Cascade: 'c',
    Restrict: 'r',
    NoAction: 'a',
    SetNull: 'n',
    SetDefault: 'd',
  };
  let declaredFks = 0;
  for (const m of models) {
    for (const f of m.fields) {
      if (f.kind !== 'object' || !f.relationFromFields?.length) continue;
      declaredFks++;
      const target = modelByName.get(f.type)!;
      const cols = f.relationFromFields.map((x) => columnOf(m, x)).join(',');
      const refCols = (f.relationToFields ?? []).map((x) => columnOf(target, x)).join(',');
      const fk = fks.find((k) => k.table_name === tableOf(m) && k.columns.join(',') === cols);
      if (!fk) {
        problems.push(
          `${m.name}.${f.name}: no foreign key on (${cols}) to ${tableOf(target)}(${refCols})`,
        );
        continue;
      }
      if (fk.ref_table !== tableOf(target) || fk.ref_columns.join(',') !== refCols) {
        problems.push(
          `${m.name}.${f.name}: foreign key points to ${fk.ref_table}(${fk.ref_columns.join(',')}), schema says ${tableOf(target)}(${refCols})`,
        );
      }
      const wantDelete =
        onDeleteCode[f.relationOnDelete ?? (f.isRequired ? 'Restrict' : 'SetNull')];
      if (fk.on_delete !== wantDelete) {
        problems.push(
          `${m.name}.${f.name}: foreign key ON DELETE differs (database '${fk.on_delete}', schema ${f.relationOnDelete ?? 'default'})`,
        );
      }
    }
  }
  if (fks.length !== declaredFks)
    problems.push(`database has ${fks.length} foreign keys, schema.prisma declares ${declaredFks}`);
  return problems;
}
