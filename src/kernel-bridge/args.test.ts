import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArgsError, closestName, oneOf, parseArgs, tokenize } from './args';

describe('magic argument parsing', () => {
  it('splits words on blanks and keeps quoted groups together', () => {
    assert.deepEqual(tokenize(`  search "cat photos"  'a b' c\\ d  `), [
      'search',
      'cat photos',
      'a b',
      'c d'
    ]);
    assert.deepEqual(tokenize(`"say \\"hi\\"" '' x`), ['say "hi"', '', 'x']);
  });

  it('turns options into camelCase keys and keeps values as strings', () => {
    assert.deepEqual(
      parseArgs(
        'did:op:abc --page-size=5 --type dataset --free --no-cache 0x00ff'
      ),
      {
        _: ['did:op:abc', '0x00ff'],
        pageSize: '5',
        type: 'dataset',
        free: true,
        cache: false
      }
    );
  });

  it('treats a flag followed by another option as true, and -- as the end of options', () => {
    assert.deepEqual(parseArgs('--verbose --rows 3 -- --not-an-option'), {
      _: ['--not-an-option'],
      verbose: true,
      rows: '3'
    });
    assert.deepEqual(parseArgs(''), { _: [] });
  });

  it('keeps addresses and numbers as text (a handler decides what they are)', () => {
    const args = parseArgs(
      '--to 0x0000000000000000000000000000000000000001 --amount 1e3'
    );
    assert.equal(args.to, '0x0000000000000000000000000000000000000001');
    assert.equal(args.amount, '1e3');
  });

  it('refuses an unclosed quote and malformed option names with a sentence', () => {
    assert.throws(
      () => parseArgs('sign "hello'),
      (error: unknown) => {
        assert.ok(error instanceof ArgsError);
        assert.equal(error.code, 'OCEAN_BRIDGE_BAD_ARGUMENTS');
        assert.match(error.message, /unclosed " quote/);
        return true;
      }
    );
    assert.throws(() => parseArgs('--=x'), ArgsError);
    assert.throws(() => parseArgs('--_ 1'), ArgsError);
  });
});

describe('did you mean', () => {
  const verbs = ['account', 'help', 'load', 'preview', 'publish', 'search'];

  it('finds the verb a typo meant, and nothing for a stranger', () => {
    assert.equal(closestName('hlep', verbs), 'help');
    assert.equal(closestName('serch', verbs), 'search');
    assert.equal(closestName('pub', verbs), 'publish');
    assert.equal(closestName('LOAD', verbs), 'load');
    assert.equal(closestName('transmogrify', verbs), null);
  });

  it('refuses an option value outside its choices, naming them', () => {
    const types = ['dataset', 'algorithm'] as const;
    assert.equal(oneOf('type', undefined, types), undefined);
    assert.equal(oneOf('type', 'dataset', types), 'dataset');
    assert.throws(
      () => oneOf('type', 'datset', types),
      (error: Error) =>
        error instanceof ArgsError &&
        /--type takes dataset or algorithm, not "datset" \(did you mean dataset\?\)/.test(
          error.message
        )
    );
    assert.throws(() => oneOf('type', 'foo', types), /not "foo"\.$/);
  });
});
