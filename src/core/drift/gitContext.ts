import { GitHistory } from '../repo/gitHistory';
import type { Workspace } from '../workspace';

const histories = new WeakMap<Workspace, GitHistory>();

/** The workspace's read-only history port, or undefined outside a git repository. */
export function historyOf(ws: Workspace): GitHistory | undefined {
  if (!ws.git.available) return undefined;
  let h = histories.get(ws);
  if (!h) {
    h = new GitHistory(ws.layout.root);
    histories.set(ws, h);
  }
  return h;
}
