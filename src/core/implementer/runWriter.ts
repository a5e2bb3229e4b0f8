/**
 * Where the Implementer's bytes go (DESIGN.md §6: "edits go through a workspace port"). Without
 * one, FileTracker writes the file itself (the CLI); the VS Code face passes a writer that
 * applies a WorkspaceEdit, so each edit shows in the editor and can be undone there.
 */
export interface RunWriter {
  /**
   * Makes the file at `abs` (`rel`: repository-relative, for messages) hold exactly `data`,
   * creating folders as needed. Resolves once those bytes are on disk: the run hashes them.
   */
  write(abs: string, rel: string, data: Buffer): Promise<void>;
}
