/**
 * Every user-visible string goes through the translator (trans.__ /
 * trans._n). This test reads the views' sources with the TypeScript
 * compiler and reports, file:line, the words a user would see that no
 * translator call wraps:
 *
 * - text between tags in an html`…` template, and static `title`,
 *   `placeholder`, `aria-label`, `alt` or `label` attribute values;
 * - a string written as a `label`, `caption`, `title` or `placeholder`
 *   (object property or assignment), or as `textContent`, and the value of
 *   setAttribute('aria-label' | 'title' | 'placeholder', …);
 * - a sentence written into a view's shown state (`error`, `message`,
 *   `status`, `reason`… — assigned, in an object or a class field), passed
 *   to a notice or dialog (`show`, `notify`, `Notification.error`,
 *   `showErrorMessage`, `showDialog`'s body), or given to an OceanError with
 *   an OCEAN_… code (an error with a number for its code is the wallet's
 *   EIP-1193/EIP-5792 answer to its caller, wire format). A code or state
 *   in those fields ('pending', 'BAD_ASSET') is no sentence.
 *
 * A string wrapped in a call (trans.__('…'), trans._n(…)) is not reported:
 * the literal is then the call's argument. For the odd symbol that is not
 * a word in any language (a token's ticker, say), put `i18n-ignore` in a
 * comment on the line or the line above, or in an html comment
 * (`<!-- i18n-ignore -->`) before the text.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const SRC = path.dirname(new URL(import.meta.url).pathname);

/** The rooms whose words reach the user: every view under them, new rooms too. */
const ROOMS = ['widget', 'gan'];

/** Views outside those rooms: the in-notebook wallet widget, the kernel's share dialog. */
const VIEWS = ['commands/wallet-widget.ts', 'kernel-bridge/share-dialog.ts'];

/**
 * Files without a view whose words people read elsewhere: progress lines
 * (`message`, `progress(…)`, shown in progress lists and cells), OceanError
 * sentences, the confirmation dialog's `warnings`, the `%ocean help`
 * words (`description`) and a command's plain-text result (`text`,
 * `'text/plain'`), worded through errorWords.
 */
const SENTENCES = [
  'ocean/running-flows.ts',
  'ocean/client.ts',
  'ocean/compute.ts',
  'ocean/publish.ts',
  'ocean/ranged-read.ts',
  'ocean/network-status.ts',
  'ocean/wallet-decode.ts',
  'commands/ocean-commands.ts',
  'commands/publish-commands.ts',
  'commands/wallet-commands.ts',
  'kernel-bridge/commands.ts',
  'kernel-bridge/bridge.ts',
  'kernel-bridge/session.ts',
  // `%ocean provenance` and `%ocean verify`: help, progress and errors.
  'provenance/index.ts',
  'provenance/commands.ts',
  // The GAN cell's modules without a view: their errors and the footer's
  // backend reason reach the cell; index.ts's `%ocean gan` help and progress.
  'gan/index.ts',
  'gan/model-store.ts',
  'gan/runtime.ts',
  'gan/service.ts',
  // The key vault: its worker words errors later, on the page (wordsLater.__).
  'widget/wallet/keystore.ts',
  'widget/wallet/key-vault.ts',
  'widget/wallet/vault-worker.ts',
  'widget/wallet/vault-client.ts'
];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return sources(full);
    }
    return entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.test.ts') &&
      !entry.name.endsWith('.d.ts')
      ? [full]
      : [];
  });
}

/** A word: two letters or more (a lone letter is a unit or prefix: v1.2, 0x…). */
const HAS_WORD = /\p{L}{2}/u;
const VISIBLE_ATTRIBUTES = new Set([
  'title',
  'caption',
  'placeholder',
  'aria-label',
  'alt',
  'label'
]);
const VISIBLE_PROPERTIES = new Set([
  'label',
  'caption',
  'title',
  'placeholder',
  'textContent'
]);

/**
 * A view's state that it later shows: `job.error = …`, `{ status: … }`,
 * `this.message = …`. These fields also carry codes and states ('pending',
 * 'OCEAN_BAD_ASSET'), so only a sentence is reported here (see isSentence).
 */
const VISIBLE_STATE = new Set([
  'error',
  'message',
  'status',
  'statusText',
  'notice',
  'warning',
  'hint',
  'detail',
  'reason'
]);

/**
 * Calls whose string arguments the user reads: a notice (noticeBoard's
 * show, the notification manager's notify, Notification.error/…), a dialog
 * (showErrorMessage; showDialog's `title` and `body`), window's alert and
 * confirm.
 */
const NOTICE_CALLS = new Set([
  'show',
  'notify',
  'showErrorMessage',
  'showDialog',
  'alert',
  'confirm'
]);
const NOTIFICATION_KINDS = new Set([
  'error',
  'warning',
  'info',
  'success',
  'emit',
  'promise'
]);

/**
 * Words a person reads, not a code or state: a template with words, or a
 * string with a space, or a capitalised word ('Failed'); not one token in
 * lower case ('pending', 'not-found', 'wallet-${…}') or in capitals
 * ('BAD_ASSET').
 */
function isSentence(text: string): boolean {
  // The literal's own text: a hole is no word and no space ('wallet-${…}').
  const words = text.replaceAll('${…}', '').trim();
  if (!HAS_WORD.test(words)) {
    return false;
  }
  return (
    /\s/.test(words) || !/^[\p{Ll}\d][\w.:/-]*$|^[\p{Lu}\d_]+$/u.test(words)
  );
}

/** Where an expression stands in for a template part's value. */
const HOLE = '\u0000';

/**
 * The words in an html template's static HTML (its holes marked by HOLE):
 * text outside tags, and the static values of visible attributes. `holes`
 * gets, for each hole in order, whether its value is shown: 'text' between
 * tags, the attribute's name in an attribute, '' elsewhere in a tag.
 */
export function untranslatedInHtml(
  markup: string,
  holes: string[] = []
): string[] {
  const found: string[] = [];
  const count = (s: string) => s.split(HOLE).length - 1;
  let i = 0;
  let text = '';
  let skipText = false;
  const flushText = () => {
    const words = text.replace(/&[a-z]+;|&#\d+;/gi, ' ').trim();
    if (HAS_WORD.test(words) && !skipText) {
      found.push(words.replace(/\s+/g, ' ').replaceAll(HOLE, '${…}'));
    }
    text = '';
  };
  while (i < markup.length) {
    if (markup.startsWith('<!--', i)) {
      const end = markup.indexOf('-->', i);
      flushText();
      // <!-- i18n-ignore --> lets the text after it (to the next tag) be.
      skipText = markup.slice(i, end).includes('i18n-ignore');
      i = end < 0 ? markup.length : end + 3;
      continue;
    }
    if (markup[i] === '<' && /[a-z/!]/i.test(markup[i + 1] ?? '')) {
      flushText();
      skipText = false;
      // A tag: read its attributes up to the closing '>'.
      i++;
      while (i < markup.length && markup[i] !== '>') {
        const attribute = /^[\s/]*([^\s=>/]+)(\s*=\s*)?/.exec(markup.slice(i));
        if (!attribute || attribute[0] === '') {
          if (markup[i] === HOLE) {
            holes.push('');
          }
          i++;
          continue;
        }
        i += attribute[0].length;
        holes.push(...Array<string>(count(attribute[1])).fill(''));
        if (!attribute[2]) {
          continue;
        }
        let value = '';
        const quote = markup[i];
        if (quote === '"' || quote === "'") {
          const end = markup.indexOf(quote, i + 1);
          value = markup.slice(i + 1, end < 0 ? markup.length : end);
          i = end < 0 ? markup.length : end + 1;
        } else {
          const match = /^[^\s>]*/.exec(markup.slice(i))!;
          value = match[0];
          i += value.length;
        }
        // Lit's property (.x), boolean (?x) and event (@x) bindings.
        const name = attribute[1].toLowerCase().replace(/^[.?@]/, '');
        holes.push(
          ...Array<string>(count(value)).fill(
            VISIBLE_ATTRIBUTES.has(name) ? name : ''
          )
        );
        // A URL (an example in a placeholder) is no sentence.
        const words = value.replace(/^[a-z]+:\/\/\S*$/, '');
        if (VISIBLE_ATTRIBUTES.has(name) && HAS_WORD.test(words)) {
          found.push(`${name}="${value.replaceAll(HOLE, '${…}')}"`);
        }
      }
      i++;
      continue;
    }
    if (markup[i] === HOLE) {
      holes.push('text');
    }
    text += markup[i];
    i++;
  }
  flushText();
  return found;
}

function stringValue(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    return node.text;
  }
  if (ts.isTemplateExpression(node)) {
    return [node.head.text, ...node.templateSpans.map(s => s.literal.text)]
      .join(HOLE)
      .replaceAll(HOLE, '${…}');
  }
  return null;
}

/** The string literals an expression can evaluate to, directly. */
function literalsOf(node: ts.Expression): ts.Expression[] {
  if (ts.isParenthesizedExpression(node)) {
    return literalsOf(node.expression);
  }
  if (ts.isConditionalExpression(node)) {
    return [...literalsOf(node.whenTrue), ...literalsOf(node.whenFalse)];
  }
  if (
    ts.isBinaryExpression(node) &&
    [
      ts.SyntaxKind.BarBarToken,
      ts.SyntaxKind.QuestionQuestionToken,
      ts.SyntaxKind.PlusToken
    ].includes(node.operatorToken.kind)
  ) {
    return [...literalsOf(node.left), ...literalsOf(node.right)];
  }
  return stringValue(node) !== null ? [node] : [];
}

/**
 * A JupyterLab plugin's `description` ({ id, description, activate… }): the
 * plugin manager reads it from the module, before any translator loads, so
 * it stays English as JupyterLab's own plugins' do (developer text).
 */
function isPluginDescription(node: ts.PropertyAssignment): boolean {
  return (
    propertyName(node.name) === 'description' &&
    ts.isObjectLiteralExpression(node.parent) &&
    node.parent.properties.some(
      p => p.name !== undefined && propertyName(p.name) === 'activate'
    ) &&
    node.parent.properties.some(
      p => p.name !== undefined && propertyName(p.name) === 'id'
    )
  );
}

function propertyName(name: ts.Node): string | null {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) {
    return name.text;
  }
  return null;
}

/**
 * Untranslated user-visible strings in one file, as `line: text`. With
 * `sentences`, also the words a room without a view shows through others:
 * a `message` property (progress lines) and an OceanError's sentence.
 */
export function untranslatedIn(
  fileName: string,
  source: string,
  sentences = false
): string[] {
  const file = ts.createSourceFile(
    fileName,
    source,
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TS
  );
  const lines = source.split('\n');
  const report: string[] = [];
  const ignored = (node: ts.Node) => {
    const line = file.getLineAndCharacterOfPosition(node.getStart()).line;
    return (
      lines[line].includes('i18n-ignore') ||
      (line > 0 && lines[line - 1].includes('i18n-ignore'))
    );
  };
  const add = (node: ts.Node, text: string) => {
    if (!ignored(node)) {
      const line = file.getLineAndCharacterOfPosition(node.getStart()).line;
      report.push(`${path.basename(fileName)}:${line + 1}: ${text}`);
    }
  };
  const checkValue = (value: ts.Expression) => {
    for (const literal of literalsOf(value)) {
      const text = stringValue(literal)!;
      if (HAS_WORD.test(text.replaceAll('${…}', ''))) {
        add(literal, JSON.stringify(text));
      }
    }
  };
  /** Like checkValue, for fields that also hold codes: sentences only. */
  const checkState = (value: ts.Expression) => {
    for (const literal of literalsOf(value)) {
      const text = stringValue(literal)!;
      if (isSentence(text)) {
        add(literal, JSON.stringify(text));
      }
    }
  };
  /** A notice's or dialog's arguments: strings, and an options object's body. */
  const checkNotice = (args: readonly ts.Expression[]) => {
    for (const arg of args) {
      if (ts.isObjectLiteralExpression(arg)) {
        for (const property of arg.properties) {
          if (
            ts.isPropertyAssignment(property) &&
            // (a `title` is checked wherever it is written)
            propertyName(property.name) === 'body'
          ) {
            checkState(property.initializer);
          }
        }
      } else {
        checkState(arg);
      }
    }
  };
  const calleeName = (call: ts.CallExpression): string | null =>
    ts.isIdentifier(call.expression)
      ? call.expression.text
      : ts.isPropertyAccessExpression(call.expression)
        ? call.expression.name.text
        : null;
  const isNoticeCall = (call: ts.CallExpression): boolean => {
    const name = calleeName(call);
    if (name && NOTICE_CALLS.has(name)) {
      return true;
    }
    // Notification.error('…'), Notification.manager… aside.
    return (
      ts.isPropertyAccessExpression(call.expression) &&
      ts.isIdentifier(call.expression.expression) &&
      call.expression.expression.text === 'Notification' &&
      NOTIFICATION_KINDS.has(call.expression.name.text)
    );
  };
  const visit = (node: ts.Node): void => {
    if (
      ts.isTaggedTemplateExpression(node) &&
      ts.isIdentifier(node.tag) &&
      node.tag.text === 'html'
    ) {
      const template = node.template;
      const markup = ts.isNoSubstitutionTemplateLiteral(template)
        ? template.text
        : [
            template.head.text,
            ...template.templateSpans.map(s => s.literal.text)
          ].join(HOLE);
      const holes: string[] = [];
      for (const words of untranslatedInHtml(markup, holes)) {
        add(node, words);
      }
      // A literal written straight into a shown hole: ${busy ? 'Wait…' : x}.
      if (ts.isTemplateExpression(template)) {
        template.templateSpans.forEach((span, index) => {
          if (holes[index]) {
            checkValue(span.expression);
          }
        });
      }
    } else if (
      ts.isPropertyAssignment(node) &&
      VISIBLE_PROPERTIES.has(propertyName(node.name) ?? '')
    ) {
      checkValue(node.initializer);
    } else if (
      sentences &&
      ts.isPropertyAssignment(node) &&
      ['message', 'description', 'text', 'text/plain'].includes(
        propertyName(node.name) ?? ''
      ) &&
      !isPluginDescription(node)
    ) {
      checkValue(node.initializer);
    } else if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'OceanError' &&
      node.arguments?.[1] &&
      // In a view, an error with a number for its code is the wallet's
      // EIP-1193/EIP-5792 answer to the kernel or page that called it (wire
      // format, read by their code); one with our OCEAN_… code is shown.
      (sentences || !ts.isNumericLiteral(node.arguments[0]))
    ) {
      checkValue(node.arguments[1]);
    } else if (
      sentences &&
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ((node.expression.name.text === 'push' &&
        ts.isIdentifier(node.expression.expression) &&
        node.expression.expression.text === 'warnings') ||
        // A kernel command's progress line (context.progress).
        node.expression.name.text === 'progress')
    ) {
      node.arguments.forEach(checkValue);
    } else if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      VISIBLE_PROPERTIES.has(node.left.name.text)
    ) {
      checkValue(node.right);
    } else if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'setAttribute' &&
      node.arguments.length === 2 &&
      ts.isStringLiteral(node.arguments[0]) &&
      VISIBLE_ATTRIBUTES.has(node.arguments[0].text)
    ) {
      checkValue(node.arguments[1]);
    }
    // A view's shown state and its notices (also in sentence files).
    if (
      ts.isPropertyAssignment(node) &&
      VISIBLE_STATE.has(propertyName(node.name) ?? '') &&
      !(sentences && propertyName(node.name) === 'message')
    ) {
      checkState(node.initializer);
    } else if (
      ts.isPropertyDeclaration(node) &&
      node.initializer &&
      VISIBLE_STATE.has(propertyName(node.name) ?? '')
    ) {
      checkState(node.initializer);
    } else if (
      ts.isBinaryExpression(node) &&
      [
        ts.SyntaxKind.EqualsToken,
        ts.SyntaxKind.BarBarEqualsToken,
        ts.SyntaxKind.QuestionQuestionEqualsToken
      ].includes(node.operatorToken.kind) &&
      ts.isPropertyAccessExpression(node.left) &&
      VISIBLE_STATE.has(node.left.name.text)
    ) {
      checkState(node.right);
    } else if (ts.isCallExpression(node) && isNoticeCall(node)) {
      checkNotice(node.arguments);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return report;
}

test('the checker finds words in html templates and visible properties', () => {
  const found = untranslatedIn(
    'x.ts',
    [
      "const a = html`<p class=${c}>Loading…</p><input placeholder='Search' .value=${v} />`;",
      'const b = html`<span title=${t}>${trans.__("by %1", who)}</span>&nbsp;·`;',
      "const c = { label: 'Open it', caption: trans.__('Fine') };",
      "el.textContent = ok ? trans.__('Yes') : 'No';",
      "el.setAttribute('aria-label', 'Assets');",
      "el.setAttribute('data-x', 'free text');",
      "const d = { label: 'OCEAN' }; // i18n-ignore",
      'const e = html`<button>${x}</button> ${y} (${z})`;',
      "const f = html`<b class=${on ? 'on' : 'off'} .caption=${ms ? `in ${ms} ms` : ''}>${busy ? 'Wait…' : x}</b>`;",
      'const g = html`<input />\n<!-- i18n-ignore: a symbol --> OCEAN <b>Hi</b>`;'
    ].join('\n')
  );
  assert.deepEqual(found, [
    'x.ts:1: Loading…',
    'x.ts:1: placeholder="Search"',
    'x.ts:3: "Open it"',
    'x.ts:4: "No"',
    'x.ts:5: "Assets"',
    'x.ts:9: "in ${…} ms"',
    'x.ts:9: "Wait…"',
    'x.ts:10: Hi'
  ]);
});

test('with sentences, the checker also finds progress lines and OceanError sentences', () => {
  const source = [
    "onProgress({ step: 'check', message: 'Looking up…' });",
    "onProgress({ step: 'check', message: errorWords.__('Fine…') });",
    "throw new OceanError('OCEAN_BAD_ASSET', `No ${x} here.`);",
    "throw new OceanError('OCEAN_BAD_ASSET', errorWords.__('No %1.', x));",
    "warnings.push('This deploys a new contract.');",
    'context.progress(`Saving ${relative}…`, 0);',
    "bridge.registerCommand('x', x, { description: 'Does x.' });",
    "const plugin = { id: 'x:y', description: 'Shows x.', activate };"
  ].join('\n');
  // A view's `message` and OCEAN_… error are shown too (see the next test).
  assert.deepEqual(untranslatedIn('y.ts', source), [
    'y.ts:1: "Looking up…"',
    'y.ts:3: "No ${…} here."'
  ]);
  assert.deepEqual(untranslatedIn('y.ts', source, true), [
    'y.ts:1: "Looking up…"',
    'y.ts:3: "No ${…} here."',
    'y.ts:5: "This deploys a new contract."',
    'y.ts:6: "Saving ${…}…"',
    'y.ts:7: "Does x."'
  ]);
});

test('the checker finds sentences in a view’s shown state, notices and dialogs', () => {
  const found = untranslatedIn(
    'z.ts',
    [
      // 0442067^: an English template in a compute job's error.
      'job.error = `${job.datasetName} is not offered for compute (it is a download asset).`;',
      "job.error = this._trans.__('%1 is not offered.', job.datasetName);",
      "this.status = 'pending'; this._state = { status: 'Failed', error: 'BAD_ASSET' };",
      "class A { message = 'Nothing yet.'; hint = ''; }",
      "const s = { reason: busy ? 'Still busy' : trans.__('Done'), detail: x };",
      "board.show(`wallet-${kind}`, kind, 'The wallet is locked.');",
      'Notification.error(`Could not save ${name}`); Notification.manager.count;',
      "await showDialog({ title: 'Remove it?', body: trans.__('Sure?'), buttons });",
      "showErrorMessage(trans.__('Failed'), 'Try again later');",
      "state.error ??= 'Unknown error'; // i18n-ignore",
      'job.error = String(error); x.message = `${a}${b}`;',
      "throw new OceanError(4100, 'The wallet is locked.');",
      "throw new OceanError('OCEAN_BAD_ASSET', `No ${x} here.`);"
    ].join('\n')
  );
  assert.deepEqual(found, [
    'z.ts:1: "${…} is not offered for compute (it is a download asset)."',
    'z.ts:3: "Failed"',
    'z.ts:4: "Nothing yet."',
    'z.ts:5: "Still busy"',
    'z.ts:6: "The wallet is locked."',
    'z.ts:7: "Could not save ${…}"',
    'z.ts:8: "Remove it?"',
    'z.ts:9: "Try again later"',
    'z.ts:13: "No ${…} here."'
  ]);
});

test('progress lines and error sentences go through the translator', () => {
  const found = SENTENCES.flatMap(file =>
    untranslatedIn(file, fs.readFileSync(path.join(SRC, file), 'utf8'), true)
  );
  assert.deepEqual(
    found,
    [],
    `Wrap these in errorWords.__('…') (or errorWords._n for plurals):\n${found.join('\n')}`
  );
});

test('the views’ user-visible strings go through the translator', () => {
  const files = [
    ...ROOMS.flatMap(room => sources(path.join(SRC, room))),
    ...VIEWS.map(view => path.join(SRC, view))
  ];
  assert.ok(files.length > 20, `found only ${files.length} view sources`);
  const found = files.flatMap(file =>
    untranslatedIn(file, fs.readFileSync(file, 'utf8'))
  );
  assert.deepEqual(
    found,
    [],
    `Wrap these in trans.__('…') (or trans._n for plurals):\n${found.join('\n')}`
  );
});
