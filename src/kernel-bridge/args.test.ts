import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArgsError, parseArgs, tokenize } from './args';

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
