import { simpleGit, type SimpleGit } from 'simple-git';

/** A git identity as `Name <email>`, or undefined when git has none configured. */
export interface GitIdentity {
  readonly name: string;
  readonly email: string;
}

/**
 * The git port. The engine asks these questions of git and nothing else; `noGit` answers
 * them for a folder that is not a repository, so every feature that does not need git works.
 */
export interface Git {
  readonly available: boolean;
  /** Current branch name, or undefined on a detached HEAD (or without git). */
  branch(): Promise<string | undefined>;
  identity(): Promise<GitIdentity | undefined>;
  /** Change ids (CH-###) present under `changes/` on local and remote-tracking branches other than HEAD's tree. */
  changeIdsOnOtherRefs(): Promise<Set<string>>;
}

export const noGit: Git = {
  available: false,
  branch: async () => undefined,
  identity: async () => undefined,
  changeIdsOnOtherRefs: async () => new Set(),
};

/** Opens `root` as a git working tree; `noGit` when it is not one (or git is not installed). */
export async function openGit(root: string): Promise<Git> {
  let git: SimpleGit;
  try {
    git = simpleGit({ baseDir: root, trimmed: true, maxConcurrentProcesses: 4 });
    if (!(await git.checkIsRepo())) return noGit;
  } catch {
    return noGit;
  }
  return new SimpleGitAdapter(git);
}

class SimpleGitAdapter implements Git {
  readonly available = true;
  constructor(private readonly git: SimpleGit) {}

  async branch(): Promise<string | undefined> {
    try {
      const name = await this.git.raw(['symbolic-ref', '--quiet', '--short', 'HEAD']);
      return name.trim() || undefined;
    } catch {
      return undefined; // detached HEAD
    }
  }

  async identity(): Promise<GitIdentity | undefined> {
    const get = async (key: string) => {
      try {
        return (await this.git.raw(['config', '--get', key])).trim();
      } catch {
        return '';
      }
    };
    const [name, email] = await Promise.all([get('user.name'), get('user.email')]);
    return name && email ? { name, email } : undefined;
  }

  async changeIdsOnOtherRefs(): Promise<Set<string>> {
    const ids = new Set<string>();
    let refs: string[];
    try {
      refs = (await this.git.raw(['for-each-ref', '--format=%(refname)', 'refs/heads', 'refs/remotes'])).split('\n').filter((r) => r && !r.endsWith('/HEAD'));
    } catch {
      return ids; // no commits yet
    }
    // One ls-tree per ref: cheap, and bounded by the number of branches.
    await Promise.all(
      refs.map(async (ref) => {
        try {
          const out = await this.git.raw(['ls-tree', '--name-only', `${ref}:changes`]);
          for (const name of out.split('\n')) if (/^CH-\d{3,}$/.test(name)) ids.add(name);
        } catch {
          // that ref has no changes/ folder
        }
      }),
    );
    return ids;
  }
}

/** The top of the git working tree containing `cwd`, or undefined outside git. */
export async function gitToplevel(cwd: string): Promise<string | undefined> {
  try {
    const top = (await simpleGit({ baseDir: cwd }).revparse(['--show-toplevel'])).trim();
    return top || undefined;
  } catch {
    return undefined;
  }
}

export function formatIdentity(id: GitIdentity): string {
  return `${id.name} <${id.email}>`;
}
