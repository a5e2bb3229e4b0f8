import * as vscode from 'vscode';
import { LIFECYCLE } from '../../core/status/lifecycle';
import { Views } from '../constants';
import { Disposable } from '../lifecycle';
import type { ProjectModel } from '../project/projectModel';
import { treeItem, type ChangeNode, type Folder, type TreeNode } from './treeNodes';

/**
 * The Changes tree: changes grouped by lifecycle status; under each change its artifacts,
 * tasks, concerns, drift and Implementer runs. Renders the project model; never reads the disk itself.
 */
export class ChangesTree extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly changed = this._register(new vscode.EventEmitter<TreeNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<TreeNode>;

  constructor(private readonly model: ProjectModel) {
    super();
    this.view = this._register(vscode.window.createTreeView(Views.Changes, { treeDataProvider: this, showCollapseAll: true }));
    this._register(model.onDidChange(() => this.update()));
    this.update();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return treeItem(node, this.model.snapshot.trusted);
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const s = this.model.snapshot;
    if (s.state !== 'ready') return [];
    if (!node) {
      const groups: TreeNode[] = LIFECYCLE.map((lifecycle) => ({ kind: 'group' as const, lifecycle, changes: s.changes.filter((c) => c.status?.lifecycle === lifecycle) })).filter((g) => g.changes.length);
      const unknown = s.changes.filter((c) => !c.status);
      const problems: TreeNode[] = [...s.problems.map((error) => ({ kind: 'problem' as const, error, ...(error.where.file && s.root ? { uri: vscode.Uri.joinPath(vscode.Uri.file(s.root), error.where.file) } : {}) })), ...unknown.map((c) => this.changeNode(c.change.id)).filter((n): n is ChangeNode => n !== undefined)];
      return [...groups, ...problems];
    }
    switch (node.kind) {
      case 'group':
        return node.changes.map((c) => this.changeNode(c.change.id)).filter((n): n is ChangeNode => n !== undefined);
      case 'change': {
        const folders: TreeNode[] = [{ kind: 'folder', chId: node.chId, folder: 'artifacts', parent: node }];
        if (node.view.tasks.length) folders.push({ kind: 'folder', chId: node.chId, folder: 'tasks', parent: node });
        if (node.view.status?.openConcerns.length) folders.push({ kind: 'folder', chId: node.chId, folder: 'concerns', parent: node });
        if (node.drift.length) folders.push({ kind: 'folder', chId: node.chId, folder: 'drift', parent: node });
        if (node.view.runs.length) folders.push({ kind: 'folder', chId: node.chId, folder: 'runs', parent: node });
        return folders;
      }
      case 'folder':
        return this.folderChildren(node.parent, node.folder);
      default:
        return [];
    }
  }

  private changeNode(chId: string): ChangeNode | undefined {
    const view = this.model.change(chId);
    return view && { kind: 'change', chId, view, drift: this.model.driftOf(chId), active: this.model.snapshot.active?.id === chId };
  }

  private folderChildren(parent: ChangeNode, folder: Folder): TreeNode[] {
    const root = this.model.snapshot.root;
    if (!root) return [];
    const dir = vscode.Uri.joinPath(vscode.Uri.file(root), 'changes', parent.chId);
    switch (folder) {
      case 'artifacts':
        return ['change.yaml', ...parent.view.artifacts].map((name) => ({ kind: 'artifact' as const, chId: parent.chId, name, uri: vscode.Uri.joinPath(dir, name), view: parent.view }));
      case 'tasks':
        return parent.view.tasks.map((task) => ({ kind: 'task' as const, chId: parent.chId, task, uri: vscode.Uri.joinPath(dir, 'tasks.md') }));
      case 'concerns':
        return (parent.view.status?.openConcerns ?? []).map((concern) => ({ kind: 'concern' as const, chId: parent.chId, concern }));
      case 'drift':
        return parent.drift.map((finding) => ({ kind: 'drift' as const, chId: parent.chId, finding }));
      case 'runs':
        return parent.view.runs.map((run) => ({ kind: 'run' as const, chId: parent.chId, run, uri: vscode.Uri.joinPath(vscode.Uri.file(root), run.path, 'run.json') }));
    }
  }

  private update(): void {
    const s = this.model.snapshot;
    const driftCount = this.model.drift.items.length;
    this.view.message = s.state === 'ready' && !s.trusted ? 'Restricted Mode: read-only. Trust this folder to approve, reconcile and see drift.' : s.state === 'broken' ? `The project does not load: ${s.error?.message ?? 'see the log'}` : undefined;
    this.view.badge = driftCount ? { value: driftCount, tooltip: `${driftCount} drift or validation item(s): see the Problems panel` } : undefined;
    this.changed.fire(undefined);
  }
}
