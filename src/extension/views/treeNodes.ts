import * as vscode from 'vscode';
import { STAGE_ARTIFACTS } from '../../core/approvals/approvals';
import type { Concern } from '../../core/concerns/concerns';
import type { Finding } from '../../core/drift/model';
import type { RunSummary } from '../../core/implementer/runList';
import type { DfError } from '../../core/errors';
import type { Stage } from '../../core/schema/change';
import type { Lifecycle } from '../../core/status/lifecycle';
import { Commands } from '../constants';
import type { ChangeView, TaskView } from '../project/snapshot';
import { approvalSummary, describeChange, latestDecisions } from './changeSummary';

/**
 * The nodes of the Changes tree. Each carries what its TreeItem and its commands need; nodes
 * that stand for a change carry `chId`, which is what the context-menu commands read.
 */
export type TreeNode = GroupNode | ChangeNode | FolderNode | ArtifactNode | TaskNode | ConcernNode | DriftNode | RunNode | ProblemNode;

export interface GroupNode {
  readonly kind: 'group';
  readonly lifecycle: Lifecycle;
  readonly changes: readonly ChangeView[];
}
export interface ChangeNode {
  readonly kind: 'change';
  readonly chId: string;
  readonly view: ChangeView;
  readonly drift: readonly Finding[];
  readonly active: boolean;
}
export interface FolderNode {
  readonly kind: 'folder';
  readonly chId: string;
  readonly folder: Folder;
  readonly parent: ChangeNode;
}
export interface ArtifactNode {
  readonly kind: 'artifact';
  readonly chId: string;
  readonly name: string;
  readonly uri: vscode.Uri;
  readonly view: ChangeView;
}
export interface TaskNode {
  readonly kind: 'task';
  readonly chId: string;
  readonly task: TaskView;
  readonly uri: vscode.Uri;
}
export interface ConcernNode {
  readonly kind: 'concern';
  readonly chId: string;
  readonly concern: Concern;
}
export interface DriftNode {
  readonly kind: 'drift';
  readonly chId?: string;
  readonly finding: Finding;
}
export interface RunNode {
  readonly kind: 'run';
  readonly chId: string;
  readonly run: RunSummary;
  /** run.json of the run, which the node opens. */
  readonly uri: vscode.Uri;
}
export interface ProblemNode {
  readonly kind: 'problem';
  readonly error: DfError;
  readonly uri?: vscode.Uri;
}

export type Folder = 'artifacts' | 'tasks' | 'concerns' | 'drift' | 'runs';

const TASK_ICONS = { todo: 'circle-large-outline', doing: 'sync', done: 'pass', dropped: 'circle-slash' } as const;
const COLLAPSED_GROUPS: readonly Lifecycle[] = ['Merged', 'Abandoned'];

export function treeItem(node: TreeNode, trusted: boolean): vscode.TreeItem {
  switch (node.kind) {
    case 'group': {
      const item = new vscode.TreeItem(node.lifecycle, COLLAPSED_GROUPS.includes(node.lifecycle) ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.lifecycle}`;
      item.description = String(node.changes.length);
      item.contextValue = 'dynaforge.group';
      return item;
    }
    case 'change':
      return changeItem(node, trusted);
    case 'folder': {
      const v = node.parent.view;
      const labels = {
        artifacts: ['Artifacts', String(v.artifacts.length), 'files'],
        tasks: ['Tasks', `${v.tasks.filter((t) => t.state === 'done').length}/${v.tasks.filter((t) => t.state !== 'dropped').length} done`, 'checklist'],
        concerns: ['Concerns', `${v.status?.openConcerns.length ?? 0} open`, 'comment-discussion'],
        drift: ['Drift', String(node.parent.drift.length), 'warning'],
        runs: ['Implementer Runs', String(v.runs.length), 'run-all'],
      } as const;
      const [label, description, icon] = labels[node.folder];
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `${node.chId}:${node.folder}`;
      item.description = description;
      item.iconPath = new vscode.ThemeIcon(icon);
      item.contextValue = `dynaforge.folder.${node.folder}`;
      return item;
    }
    case 'artifact': {
      const item = new vscode.TreeItem(node.uri, vscode.TreeItemCollapsibleState.None);
      item.id = `${node.chId}:artifact:${node.name}`;
      item.label = node.name;
      item.description = artifactState(node.view, node.name);
      item.command = { command: 'vscode.open', title: 'Open', arguments: [node.uri] };
      item.contextValue = 'dynaforge.artifact';
      return item;
    }
    case 'task': {
      const t = node.task;
      const item = new vscode.TreeItem(`${t.id} ${t.text}`, vscode.TreeItemCollapsibleState.None);
      item.id = `${node.chId}:task:${t.id}:${t.line}`;
      item.description = t.state;
      item.iconPath = new vscode.ThemeIcon(TASK_ICONS[t.state]);
      item.command = { command: 'vscode.open', title: 'Open task', arguments: [node.uri, { selection: new vscode.Range(t.line - 1, 0, t.line - 1, 0) }] };
      item.contextValue = 'dynaforge.task';
      return item;
    }
    case 'concern': {
      const c = node.concern;
      const item = new vscode.TreeItem(`${c.id} ${c.summary}`, vscode.TreeItemCollapsibleState.None);
      item.id = `${node.chId}:concern:${c.id}`;
      item.description = `${c.severity} · ${c.status}`;
      item.tooltip = new vscode.MarkdownString(`**${c.ch_id}/${c.id}** (${c.severity}, ${c.status}) from ${c.source}\n\n${c.summary}\n\nraised by ${c.raised_by} at ${c.raised_at}`);
      item.iconPath = new vscode.ThemeIcon(c.severity === 'high' || c.severity === 'critical' ? 'error' : 'comment');
      item.contextValue = 'dynaforge.concern';
      return item;
    }
    case 'drift': {
      const f = node.finding;
      const item = new vscode.TreeItem(f.kind, vscode.TreeItemCollapsibleState.None);
      item.id = `drift:${f.key}`;
      item.description = f.message;
      item.tooltip = new vscode.MarkdownString(`**${f.kind}**: ${f.message}\n\nfix: ${f.fix}\n\nactions: ${f.actions.join(', ') || '—'}`);
      item.iconPath = new vscode.ThemeIcon(f.severity === 'error' ? 'error' : 'warning');
      if (trusted && f.actions.length) item.command = { command: Commands.Reconcile, title: 'Reconcile', arguments: [{ key: f.key, ...(f.ch_id ? { chId: f.ch_id } : {}) }] };
      item.contextValue = 'dynaforge.drift';
      return item;
    }
    case 'run':
      return runItem(node);
    case 'problem': {
      const item = new vscode.TreeItem(node.error.where.file ?? 'project', vscode.TreeItemCollapsibleState.None);
      item.description = node.error.message;
      item.tooltip = `${node.error.message}\n${node.error.fix}`;
      item.iconPath = new vscode.ThemeIcon('error');
      if (node.uri) item.command = { command: 'vscode.open', title: 'Open', arguments: [node.uri] };
      item.contextValue = 'dynaforge.problem';
      return item;
    }
  }
}

function changeItem(node: ChangeNode, trusted: boolean): vscode.TreeItem {
  const { change, status, error } = node.view;
  const item = new vscode.TreeItem(`${change.id} ${change.title}`, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `change:${change.id}`;
  const tip = new vscode.MarkdownString(undefined, true);
  tip.appendMarkdown(`**${change.id}** ${escape(change.title)}${node.active ? ' — *active*' : ''}\n\n`);
  if (status) {
    const summary = approvalSummary(status);
    item.description = `${node.active ? '● ' : ''}${describeChange(status, node.drift)}`;
    item.iconPath = new vscode.ThemeIcon(node.drift.length && summary.icon === 'circle-large-outline' ? 'warning' : summary.icon);
    tip.appendMarkdown(`${status.lifecycle} · stage **${status.stage}** · risk ${change.risk_tier} · ${change.maturity_level}\n\n`);
    for (const a of status.approvals) tip.appendMarkdown(`- ${a.approval.stage}${a.approval.sub_scope ? ` [${escape(a.approval.sub_scope)}]` : ''}: ${a.approval.decision} by ${escape(a.approval.by)}${a.current ? '' : ` — **stale** (${a.changed.join(', ')} changed)`}\n`);
    if (status.blockers.length) tip.appendMarkdown(`\n**Blockers**\n${status.blockers.map((b) => `- ${escape(b)}`).join('\n')}\n`);
  } else {
    item.description = 'status unavailable';
    item.iconPath = new vscode.ThemeIcon('error');
    if (error) tip.appendMarkdown(`${escape(error.message)}\n\n${escape(error.fix)}`);
  }
  if (!trusted) tip.appendMarkdown('\n\n*Restricted Mode: read-only.*');
  item.tooltip = tip;
  item.contextValue = `dynaforge.change${change.status === 'open' ? '.open' : ''}${node.drift.length ? '.drift' : ''}`;
  return item;
}

const RUN_ICONS = { running: 'sync~spin', succeeded: 'pass', failed: 'error', aborted: 'debug-stop' } as const;

function runItem(node: RunNode): vscode.TreeItem {
  const { run, problem, retained, n, path } = node.run;
  const item = new vscode.TreeItem(`run-${n}`, vscode.TreeItemCollapsibleState.None);
  item.id = `${node.chId}:run:${n}`;
  const kept = retained ? ' · retained' : '';
  if (run) {
    item.description = `${run.status} · ${run.steps_done}/${run.max_steps} steps${kept}`;
    item.iconPath = new vscode.ThemeIcon(RUN_ICONS[run.status]);
    const lines = [`**${node.chId}/run-${n}** ${run.status}`, `started ${run.started}${run.finished ? `, finished ${run.finished}` : ''}`, `model ${escape(run.model)}, seed ${run.seed}`, `${run.steps_done} of at most ${run.max_steps} steps`];
    if (run.concern) lines.push(`concern ${run.concern}`);
    lines.push(retained ? 'kept by a .retain marker' : 'deleted by cleanup after its retention period', `\`${path}\``);
    item.tooltip = new vscode.MarkdownString(lines.join('\n\n'));
  } else {
    item.description = `unreadable${kept}`;
    item.iconPath = new vscode.ThemeIcon('warning');
    item.tooltip = `${path}: ${problem ?? 'run.json cannot be read'}`;
  }
  item.command = { command: 'vscode.open', title: 'Open run.json', arguments: [node.uri] };
  item.contextValue = `dynaforge.run.${run?.status ?? 'unreadable'}`;
  return item;
}

/** The stage whose approval covers an artifact, and how that approval stands. */
function artifactState(view: ChangeView, name: string): string {
  if (!view.status) return '';
  const latest = latestDecisions(view.status);
  const stages = (Object.keys(STAGE_ARTIFACTS) as Stage[]).filter((s) => STAGE_ARTIFACTS[s].required.includes(name));
  for (const s of stages) {
    const a = latest.get(s);
    if (!a) continue;
    if (a.approval.decision === 'denied') return `${s} denied`;
    return a.current ? `${s} approved` : `${s} approval stale`;
  }
  return '';
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
