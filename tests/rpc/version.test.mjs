// `pipewright --version`: the version and the git revision the binary was built from (issue
// "Ship it": an operator's bug report names both).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { serverBinary, REPO_ROOT } from '../lib/server.mjs';

const run = promisify(execFile);

describe('--version', () => {
  it('prints the version and the git revision of a commit of this repository', async () => {
    const { stdout } = await run(serverBinary(), ['--version']);
    const m = /^pipewright (\d+\.\d+\.\d+) \(git ([0-9a-f]{12}|unknown)\)$/m.exec(stdout.trim());
    assert.ok(m, `unexpected --version output: ${JSON.stringify(stdout)}`);
    const inGit = await run('git', ['rev-parse', '--git-dir'], { cwd: REPO_ROOT }).then(() => true, () => false);
    if (!inGit) return;
    assert.notEqual(m[2], 'unknown', 'built from a git checkout, so the revision is known');
    // The commit exists here (the binary may be a few commits older than HEAD in a working tree).
    await run('git', ['cat-file', '-e', `${m[2]}^{commit}`], { cwd: REPO_ROOT });
    const { stdout: version } = await run('sed', ['-n', 's/^project(Pipewright VERSION \\([0-9.]*\\).*/\\1/p', 'CMakeLists.txt'], { cwd: REPO_ROOT });
    assert.equal(m[1], version.trim(), 'the version is the project version (the package follows it)');
  });
});
