/**
 * The frontend side of the kernel bridge against a hostile or broken kernel
 * client, in Chromium with a real Python kernel: malformed, oversized,
 * duplicate and out-of-order messages sent raw over stdin each get one
 * coded error reply (never a hang, an input box or an uncaught error), and
 * the bridge keeps working afterwards. Unit tests fuzz the parser and the
 * session in Node; this is the same through the real transport.
 */
import { test, expect } from './fixtures';
import { newNotebook, openLab } from './helpers';
import { run } from './bridge-helpers';

// Sends each message as the client would (an input_request whose prompt is
// the bridge prefix + text) and prints every reply as one JSON line.
const FUZZ = String.raw`
import json, random
kernel = get_ipython().kernel
PREFIX = 'jupyterlab-ocean-bridge/1:'
def ask(text):
    answer = kernel.raw_input(PREFIX + text)
    assert answer.startswith(PREFIX), answer[:80]
    return json.loads(answer[len(PREFIX):])
def msg(**fields):
    return json.dumps({'v': 1, **fields})
replies = {}
malformed = ['', '{', 'null', '[]', '"text"', '42', '{"v":1}', '{"v":1,"id":""}',
    '{"v":1,"id":"' + 'i' * 300 + '","op":"rpc","method":"eth_chainId"}',
    msg(id='a', op='launch'), msg(id='a', op='rpc'), msg(id='a', op='rpc', method='eth_chainId', params=5),
    msg(id='a', op='command'), msg(id='a', op='command', name='help', args=[1]),
    json.dumps({'v': 9, 'id': 'a', 'op': 'rpc', 'method': 'eth_chainId'}),
    msg(id='ghost', op='wait'), msg(id='ghost', op='more'),
    msg(id='q', op='part', data='not json', last=True),
    msg(id='r', op='part', data=msg(id='r', op='wait'), last=True),
    msg(id='u', op='command', name='no_such_command')]
rng = random.Random(7)
pieces = ['{', '}', '"v":1', '"id":"x"', '"op":"rpc"', '"op":"part"', '"data":', ',', ':', 'null', '[', ']', '"method"', '1e999', '"\\u0000"', 'true']
malformed += [''.join(rng.choice(pieces) for _ in range(rng.randrange(12))) for _ in range(150)]
replies['malformed'] = [ask(text) for text in malformed]
# Out of order: a request in two parts, with a poll for it in between.
head, tail = msg(id='p', op='command', name='help')[:20], msg(id='p', op='command', name='help')[20:]
replies['parts'] = [ask(msg(id='p', op='part', data=head, last=False)), ask(msg(id='p', op='more')),
    ask(msg(id='p', op='part', data=tail, last=True)), ask(msg(id='p', op='wait'))]
# Oversized: parts adding up to more than the 64 MiB the browser accepts.
chunk = 'x' * (16 * 1024 * 1024)
replies['oversized'] = [ask(msg(id='big', op='part', data=chunk, last=False)) for _ in range(5)]
del chunk
print(json.dumps({name: [[r.get('status'), (r.get('error') or {}).get('code')] for r in value] for name, value in replies.items()}))
`;

test('the frontend survives malformed, oversized and out-of-order bridge messages from a kernel', async ({
  page,
  lab,
  consoleErrors
}) => {
  test.setTimeout(300_000);
  await page.addInitScript(() => {
    (window as any).__stdinBoxes = 0;
    new MutationObserver(records => {
      for (const record of records)
        record.addedNodes.forEach(node => {
          if (
            node instanceof HTMLElement &&
            (node.matches('.jp-Stdin') || node.querySelector('.jp-Stdin'))
          )
            (window as any).__stdinBoxes++;
        });
    }).observe(document, { childList: true, subtree: true });
  });
  await openLab(page, lab);
  await newNotebook(page, 'python');
  expect(await run(page, '%ocean help')).toContain('Ocean commands');

  const output = await run(page, FUZZ);
  const replies = JSON.parse(output.trim().split('\n').pop()!) as Record<
    string,
    Array<[string, string | null]>
  >;
  // Every malformed message: exactly one reply, an error with a code.
  expect(replies.malformed.length).toBe(170);
  for (const [status, code] of replies.malformed) {
    expect(status).toBe('error');
    expect(code).toMatch(/^OCEAN_BRIDGE_/);
  }
  expect(replies.malformed.at(-151)).toEqual([
    'error',
    'OCEAN_BRIDGE_UNKNOWN_COMMAND'
  ]);
  // Out of order: the early poll is refused, the request still completes.
  expect(replies.parts).toEqual([
    ['ack', null],
    ['error', 'OCEAN_BRIDGE_BAD_MESSAGE'],
    ['done', null],
    ['error', 'OCEAN_BRIDGE_BAD_MESSAGE']
  ]);
  // Oversized: acknowledged up to the limit, then refused.
  expect(replies.oversized).toEqual([
    ['ack', null],
    ['ack', null],
    ['ack', null],
    ['ack', null],
    ['error', 'OCEAN_BRIDGE_TOO_LARGE']
  ]);

  // The bridge still works, in the same kernel and in the page.
  expect(await run(page, '%ocean sign')).toContain('Say what to sign');
  expect(
    await run(
      page,
      "from jupyterlab_ocean import ocean\nprint('sign' in ocean.help().value)"
    )
  ).toContain('True');
  expect(await page.evaluate(() => (window as any).__stdinBoxes)).toBe(0);
  expect(consoleErrors).toEqual([]);
});
