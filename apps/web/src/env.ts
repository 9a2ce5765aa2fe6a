// Environment of the web app, read and validated in one place.
import { z } from 'zod';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string({
      error: 'DATABASE_URL is required: start the app with `npm start`, which provides it',
    })
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgresql:// URL'),
  // Auth (next-auth). `npm start` provides both; NEXTAUTH_SECRET is required in production.
  NEXTAUTH_SECRET: z.string().min(32, 'NEXTAUTH_SECRET must be at least 32 characters').optional(),
  NEXTAUTH_URL: z
    .url('NEXTAUTH_URL must be the public URL of the app, like https://lab.example.com')
    .optional(),
  // GitHub sign-in is offered only when both are set.
  GITHUB_ID: z.string().min(1).optional(),
  GITHUB_SECRET: z.string().min(1).optional(),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;
export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(
      'Invalid environment: ' +
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  if (parsed.data.NODE_ENV === 'production' && !parsed.data.NEXTAUTH_SECRET) {
    throw new Error(
      'Invalid environment: NEXTAUTH_SECRET is required in production (`npm start` provides one)',
    );
  }
  return (cached = parsed.data);
}
