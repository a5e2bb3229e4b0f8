import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../canonical';
import { DfError, errnoCode, isDfError } from '../errors';
import { readTextIfExists, writeFileAtomicSync } from '../fs/atomic';
import { ARTIFACT_TEMPLATES } from '../init/init';
import { packageTemplate } from '../init/packageFiles';
import { withLock } from '../fs/lock';
import type { Clock } from '../ports/clock';
import type { Git } from '../repo/git';
import { changeDir, type Layout } from '../repo/layout';
import { ChangeSchema, type Change, type MaturityLevel, type Origin, type RiskTier } from '../schema/change';
import type { Config } from '../schema/config';
import { describeIssue, fieldPath } from '../schema/issues';
import { parseYamlAs, toYaml } from '../yaml/loadYaml';
import { allocateChangeId, localChangeIds } from './changeIds';
import { normalizeScopePaths } from './scope';
import { normalizeTitle } from './title';

export const CHANGE_YAML_HEADER = '# yaml-language-server: $schema=../../.dynaforge/schemas/change.schema.json';
export type ArtifactName = (typeof ARTIFACT_TEMPLATES)[number];

export interface NewChangeInput {
  readonly title: string;
  readonly origin?: Origin;
  readonly paths?: readonly string[];
  readonly frs?: readonly string[];
  readonly ws?: readonly string[];
  readonly tcs?: readonly string[];
  readonly risk?: RiskTier;
  readonly maturity?: MaturityLevel;
}

export interface ChangeListing {
  readonly changes: Change[];
  /** Change folders whose change.yaml does not load: reported, never silently dropped. */
  readonly problems: DfError[];
}

/** Reads and writes `changes/CH-###/`. Every write is atomic; YAML is written canonically. */
export class ChangeStore {
  constructor(
    private readonly layout: Layout,
    private readonly clock: Clock,
    private readonly git: Git,
    private readonly config: Config,
  ) {}

  relFile(id: string, name = 'change.yaml'): string {
    return `changes/${id}/${name}`;
  }

  exists(id: string): boolean {
    return existsSync(join(changeDir(this.layout, id), 'change.yaml'));
  }

  /** Loads one change; unknown ids and invalid files give errors naming the file and the fix. */
  read(id: string): Change {
    const rel = this.relFile(id);
    const text = readTextIfExists(join(this.layout.root, rel));
    if (text === undefined) {
      const known = localChangeIds(this.layout);
      throw new DfError('unknown-change', `there is no change ${id} (no ${rel})`, known.length ? `known changes: ${known.slice(-8).join(', ')}${known.length > 8 ? ', …' : ''} — see \`dynaforge list\`` : 'create one with `dynaforge new "Title"`', { file: rel });
    }
    const change = parseYamlAs(ChangeSchema, text, rel, `fix ${rel} by hand (it is plain YAML), or restore it with \`git checkout -- ${rel}\``);
    if (change.id !== id) {
      throw new DfError('invalid-schema', `${rel}: field id is ${change.id} but the folder is ${id}`, `make the id in ${rel} match its folder, or run \`dynaforge reconcile\` if two changes share an id`, { file: rel, field: 'id' });
    }
    return change;
  }

  list(): ChangeListing {
    const changes: Change[] = [];
    const problems: DfError[] = [];
    for (const id of localChangeIds(this.layout)) {
      if (!this.exists(id)) continue; // a folder reserved a moment ago, still being written
      try {
        changes.push(this.read(id));
      } catch (e) {
        if (!isDfError(e)) throw e;
        problems.push(e);
      }
    }
    return { changes, problems };
  }

  /** Creates `changes/CH-###/change.yaml` and `brief.md`. Validates everything before an id is used. */
  async create(input: NewChangeInput): Promise<Change> {
    const title = normalizeTitle(input.title);
    const now = this.clock.nowIso();
    const draft = validateChange({
      id: 'CH-000',
      title,
      origin: input.origin ?? 'idea',
      scope: {
        paths: normalizeScopePaths(this.layout.root, input.paths ?? []),
        frs: [...(input.frs ?? [])],
        ws: [...(input.ws ?? [])],
        tcs: [...(input.tcs ?? [])],
      },
      maturity_level: input.maturity ?? this.config.defaults.maturity_level,
      risk_tier: input.risk ?? this.config.defaults.risk_tier,
      created: now,
      updated: now,
    });
    const id = await allocateChangeId(this.layout, this.git, this.config.ids.check_branches && this.git.available);
    const change: Change = { ...draft, id };
    try {
      writeFileAtomicSync(join(changeDir(this.layout, id), 'brief.md'), renderTemplate(this.template('brief'), change), this.relFile(id, 'brief.md'));
      this.write(change);
    } catch (e) {
      // No half-made change: the folder goes, so the id can be seen as unused gap, never a broken change.
      this.discard(id);
      throw e;
    }
    return change;
  }

  /** Removes a change just created whose creation could not be recorded in the audit log. */
  discard(id: string): void {
    rmSync(changeDir(this.layout, id), { recursive: true, force: true });
  }

  /** Writes change.yaml atomically in canonical form; returns the sha256 of what was written. */
  write(change: Change): string {
    const text = serializeChange(change);
    writeFileAtomicSync(join(changeDir(this.layout, change.id), 'change.yaml'), text, this.relFile(change.id));
    return sha256(text);
  }

  /**
   * Applies `edit` to a change and writes it back with `updated` bumped. Read, edit and write
   * happen under the change's lock, so two processes updating one change (an approval and a
   * task's evidence, say) both land: neither writes over the other's edit.
   */
  update(id: string, edit: (c: Change) => Change): Promise<Change> {
    return withLock(join(this.layout.lockDir, 'changes', id), () => {
      const next = validateChange({ ...edit(this.read(id)), updated: this.clock.nowIso() });
      this.write(next);
      return next;
    }, this.relFile(id));
  }

  /**
   * The artifact files a change has, by name, with the hash approvals and staleness compare:
   * the sha256 of the file — except tasks.md, whose hash ignores task progress (see
   * `approvalText`), so ticking a task off does not make the approved plan of work stale.
   */
  artifacts(id: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of [...ARTIFACT_TEMPLATES.map((a) => `${a}.md`), 'evidence.json']) {
      try {
        const bytes = readFileSync(join(changeDir(this.layout, id), name));
        out[name] = name === 'tasks.md' ? sha256(approvalText(bytes.toString('utf8'))) : sha256(bytes);
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT') throw e;
      }
    }
    return out;
  }

  /** The project's copy of an artifact template (user-editable), else the shipped one. */
  template(name: ArtifactName): string {
    return readTextIfExists(join(this.layout.templatesDir, `${name}.md`)) ?? packageTemplate(`project/templates/${name}.md`);
  }
}

/**
 * tasks.md as an approval sees it: the work planned, not its progress. A task's box
 * (todo, doing, done) and its evidence link are normalised away; dropping a task, or any
 * change of a task's text, files or dependencies, still shows. Progress is approved at
 * Validate, whose approval also covers evidence.json.
 */
export function approvalText(tasks: string): string {
  return tasks.replace(/^(\s*- \[)[ ~xX](\] T-\d{3,})/gm, '$1 $2').replace(/ \(evidence: [^()]*\)/g, '');
}

/** change.yaml text exactly as dynaforge writes it: schema key order, sorted maps, LF. */
export function serializeChange(change: Change): string {
  const plain = JSON.parse(JSON.stringify(change)) as Change;
  for (const a of plain.approvals) a.artifacts = Object.fromEntries(Object.entries(a.artifacts).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return toYaml(plain, CHANGE_YAML_HEADER);
}

function validateChange(candidate: unknown): Change {
  const r = ChangeSchema.safeParse(candidate);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue ? fieldPath(issue.path) : '(root)';
  throw new DfError('invalid-schema', `invalid change: ${r.error.issues.map(describeIssue).join('; ')}`, `correct ${field} and retry`, { field });
}

/** Fills `{{key}}` placeholders from the change. Unknown placeholders are left as they are. */
export function renderTemplate(template: string, change: Change): string {
  const scope = [...change.scope.paths.map((p) => `- \`${p}\``), ...[...change.scope.frs, ...change.scope.ws, ...change.scope.tcs].map((id) => `- ${id}`)];
  const vars: Record<string, string> = {
    id: change.id,
    title: change.title,
    origin: change.origin,
    risk_tier: change.risk_tier,
    maturity_level: change.maturity_level,
    created: change.created,
    scope: scope.length ? scope.join('\n') : '(not set yet)',
  };
  return template.replace(/\{\{(\w+)\}\}/g, (m, key: string) => vars[key] ?? m);
}
