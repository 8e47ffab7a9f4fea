/**
 * `volley call` end to end: the real binary in its own process against a real server, over UDP
 * and TCP, with every error path a script may meet and the exit code it can rely on.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliServer, closedPort, startCliServer } from './cli-fixture.js';
import { runVolley } from './run-volley.js';

let server: CliServer;
let dir: string;

beforeAll(async () => {
  server = await startCliServer();
  dir = await mkdtemp(join(tmpdir(), 'volley-cli-'));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** One line on stderr and no stack trace: what every usage error must look like. */
function expectOneLineError(stderr: string, pattern: RegExp): void {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(pattern);
  expect(stderr).not.toContain('    at ');
}

describe.concurrent('volley call', () => {
  it('prints the result as one line of JSON in a pipe, over UDP', async () => {
    const run = await runVolley(['call', server.udp, 'echo.add', '{"a":1,"b":2}']);
    expect(run).toMatchObject({ code: 0, stdout: '{"sum":3}\n', stderr: '' });
  });

  it('runs from any working directory, not only the workspace', async () => {
    const run = await runVolley(['call', server.udp, 'echo.add', '{"a":2,"b":2}'], { cwd: dir });
    expect(run).toMatchObject({ code: 0, stdout: '{"sum":4}\n' });
  });

  it('calls host:port over TCP with --tcp', async () => {
    const run = await runVolley(['call', `127.0.0.1:${server.port}`, 'echo.echo', '{"message":"hi"}', '--tcp']);
    expect(run).toMatchObject({ code: 0, stdout: '{"message":"hi"}\n' });
  });

  it('reads input from @file and from stdin (-)', async () => {
    const file = join(dir, 'input.json');
    await writeFile(file, '{"key":"from-file","value":"v1"}');
    expect(await runVolley(['call', server.tcp, 'kv.set', `@${file}`])).toMatchObject({
      code: 0,
      stdout: '{"version":1}\n',
    });
    const run = await runVolley(['call', server.udp, 'kv.get', '-'], { stdin: '{"key":"from-file"}' });
    expect(run).toMatchObject({ code: 0, stdout: '{"value":"v1","version":1}\n' });
  });

  it('calls procedures that take no input', async () => {
    const run = await runVolley(['call', server.udp, 'echo.ping']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ pong: true });
  });

  it('prints 64-bit integers exactly and bytes as base64', async () => {
    const run = await runVolley(['call', server.tcp, 'probe.big']);
    expect(run).toMatchObject({ code: 0, stdout: '{"max":18446744073709551615,"bytes":{"$bytes":"aGk="}}\n' });
  });

  it('sends --metadata and --auth with the call', async () => {
    const run = await runVolley([
      'call',
      server.udp,
      'probe.whoami',
      '-m',
      'tenant=blue',
      '--metadata',
      'trace=a=b',
      '--auth',
      's3cret',
    ]);
    expect(JSON.parse(run.stdout)).toEqual({ metadata: { tenant: 'blue', trace: 'a=b' }, auth: 's3cret' });
  });

  it('exits 10 with "BAD_REQUEST: message" and the issues when the input is invalid', async () => {
    const run = await runVolley(['call', server.tcp, 'echo.add', '{"a":"x","b":2}']);
    expect(run.code).toBe(10);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^BAD_REQUEST: Invalid input for "echo.add" at a: /);
    expect(JSON.parse(run.stderr.slice(run.stderr.indexOf('\n') + 1))).toMatchObject({ issues: [{ path: ['a'] }] });
  });

  it('exits 11 for an unknown procedure', async () => {
    const run = await runVolley(['call', server.udp, 'echo.nope']);
    expect(run.code).toBe(11);
    expect(run.stderr).toMatch(/^NOT_FOUND: No procedure named "echo.nope"/);
  });

  it('suggests the nearest procedures from $describe for a misspelt one', async () => {
    const run = await runVolley(['call', server.udp, 'echo.ad', '{"a":1,"b":2}']);
    expect(run.code).toBe(11);
    expect(run.stderr).toMatch(/^NOT_FOUND: No procedure named "echo.ad"\. Did you mean echo.add\?/);
  });

  it('suggests the nearest flag and command, and prints its version', async () => {
    const [flag, command, version, help] = await Promise.all([
      runVolley(['call', server.udp, 'echo.add', '--timout', '5']),
      runVolley(['cal']),
      runVolley(['--version']),
      runVolley(['help', 'health']),
    ]);
    expect(flag.stderr).toContain("Unknown flag '--timout'. Did you mean --timeout?");
    expect(command.stderr).toContain('Did you mean call?');
    expect(version.stdout).toMatch(/^volley \d+\.\d+\.\d+/);
    expect(help.stdout).toMatch(/^volley health —/);
  });

  it('exits with the code the handler raised', async () => {
    expect((await runVolley(['call', server.udp, 'echo.fail', '{"code":"PERMISSION_DENIED"}'])).code).toBe(13);
    expect((await runVolley(['call', server.tcp, 'echo.fail', '{"code":"INTERNAL"}'])).code).toBe(20);
  });

  it('exits 16 when nothing listens: over UDP the port-unreachable ends the call before --timeout, over TCP the refused connect', async () => {
    const port = await closedPort();
    const udp = await runVolley(['call', `udp://127.0.0.1:${port}`, 'echo.ping', '--timeout', '10000']);
    expect(udp.code).toBe(16);
    expect(udp.stderr).toMatch(/^UNAVAILABLE: /);
    const tcp = await runVolley(['call', `tcp://127.0.0.1:${port}`, 'echo.ping', '--timeout', '1000']);
    expect(tcp.code).toBe(16);
    expect(tcp.stderr).toMatch(/^UNAVAILABLE: /);
  });

  it('exits 17 when the call outlives --timeout', async () => {
    const run = await runVolley(['call', server.tcp, 'probe.hold', '{"ms":5000}', '--timeout', '200']);
    expect(run.code).toBe(17);
  });

  it.each([
    ['bad JSON', ['call', 'udp://127.0.0.1:1', 'echo.add', '{a:1}'], /volley call: Input is not valid JSON/],
    ['an unknown flag', ['call', 'udp://127.0.0.1:1', 'echo.ping', '--bogus'], /volley call: Unknown flag '--bogus'./],
    ['a missing procedure', ['call', 'udp://127.0.0.1:1'], /volley call: Needs <url> and <procedure>/],
    [
      'a bad timeout',
      ['call', 'udp://127.0.0.1:1', 'echo.ping', '--timeout', 'soon'],
      /--timeout must be a positive integer/,
    ],
    ['a bad URL', ['call', 'http://127.0.0.1:1', 'echo.ping'], /Unsupported scheme "http:"/],
    ['a URL that is not host:port', ['call', 'localhost', 'echo.ping'], /neither a URL/],
    [
      'a flag contradicting the URL',
      ['call', 'udp://127.0.0.1:1', 'echo.ping', '--tcp'],
      /--tcp contradicts the URL's scheme udp:\/\//,
    ],
    ['TLS flags without TLS', ['call', 'tcp://127.0.0.1:1', 'echo.ping', '--ca', 'ca.pem'], /need a tls:\/\/ URL/],
    ['bad metadata', ['call', 'udp://127.0.0.1:1', 'echo.ping', '-m', 'novalue'], /--metadata wants key=value/],
    [
      'a missing input file',
      ['call', 'udp://127.0.0.1:1', 'echo.add', '@/nonexistent/input.json'],
      /Cannot read input file .*ENOENT/,
    ],
    ['extra arguments', ['call', 'udp://127.0.0.1:1', 'echo.add', '{"a":1}', '{"b":2}'], /Unexpected argument/],
  ])('exits 2 with one line for %s', async (_label, args, pattern) => {
    const run = await runVolley(args);
    expect(run.code).toBe(2);
    expectOneLineError(run.stderr, pattern);
  });

  it('exits 2 for an unknown command, and prints the overview with no command', async () => {
    const unknown = await runVolley(['fetch']);
    expect(unknown.code).toBe(2);
    expectOneLineError(unknown.stderr, /volley: unknown command "fetch"/);
    const none = await runVolley([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Commands:');
  });

  it.each(['call', 'describe', 'health', 'gen', 'bench'])('has --help with examples for %s', async (command) => {
    const run = await runVolley([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^volley ${command} — `));
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain(`volley ${command} `);
  });
});
