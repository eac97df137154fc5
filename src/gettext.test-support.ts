/**
 * For unit tests: a real gettext catalogue in the lab's own format, as a
 * JupyterLab language pack loads it, to check that words reach the
 * translator with their placeholders. Not part of the build.
 */
import { Gettext, type TranslationBundle } from '@jupyterlab/translation';

/** A bundle that translates `messages` (msgid → text) into French and leaves the rest. */
export function frenchCatalogue(
  messages: Record<string, string>
): TranslationBundle {
  // Gettext reads the page's lang attribute, which node has no page for.
  const global = globalThis as { document?: unknown };
  global.document ??= { documentElement: { getAttribute: () => null } };
  const bundle = new Gettext({ domain: 'jupyterlab_ocean', locale: 'fr' });
  bundle.loadJSON(
    {
      '': {
        language: 'fr',
        domain: 'jupyterlab_ocean',
        pluralForms: 'nplurals=2; plural=(n > 1);'
      },
      ...Object.fromEntries(
        Object.entries(messages).map(([id, text]) => [id, [text]])
      )
    },
    'jupyterlab_ocean'
  );
  return bundle as unknown as TranslationBundle;
}
