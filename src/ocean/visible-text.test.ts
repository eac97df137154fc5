import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasInvisible, visibleText } from './visible-text';

describe('names shown as their bytes read', () => {
  it('tags a right-to-left override instead of letting it reverse the text', () => {
    const spoof = 'evil\u202Eexe.DT';
    assert.equal(visibleText(spoof), 'evil⟨U+202E⟩exe.DT');
    assert.ok(hasInvisible(spoof));
  });

  it('tags isolates, marks, zero-width characters and controls', () => {
    assert.equal(
      visibleText('a\u2066b\u2069c\u200Fd\u200Be\u200Df\uFEFFg\u0007h\ni'),
      'a⟨U+2066⟩b⟨U+2069⟩c⟨U+200F⟩d⟨U+200B⟩e⟨U+200D⟩f⟨U+FEFF⟩g⟨U+0007⟩h⟨U+000A⟩i'
    );
  });

  it('leaves ordinary names alone, whatever their script', () => {
    for (const name of [
      'Weather 2024',
      'Ωmega-DT',
      'データ',
      'بيانات',
      '🌊 Ocean'
    ])
      assert.equal(visibleText(name), name);
    assert.equal(hasInvisible('Weather 2024'), false);
  });
});
