import { z } from 'zod';

/** `CH-###`: at least three digits, widening past 999 (CH-1000). */
export const CHANGE_ID_RE = /^CH-(\d{3,})$/;
export const ChangeIdSchema = z.string().regex(CHANGE_ID_RE, 'expected a change id like CH-012');

/** Requirement, workstream and test case ids: FR-12, WS-auth, TC-login-3. */
export const FrIdSchema = z.string().regex(/^FR-[\w.-]+$/, 'expected a requirement id like FR-12');
export const WsIdSchema = z.string().regex(/^WS-[\w.-]+$/, 'expected a workstream id like WS-3');
export const TcIdSchema = z.string().regex(/^TC-[\w.-]+$/, 'expected a test case id like TC-7');

export function formatChangeId(n: number): string {
  return `CH-${String(n).padStart(3, '0')}`;
}

export function changeNumber(id: string): number | undefined {
  const m = CHANGE_ID_RE.exec(id);
  return m ? Number(m[1]) : undefined;
}
